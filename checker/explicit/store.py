"""The seen-set of the explicit search, as a swappable part (TLC's ``FPSet``).

A store keeps, for every state met, the link to the state it was first reached from (parent key,
action index, parameters), so a shortest trace can be rebuilt. ``ExactStore`` keys by the state
itself (Python's hash, then equality: no collisions); ``FingerprintStore`` keeps only the 64-bit
hash (less memory) and reports TLC's optimistic collision estimate. The liveness graph is a
third store (``checker.explicit.liveness.Graph``) that also numbers the states and keeps edges.
Every store has ``add``, ``link``, ``key_of``, ``discard`` (of the state just added: the search
keeps no state beyond ``max_states``), ``len`` and ``details``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from checker.core.result import Details
from checker.errors import QuorumError, suggest

Link = tuple[Any, int, tuple] | None  # (parent key, action index, parameters); None: an initial state


@dataclass
class StoreDetails(Details):
    """Which store ran, and (for fingerprints) the chance that two states shared one."""

    store: str
    collision_probability: float

    def report_lines(self) -> list[str]:
        if not self.collision_probability:
            return []
        return [f"fingerprint collision probability (optimistic): {self.collision_probability:.2e}"]


class ExactStore:
    """Every state, keyed by itself."""

    name = "states"

    def __init__(self) -> None:
        self.links: dict[Any, Link] = {}

    def key_of(self, state: Any) -> Any:
        return state

    def add(self, state: Any, parent: Any = None, ai: int = -1, params: tuple = ()) -> bool:
        """Record ``state``, first reached from ``parent`` by action ``ai`` with ``params`` (an
        initial state: no parent); False if it was already there. The link tuple is built only
        for a new state: most successors are old ones."""
        if state in self.links:
            return False
        self.links[state] = None if ai < 0 else (parent, ai, params)
        return True

    def link(self, key: Any) -> Link:
        return self.links[key]

    def discard(self, state: Any) -> None:
        """Forget ``state``, the last one added (the search keeps no state beyond ``max_states``)."""
        del self.links[self.key_of(state)]

    def __len__(self) -> int:
        return len(self.links)

    def details(self, generated: int) -> StoreDetails:
        return StoreDetails(self.name, 0.0)


class FingerprintStore(ExactStore):
    """Only each state's 64-bit hash: TLC-style, less memory, a small chance of a missed state."""

    name = "fingerprints"

    def key_of(self, state: Any) -> Any:
        return hash(state)

    def add(self, state: Any, parent: Any = None, ai: int = -1, params: tuple = ()) -> bool:
        k = hash(state)
        if k in self.links:
            return False
        self.links[k] = None if ai < 0 else (parent, ai, params)
        return True

    def details(self, generated: int) -> StoreDetails:
        n = len(self.links)
        return StoreDetails(self.name, (n * max(generated - n, 0)) / 2.0**64)


STORES = {"states": ExactStore, "fingerprints": FingerprintStore}


def make_store(name: str) -> ExactStore:
    try:
        return STORES[name]()
    except KeyError:
        raise QuorumError(f"unknown store {name!r}: use 'states' or 'fingerprints'." + suggest(name, STORES)) from None
