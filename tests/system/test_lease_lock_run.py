"""Lease-lock clients on a real 3-member etcd cluster, a client paused (SIGSTOP) for longer than its
TTL, and the history checked against protocols.lease: with fencing every run is valid and safe;
without it the stale write the model predicts happens for real, and the model's trace has the shape
of the gallery's counterexample. Each run is about 10 s."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from checker.cli.main import main
from checker.system.lease_history import check_history, read_history
from checker.system.run import RunConfig, execute
from tests.system.conftest import needs_etcd, processes_mentioning

pytestmark = needs_etcd
GALLERY = Path(__file__).resolve().parents[2] / "counterexamples" / "lease-no-fencing" / "trace.json"


def test_with_fencing_the_paused_holder_is_rejected_and_the_run_is_valid(tmp_path):
    out = tmp_path / "fenced"
    result = CliRunner().invoke(main, ["system", "etcd", "lease-lock", "--seed", "1", "--duration", "7",
                                       "--out", str(out), "--json"])
    doc = json.loads(result.stdout)
    assert result.exit_code == 0, result.output
    assert doc["valid"] and not doc["violations"] and doc["linearizable"] and doc["model_agrees_with_storage"]
    assert doc["stale_writes_accepted"] == []
    history = read_history(out / "history.jsonl")
    paused = [f for f in history.faults if f["kind"] == "pause-client"]
    assert paused and paused[0]["end"] - paused[0]["start"] >= 3.0  # longer than the 1 s TTL
    rejected = [c for c in history.calls if c["op"] == "write" and c["output"] == "rejected"]
    assert rejected and all(c["client"] == paused[0]["applied_to"][0] for c in rejected)
    assert processes_mentioning(str(out)) == []


def test_without_fencing_the_stale_write_happens_as_the_model_predicts(tmp_path):
    out = tmp_path / "unfenced"
    run = execute(RunConfig(fencing=False, seed=1, duration=7), out, say=lambda _: None)
    assert processes_mentioning(str(out)) == []
    verdict = check_history(read_history(run.history))
    assert verdict.validation.ok and verdict.stale_accepted and verdict.model_violation and verdict.agrees
    assert not verdict.safe
    # the register history is still linearizable: the storage did what it was told, in order
    assert verdict.linearizability.ok
    # the model's trace has the shape of the gallery's counterexample (ticks aside, roles renamed)
    [violation] = [v for v in verdict.validation.violations if v.name == "safe_writes"]
    victim = violation.trace[-1].params["c"]
    gallery = [s for s in json.loads(GALLERY.read_text())["trace"] if s["action"] not in ("Init", "tick")]
    roles = {gallery[-1]["params"]["c"]: "victim"}
    story = [(s["action"], roles.get(s["params"]["c"], "newer")) for s in gallery]
    steps = iter((s.action, "victim" if s.params["c"] == victim else "newer")
                 for s in violation.trace if s.action not in ("Init", "tick"))
    assert all(step in steps for step in story), story  # a subsequence, in order


def test_ctrl_c_stops_every_process_and_keeps_the_history(tmp_path):
    out = tmp_path / "interrupted"
    proc = subprocess.Popen([sys.executable, "-m", "checker", "system", "etcd", "lease-lock", "--duration", "30",
                             "--seed", "2", "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            cwd=Path(__file__).resolve().parents[2], env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not list(out.glob("c*.jsonl")):
        time.sleep(0.2)
    time.sleep(1.5)
    proc.send_signal(signal.SIGINT)
    output = proc.communicate(timeout=30)[0].decode()
    assert "interrupted" in output and "history:" in output, output
    assert processes_mentioning(str(out)) == []
    history = read_history(out / "history.jsonl")
    assert history.config["interrupted"] and any(c["op"] == "grant" for c in history.calls)


def test_a_client_that_fails_is_a_clear_error_and_nothing_is_left_running(tmp_path, monkeypatch):
    from checker.system import run as run_mod

    monkeypatch.setattr(run_mod, "_start_storage", lambda procs, out, fencing: "127.0.0.1:1")  # nobody listens
    out = tmp_path / "broken"
    result = CliRunner().invoke(main, ["system", "etcd", "lease-lock", "--duration", "2", "--faults", "",
                                       "--out", str(out)])
    assert result.exit_code == 2 and "client c" in result.output and "failed (exit 1)" in result.output
    assert "ConnectionRefusedError" in result.output  # the tail of the client's log
    assert processes_mentioning(str(out)) == []
