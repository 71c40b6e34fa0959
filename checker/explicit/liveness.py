"""Liveness under fairness over the explicit state graph, with lasso counterexamples.

A behaviour is an infinite run. Quorum assumes the system as a whole keeps taking steps while a
step that changes the state is possible (TLA+'s ``WF_vars(Next)``), and on top of that the
fairness each action declares (``checker.fairness``). A run that reaches a state where nothing
can change stays there forever (it stutters).

``eventually P`` fails when a fair run never meets P; ``always_eventually P`` when a fair run
meets P only finitely often; ``leads_to (P, Q)`` when a fair run meets P and then never Q. Each
comes down to a fair strongly connected component (SCC) of the graph restricted to the states
where the run may stay (not P, or not Q), reachable in the right way: the lasso is the path to it
(the prefix) followed by a cycle inside it that meets every fairness constraint (Emerson-Lei style
refinement: an SCC where a strongly fair action is enabled but never taken loses the states that
enable it, and its remainder is searched again).

The graph is built by the one breadth-first search (``checker.explicit.bfs``), with ``Graph`` as
its store and observer: the invariants and goals are checked on the way, exactly as without
liveness. Every lasso is replayed through ``checker.core.replay`` and its cycle re-checked — closes, avoids the
property, is fair — from the concrete states before it is shown. Bounded counters (a ballot, a
term) that sit at their maximum in the cycle are reported: the lasso may be an artefact of the
bound.
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from checker.core.budget import Budget, default_max_memory
from checker.core.properties import Instance, PropertyRaised, PropertySet, instances
from checker.core.replay import replay
from checker.core.result import Details, Raised, Result
from checker.core.semantics import moves
from checker.core.trace import Step
from checker.dsl import fairness
from checker.dsl.domains import Map, Range, show
from checker.dsl.protocol import Protocol
from checker.errors import InternalError, QuorumError
from checker.explicit.bfs import Observer, Search
from checker.explicit.scc import components

NEXT = -1  # the fairness class "some step that changes the state", WF_vars(Next)


@dataclass
class LivenessDetails(Details):
    """The fairness assumed, the instance a lasso violates, and the bounds a verdict depends on."""

    fairness: dict[str, str]
    instance: str | None = None
    bounds_hit: list[str] | None = None
    bounds_note: str | None = None

    def report_lines(self) -> list[str]:
        return [self.bounds_note] if self.bounds_note else []


class Graph(Observer):
    """The reachable states, their BFS parents, and the state-changing edges in CSR form.

    It is the search's store (states numbered in the order they are met, each with its first
    link) and its observer (each state-changing edge with its fairness class)."""

    name = "states"

    def __init__(self, protocol: Protocol, system_fair: bool = False) -> None:
        self.states: list = []
        self.index: dict = {}
        self.parent = array("l")
        self.depth_of = array("l")  # BFS depth of each state
        self.offsets = array("l", [0])
        self.dst = array("l")
        self.key = array("l")  # fairness class of the edge, or NEXT
        self.keys: dict = {}  # (action index, values of its `per` params) -> id
        self.kinds: list = []  # id -> "weak" | "strong"
        self.system_fair = system_fair  # WF_vars(Next): the run never stops while a step can change the state
        self.protocol = protocol
        self.fair: list = [None] * len(protocol.actions)  # per action index: (fairness, indices of its `per`)
        for ai, f, idx in fairness_of(protocol):
            self.fair[ai] = (f, idx)
        self._source: Any = None
        self._last = -1  # the index of the state the last add() was given

    # -- the store -------------------------------------------------------------------------

    def key_of(self, state: Any) -> int:
        return self.index[state]

    def add(self, state: Any, parent: Any = None, ai: int = -1, params: tuple = ()) -> bool:
        # The search calls edge() for this very state next: remember its index for it (one lookup).
        known = self._last = self.index.get(state)
        if known is not None:
            return False
        par = -1 if ai < 0 else parent
        self._last = self.index[state] = len(self.states)
        self.states.append(state)
        self.parent.append(par)
        self.depth_of.append(self.depth_of[par] + 1 if par >= 0 else 0)
        return True

    def link(self, key: int) -> Any:
        """(parent, action index, parameters) of the first step into state ``key``, found again from
        the parent (only traces ask, so the graph keeps no link per state: fewer objects for
        Python's collector to walk, which measured about 10 % of a liveness run)."""
        par = self.parent[key]
        if par < 0:
            return None
        target = self.states[key]
        for ai, params, nxt in moves(self.protocol, self.states[par]):
            if nxt == target:
                return par, ai, params
        raise InternalError(f"liveness: no action leads from state {par} to state {key}")

    def discard(self, state: Any) -> None:
        """Forget ``state``, the last one added (the search keeps no state beyond ``max_states``)."""
        assert self.index[state] == len(self.states) - 1
        del self.index[state]
        for column in (self.states, self.parent, self.depth_of):
            column.pop()

    def __len__(self) -> int:
        return len(self.states)

    def details(self, generated: int) -> Details:
        return LivenessDetails({})

    # -- the observer ----------------------------------------------------------------------

    def begin(self, state: Any) -> None:
        self._source = state

    def edge(self, ai: int, params: tuple, nxt: Any) -> None:
        if nxt == self._source:
            return  # stuttering: never needed by fairness nor by a cycle
        self.dst.append(self._last)  # nxt's index: add(nxt) was the search's last call
        fa = self.fair[ai]
        if fa is None:
            self.key.append(NEXT)
            return
        k = (ai, tuple(params[i] for i in fa[1]))
        kid = self.keys.get(k)
        if kid is None:
            kid = self.keys[k] = len(self.kinds)
            self.kinds.append(fa[0].kind)
        self.key.append(kid)

    def end(self, state: Any) -> None:
        self.offsets.append(len(self.dst))

    # -- reading it ------------------------------------------------------------------------

    def out(self, v: int) -> range:
        return range(self.offsets[v], self.offsets[v + 1])

    def path_to(self, v: int) -> list[int]:
        """State indices of the BFS (shortest) path from an initial state to ``v``."""
        path = [v]
        while self.parent[path[-1]] >= 0:
            path.append(self.parent[path[-1]])
        return path[::-1]


def fairness_of(protocol: Protocol) -> list[tuple[int, fairness.Fairness, tuple[int, ...]]]:
    """(action index, its fairness, the indices of the parameters it is fair per) for each fair action."""
    out = []
    for ai, act in enumerate(protocol.actions):
        fair = fairness.parse(act.fairness, act.name, act.param_names)
        if fair is not None:
            out.append((ai, fair, tuple(act.param_names.index(p) for p in fair.per)))
    return out


LIMIT_WORDS = {
    "depth": "depth limit {max_depth} reached: no liveness verdict on a partial graph",
    "states": "state limit {max_states} reached: no liveness verdict on a partial graph",
    "time": "time limit {max_seconds}s reached while building the graph",
    "memory": "memory limit {max_memory:,.0f} MB reached while building the graph ({rss:,.0f} MB resident): no "
              "liveness verdict on a partial graph",
    "interrupt": "interrupted while building the graph",
}


def check_liveness(
    protocol: Protocol,
    properties: list[str] | None = None,
    *,
    max_states: int | None = None,
    max_depth: int | None = None,
    max_seconds: float | None = None,
    max_memory: float | None = None,
    deadlock: bool = True,
    store: str = "states",
    stutter: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Result:
    """Build the whole state graph (checking invariants on the way), then each liveness property.

    ``stutter=True`` is TLA+'s reading: a run may stop anywhere unless fairness forbids it.
    ``stutter=False`` adds ``WF_vars(Next)``: the system as a whole keeps taking steps.
    ``max_memory`` (MB resident) defaults to ``default_max_memory()``, as for ``explore``."""
    if store != "states":
        raise QuorumError(f"liveness needs every state and edge of the graph: store={store!r} is not supported; "
                          'drop --fingerprints / store = "fingerprints"')
    graph = Graph(protocol, system_fair=not stutter)
    budget = Budget(max_states=max_states, max_depth=max_depth, max_seconds=max_seconds,
                    max_memory=default_max_memory() if max_memory is None else max_memory, progress=progress)
    search = Search(protocol, PropertySet(protocol, properties), budget, graph, deadlock, graph)
    found = search.run()
    if found is not None and found.limit is not None:
        found.message = LIMIT_WORDS[found.limit].format(max_depth=max_depth, max_states=max_states,
                                                        max_seconds=max_seconds, max_memory=budget.max_memory or 0,
                                                        rss=budget.rss or 0)
    result = search.result("liveness", found)
    details = LivenessDetails({a.name: str(fairness.parse(a.fairness, a.name, a.param_names))
                               for a in protocol.actions if a.fairness})
    result.details = [d for d in result.details if not isinstance(d, LivenessDetails)] + [details]
    if found is None:
        for prop in search.props.liveness:
            try:
                if any(_check_instance(protocol, graph, inst, result, details) for inst in instances(protocol, prop)):
                    break
            except PropertyRaised as err:  # the property raised on some state of the graph: a finding
                result.verdict, result.property, result.message = "error", prop.name, str(err)
                result.trace = search.trace_to(err.state)
                result.details.append(Raised(err.exc))
                break
    result.elapsed_s = budget.elapsed()
    return result


def _steps(protocol: Protocol, states: list, keys: list | None = None, graph: Graph | None = None) -> list[Step]:
    """Steps along consecutive states; ``keys[i]`` (if given) is the fairness class step i must use."""
    steps = [Step("Init", {}, states[0])]
    for i in range(1, len(states)):
        want = keys[i - 1] if keys else NEXT
        steps.append(_step_between(protocol, states[i - 1], states[i], want, graph))
    return steps


def _step_between(protocol: Protocol, src: Any, dst: Any, want: int, graph: Graph | None) -> Step:
    for ai, params, nxt in moves(protocol, src):
        if nxt != dst:
            continue
        act = protocol.actions[ai]
        if want != NEXT:
            fa = fairness.parse(act.fairness, act.name, act.param_names)
            k = (ai, tuple(params[act.param_names.index(p)] for p in fa.per)) if fa else None
            if graph.keys.get(k) != want:
                continue
        return Step(act.name, act.params_dict(params), dst)
    raise InternalError(f"liveness: no action leads from {src} to {dst}")


# -- one property ------------------------------------------------------------------------------


def _check_instance(protocol: Protocol, graph: Graph, inst: Instance, result: Result,
                    details: LivenessDetails) -> bool:
    """Search a fair lasso violating ``inst``; on one, fill ``result`` and return True."""
    kind = inst.prop.kind
    n = len(graph.states)
    pq = [inst.pair(s) for s in graph.states]
    allowed = bytearray(not q for _, q in pq)  # where the run may stay forever
    if kind == "eventually":
        sources = [i for i in range(n) if graph.parent[i] < 0 and allowed[i]]
    elif kind == "always_eventually":
        sources = [i for i in range(n) if allowed[i]]
    else:
        sources = [i for i in range(n) if pq[i][0] and allowed[i]]
    via, dist = _bfs(graph, sources, allowed)
    def prefix_length(v: int) -> int:
        source = v
        while via[source] >= 0:
            source = via[source]
        return graph.depth_of[source] + dist[v]

    best = None
    for comp in _fair_components(graph, [i for i in range(n) if dist[i] >= 0]):
        entry = min(comp, key=prefix_length)
        if best is None or prefix_length(entry) < best[2]:
            best = (entry, comp, prefix_length(entry))
    if best is None:
        _note_bounds_before(protocol, graph, inst, dist, details)
        return False
    entry, comp, _ = best
    prefix = _region_path(graph, via, entry)
    cycle_states, cycle_keys = _fair_cycle(graph, entry, comp)
    states = [graph.states[i] for i in prefix + cycle_states[1:]]
    keys = [NEXT] * (len(prefix) - 1) + cycle_keys
    trace = _steps(protocol, states, keys, graph)
    loop_start = len(prefix) - 1
    result.verdict, result.property, result.trace = "violated", inst.prop.name, confirm_lasso(
        protocol, trace, loop_start, inst, graph.system_fair)
    result.loop_start = loop_start
    details.instance = inst.label
    result.message = _lasso_message(protocol, graph, inst, entry, trace, loop_start)
    hit = bounds_hit(protocol, [s.state for s in trace[loop_start:]])
    if hit:
        details.bounds_hit = hit
        details.bounds_note = (
            f"bounds hit in the cycle: {', '.join(hit)} (the largest value the domain allows) — the run may stop "
            "here only because the bound does; with a larger bound it could go on, and the verdict is about this "
            "bound only"
        )
    return True


def _lasso_message(protocol: Protocol, graph: Graph, inst: Instance, entry: int, trace: list[Step],
                   loop_start: int) -> str:
    what = {
        "eventually": f"a fair run in which {inst.label} never holds",
        "always_eventually": f"a fair run in which {inst.label} stops holding for ever",
        "leads_to": f"a fair run in which the trigger of {inst.label} holds and its response never follows",
    }[inst.prop.kind]
    if len(trace) - 1 == loop_start:
        idle = sorted({_step_between(protocol, graph.states[entry], graph.states[graph.dst[e]], NEXT, graph).action
                       for e in graph.out(entry)})
        if not idle:
            return f"{what}: from step {loop_start} no action can change the state; the run stays there for ever"
        return (f"{what}: the run stops at step {loop_start} (stutters for ever): {', '.join(idle)} could still "
                "happen there, but no fairness assumption forces it")
    return f"{what}: steps {loop_start}..{len(trace) - 1} repeat for ever (a lasso)"


def _bfs(graph: Graph, sources: list[int], allowed: bytearray) -> tuple[array, array]:
    """Shortest paths from ``sources`` staying inside ``allowed``: predecessor and distance arrays."""
    n = len(graph.states)
    via, dist = array("l", [-1]) * n, array("l", [-1]) * n
    queue = deque(sources)
    for s in sources:
        dist[s] = 0
    dst, offsets = graph.dst, graph.offsets
    while queue:
        v = queue.popleft()
        for e in range(offsets[v], offsets[v + 1]):
            w = dst[e]
            if dist[w] < 0 and allowed[w]:
                dist[w], via[w] = dist[v] + 1, v
                queue.append(w)
    return via, dist


def _region_path(graph: Graph, via: array, v: int) -> list[int]:
    """From an initial state (BFS path) to the region's source, then inside the region to ``v``."""
    inside = [v]
    while via[inside[-1]] >= 0:
        inside.append(via[inside[-1]])
    inside.reverse()
    return graph.path_to(inside[0]) + inside[1:]


def _enabled(graph: Graph, v: int) -> set[int]:
    """Fairness classes with a state-changing step from ``v`` (NEXT if any step at all)."""
    out = {graph.key[e] for e in graph.out(v)}
    if out:
        out.add(NEXT)
    return out


def _taken(graph: Graph, comp: list[int], member: bytearray) -> set[int]:
    taken: set[int] = set()
    for v in comp:
        for e in graph.out(v):
            if member[graph.dst[e]]:
                taken.add(graph.key[e])
                taken.add(NEXT)
    return taken


def _fair_components(graph: Graph, nodes: list[int]) -> Iterable[list[int]]:
    """Every SCC (after refinement) in which some run can stay for ever and meet all fairness."""
    n = len(graph.states)
    pending = [nodes]
    while pending:
        part = pending.pop()
        member = bytearray(n)
        for v in part:
            member[v] = 1
        for comp in components(graph, part, member):
            cm = bytearray(n)
            for v in comp:
                cm[v] = 1
            taken = _taken(graph, comp, cm)
            enabled = [_enabled(graph, v) for v in comp]
            always_on = set.intersection(*enabled)
            weak = {k for k in always_on - taken if k != NEXT and graph.kinds[k] == "weak"}
            if graph.system_fair and NEXT in always_on - taken:
                weak.add(NEXT)
            if weak:
                continue  # a weakly fair class is enabled throughout and never taken: no sub-run helps
            strong = {k for k in set().union(*enabled) - taken if k != NEXT and graph.kinds[k] == "strong"}
            if not strong:
                yield comp
                continue
            rest = [v for v, en in zip(comp, enabled, strict=True) if not en & strong]
            if rest:
                pending.append(rest)


def _fair_cycle(graph: Graph, entry: int, comp: list[int]) -> tuple[list[int], list[int]]:
    """A cycle from ``entry`` inside ``comp`` that meets every fairness class; (states, edge keys)."""
    member = bytearray(len(graph.states))
    for v in comp:
        member[v] = 1
    taken = _taken(graph, comp, member)
    enabled = {v: _enabled(graph, v) for v in comp}
    targets: list[tuple[str, int]] = []
    # A weakly fair class enabled somewhere in the component, taken or not, is met by visiting a
    # state where it is disabled (if the component has one); otherwise the cycle takes it.
    for k in sorted(taken | set().union(*enabled.values())):
        off = [v for v in comp if k not in enabled[v]]
        if k != NEXT and graph.kinds[k] == "weak" and off:
            targets.append(("state", off[0]))
        elif k != NEXT and k in taken:
            targets.append(("edge", k))
    if NEXT in taken and not any(t == "edge" for t, _ in targets):
        targets.append(("edge", NEXT))
    states, keys = [entry], []
    for what, target in targets:
        if what == "state":
            _walk(graph, member, states, keys, lambda v, t=target: v == t)
        else:
            _walk(graph, member, states, keys, lambda v, k=target: any(
                member[graph.dst[e]] and (k == NEXT or graph.key[e] == k) for e in graph.out(v)))
            v = states[-1]
            e = next(e for e in graph.out(v) if member[graph.dst[e]] and (target == NEXT or graph.key[e] == target))
            states.append(graph.dst[e])
            keys.append(graph.key[e] if target != NEXT else NEXT)
    if len(states) > 1:
        _walk(graph, member, states, keys, lambda v: v == entry)
    return states, keys


def _walk(graph: Graph, member: bytearray, states: list[int], keys: list[int], goal: Callable[[int], bool]) -> None:
    """Extend ``states`` by a shortest path inside ``member`` to a state meeting ``goal``."""
    start = states[-1]
    if goal(start):
        return
    prev = {start: -1}
    queue = deque([start])
    while queue:
        v = queue.popleft()
        for e in graph.out(v):
            w = graph.dst[e]
            if member[w] and w not in prev:
                prev[w] = v
                if goal(w):
                    path = [w]
                    while prev[path[-1]] != start:
                        path.append(prev[path[-1]])
                    states.extend(reversed(path))
                    keys.extend([NEXT] * len(path))
                    return
                queue.append(w)
    raise InternalError("liveness: a fair cycle could not be closed inside its component")


# -- soundness gate ----------------------------------------------------------------------------


def confirm_lasso(
    protocol: Protocol, trace: list[Step], loop_start: int, inst: Instance, system_fair: bool = False
) -> list[Step]:
    """Replay the lasso, check the cycle closes, avoids the property and is fair; the replayed trace."""
    steps = replay(protocol, trace, source="liveness")
    states = [s.state for s in steps]
    if states[loop_start] != states[-1]:
        raise InternalError(f"liveness: the cycle from step {loop_start} does not return to its first state")
    pq = [inst.pair(s) for s in states]
    if any(q for _, q in pq[loop_start:]):
        raise InternalError(f"liveness: {inst.label} holds inside the claimed cycle")
    if inst.prop.kind == "eventually" and any(q for _, q in pq):
        raise InternalError(f"liveness: {inst.label} holds on the claimed prefix")
    if inst.prop.kind == "leads_to":
        # The prefix may answer an earlier trigger: the trigger that counts comes after its last answer.
        answered = max((i for i, (_, q) in enumerate(pq) if q), default=-1)
        trigger = next((i for i, (p, q) in enumerate(pq) if i > answered and p and not q), None)
        if trigger is None or trigger > loop_start:
            raise InternalError(f"liveness: the lasso does not show {inst.label} triggered and never answered")
    unfair = unfair_classes(protocol, steps[loop_start:], system_fair)
    if unfair:
        raise InternalError(f"liveness: the claimed cycle is not fair to {', '.join(unfair)}")
    return steps


def unfair_classes(protocol: Protocol, cycle: list[Step], system_fair: bool = False) -> list[str]:
    """Fairness classes the cycle (its first state repeated at its end) violates, from concrete states."""
    fair = fairness_of(protocol)
    states = [s.state for s in cycle[:-1]] or [cycle[0].state]

    def class_of(ai: int, params: tuple, per: tuple[int, ...]) -> tuple:
        return (ai, tuple(params[i] for i in per))

    by_action = {ai: (f, per) for ai, f, per in fair}
    enabled: list[set] = []
    for st in states:
        on: set = set()
        for ai, params, nxt in moves(protocol, st):
            if nxt != st:
                on.add("next")
                if ai in by_action:
                    on.add(class_of(ai, params, by_action[ai][1]))
        enabled.append(on)
    taken: set = set()
    for prev, step in zip(cycle, cycle[1:], strict=False):
        if step.state == prev.state:
            continue
        taken.add("next")
        ai = next(i for i, a in enumerate(protocol.actions) if a.name == step.action)
        if ai in by_action:
            act = protocol.actions[ai]
            taken.add(class_of(ai, tuple(step.params[p] for p in act.param_names), by_action[ai][1]))
    bad = []
    every = set.intersection(*enabled)
    some = set().union(*enabled)
    for c in every - taken:
        if c == "next" and system_fair or c != "next" and by_action[c[0]][0].kind == "weak":
            bad.append("some state-changing step" if c == "next" else _class_label(protocol, c, by_action))
    for c in some - taken:
        if c != "next" and by_action[c[0]][0].kind == "strong":
            bad.append(_class_label(protocol, c, by_action))
    return bad


def _class_label(protocol: Protocol, c: tuple, by_action: dict) -> str:
    act = protocol.actions[c[0]]
    fair, _ = by_action[c[0]]
    args = ", ".join(f"{p}={show(v)}" for p, v in zip(fair.per, c[1], strict=True))
    return f"{act.name}{'(' + args + ')' if args else ''} ({fair.kind}ly fair)"


# -- bounds ------------------------------------------------------------------------------------


def bounds_hit(protocol: Protocol, states: list) -> list[str]:
    """Bounded counters (Range variables, or Maps onto a Range) at their maximum in some of ``states``.

    A protocol lists in ``not_bounds`` the Range variables whose maximum is a value it sets, not a
    ceiling a counter saturates at (a countdown reset to its full length, renumbered tokens)."""
    hit: list[str] = []
    skip = set(getattr(protocol, "not_bounds", ()))
    for pos, (name, var) in enumerate(protocol.variables.items()):
        if name in skip:
            continue
        dom = var.domain
        if isinstance(dom, Range) and dom.hi > dom.lo:
            if any(s[pos] == dom.hi for s in states):
                hit.append(f"{name} = {dom.hi}")
        elif isinstance(dom, Map) and isinstance(dom.vals, Range) and dom.vals.hi > dom.vals.lo:
            for key in dom.keys.values():
                if any(s[pos][key] == dom.vals.hi for s in states):
                    hit.append(f"{name}[{show(key)}] = {dom.vals.hi}")
    return hit


def _note_bounds_before(protocol: Protocol, graph: Graph, inst: Instance, dist: array,
                        details: LivenessDetails) -> None:
    """A holding liveness property whose runs can reach a bound before it holds: say so."""
    waiting = [i for i in range(len(graph.states)) if dist[i] >= 0]
    hit = bounds_hit(protocol, [graph.states[i] for i in waiting])
    if hit:
        details.bounds_note = details.bounds_note or (
            f"{inst.label} holds within these bounds, but runs reach {', '.join(hit[:4])}"
            f"{' …' if len(hit) > 4 else ''} (a domain's maximum) before it holds: with larger bounds such runs "
            "might go on without it, so the verdict covers these bounds only"
        )
