"""Distinct states and time for the issue-4 protocols (TwoPhase, Raft, Bully) and their specs.

Run: python benchmarks/protocol_library.py [--quick]. Times are wall-clock on a shared machine.
"""

from __future__ import annotations

import sys
import time

from checker import check
from checker.cli.spec import load_spec

SPECS = [
    "specs/two-phase.toml",
    "specs/two-phase-crash-restart.toml",
    "specs/two-phase-coordinator-crash.toml",
    "specs/two-phase-commits-on-majority.toml",
    "specs/two-phase-decision-not-logged.toml",
    "specs/raft-votes-twice.toml",
    "specs/raft-half-is-majority.toml",
    "specs/raft-no-log-check.toml",
    "specs/raft-votedfor-not-persisted.toml",
    "specs/raft-faults.toml",
    "specs/bully.toml",
    "specs/bully-partition.toml",
    "specs/bully-crash-restart.toml",
    "specs/raft.toml",
]


def main() -> None:
    quick = "--quick" in sys.argv
    for path in SPECS[:-1] if quick else SPECS:
        spec = load_spec(path)
        protocol = spec.build()
        t0 = time.perf_counter()
        result = check(protocol, properties=spec.properties, **spec.options)
        steps = f", {len(result.trace) - 1} steps" if result.trace else ""
        verdict = f"violated: {result.property}" if result.violated else result.verdict
        took = time.perf_counter() - t0
        print(f"{path}: {verdict}{steps}; {result.distinct_states:,} states; {took:.1f} s", flush=True)
    if not quick:
        from protocols.two_phase import TwoPhase

        for rms in (3, 5, 7):
            result = check(TwoPhase(rms=rms))
            print(f"TwoPhase rms={rms}: {result.verdict}; {result.distinct_states:,} states; {result.elapsed_s:.1f} s")


if __name__ == "__main__":
    main()
