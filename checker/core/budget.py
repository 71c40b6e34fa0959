"""Limits on a run — states, depth, seconds, memory, Ctrl-C — on one clock, checked the same way by every engine.

An engine asks the budget at its natural checkpoints (after a state is stored, at a new depth,
between walks or solver calls); the budget answers with the reason to stop, worded the same for
every engine, or None. The clock (and, with ``max_memory``, the resident memory) is read at most
every ``CLOCK_EVERY_S``, so asking is cheap on a hot path, and a progress line (with elapsed time
and resident memory) goes out every ``PROGRESS_EVERY_S``. A run whose memory grows fast enough to
reach ``max_memory`` soon gets one warning line, long before it stops there.

``check_limit`` is the one check of a limit's value (the engine registry applies it to every
engine's options): a count of states is at least 1, a depth at least 0, seconds and megabytes
positive and finite.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from checker.errors import QuorumError

PROGRESS_EVERY_S = 3.0
CLOCK_EVERY_S = 0.25
#: The default ``max_memory``: this share of the machine's memory (or of the container's limit).
DEFAULT_MEMORY_SHARE = 0.75
#: Growth is projected over a window of at least this many seconds (shorter ones are noise).
GROWTH_WINDOW_S = 2.0


def nothing(depth: int) -> str:
    return f"nothing found up to depth {depth}"


# -- memory ------------------------------------------------------------------------------------

try:
    _PAGE = os.sysconf("SC_PAGE_SIZE")
except (AttributeError, ValueError, OSError):
    _PAGE = 4096


def resident_mb() -> float:
    """This process's resident memory now, in MB (10⁶ bytes; the peak where /proc is missing)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE / 1e6
    except (OSError, ValueError, IndexError):
        try:
            import resource
        except ImportError:  # no /proc and no getrusage: nothing to measure
            return 0.0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
        return peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6


def machine_memory_mb() -> float | None:
    """The memory this process may use, in MB: physical memory, or a smaller container (cgroup) limit."""
    sizes = []
    try:
        sizes.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e6)
    except (AttributeError, ValueError, OSError):
        try:
            with open("/proc/meminfo") as f:
                for line in f:
                    if line.startswith("MemTotal:"):
                        sizes.append(int(line.split()[1]) * 1024 / 1e6)
        except (OSError, ValueError, IndexError):
            pass
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as f:
                text = f.read().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 1 << 60:  # "max" or a huge number: no limit
            sizes.append(int(text) / 1e6)
    return min(sizes) if sizes else None


def default_max_memory() -> float | None:
    """The default ``max_memory`` in MB: 75% of the machine's (or container's) memory; None if unknown."""
    total = machine_memory_mb()
    return None if total is None else round(total * DEFAULT_MEMORY_SHARE)


# -- checking limits ---------------------------------------------------------------------------

#: Each limit's least value and whether the least is excluded (seconds and megabytes: above 0).
LIMITS: dict[str, tuple[float, bool, str]] = {
    "max_states": (1, False, "a number of distinct states, at least 1"),
    "max_depth": (0, False, "a number of steps, at least 0"),
    "max_seconds": (0, True, "a number of seconds above 0"),
    "max_memory": (0, True, "a number of megabytes above 0"),
    "walks": (1, False, "a number of walks, at least 1"),
    "steps": (1, False, "a number of steps, at least 1"),
    "k": (1, False, "at least 1"),
    "minimize_s": (0, False, "a number of seconds, 0 or more"),
}


def check_limit(name: str, value: Any, where: str = "options") -> Any:
    """``value`` if it is a valid ``name`` limit (None: no limit); otherwise bad input, saying what is valid."""
    if value is None or name not in LIMITS:
        return value
    least, strict, words = LIMITS[name]
    if isinstance(value, float) and not math.isfinite(value):
        raise QuorumError(f"{where}: {name}={value!r} is not a limit: {name} takes {words} (omit it for the default)")
    if value < least or strict and value == least:
        raise QuorumError(f"{where}: {name}={value!r} is out of range: {name} takes {words} (omit it for the default)")
    return value


def count_option(engine: str, name: str, value: Any) -> None:
    """A whole-number option (None: the default) is an int in its range, said in the engine's words."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise QuorumError(f"{engine}: {name}={value!r} is not a whole number")
    check_limit(name, value, engine)


def seconds_option(engine: str, name: str, value: Any) -> None:
    """A number of seconds (None: no limit) is a finite number in its range."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise QuorumError(f"{engine}: {name}={value!r} is not a number of seconds")
    check_limit(name, value, engine)


