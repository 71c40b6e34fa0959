"""The search partitioned over Ray workers gives one process's answers, survives a dead worker
through its checkpoint, stops cleanly on Ctrl-C, and leaves no Ray process behind; parallel
simulation finds and replays a violation with every seed said."""

from __future__ import annotations

import os
import sys

import pytest

from checker.array.engine import array
from checker.distributed.engine import distributed
from checker.distributed.simulate import simulate_parallel
from protocols.paxos import Paxos


@pytest.fixture(scope="module")
def ray_instance():
    """One local Ray instance for the comparisons (a run joins it and leaves it running)."""
    import ray

    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}})
    yield ray
    ray.shutdown()


def figures(result) -> tuple:
    return (result.verdict, result.property, result.distinct_states, result.generated_states, result.depth,
            len(result.trace), result.goals, result.coverage)


@pytest.mark.parametrize(("params", "symmetry"), [
    ({"ballots": 3}, None),
    ({"ballots": 2, "variant": "phase2a-ignores-1b"}, None),
    ({"ballots": 3}, ["Acceptor", "Value"]),
])
def test_two_workers_give_one_processes_answers(ray_instance, params, symmetry):
    two = distributed(Paxos(**params), workers=2, symmetry=symmetry)
    one = array(Paxos(**params), symmetry=symmetry)
    assert figures(two) == figures(one)
    assert [s.action for s in two.trace] == [s.action for s in one.trace]
    assert two.engine == "distributed" and two.extra["workers"] == 2


@pytest.mark.parametrize("limit", [100, 3920])
def test_the_state_limit_is_exact_across_workers(ray_instance, limit):
    two = distributed(Paxos(ballots=2), workers=2, max_states=limit)
    one = array(Paxos(ballots=2), max_states=limit)
    assert (two.verdict, two.distinct_states, two.message) == (one.verdict, one.distinct_states, one.message)


def test_parallel_simulation_finds_and_replays_a_violation(ray_instance):
    found = simulate_parallel(Paxos(ballots=2, variant="phase2a-ignores-1b"), workers=2, seed=11, walks=400)
    assert found.violated and found.property == "agreement" and len(found.trace) - 1 == 12
    details = found.extra
    assert details["seeds"] == [11, 12] and details["winner_seed"] in (11, 12)
    nothing = simulate_parallel(Paxos(ballots=2), workers=2, seed=3, walks=40)
    assert nothing.verdict == "limit" and nothing.extra["walks"] == 40
