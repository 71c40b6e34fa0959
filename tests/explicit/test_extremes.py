"""The extremes query on hand-checkable toys: the least and greatest cost of reaching a goal, each
witness replayed, a lasso when no bound holds, runs that never arrive, and bad queries."""

from __future__ import annotations

import pytest

from checker import QuorumError
from checker.core.replay import replay
from checker.explicit.extremes import extremes, make_query
from tests.toys import Countdown, Counter, Retry


def answer(protocol, goal, cost, exclude=None, **options):
    return extremes(protocol, make_query(protocol, goal, cost, "ticks", exclude), **options)


def test_a_timer_of_one_to_three_ticks_fires_after_one_to_three():
    a = answer(Countdown(), "fired", {"tick": 1})
    assert a.verdict == "answered" and (a.minimum.cost, a.maximum.cost) == (1, 3)
    assert [s.label for s in a.minimum.trace] == ["Init", "tick"]
    assert [s.label for s in a.maximum.trace] == ["Init", "tick", "tick", "tick"]  # the free blinks left out
    assert a.maximum.trace[0].state.left == 3 and not a.unbounded and a.never is None


def test_a_cycle_of_free_steps_is_no_time():
    a = answer(Countdown(), "fired", {"blink": 0, "tick": 1})
    assert a.maximum.cost == 3


def test_costs_weigh_steps():
    a = answer(Countdown(), "fired", {"tick": 50})
    assert (a.minimum.cost, a.maximum.cost) == (50, 150)


def test_a_retry_that_may_fail_for_ever_has_no_maximum_and_shows_the_lasso():
    a = answer(Retry(), "done", {"tick": 1})
    assert a.minimum.cost == 0 and [s.label for s in a.minimum.trace] == ["Init", "succeed"]
    assert a.unbounded and a.maximum.cost is None
    lasso, start = a.maximum.trace, a.maximum.loop_start
    assert [s.label for s in lasso] == ["Init", "fail", "tick", "tick"] and start == 0
    assert lasso[start].state == lasso[-1].state
    assert [s.label for s in a.never] == ["Init", "fail", "give_up"]  # given up: done never comes


def test_excluded_states_leave_their_runs_out():
    a = answer(Retry(), "done", {"tick": 1}, exclude="failed")
    assert (a.minimum.cost, a.maximum.cost) == (0, 0) and a.never is None


def test_every_witness_is_a_run_of_the_protocol():
    protocol = Retry(backoff=3)
    a = answer(protocol, "done", {"tick": 1})
    for trace in (a.minimum.trace, a.maximum.trace, a.never):
        assert replay(protocol, trace) == trace
    assert a.to_json()["maximum"]["loop_start"] == 0 and a.to_json()["unbounded"]


def test_a_goal_no_run_reaches_is_said_so():
    a = answer(Countdown(), "overdue", {"tick": 1})
    assert a.verdict == "unreachable" and a.minimum is None and "no run reaches overdue" in a.summary()


def test_an_initial_goal_state_costs_nothing():
    a = answer(Counter(), "below_limit", {"inc": 1})
    assert (a.minimum.cost, a.maximum.cost) == (0, 0) and len(a.maximum.trace) == 1


def test_a_limit_is_no_answer():
    a = answer(Countdown(), "fired", {"tick": 1}, max_states=2)
    assert a.verdict == "limit" and "state limit" in a.message


@pytest.mark.parametrize(("goal", "cost", "exclude", "says"), [
    ("fird", {"tick": 1}, None, "Countdown has no state predicate 'fird'. Did you mean 'fired'"),
    ("tick", {"tick": 1}, None, "goal = 'tick' is an action of Countdown, not a predicate of a state"),
    ("fired", {"tock": 1}, None, "has no action 'tock'. Did you mean 'tick'"),
    ("fired", {"tick": -1}, None, "a cost is a whole number of at least 0"),
    ("fired", {"tick": "tick_ms"}, None, "Countdown has no parameter 'tick_ms'"),
    ("fired", {}, None, "give each costly action its cost"),
    ("fired", {"tick": 1}, "overdu", "exclude = 'overdu': Countdown has no state predicate"),
])
def test_a_bad_query_names_the_key_and_the_fix(goal, cost, exclude, says):
    with pytest.raises(QuorumError, match=says.replace("(", r"\(").replace(")", r"\)")):
        make_query(Countdown(), goal, cost, "ticks", exclude)


def test_a_liveness_property_is_no_predicate_of_a_state():
    from protocols.raft import Raft

    with pytest.raises(QuorumError, match="eventually property, not a predicate of one state"):
        make_query(Raft(terms=1), "eventually_leader", {"timeout": 1})
