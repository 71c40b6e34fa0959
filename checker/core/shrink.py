"""Protocol-aware shrinking of a counterexample: usable on any trace, from any engine.

Hypothesis shrinks the sequence of random draws that produced a walk, which is not the same as
shrinking the walk: deleting one draw shifts every later choice. These passes work on the steps
themselves, replaying each candidate through the concrete semantics (``checker.core.semantics``)
and keeping it only if it is still a behaviour of the protocol that ends in a violation of the
same property:

1. drop runs of steps, halving the run length down to single steps (delta debugging);
2. reorder independent neighbours (both orders enabled, same state after both) into the
   protocol's action order, which puts related steps side by side for pass 1;
3. breadth-first search over only the steps the trace uses: the shortest way to the violation
   with those steps, in any order and with any of them left out;
4. the same over the trace's steps together with the same steps with two processes swapped
   (each transposition of one ``Nodes`` domain in turn): a walk often gives a role to another
   process than a shortest trace does — the second leader is the one that first had to catch up —
   and the union lets the search mix the two;
5. breadth-first search from every initial state over *all* enabled steps, to one step less than
   the best trace so far, stopping at the first violating state. Within its budget (states and
   seconds) this is exact — the result is a shortest counterexample, as the explicit engine's is,
   even where the walk took another route altogether (withdrew other amounts, elected another
   node) — and when it finds nothing it proves the trace minimal.

Passes 3 and 4 are cheap and usually enough; pass 5 costs about what the explicit engine needs to
reach the same depth, so it is bounded (``exhaustive_states``, ``exhaustive_seconds``) and on a
large instance it runs out, leaving the result of passes 1–4 and a lower bound.
``shrink_trace(..., stats={})`` fills the dict with what the passes did (``ShrinkStats``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from checker.core.budget import Budget
from checker.core.semantics import ActionRaised, TypeCheck, fire, initial_states, moves, violates
from checker.core.trace import Step
from checker.dsl.domains import FnMap, Nodes, sort_key
from checker.dsl.params import From
from checker.dsl.protocol import Protocol

Label = tuple[str, tuple]  # an action and its parameter values, in declaration order
Failing = Callable[[list[Label]], "list[Label] | None"]  # the failing prefix of a step sequence, or None

#: Pass 5's default budget: every gallery entry at its spec's size finishes well inside it.
EXHAUSTIVE_STATES = 100_000
EXHAUSTIVE_SECONDS = 2.0
#: Passes 3 and 4 together stop after this many seconds (each search also stops at ``max_states``).
RESTRICTED_SECONDS = 1.0


@dataclass
class ShrinkStats:
    """What the passes did, for reports: lengths in steps, and pass 5's work and verdict.

    ``minimal`` is True when pass 5 finished: no trace from any initial state is shorter than the
    result (the explicit engine's guarantee). ``lower_bound`` is the length pass 5 proved every
    counterexample has at least (every shorter depth was searched completely)."""

    given: int = 0
    after_drop: int = 0  # after passes 1 and 2
    after_restricted: int = 0  # after passes 3 and 4
    result: int = 0
    minimal: bool = False
    lower_bound: int = 0
    exhaustive_states: int = 0
    exhaustive_s: float = 0.0
    restricted_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def labels_of(protocol: Protocol, trace: list[Step]) -> list[Label]:
    """The steps of a trace (after its initial state) as (action, parameter values)."""
    return [(s.action, tuple(s.params[n] for n in protocol.action(s.action).param_names)) for s in trace[1:]]


def shrink_trace(
    protocol: Protocol,
    trace: list[Step],
    prop: str,
    *,
    max_states: int = 50_000,
    max_seconds: float = RESTRICTED_SECONDS,
    exhaustive_states: int = EXHAUSTIVE_STATES,
    exhaustive_seconds: float = EXHAUSTIVE_SECONDS,
    stats: dict[str, Any] | None = None,
) -> list[Step]:
    """The shortest trace these passes find that still reaches a violation of ``prop``.

    ``trace`` must already be a confirmed counterexample (``checker.core.replay.confirm_violation``).
    ``max_states`` bounds each search of passes 3 and 4, ``max_seconds`` both together;
    ``exhaustive_states`` and ``exhaustive_seconds`` bound pass 5 (0 states skips it). ``stats``,
    if given, is filled with ``ShrinkStats`` fields.
    """
    shrinker = _Shrinker(protocol, trace[0].state, prop)
    labels = labels_of(protocol, trace)
    report = ShrinkStats(given=len(labels))
    best = shrinker.failing(labels)
    if best is None:
        report.result = report.after_drop = report.after_restricted = len(labels)
        _fill(stats, report)
        return trace
    for _ in range(len(labels) + 1):
        shorter = shrinker.reorder(shrinker.drop_runs(best))
        if shorter == best:
            break
        best = shorter
    report.after_drop = len(best)
    clock = Budget(max_seconds=max_seconds)
    best = shrinker.restricted(best, max_states, clock)
    report.after_restricted, report.restricted_s = len(best), round(clock.elapsed(), 3)
    init = shrinker.init
    searched = shrinker.shortest_anywhere(len(best) - 1, exhaustive_states, exhaustive_seconds)
    report.exhaustive_states, report.exhaustive_s = searched.states, round(searched.seconds, 3)
    if searched.path is not None:
        init, best = searched.path
    report.minimal = searched.complete
    report.lower_bound = len(best) if searched.complete else searched.depth + 1
    report.result = len(best)
    _fill(stats, report)
    return shrinker.steps(best, init)


def drop_steps(protocol: Protocol, init: tuple, labels: list[Label], failing: Failing) -> list[Label]:
    """Pass 1 alone, for failures that are not a property of the state (e.g. an implementation
    diverging from the model): ``failing`` replays a candidate and returns its failing prefix."""
    return _Shrinker(protocol, init, None, failing).drop_runs(labels)


def _fill(stats: dict[str, Any] | None, report: ShrinkStats) -> None:
    if stats is not None:
        stats.update(report.to_json())


@dataclass
class _Searched:
    """Pass 5's outcome: a shorter counterexample (its initial state and steps) or None; whether
    every depth up to the bound was searched; the deepest depth searched completely."""

    path: tuple[tuple, list[Label]] | None
    complete: bool
    depth: int
    states: int
    seconds: float


class _Shrinker:
    def __init__(self, protocol: Protocol, init: tuple, prop: str | None, failing: Failing | None = None) -> None:
        self.protocol, self.init, self.prop = protocol, init, prop
        self.failing: Failing = failing or self.violating_prefix
        self.actions = {a.name: a for a in protocol.actions}
        self.order = {a.name: i for i, a in enumerate(protocol.actions)}

    def apply(self, state: tuple, label: Label) -> tuple | None:
        """The step's next state, or None if disabled (a ``From`` parameter must be in the state)."""
        act = self.actions[label[0]]
        for source, value in zip(act.sources, label[1], strict=True):
            if isinstance(source, From) and value not in getattr(state, source.var):
                return None
        try:
            return fire(act, label[1], state)
        except ActionRaised:  # an action that raises where the walk never went: not a way on
            return None

    def violating_prefix(self, labels: list[Label]) -> list[Label] | None:
        """``labels`` cut at the first violating state, or None if a step is disabled or none violates."""
        state = self.init
        if self.bad(state):
            return []
        for i, label in enumerate(labels):
            state = self.apply(state, label)
            if state is None:
                return None
            if self.bad(state):
                return labels[: i + 1]
        return None

    def drop_runs(self, labels: list[Label]) -> list[Label]:
        run = max(len(labels) // 2, 1)
        while run >= 1 and labels:
            i = 0
            while i < len(labels):
                candidate = self.failing(labels[:i] + labels[i + run:])
                if candidate is not None:
                    labels = candidate
                else:
                    i += run
            run //= 2
        return labels

    def key(self, label: Label) -> tuple:
        return (self.order[label[0]], [sort_key(v) for v in label[1]])

    def reorder(self, labels: list[Label]) -> list[Label]:
        """Bubble independent neighbours into action order; the trace's end state is unchanged."""
        labels = list(labels)
        states = [self.init]
        for label in labels:
            states.append(self.apply(states[-1], label))
        changed = True
        while changed:
            changed = False
            for i in range(len(labels) - 1):
                a, b = labels[i], labels[i + 1]
                if self.key(b) >= self.key(a):
                    continue
                mid = self.apply(states[i], b)
                if mid is None or self.bad(mid):
                    continue
                end = self.apply(mid, a)
                if end is None or end != states[i + 2]:
                    continue
                labels[i], labels[i + 1], states[i + 1] = b, a, mid
                changed = True
        return labels

    # -- pass 5: every enabled step, from every initial state -------------------------------

    def successors(self, state: tuple) -> Iterator[tuple[Label, tuple]]:
        """Every enabled step from ``state`` that changes it, as (label, next state). An action
        that raises here is left out (the search is for a violation; the walk found no exception)."""
        actions = self.protocol.actions
        try:
            found = [((actions[ai].name, params), nxt) for ai, params, nxt in moves(self.protocol, state)]
        except ActionRaised:
            found = []
            for act in actions:
                for params in act.instances(state):
                    try:
                        nxt = fire(act, params, state)
                    except ActionRaised:
                        continue
                    if nxt is not None:
                        found.append(((act.name, params), nxt))
        return (f for f in found if f[1] != state)

    def bad(self, state: tuple) -> bool:
        assert self.prop is not None
        try:
            return violates(self.protocol, state, self.prop)
        except ActionRaised:  # deadlock's check fires every action
            return False

    def search(self, starts: list, step: Callable[[tuple], Iterator[tuple[Label, tuple]]], bound: int,
               budget: Budget) -> _Searched:
        """Breadth-first from ``starts`` along ``step`` (a state's (label, next state) pairs), up to
        ``bound`` steps: the first violating state met is at the smallest depth, so its path is a
        shortest counterexample over those steps. A state outside the declared domains is not
        expanded (the explicit engine would stop there with a type error)."""
        parent: dict[tuple, tuple[tuple, Label] | None] = {}

        def done(path: tuple[tuple, list[Label]] | None, complete: bool, depth: int) -> _Searched:
            return _Searched(path, complete, depth, len(parent), budget.elapsed())

        typecheck = TypeCheck(self.protocol)
        frontier = []
        for init in starts:
            if init in parent:
                continue
            parent[init] = None
            if self.bad(init):
                return done((init, []), True, 0)
            frontier.append(init)
        for depth in range(1, bound + 1):
            level = []
            for state in frontier:
                if budget.states_spent(len(parent), depth) or budget.out_of_time():
                    return done(None, False, depth - 1)
                for label, nxt in step(state):
                    if nxt in parent:
                        continue
                    parent[nxt] = (state, label)
                    if typecheck.first_bad(nxt) is not None:
                        continue
                    if self.bad(nxt):
                        return done(_path(parent, nxt), True, depth)
                    level.append(nxt)
            frontier = level
            if not frontier:
                break
        return done(None, True, bound)

    def shortest_anywhere(self, bound: int, max_states: int, max_seconds: float) -> _Searched:
        """Pass 5: ``search`` over all enabled steps from every initial state."""
        if bound < 0:  # the trace is empty: its initial state violates
            return _Searched(None, True, bound, 0, 0.0)
        if max_states <= 0:
            return _Searched(None, False, -1, 0, 0.0)
        budget = Budget(max_states=max_states, max_seconds=max_seconds)
        return self.search(initial_states(self.protocol), self.successors, bound, budget)

    # -- passes 3 and 4: only the trace's own steps (and the same with processes swapped) ----

    def shortest_over(self, labels: list[Label], max_states: int, clock: Budget, bound: int) -> list[Label] | None:
        """``search`` from the trace's initial state over these steps only, within ``clock``'s time;
        None if there is no such way up to ``bound`` steps, or over ``max_states`` first."""
        alphabet = sorted(set(labels), key=self.key)

        def step(state: tuple) -> Iterator[tuple[Label, tuple]]:
            for label in alphabet:
                nxt = self.apply(state, label)
                if nxt is not None:
                    yield label, nxt

        left = None if clock.max_seconds is None else clock.max_seconds - clock.elapsed()
        found = self.search([self.init], step, bound, Budget(max_states=max_states, max_seconds=left))
        return found.path[1] if found.path is not None else None

    def restricted(self, labels: list[Label], max_states: int, clock: Budget) -> list[Label]:
        """Passes 3 and 4: the shortest way over the trace's own steps, then over its steps joined
        by the same steps with two processes swapped, one transposition at a time, again from
        the start after each improvement."""
        best = labels
        found = self.shortest_over(best, max_states, clock, len(best) - 1)
        if found is not None:
            best = found
        perms = [{a: b, b: a} for names in _node_domains(self.protocol) for a, b in itertools.combinations(names, 2)]
        improved = True
        while improved and best and not clock.out_of_time():
            improved = False
            for perm in perms:
                swapped = [(name, tuple(_rename(v, perm) for v in params)) for name, params in best]
                found = self.shortest_over(best + swapped, max_states, clock, len(best) - 1)
                if found is not None:
                    best, improved = found, True
                    break
        return best

    def steps(self, labels: list[Label], init: tuple | None = None) -> list[Step]:
        out = [Step("Init", {}, self.init if init is None else init)]
        for label in labels:
            out.append(Step(label[0], self.actions[label[0]].params_dict(label[1]), self.apply(out[-1].state, label)))
        return out


def _node_domains(protocol: Protocol) -> list[list[str]]:
    """The names of each ``Nodes`` domain of the protocol (its attributes and action parameters)."""
    found: dict[tuple, None] = {}
    candidates = list(vars(protocol).values()) + [src for act in protocol.actions for src in act.sources]
    for dom in candidates:
        if isinstance(dom, Nodes):
            found.setdefault(tuple(dom.values()))
    return [list(names) for names in found if len(names) > 1]


def _rename(value: Any, perm: dict[str, str]) -> Any:
    """``value`` with process names replaced inside records, tuples and sets (maps are left alone)."""
    if type(value) is str:
        return perm.get(value, value)
    if isinstance(value, FnMap):
        return value
    if isinstance(value, tuple):
        return tuple.__new__(type(value), [_rename(v, perm) for v in value])
    if isinstance(value, frozenset):
        return type(value)(_rename(v, perm) for v in value)
    return value


def _path(parent: dict[tuple, Any], state: tuple) -> tuple[tuple, list[Label]]:
    """The initial state and the steps that lead to ``state`` in a breadth-first parent map."""
    path = []
    while parent[state] is not None:
        state, step = parent[state]
        path.append(step)
    return state, path[::-1]
