"""The simulation figures README.md reports hold: each row of its simulate-vs-explicit table, rerun
with the seeds the benchmark uses (1, 2, 3, in the order the row lists them), shrinks to the
length the row reports after the protocol-aware pass, and that length is the explicit engine's
shortest where the row gives one. The summary table's "shrunk to N steps" must agree with it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker import check
from protocols.lease import LeaseLock
from protocols.paxos import Paxos

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
HEADER = "| buggy variant | simulate: search time (median) | trace: found → Hypothesis → protocol-aware |"


def table() -> list[dict]:
    """The rows of README's simulation table: name, per-seed (found, Hypothesis, shrunk), explicit."""
    start = README.index(HEADER)
    rows = []
    for line in README[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        name, _search, traces, explicit = (c.strip() for c in line.strip("|").split("|"))
        shapes = [tuple(int(n) for n in t.split("→")) for t in traces.split(", ")]
        m = re.fullmatch(r"([\d.]+) s, (\d+)", explicit)
        rows.append({"name": name, "shapes": shapes, "explicit_s": float(m.group(1)) if m else None,
                     "shortest": int(m.group(2)) if m else None})
    return rows


def protocol_of(name: str):
    """The protocol instance a row names ("Paxos 3×2 invents-value (proposed=1)", "lease lock, no fencing")."""
    m = re.fullmatch(r"Paxos (\d+)×(\d+) ([\w-]+)(?: \((\w+)=(\d+)\))?", name)
    if m:
        extra = {m.group(4): int(m.group(5))} if m.group(4) else {}
        return Paxos(acceptors=int(m.group(1)), ballots=int(m.group(2)), variant=m.group(3), **extra)
    if name == "lease lock, no fencing":
        return LeaseLock(variant="no-fencing")
    raise AssertionError(f"README row {name!r}: this test does not know which protocol it names; add it here")


ROWS = table()


def slow(row: dict) -> bool:
    """Rows whose explicit check takes seconds, or whose instance is too large for pass 5 to finish."""
    return row["explicit_s"] is None or row["explicit_s"] >= 1.0


def simulated(name: str, seed: int):
    return check(protocol_of(name), engine="simulate", seed=seed, max_seconds=60)


def test_the_table_is_there():
    assert len(ROWS) >= 5 and all(len(r["shapes"]) == 3 for r in ROWS), ROWS


@pytest.mark.parametrize("row", [pytest.param(r, id=r["name"], marks=[pytest.mark.slow] if slow(r) else [])
                                 for r in ROWS])
def test_each_row_shrinks_to_the_length_it_reports(row):
    for seed, (_found, _hypothesis, shrunk) in enumerate(row["shapes"], start=1):
        result = simulated(row["name"], seed)
        assert result.violated, f"{row['name']}, seed {seed}: {result.verdict}"
        assert len(result.trace) - 1 == shrunk, (
            f"{row['name']}, seed {seed}: README says shrunk to {shrunk}, the run gives {len(result.trace) - 1}")
    if row["shortest"] is not None:
        explicit = check(protocol_of(row["name"]))
        assert len(explicit.trace) - 1 == row["shortest"] == max(s[2] for s in row["shapes"]), row


def test_the_summary_agrees_with_the_table():
    m = re.search(r"\| Simulation, Paxos (\d) acceptors × (\d) ballots, phase2a bug \| found in [\d.]+ s \(median\), "
                  r"shrunk to (\d+) steps \(the minimum\)", README)
    assert m, "README's summary table no longer reports the 5×4 simulation"
    row = next(r for r in ROWS if r["name"] == f"Paxos {m.group(1)}×{m.group(2)} phase2a-ignores-1b")
    assert {s[2] for s in row["shapes"]} == {int(m.group(3))}
    # "the minimum": two ballots, each with its 1a, a quorum of 1b, the 2a and a quorum of 2b
    quorum = int(m.group(1)) // 2 + 1
    assert int(m.group(3)) == 2 * (1 + quorum + 1 + quorum)
