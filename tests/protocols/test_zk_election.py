"""ZooKeeper's election recipe: one leader with a live session, epochs fenced at the resource; without
fencing the paused leader's stale command lands, without the re-check two live leaders."""

from __future__ import annotations

import pytest

from checker import check
from protocols.zk_election import ZkElection
from tests.protocols.steps import assert_spec_met, replay

BASE = {"ttl": 2, "pause": 3}


def test_three_candidates_one_live_leader_and_fenced_commands():
    result = check(ZkElection(clients=3, **BASE))
    assert result.holds
    assert result.distinct_states == 29_788
    assert result.goals == {"elected": 3, "handover": 7}


def test_small_instance_and_crashes_hold():
    assert check(ZkElection(**ZkElection.small_instance)).distinct_states == 575
    crashed = check(ZkElection(clients=2, **BASE, faults=["crash"]))
    assert crashed.holds and crashed.distinct_states == 4_090


def test_without_fencing_the_paused_leaders_stale_command_lands():
    result = check(ZkElection(clients=2, **BASE, variant="no-fencing"))
    assert result.violated and result.property == "fenced_commands"
    assert len(result.trace) - 1 == 11
    actions = [step.label for step in result.trace[1:]]
    assert actions[2:4] == ["check(c=c1, i=0)", "gc_pause(c=c1)"]
    assert "expire(c=c1)" in actions and actions[-2:] == ["command(c=c2, i=1)", "command(c=c1, i=0)"]
    last = result.trace[-1].state
    assert last.applied == 1 and last.fence == 2  # epoch 1 applied after epoch 2


def test_with_fencing_the_deposed_leader_is_rejected_and_learns_it():
    proto = ZkElection(clients=2, **BASE)
    s = replay(proto, [("volunteer", "c1"), ("volunteer", "c2"), ("check", "c1", 0), ("gc_pause", "c1"),
                       ("tick",), ("tick",), ("tick",), ("expire", "c1"), ("check", "c2", 1), ("command", "c2", 1),
                       ("command", "c1", 0)])
    assert s.applied == 2 and s.fence == 2 and s.commands == 1
    assert s.pc["c1"] == "out" and s.pc["c2"] == "acted"


def test_a_notified_follower_that_does_not_recheck_leads_beside_the_leader():
    result = check(ZkElection(clients=3, **BASE, variant="no-recheck"))
    assert result.violated and result.property == "one_live_leader"
    assert len(result.trace) - 1 == 7
    actions = [step.label for step in result.trace[1:]]
    assert actions[-3:] == ["follow(c=c3, i=2, j=1)", "resign(c=c2, i=1)",
                            "wake(c=c3, e=event(dst=c3, path=/election/1))"]
    last = result.trace[-1].state
    assert last.pc["c1"] == "leader" and last.pc["c3"] == "leader"
    assert last.session["c1"] > 0 and last.session["c3"] > 0
    why = ZkElection(clients=3, variant="no-recheck").explain_one_live_leader(last)
    assert why.startswith("c1 (/election/0) and c3 (/election/2) believe they lead")


def test_the_correct_follower_lists_again_and_follows_the_leader():
    proto = ZkElection(clients=3, **BASE)
    s = replay(proto, [("volunteer", "c1"), ("volunteer", "c2"), ("volunteer", "c3"), ("check", "c1", 0),
                       ("follow", "c3", 2, 1), ("resign", "c2", 1)])
    (event,) = s.events
    s = proto.action("wake").fn(s, "c3", event)
    assert s.pc["c3"] == "candidate"
    assert proto.action("check").fn(s, "c3", 2) is None  # /election/0 is still there
    s = proto.action("follow").fn(s, "c3", 2, 0)
    assert s.pc["c3"] == "follower" and s.watch["c3"] == "/election/0"


def test_the_recheck_bug_needs_a_follower_in_the_middle():
    result = check(ZkElection(clients=2, **BASE, variant="no-recheck"))
    assert result.holds and result.distinct_states == 575


def test_even_the_correct_recipe_has_two_believers():
    result = check(ZkElection(clients=2, **BASE), properties=["single_leader"])
    assert result.violated and result.property == "single_leader"
    assert len(result.trace) - 1 == 8
    last = result.trace[-1].state
    assert last.pc["c1"] == "leader" and last.session["c1"] == 0 and last.pc["c2"] == "leader"


def test_only_the_leader_can_pause_and_a_paused_leader_cannot_command():
    proto = ZkElection(clients=2, **BASE)
    s = replay(proto, [("volunteer", "c1"), ("volunteer", "c2")])
    assert proto.action("gc_pause").fn(s, "c1") is None
    s = replay(proto, [("volunteer", "c1"), ("check", "c1", 0), ("gc_pause", "c1")])
    assert proto.action("command").fn(s, "c1", 0) is None


@pytest.mark.parametrize("name", ["zk-election", "zk-election-no-fencing", "zk-election-no-recheck",
                                  "zk-election-two-believers"])
def test_specs_meet_their_expectations(name):
    assert_spec_met(name)
