"""Saved traces always re-render: ``quorum show`` on every gallery entry (fault specs included) and
on ``check --out`` of a fault spec, from trace.json and from trace.itf.json. trace.json records the
faults and the verdict (verdict, property, message, summary); a file from before it did (no
``faults``, no ``summary``) still shows, its faults read off the trace."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import gallery
from checker.cli.main import main
from checker.render import dot
from tests.gallery_folders import with_counterexample

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = with_counterexample()
SPECS = {e.name: e for e in gallery.discover(ROOT / "specs")}


@pytest.fixture(autouse=True)
def fast(monkeypatch):
    monkeypatch.setattr(dot, "have_dot", lambda: False)  # no Graphviz runs: the files, not the pictures


def show(*args: str):
    return CliRunner().invoke(main, ["show", *args])


def verdict_line(folder: Path) -> str:
    found = re.search(r'<p class="verdict">([^<]*)</p>', (folder / "report.html").read_text())
    assert found, f"{folder}/report.html has no verdict line"
    return html.unescape(found.group(1))


@pytest.mark.parametrize("folder", FOLDERS)
def test_show_rerenders_every_gallery_entry(tmp_path, folder):
    stored = json.loads((ROOT / "counterexamples" / folder / "trace.json").read_text())
    out = show(str(ROOT / "counterexamples" / folder / "trace.json"), "--out", str(tmp_path))
    assert out.exit_code == 0, out.output
    again = json.loads((tmp_path / "trace.json").read_text())
    assert (again["verdict"], again["property"]) == (stored["verdict"], stored["property"])
    assert again.get("faults", []) == list(SPECS[folder].faults or []), "the faults the spec checks under"
    assert again["summary"].startswith(f"violated: {stored['property']}") or stored["property"] == "deadlock"
    assert verdict_line(tmp_path) == again["summary"]
    prop = gallery.build(SPECS[folder]).properties.get(stored["property"])
    if prop is not None and prop.kind == "always":  # evaluated along the trace: false in its last state
        assert re.search(rf"^{stored['property']}: .*fails in state {len(stored['trace']) - 1}$", out.output, re.M)


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory):
    """``quorum check --out`` of a fault spec (Bully under a partition)."""
    out = tmp_path_factory.mktemp("bully")
    run = CliRunner().invoke(main, ["check", str(ROOT / "specs/bully-partition.toml"), "--out", str(out), "-q"])
    assert run.exit_code == 0, run.output
    return out


def test_check_out_records_the_faults_and_the_verdict(fault_run):
    doc = json.loads((fault_run / "trace.json").read_text())
    assert doc["faults"] == ["partition"] and "group" in doc["trace"][0]["state"]
    assert doc["verdict"] == "violated" and doc["property"] == "at_most_one_leader" and "message" in doc
    meta = json.loads((fault_run / "trace.itf.json").read_text())["#meta"]
    assert meta["faults"] == ["partition"] and meta["verdict"] == "violated" and meta["property"] == doc["property"]


@pytest.mark.parametrize("name", ["trace.json", "trace.itf.json"])
def test_a_check_out_trace_of_a_fault_spec_shows(tmp_path, fault_run, name):
    out = show(str(fault_run / name), "--out", str(tmp_path))
    assert out.exit_code == 0, out.output
    assert "at_most_one_leader: holds in states 0–4, fails in state 5" in out.output
    line = verdict_line(tmp_path)
    assert line.startswith("violated: at_most_one_leader after 5 steps") and "partition" in line


def test_an_old_trace_without_faults_or_verdict_still_shows(tmp_path, fault_run):
    doc = json.loads((fault_run / "trace.json").read_text())
    for key in ("faults", "summary", "message"):
        doc.pop(key)
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc))
    out = show(str(old), "--out", str(tmp_path / "out"))
    assert out.exit_code == 0, out.output
    assert json.loads((tmp_path / "out" / "trace.json").read_text())["faults"] == ["partition"]  # read off the trace
    assert verdict_line(tmp_path / "out").startswith("violated: at_most_one_leader after 5 steps")


def test_faults_a_file_leaves_out_are_named_with_the_option(tmp_path, fault_run):
    doc = json.loads((fault_run / "trace.json").read_text())
    doc["faults"] = []  # recorded, and wrong: the trace's first state has a group variable
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(doc))
    out = show(str(wrong), "--out", str(tmp_path / "a"))
    assert out.exit_code == 2 and str(wrong) in out.output and "group" in out.output, out.output
    fixed = show(str(wrong), "--fault", "partition", "--out", str(tmp_path / "b"))
    assert fixed.exit_code == 0, fixed.output


@pytest.mark.parametrize("faults, words", [
    ("partition", '"faults" is a string; write it as a list of fault names'),
    (["partitions"], "unknown fault 'partitions'"),
])
def test_a_bad_faults_field_is_bad_input_naming_the_file(tmp_path, fault_run, faults, words):
    doc = {**json.loads((fault_run / "trace.json").read_text()), "faults": faults}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    out = show(str(path), "--out", str(tmp_path / "out"))
    assert out.exit_code == 2 and str(path) in out.output and words in out.output, out.output
    assert "internal error" not in out.output
