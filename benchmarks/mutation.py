"""Mutation scores of every shipped protocol's default properties (invariants and goals), at its
small_instance: killed, survived, equivalent, the survivors by name, and the time each took.

    python benchmarks/mutation.py [--only paxos] [-p ballots=3]
"""

from __future__ import annotations

import argparse
import time

from checker.cli.discovery import all_protocols
from checker.cli.params import parse_params
from checker.coursework.mutate import analyse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=None)
    parser.add_argument("-p", "--param", action="append", default=[])
    args = parser.parse_args()
    for cls in all_protocols():
        if args.only and args.only.lower() not in cls.__name__.lower():
            continue
        params = {**cls.small_instance, **parse_params(args.param)}
        start = time.perf_counter()
        result = analyse(cls, params)
        c = result.counts()
        score = "-" if result.score is None else f"{result.score:.0%}"
        print(f"{cls.__name__} {params}: score {score} ({c['killed']} killed, {c['survived']} survived, "
              f"{c['equivalent']} equivalent, {c['unknown']} undecided of {len(result.mutants)}), "
              f"{time.perf_counter() - start:.1f}s; properties {', '.join(result.properties)}")
        for m in result.mutants:
            if m.status in ("survived", "unknown"):
                print(f"    {m.status}: {m.name}{' (' + m.note + ')' if m.note else ''}")


if __name__ == "__main__":
    main()
