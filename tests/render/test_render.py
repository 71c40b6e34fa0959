"""Structure of the rendered counterexamples: lifelines, arrows, the highlighted step, the
explanation, the report and the ITF round trip (not pixels)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from checker import QuorumError
from checker import check as run_check
from checker.core.replay import replay
from checker.render import chart, explain, itf, msc
from checker.render.dot import have_dot
from checker.render.roles import ENVIRONMENT, cast
from protocols.paxos import Paxos
from tests.toys import Pinger

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def buggy():
    protocol = Paxos(ballots=2, variant="phase2a-ignores-1b")
    result = run_check(protocol)
    assert result.violated
    return protocol, result


def test_paxos_declares_leaders_and_acceptors():
    who = cast(Paxos(ballots=2))
    assert who.lifelines == ["leader 0", "leader 1", "a1", "a2", "a3"]
    assert who.messages["msgs"].receiver == {"1b": "bal"}


def test_chart_has_lifelines_arrows_and_violation(buggy):
    protocol, result = buggy
    c = chart.build(protocol, result.trace, violation=result.property)
    assert c.events[1].actor.startswith("leader")
    one_a = [m for m in c.messages if m.label.startswith("1a")]
    assert one_a and all(m.sender.startswith("leader") for m in one_a)
    assert any(len(m.receipts) >= 2 for m in one_a), "a 1a broadcast fans out to several acceptors"
    reports = [m for m in c.messages if m.label.startswith("1b")]
    assert all(m.receipts and m.receipts[0][0].startswith("leader") for m in reports)
    source = msc.to_dot(c, title="t")
    for line in c.lifelines:
        assert f'"h:{line}"' in source
    last = len(result.trace) - 1
    assert f'"g:{last}" [shape=plaintext, label="{last} ✗"' in source
    assert "agreement violated in the state after step" in source


def test_explanation_names_the_quorums(buggy):
    protocol, result = buggy
    why = explain.explain(protocol, result.trace[-1].state, "agreement")
    assert "for pair = (v1, v2)" in why.text
    assert why.text.count("chosen_at(") == 2 and "witness Q = {" in why.text


def test_inferred_roles_inbox_and_loss():
    p = Pinger()
    who = cast(p)
    assert who.lifelines == ["n1", "n2"]
    assert who.messages["net"].sender == {"ping": "src"} and who.messages["net"].receiver == {"ping": "dst"}
    init = p.initial_states()[0]
    s1 = p.send.__func__(p, init, "n1", "n2")
    s2 = p.drop_message.__func__(p, s1, "n1")
    s3 = p.send.__func__(p, s2, "n2", "n1")
    s4 = p.receive.__func__(p, s3, "n1")
    from checker.core.trace import Step

    trace = replay(p, [Step("Init", {}, init), Step("send", {"i": "n1", "j": "n2"}, s1),
                       Step("drop_message", {"i": "n1"}, s2), Step("send", {"i": "n2", "j": "n1"}, s3),
                       Step("receive", {"i": "n1"}, s4)])
    c = chart.build(p, trace)
    lost, delivered = c.messages
    assert lost.lost_at == 2 and c.events[2].fault == "loss"
    assert delivered.receipts == [("n1", 4)] and c.events[4].notes == {"n1": ["got[n1] = c2"]}
    assert ENVIRONMENT not in c.lifelines
    assert '"x:0"' in msc.to_dot(c)


def test_declare_messages_names_a_variable():
    class Bad(Pinger):
        def setup(self):
            super().setup()
            self.declare_messages("nett")

    with pytest.raises(QuorumError, match="did you mean 'net'|Did you mean 'net'"):
        Bad()


def test_itf_round_trip(buggy):
    protocol, result = buggy
    doc = itf.export(protocol, result.trace)
    back = itf.import_trace(protocol, json.loads(json.dumps(doc)))
    assert [s.state for s in replay(protocol, back)] == [s.state for s in result.trace]
    assert [s.label for s in back] == [s.label for s in result.trace]


def test_check_out_writes_report_and_show_rerenders(tmp_path):
    out = tmp_path / "out"
    spec = str(ROOT / "specs/paxos-invents-value.toml")
    cmd = [sys.executable, "-m", "checker", "check", spec, "--out", str(out), "-q"]
    assert subprocess.run(cmd, cwd=ROOT, capture_output=True).returncode == 0  # spec expectation met
    for name in ("trace.json", "trace.itf.json", "msc.dot", "states.dot", "states.graphml", "report.html"):
        assert (out / name).exists(), name
    page = (out / "report.html").read_text()
    assert "Why it failed" in page and "validity is false" in page and 'class="last"' in page
    if have_dot():
        assert "<svg" in page and (out / "msc.svg").exists()
    again = tmp_path / "again"
    shown = subprocess.run([sys.executable, "-m", "checker", "show", str(out / "trace.itf.json"), "--out", str(again)],
                           cwd=ROOT, capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert (again / "msc.dot").read_text() == (out / "msc.dot").read_text()


def test_missing_dot_still_writes_dot_json_html(buggy, tmp_path, monkeypatch):
    from checker.render import bundle, dot

    monkeypatch.setattr(dot, "have_dot", lambda: False)
    protocol, result = buggy
    written, notes = bundle.render_trace(protocol, result.to_json(), result.trace, tmp_path, states=False)
    assert notes and "apt-get install graphviz" in notes[0]
    assert (tmp_path / "msc.dot").exists() and (tmp_path / "report.html").exists()
    assert not (tmp_path / "msc.svg").exists()


def test_gallery_is_up_to_date():
    """Re-renders every gallery folder from its stored trace (no model checking): fast."""
    env = dict(os.environ)
    run = subprocess.run([sys.executable, "-m", "checker", "gallery", "--check"], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_regenerating_the_gallery_changes_nothing(tmp_path):
    """Re-runs every check behind the gallery (about 20 s) and compares every file byte for byte, so a
    model change that alters a shortest counterexample fails CI until the gallery is regenerated."""
    env = dict(os.environ)
    out = tmp_path / "gallery"
    run = subprocess.run([sys.executable, "-m", "checker", "gallery", "--out", str(out)], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    committed = ROOT / "counterexamples"
    fresh = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    kept = {p.relative_to(committed): p.read_bytes() for p in committed.rglob("*") if p.is_file()}
    assert sorted(map(str, fresh)) == sorted(map(str, kept)), "gallery folders differ: run `make gallery`"
    stale = [str(name) for name, data in fresh.items() if kept[name] != data]
    assert not stale, f"out of date (run `make gallery`): {stale[:5]}"
