"""Explicit-state exploration of Basic Paxos (3 acceptors, 2 values, ballots 0..2): wall time,
distinct states per second and peak memory, each configuration in a fresh process.

TLC 2.20 on the same 2-core machine (from the project's issue): 13.2 s with one worker checking
agreement, 8.9 s checking nothing, 23.3 s checking Paxos.tla's full Inv.

    python benchmarks/explicit_paxos.py [--ballots 3] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CONFIGS = [
    ("agreement", ["agreement"], "states"),
    ("nothing", [], "states"),
    ("agreement, validity, value_chosen (default)", None, "states"),
    ("agreement, fingerprints", ["agreement"], "fingerprints"),
    ("inductive_invariant (Paxos.tla's Inv)", ["inductive_invariant"], "states"),
]

CHILD = """
import json, resource, sys, time
from checker import check
from protocols.paxos import Paxos
ballots, props, store = json.loads(sys.argv[1])
cpu = time.process_time()
r = check(Paxos(ballots=ballots), properties=props, store=store)
cpu = time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"verdict": r.verdict, "states": r.distinct_states, "depth": r.depth,
                  "seconds": r.elapsed_s, "cpu": cpu, "peak_mib": peak}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=1, help="runs per configuration; the best is shown")
    args = parser.parse_args()
    print(f"Paxos, 3 acceptors, 2 values, ballots 0..{args.ballots - 1}; one process, Python {sys.version.split()[0]}")
    print("time: wall clock of the search; cpu: process CPU time (steadier on a busy machine)")
    print(f"{'checked':45} {'verdict':8} {'states':>9} {'depth':>5} {'time s':>7} {'cpu s':>6} {'states/s':>9}"
          f" {'peak MiB':>8}")
    for label, props, store in CONFIGS:
        runs = []
        for _ in range(args.repeat):
            out = subprocess.run(
                [sys.executable, "-c", CHILD, json.dumps([args.ballots, props, store])],
                capture_output=True, text=True, check=True,
            )
            runs.append(json.loads(out.stdout))
        best = min(runs, key=lambda r: r["seconds"])
        rate = best["states"] / best["seconds"]
        print(
            f"{label:45} {best['verdict']:8} {best['states']:>9,} {best['depth']:>5} {best['seconds']:>7.2f}"
            f" {best['cpu']:>6.2f} {rate:>9,.0f} {best['peak_mib']:>8.0f}"
        )


if __name__ == "__main__":
    main()
