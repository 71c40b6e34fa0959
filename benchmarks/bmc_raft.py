"""BMC per depth on Raft's leader-completeness bug (12 steps) and on Paxos, measured in one run.

- specs/raft-no-log-check.toml to depth 12: the violation at depth 12 (issue 13: within 60 s);
- specs/raft.toml (correct Raft) to depth 12: no violation (issue 13: within 5 minutes);
- Paxos as the baseline: specs/paxos-phase2a-ignores-1b.toml (its violation at depth 12) and
  correct Paxos with ballots 0..2 to depth 12 (the README's figures).

Each line is one depth: solving the "bad state here?" query, the goal queries after it, and the
encoding (depth 0 includes building the templates). Usage: python benchmarks/bmc_raft.py
[--depth 12] [--max-seconds 300] [--only raft-no-log-check ...]. The CPU may be shared: timings are
wall-clock and noisy.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from checker.cli.spec import load_spec
from checker.dsl.protocol import Protocol
from checker.smt.bmc import bmc
from protocols.paxos import Paxos


def spec_case(path: str) -> tuple[Callable[[], Protocol], list[str] | None, bool]:
    spec = load_spec(path)
    return spec.build, spec.properties, bool(spec.options.get("deadlock", True))


CASES: dict[str, Callable[[], tuple[Callable[[], Protocol], list[str] | None, bool]]] = {
    "raft-no-log-check": lambda: spec_case("specs/raft-no-log-check.toml"),
    "raft": lambda: spec_case("specs/raft.toml"),
    "paxos-phase2a-ignores-1b": lambda: spec_case("specs/paxos-phase2a-ignores-1b.toml"),
    "paxos-ballots-3": lambda: (lambda: Paxos(ballots=3), None, True),
}


def run(name: str, depth: int, max_seconds: float) -> None:
    build, properties, deadlock = CASES[name]()
    start = time.perf_counter()
    result = bmc(build(), properties, max_depth=depth, deadlock=deadlock, max_seconds=max_seconds)
    print(f"{name}: {result.summary()} — {time.perf_counter() - start:.1f} s in all", flush=True)
    total = 0.0
    for t in result.extra["depth_times"]:
        total += t["encode_s"] + t["solve_s"] + t["goals_s"]
        print(f"  depth {t['depth']:2}: solve {t['solve_s']:7.2f} s, goals {t['goals_s']:6.2f} s, "
              f"encode {t['encode_s']:5.2f} s  ({total:6.1f} s so far)", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=12)
    parser.add_argument("--max-seconds", type=float, default=300.0, help="per case")
    parser.add_argument("--only", nargs="+", choices=sorted(CASES), help="run these cases only")
    args = parser.parse_args()
    for case in args.only or CASES:
        run(case, args.depth, args.max_seconds)
