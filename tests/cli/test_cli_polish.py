"""The command line as users meet it: -h, output that is not hard-wrapped when piped, progress with
elapsed time inside a directory of specs, the explanation in --json, --out for a directory,
--json on gallery and system."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli.main import main
from checker.core import budget

SPECS = Path(__file__).resolve().parents[2] / "specs"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("args", [["-h"], ["check", "-h"], ["show", "-h"], ["gallery", "-h"], ["system", "etcd", "-h"]])
def test_dash_h_is_help(args):
    out = run(*args)
    assert out.exit_code == 0 and "Usage: " in out.output and "Show this message and exit." in out.output


def test_piped_output_keeps_long_lines_whole():
    out = run("check", str(SPECS / "zk-lock-no-fencing.toml"), "-q")
    coverage = next(line for line in out.output.splitlines() if line.strip().startswith("coverage:"))
    assert "session_lost" in coverage and "gc_pause" in coverage and len(coverage) > 80  # one line, not two


def test_check_json_carries_the_explanation():
    out = run("check", str(SPECS / "lease-no-fencing.toml"), "--json", "-q")
    doc = json.loads(out.output)
    assert doc["verdict"] == "violated" and "token 33" in doc["explanation"]


@pytest.fixture
def two_specs(tmp_path):
    folder = tmp_path / "specs"
    folder.mkdir()
    for name in ("paxos-phase2a-ignores-1b.toml", "two-phase.toml"):
        shutil.copy(SPECS / name, folder / name)
    return folder


def test_a_directory_of_specs_prints_progress_with_elapsed_time_per_spec(two_specs, monkeypatch):
    monkeypatch.setattr(budget, "PROGRESS_EVERY_S", 0.0)
    out = CliRunner().invoke(main, ["check", str(two_specs), "--engine", "explicit"])
    assert out.exit_code == 0, out.stdout + out.stderr
    lines = [line for line in out.stderr.splitlines() if "two-phase.toml: depth" in line]
    assert lines and all(line.lstrip().startswith("… [") and "s] " in line for line in lines)
    assert "states/s" in lines[-1]
    assert "2 of 2 specs matched" in out.stdout


def test_out_with_a_directory_of_specs_writes_one_folder_per_spec(two_specs, tmp_path):
    out = run("check", str(two_specs), "--out", str(tmp_path / "out"), "-q")
    assert out.exit_code == 0, out.output
    assert json.loads((tmp_path / "out" / "two-phase" / "result.json").read_text())["verdict"] == "holds"
    buggy = tmp_path / "out" / "paxos-phase2a-ignores-1b"
    assert {"result.json", "trace.json", "report.html"} <= {p.name for p in buggy.iterdir()}
    assert f"one folder per spec in {tmp_path / 'out'}" in out.output


def test_gallery_check_speaks_json(tmp_path):
    out = run("gallery", "--check", "--json", "--out", str(tmp_path / "none"))
    doc = json.loads(out.output)
    assert out.exit_code == 1 and doc["up_to_date"] is False and doc["problems"]


def test_show_speaks_json(tmp_path):
    folder = tmp_path / "entry"
    shutil.copytree(Path(__file__).resolve().parents[2] / "counterexamples" / "bully-partition", folder)
    out = run("show", str(folder / "trace.json"), "--json")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert (doc["property"], doc["steps"], doc["faults"]) == ("at_most_one_leader", 5, ["partition"])
    assert any(line.startswith("at_most_one_leader: ") for line in doc["properties"])
    assert str(folder / "msc.svg") in doc["written"]
