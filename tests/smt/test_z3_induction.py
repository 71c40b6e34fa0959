"""Induction: Paxos's invariant is inductive; dropping a conjunct yields a confirmed CTI naming it."""

from __future__ import annotations

import pytest

from checker.core.trace import Step
from checker.errors import InternalError
from checker.explicit.bfs import explore
from checker.smt.induction import confirm_cti, induction
from protocols.paxos import Paxos

INV = list(Paxos.INV)


def test_paxos_invariant_is_inductive_and_implies_agreement():
    result = induction(Paxos(ballots=2), INV, implies=["agreement", "validity"])
    assert result.holds, result.summary()
    assert result.summary().startswith("inductive: type_ok ∧")
    assert "for 3 acceptors, 2 values, ballots 0..1 (this instance size only)" in result.summary()


def test_explicit_engine_agrees_the_invariant_holds_on_ballots_0_1():
    assert explore(Paxos(ballots=2), ["inductive_invariant"]).holds


def test_dropping_a_conjunct_gives_a_cti_that_names_the_broken_one():
    weaker = [c for c in INV if c != "votes_follow_proposals"]
    result = induction(Paxos(ballots=2), weaker)
    assert result.violated and result.extra["cti"]
    assert result.property == "one_value_per_ballot"
    assert result.trace[1].action == "phase2b"
    assert result.summary().startswith("not inductive: one_value_per_ballot breaks when phase2b(")


def test_not_an_invariant_at_all_is_a_real_trace_from_the_base_case():
    result = induction(Paxos(ballots=2, variant="minority-quorums"), ["agreement"], k=9)
    assert result.violated and result.trace[0].action == "Init"


def test_k_induction_needs_k_at_least_one():
    from checker.errors import QuorumError

    with pytest.raises(QuorumError, match=r"induction: k=0 is out of range: k takes at least 1"):
        induction(Paxos(ballots=2), INV, k=0)


def test_a_cti_whose_successor_is_wrong_is_an_internal_error():
    weaker = [c for c in INV if c != "votes_follow_proposals"]
    paxos = Paxos(ballots=2)
    cti = induction(paxos, weaker).trace
    forged = [cti[0], Step(cti[1].action, cti[1].params, cti[0].state)]
    with pytest.raises(InternalError, match="not to the state Z3 claims"):
        confirm_cti(paxos, forged, weaker)
