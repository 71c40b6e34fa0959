"""The seed's opening story: a quorum counted over the nodes in reach elects two leaders under a
non-transitive partition; majority quorums of all nodes hold under every pattern of cut links."""

from __future__ import annotations

import pytest

from checker import check
from protocols.majority_election import MajorityElection
from tests.protocols.steps import assert_spec_met, replay


@pytest.mark.parametrize("name", ["majority-election", "majority-election-reachable-majority"])
def test_the_specs_give_their_verdicts(name):
    assert_spec_met(name)


def test_the_shortest_story_is_a_non_transitive_partition():
    result = check(MajorityElection(variant="reachable-majority", faults=["link-cut"], cuts=3), deadlock=False)
    assert result.property == "no_conflicting_writes" and len(result.trace) == 12
    last = result.trace[-1].state
    assert last.cut == {"n1-n2", "n2-n3"}
    protocol = result.protocol
    for bridge in ("n4", "n5"):  # they reach both leaders, which cannot reach each other
        assert protocol.reaches(last, bridge, "n1") and protocol.reaches(last, bridge, "n2")
    assert not protocol.reaches(last, "n1", "n2")
    assert "n2's 2 votes are a majority of the 3 nodes it reaches, not of all 5" in protocol.explanation(
        "no_conflicting_writes", last)


def test_two_cut_links_are_too_few_for_a_clean_partition_yet_enough():
    """Splitting five nodes into groups takes at least four cuts (one node alone)."""
    result = check(MajorityElection(variant="reachable-majority", faults=["link-cut"], cuts=2), deadlock=False)
    assert result.violated and len(result.trace) == 12


STORY = [("cut_link", "n1-n2"), ("cut_link", "n1-n3"), ("cut_link", "n2-n3"),  # three nodes cut from each other
         ("campaign", "n1"), ("vote", "n4", "n1"), ("campaign", "n2"), ("vote", "n5", "n2")]


def test_the_seeds_pattern_three_nodes_cut_from_each_other_elects_two_leaders():
    buggy = MajorityElection(variant="reachable-majority", faults=["link-cut"], cuts=3)
    s = replay(buggy, [*STORY, ("become_leader", "n1"), ("accept_write", "n1"), ("become_leader", "n2"),
                       ("accept_write", "n2")])
    assert not buggy.no_conflicting_writes(s)
    correct = MajorityElection(faults=["link-cut"], cuts=3)
    s = replay(correct, STORY)
    assert correct.action("become_leader").fn(s, "n1") is None  # 2 of 5 votes: no quorum
    assert correct.action("become_leader").fn(s, "n2") is None


def test_a_clean_partition_breaks_the_reachable_majority_too_and_majorities_hold():
    assert check(MajorityElection(variant="reachable-majority", faults=["partition"]), deadlock=False).violated
    assert check(MajorityElection(faults=["partition"]), deadlock=False).holds


def test_without_faults_one_leader_accepts_writes_either_way():
    for variant in ("correct", "reachable-majority"):
        result = check(MajorityElection(variant=variant), deadlock=False)
        assert result.holds and result.goals["write_accepted"] is not None
