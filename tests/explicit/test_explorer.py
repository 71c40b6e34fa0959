"""The explicit-state explorer: TLC's counts, shortest traces, deadlock, limits, vacuity, errors."""

from __future__ import annotations

import pytest

from checker import check
from checker.core.replay import confirm_violation
from protocols.paxos import Paxos
from tests.toys import Counter, OutOfDomain, Raises, Unreachable


def test_paxos_ballots_0_1_matches_tlc():
    result = check(Paxos(ballots=2))
    assert result.holds
    assert (result.distinct_states, result.depth) == (3921, 17)
    assert result.goals == {"value_chosen": 6}
    assert result.coverage["phase2a"] > 0 and not result.warnings


@pytest.mark.slow
def test_paxos_ballots_0_2_matches_tlc():
    result = check(Paxos(ballots=3))
    assert result.holds
    assert (result.distinct_states, result.depth) == (185369, 25)


def test_fingerprint_store_finds_the_same_states_and_reports_collision_odds():
    exact = check(Paxos(ballots=2), engine="explicit")
    hashed = check(Paxos(ballots=2), engine="explicit", store="fingerprints")
    assert hashed.distinct_states == exact.distinct_states
    assert hashed.generated_states == exact.generated_states
    assert 0 < hashed.extra["collision_probability"] < 1e-9
    assert exact.extra["collision_probability"] == 0


@pytest.mark.parametrize(
    ("variant", "params", "prop", "steps"),
    [
        ("phase2a-ignores-1b", {"ballots": 2}, "agreement", 12),
        ("minority-quorums", {"ballots": 2}, "agreement", 8),
        ("invents-value", {"ballots": 1, "proposed": 1}, "validity", 6),
    ],
)
def test_buggy_variants_give_shortest_counterexamples(variant, params, prop, steps):
    proto = Paxos(variant=variant, **params)
    result = check(proto)
    assert result.violated and result.property == prop
    assert len(result.trace) - 1 == steps
    assert result.trace[0].action == "Init"
    confirm_violation(proto, result.trace, prop, source="test")


def test_fingerprint_traces_are_rebuilt_by_replay():
    proto = Paxos(ballots=2, variant="phase2a-ignores-1b")
    result = check(proto, store="fingerprints")
    assert len(result.trace) - 1 == 12
    confirm_violation(proto, result.trace, "agreement", source="test")


def test_deadlock_is_reported_with_its_trace():
    result = check(Counter(limit=2))
    assert result.violated and result.property == "deadlock"
    assert [s.state.n for s in result.trace] == [0, 1, 2]


def test_deadlock_check_can_be_turned_off():
    assert check(Counter(limit=2), deadlock=False).holds


def test_unreachable_goal_and_dead_action_are_findings():
    result = check(Unreachable(limit=2), deadlock=False)
    assert result.violated and result.property == "reaches_ten"
    assert "never reached" in result.message
    assert result.goals == {"reaches_two": 2, "reaches_ten": None}
    assert "action never never fired" in result.warnings


@pytest.mark.parametrize(
    ("limit", "fragment"),
    [({"max_states": 100}, "state limit 100 reached"), ({"max_depth": 5}, "depth limit 5 reached")],
)
def test_limits_end_in_limit_not_holds(limit, fragment):
    result = check(Paxos(ballots=2), **limit)
    assert result.verdict == "limit" and fragment in result.message
    assert "nothing found up to depth" in result.message


def test_exception_in_an_action_is_a_finding_with_its_trace():
    result = check(Raises())
    assert result.verdict == "error"
    assert "step() raised ValueError: boom at two" in result.message
    assert [s.state.n for s in result.trace] == [0, 1, 2, 2]


def test_values_outside_the_domain_are_caught():
    result = check(OutOfDomain(), deadlock=False)
    assert result.verdict == "error" and "outside Range(0, 2)" in result.message
    assert [s.state.n for s in result.trace] == [0, 1, 2, 3]


def test_interrupt_keeps_what_was_found(monkeypatch):
    proto = Paxos(ballots=2)
    calls = {"n": 0}
    original = proto.actions[1].fn

    def interrupt_later(s, *args):
        calls["n"] += 1
        if calls["n"] == 500:
            raise KeyboardInterrupt
        return original(s, *args)

    proto.actions[1].fn = interrupt_later
    result = check(proto, engine="explicit")  # the array engine runs the actions once, symbolically
    assert result.verdict == "limit" and "interrupted" in result.message
    assert result.distinct_states > 0


def test_progress_lines_on_long_runs(monkeypatch):
    import checker.core.budget as budget

    monkeypatch.setattr(budget, "PROGRESS_EVERY_S", 0.0)
    monkeypatch.setattr(budget, "CLOCK_EVERY_S", 0.0)
    lines: list[str] = []
    check(Paxos(ballots=1), progress=lines.append)
    assert lines and "distinct states" in lines[-1] and "states/s" in lines[-1]


def test_check_names_engine_options_it_does_not_know():
    from checker import QuorumError

    with pytest.raises(QuorumError, match="Did you mean 'max_states'"):
        check(Paxos(ballots=1), max_state=3)
