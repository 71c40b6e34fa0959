"""The seed's quiz 5 on a discrete clock: the time until a new leader after the leader's crash."""

from __future__ import annotations

import pytest

from checker import QuorumError, check
from checker.explicit.extremes import extremes, make_query
from protocols.election_timing import ElectionTiming
from tests.protocols.steps import assert_spec_met


def query(protocol, exclude=None):
    return make_query(protocol, "leader_elected", {"tick": "tick_ms"}, "ms", exclude)


def test_quiz_5_without_split_votes_takes_150_to_300_ms():
    p = ElectionTiming()
    answer = extremes(p, query(p, "competing_candidates"))
    assert (answer.minimum.cost, answer.maximum.cost) == (150, 300)
    assert answer.never is None
    fastest, slowest = answer.minimum.trace, answer.maximum.trace
    assert [s.action for s in fastest] == ["Init", "tick", "tick", "tick", "timeout", "vote", "vote", "become_leader"]
    assert set(slowest[0].state.timer.values()) == {6}  # every timer drawn at 300 ms


def test_two_live_servers_split_their_votes_for_ever():
    p = ElectionTiming(servers=3, timeout_max_ms=200)
    answer = extremes(p, query(p))
    assert answer.minimum.cost == 150 and answer.unbounded
    lasso, start = answer.maximum.trace, answer.maximum.loop_start
    assert lasso[start].state == lasso[-1].state
    cycle = [s.action for s in lasso[start + 1:]]
    assert cycle.count("timeout") == 2 and "become_leader" not in cycle and "tick" in cycle


def test_the_cost_follows_the_tick_size():
    p = ElectionTiming(servers=3, tick_ms=75, timeout_max_ms=225)
    answer = extremes(p, query(p, "competing_candidates"))
    assert (answer.minimum.cost, answer.maximum.cost) == (150, 225)


def test_timeouts_the_clock_cannot_express_are_bad_input():
    with pytest.raises(QuorumError, match="timeout_min_ms=120 is not a multiple of tick_ms=50"):
        ElectionTiming(timeout_min_ms=120)
    with pytest.raises(QuorumError, match="timeout_max_ms=100 is below timeout_min_ms=150"):
        ElectionTiming(timeout_max_ms=100)


def test_the_election_is_safe_and_votes_twice_is_not():
    assert check(ElectionTiming(servers=4)).holds
    assert_spec_met("election-timing-votes-twice")
