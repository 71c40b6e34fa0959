"""Time and peak memory of liveness on Paxos (eventually_chosen under full fairness).

Run: python benchmarks/liveness_paxos.py [ballots ...]   (default: 2 3, i.e. ballots 0..1 and 0..2)
Each size runs in a fresh process, so the peak resident set size is that check's own.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys

FAIRNESS = {"phase1a": "weak(b)", "phase1b": "weak(a, m)", "phase2a": "weak(b)", "phase2b": "weak(a, m)"}


def one(ballots: int) -> dict:
    from checker.explicit.liveness import check_liveness
    from protocols.paxos import Paxos

    proto = Paxos(ballots=ballots)
    for name, fair in FAIRNESS.items():
        proto.action(name).fairness = fair
    result = check_liveness(proto, ["eventually_chosen"])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"ballots": f"0..{ballots - 1}", "verdict": result.verdict, "states": result.distinct_states,
            "edges": result.generated_states, "seconds": round(result.elapsed_s, 1), "peak_mb": round(peak_mb)}


def main() -> None:
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(one(int(sys.argv[2]))))
        return
    for ballots in [int(a) for a in sys.argv[1:]] or [2, 3]:
        out = subprocess.run([sys.executable, __file__, "--one", str(ballots)], capture_output=True, text=True,
                             check=True)
        row = json.loads(out.stdout)
        print(f"Paxos ballots {row['ballots']}: {row['verdict']}, {row['states']:,} states, {row['edges']:,} "
              f"transitions generated, {row['seconds']} s, peak RSS {row['peak_mb']} MB")


if __name__ == "__main__":
    main()
