"""The array engine from the command line: its figures in --json, symmetry and checkpoint flags, a
real Ctrl-C (SIGINT to a running process) that saves a checkpoint, and --resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from click.testing import CliRunner

from checker.cli.main import main


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_check_json_names_the_store_and_bytes_per_state():
    out = run("check", "protocols.paxos:Paxos", "-p", "ballots=2", "--json", "-q")
    doc = json.loads(out.output)
    assert out.exit_code == 0 and doc["engine"] == "array" and doc["distinct_states"] == 3921
    assert doc["store"] == "fingerprints" and 0 < doc["bytes_per_state"] < 200 and doc["device"].startswith("cpu")


def test_symmetry_flag_and_its_refusal():
    out = run("check", "protocols.paxos:Paxos", "-p", "ballots=2", "--symmetry", "Acceptor", "--symmetry", "Value",
              "-q")
    assert out.exit_code == 0 and "443 distinct states" in out.output and "symmetry over Acceptor, Value" in out.output
    out = run("check", "protocols.bully:Bully", "--symmetry", "Process", "-q")
    assert out.exit_code == 2 and "refused" in out.output
    out = run("check", "protocols.paxos:Paxos", "-p", "ballots=2", "--engine", "explicit", "--symmetry", "Acceptor")
    assert out.exit_code == 2 and "has no option 'symmetry'" in out.output


def test_device_gpu_without_a_gpu_is_a_clear_error():
    out = run("check", "protocols.paxos:Paxos", "-p", "ballots=2", "--device", "gpu")
    assert out.exit_code == 2 and "CuPy" in out.output and "Traceback" not in out.output


def test_sigint_saves_a_checkpoint_and_resume_finishes_the_run(tmp_path):
    folder = tmp_path / "ckpt"
    cmd = [sys.executable, "-m", "checker", "check", "protocols.paxos:Paxos", "-p", "ballots=4",
           "--checkpoint", str(folder)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()  # the first progress line: the search is under way
        assert "distinct states" in line, line
        os.kill(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in out + err
    saved = json.loads((folder / "checkpoint.json").read_text())
    assert saved["parameters"]["ballots"] == 4 and saved["level"] > 1
    start = time.perf_counter()
    resumed = subprocess.run([*cmd[:-2], "--resume", str(folder), "--max-depth", "18", "--json", "-q"],
                             capture_output=True, text=True, timeout=300)
    whole = subprocess.run([*cmd[:-2], "--max-depth", "18", "--json", "-q"], capture_output=True, text=True,
                           timeout=300)
    a, b = json.loads(resumed.stdout), json.loads(whole.stdout)
    assert (a["verdict"], a["distinct_states"], a["depth"]) == (b["verdict"], b["distinct_states"], b["depth"])
    assert time.perf_counter() - start < 300
