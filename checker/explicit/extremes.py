"""The extremes query: over every run, the least and the greatest cost of reaching a goal, each with its witness.

A run starts in an initial state and ends at the first state where the goal holds; what it
costs is the sum of its steps' costs (``cost = {"tick": 50}``: a tick is 50 ms, every other step
is free). The answer is the minimum and the maximum over all runs, each shown by a run:

- the minimum, with a shortest trace among the cheapest runs (Dijkstra over the state graph);
- the maximum, with a trace that costs that much, or **unbounded**, with a lasso: a cycle of
  goal-free states with a costly step on it (time passes going round), reached from an initial
  state, from which the goal can still be reached — a run may go round any number of times
  before it ends, so no bound holds.

Runs that never reach the goal have no cost to compare; the answer names one anyway (``never``:
a trace to a state from which no run reaches the goal), since "no leader, ever" is worse than
any maximum. ``exclude`` leaves out every run through a state where it holds (TLC's state
constraint): "the worst case without split votes".

Why cost is counted on steps rather than read from a clock variable: a clock in the state must
be bounded to keep the graph finite, and a bounded clock saturates, which turns "unbounded" into
"the bound". A model whose timers count down and reset has a finite state space while its time
does not end; the query adds up each run's time steps, and a cycle through one is exactly a way
for time to grow without end. Within a strongly connected component without a costly step every
state is as far from the start as any other, so the maximum is a longest path over the
components, in topological order.

The graph is built by the one breadth-first search (``checker.explicit.bfs``), which does not
expand goal or excluded states (``ends``). Every witness is replayed through
``checker.core.replay`` and re-checked — the goal holds at its end and nowhere before, it meets
no excluded state, it costs what is claimed; a lasso's cycle returns to its first state and
costs something — before it is shown.
"""

from __future__ import annotations

import heapq
from array import array
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.core.budget import Budget, default_max_memory
from checker.core.properties import PropertySet
from checker.core.replay import replay
from checker.core.result import Details
from checker.core.trace import Step, trace_json
from checker.dsl.protocol import Protocol
from checker.errors import InternalError, QuorumError, suggest
from checker.explicit.bfs import Observer, Search
from checker.explicit.scc import components

EXPANDED, GOAL, EXCLUDED = 0, 1, 2  # what a stored state is: inside a run, its end, or left out


@dataclass(frozen=True)
class Query:
    """What to compute: the goal that ends a run, each action's cost, and the states to leave out."""

    goal: str
    cost: Mapping[str, int]  # action name -> the cost of one of its steps (others cost 0)
    unit: str = ""
    exclude: str | None = None

    def step_cost(self, action: str) -> int:
        return self.cost.get(action, 0)

    def show(self, amount: int | None) -> str:
        return "unbounded" if amount is None else f"{amount:,}{' ' + self.unit if self.unit else ''}"


def make_query(protocol: Protocol, goal: Any, cost: Any, unit: Any = "", exclude: Any = None,
               where: str = "[query]") -> Query:
    """The query, validated against ``protocol``: names that do not fit are bad input naming the key.

    A cost is a whole number or the name of one of the protocol's parameters (``"tick_ms"``), so
    that the cost follows the instance (``-p tick_ms=25``)."""
    name = type(protocol).__name__
    _predicate(protocol, goal, f"{where} goal")
    if exclude is not None:
        _predicate(protocol, exclude, f"{where} exclude")
    if not isinstance(cost, Mapping) or not cost:
        raise QuorumError(f'{where} cost: give each costly action its cost, e.g. cost = {{ tick = 50 }}')
    actions = [a.name for a in protocol.actions]
    costs: dict[str, int] = {}
    for action, value in cost.items():
        if action not in actions:
            raise QuorumError(f"{where} cost: {name} has no action {action!r}." + suggest(str(action), actions))
        amount = protocol.params.get(value) if isinstance(value, str) else value
        if isinstance(value, str) and value not in protocol.params:
            raise QuorumError(f"{where} cost.{action} = {value!r}: {name} has no parameter {value!r}; give a whole "
                              "number or a parameter's name." + suggest(value, protocol.params))
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise QuorumError(f"{where} cost.{action} = {value!r}: a cost is a whole number of at least 0, "
                              "e.g. tick = 50")
        costs[action] = amount
    if not isinstance(unit, str):
        raise QuorumError(f'{where} unit = {unit!r}: write the cost\'s unit as a string, e.g. unit = "ms"')
    return Query(goal, costs, unit, exclude)


