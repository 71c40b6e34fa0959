"""Limits on a run — states, depth, seconds, Ctrl-C — on one clock, checked the same way by every engine.

An engine asks the budget at its natural checkpoints (after a state is stored, at a new depth,
between walks or solver calls); the budget answers with the reason to stop, worded the same for
every engine, or None. The clock is read at most every ``CLOCK_EVERY_S``, so asking is cheap on a
hot path, and a progress line (with elapsed time) goes out every ``PROGRESS_EVERY_S``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

PROGRESS_EVERY_S = 3.0
CLOCK_EVERY_S = 0.25


def nothing(depth: int) -> str:
    return f"nothing found up to depth {depth}"


class Budget:
    """One run's limits and its clock."""

    def __init__(
        self,
        *,
        max_states: int | None = None,
        max_depth: int | None = None,
        max_seconds: float | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.max_states, self.max_depth, self.max_seconds = max_states, max_depth, max_seconds
        self.progress = progress
        self.start = self._last_clock = self._last_progress = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def out_of_time(self) -> bool:
        """Whether ``max_seconds`` have passed (read now: for engines that ask between long steps)."""
        return self.max_seconds is not None and self.elapsed() > self.max_seconds

    def states_spent(self, stored: int, depth: int) -> str | None:
        """The reason to stop once ``stored`` states are kept (None while under the limit)."""
        if self.max_states is not None and stored >= self.max_states:
            return f"state limit {self.max_states} reached, {nothing(depth)}"
        return None

    def depth_spent(self, depth: int) -> str | None:
        """The reason not to expand states at ``depth`` (None while under the limit)."""
        if self.max_depth is not None and depth > self.max_depth:
            return f"depth limit {self.max_depth} reached, {nothing(depth - 1)}"
        return None

    def tick(self, depth: int, status: Callable[[], str]) -> str | None:
        """The reason to stop on time (None to go on); prints ``status()`` when a progress line is due."""
        now = time.perf_counter()
        if now - self._last_clock < CLOCK_EVERY_S:
            return None
        self._last_clock = now
        if self.max_seconds is not None and now - self.start > self.max_seconds:
            return f"time limit {self.max_seconds}s reached, {nothing(depth)}"
        if self.progress and now - self._last_progress >= PROGRESS_EVERY_S:
            self._last_progress = now
            self.progress(f"{now - self.start:,.0f}s, {status()}")
        return None

    @staticmethod
    def interrupted(depth: int) -> str:
        return f"interrupted, {nothing(depth)}"
