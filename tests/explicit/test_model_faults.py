"""Mistakes in a model are findings with a trace, and limits are exact: an action that stores a list,
a property that raises, ``max_states``, ``max_memory``, and "never fired" after a search cut short."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from checker import check
from checker.cli.main import main
from checker.dsl import Map, Nodes, Protocol, Range, SetOf, action, always, eventually, sometimes
from checker.explicit.space import small_space
from protocols.paxos import Paxos
from tests.toys import Counter, Unreachable

ENGINES = ["explicit", "liveness"]


class StoresAList(Protocol):
    """Counts to 2, then an action writes a list into a Map: the store cannot hash that state."""

    def setup(self) -> None:
        self.Node = Nodes("n", 2)
        self.var("x", Range(0, 3), init=0)
        self.var("votes", Map(self.Node, Range(0, 3)), init=0)

    @action
    def bump(self, s):
        if s.guard(s.x < 2):
            return s.update(x=s.x + 1)

    @action(n="Node")
    def vote(self, s, n):
        if s.guard(s.x == 2):
            return s.update(votes=s.votes.set(n, [1, 2]))


class StoresADict(StoresAList):
    @action(n="Node")
    def vote(self, s, n):
        if s.guard(s.x == 2):
            return s.update(x={"n": 3})


class PutsAListInASet(Protocol):
    """An element with a list inside, added to a set variable: the action itself cannot build the set."""

    def setup(self) -> None:
        self.var("bag", SetOf(Range(0, 3)), init=())

    @action
    def put(self, s):
        if s.guard(not s.bag):
            return s.update(bag=s.bag | {(1, [2])})


class RaisingInvariant(Protocol):
    """An invariant that looks a value up in a table missing the entry for x = 2."""

    def setup(self) -> None:
        self.var("x", Range(0, 3), init=0)

    @action
    def bump(self, s):
        if s.guard(s.x < 3):
            return s.update(x=s.x + 1)

    @always
    def table(self, s):
        return {0: True, 1: True}[s.x]


class RaisingGoal(RaisingInvariant):
    @always
    def table(self, s):
        return True

    @sometimes
    def far(self, s):
        return (0, 1)[s.x] == 5


class RaisingLiveness(RaisingGoal):
    @sometimes
    def far(self, s):
        return True

    @eventually
    def ends(self, s):
        return 1 / (3 - s.x) > 5


@pytest.mark.parametrize("engine", ENGINES)
def test_a_list_in_a_state_is_a_type_error_naming_action_variable_and_value(engine):
    result = check(StoresAList(), engine=engine)
    assert result.verdict == "error"
    assert "action vote(n1)" in result.message and "votes[n1] = [1, 2]" in result.message
    assert "is a list" in result.message and "use a tuple" in result.message
    assert [s.action for s in result.trace] == ["Init", "bump", "bump", "vote"]
    assert result.trace[-1].params == {"n": "n1"}


def test_a_dict_in_a_state_names_its_fix():
    result = check(StoresADict())
    assert result.verdict == "error" and "x = {'n': 3} is a dict" in result.message
    assert "m.set(k, v)" in result.message


def test_a_list_inside_a_set_element_names_the_action_and_the_fix():
    result = check(PutsAListInASet())
    assert result.verdict == "error" and result.message.startswith("action put() raised TypeError: unhashable")
    assert "a tuple, not a list" in result.message and [s.action for s in result.trace] == ["Init", "put"]


def test_the_cli_exits_2_on_a_list_in_a_state():
    out = CliRunner().invoke(main, ["check", "tests.explicit.test_model_faults:StoresAList"])
    assert out.exit_code == 2, out.output
    assert "type error: action vote(n1)" in out.output and "internal error" not in out.output


@pytest.mark.parametrize("engine", ENGINES)
def test_an_invariant_that_raises_is_an_error_naming_it_with_the_trace(engine):
    result = check(RaisingInvariant(), engine=engine)
    assert result.verdict == "error" and result.property == "table"
    assert result.message == "invariant table raised KeyError: 2"
    assert result.trace[-1].state.x == 2 and len(result.trace) == 3
    assert result.extra["exception"] == "KeyError: 2"


def test_a_goal_that_raises_is_an_error_naming_it():
    result = check(RaisingGoal())
    assert result.verdict == "error" and result.property == "far"
    assert result.message.startswith("goal far raised IndexError")
    assert result.trace[-1].state.x == 2


def test_a_liveness_property_that_raises_is_an_error_naming_it():
    result = check(RaisingLiveness(), ["ends"], deadlock=False)
    assert result.verdict == "error" and result.property == "ends"
    assert result.message == "liveness property ends raised ZeroDivisionError: division by zero"
    assert result.trace[-1].state.x == 3 and result.trace[0].action == "Init"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("limit", [1, 2, 3, 100, 1000])
def test_max_states_stores_exactly_that_many(engine, limit):
    result = check(Paxos(ballots=2), ["agreement"], engine=engine, max_states=limit)
    assert result.verdict == "limit" and result.distinct_states == limit
    assert f"state limit {limit} reached" in result.message


def test_a_space_of_exactly_max_states_completes():
    assert check(Paxos(ballots=2), max_states=3921).holds
    assert check(Paxos(ballots=2), max_states=3920).verdict == "limit"
    assert small_space(Counter(), 4) is not None and small_space(Counter(), 3) is None


@pytest.mark.parametrize("engine", ENGINES)
def test_a_tiny_max_memory_ends_as_a_limit_with_partial_statistics(engine):
    result = check(Paxos(ballots=2), ["agreement"], engine=engine, max_memory=1)
    assert result.verdict == "limit" and "memory limit 1 MB reached" in result.message
    assert "MB resident" in result.message
    assert 0 < result.distinct_states < 3921


def test_the_default_max_memory_is_below_the_machine():
    from checker.core.budget import default_max_memory, machine_memory_mb

    total, default = machine_memory_mb(), default_max_memory()
    assert total and default and default < total


@pytest.mark.parametrize("engine", ENGINES)
def test_never_fired_after_a_search_cut_short_says_so(engine):
    cut = check(Paxos(ballots=2), ["agreement"], engine=engine, max_states=3)
    assert "action phase2b never fired (the search was cut short)" in cut.warnings
    whole = check(Paxos(ballots=1, values=1), ["agreement"], engine=engine)
    assert not any("cut short" in w for w in whole.warnings)


def test_never_fired_after_a_violation_says_the_search_stopped_early():
    stopped = check(Unreachable())  # a deadlock at the limit stops the search
    assert stopped.property == "deadlock"
    assert "action never never fired (the search was cut short)" in stopped.warnings
    whole = check(Unreachable(), deadlock=False)  # the whole space, then the goal never reached
    assert whole.property == "reaches_ten" and "action never never fired" in whole.warnings
