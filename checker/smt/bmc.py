"""Bounded model checking: is any checked property violated within K steps?

One incremental solver holds Init and the transition relation unrolled so far; at each depth a
fresh assumption literal asks "is a state at exactly this depth bad?" (an invariant false, a value
outside its domain, or — with ``deadlock`` — no action enabled), so the first violation found is
at the smallest depth. Its model is read back as a concrete trace and replayed through the
explicit semantics (``checker.core.replay``) before it is shown. Finding nothing is never "holds":
the verdict is ``limit`` with "no violation up to depth K".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import z3

from checker.core.budget import Budget
from checker.core.properties import select_properties
from checker.core.replay import confirm_violation, replay
from checker.core.result import Details, Result
from checker.core.semantics import TypeCheck
from checker.core.trace import Step
from checker.dsl.protocol import Protocol
from checker.errors import InternalError
from checker.smt.transition import Encoder, SymState

DOMAIN = "domain"  # pseudo-property: every variable stays inside its declared domain
DEADLOCK = "deadlock"


@dataclass
class BmcDetails(Details):
    """Encoding and solving seconds per depth (what ``--json`` calls ``depth_times``)."""

    depth_times: list[dict[str, Any]]


def bmc(
    protocol: Protocol,
    properties: list[str] | None = None,
    *,
    max_depth: int = 10,
    deadlock: bool = True,
    max_seconds: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> Result:
    """Search for a violation of the selected invariants in at most ``max_depth`` steps."""
    budget = Budget(max_seconds=max_seconds)
    start = budget.start
    selected = select_properties(protocol, properties)
    invariants = [p.name for p in selected if p.kind == "always"]
    goals: dict[str, int | None] = {p.name: None for p in selected if p.kind == "sometimes"}
    enc = Encoder(protocol)
    solver = z3.Solver()
    states = [enc.state("0")]
    selectors: list[z3.ArithRef] = [z3.Int("step@0")]  # index 0 unused: no step into the initial state
    solver.add(enc.init(states[0]))
    timings: list[dict[str, Any]] = []
    result = Result("limit", "bmc", protocol, checked=[p.name for p in selected])

    def finish(verdict: str, k: int, **kw: Any) -> Result:
        result.verdict = verdict
        result.depth = k
        result.elapsed_s = time.perf_counter() - start
        result.goals = goals
        result.details.append(BmcDetails(timings))
        for key, value in kw.items():
            setattr(result, key, value)
        return result

    k = 0
    try:
        for k in range(max_depth + 1):
            t0 = time.perf_counter()
            if k > 0:
                states.append(enc.state(str(k)))
                selectors.append(z3.Int(f"step@{k}"))
                solver.add(enc.transition(states[k - 1], states[k], selectors[k]))
            st = states[k]
            bad = [z3.Not(enc.in_domain(st)), *(z3.Not(enc.holds(st, name)) for name in invariants)]
            if deadlock:
                bad.append(z3.Not(enc.enabled(st)))
            literal = z3.Bool(f"bad@{k}")
            solver.add(z3.Implies(literal, z3.Or(*bad)))
            t1 = time.perf_counter()
            answer = solver.check(literal)
            t2 = time.perf_counter()
            if answer == z3.sat:  # read the violation now: the goal checks below replace the model
                trace = decode_trace(enc, solver.model(), states, selectors)
            for goal in [g for g, d in goals.items() if d is None]:
                reach = z3.Bool(f"{goal}@{k}")
                solver.add(z3.Implies(reach, enc.holds(st, goal)))
                if solver.check(reach) == z3.sat:
                    goals[goal] = k
            timings.append({
                "depth": k,
                "encode_s": round(t1 - t0, 4),
                "solve_s": round(t2 - t1, 4),
                "goals_s": round(time.perf_counter() - t2, 4),
            })
            if progress:
                total = time.perf_counter() - start
                progress(f"depth {k}: {answer} after {t2 - t1:.2f}s solving ({total:.1f}s in all)")
            if answer == z3.sat:
                return _violation(protocol, trace, invariants, deadlock, finish, k)
            if answer == z3.unknown:
                return finish("limit", k, message=f"Z3 gave up at depth {k} ({solver.reason_unknown()}); "
                              f"no violation up to depth {k - 1}")
            if budget.out_of_time() and k < max_depth:
                return finish("limit", k, message=f"time limit {max_seconds}s reached: no violation up to depth {k}")
    except KeyboardInterrupt:  # Ctrl-C: keep what was shown so far
        return finish("limit", k, message=f"interrupted at depth {k}: no violation up to depth {k - 1}")
    missed = [g for g, d in goals.items() if d is None]
    note = f"; goal {', '.join(missed)} not reached within {max_depth} steps" if missed else ""
    return finish("limit", max_depth, message=f"no violation up to depth {max_depth}{note}")


def decode_trace(enc: Encoder, model: z3.ModelRef, states: list[SymState], selectors: list[z3.ArithRef]) -> list[Step]:
    """The model's path as concrete steps: the firing each selector names, and the state it reached."""
    trace = [Step("Init", {}, enc.decode_state(model, states[0]))]
    for i in range(1, len(states)):
        f = enc.decode_firing(model, states[i - 1], selectors[i])
        trace.append(Step(f.action.name, f.action.params_dict(f.params), enc.decode_state(model, states[i])))
    return trace


def _violation(protocol: Protocol, trace: list[Step], invariants: list[str], deadlock: bool,
               finish: Callable[..., Result], k: int) -> Result:
    """Replay the trace and name what its last state really violates (the explicit engine's order)."""
    steps = replay(protocol, trace, source="bmc")
    last = steps[-1].state
    bad_type = TypeCheck(protocol).first_bad(last)
    if bad_type is not None:
        return finish("error", k, trace=steps, message=f"type error: {bad_type}")
    candidates = [*invariants, *([DEADLOCK] if deadlock else [])]
    for prop in candidates:
        try:
            steps = confirm_violation(protocol, trace, prop, source="bmc")
        except InternalError:
            continue
        message = "a reachable state has no enabled action" if prop == DEADLOCK else ""
        return finish("violated", k, property=prop, trace=steps, message=message)
    raise InternalError(
        f"bmc: Z3 claims a violation at depth {k}, but the replayed last state violates none of "
        f"{', '.join(candidates)}: {last}"
    )
