"""``quorum explore`` and ``quorum check --explore`` from the command line: what each target opens,
bad input as exit 2 without a traceback, and Ctrl-C stopping the server with nothing left running."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli.commands.explore import session_for
from checker.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
GALLERY = ROOT / "counterexamples" / "paxos-phase2a-ignores-1b" / "trace.json"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize(("target", "params", "protocol", "steps"), [
    ("specs/paxos-small.toml", (), "Paxos(acceptors=3, values=2, ballots=2", 0),
    ("protocols.paxos:Paxos", ("ballots=1",), "Paxos(acceptors=3, values=2, ballots=1", 0),
    (str(GALLERY), (), "variant='phase2a-ignores-1b'", 12),
    (str(GALLERY.parent), (), "variant='phase2a-ignores-1b'", 12),
    ("counterexamples/bully-crash-restart/trace.json", (), "faults=['crash-restart']", 6),  # its spec's faults
])
def test_targets(target, params, protocol, steps, monkeypatch):
    monkeypatch.chdir(ROOT)
    view = session_for(target, params, None).view()
    assert protocol in view["protocol"] and view["steps"] == steps


def test_bad_input_is_exit_2_without_a_traceback(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    doc = json.loads(GALLERY.read_text())
    doc["trace"][3]["action"] = "phase9"
    broken = tmp_path / "trace.json"
    broken.write_text(json.dumps(doc))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        cases = [
            (("explore", "nope"), "no such spec or trace file, and no protocol module:Class"),
            (("explore", "specs/nope.toml"), "specs/nope.toml: no such spec file"),
            (("explore", "protocols/paxos.py"), "explore the protocol in it as module:Class"),
            (("explore", "protocols.paxos:Paxos", "-p", "ballotz=2"), "ballotz"),
            (("explore", str(GALLERY), "--protocol", "protocols.raft:Raft"),
             "the trace was written for protocols.paxos:Paxos, not for protocols.raft:Raft"),
            (("explore", str(broken)), "step 3: Paxos has no action 'phase9'"),
            (("explore", "specs/paxos-small.toml", "--port", port), f"port {port} on 127.0.0.1 is already in use"),
            (("explore", "specs/paxos-small.toml", "--port", "70000"), "a port is 1..65535"),
            (("check", "specs/", "--explore"), "--explore applies to one spec or protocol"),
        ]
        for args, words in cases:
            result = invoke(*args)
            assert result.exit_code == 2, (args, result.output)
            assert words in result.output, (args, result.output)
            assert "Traceback" not in result.output, (args, result.output)


def _start(*args: str) -> tuple[subprocess.Popen, str]:
    """A ``quorum`` process serving the explorer, and the URL it printed."""
    proc = subprocess.Popen([sys.executable, "-m", "checker", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if "Quorum explorer:" in line:
            return proc, line.split(" at ")[1].split()[0]
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError(f"no explorer started: {proc.communicate()}")


def _stop(proc: subprocess.Popen) -> tuple[int, str]:
    proc.send_signal(signal.SIGINT)
    try:
        out, _ = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return proc.returncode, out


def _view(url: str) -> dict:
    with urllib.request.urlopen(url + "api/view", timeout=10) as response:
        return json.load(response)


def test_ctrl_c_stops_the_server_and_exits_0():
    proc, url = _start("explore", "specs/paxos-small.toml")
    try:
        assert _view(url)["protocol"].startswith("Paxos(")
    finally:
        code, out = _stop(proc)
    assert code == 0 and "explorer stopped" in out
    port = int(url.rsplit(":", 1)[1].strip("/"))
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port))  # nothing listens any more


def test_check_explore_opens_on_the_counterexample():
    proc, url = _start("check", "protocols.paxos:Paxos", "-p", "ballots=2", "-p", "variant=phase2a-ignores-1b",
                       "--explore", "-q")
    try:
        view = _view(url)
    finally:
        code, out = _stop(proc)
    assert view["loaded"]["property"] == "agreement" and view["steps"] == 12 and view["step"] == 0
    assert code == 1  # the check's own verdict: violated


def test_explore_json_announces_the_server_as_one_line():
    proc = subprocess.Popen([sys.executable, "-m", "checker", "explore", "specs/paxos-small.toml", "--json"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        doc = json.loads(proc.stdout.readline())
        assert doc["url"] == f"http://127.0.0.1:{doc['port']}/" and doc["protocol"].startswith("Paxos(")
        assert _view(doc["url"])["protocol"] == doc["protocol"]
    finally:
        code, out = _stop(proc)
    assert code == 0 and out == ""
