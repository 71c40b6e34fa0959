"""The ZooKeeper barrier: no worker proceeds unless all N are at the barrier, and the two-step
variant's stale count, which only a crash (an expired session deleting a node) makes wrong."""

from __future__ import annotations

import pytest

from checker import check
from protocols.zk_barrier import ZkBarrier


@pytest.mark.parametrize(("workers", "faults", "states"), [(2, [], 13), (3, [], 69), (2, ["crash"], 326),
                                                             (3, ["crash"], 10_464)])
def test_the_recipe_never_starts_early(workers, faults, states):
    result = check(ZkBarrier(workers=workers, faults=faults))
    assert result.holds and result.distinct_states == states
    assert result.goals["all_proceed"] == 2 * workers  # each worker: enter, then count


def test_the_two_step_shortcut_is_harmless_without_crashes():
    result = check(ZkBarrier(variant="two-step"))
    assert result.holds and result.distinct_states == 30
    assert result.goals["all_proceed"] == 5  # w1 looks, creates, waits; w2 looks and creates (and goes): w1 wakes


def test_two_step_proceeds_alone_after_the_other_worker_crashed_in_8_steps():
    result = check(ZkBarrier(variant="two-step", faults=["crash"]))
    assert result.violated and result.property == "no_early_start" and len(result.trace) == 9
    actions = [(s.action, s.params.get("w") or s.params.get("n") or s.params.get("c")) for s in result.trace[1:]]
    assert actions == [("enter", "w1"), ("enter", "w1"), ("enter", "w2"), ("crash", "w1"), ("tick", None),
                       ("tick", None), ("expire", "w1"), ("enter", "w2")]
    last = result.trace[-1].state
    assert last.pc["w2"] == "proceeded" and last.met["w2"] == 1 and last.data["/barrier/w1"] is None
    assert result.trace[3].state.seen["w2"] == 1  # the stale count: w1's node was there when w2 listed
    assert "w2 with 1" in ZkBarrier(variant="two-step").explanation("no_early_start", last)


def test_two_step_with_three_workers_needs_10_steps():
    result = check(ZkBarrier(workers=3, variant="two-step", faults=["crash"]))
    assert result.violated and result.property == "no_early_start" and len(result.trace) == 11
    assert result.trace[-1].state.met["w3"] == 2
