"""Parallel simulation: independent seeded walkers on Ray; the first violation wins.

Each worker runs the ``simulate`` engine (``checker.hyp.simulate``: Hypothesis walks, shrunk) with
its own seed — the run's seed plus the worker's index, all printed — and its share of the walks.
The first walker to find a violation wins and the others are cancelled; its trace comes back as
JSON (protocols and records do not pickle) and is replayed through the concrete semantics before
it is shown. Nothing found is ``limit``, as for one walker: sampling proves nothing.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from checker.core.budget import count_option
from checker.core.properties import PropertySet
from checker.core.replay import confirm_violation, replay
from checker.core.result import Details, Result
from checker.core.trace import step_from_json, trace_json
from checker.distributed import cluster
from checker.distributed.engine import recipe_of
from checker.distributed.shard import build
from checker.dsl.protocol import Protocol
from checker.errors import QuorumError


@dataclass
class ParallelDetails(Details):
    """The walkers: their seeds, which one found the finding, and the walks they took together."""

    workers: int
    seeds: list[int]
    winner_seed: int | None
    walks: int
    walks_per_second: float

    def report_lines(self) -> list[str]:
        found = f"; found by seed {self.winner_seed} (rerun alone: -o seed={self.winner_seed})" \
            if self.winner_seed is not None else ""
        return [f"{self.workers} walkers on Ray, seeds {', '.join(map(str, self.seeds))}: {self.walks:,} walks, "
                f"{self.walks_per_second:,.0f} walks/s together{found}"]


def walker(recipe: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """One walker's run, as plain data."""
    from checker.hyp.simulate import simulate

    protocol = build(recipe)
    result = simulate(protocol, recipe["properties"], **options)
    return {"verdict": result.verdict, "property": result.property, "message": result.message,
            "trace": trace_json(protocol, result.trace), "extra": result.extra, "depth": result.depth,
            "warnings": result.warnings, "goals": result.goals, "seed": options["seed"]}


def simulate_parallel(protocol: Protocol, properties: list[str] | None = None, *, workers: int = 2,
                      ray_address: str | None = None, seed: int | None = None, walks: int | None = None,
                      steps: int | None = None, max_depth: int | None = None, max_seconds: float | None = None,
                      deadlock: bool = True, shrink: bool = True,
                      progress: Callable[[str], None] | None = None) -> Result:
    """``walks`` (default 1,000 in all) shared among ``workers`` walkers, seeds ``seed``, ``seed + 1``, …"""
    count_option("simulate", "workers", workers)
    if workers < 1:
        raise QuorumError(f"simulate: workers={workers} — a simulation needs at least one walker")
    props = PropertySet(protocol, properties)
    if seed is None:
        seed = random.SystemRandom().randrange(1 << 32)
    if walks is None and steps is None and max_seconds is None:
        walks = 1000
    seeds = [seed + i for i in range(workers)]
    share = None if walks is None else math.ceil(walks / workers)
    recipe = recipe_of(protocol, props, "fingerprints", [], deadlock)
    options = {"walks": share, "steps": None if steps is None else math.ceil(steps / workers),
               "max_seconds": max_seconds, "deadlock": deadlock, "shrink": shrink}
    if max_depth is not None:
        options["max_depth"] = max_depth
    if progress:
        progress(f"{workers} walkers, seeds {', '.join(map(str, seeds))}")
    start = time.perf_counter()
    with cluster.session(workers, ray_address) as ray:
        task = ray.remote(num_cpus=1, max_retries=0)(walker)
        pending = [task.remote(recipe, {**options, "seed": s}) for s in seeds]
        done: list[dict[str, Any]] = []
        winner = None
        try:
            while pending and winner is None:
                ready, pending = ray.wait(pending, num_returns=1)
                out = ray.get(ready[0])
                done.append(out)
                if out["verdict"] in ("violated", "error"):
                    winner = out
            for ref in pending:
                ray.cancel(ref, force=True)
        except KeyboardInterrupt:
            for ref in pending:
                ray.cancel(ref, force=True)
            raise
    elapsed = time.perf_counter() - start
    total_walks = sum(d["extra"].get("walks", 0) for d in done)
    rate = sum(d["extra"].get("walks_per_second", 0.0) for d in done)  # each walker's own rate, summed
    details = ParallelDetails(workers, seeds, None if winner is None else winner["seed"], total_walks, rate)
    chosen = winner or max(done, key=lambda d: d["depth"])
    trace = [step_from_json(protocol, s, "a walker's trace", i) for i, s in enumerate(chosen["trace"])]
    if trace and chosen["verdict"] == "violated" and chosen["property"] not in (None, "deadlock"):
        trace = confirm_violation(protocol, trace, chosen["property"], source="simulate (parallel)")
    elif trace and chosen["verdict"] == "violated":
        trace = replay(protocol, trace, source="simulate (parallel)")
    elif len(trace) > 1:  # an action that raised: the steps up to it replay, the last repeats the state
        trace = [*replay(protocol, trace[:-1], source="simulate (parallel)"), trace[-1]]
    verdict = chosen["verdict"] if winner is not None else "limit"
    message = chosen["message"] if winner is not None else (
        f"no violation in {total_walks:,} walks by {workers} walkers")
    return Result(verdict, "simulate", protocol, property=chosen["property"] if winner else None, trace=trace,
                  distinct_states=0, generated_states=0, depth=chosen["depth"], elapsed_s=elapsed,
                  message=message, warnings=chosen["warnings"], goals=chosen["goals"], checked=props.names,
                  details=[details])
