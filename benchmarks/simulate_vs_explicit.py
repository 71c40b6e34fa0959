"""Simulation against exhaustive search: time to the violation and trace length, per buggy variant.

For each buggy variant (and the large Paxos instance the explicit engine cannot finish), prints
the simulate engine's search time, walks, trace length as found / after Hypothesis / after the
protocol-aware pass, that pass's time (median) and for how many seeds its exhaustive search proved
the result minimal, and the explicit engine's time and shortest length; then walks/s on the
correct Paxos with 5 acceptors. Timings are wall-clock on a shared machine: noisy.

    python benchmarks/simulate_vs_explicit.py [--seeds 3] [--explicit-seconds 120]
"""

from __future__ import annotations

import argparse
import statistics
import time

import checker.hyp.simulate as simulate_module
from checker import check
from checker.core.shrink import shrink_trace
from checker.dsl.protocol import Protocol
from checker.hyp.simulate import simulate
from protocols.lease import LeaseLock
from protocols.paxos import Paxos

CASES: list[tuple[str, type[Protocol], dict]] = [
    ("paxos 3x2 phase2a-ignores-1b", Paxos, {"ballots": 2, "variant": "phase2a-ignores-1b"}),
    ("paxos 3x3 phase2a-ignores-1b", Paxos, {"ballots": 3, "variant": "phase2a-ignores-1b"}),
    ("paxos 5x4 phase2a-ignores-1b", Paxos, {"acceptors": 5, "ballots": 4, "variant": "phase2a-ignores-1b"}),
    ("paxos 3x2 minority-quorums", Paxos, {"ballots": 2, "variant": "minority-quorums"}),
    ("paxos 3x2 invents-value (proposed=1)", Paxos, {"ballots": 2, "proposed": 1, "variant": "invents-value"}),
    ("lease no-fencing", LeaseLock, {"variant": "no-fencing"}),
]

_shrinks: list[tuple[float, dict]] = []  # (seconds, ShrinkStats) of each protocol-aware pass


def _timed_shrink(protocol, trace, prop, **options):
    stats: dict = {}
    start = time.perf_counter()
    out = shrink_trace(protocol, trace, prop, stats=stats, **options)
    _shrinks.append((time.perf_counter() - start, stats))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--explicit-seconds", type=float, default=120.0)
    args = ap.parse_args()
    simulate_module.shrink_trace = _timed_shrink  # to report the pass's own time and verdict
    print("| case | simulate: search s (median) | walks | steps found → Hypothesis → protocol-aware "
          "| protocol-aware pass: s (median), proved minimal | explicit: s | shortest |")
    print("|---|---|---|---|---|---|---|")
    for name, cls, params in CASES:
        _shrinks.clear()
        runs = [simulate(cls(**params), seed=seed, max_seconds=300) for seed in range(1, args.seeds + 1)]
        found = [r for r in runs if r.violated]
        shapes = ", ".join(
            f"{r.extra['first_trace_steps']}→{r.extra['hypothesis_steps']}→{r.extra['shrunk_steps']}" for r in found)
        search = statistics.median(r.extra["found_after_s"] for r in found) if found else float("nan")
        walks = statistics.median(r.extra["found_after_walks"] for r in found) if found else 0
        shrink_s = statistics.median(s for s, _ in _shrinks) if _shrinks else float("nan")
        proved = sum(1 for _, st in _shrinks if st.get("minimal"))
        explicit = check(cls(**params), max_seconds=args.explicit_seconds, deadlock=False)
        shortest = len(explicit.trace) - 1 if explicit.violated else f"({explicit.verdict})"
        print(f"| {name} | {search:.2f} ({len(found)}/{len(runs)} found) | {walks:.0f} | {shapes} "
              f"| {shrink_s:.2f}, {proved}/{len(_shrinks)} | {explicit.elapsed_s:.1f} | {shortest} |")
    rates = simulate(Paxos(acceptors=5, ballots=4), seed=1, max_seconds=20)
    print(f"\ncorrect Paxos 5 acceptors x 4 ballots, 20 s: {rates.extra['walks']:,} walks "
          f"({rates.extra['walks_per_second']:,.0f}/s), {rates.extra['steps_per_second']:,.0f} steps/s, "
          f"{rates.distinct_states:,} distinct states")


if __name__ == "__main__":
    main()
