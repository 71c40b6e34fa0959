"""The explicit-state explorer: exhaustive breadth-first search with shortest counterexamples.

The search goes level by level, so the first violating state found is at the smallest depth and
its chain of links back to an initial state is a shortest trace. Everything around the
algorithm comes from the engine kit: successors from ``checker.core.semantics``, properties from
``PropertySet``, limits from ``Budget``, counts from ``Coverage``, the seen-set from
``checker.explicit.store``. An ``Observer`` sees every state and edge of the one search (TLC's
``ILiveCheck``): the liveness checker builds its graph that way, and without one nothing is paid.
``ends`` marks states where a run stops (the extremes query's first goal states): they are
stored and checked like any other, never expanded.

Limits are exact: with ``max_states=N`` the store never holds more than N states (the search
stops when state N+1 would be stored, in the middle of an expansion if need be); time and memory
are asked of the budget between expansions. Mistakes in a model are findings with the trace to
them: an action that raises, a next state the store cannot hash (a list, dict or set in it), a
value outside its domain, a property that raises.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from checker.core.budget import Budget, default_max_memory
from checker.core.coverage import Coverage
from checker.core.properties import PropertyRaised, PropertySet
from checker.core.result import Details, Raised, Result
from checker.core.semantics import ActionRaised, TypeCheck, fire, initial_states, moves, unhashable
from checker.core.trace import Step
from checker.dsl.protocol import Protocol
from checker.explicit.store import ExactStore, make_store


class Observer:
    """Sees the search: each state as it is expanded and each enabled move from it (a no-op here)."""

    def begin(self, state: Any) -> None:
        """``state`` is about to be expanded (states are expanded in the order they were stored)."""

    def edge(self, ai: int, params: tuple, nxt: Any) -> None:
        """An enabled move from the state being expanded; ``nxt`` is already in the store."""

    def end(self, state: Any) -> None:
        """Every move from ``state`` has been seen."""


@dataclass
class Finding:
    """Why the search stopped early: a violation, an error or a limit, with the trace that shows it."""

    verdict: str
    property: str | None = None
    message: str = ""
    trace: list[Step] = field(default_factory=list)
    details: list[Details] = field(default_factory=list)
    limit: str | None = None  # states | depth | time | memory | interrupt, for a limit
    complete: bool = False  # every reachable state was expanded (a goal never reached is found at the end)
    next_level: bool = False  # found in a new state, one level below the states being expanded


class Search:
    """One breadth-first search over a protocol's reachable states."""

    def __init__(self, protocol: Protocol, props: PropertySet, budget: Budget, store: ExactStore,
                 deadlock: bool, observer: Observer | None, ends: Callable[[Any], bool] | None = None) -> None:
        self.protocol, self.props, self.budget, self.store = protocol, props, budget, store
        self.deadlock, self.observer, self.ends = deadlock, observer, ends
        self.coverage = Coverage(protocol.actions)
        self.typecheck = TypeCheck(protocol)
        self.generated = 0
        self.room = -1  # how many more states the store may take (negative: no limit); set by ``run``
        self.depth = 0
        self.next_frontier: list = []  # the level being discovered (after ``run`` starts a level)

    def run(self) -> Finding | None:
        """The algorithm: None when every reachable state was met and every check passed.

        Python's cyclic collector is paused meanwhile: states are tuples, which form no cycles, and
        walking the ever-growing store again and again cost about 10 % of a run (measured on
        Paxos ballots 0..2, with and without the liveness graph)."""
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._run()
        finally:
            if collecting:
                gc.enable()

    def _run(self) -> Finding | None:
        max_states = self.budget.max_states
        self.room = -1 if max_states is None else max(max_states - len(self.store), 0)
        try:
            for init in initial_states(self.protocol):
                if self.store.add(init):
                    if not self.room:
                        self.store.discard(init)
                        return Finding("limit", message=self.budget.states_full(0), limit="states")
                    self.room -= 1
                    self.next_frontier.append(init)
                    self.depth = 1
                    if found := self.check(init, 0):
                        return found
            while self.next_frontier:
                if (why := self.budget.depth_spent(self.depth)) is not None:
                    return Finding("limit", message=why, limit="depth")
                frontier, self.next_frontier = self.next_frontier, []
                ends = self.ends
                for i, state in enumerate(frontier):
                    if ends is not None and ends(state):
                        continue
                    if found := self.expand(state):
                        return self.shorter_deadlock(frontier[i + 1:], found) if found.next_level else found
                    if (why := self.budget.tick(self.depth, self.status)) is not None:
                        return Finding("limit", message=why, limit=self.budget.stopped_by or "time")
                if self.next_frontier:
                    self.depth += 1
        except KeyboardInterrupt:
            return Finding("limit", message=self.budget.interrupted(self.depth), limit="interrupt")
        if missing := self.props.missing_goals():
            return Finding("violated", missing[0], f"goal {missing[0]!r} is never reached: no reachable state "
                           "satisfies it", complete=True)
        return None

    def expand(self, state: Any) -> Finding | None:
        """Every enabled move from ``state``: new states are checked and queued for the next level."""
        observer, counts, add, queue = self.observer, self.coverage.counts, self.store.add, self.next_frontier
        room = self.room  # 0: the store is full (max_states); negative: no limit
        src = self.store.key_of(state)
        generated = 0
        nxt = None
        if observer is not None:
            observer.begin(state)
        try:
            for ai, params, nxt in moves(self.protocol, state):
                generated += 1
                counts[ai] += 1
                if add(nxt, src, ai, params):
                    if not room:  # one state more than max_states: it is not kept
                        self.store.discard(nxt)
                        self.generated += generated
                        return Finding("limit", message=self.budget.states_full(self.depth), limit="states")
                    room -= 1
                    queue.append(nxt)
                    if found := self.check(nxt, self.depth):
                        self.generated += generated
                        self.depth += 1
                        found.next_level = True
                        return found
                if observer is not None:
                    observer.edge(ai, params, nxt)
        except ActionRaised as err:
            self.generated += generated
            step = Step(err.action.name, err.action.params_dict(err.params), state)
            return Finding("error", message=str(err), trace=[*self.trace_to(state), step], details=[Raised(err.exc)])
        except TypeError:  # hashing the next state: explained here, off the hot path
            why = None if nxt is None else unhashable(self.protocol, nxt)
            if why is None:
                raise
            self.generated += generated
            act = self.protocol.actions[ai]
            step = Step(act.name, act.params_dict(params), state)
            return Finding("error", message=f"type error: action {act.label(params)} returned a state the search "
                           f"cannot store: {why}", trace=[*self.trace_to(state), step])
        self.room = room
        self.generated += generated
        if observer is not None:
            observer.end(state)
        if not generated and self.deadlock:
            return Finding("violated", "deadlock", "a reachable state has no enabled action", self.trace_to(state))
        return None

    def shorter_deadlock(self, rest: list, found: Finding) -> Finding:
        """A state of this level without successors, if any: its trace is a step shorter than the
        next level's violation just found (so the shortest counterexample is the deadlock)."""
        if self.deadlock:
            for state in rest:
                try:
                    if next(moves(self.protocol, state), None) is None:
                        self.depth -= 1  # the deadlock is on this level, not the next
                        return Finding("violated", "deadlock", "a reachable state has no enabled action",
                                       self.trace_to(state))
                except ActionRaised:
                    continue  # a trace as long as the violation's: the violation found first stands
        return found

    def check(self, state: Any, depth: int) -> Finding | None:
        """A new state: inside its domains, every invariant true (goals reached are recorded)."""
        bad = self.typecheck.first_bad(state)
        if bad is not None:
            return Finding("error", message=f"type error: {bad}", trace=self.trace_to(state))
        try:
            broken = self.props.broken(state, depth)
        except PropertyRaised as err:
            return Finding("error", err.name, str(err), self.trace_to(state), [Raised(err.exc)])
        if broken is not None:
            return Finding("violated", broken, trace=self.trace_to(state))
        return None

    def trace_to(self, state: Any) -> list[Step]:
        """The shortest trace to ``state``: follow links back, then replay (fingerprints keep no states)."""
        links, key = [], self.store.key_of(state)
        while (link := self.store.link(key)) is not None:
            key, ai, params = link
            links.append((ai, params))
        cur = next(s for s in initial_states(self.protocol) if self.store.key_of(s) == key)
        steps = [Step("Init", {}, cur)]
        for ai, params in reversed(links):
            act = self.protocol.actions[ai]
            cur = fire(act, params, cur)
            steps.append(Step(act.name, act.params_dict(params), cur))
        return steps

    def status(self) -> str:
        n = len(self.store)
        return (f"depth {self.depth}: {n:,} distinct states, {self.generated:,} generated, "
                f"{len(self.next_frontier):,} queued, "
                f"{n / max(self.budget.elapsed(), 1e-9):,.0f} states/s")

    def result(self, engine: str, found: Finding | None) -> Result:
        """The Result of this search, ending in ``found`` (or holding)."""
        found = found or Finding("holds", complete=True)
        return Result(
            found.verdict, engine, self.protocol, property=found.property, trace=found.trace,
            distinct_states=len(self.store), generated_states=self.generated, depth=self.depth,
            elapsed_s=self.budget.elapsed(), coverage=self.coverage.as_dict(), message=found.message,
            warnings=[*self.budget.notes, *self.coverage.warnings(found.complete)],
            goals=dict(self.props.reached), checked=self.props.names,
            details=[*found.details, self.store.details(self.generated)], interrupted=found.limit == "interrupt",
        )


def explore(
    protocol: Protocol,
    properties: list[str] | None = None,
    *,
    max_states: int | None = None,
    max_depth: int | None = None,
    max_seconds: float | None = None,
    max_memory: float | None = None,
    deadlock: bool = True,
    store: str = "states",
    progress: Callable[[str], None] | None = None,
) -> Result:
    """Explore every reachable state breadth-first; stop at the first violation (safety properties).

    ``max_memory`` (MB of resident memory) defaults to ``default_max_memory()``: 75% of the machine's."""
    budget = Budget(max_states=max_states, max_depth=max_depth, max_seconds=max_seconds,
                    max_memory=default_max_memory() if max_memory is None else max_memory, progress=progress)
    search = Search(protocol, PropertySet(protocol, properties), budget, make_store(store), deadlock, None)
    return search.result("explicit", search.run())
