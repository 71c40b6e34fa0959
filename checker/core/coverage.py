"""Coverage: how often each action fired, and a warning for each that never did (vacuity)."""

from __future__ import annotations

from checker.dsl.protocol import Action


class Coverage:
    """Counts per action, indexed like ``protocol.actions``."""

    def __init__(self, actions: list[Action]) -> None:
        self.actions = actions
        self.counts = [0] * len(actions)

    def as_dict(self) -> dict[str, int]:
        return {a.name: c for a, c in zip(self.actions, self.counts, strict=True)}

    def warnings(self, complete: bool = True) -> list[str]:
        """One warning per action that never fired; ``complete=False`` says the search was cut short."""
        cut = "" if complete else " (the search was cut short)"
        return [f"action {a.name} never fired{cut}" for a, c in zip(self.actions, self.counts, strict=True) if c == 0]
