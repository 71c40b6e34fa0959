"""The simulate engine: finds bugs, shrinks them to the explicit engine's length, replays, reports."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from checker import action, always, check
from checker.cli.main import main
from checker.core import engines
from checker.core.replay import confirm_violation
from checker.core.shrink import shrink_trace
from checker.hyp.simulate import simulate
from protocols.paxos import Paxos
from tests.toys import Counter, OutOfDomain, Raises, Unreachable

BUGGY = {"variant": "phase2a-ignores-1b"}


@pytest.mark.parametrize("ballots", [2, pytest.param(3, marks=pytest.mark.slow)])
def test_bug_shrinks_to_the_explicit_engines_shortest_trace(ballots):
    protocol = Paxos(ballots=ballots, **BUGGY)
    found = simulate(protocol, seed=1, walks=400)
    shortest = check(Paxos(ballots=ballots, **BUGGY))
    assert found.violated and found.property == "agreement"
    assert len(found.trace) == len(shortest.trace) == 13
    confirm_violation(protocol, found.trace, "agreement")
    x = found.extra
    assert x["shrunk_steps"] <= x["hypothesis_steps"] <= x["first_trace_steps"]
    assert x["found_after_walks"] <= x["walks"] and x["seed"] == 1


def test_same_seed_same_run():
    a = simulate(Paxos(ballots=2, **BUGGY), seed=7, walks=400)
    b = simulate(Paxos(ballots=2, **BUGGY), seed=7, walks=400)
    assert [s.label for s in a.trace] == [s.label for s in b.trace]
    assert (a.extra["walks"], a.extra["first_trace_steps"]) == (b.extra["walks"], b.extra["first_trace_steps"])


def test_nothing_found_is_a_limit_not_holds():
    result = simulate(Paxos(ballots=2), seed=0, walks=60)
    assert result.verdict == "limit" and "proves nothing" in result.message
    assert result.extra["walks"] == 60 and result.generated_states == result.extra["steps"] > 0
    assert 0 < result.distinct_states <= 3921  # the explicit engine's count for this instance
    assert all(count > 0 for count in result.coverage.values())
    assert result.goals["value_chosen"] is not None


def test_step_and_time_budgets_stop_the_run():
    by_steps = simulate(Paxos(ballots=2), seed=0, steps=150, max_depth=20)
    assert by_steps.verdict == "limit" and 150 <= by_steps.extra["steps"] < 150 + 20
    by_time = simulate(Paxos(ballots=2), seed=0, max_seconds=0.3)
    assert by_time.verdict == "limit" and by_time.elapsed_s < 5


def test_unreached_goal_and_dead_action_are_warned():
    result = simulate(Unreachable(), seed=0, walks=20, deadlock=False)
    walks = result.extra["walks"]  # Hypothesis stops early: this counter has a single behaviour
    assert f"action never never fired in {walks} walks" in result.warnings
    assert f"goal reaches_ten never reached in {walks} walks" in result.warnings


def test_deadlock_is_found_and_replayed():
    result = simulate(Counter(limit=3), seed=0, walks=10)
    assert result.violated and result.property == "deadlock" and len(result.trace) == 4


def test_an_exception_in_an_action_is_a_finding():
    result = simulate(Raises(), seed=0, walks=10)
    assert result.verdict == "error" and "boom at two" in result.message and "step" in result.message
    assert [s.state.n for s in result.trace] == [0, 1, 2, 2]


def test_a_value_outside_its_domain_is_a_type_error():
    result = simulate(OutOfDomain(), seed=0, walks=10, deadlock=False)
    assert result.verdict == "error" and "type error" in result.message


def test_shrink_trace_is_usable_on_any_trace():
    protocol = Paxos(ballots=3, **BUGGY)
    raw = simulate(protocol, seed=2, walks=400, shrink=False)
    assert raw.violated and len(raw.trace) > 13
    short = shrink_trace(protocol, raw.trace, "agreement")
    assert len(short) == 13
    confirm_violation(protocol, short, "agreement")
    explicit = check(Paxos(ballots=2, **BUGGY)).trace
    assert len(shrink_trace(Paxos(ballots=2, **BUGGY), explicit, "agreement")) == len(explicit)


def test_engine_is_registered_and_options_are_checked():
    engine = engines.get("simulate")
    assert {"seed", "walks", "steps", "max_depth", "max_seconds"} <= set(engine.options)
    with pytest.raises(Exception, match="takes a int"):
        engines.check_options(engine, {"walks": "many"}, "spec")


def test_cli_reports_seed_rates_and_json():
    runner = CliRunner()
    out = runner.invoke(main, ["check", "tests.toys:Counter", "--engine", "simulate", "-o", "seed=3", "-q"])
    assert out.exit_code == 1, out.output
    assert "seed 3 (rerun: -o seed=3)" in out.output and "walks/s" in out.output and "deadlock" in out.output
    args = ["check", "protocols.paxos:Paxos", "-p", "ballots=2", "-p", "variant=phase2a-ignores-1b",
            "--engine", "simulate", "-o", "seed=1", "-o", "walks=400", "-q", "--json"]
    done = runner.invoke(main, args)
    assert done.exit_code == 1, done.output
    doc = json.loads(done.output)
    assert doc["engine"] == "simulate" and doc["shrunk_steps"] == 12 and len(doc["trace"]) == 13
    bad = runner.invoke(main, [*args[:-6], "-o", "depth=3"])
    assert bad.exit_code == 2 and "Did you mean 'max_depth'" in bad.output


@pytest.mark.parametrize(("option", "value", "words"), [
    ("walks", 0, "walks=0 is out of range: walks takes a number of walks, at least 1"),
    ("walks", -3, "walks=-3 is out of range"),
    ("steps", 0, "steps=0 is out of range: steps takes a number of steps, at least 1"),
    ("max_depth", -1, "max_depth=-1 is out of range: max_depth takes a number of steps, at least 0"),
    ("max_seconds", 0, "max_seconds=0 is out of range: max_seconds takes a number of seconds above 0"),
    ("walks", 2.5, "walks=2.5 is not a whole number"),
    ("seed", "x", "seed='x' is not a whole number"),
])
def test_options_out_of_range_are_bad_input_in_the_engines_words(option, value, words):
    from checker.errors import QuorumError

    with pytest.raises(QuorumError, match="^simulate: " + words):  # before: Hypothesis's InvalidArgument
        simulate(Counter(), **{option: value})


def test_cli_walks_zero_is_exit_2_naming_the_option():
    out = CliRunner().invoke(main, ["check", "tests.toys:Counter", "--engine", "simulate", "-o", "walks=0", "-q"])
    assert out.exit_code == 2 and "walks=0 is out of range" in out.output, out.output


def test_depth_counts_states_found_or_not():
    found = simulate(Counter(limit=3), seed=0, walks=10)
    assert found.violated and len(found.trace) == 4 and found.depth == 4
    raised = simulate(Raises(), seed=0, walks=10)
    assert len(raised.trace) == 4 and raised.depth == 3  # the raising step repeats the state it raised in
    nothing = simulate(Counter(limit=3), seed=0, walks=5, deadlock=False)
    assert nothing.verdict == "limit" and nothing.depth == 4  # the longest walk: 3 steps, 4 states


class _CtrlC(Counter):
    """Ctrl-C arrives while the invariant is evaluated, after ``after`` evaluations."""

    after = 40
    calls = 0

    @always
    def below_limit(self, s):
        type(self).calls += 1
        if type(self).calls == self.after:
            raise KeyboardInterrupt
        return s.n <= self.limit


def test_ctrl_c_during_the_walks_sets_interrupted():
    _CtrlC.calls = 0
    result = simulate(_CtrlC(limit=40), seed=0, walks=1000, deadlock=False)
    assert result.verdict == "limit" and result.interrupted and "interrupted" in result.warnings
    assert result.extra["walks"] >= 1


class _CtrlCWhileShrinking(Counter):
    """The invariant breaks at 3; the first evaluation after that finding is a Ctrl-C (shrinking)."""

    found = False
    interrupted = False

    @action
    def skip(self, s):
        if s.guard(s.n < self.limit):
            return s.update(n=s.n + 2 if s.n + 2 <= self.limit else self.limit)

    @always
    def below_limit(self, s):
        if type(self).found and not type(self).interrupted:
            type(self).interrupted = True
            raise KeyboardInterrupt
        if s.n >= 3:
            type(self).found = True
            return False
        return True


def test_ctrl_c_while_shrinking_keeps_the_walk_found():
    _CtrlCWhileShrinking.found = _CtrlCWhileShrinking.interrupted = False
    result = simulate(_CtrlCWhileShrinking(limit=6), seed=0, walks=100, deadlock=False)
    assert result.violated and result.property == "below_limit" and result.interrupted
    assert any("interrupted while shrinking" in w for w in result.warnings)
    assert result.trace[-1].state.n >= 3 and result.depth == len(result.trace)


def test_a_property_that_raises_is_a_finding_with_its_trace():
    class Brittle(Counter):
        @always
        def below_limit(self, s):
            return 1 // (2 - s.n) >= 0  # ZeroDivisionError at n = 2

    result = simulate(Brittle(limit=3), seed=0, walks=20, deadlock=False)
    explicit = check(Brittle(limit=3), deadlock=False)
    assert result.verdict == explicit.verdict == "error" and result.property == "below_limit"
    assert result.message == explicit.message
    assert result.message == "invariant below_limit raised ZeroDivisionError: integer division or modulo by zero"
    assert len(result.trace) == len(explicit.trace) == 3 and result.depth == explicit.depth == 3
