"""Bounded model checking: is any checked property violated within K steps?

One incremental solver holds Init and the transition relation unrolled so far (built once and
renamed per depth, ``checker.smt.unroll``; where every integer has a small finite domain, as in
every protocol in protocols/, in a Boolean encoding for Z3's SAT solver, ``checker.smt.finite``:
Raft's 12-step violation in seconds where the integer encoding had not found it in 300 s, Paxos's
faster too); at each depth a
fresh assumption literal asks "is a state at exactly this depth bad?" (an invariant false, a value
outside its domain — also one the step into it added to a set, which the state's components cannot
hold —, an action that raises there, or — with ``deadlock`` — no action enabled), so the first
violation found is at the smallest depth. Its model is read back as a concrete trace and replayed
through the explicit semantics (``checker.core.replay``) before it is shown, and the replayed last
state says what is wrong with it, in the explicit engine's order: a value outside its domain, an
invariant, an action that raises, a deadlock. Finding nothing is never "holds": the verdict is
``limit`` with "no violation up to depth K".

Limits hold inside the solver: before each call the solver's timeout is set to the time left, and
a call that Z3 abandons — on that timeout, or on Ctrl-C, which Z3 turns into "unknown" — ends the
run with what was cleared: "time limit … reached at depth k: no violation up to depth k−1".
``Result.depth`` counts states, as every engine's does: a violation at depth k (k steps) is depth
k + 1, and "no violation up to depth K" is depth K + 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import z3

from checker.core import semantics
from checker.core.budget import Budget, count_option, seconds_option
from checker.core.properties import select_properties
from checker.core.replay import confirm_violation, replay
from checker.core.result import Details, Raised, Result
from checker.core.semantics import ActionRaised, TypeCheck
from checker.core.trace import Step
from checker.dsl.protocol import Protocol
from checker.errors import InternalError
from checker.smt.transition import Encoder
from checker.smt.unroll import Unrolling

DOMAIN = "domain"  # pseudo-property: every variable stays inside its declared domain
DEADLOCK = "deadlock"
#: What Z3's ``reason_unknown`` says when a check was stopped by Ctrl-C (SIGINT) rather than given up.
INTERRUPT_REASONS = ("interrupted", "canceled", "cancelled")
#: A solver call that ends "canceled" within this much of the time limit ended on its timeout.
TIMEOUT_SLACK_S = 0.05


@dataclass
class BmcDetails(Details):
    """Encoding and solving seconds per depth (what ``--json`` calls ``depth_times``)."""

    depth_times: list[dict[str, Any]]
    cleared: int = field(default=-1, repr=False)  # the deepest depth checked and found clean (not in --json)

    def to_json(self) -> dict[str, Any]:
        return {"depth_times": self.depth_times}


class Stopped(Exception):  # noqa: N818 - not an error: the solver was stopped by a limit or Ctrl-C
    """A solver call came back ``unknown`` because of the time limit or Ctrl-C."""

    def __init__(self, why: str, interrupted: bool) -> None:
        super().__init__(why)
        self.why, self.interrupted = why, interrupted


def solve(solver: z3.Solver | z3.Optimize, budget: Budget, *assumptions: z3.BoolRef) -> z3.CheckSatResult:
    """``solver.check(*assumptions)`` within the time left; ``Stopped`` when the time limit or Ctrl-C
    ends it (any other ``unknown`` is returned: Z3 gave up)."""
    timeout_at = None
    if budget.max_seconds is not None:
        left = budget.max_seconds - budget.elapsed()
        if left <= 0:
            raise Stopped(f"time limit {budget.max_seconds}s reached", interrupted=False)
        solver.set("timeout", max(1, int(left * 1000)))
        timeout_at = budget.max_seconds - TIMEOUT_SLACK_S
    try:
        answer = solver.check(*assumptions)
    except KeyboardInterrupt:
        raise Stopped("interrupted", interrupted=True) from None
    if answer == z3.unknown:
        reason = solver.reason_unknown()  # a timeout says "timeout" or "canceled"; SIGINT "interrupted ..."
        if "interrupted" not in reason and timeout_at is not None and budget.elapsed() >= timeout_at:
            raise Stopped(f"time limit {budget.max_seconds}s reached", interrupted=False)
        if any(word in reason for word in INTERRUPT_REASONS):
            raise Stopped("interrupted", interrupted=True)
        if "timeout" in reason:
            raise Stopped(f"time limit {budget.max_seconds}s reached", interrupted=False)
    return answer


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
    count_option("bmc", "max_depth", max_depth)
    seconds_option("bmc", "max_seconds", max_seconds)
    budget = Budget(max_seconds=max_seconds)
    selected = select_properties(protocol, properties)
    invariants = [p.name for p in selected if p.kind == "always"]
    goals: dict[str, int | None] = {p.name: None for p in selected if p.kind == "sometimes"}
    timings: list[dict[str, Any]] = []
    details = BmcDetails(timings)
    result = Result("limit", "bmc", protocol, checked=[p.name for p in selected])

    def finish(verdict: str, depth: int, **kw: Any) -> Result:
        result.verdict = verdict
        result.depth = depth
        result.elapsed_s = budget.elapsed()
        result.goals = goals
        result.details.append(details)
        for key, value in kw.items():
            setattr(result, key, value)
        return result

    def stop(why: str, interrupted: bool = False) -> Result:
        """Stopped before depth ``cleared + 1`` was decided: what was cleared is the finding."""
        k = details.cleared + 1
        done = f"no violation up to depth {k - 1}" if k > 0 else "no depth checked yet"
        return finish("limit", k, message=f"{why} at depth {k}: {done}", interrupted=interrupted)

    try:
        started = budget.elapsed()
        enc = Encoder(protocol)
        unroll = Unrolling(enc, invariants, list(goals), deadlock)
        solver = unroll.solver()
        for k in range(max_depth + 1):
            if budget.out_of_time():
                return stop(f"time limit {max_seconds}s reached")
            t0 = started if k == 0 else budget.elapsed()  # depth 0 pays for the templates
            solver.add(unroll.add_state())
            literal = z3.Bool(f"bad@{k}")
            solver.add(z3.Implies(literal, unroll.bad(k)))
            t1 = budget.elapsed()
            answer = solve(solver, budget, literal)
            t2 = budget.elapsed()
            model = solver.model() if answer == z3.sat else None  # read now: the goal checks replace it
            if answer == z3.unsat:
                details.cleared = k
            for goal in [g for g, d in goals.items() if d is None]:
                reach = z3.Bool(f"{goal}@{k}")
                solver.add(z3.Implies(reach, unroll.goal(k, goal)))
                try:
                    if solve(solver, budget, reach) == z3.sat:
                        goals[goal] = k
                except Stopped:
                    if model is None:
                        raise
                    break  # a violation is in hand: report it, goals as far as they were decided
            timings.append({
                "depth": k,
                "encode_s": round(t1 - t0, 4),
                "solve_s": round(t2 - t1, 4),
                "goals_s": round(budget.elapsed() - t2, 4),
            })
            if progress:
                progress(f"depth {k}: {answer} after {t2 - t1:.2f}s solving ({budget.elapsed():.1f}s in all)")
            if model is not None:
                return _violation(protocol, unroll, unroll.integers(model), invariants, deadlock, finish, k)
            if answer == z3.unknown:
                return finish("limit", k, message=f"Z3 gave up at depth {k} ({solver.reason_unknown()}); "
                              f"no violation up to depth {k - 1}")
    except Stopped as why:
        return stop(why.why, why.interrupted)
    except KeyboardInterrupt:  # Ctrl-C while encoding: keep what was cleared so far
        return stop("interrupted", interrupted=True)
    missed = [g for g, d in goals.items() if d is None]
    note = f"; goal {', '.join(missed)} not reached within {max_depth} steps" if missed else ""
    return finish("limit", max_depth + 1, message=f"no violation up to depth {max_depth}{note}")


def decode_trace(unroll: Unrolling, model: z3.ModelRef) -> list[Step]:
    """The model's path as concrete steps (``Unrolling.trace``): what replay checks."""
    return unroll.trace(model)


