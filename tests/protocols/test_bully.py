"""Bully election: one leader without partitions, two across a partition or a crash-restart."""

from __future__ import annotations

from checker import check
from protocols.bully import Bully


def test_without_partitions_at_most_one_live_leader():
    result = check(Bully(faults=["crash"]), deadlock=False)
    assert result.holds and result.goals["leader_elected"] is not None


def test_a_lower_process_cannot_win_while_a_higher_one_is_reachable():
    bully = Bully()
    s = bully.action("start_election").fn(bully.initial_states()[0], "p2")
    assert s.role["p2"] == "candidate" and bully.action("declare_victory").fn(s, "p2") is None


def test_a_partition_elects_two_leaders_in_5_steps():
    result = check(Bully(faults=["partition"]), deadlock=False)
    assert result.violated and result.property == "at_most_one_leader" and len(result.trace) == 6
    actions = [s.action for s in result.trace]
    assert actions.count("partition") == 1 and actions.count("declare_victory") == 2


def test_crash_restart_of_the_highest_process_gives_two_leaders_in_6_steps():
    result = check(Bully(faults=["crash-restart"]), deadlock=False)
    assert result.violated and result.property == "at_most_one_leader" and len(result.trace) == 7
    assert [s.action for s in result.trace][-2:] == ["start_election", "declare_victory"]


def test_an_election_ends_in_a_stable_leader():
    result = check(Bully())
    assert result.violated and result.property == "deadlock"
    last = result.trace[-1].state
    assert last.role["p3"] == "leader" and set(last.leader.values()) == {"p3"}
