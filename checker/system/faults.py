"""Faults on a schedule drawn from a seed (printed, so a run can be repeated exactly as scheduled).

Kinds:
  pause-client   SIGSTOP the client that holds the lock (the seed's GC pause), SIGCONT after ``pause`` s
  pause-member   SIGSTOP an etcd member (the leader, half of the time), SIGCONT after 1-2 s
  kill-member    kill -9 an etcd member (the leader, half of the time), restart it after 1-2 s
  combined       kill -9 the leader and pause the holder at the same moment
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass

from checker.errors import QuorumError, suggest

KINDS = ("pause-client", "pause-member", "kill-member", "combined")


@dataclass(frozen=True)
class Fault:
    """One scheduled fault: when (seconds after the clients start), what, for how long."""

    at: float
    kind: str
    target: str  # "holder", "leader" or a member's name
    duration: float

    def describe(self) -> str:
        return f"t+{self.at:.1f}s {self.kind} {self.target} for {self.duration:.1f}s"

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def parse_kinds(text: str) -> tuple[str, ...]:
    """``pause-client,kill-member`` -> the kinds; an unknown one is bad input, with the choices."""
    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    for kind in kinds:
        if kind not in KINDS:
            raise QuorumError(f"unknown fault kind {kind!r}." + suggest(kind, KINDS))
    return kinds


def schedule(seed: int, kinds: tuple[str, ...], duration: float, *, pause: float, members: list[str],
             start: float = 1.5) -> list[Fault]:
    """Faults one after another (none overlaps the next) from ``start`` until ``duration`` s."""
    rng = random.Random(seed)
    faults: list[Fault] = []
    t = start + rng.uniform(0, 0.5)
    while kinds:
        kind = rng.choice(kinds)
        if kind == "pause-client":
            fault = Fault(round(t, 2), kind, "holder", pause)
        else:
            target = "leader" if kind == "combined" or rng.random() < 0.5 else rng.choice(members)
            length = pause if kind == "combined" else round(rng.uniform(1.0, 2.0), 2)
            fault = Fault(round(t, 2), kind, target, length)
        if fault.at + fault.duration > duration:
            break
        faults.append(fault)
        t = fault.at + fault.duration + rng.uniform(0.5, 1.5)
    return faults
