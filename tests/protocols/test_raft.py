"""Raft leader election: election safety, leader completeness, and each buggy variant's trace."""

from __future__ import annotations

import pytest

from checker import check
from protocols.raft import Raft


def test_one_term_holds_and_elects():
    result = check(Raft(terms=1), deadlock=False)
    assert result.holds and result.distinct_states == 2297
    assert result.goals["leader_elected"] is not None and result.goals["entry_committed"] is not None


def test_a_server_voting_twice_elects_two_leaders_in_8_steps():
    result = check(Raft(terms=1, variant="votes-twice"), deadlock=False)
    assert result.violated and result.property == "election_safety" and len(result.trace) == 9


def test_two_of_four_is_not_a_majority():
    result = check(Raft(servers=4, terms=1, variant="half-is-majority"), deadlock=False)
    assert result.violated and result.property == "election_safety" and len(result.trace) == 9
    assert Raft(servers=4, terms=1, variant="half-is-majority").majority == 2


def test_skipping_the_log_check_loses_a_committed_entry_in_12_steps():
    result = check(Raft(terms=2, variant="no-log-check"), deadlock=False)
    assert result.violated and result.property == "leader_completeness" and len(result.trace) == 13
    last = result.trace[-1].state
    assert any(e.term == 1 for e in last.committed)


def test_votedfor_must_survive_a_restart():
    result = check(Raft(terms=1, variant="votedfor-not-persisted", faults=["crash-restart"]), deadlock=False)
    assert result.violated and result.property == "election_safety" and len(result.trace) == 11
    actions = [s.action for s in result.trace]
    assert "crash" in actions and "restart" in actions


def test_votedfor_not_persisted_is_harmless_without_restarts():
    assert check(Raft(terms=1, variant="votedfor-not-persisted"), deadlock=False).holds


def test_bounded_terms_end_in_a_split_vote():
    result = check(Raft(terms=1))
    assert result.violated and result.property == "deadlock"


@pytest.mark.slow
def test_faulty_network_and_crash_restart_keep_one_leader_per_term():
    result = check(Raft(terms=1, faults=["loss", "duplication", "crash-restart"]), deadlock=False)
    assert result.holds and result.distinct_states == 259_272


@pytest.mark.slow
def test_two_terms_hold_exhaustively():
    result = check(Raft(terms=2), deadlock=False)
    assert result.holds and result.distinct_states == 777_732
