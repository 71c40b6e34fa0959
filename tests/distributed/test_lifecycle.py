"""A Ray instance the command starts is gone when it ends — after a verdict, after a worker died
(the run ends with the checkpoint to resume from, and resuming finishes it), after Ctrl-C."""

from __future__ import annotations

import os
import signal

import ray

from checker.distributed import bfs
from checker.distributed.engine import distributed
from protocols.paxos import Paxos
from tests.distributed.processes import ray_processes, stop


def test_zero_workers_is_bad_input():
    import pytest

    from checker.errors import QuorumError

    with pytest.raises(QuorumError, match="at least one worker"):
        distributed(Paxos(ballots=2), workers=0)


def test_a_finished_run_leaves_no_ray_process():
    assert distributed(Paxos(ballots=2), workers=2).holds
    assert not ray.is_initialized() and not ray_processes()


def test_a_dead_worker_ends_the_run_with_a_checkpoint_to_resume_from(tmp_path, monkeypatch):
    saves = []
    save = bfs.Driver.save

    def save_then_kill(self):
        save(self)
        saves.append(1)
        if len(saves) == 3:  # a worker dies between levels, as kill -9 would do it
            pid = self.get(self.shards[1].pid.remote())
            os.kill(pid, signal.SIGKILL)

    monkeypatch.setattr(bfs.Driver, "save", save_then_kill)
    died = distributed(Paxos(ballots=3), workers=2, checkpoint=str(tmp_path), checkpoint_every=0)
    assert died.verdict == "error" and "a worker died" in died.message
    assert f"resume with --resume {tmp_path} --workers 2" in died.message
    monkeypatch.undo()
    resumed = distributed(Paxos(ballots=3), workers=2, resume=str(tmp_path))
    assert resumed.holds and resumed.distinct_states == 185_369
    assert not ray_processes()


def test_ctrl_c_stops_every_worker_and_keeps_the_figures(monkeypatch):
    levels = []
    tick = bfs.Budget.tick

    def interrupted(self, depth, status):
        levels.append(1)
        if len(levels) == 4:
            raise KeyboardInterrupt
        return tick(self, depth, status)

    monkeypatch.setattr(bfs.Budget, "tick", interrupted)
    result = distributed(Paxos(ballots=3), workers=2)
    assert result.verdict == "limit" and result.interrupted and result.distinct_states > 0
    assert not ray.is_initialized()
    assert not ray_processes()


def test_joining_a_running_cluster_leaves_it_running(tmp_path):
    import json
    import socket
    import subprocess
    import sys
    from pathlib import Path

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ray_cli = str(Path(sys.executable).parent / "ray")
    mark = rf"[:=]{port}\b"  # its processes name the port (--gcs-address=…:PORT, --gcs_server_port=PORT)
    # a local test cluster without token authentication, as the driver's own instances run
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "disabled"}
    subprocess.run([ray_cli, "start", "--head", f"--port={port}", "--node-ip-address=127.0.0.1", "--num-cpus=2",
                    "--include-dashboard=false", "--disable-usage-stats"], check=True,
                   capture_output=True, env=env, timeout=120)
    try:  # the command line, in its own process, as a user runs it
        out = subprocess.run([sys.executable, "-m", "checker", "check", "protocols.paxos:Paxos", "-p", "ballots=2",
                              "--workers", "2", "--ray-address", f"127.0.0.1:{port}", "--json", "-q"],
                             capture_output=True, text=True, env=env, timeout=300)
        doc = json.loads(out.stdout)
        assert (doc["verdict"], doc["distinct_states"], doc["workers"]) == ("holds", 3921, 2), out.stderr[-2000:]
        assert ray_processes(marker=mark)  # it disconnected, and the cluster it joined is still up
    finally:
        stop(mark)  # never `ray stop`: it would stop every Ray on the machine
    assert not ray_processes(marker=mark)