def _predicate(protocol: Protocol, name: Any, key: str) -> Callable[[Any], Any]:
    """A state predicate by name: one of the protocol's invariants or goals, or a plain method of one state."""
    cls = type(protocol).__name__
    if not isinstance(name, str):
        raise QuorumError(f'{key} = {name!r}: name a state predicate of {cls}, e.g. goal = "leader_elected"')
    prop = protocol.properties.get(name)
    if prop is not None:
        if prop.kind not in ("always", "sometimes"):
            raise QuorumError(f"{key} = {name!r} is a {prop.kind} property, not a predicate of one state: name "
                              "an @always or @sometimes property or a method taking the state")
        return prop.fn
    if any(a.name == name for a in protocol.actions):
        raise QuorumError(f"{key} = {name!r} is an action of {cls}, not a predicate of a state")
    predicates = _predicates(protocol)
    if name not in predicates:
        raise QuorumError(f"{key} = {name!r}: {cls} has no state predicate {name!r}."
                          + suggest(name, [*protocol.properties, *predicates]))
    return getattr(protocol, name)


def _predicates(protocol: Protocol) -> list[str]:
    """The protocol's own plain methods (not actions, properties or the hooks every protocol has)."""
    taken = {a.name for a in protocol.actions} | set(protocol.properties) | set(dir(Protocol)) | set(protocol.params)
    own = {n for klass in type(protocol).__mro__ if issubclass(klass, Protocol) and klass is not Protocol
           for n, v in vars(klass).items() if callable(v) and not n.startswith("_")}
    return sorted(own - taken)


@dataclass
class Witness:
    """A run that shows an extreme: its cost (None: unbounded) and its trace (a lasso from ``loop_start``)."""

    cost: int | None
    trace: list[Step]
    loop_start: int | None = None

    def to_json(self, protocol: Protocol) -> dict[str, Any]:
        doc: dict[str, Any] = {"cost": self.cost, "steps": len(self.trace) - 1,
                               "trace": trace_json(protocol, self.trace)}
        if self.loop_start is not None:
            doc["loop_start"] = self.loop_start
        return doc


@dataclass
class Extremes:
    """The answer. ``verdict``: answered | unreachable (no run reaches the goal) | limit | error."""

    protocol: Protocol
    query: Query
    verdict: str
    minimum: Witness | None = None
    maximum: Witness | None = None  # cost None with a lasso: unbounded
    never: list[Step] | None = None  # a trace to a state from which no run reaches the goal
    distinct_states: int = 0
    goal_states: int = 0
    elapsed_s: float = 0.0
    message: str = ""
    trace: list[Step] = field(default_factory=list)  # an error's trace (an action that raised)
    interrupted: bool = False
    details: list[Details] = field(default_factory=list)

    @property
    def unbounded(self) -> bool:
        return self.maximum is not None and self.maximum.cost is None

    def summary(self) -> str:
        q = self.query
        what = f"{q.goal}" + (f", excluding {q.exclude}" if q.exclude else "")
        if self.verdict == "answered":
            return (f"cost until {what}: minimum {q.show(self.minimum.cost)}, maximum {q.show(self.maximum.cost)} "
                    f"({self.protocol.describe()})")
        if self.verdict == "unreachable":
            return f"no run reaches {what}: no minimum or maximum ({self.protocol.describe()})"
        return f"{self.verdict}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        proto = self.protocol
        doc: dict[str, Any] = {
            "query": "extremes",
            "verdict": self.verdict,
            "protocol": f"{type(proto).__module__}:{type(proto).__name__}",
            "parameters": proto.params,
            "goal": self.query.goal,
            "cost": dict(self.query.cost),
            "unit": self.query.unit,
            "exclude": self.query.exclude,
            "summary": self.summary(),
            "minimum": None if self.minimum is None else self.minimum.to_json(proto),
            "maximum": None if self.maximum is None else self.maximum.to_json(proto),
            "unbounded": self.unbounded,
            "never": None if self.never is None else trace_json(proto, self.never),
            "distinct_states": self.distinct_states,
            "goal_states": self.goal_states,
            "elapsed_s": round(self.elapsed_s, 4),
            "message": self.message,
            "interrupted": self.interrupted,
        }
        if self.trace:
            doc["trace"] = trace_json(proto, self.trace)
        for d in self.details:
            doc.update(d.to_json())
        return doc