class Budget:
    """One run's limits and its clock."""

    def __init__(
        self,
        *,
        max_states: int | None = None,
        max_depth: int | None = None,
        max_seconds: float | None = None,
        max_memory: float | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.max_states, self.max_depth, self.max_seconds = max_states, max_depth, max_seconds
        self.max_memory = max_memory
        self.progress = progress
        self.start = self._last_progress = time.perf_counter()
        self._last_clock = self.start - CLOCK_EVERY_S  # the first tick reads the clock (and memory)
        self.rss: float | None = None  # resident MB at the last reading (with max_memory)
        self._samples: list[tuple[float, float]] = []  # (time, resident MB) over the growth window
        self.notes: list[str] = []  # warnings for the result (the memory projection)
        self.stopped_by: str | None = None  # "time" or "memory": which limit tick last reported

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def out_of_time(self) -> bool:
        """Whether ``max_seconds`` have passed (read now: for engines that ask between long steps)."""
        return self.max_seconds is not None and self.elapsed() > self.max_seconds

    def states_spent(self, stored: int, depth: int) -> str | None:
        """The reason to stop once ``stored`` states are kept (None while under the limit)."""
        if self.max_states is not None and stored >= self.max_states:
            return self.states_full(depth)
        return None

    def states_full(self, depth: int) -> str:
        """The reason to stop when one more state would exceed ``max_states``."""
        return f"state limit {self.max_states} reached, {nothing(depth)}"

    def depth_spent(self, depth: int) -> str | None:
        """The reason not to expand states at ``depth`` (None while under the limit)."""
        if self.max_depth is not None and depth > self.max_depth:
            return f"depth limit {self.max_depth} reached, {nothing(depth - 1)}"
        return None

    def tick(self, depth: int, status: Callable[[], str]) -> str | None:
        """The reason to stop on time or memory (None to go on); prints ``status()`` when a progress
        line is due. ``stopped_by`` says which limit a reason is for."""
        now = time.perf_counter()
        if now - self._last_clock < CLOCK_EVERY_S:
            return None
        self._last_clock = now
        if self.max_seconds is not None and now - self.start > self.max_seconds:
            self.stopped_by = "time"
            return f"time limit {self.max_seconds}s reached, {nothing(depth)}"
        if self.max_memory is not None:
            rss = self.rss = resident_mb()
            if rss > self.max_memory:
                self.stopped_by = "memory"
                return f"memory limit {self.max_memory:,.0f} MB reached ({rss:,.0f} MB resident), {nothing(depth)}"
            self._project(now, rss)
        if self.progress and now - self._last_progress >= PROGRESS_EVERY_S:
            self._last_progress = now
            memory = f", {self.resident():,.0f} MB resident"
            self.progress(f"{now - self.start:,.0f}s, {status()}{memory}")
        return None

    def resident(self) -> float:
        """Resident MB: the last reading, or read now."""
        return self.rss if self.rss is not None else resident_mb()

    def _project(self, now: float, rss: float) -> None:
        """Warn once when memory, growing as over the last window, would pass ``max_memory`` within
        the time the run has taken so far (or before its time limit, if that comes first)."""
        samples = self._samples
        samples.append((now, rss))
        if self.notes:
            return
        while len(samples) > 2 and now - samples[1][0] >= GROWTH_WINDOW_S:
            del samples[0]
        then, before = samples[0]
        if now - then < GROWTH_WINDOW_S or rss <= before:
            return
        rate = (rss - before) / (now - then)  # MB/s
        horizon = now - self.start
        if self.max_seconds is not None:
            horizon = min(horizon, self.max_seconds - (now - self.start))
        left = (self.max_memory - rss) / rate
        if left > horizon:
            return
        note = (f"memory: {rss:,.0f} MB resident, growing {rate:,.0f} MB/s — at this rate the memory limit of "
                f"{self.max_memory:,.0f} MB is reached in about {left:,.0f}s and the run stops there (a smaller "
                "instance, --fingerprints (less memory per state) or a larger --max-memory)")
        self.notes.append(note)
        if self.progress:
            self.progress(f"warning: {note}")

    @staticmethod
    def interrupted(depth: int) -> str:
        return f"interrupted, {nothing(depth)}"
