"""A Ray instance the command starts is gone when it ends — after a verdict, after a worker died
(the run ends with the checkpoint to resume from, and resuming finishes it), after Ctrl-C."""

from __future__ import annotations

import os
import signal

import ray

from checker.distributed import bfs
from checker.distributed.engine import distributed
from protocols.paxos import Paxos
from tests.distributed.test_distributed import ray_processes


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
    import socket
    import subprocess
    import sys
    from pathlib import Path

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ray_cli = str(Path(sys.executable).parent / "ray")
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    subprocess.run([ray_cli, "start", "--head", f"--port={port}", "--node-ip-address=127.0.0.1", "--num-cpus=2",
                    "--include-dashboard=false", "--disable-usage-stats"], check=True, capture_output=True, env=env,
                   timeout=120)
    try:
        joined = distributed(Paxos(ballots=2), workers=2, ray_address=f"127.0.0.1:{port}")
        assert joined.holds and joined.distinct_states == 3921
        assert not ray.is_initialized()  # disconnected ...
        assert ray_processes()  # ... and the cluster it joined is still up
    finally:
        subprocess.run([ray_cli, "stop", "--force"], capture_output=True, env=env, timeout=120)
    assert not ray_processes()
