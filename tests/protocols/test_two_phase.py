"""Two-phase commit: TLC's state counts, TCConsistent, and what each variant and fault breaks."""

from __future__ import annotations

import pytest

from checker import check
from protocols.two_phase import TwoPhase


@pytest.mark.parametrize(("rms", "states"), [(3, 288), (5, 8832)])
def test_distinct_states_match_tlc(rms, states):
    result = check(TwoPhase(rms=rms))
    assert result.holds and result.distinct_states == states
    assert all(result.goals[g] is not None for g in ("all_committed", "aborted_somewhere"))


@pytest.mark.slow
def test_seven_resource_managers_match_tlc():
    result = check(TwoPhase(rms=7))
    assert result.holds and result.distinct_states == 296_448


def test_committing_on_a_majority_breaks_consistency_in_7_steps():
    result = check(TwoPhase(variant="commits-on-majority"))
    assert result.violated and result.property == "consistent" and len(result.trace) == 8
    assert [s.action for s in result.trace].count("rm_choose_to_abort") == 1


def test_coordinator_crash_restart_keeps_consistency():
    result = check(TwoPhase(faults=["crash-restart"]))
    assert result.holds and result.distinct_states == 592


def test_a_coordinator_that_does_not_log_its_decision_flips_it_in_12_steps():
    result = check(TwoPhase(variant="decision-not-logged", faults=["crash-restart"]))
    assert result.violated and result.property == "consistent" and len(result.trace) == 13
    actions = [s.action for s in result.trace]
    assert actions.index("crash") < actions.index("restart") < actions.index("tm_commit")
    assert actions.index("tm_abort") < actions.index("crash")


def test_decision_not_logged_is_harmless_without_crashes():
    assert check(TwoPhase(variant="decision-not-logged")).holds


def test_a_crashed_coordinator_blocks_prepared_resource_managers():
    result = check(TwoPhase(faults=["crash"]))
    assert result.violated and result.property == "deadlock" and len(result.trace) == 5
    last = result.trace[-1].state
    assert all(v == "prepared" for v in last.rmState.values()) and not last.up["tm"]