class _Graph(Observer):
    """The search's store and observer: states numbered as met, their BFS links, and every edge
    (CSR form, with its source and the action taken) out of each expanded state."""

    name = "states"

    def __init__(self) -> None:
        self.states: list = []
        self.index: dict = {}
        self.links: list = []  # per state: (parent, action index, parameters), None for an initial state
        self.kind = bytearray()  # EXPANDED | GOAL | EXCLUDED, set as the state is taken from the frontier
        self.offsets = array("l", [0])
        self.dst = array("l")
        self.src = array("l")
        self.action = array("l")
        self.params: list[tuple] = []
        self._source = -1
        self._last = -1  # the index of the state the last add() was given

    def key_of(self, state: Any) -> int:
        return self.index[state]

    def add(self, state: Any, parent: Any = None, ai: int = -1, params: tuple = ()) -> bool:
        known = self._last = self.index.get(state, -1)
        if known >= 0:
            return False
        self._last = self.index[state] = len(self.states)
        self.states.append(state)
        self.links.append(None if ai < 0 else (parent, ai, params))
        self.kind.append(EXPANDED)
        return True

    def link(self, key: int) -> Any:
        return self.links[key]

    def discard(self, state: Any) -> None:
        del self.index[state]
        for column in (self.states, self.links, self.kind):
            column.pop()

    def __len__(self) -> int:
        return len(self.states)

    def details(self, generated: int) -> Details:
        return Details()

    def end_run(self, v: int, kind: int) -> None:
        """State ``v`` ends a run (the goal) or is left out: it has no edges."""
        self.kind[v] = kind
        self.offsets.append(len(self.dst))

    def begin(self, state: Any) -> None:
        self._source = self.index[state]

    def edge(self, ai: int, params: tuple, nxt: Any) -> None:
        self.dst.append(self._last)  # nxt's index: add(nxt) was the search's last call
        self.src.append(self._source)
        self.action.append(ai)
        self.params.append(params)

    def end(self, state: Any) -> None:
        self.offsets.append(len(self.dst))

    def out(self, v: int) -> range:
        return range(self.offsets[v], self.offsets[v + 1])

    def depths(self) -> array:
        """Each state's BFS depth (a parent is always stored before its child)."""
        depth = array("l", [0]) * len(self.states)
        for v, link in enumerate(self.links):
            if link is not None:
                depth[v] = depth[link[0]] + 1
        return depth


def extremes(protocol: Protocol, query: Query, *, max_states: int | None = None, max_seconds: float | None = None,
             max_memory: float | None = None, progress: Callable[[str], None] | None = None) -> Extremes:
    """Answer ``query`` on ``protocol``'s whole state graph (up to the first goal state of each run)."""
    goal = _predicate(protocol, query.goal, "goal")
    excluded = _predicate(protocol, query.exclude, "exclude") if query.exclude else None
    graph = _Graph()

    def ends(state: Any) -> bool:
        kind = EXCLUDED if excluded is not None and excluded(state) else GOAL if goal(state) else EXPANDED
        if kind != EXPANDED:
            graph.end_run(graph.index[state], kind)
        return kind != EXPANDED

    budget = Budget(max_states=max_states, max_seconds=max_seconds,
                    max_memory=default_max_memory() if max_memory is None else max_memory, progress=progress)
    search = Search(protocol, PropertySet(protocol, []), budget, graph, False, graph, ends)
    found = search.run()
    answer = Extremes(protocol, query, "answered", distinct_states=len(graph), goal_states=graph.kind.count(GOAL))
    if found is not None:
        answer.verdict = found.verdict if found.verdict == "error" else "limit"
        answer.message = found.message or f"the search stopped: {found.verdict}"
        answer.trace, answer.details = found.trace, found.details
        answer.interrupted = found.limit == "interrupt"
    elif not answer.goal_states:
        answer.verdict = "unreachable"
    else:
        _answer(protocol, query, graph, answer)
    answer.elapsed_s = budget.elapsed()
    return answer


# -- the analysis ------------------------------------------------------------------------------


