"""A small state space whole: every state and transition, by the one breadth-first search.

Diagrams draw the whole space when it is small (``checker.render.stategraph``); this is where it
comes from, so rendering needs no search of its own."""

from __future__ import annotations

from typing import Any

from checker.core.budget import Budget
from checker.core.properties import PropertySet
from checker.dsl.protocol import Protocol
from checker.explicit.bfs import Observer, Search
from checker.explicit.store import ExactStore

Edge = tuple[Any, str, dict, Any]  # (state, action, parameters, next state)


class _Edges(Observer):
    def __init__(self, protocol: Protocol) -> None:
        self.actions = protocol.actions
        self.edges: list[Edge] = []
        self.source: Any = None

    def begin(self, state: Any) -> None:
        self.source = state

    def edge(self, ai: int, params: tuple, nxt: Any) -> None:
        act = self.actions[ai]
        self.edges.append((self.source, act.name, act.params_dict(params), nxt))


def small_space(protocol: Protocol, limit: int) -> tuple[list, list[Edge]] | None:
    """Every reachable state (in BFS order) and every transition, or None if there are more than ``limit``."""
    store, edges = ExactStore(), _Edges(protocol)
    search = Search(protocol, PropertySet(protocol, []), Budget(max_states=limit), store, False, edges)
    if search.run() is not None:
        return None
    return list(store.links), edges.edges
