"""Quorum systems: intersection, surviving failures (the seed's quiz 6), and Paxos over them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from checker import QuorumError, check
from checker.cli.main import main
from checker.dsl.quorums import dc_losses, flexible, grid, majority, parse, placement, threshold, weighted
from protocols.paxos import Paxos

SEVEN = [f"n{i}" for i in range(1, 8)]
FOUR = SEVEN[:4]


def losses(system, dcs, count):
    return {"+".join(o.lost): (len(o.live_nodes), o.live) for o in dc_losses(system, placement(dcs), count)}


def test_quiz6_3_2_2_survives_any_one_data_centre():
    system = majority(SEVEN)
    assert system.need == (4, 4)
    assert losses(system, "3-2-2", 1) == {"dc1": (4, True), "dc2": (5, True), "dc3": (5, True)}


def test_quiz6_losing_dc1_and_dc2_leaves_2_of_the_needed_4():
    assert losses(majority(SEVEN), "3-2-2", 2)["dc1+dc2"] == (2, False)


def test_quiz6_5_1_1_does_not_survive_losing_dc1():
    assert losses(majority(SEVEN), "5-1-1", 1)["dc1"] == (2, False)


def test_two_of_four_is_not_a_majority():
    assert majority(FOUR).need == (3, 3) and majority(FOUR).disjoint_pair() is None
    q1, q2 = threshold(FOUR, 2).disjoint_pair()
    assert not q1 & q2 and len(q1) == len(q2) == 2


@pytest.mark.parametrize(
    ("q1", "q2", "intersect"), [(3, 2, True), (2, 3, True), (4, 1, True), (2, 2, False), (1, 3, False)]
)
def test_flexible_quorums_need_only_phase1_to_meet_phase2(q1, q2, intersect):
    system = flexible(FOUR, q1, q2)
    assert (system.disjoint_pair() is None) == intersect == (q1 + q2 > 4)


def test_weighted_and_grid_systems():
    heavy = weighted(SEVEN[:5], [3, 1, 1, 1, 1])
    assert frozenset({"n1", "n2"}) in heavy.phase1  # weight 4 of 7
    assert heavy.disjoint_pair() is None
    assert len(heavy.smallest_fatal_failure()) == 2  # n1 and one other
    square = grid(FOUR, 2, 2)
    assert square.disjoint_pair() is None and all(len(q) == 3 for q in square.phase1)
    assert len(majority(SEVEN).smallest_fatal_failure()) == 4  # survives any 3


@pytest.mark.parametrize(
    ("text", "message"),
    [("bogus", "write majority"), ("threshold:9", "impossible with 4 nodes"), ("grid:3x3", "needs 9 nodes"),
     ("weighted:1,1", "one non-negative weight per node"), ("flexible:2", "write majority")],
)
def test_bad_systems_are_clear_errors(text, message):
    with pytest.raises(QuorumError, match=message):
        parse(text, FOUR)


def run(*args):
    return CliRunner().invoke(main, ["quorums", *args])


def test_command_reproduces_quiz6():
    out = run("majority", "--dcs", "3-2-2")
    assert out.exit_code == 0, out.output
    assert "lose dc1: 4 nodes left, 4 needed: quorum" in out.output
    assert "lose dc1+dc2: 2 nodes left, 4 needed: NO quorum" in out.output
    assert "survives the loss of any 1 of 3 data centres" in out.output
    bad = run("majority", "--dcs", "5-1-1")
    assert "losing dc1 leaves no quorum" in bad.output


def test_command_names_a_disjoint_pair_and_exits_1():
    out = run("threshold:2", "-n", "4")
    assert out.exit_code == 1
    assert "{n1, n2} and {n3, n4} are both quorums and share no node" in out.output


def test_command_json_and_bad_input():
    doc = json.loads(run("flexible:3,2", "-n", "4", "--json").output)
    assert doc["intersect"] and doc["needed"] == [3, 2] and doc["tolerates_node_failures"] == 1
    assert run("majority").exit_code == 2
    assert "disagree" in run("majority", "-n", "5", "--dcs", "3-2-2").output


def test_paxos_default_quorums_are_unchanged():
    assert check(Paxos(ballots=2)).distinct_states == 3921


def test_paxos_over_a_non_intersecting_flexible_system_loses_agreement():
    result = check(Paxos(ballots=2, quorums="flexible:2,1"))
    assert result.violated and result.property == "agreement" and len(result.trace) - 1 == 10


def test_flexible_paxos_with_intersecting_phases_holds():
    assert check(Paxos(ballots=2, quorums="flexible:3,1")).holds


def test_minority_quorums_variant_owns_its_quorums():
    with pytest.raises(QuorumError, match="drop the quorums parameter"):
        Paxos(variant="minority-quorums", quorums="threshold:2")


@pytest.mark.slow
def test_paxos_two_of_four_is_the_opening_story():
    result = check(Paxos(acceptors=4, ballots=2, quorums="threshold:2"))
    assert result.violated and result.property == "agreement" and len(result.trace) - 1 == 12
    assert check(Paxos(acceptors=4, ballots=2, quorums="flexible:3,2")).holds
