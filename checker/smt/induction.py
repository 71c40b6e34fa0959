"""Inductive invariants: Init ⇒ Inv and Inv ∧ Next ⇒ Inv′, or a counterexample to induction (CTI).

``Inv`` is the conjunction of the listed invariants (each a separately named property, so a CTI
names the conjunct that broke). With ``k > 1`` this is k-induction: the base case is BMC to depth
k−1 and the step assumes Inv on k consecutive distinct states. ``implies`` names properties that
must follow from Inv in every state (e.g. Paxos's agreement from its ``Inv``).

A CTI is a state satisfying every conjunct, an action with its parameters, and a successor that
breaks one. It is confirmed concretely before it is shown: the pre-states really satisfy Inv, each
step is a real successor, and the named conjunct is really false at the end. Among CTIs the solver
is asked for one whose sets hold as few elements as it can find within ``minimize_s`` seconds: a
small state shows what is missing, a large one buries it. A proof is stated with its bounds: it
covers this instance size only.

``max_seconds`` holds inside every solver call (the base case's BMC, the step, making the CTI
small, the implied properties); the time limit or Ctrl-C there ends the run as ``limit`` naming the
part it stopped in — a base case that did not reach depth k−1 is never taken as passed. After a
proof, a state satisfying every conjunct in which an action raises is a warning (the proof stands:
a raising step leads nowhere; such a state, if reachable, is an error the explicit engine reports).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import z3

from checker.core import semantics
from checker.core.budget import Budget, count_option, seconds_option
from checker.core.properties import select_properties
from checker.core.replay import violates
from checker.core.result import Details, Result
from checker.core.semantics import ActionRaised, TypeCheck, fire
from checker.core.trace import Step
from checker.dsl.protocol import Protocol
from checker.errors import InternalError, QuorumError, suggest
from checker.smt.bmc import INTERRUPT_REASONS, BmcDetails, Stopped, bmc, solve
from checker.smt.symbolic import SymSet, equal, to_bool
from checker.smt.transition import Encoder, SymState


@dataclass
class InductionDetails(Details):
    """Solver seconds per query, k, and for a counterexample to induction the conjuncts it broke."""

    solve_s: dict[str, float]
    k: int
    verdict_line: str | None = None  # the engine's own wording: "inductive: ... for <bounds>"
    cti: bool | None = None
    broken: list[str] | None = None

    def to_json(self) -> dict[str, Any]:
        doc = super().to_json()
        if doc.pop("verdict_line", None) is not None:
            doc["summary"] = self.verdict_line
        return doc

    def summary(self) -> str | None:
        return self.verdict_line


def induction(
    protocol: Protocol,
    properties: list[str] | None = None,
    *,
    k: int = 1,
    implies: list[str] | None = None,
    minimize_s: float = 10.0,
    max_seconds: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> Result:
    """Check that the conjunction of the selected invariants is k-inductive at this instance size."""
    count_option("induction", "k", k)
    seconds_option("induction", "minimize_s", minimize_s)
    seconds_option("induction", "max_seconds", max_seconds)
    budget = Budget(max_seconds=max_seconds)
    conjuncts = [p.name for p in select_properties(protocol, properties) if p.kind == "always"]
    if not conjuncts:
        raise QuorumError(f"induction: {type(protocol).__name__} has no invariant (@always) among {properties}")
    consequences = _consequences(protocol, implies or [])
    say = progress or (lambda _line: None)
    times: dict[str, float] = {}

    def finish(result: Result, summary: str | None = None) -> Result:
        result.elapsed_s = budget.elapsed()
        result.checked = conjuncts + consequences
        found = result.detail(InductionDetails)
        if found is None:
            result.details.append(InductionDetails(solve_s=times, k=k, verdict_line=summary))
        else:
            found.solve_s, found.k = times, k
        return result

    def stopped(where: str, why: str, interrupted: bool) -> Result:
        done = "" if where == "base case" else f"; the base case holds (no violation up to depth {k - 1})"
        return finish(Result("limit", "induction", protocol, message=f"{why} in the {where}{done}: no verdict",
                             interrupted=interrupted, depth=k if where != "base case" else 0))

    where = "base case"
    try:
        say(f"base case: Init ⇒ Inv for every state within {k - 1} steps")
        t0 = budget.elapsed()
        left = None if max_seconds is None else max(max_seconds - budget.elapsed(), 1e-3)
        base = bmc(protocol, conjuncts, max_depth=k - 1, deadlock=False, max_seconds=left)
        times["base"] = round(budget.elapsed() - t0, 4)
        if base.verdict == "limit":
            cleared = base.detail(BmcDetails)
            if base.interrupted or cleared is None or cleared.cleared < k - 1:
                base.engine = "induction"
                base.message = f"{base.message} (base case): no verdict"
                return finish(base)
        else:
            base.engine = "induction"
            if base.verdict == "error":
                return finish(base)
            return finish(base, summary=f"not an invariant: {base.property} fails in a reachable state "
                                        f"({base.summary()})")

        where = "step case"
        enc = Encoder(protocol)
        states = [enc.state(f"pre{i}" if i < k else "post") for i in range(k + 1)]
        selectors = [z3.Int(f"step@{i}") for i in range(k + 1)]
        solver = z3.Solver()
        for i in range(k):
            solver.add(enc.in_domain(states[i]), *(enc.holds(states[i], c) for c in conjuncts))
            solver.add(enc.transition(states[i], states[i + 1], selectors[i + 1]))
        for i in range(k):
            for j in range(i + 1, k + 1):
                solver.add(z3.Not(_same_state(enc, states[i], states[j])))
        broken = z3.Or(z3.Not(enc.in_domain(states[k])), *(z3.Not(enc.holds(states[k], c)) for c in conjuncts))
        say(f"step: Inv on {k} state(s) ∧ Next ⇒ Inv′ for {len(conjuncts)} conjunct(s)")
        t0 = budget.elapsed()
        answer = solve(solver, budget, broken)
        times["step"] = round(budget.elapsed() - t0, 4)
        if answer == z3.unknown:
            return finish(Result("limit", "induction", protocol, message=f"Z3 gave up: {solver.reason_unknown()}"))
        if answer == z3.sat:
            where = "making the counterexample to induction small"
            model, note = _small_model(solver, broken, states, solver.model(), minimize_s, budget, times)
            result = _cti(protocol, enc, model, states, selectors, conjuncts)
            if note:
                result.warnings.append(note)
                result.interrupted = "interrupted" in note
            return finish(result)

        warnings = []
        for prop in consequences:
            where = f"check that the invariant implies {prop}"
            t0 = budget.elapsed()
            witness = _not_implied(protocol, enc, conjuncts, prop, budget)
            times[f"implies {prop}"] = round(budget.elapsed() - t0, 4)
            if witness is not None:
                return finish(witness, summary=f"not implied: a state satisfying {' ∧ '.join(conjuncts)} "
                                               f"violates {prop}")
        where = "check of the actions that raise"
        warning = _raising_under_inv(protocol, enc, conjuncts, budget)
        if warning:
            warnings.append(warning)
    except Stopped as why:
        return stopped(where, why.why, why.interrupted)
    except KeyboardInterrupt:
        return stopped(where, "interrupted", True)
    proved = " ∧ ".join(conjuncts)
    follows = f", and it implies {', '.join(consequences)}" if consequences else ""
    how = "inductive" if k == 1 else f"{k}-inductive"
    summary = f"{how}: {proved}{follows} — for {protocol.bounds()} (this instance size only)"
    return finish(Result("holds", "induction", protocol, depth=k + 1, warnings=warnings), summary=summary)


def _consequences(protocol: Protocol, names: list[str]) -> list[str]:
    for name in names:
        if name not in protocol.properties or protocol.properties[name].kind != "always":
            invariants = [n for n, p in protocol.properties.items() if p.kind == "always"]
            raise QuorumError(f"induction: implies names {name!r}, not an invariant of "
                              f"{type(protocol).__name__}." + suggest(name, invariants))
    return list(names)


def _same_state(enc: Encoder, a: SymState, b: SymState) -> z3.BoolRef:
    return z3.And(*(equal(a.values[n], b.values[n]) for n in enc.protocol.variables))


def _small_model(solver: z3.Solver, broken: z3.BoolRef, states: list[SymState], model: z3.ModelRef,
                 seconds: float, budget: Budget, times: dict[str, float]) -> tuple[z3.ModelRef, str]:
    """A model whose first state holds as few set elements as Z3 finds within ``seconds`` (and the
    time left), and a note when the time limit or Ctrl-C cut that search short."""
    present = [to_bool(p) for v in states[0].values.values() if isinstance(v, SymSet) for p in v.present.values()]
    if budget.max_seconds is not None:
        seconds = min(seconds, budget.max_seconds - budget.elapsed())
    if not present or seconds <= 0:
        return model, ""
    t0 = budget.elapsed()
    opt = z3.Optimize()
    opt.set(timeout=max(1, int(seconds * 1000)))
    opt.add(*solver.assertions(), broken)
    opt.minimize(z3.Sum(*(z3.If(p, 1, 0) for p in present)))
    try:
        answer = opt.check()
    except KeyboardInterrupt:
        answer = z3.unknown
        reason = "interrupted"
    else:
        reason = opt.reason_unknown() if answer == z3.unknown else ""
    times["minimize"] = round(budget.elapsed() - t0, 4)
    note = ""
    if any(word in reason for word in INTERRUPT_REASONS):
        note = "interrupted while making the counterexample to induction small: shown as Z3 first found it"
    if answer == z3.sat:
        return opt.model(), note
    return model, note


def _cti(protocol: Protocol, enc: Encoder, model: z3.ModelRef, states: list[SymState],
         selectors: list[z3.ArithRef], conjuncts: list[str]) -> Result:
    """The counterexample to induction as a trace, confirmed on concrete states."""
    concrete = [enc.decode_state(model, st) for st in states]
    trace = [Step("state where every conjunct holds", {}, concrete[0])]
    for i in range(1, len(states)):
        f = enc.decode_firing(model, states[i - 1], selectors[i])
        if enc.entered_outside(model, states[i]):  # its new value is outside the domain: computed concretely
            concrete[i] = fire(f.action, f.params, concrete[i - 1])
        trace.append(Step(f.action.name, f.action.params_dict(f.params), concrete[i]))
    confirm_cti(protocol, trace, conjuncts)
    post = concrete[-1]
    bad_type = TypeCheck(protocol).first_bad(post)
    broken = [c for c in conjuncts if violates(protocol, post, c)]
    what = broken[0] if broken else "domain"
    step = trace[-1].label
    summary = f"not inductive: {what} breaks when {step} fires from a state satisfying every conjunct"
    message = (
        f"every conjunct holds in state 0; after {step}, {', '.join(broken) or f'the type ({bad_type})'} fails. "
        "Either state 0 is unreachable — add a conjunct that rules it out — or the invariant is wrong."
    )
    result = Result("violated", "induction", protocol, property=what, trace=trace, message=message,
                    depth=len(trace))
    result.details.append(InductionDetails(solve_s={}, k=1, verdict_line=summary, cti=True, broken=broken))
    return result


def confirm_cti(protocol: Protocol, trace: list[Step], conjuncts: list[str]) -> None:
    """Check a CTI concretely: Inv before every step, real successors, a broken conjunct after."""
    typecheck = TypeCheck(protocol)
    for i, step in enumerate(trace[:-1]):
        failing = [c for c in conjuncts if violates(protocol, step.state, c)]
        if failing or typecheck.first_bad(step.state):
            raise InternalError(f"induction: state {i} of its CTI does not satisfy {failing or 'its domains'}")
    for i in range(1, len(trace)):
        act = protocol.action(trace[i].action)
        nxt = fire(act, tuple(trace[i].params[n] for n in act.param_names), trace[i - 1].state)
        if nxt != trace[i].state:
            raise InternalError(f"induction: step {i} of its CTI, {trace[i].label}, leads to {nxt}, "
                                f"not to the state Z3 claims: {trace[i].state}")
    post = trace[-1].state
    if not typecheck.first_bad(post) and not any(violates(protocol, post, c) for c in conjuncts):
        raise InternalError(f"induction: the last state of its CTI satisfies every conjunct: {post}")


def _not_implied(protocol: Protocol, enc: Encoder, conjuncts: list[str], prop: str, budget: Budget) -> Result | None:
    """A state satisfying every conjunct but not ``prop``, or None when Inv ⇒ prop."""
    st = enc.state("any")
    solver = z3.Solver()
    solver.add(enc.in_domain(st), *(enc.holds(st, c) for c in conjuncts), z3.Not(enc.holds(st, prop)))
    if solve(solver, budget) != z3.sat:
        return None
    state = enc.decode_state(solver.model(), st)
    if not violates(protocol, state, prop) or any(violates(protocol, state, c) for c in conjuncts):
        raise InternalError(f"induction: Z3's state satisfying the invariant but not {prop} is not one: {state}")
    return Result("violated", "induction", protocol, property=prop, trace=[Step("state satisfying Inv", {}, state)],
                  message=f"the invariant does not imply {prop}: this state satisfies it and violates {prop}", depth=1)


def _raising_under_inv(protocol: Protocol, enc: Encoder, conjuncts: list[str], budget: Budget) -> str:
    """A warning when an action raises in some state satisfying every conjunct ('' when none does).

    The proof stands (a step that raises leads nowhere), but such a state, if reachable, is an
    error the explicit engine reports. An action that raises only on Z3 terms is one the encoding
    cannot read: the proof would miss its steps, so that is an ``EncodingError``."""
    st = enc.state("any")
    if z3.is_false(z3.simplify(enc.raises(st))):
        return ""
    solver = z3.Solver()
    solver.add(enc.in_domain(st), *(enc.holds(st, c) for c in conjuncts), enc.raises(st))
    if solve(solver, budget) != z3.sat:
        return ""
    model = solver.model()
    state = enc.decode_state(model, st)
    try:
        semantics.steps(protocol, state)
    except ActionRaised as err:
        return (f"{err} in a state satisfying every conjunct ({state}); the proof stands, but if such a state "
                "is reachable the explicit engine reports it as an error")
    claimed = enc.decode_raising(model, st)
    raise enc.raised_error(claimed) if claimed is not None else InternalError(
        f"induction: Z3 claims an action raises in {state}, but none does")
