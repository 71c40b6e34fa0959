"""Z3 engine on Basic Paxos (3 acceptors, 2 values, ballots 0..2): the figures in the README.

- BMC of the correct protocol to depth 12: solve time per depth (the reference hand-written Z3
  encoding: depth 12 violation-free after 42 s in all; depth 11: 17 s);
- BMC of each buggy variant: time to its violation, and at which depth (reference for
  phase2a-ignores-1b: depth 12 after 12.5 s);
- induction of Paxos's inductive invariant, and of it minus one conjunct (a CTI).

Usage: python benchmarks/z3_paxos.py [--depth 12] [--skip-clean]. The CPU may be shared: timings
are wall-clock and noisy.
"""

from __future__ import annotations

import argparse
import time

from checker.smt.bmc import bmc
from checker.smt.induction import induction
from protocols.paxos import Paxos

BUGGY = {"phase2a-ignores-1b": {}, "minority-quorums": {"acceptors": 4}, "invents-value": {"proposed": 1}}


def clean(depth: int) -> None:
    start = time.perf_counter()
    result = bmc(Paxos(ballots=3), max_depth=depth, progress=lambda line: print("  ", line, flush=True))
    print(f"BMC correct Paxos, ballots 0..2: {result.summary()} — {time.perf_counter() - start:.1f} s in all")
    for t in result.extra["depth_times"]:
        print(f"  depth {t['depth']:2}: solve {t['solve_s']:7.2f} s, encode {t['encode_s']:5.2f} s")


def buggy(depth: int) -> None:
    for variant, params in BUGGY.items():
        start = time.perf_counter()
        result = bmc(Paxos(ballots=3, variant=variant, **params), max_depth=depth)
        print(f"BMC {variant} {params or ''}: {result.summary()} — {time.perf_counter() - start:.1f} s")


def inductive() -> None:
    for name, conjuncts in [("Inv", list(Paxos.INV)),
                            ("Inv without votes_follow_proposals",
                             [c for c in Paxos.INV if c != "votes_follow_proposals"])]:
        start = time.perf_counter()
        result = induction(Paxos(ballots=3), conjuncts, implies=["agreement"])
        print(f"induction, {name}: {result.summary()} — {time.perf_counter() - start:.2f} s "
              f"(solver: {result.extra['solve_s']})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=12)
    parser.add_argument("--skip-clean", action="store_true", help="skip the long clean run")
    args = parser.parse_args()
    inductive()
    buggy(14)
    if not args.skip_clean:
        clean(args.depth)
