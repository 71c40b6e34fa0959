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
