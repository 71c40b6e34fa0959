"""The work queue on ephemeral claim nodes: exactly once without crashes; with them at least once
(process, then remove) or at most once (remove, then process), never both; and the claim written
with a put after a read, which gives one task to two workers."""

from __future__ import annotations

import pytest

from checker import check
from protocols.zk_queue import ZkQueue


def steps(result):
    return [(s.action, s.params.get("w") or s.params.get("n") or s.params.get("c")) for s in result.trace[1:]]


@pytest.mark.parametrize(("workers", "tasks", "states"), [(2, 1, 19), (2, 2, 120), (3, 2, 584)])
def test_claims_with_create_process_every_task_exactly_once(workers, tasks, states):
    result = check(ZkQueue(workers=workers, tasks=tasks))
    assert result.holds and result.distinct_states == states
    assert result.goals["all_processed"] == 3 * tasks  # pick, claim, process per task


def test_read_then_write_gives_one_task_to_two_workers_in_6_steps():
    result = check(ZkQueue(variant="read-then-write"))
    assert result.violated and result.property == "processed_once" and len(result.trace) == 7
    assert steps(result) == [("pick", "w1"), ("pick", "w2"), ("claim", "w1"), ("claim", "w2"), ("process", "w1"),
                             ("process", "w2")]
    last = result.trace[-1].state
    assert last.processed["t1"] == 2 and last.pc["w1"] == last.pc["w2"] == "processed"
    assert "processed twice" in ZkQueue().explanation("processed_once", last)


def test_a_crash_after_processing_makes_the_recipe_process_twice_in_10_steps():
    result = check(ZkQueue(faults=["crash"]))
    assert result.violated and result.property == "processed_once" and len(result.trace) == 11
    assert steps(result) == [("pick", "w1"), ("pick", "w2"), ("claim", "w1"), ("process", "w1"), ("crash", "w1"),
                             ("tick", None), ("tick", None), ("expire", "w1"), ("claim", "w2"), ("process", "w2")]
    expired = result.trace[8].state
    assert expired.data["/claim/t1"] is None and expired.data["/tasks/t1"] == "set"  # claim gone, task still queued


def test_the_recipe_is_at_least_once_under_crashes():
    result = check(ZkQueue(tasks=2, faults=["crash"]), properties=["no_task_lost", "all_processed"])
    assert result.holds and result.distinct_states == 2_810


def test_delete_first_is_at_most_once_under_crashes():
    assert check(ZkQueue(variant="delete-first")).holds  # exactly once without crashes
    result = check(ZkQueue(tasks=2, variant="delete-first", faults=["crash"]), properties=["processed_once"])
    assert result.holds and result.distinct_states == 2_594


def test_delete_first_loses_a_task_its_worker_crashes_on_in_4_steps():
    result = check(ZkQueue(variant="delete-first", faults=["crash"]))
    assert result.violated and result.property == "no_task_lost" and len(result.trace) == 5
    assert steps(result) == [("pick", "w1"), ("claim", "w1"), ("remove", "w1"), ("crash", "w1")]
    last = result.trace[-1].state
    assert last.processed["t1"] == 0 and last.data["/tasks/t1"] is None


def test_the_tasks_are_in_the_queue_from_the_start():
    s = ZkQueue(tasks=2).initial_states()[0]
    assert [s.data[k] for k in ("/tasks/t1", "/tasks/t2", "/claim/t1", "/claim/t2")] == ["set", "set", None, None]
    assert s.owner["/tasks/t1"] is None and s.revision == 0  # persistent, created before the run
