"""Simulation against exhaustive search: time to the violation and trace length, per buggy variant.

For each buggy variant (and the large Paxos instance the explicit engine cannot finish), prints
the simulate engine's search time, walks, trace length as found / after Hypothesis / after the
protocol-aware pass, and the explicit engine's time and shortest length; then walks/s on the
correct Paxos with 5 acceptors. Timings are wall-clock on a shared machine: noisy.

    python benchmarks/simulate_vs_explicit.py [--seeds 3] [--explicit-seconds 120]
"""

from __future__ import annotations

import argparse
import statistics

from checker import check
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--explicit-seconds", type=float, default=120.0)
    args = ap.parse_args()
    print("| case | simulate: search s (median) | walks | steps found → Hypothesis → protocol-aware "
          "| explicit: s | shortest |")
    print("|---|---|---|---|---|---|")
    for name, cls, params in CASES:
        runs = [simulate(cls(**params), seed=seed, max_seconds=300) for seed in range(1, args.seeds + 1)]
        found = [r for r in runs if r.violated]
        shapes = ", ".join(
            f"{r.extra['first_trace_steps']}→{r.extra['hypothesis_steps']}→{r.extra['shrunk_steps']}" for r in found)
        search = statistics.median(r.extra["found_after_s"] for r in found) if found else float("nan")
        walks = statistics.median(r.extra["found_after_walks"] for r in found) if found else 0
        explicit = check(cls(**params), max_seconds=args.explicit_seconds, deadlock=False)
        shortest = len(explicit.trace) - 1 if explicit.violated else f"({explicit.verdict})"
        print(f"| {name} | {search:.2f} ({len(found)}/{len(runs)} found) | {walks:.0f} | {shapes} "
              f"| {explicit.elapsed_s:.1f} | {shortest} |")
    rates = simulate(Paxos(acceptors=5, ballots=4), seed=1, max_seconds=20)
    print(f"\ncorrect Paxos 5 acceptors x 4 ballots, 20 s: {rates.extra['walks']:,} walks "
          f"({rates.extra['walks_per_second']:,.0f}/s), {rates.extra['steps_per_second']:,.0f} steps/s, "
          f"{rates.distinct_states:,} distinct states")


if __name__ == "__main__":
    main()
