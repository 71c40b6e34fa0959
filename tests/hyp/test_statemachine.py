"""Protocols as Hypothesis state machines: rules, invariants, readable failures, coverage reports."""

from __future__ import annotations

import pytest
from hypothesis import Phase, settings
from hypothesis.stateful import RuleBasedStateMachine

from checker import OneOf, Protocol, Range, action, always
from checker.hyp.statemachine import CoverageWarning, as_state_machine
from protocols.paxos import Paxos
from tests.toys import Counter, Unreachable

FAST = settings(max_examples=20, stateful_step_count=15, database=None, derandomize=True, deadline=None)


class TwoStarts(Protocol):
    """Two initial states; from 3 the counter may reach 4, which breaks its invariant."""

    def setup(self) -> None:
        self.var("n", Range(0, 4), init=OneOf([0, 3]))

    @action
    def inc(self, s):
        if s.guard(s.n < 4):
            return s.update(n=s.n + 1)

    @always
    def below_four(self, s):
        return s.n < 4


def run(test_case: type, run_settings: settings = FAST) -> None:
    test_case.settings = run_settings
    test_case().runTest()


def test_machine_has_a_rule_per_action_and_an_invariant_per_property():
    machine = as_state_machine(Paxos(ballots=2))
    assert issubclass(machine, RuleBasedStateMachine) and machine.__name__ == "PaxosMachine"
    for name in ["phase1a", "phase1b", "phase2a", "phase2b", "agreement", "validity"]:
        assert callable(getattr(machine, name))
    assert not hasattr(machine, "value_chosen")  # a goal is tracked, not an invariant
    assert list(machine.goal_fns) == ["value_chosen"]


def test_correct_paxos_passes_and_every_rule_runs():
    machine = as_state_machine(Paxos(ballots=2))
    run(machine.TestCase, settings(FAST, max_examples=40, stateful_step_count=25))
    assert all(count > 0 for count in machine.fired.values())


def test_violation_is_printed_as_protocol_steps():
    machine = as_state_machine(Paxos(ballots=2, variant="phase2a-ignores-1b"))
    with pytest.raises(AssertionError) as failure:
        run(machine.TestCase, settings(FAST, max_examples=300, stateful_step_count=30, phases=[Phase.generate]))
    text = str(failure.value)
    assert text.startswith("agreement violated after")
    assert "phase2a(b=" in text and "msgs + 2b(acc=" in text


def test_rules_that_never_ran_are_reported():
    machine = as_state_machine(Unreachable(), properties=["below_limit", "reaches_ten"], deadlock=False)
    with pytest.warns(CoverageWarning, match="rule never never ran \\(its guard never held\\)") as caught:
        run(machine.TestCase)
    assert "goal reaches_ten was never reached" in str(caught[0].message)
    strict = as_state_machine(Unreachable(), require_all_rules=True, deadlock=False)
    with pytest.raises(AssertionError, match="rule never never ran"):
        run(strict.TestCase)


def test_a_deadlock_fails_unless_allowed():
    with pytest.raises(AssertionError, match="deadlock: no action is enabled after 3 steps"):
        run(as_state_machine(Counter(limit=3)).TestCase)
    run(as_state_machine(Counter(limit=3), deadlock=False).TestCase)


def test_several_initial_states_become_an_initialize_rule():
    machine = as_state_machine(TwoStarts())
    assert callable(machine.init)
    with pytest.raises(AssertionError, match="below_four violated after 1 steps"):
        run(machine.TestCase)