def _answer(protocol: Protocol, query: Query, graph: _Graph, answer: Extremes) -> None:
    weight = [query.step_cost(a.name) for a in protocol.actions]
    n = len(graph.states)
    inside = bytearray(k == EXPANDED for k in graph.kind)
    comps = components(graph, [v for v in range(n) if inside[v]], inside)
    comp_of = array("l", [-1]) * n
    for c, comp in enumerate(comps):
        for v in comp:
            comp_of[v] = c
    reaches_goal = _reaches_goal(graph, comps, comp_of)
    depth = graph.depths()

    cost, path = _cheapest(graph, weight)
    answer.minimum = Witness(cost, _confirm(protocol, query, graph, path, cost))
    costly = [c for c, comp in enumerate(comps) if reaches_goal[c] and _costly_edge(graph, comp, comp_of, weight)]
    if costly:
        comp = min((comps[c] for c in costly), key=lambda comp: min(depth[v] for v in comp))
        answer.maximum = _lasso(protocol, query, graph, comp, comp_of, weight, depth)
    else:
        cost, path = _dearest(graph, comps, comp_of, weight)
        answer.maximum = Witness(cost, _confirm(protocol, query, graph, path, cost))
    stuck = [v for v in range(n) if inside[v] and not reaches_goal[comp_of[v]]]
    if stuck:
        nearest = min(stuck, key=lambda v: depth[v])
        answer.never = _confirm(protocol, query, graph, _tree_path(graph, nearest), None)


def _reaches_goal(graph: _Graph, comps: list[list[int]], comp_of: array) -> bytearray:
    """Per component: some run from it reaches a goal state (components come sinks first)."""
    reach = bytearray(len(comps))
    for c, comp in enumerate(comps):
        reach[c] = any(graph.kind[w] == GOAL or (comp_of[w] >= 0 and comp_of[w] != c and reach[comp_of[w]])
                       for v in comp for w in (graph.dst[e] for e in graph.out(v)))
    return reach


def _costly_edge(graph: _Graph, comp: list[int], comp_of: array, weight: list[int]) -> int | None:
    """An edge inside the component that costs something (a cycle through it exists), if any."""
    c = comp_of[comp[0]]
    return next((e for v in comp for e in graph.out(v)
                 if weight[graph.action[e]] and comp_of[graph.dst[e]] == c), None)


def _cheapest(graph: _Graph, weight: list[int]) -> tuple[int, list[tuple[int, int]]]:
    """The least cost of a run, and the shortest such run as (state, edge into it) pairs (Dijkstra
    on cost, then steps: the first goal state taken from the heap is the answer)."""
    n = len(graph.states)
    best: list[tuple[int, int] | None] = [None] * n
    via = array("l", [-1]) * n
    heap = [(0, 0, v) for v, link in enumerate(graph.links) if link is None]
    for _, _, v in heap:
        best[v] = (0, 0)
    done = bytearray(n)
    while heap:
        cost, steps, v = heapq.heappop(heap)
        if done[v]:
            continue
        done[v] = 1
        if graph.kind[v] == GOAL:
            return cost, _edge_path(graph, via, v)
        for e in graph.out(v):
            w = graph.dst[e]
            cand = (cost + weight[graph.action[e]], steps + 1)
            if not done[w] and (best[w] is None or cand < best[w]):
                best[w], via[w] = cand, e
                heapq.heappush(heap, (*cand, w))
    raise InternalError("extremes: goal states were stored, yet none is reachable in the graph")


def _dearest(graph: _Graph, comps: list[list[int]], comp_of: array, weight: list[int]) -> tuple[int, list]:
    """The greatest cost of a run when no costly cycle can reach the goal, and a shortest run that
    costs it. Each state's greatest cost from the start is the same across its component (its
    cycles are free) and grows over the components in topological order; on a dearest run every
    step is tight (it adds to the cost so far exactly what the greatest cost grows by), so a
    breadth-first search over tight steps finds the shortest one."""
    n = len(graph.states)
    best = array("l", [-1]) * n
    for v, link in enumerate(graph.links):
        if link is None:
            best[v] = 0
    for c in range(len(comps) - 1, -1, -1):  # Tarjan lists sinks first
        comp = comps[c]
        top = max(best[v] for v in comp)
        for v in comp:
            best[v] = top
        for v in comp:
            for e in graph.out(v):
                w = graph.dst[e]
                if comp_of[w] != c:
                    best[w] = max(best[w], top + weight[graph.action[e]])
    goal_cost = max(best[v] for v in range(n) if graph.kind[v] == GOAL)
    via = array("l", [-1]) * n
    seen = bytearray(n)
    queue = deque(v for v, link in enumerate(graph.links) if link is None and best[v] == 0)
    for v in queue:
        seen[v] = 1
    while queue:
        v = queue.popleft()
        if graph.kind[v] == GOAL and best[v] == goal_cost:
            return goal_cost, _edge_path(graph, via, v)
        for e in graph.out(v):
            w = graph.dst[e]
            if not seen[w] and best[v] + weight[graph.action[e]] == best[w]:
                seen[w], via[w] = 1, e
                queue.append(w)
    raise InternalError("extremes: no run costs the greatest cost the analysis found")


