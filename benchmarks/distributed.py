"""Distribution on Ray beside one process, each run in a fresh process on this machine.

The partitioned search on Paxos ballots 0..3 (8,220,065 states, agreement) with 1 and 2 workers,
beside the array engine in one process; the time after the shards' expansion in each level
(deduplication by owner, ranking, moving rows: the cost of distributing); then parallel simulation's
walks per second with 1 and 2 walkers (Paxos 5 acceptors, ballots 0..3, no bug: every walk runs
to its depth).

    python benchmarks/distributed.py [--ballots 4] [--walks 600]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CHILD = """
import json, sys, time
from checker import check
from protocols.paxos import Paxos
params, engine, options = json.loads(sys.argv[1])
start = time.perf_counter()
r = check(Paxos(**params), properties=["agreement"], engine=engine, **options)
wall = time.perf_counter() - start
x = r.extra
print(json.dumps({"verdict": r.verdict, "states": r.distinct_states, "seconds": wall,
                  "levels": sum(x.get("level_seconds", [])), "routing": sum(x.get("routing_seconds", [])),
                  "walks": x.get("walks"), "walks_per_second": x.get("walks_per_second")}))
"""


def measure(params: dict, engine: str, options: dict) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps([params, engine, options])],
                         capture_output=True, text=True)
    if out.returncode not in (0, 1, 4):
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=4)
    parser.add_argument("--walks", type=int, default=600)
    args = parser.parse_args()
    params = {"ballots": args.ballots}
    print(f"Paxos 3 acceptors, 2 values, ballots 0..{args.ballots - 1}, agreement; wall clock of the whole check "
          "(a local Ray instance's start, about 3-4 s, included)")
    print(f"{'run':28} {'states':>10} {'time s':>7} {'levels s':>8} {'routing s':>9} {'vs 1 worker':>11}")
    single = measure(params, "array", {})
    print(f"{'array engine, one process':28} {single['states']:>10,} {single['seconds']:>7.2f}")
    one = None
    for workers in (1, 2):
        r = measure(params, "distributed", {"workers": workers})
        one = one or r
        print(f"{f'distributed, {workers} worker(s)':28} {r['states']:>10,} {r['seconds']:>7.2f} {r['levels']:>8.2f} "
              f"{r['routing']:>9.2f} {one['seconds'] / r['seconds']:>10.2f}x")
    print()
    walk = {"acceptors": 5, "ballots": 4}
    print(f"simulate, Paxos 5 acceptors, ballots 0..3 (no bug), {args.walks} walks in all")
    base = None
    for workers in (1, 2):
        r = measure(walk, "parallel-simulate", {"workers": workers, "walks": args.walks, "seed": 1})
        base = base or r
        print(f"  {workers} walker(s): {r['walks']:,} walks, {r['walks_per_second']:,.1f} walks/s "
              f"({r['walks_per_second'] / base['walks_per_second']:.2f}x), {r['seconds']:.1f} s in all")


if __name__ == "__main__":
    main()
