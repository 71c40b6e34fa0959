"""Protocol-aware shrinking of a counterexample: usable on any trace, from any engine.

Hypothesis shrinks the sequence of random draws that produced a walk, which is not the same as
shrinking the walk: deleting one draw shifts every later choice. These passes work on the steps
themselves, replaying each candidate through the explicit semantics and keeping it only if it is
still a behaviour of the protocol that ends in a violation of the same property:

1. drop runs of steps, halving the run length down to single steps (delta debugging);
2. reorder independent neighbours (both orders enabled, same state after both) into the
   protocol's action order, which puts related steps side by side for pass 1;
3. breadth-first search over only the steps the trace uses: the shortest way to the violation
   with those steps, in any order and with any of them left out (bounded by ``max_states``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from checker.core.replay import violates
from checker.core.trace import Step
from checker.dsl.domains import sort_key
from checker.dsl.params import From
from checker.dsl.protocol import Protocol

Label = tuple[str, tuple]  # an action and its parameter values, in declaration order
Failing = Callable[[list[Label]], "list[Label] | None"]  # the failing prefix of a step sequence, or None


def labels_of(protocol: Protocol, trace: list[Step]) -> list[Label]:
    """The steps of a trace (after its initial state) as (action, parameter values)."""
    return [(s.action, tuple(s.params[n] for n in protocol.action(s.action).param_names)) for s in trace[1:]]


def shrink_trace(protocol: Protocol, trace: list[Step], prop: str, *, max_states: int = 50_000) -> list[Step]:
    """The shortest trace these passes find that still reaches a violation of ``prop``.

    ``trace`` must already be a confirmed counterexample (``checker.core.replay.confirm_violation``).
    """
    shrinker = _Shrinker(protocol, trace[0].state, prop)
    labels = labels_of(protocol, trace)
    best = shrinker.failing(labels)
    if best is None:
        return trace
    for _ in range(len(labels) + 1):
        shorter = shrinker.reorder(shrinker.drop_runs(best))
        if shorter == best:
            break
        best = shorter
    found = shrinker.shortest_over(best, max_states)
    if found is not None and len(found) < len(best):
        best = found
    return shrinker.steps(best)


def drop_steps(protocol: Protocol, init: tuple, labels: list[Label], failing: Failing) -> list[Label]:
    """Pass 1 alone, for failures that are not a property of the state (e.g. an implementation
    diverging from the model): ``failing`` replays a candidate and returns its failing prefix."""
    return _Shrinker(protocol, init, None, failing).drop_runs(labels)


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
        nxt = act.fn(state, *label[1])
        return None if nxt is False else nxt

    def violating_prefix(self, labels: list[Label]) -> list[Label] | None:
        """``labels`` cut at the first violating state, or None if a step is disabled or none violates."""
        assert self.prop is not None
        state = self.init
        if violates(self.protocol, state, self.prop):
            return []
        for i, label in enumerate(labels):
            state = self.apply(state, label)
            if state is None:
                return None
            if violates(self.protocol, state, self.prop):
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
                if mid is None or violates(self.protocol, mid, self.prop):
                    continue
                end = self.apply(mid, a)
                if end is None or end != states[i + 2]:
                    continue
                labels[i], labels[i + 1], states[i + 1] = b, a, mid
                changed = True
        return labels

    def shortest_over(self, labels: list[Label], max_states: int) -> list[Label] | None:
        """Breadth-first over states reachable with these steps only; None if over ``max_states``."""
        alphabet = sorted(set(labels), key=self.key)
        parent: dict[tuple, Any] = {self.init: None}
        queue = deque([self.init])
        while queue:
            state = queue.popleft()
            for label in alphabet:
                nxt = self.apply(state, label)
                if nxt is None or nxt in parent:
                    continue
                parent[nxt] = (state, label)
                if violates(self.protocol, nxt, self.prop):
                    path = []
                    while parent[nxt] is not None:
                        nxt, step = parent[nxt]
                        path.append(step)
                    return path[::-1]
                if len(parent) >= max_states:
                    return None
                queue.append(nxt)
        return None

    def steps(self, labels: list[Label]) -> list[Step]:
        out = [Step("Init", {}, self.init)]
        for label in labels:
            out.append(Step(label[0], self.actions[label[0]].params_dict(label[1]), self.apply(out[-1].state, label)))
        return out