def _violation(protocol: Protocol, unroll: Unrolling, model: z3.ModelRef, invariants: list[str], deadlock: bool,
               finish: Callable[..., Result], k: int) -> Result:
    """Replay the model's trace and name what its last state really violates (the explicit engine's
    order: its domains, the invariants, an action that raises there, deadlock)."""
    trace = decode_trace(unroll, model)
    try:
        steps = replay(protocol, trace, source="bmc")
    except ActionRaised as err:
        raise InternalError(f"bmc: a step of its trace raises on concrete states, which Z3 did not see: {err}") from err
    last = steps[-1].state
    bad_type = TypeCheck(protocol).first_bad(last)
    if bad_type is not None:
        return finish("error", k + 1, trace=steps, message=f"type error: {bad_type}")
    for prop in invariants:
        if semantics.violates(protocol, last, prop):
            confirmed = confirm_violation(protocol, steps, prop, source="bmc")
            return finish("violated", k + 1, property=prop, trace=confirmed)
    try:
        enabled = semantics.steps(protocol, last)
    except ActionRaised as err:  # as the explicit engine shows it: the raising step repeats the state
        raising = Step(err.action.name, err.action.params_dict(err.params), last)
        result = finish("error", k + 1, trace=[*steps, raising], message=str(err))
        result.details.insert(0, Raised(err.exc))
        return result
    claimed = unroll.raising(model, k)
    if claimed is not None:  # it raised on Z3 terms only: the encoding cannot read the action
        raise unroll.enc.raised_error(claimed)
    if deadlock and not enabled:
        return finish("violated", k + 1, property=DEADLOCK, trace=steps,
                      message="a reachable state has no enabled action")
    candidates = [*invariants, *([DEADLOCK] if deadlock else [])]
    raise InternalError(
        f"bmc: Z3 claims a violation at depth {k}, but the replayed last state violates none of "
        f"{', '.join(candidates) or 'its domains'}: {last}"
    )
