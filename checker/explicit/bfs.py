"""The explicit-state explorer: exhaustive breadth-first search with shortest counterexamples.

States are hashable tuples. Duplicate detection stores either every state in a dict (exact: no
collisions, the default) or only its 64-bit Python ``hash`` (``store="fingerprints"``, TLC-style:
less memory, with the collision probability reported). The search goes level by level, so the
first violating state found is at the smallest depth and its parent chain is a shortest trace.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from checker.core.result import Result
from checker.core.trace import Step
from checker.dsl.domains import SetOf, show
from checker.dsl.protocol import LIVENESS, Protocol

PROGRESS_EVERY_S = 3.0
CLOCK_EVERY_S = 0.25


def nothing(depth: int) -> str:
    return f"nothing found up to depth {depth}"


class TypeCheck:
    """Checks that every new state stays inside the declared domains, each distinct value once."""

    def __init__(self, protocol: Protocol) -> None:
        self.vars = list(protocol.variables.values())
        self.ok: list[set] = [set() for _ in self.vars]
        self.ok_elems: list[set] = [set() for _ in self.vars]

    def first_bad(self, state: tuple) -> str | None:
        for i, value in enumerate(state):
            ok = self.ok[i]
            try:
                if value in ok:
                    continue
            except TypeError:
                return f"{self.vars[i].name} = {value!r} is not hashable"
            var = self.vars[i]
            dom = var.domain
            if isinstance(dom, SetOf):
                seen = self.ok_elems[i]
                for elem in value:
                    if elem not in seen:
                        if not dom.of.contains(elem):
                            return f"{var.name} holds {show(elem)}, outside {dom.of!r}"
                        seen.add(elem)
            elif not dom.contains(value):
                return f"{var.name} = {show(value)} is outside {dom!r}"
            ok.add(value)
        return None


def select_properties(protocol: Protocol, names: list[str] | None) -> list:
    from checker.errors import QuorumError, suggest

    if names is None:
        return [p for p in protocol.properties.values() if p.default]
    out = []
    for n in names:
        if n not in protocol.properties:
            raise QuorumError(f"{type(protocol).__name__} has no property {n!r}." + suggest(n, protocol.properties))
        out.append(protocol.properties[n])
    return out


def explore(
    protocol: Protocol,
    properties: list[str] | None = None,
    *,
    max_states: int | None = None,
    max_depth: int | None = None,
    max_seconds: float | None = None,
    deadlock: bool = True,
    store: str = "states",
    progress: Callable[[str], None] | None = None,
) -> Result:
    """Explore every reachable state breadth-first; stop at the first violation."""
    selected = select_properties(protocol, properties)
    if any(p.kind in LIVENESS for p in selected):  # needs the whole graph, not a state at a time
        from checker.explicit.liveness import check_liveness

        return check_liveness(protocol, properties, max_states=max_states, max_depth=max_depth,
                              max_seconds=max_seconds, deadlock=deadlock, store=store, progress=progress)
    invariants = [(p.name, p.fn) for p in selected if p.kind == "always"]
    goals = {p.name: p.fn for p in selected if p.kind == "sometimes"}
    reached: dict[str, int | None] = dict.fromkeys(goals)
    actions = protocol.actions
    counts = [0] * len(actions)
    typecheck = TypeCheck(protocol)
    fingerprints = store == "fingerprints"
    seen: dict[Any, Any] = {}
    start = time.perf_counter()
    last_report = last_progress = start
    generated = 0
    depth = 0
    result = Result("holds", "explicit", protocol, checked=[p.name for p in selected])

    def finish(verdict: str, **kw: Any) -> Result:
        result.verdict = verdict
        for k, v in kw.items():
            setattr(result, k, v)
        result.distinct_states = len(seen)
        result.generated_states = generated
        result.depth = depth
        result.elapsed_s = time.perf_counter() - start
        result.coverage = {a.name: c for a, c in zip(actions, counts, strict=True)}
        result.goals = reached
        result.warnings += [f"action {a.name} never fired" for a, c in zip(actions, counts, strict=True) if c == 0]
        n = len(seen)
        result.extra["store"] = store
        result.extra["collision_probability"] = (n * max(generated - n, 0)) / 2.0**64 if fingerprints else 0.0
        return result

    def key(state: tuple) -> Any:
        return hash(state) if fingerprints else state

    def trace_to(state: tuple, last: tuple | None = None) -> list[Step]:
        """The shortest trace to ``state``: follow parents back, then replay (needed for fingerprints)."""
        links = []
        k = key(state)
        while seen[k] is not None:
            parent_key, ai, params = seen[k]
            links.append((ai, params))
            k = parent_key
        links.reverse()
        init = next(s for s in protocol.initial_states() if key(s) == k)
        steps = [Step("Init", {}, init)]
        cur = init
        for ai, params in links:
            act = actions[ai]
            cur = act.fn(cur, *params)
            steps.append(Step(act.name, act.params_dict(params), cur))
        if last is not None:
            ai, params, nxt = last
            steps.append(Step(actions[ai].name, actions[ai].params_dict(params), nxt))
        return steps

    def check_state(state: tuple, at_depth: int) -> Result | None:
        bad = typecheck.first_bad(state)
        if bad is not None:
            return finish("error", trace=trace_to(state), message=f"type error: {bad}")
        for name, fn in invariants:
            if not fn(state):
                return finish("violated", property=name, trace=trace_to(state))
        for name, fn in goals.items():
            if reached[name] is None and fn(state):
                reached[name] = at_depth
        return None

    frontier = []
    try:
        for init in protocol.initial_states():
            k = key(init)
            if k in seen:
                continue
            seen[k] = None
            frontier.append(init)
            depth = 1
            found = check_state(init, 0)
            if found:
                return found
        while frontier:
            if max_depth is not None and depth > max_depth:
                return finish("limit", message=f"depth limit {max_depth} reached, {nothing(depth - 1)}")
            next_frontier = []
            for state in frontier:
                state_key = key(state) if fingerprints else state
                fired = False
                for ai, act in enumerate(actions):
                    fn = act.fn
                    for params in act.instances(state):
                        try:
                            nxt = fn(state, *params)
                        except Exception as exc:  # noqa: BLE001 - an exception in a model is a finding
                            trace = trace_to(state)
                            trace.append(Step(act.name, act.params_dict(params), state))
                            return finish(
                                "error",
                                trace=trace,
                                message=f"action {act.label(params)} raised {type(exc).__name__}: {exc}",
                                extra={**result.extra, "exception": exc},
                            )
                        if nxt is None or nxt is False:
                            continue
                        fired = True
                        generated += 1
                        counts[ai] += 1
                        k = hash(nxt) if fingerprints else nxt
                        if k in seen:
                            continue
                        seen[k] = (state_key, ai, params)
                        next_frontier.append(nxt)
                        found = check_state(nxt, depth)
                        if found:
                            depth += 1
                            found.depth = depth
                            return found
                if not fired and deadlock:
                    return finish("violated", property="deadlock", trace=trace_to(state),
                                  message="a reachable state has no enabled action")
                if len(seen) >= (max_states or sys.maxsize):
                    return finish("limit", message=f"state limit {max_states} reached, {nothing(depth)}")
                now = time.perf_counter()
                if now - last_report >= CLOCK_EVERY_S:
                    last_report = now
                    if max_seconds is not None and now - start > max_seconds:
                        return finish("limit", message=f"time limit {max_seconds}s reached, {nothing(depth)}")
                    if progress and now - last_progress >= PROGRESS_EVERY_S:
                        last_progress = now
                        progress(
                            f"depth {depth}: {len(seen):,} distinct states, {generated:,} generated, "
                            f"{len(next_frontier):,} queued, {len(seen) / (now - start):,.0f} states/s"
                        )
            frontier = next_frontier
            if frontier:
                depth += 1
    except KeyboardInterrupt:
        return finish("limit", message=f"interrupted, {nothing(depth)}")
    missing = [g for g, d in reached.items() if d is None]
    if missing:
        return finish(
            "violated",
            property=missing[0],
            message=f"goal {missing[0]!r} is never reached: no reachable state satisfies it",
        )
    return finish("holds")


def successors(protocol: Protocol, state: tuple) -> list[tuple[str, dict, tuple]]:
    """Every (action, params, next state) from a concrete state; used by replay and simulation."""
    out = []
    for act in protocol.actions:
        for params in act.instances(state):
            nxt = act.fn(state, *params)
            if nxt is not None and nxt is not False:
                out.append((act.name, act.params_dict(params), nxt))
    return out


__all__ = ["explore", "select_properties", "successors"]
