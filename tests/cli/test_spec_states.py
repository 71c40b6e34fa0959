"""A spec's ``states`` expectation: the distinct-state count a check that holds must reach (the
figure TLC gives for the same harness), so a model that drifts from its TLA+ original fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def check(spec: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "checker", "check", str(spec)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_the_tlc_count_is_met_and_a_wrong_one_fails(tmp_path):
    good = ROOT / "specs" / "raft-log-tlc-2.toml"
    assert check(good).returncode == 0
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(good.read_text().replace("states = 3864", "states = 3863"))
    run = check(wrong)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "3,863 distinct states" in run.stdout + run.stderr


def test_a_count_that_is_not_a_number_is_bad_input(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('protocol = "protocols.raft_log:RaftLog"\nstates = "many"\n')
    run = check(bad)
    assert run.returncode == 2 and "states must be a number of distinct states" in run.stderr
