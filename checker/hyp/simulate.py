"""The ``simulate`` engine: random walks driven by Hypothesis, so every violation found shrinks.

Exhaustive search stops at small instances; a random walk does not, but its traces are long and
noisy. Each walk here starts in an initial state and, at every step, lets Hypothesis draw one of
the enabled successors (``checker.core.semantics.steps``). A walk that reaches a state violating an
invariant fails the Hypothesis test, so Hypothesis shrinks the sequence of draws; the result then
goes through the protocol-aware passes of ``checker.shrink`` (drop and reorder steps, then the
shortest path over the trace's own steps) and, like every engine's trace, through
``checker.core.replay.confirm_violation`` before it is shown.

A run ends at the first violation, or when its budget (walks, steps, seconds) is spent. Nothing
found is the verdict ``limit``, never ``holds``: sampling behaviours proves nothing. Ctrl-C ends it
with what was found: the shortest failing walk so far if shrinking was under way
(``Result.interrupted`` is set either way). ``Result.depth`` counts states, as every engine's does:
at a finding, the states of the trace shown; otherwise the longest walk's steps + 1.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as fix_seed
from hypothesis import strategies as st

from checker.core import semantics
from checker.core.budget import Budget, count_option, seconds_option
from checker.core.properties import PropertyRaised, select_properties
from checker.core.replay import confirm_violation, replay
from checker.core.result import Details, Raised, Result
from checker.core.semantics import ActionRaised, TypeCheck
from checker.core.shrink import shrink_trace
from checker.core.trace import Step
from checker.dsl.protocol import Protocol
from checker.errors import QuorumError

PROGRESS_EVERY_S = 3.0
DEFAULT_DEPTH = 60
MOVES_CACHE = 200_000


class Finding(Exception):  # noqa: N818 - not an error of ours: a walk that found something
    """A walk reached a violating state (or an action or a property raised): fails the Hypothesis test.

    ``action_raised``: the last step repeats the state in which an action raised (as the explorer
    shows it), so the trace has one entry more than the states on the path."""

    def __init__(self, kind: str, trace: list[Step], prop: str | None = None, message: str = "",
                 exc: BaseException | None = None, action_raised: bool = False) -> None:
        super().__init__(message or f"{prop} violated after {len(trace) - 1} steps")
        self.kind, self.trace, self.prop, self.message, self.exc = kind, trace, prop, message, exc
        self.action_raised = action_raised


@dataclass
class SimulationDetails(Details):
    """How many walks and steps a simulation took, how fast, and how its finding shrank."""

    seed: int
    walks: int
    steps: int
    walks_per_second: float
    steps_per_second: float
    found_after_walks: int | None = None
    found_after_s: float | None = None
    first_trace_steps: int | None = None
    hypothesis_steps: int | None = None
    shrunk_steps: int | None = None

    def report_lines(self) -> list[str]:
        line = (f"seed {self.seed} (rerun: -o seed={self.seed}); {self.walks:,} walks, {self.steps:,} steps; "
                f"{self.walks_per_second:,.0f} walks/s, {self.steps_per_second:,.0f} steps/s")
        if self.found_after_walks is not None:
            line += f"; found after {self.found_after_walks:,} walks in {self.found_after_s:.2f}s"
            if self.shrunk_steps is not None:
                line += (f"; {self.first_trace_steps} steps as found, {self.hypothesis_steps} after Hypothesis's "
                         f"shrinking, {self.shrunk_steps} after the protocol-aware pass")
        return [line]


class BudgetSpent(KeyboardInterrupt):
    """Raised between walks when the budget is spent.

    Hypothesis lets an interrupt through at once, without recording the walk as a test case
    (any other exception would be shrunk as a failure, or flagged as flaky data generation)."""


@dataclass
class _Stats:
    walks: int = 0
    steps: int = 0
    max_depth: int = 0
    seen: set = field(default_factory=set)
    found_walks: int | None = None
    found_s: float | None = None
    found_steps: int | None = None
    shortest: Finding | None = None  # the shortest walk failing as the first did (what Ctrl-C keeps)
    last_report: float = 0.0


def simulate(
    protocol: Protocol,
    properties: list[str] | None = None,
    *,
    seed: int | None = None,
    walks: int | None = None,
    steps: int | None = None,
    max_depth: int = DEFAULT_DEPTH,
    max_seconds: float | None = None,
    deadlock: bool = True,
    shrink: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Result:
    """Random walks of up to ``max_depth`` steps until a violation or the budget (walks/steps/seconds).

    With no budget given, 1,000 walks. ``seed`` makes the run reproducible; without one a seed is
    chosen and printed.
    """
    for name, value in (("walks", walks), ("steps", steps), ("max_depth", max_depth)):
        count_option("simulate", name, value)
    seconds_option("simulate", "max_seconds", max_seconds)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise QuorumError(f"simulate: seed={seed!r} is not a whole number (-o seed=N reruns a run)")
    selected = select_properties(protocol, properties)
    invariants = [(p.name, p.fn) for p in selected if p.kind == "always"]
    goals = {p.name: p.fn for p in selected if p.kind == "sometimes"}
    reached: dict[str, int | None] = dict.fromkeys(goals)
    if walks is None and steps is None and max_seconds is None:
        walks = 1000
    if seed is None:
        seed = random.SystemRandom().randrange(1 << 32)
    counts = dict.fromkeys((a.name for a in protocol.actions), 0)
    typecheck = TypeCheck(protocol)
    initials = semantics.initial_states(protocol)
    budget = Budget(max_seconds=max_seconds)
    start = budget.start
    stats = _Stats(last_report=start)
    moves: dict[tuple, list] = {}  # the enabled moves of each state seen: walks and shrinks revisit states

    def budget_left() -> bool:
        if walks is not None and stats.walks >= walks:
            return False
        if steps is not None and stats.steps >= steps:
            return False
        return not budget.out_of_time()

    def check_state(trace: list[Step]) -> None:
        state = trace[-1].state
        bad = typecheck.first_bad(state)
        if bad is not None:
            raise Finding("error", trace, message=f"type error: {bad}")
        name, kind = "", "always"
        try:
            for name, fn in invariants:
                if not fn(state):
                    raise Finding("violated", trace, name)
            kind = "sometimes"
            for name, fn in goals.items():
                if reached[name] is None and fn(state):
                    reached[name] = len(trace) - 1
        except (Finding, QuorumError):
            raise
        except Exception as exc:  # noqa: BLE001 - a property that raises is a finding, as in the explorer
            err = PropertyRaised(name, kind, state, exc)
            raise Finding("error", trace, name, str(err), exc) from exc

    def walk(data: st.DataObject) -> None:
        searching = stats.found_walks is None
        if searching and not budget_left():
            raise BudgetSpent
        init = initials[0] if len(initials) == 1 else data.draw(st.sampled_from(initials), label="Init")
        trace = [Step("Init", {}, init)]
        if searching:
            stats.walks += 1
            stats.seen.add(init)
        check_state(trace)
        for _ in range(max_depth):
            state = trace[-1].state
            enabled = moves.get(state)
            if enabled is None:
                try:
                    found = semantics.steps(protocol, state)
                except ActionRaised as err:
                    trace.append(Step(err.action.name, err.action.params_dict(err.params), state))
                    raise Finding("error", trace, message=str(err), exc=err.exc, action_raised=True) from err
                if not found and deadlock:
                    raise Finding("violated", trace, "deadlock", "a reachable state has no enabled action")
                # A step that changes nothing cannot break an invariant: draw only among real moves.
                enabled = [e for e in found if e[2] != state]
                if len(moves) >= MOVES_CACHE:
                    moves.clear()
                moves[state] = enabled
            if not enabled:
                break
            name, params, nxt = enabled[data.draw(_index(len(enabled)))]
            trace.append(Step(name, params, nxt))
            if searching:
                stats.steps += 1
                counts[name] += 1
                stats.seen.add(nxt)
                stats.max_depth = max(stats.max_depth, len(trace) - 1)
                _report(stats, start, progress)
            check_state(trace)

    def on_finding(f: Finding) -> None:
        if stats.found_walks is None:
            stats.found_walks, stats.found_steps = stats.walks, len(f.trace) - 1
            stats.found_s = time.perf_counter() - start
            stats.shortest = f
        elif _same_kind(f, stats.shortest) and len(f.trace) < len(stats.shortest.trace):
            stats.shortest = f  # Hypothesis's shrinking so far: what an interrupt keeps

    def test(data: st.DataObject) -> None:
        try:
            walk(data)
        except Finding as f:
            on_finding(f)
            raise

    run = settings(
        max_examples=walks if walks is not None else 10**9,
        database=None,
        deadline=None,
        derandomize=False,
        phases=[Phase.generate, Phase.shrink] if shrink else [Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        verbosity=Verbosity.quiet,
    )(fix_seed(seed)(given(st.data())(test)))

    result = Result("limit", "simulate", protocol, checked=[p.name for p in selected])
    finding: Finding | None = None
    try:
        run()
    except BudgetSpent:
        pass
    except KeyboardInterrupt:  # Ctrl-C: keep what was found (while shrinking: the shortest walk so far)
        result.interrupted = True
        result.warnings.append("interrupted")
        finding = stats.shortest
        if finding is not None:
            result.warnings.append("interrupted while shrinking: the trace shown is the shortest failing walk "
                                   "found so far, not shortened further")
            shrink = False
    except Finding as f:
        finding = f
    elapsed = time.perf_counter() - start
    result.elapsed_s = elapsed
    result.distinct_states = len(stats.seen)
    result.generated_states = stats.steps
    result.depth = stats.max_depth + 1 if stats.walks else 0  # states on the longest walk
    result.coverage = counts
    result.goals = reached
    searched = stats.found_s if stats.found_s is not None else elapsed  # rates exclude shrinking
    details = SimulationDetails(
        seed=seed,
        walks=stats.walks,
        steps=stats.steps,
        walks_per_second=round(stats.walks / searched, 1) if searched else 0.0,
        steps_per_second=round(stats.steps / searched, 1) if searched else 0.0,
    )
    result.details.append(details)
    if finding is None:
        result.message = (
            f"no violation in {stats.walks:,} walks of up to {max_depth} steps ({stats.steps:,} steps, "
            f"{len(stats.seen):,} distinct states): a simulation samples behaviours, it proves nothing"
        )
        result.warnings += [f"action {n} never fired in {stats.walks:,} walks" for n, c in counts.items() if c == 0]
        result.warnings += [f"goal {g} never reached in {stats.walks:,} walks" for g, d in reached.items() if d is None]
    else:
        try:
            _report_finding(result, details, protocol, finding, stats, shrink)
        except KeyboardInterrupt:  # Ctrl-C in the protocol-aware pass: Hypothesis's shrunk trace stands
            result.interrupted = True
            result.warnings += ["interrupted", "interrupted while shortening the trace: shown as Hypothesis shrank it"]
            _report_finding(result, details, protocol, finding, stats, False)
        result.depth = len(result.trace) - finding.action_raised  # states on the trace shown
    return result


def _same_kind(a: Finding, b: Finding | None) -> bool:
    return b is not None and (a.kind, a.prop, a.action_raised) == (b.kind, b.prop, b.action_raised)


def _report_finding(result: Result, details: SimulationDetails, protocol: Protocol, f: Finding, stats: _Stats,
                    shrink: bool) -> None:
    """Fill in the result from a finding: replayed, then (for violations) shrunk protocol-aware."""
    details.found_after_walks, details.found_after_s = stats.found_walks, round(stats.found_s or 0.0, 3)
    details.first_trace_steps, details.hypothesis_steps = stats.found_steps, len(f.trace) - 1
    if f.kind == "violated":
        trace = confirm_violation(protocol, f.trace, f.prop, source="simulate")
        if shrink:
            trace = shrink_trace(protocol, trace, f.prop)
        result.verdict, result.property, result.trace = "violated", f.prop, trace
        result.message = f.message if f.prop == "deadlock" else ""
        details.shrunk_steps = len(trace) - 1
        return
    # An error: the last step repeats the state in which the action raised (as the explorer does).
    replayed = replay(protocol, f.trace[:-1] if f.action_raised else f.trace, source="simulate")
    if f.action_raised:
        replayed.append(f.trace[-1])
    if f.exc is not None:
        result.details.append(Raised(f.exc))
    result.verdict, result.property, result.trace, result.message = "error", f.prop, replayed, f.message


@functools.cache
def _index(n: int) -> st.SearchStrategy[int]:
    """The strategy for "one of n moves" (built once per n: strategies are costly to construct)."""
    return st.integers(0, n - 1)


def _report(stats: _Stats, start: float, progress: Callable[[str], None] | None) -> None:
    if progress is None:
        return
    now = time.perf_counter()
    if now - stats.last_report >= PROGRESS_EVERY_S:
        stats.last_report = now
        rate = stats.walks / (now - start)
        seen = len(stats.seen)
        progress(f"{stats.walks:,} walks, {stats.steps:,} steps, {seen:,} distinct states, {rate:,.0f} walks/s")