def _edge_path(graph: _Graph, via: array, v: int) -> list[tuple[int, int]]:
    """The (state, edge into it) pairs of the path ``via`` records back to a start."""
    pairs = []
    while via[v] >= 0:
        pairs.append((v, via[v]))
        v = graph.src[via[v]]
    pairs.append((v, -1))
    return pairs[::-1]


def _tree_path(graph: _Graph, v: int) -> list[tuple[int, int]]:
    """The BFS (shortest) path to ``v``, as (state, edge into it) pairs; -1: no edge recorded (a tree link)."""
    pairs = []
    while graph.links[v] is not None:
        pairs.append((v, -1))
        v = graph.links[v][0]
    pairs.append((v, -1))
    return pairs[::-1]


def _lasso(protocol: Protocol, query: Query, graph: _Graph, comp: list[int], comp_of: array, weight: list[int],
           depth: array) -> Witness:
    """The shortest path to the component, then the shortest cycle from there through a costly step."""
    entry = min(comp, key=lambda v: depth[v])
    prefix = _tree_path(graph, entry)
    trace = _confirm(protocol, query, graph, prefix + _costly_cycle(graph, entry, comp_of, weight), None)
    loop_start = len(prefix) - 1
    if trace[loop_start].state != trace[-1].state:
        raise InternalError("extremes: the claimed cycle does not return to its first state")
    if not sum(query.step_cost(s.action) for s in trace[loop_start + 1:]):
        raise InternalError("extremes: the claimed cycle costs nothing")
    return Witness(None, trace, loop_start)


def _costly_cycle(graph: _Graph, entry: int, comp_of: array, weight: list[int]) -> list[tuple[int, int]]:
    """The (state, edge into it) pairs of a shortest cycle from ``entry`` back to it, inside its
    component, with a costly step on it: breadth-first over (state, costly step taken yet)."""
    c = comp_of[entry]
    via: dict[tuple[int, bool], tuple[tuple[int, bool], int]] = {}
    queue = deque([(entry, False)])
    goal = (entry, True)
    while queue and goal not in via:
        node = queue.popleft()
        for e in graph.out(node[0]):
            w = graph.dst[e]
            nxt = (w, node[1] or bool(weight[graph.action[e]]))
            if comp_of[w] == c and nxt not in via and nxt != (entry, False):
                via[nxt] = (node, e)
                queue.append(nxt)
    if goal not in via:
        raise InternalError("extremes: no costly cycle through a state of a costly component")
    pairs = []
    node = goal
    while node != (entry, False):
        prev, e = via[node]
        pairs.append((node[0], e))
        node = prev
    return pairs[::-1]


def _confirm(protocol: Protocol, query: Query, graph: _Graph, pairs: list[tuple[int, int]],
             cost: int | None) -> list[Step]:
    """The run as steps, replayed through the concrete semantics and checked: the goal holds at its
    end only (a goal-free run when ``cost`` is None), no excluded state, the cost as claimed."""
    steps = [Step("Init", {}, graph.states[pairs[0][0]])]
    for v, e in pairs[1:]:
        ai, params = (graph.action[e], graph.params[e]) if e >= 0 else graph.links[v][1:]
        act = protocol.actions[ai]
        steps.append(Step(act.name, act.params_dict(params), graph.states[v]))
    steps = replay(protocol, steps, source="extremes")
    goal = _predicate(protocol, query.goal, "goal")
    excluded = _predicate(protocol, query.exclude, "exclude") if query.exclude else None
    states = [s.state for s in steps]
    ends_at_goal = cost is not None
    if any(goal(s) for s in (states[:-1] if ends_at_goal else states)) or (ends_at_goal and not goal(states[-1])):
        raise InternalError(f"extremes: a witness meets {query.goal} elsewhere than at its end")
    if excluded is not None and any(excluded(s) for s in states):
        raise InternalError(f"extremes: a witness passes a state where {query.exclude} holds")
    if ends_at_goal and sum(query.step_cost(s.action) for s in steps[1:]) != cost:
        raise InternalError("extremes: a witness does not cost what the analysis claims")
    return steps
