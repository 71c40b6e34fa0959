"""The array engine beside the object (explicit) engine, each configuration in a fresh process.

Figures: distinct states, depth, wall time of the whole check (compiling the protocol included),
states per second, bytes per stored state (array engine: seen-set + parent + firing) and peak
resident memory. The object engine runs the same check in the same window; where it cannot finish
in reasonable time (Paxos ballots 0..3) it runs under a time limit and its rate is shown.

TLC 2.20 on this 2-core machine, 1 worker, from issue 11: Paxos ballots 0..2 21.4 s (2.2 GB),
ballots 0..3 443 s (2.75 GB), ballots 0..2 with symmetry 5.3 s; raft.tla 344,111 states 31 s.

    python benchmarks/array_engine.py [--only NAME] [--object-seconds 60]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CONFIGS = [
    # name, protocol, parameters, properties, engine options
    ("paxos 0..2", "protocols.paxos:Paxos", {"ballots": 3}, ["agreement"], {}),
    ("paxos 0..3", "protocols.paxos:Paxos", {"ballots": 4}, ["agreement"], {}),
    ("paxos 0..2 symmetry", "protocols.paxos:Paxos", {"ballots": 3}, ["agreement"],
     {"symmetry": ["Acceptor", "Value"]}),
    ("paxos 0..3 symmetry", "protocols.paxos:Paxos", {"ballots": 4}, ["agreement"],
     {"symmetry": ["Acceptor", "Value"]}),
    ("raft (specs/raft.toml)", "protocols.raft:Raft", {"servers": 3, "terms": 2, "log_length": 1}, None,
     {"deadlock": False}),
    ("raft symmetry", "protocols.raft:Raft", {"servers": 3, "terms": 2, "log_length": 1}, None,
     {"deadlock": False, "symmetry": ["Server"]}),
    ("2pc 7 RMs", "protocols.two_phase:TwoPhase", {"rms": 7}, None, {}),
]

CHILD = """
import importlib, json, resource, sys, time
from checker import check
ref, params, props, engine, options = json.loads(sys.argv[1])
module, name = ref.split(":")
cls = getattr(importlib.import_module(module), name)
start = time.perf_counter()
r = check(cls(**params), properties=props, engine=engine, **options)
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"verdict": r.verdict, "states": r.distinct_states, "depth": r.depth, "seconds": wall,
                  "bytes": r.extra.get("bytes_per_state"), "peak_mib": peak, "message": r.message}))
"""


def measure(ref: str, params: dict, props: list | None, engine: str, options: dict) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps([ref, params, props, engine, options])],
                         capture_output=True, text=True)
    if out.returncode not in (0, 1):
        raise SystemExit(f"{ref} {engine}: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=None, help="run the configurations whose name contains this")
    parser.add_argument("--object-seconds", type=float, default=60.0,
                        help="time limit for the object engine where it cannot finish (paxos 0..3)")
    args = parser.parse_args()
    print(f"one process per run, Python {sys.version.split()[0]}; time: wall clock of the whole check")
    head = f"{'configuration':24} {'engine':8} {'verdict':8} {'states':>10} {'depth':>5} {'time s':>7} " \
           f"{'states/s':>10} {'B/state':>8} {'peak MiB':>8} {'speed-up':>8}"
    print(head)
    for name, ref, params, props, options in CONFIGS:
        if args.only and args.only not in name:
            continue
        fast = measure(ref, params, props, "array", options)
        rows = [("array", fast)]
        if "symmetry" not in options:
            obj_options = {k: v for k, v in options.items() if k != "symmetry"}
            if params.get("ballots", 0) >= 4:
                obj_options["max_seconds"] = args.object_seconds
            rows.append(("explicit", measure(ref, params, props, "explicit", obj_options)))
        base = rows[-1][1] if len(rows) > 1 else None
        for engine, r in rows:
            rate = r["states"] / r["seconds"]
            speed = ""
            if base is not None and engine == "array":
                base_rate = base["states"] / base["seconds"]
                speed = f"{base['seconds'] / r['seconds']:.1f}x" if base["verdict"] != "limit" else \
                    f"{rate / base_rate:.1f}x/s"
            b = f"{r['bytes']:.1f}" if r["bytes"] else "-"
            print(f"{name:24} {engine:8} {r['verdict']:8} {r['states']:>10,} {r['depth']:>5} {r['seconds']:>7.2f} "
                  f"{rate:>10,.0f} {b:>8} {r['peak_mib']:>8.0f} {speed:>8}")


if __name__ == "__main__":
    main()
