"""BMC: smallest-depth violations, replay as the soundness gate, timings, and clear encoding errors."""

from __future__ import annotations

import pytest

from checker import Map, Nodes, Protocol, Range, RecordType, action, always
from checker.core.trace import Step
from checker.errors import EncodingError, InternalError, SymbolicBranchError
from checker.smt import bmc as bmc_module
from checker.smt.bmc import bmc
from protocols.paxos import Paxos


class Counter(Protocol):
    """Two counters that count up to 3; the invariant says they never both reach 2."""

    def setup(self) -> None:
        self.Node = Nodes("n", 2)
        self.var("count", Map(self.Node, Range(0, 3)), init=0)

    @action(n="Node")
    def tick(self, s, n):
        if s.guard(s.count[n] < 3):
            return s.update(count=s.count.set(n, s.count[n] + 1))

    @always
    def not_both_two(self, s):
        return Not2(s.count["n1"] == 2, s.count["n2"] == 2)


def Not2(a, b):  # noqa: N802 - reads like the DSL's helpers
    from checker import And, Not

    return Not(And(a, b))


def test_violation_is_at_the_smallest_depth_and_replayed():
    result = bmc(Counter(), max_depth=6, deadlock=False)
    assert result.violated and result.property == "not_both_two"
    assert result.depth == 5 and len(result.trace) == 5  # depth counts states: 4 steps, 5 states
    assert [step.action for step in result.trace[1:]] == ["tick"] * 4
    assert [t["depth"] for t in result.extra["depth_times"]] == [0, 1, 2, 3, 4]


def test_no_violation_is_never_holds():
    result = bmc(Counter(), ["not_both_two"], max_depth=3, deadlock=False)
    assert result.verdict == "limit" and result.message == "no violation up to depth 3"


def test_deadlock_is_found_when_both_counters_are_full():
    class Full(Counter):
        @always
        def not_both_two(self, s):
            return True

    result = bmc(Full(), max_depth=7)
    assert result.violated and result.property == "deadlock" and result.depth == 7


def test_a_corrupted_trace_is_an_internal_error(monkeypatch):
    real = bmc_module.decode_trace

    def corrupt(*args):
        trace = real(*args)
        return [*trace[:-1], Step(trace[-1].action, trace[-1].params, trace[0].state)]

    monkeypatch.setattr(bmc_module, "decode_trace", corrupt)
    with pytest.raises(InternalError, match="not to the state the engine claims"):
        bmc(Counter(), max_depth=5, deadlock=False)


def test_paxos_bug_found_at_twelve_steps_as_the_explorer_finds_it():
    result = bmc(Paxos(ballots=2, variant="phase2a-ignores-1b"), max_depth=12)
    assert result.violated and result.property == "agreement" and result.depth == 13 and len(result.trace) == 13
    assert result.goals["value_chosen"] is not None


def test_plain_python_if_on_state_names_the_protocol_action_and_fix():
    class Branchy(Counter):
        @action(n="Node")
        def tick(self, s, n):
            if s.count[n] < 3:  # wrong under Z3: a plain `if` on state
                return s.update(count=s.count.set(n, s.count[n] + 1))

    with pytest.raises(SymbolicBranchError, match=r"action tick\(n1\) of Branchy.*s\.guard"):
        bmc(Branchy(), max_depth=2)


def test_a_record_valued_variable_names_the_variable_and_what_to_use():
    class Recorded(Protocol):
        def setup(self) -> None:
            self.Msg = RecordType("m", bal=Range(0, 1))
            self.var("last", self.Msg, init=self.Msg(0))

    with pytest.raises(EncodingError, match=r"Recorded, state variable 'last'.*use SetOf or Map"):
        bmc(Recorded(), max_depth=1)


def test_an_exception_in_an_action_under_z3_is_a_clear_error():
    class Raising(Counter):
        @action(n="Node")
        def tick(self, s, n):
            return s.update(count=s.count.set(n, {0: 1}[s.count[n]]))  # a dict lookup of a Z3 term

    with pytest.raises(EncodingError, match=r"Raising, action tick\(n1\) raised KeyError.*helpers of checker"):
        bmc(Raising(), max_depth=1)


def test_violation_found_at_the_depth_a_goal_is_first_met_is_decoded_from_its_own_model():
    from tests.toys import GoalAtViolation

    result = bmc(GoalAtViolation(), max_depth=3, deadlock=False)
    assert result.violated and result.property == "x_below_two"
    assert [step.state.x for step in result.trace] == [0, 1, 2]
    assert result.goals["y_reaches_two"] == 2


def test_ctrl_c_keeps_the_depths_already_cleared():
    def interrupt_at_three(line: str) -> None:
        if line.startswith("depth 3:"):
            raise KeyboardInterrupt

    result = bmc(Paxos(ballots=2), max_depth=10, progress=interrupt_at_three)
    assert result.verdict == "limit" and result.interrupted
    assert result.message == "interrupted at depth 4: no violation up to depth 3"  # depth 3 was cleared
    assert result.depth == 4


@pytest.mark.slow
def test_raft_leader_completeness_bug_found_at_twelve_steps_within_a_minute():
    from protocols.raft import Raft

    # specs/raft-no-log-check.toml: before the finite encoding, not found in 300 s (issue 13)
    result = bmc(Raft(terms=2, variant="no-log-check"), max_depth=12, deadlock=False, max_seconds=60)
    assert result.violated and result.property == "leader_completeness" and len(result.trace) - 1 == 12
