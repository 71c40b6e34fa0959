"""Explicit search, BMC and simulation on the corner cases of a model, toy by toy: each engine must
report the same finding — verdict, property (or the same error message: a type error, an action
that raised), trace length and ``depth`` (states on the path, the explicit engine's convention) —
so that no engine quietly skips a step another takes.

The toys are in ``tests/toys.py``: a record whose state-dependent field leaves its domain (added to
a set, or to a set inside a map), a record out of domain from a concrete parameter behind a guard,
a set of numbers getting one outside its domain, a map entry and a scalar assigned out of their
domains, a Boolean assigned a number, a map written at a key outside its keys, a guard on a set
being empty with a ``From`` parameter, a ``From`` parameter over a set that stays empty (a deadlock
in the initial state), a plain deadlock, and an action that raises.
"""

from __future__ import annotations

import re

import pytest

from checker.core.result import Raised
from checker.explicit.bfs import explore
from checker.hyp.simulate import simulate
from checker.smt.bmc import bmc
from protocols.paxos import Paxos
from tests import toys

BOUND = 8
CASES = {
    "RecordOutOfDomain": ("error", "type error: msgs holds msg(term=0), outside Records(msg)", 4),
    "ParamRecordOutOfDomain": ("error", "type error: msgs holds msg(term=0), outside Records(msg)", 3),
    "InboxOutOfDomain": ("error", "type error: inbox = {n1: {msg(term=0)}, n2: {}} is outside "
                                  "Map(Nodes('n', 2), SetOf(Records(msg)))", 3),
    "SetOfScalarsOutOfDomain": ("error", "type error: seen holds 3, outside Range(0, 2)", 4),
    "MapOutOfDomain": ("error", "type error: count = {n1: 3, n2: 0} is outside Map(Nodes('n', 2), Range(0, 2))", 4),
    "OutOfDomain": ("error", "type error: n = 3 is outside Range(0, 2)", 4),
    "BoolGetsNumber": ("error", "type error: flag = 2 is outside Bool()", 2),
    "MapKeyOutside": ("error", "action mark() raised KeyError: 2", 4),
    "RaisesOnGuard": ("error", "action step() raised ValueError: boom at two", 4),
    "SendWhenEmpty": ("violated", "received_once", 5),
    "EmptyFrom": ("violated", "deadlock", 1),
    "Counter": ("violated", "deadlock", 4),
}


def finding(result) -> tuple:
    """What an engine found, in the terms every engine shares: the verdict, the property or what the
    error is about (``type error: inbox``, ``action mark() raised KeyError``: which of several
    equally short traces an engine shows may differ, e.g. the inbox of n1 or of n2), the trace's
    length, ``depth``, and the exception's type for an action that raised."""
    if result.verdict == "violated":
        what = result.property
    else:
        what = re.match(r"type error: \w+|action \S+ raised \w+|", result.message).group()
    raised = result.detail(Raised)
    return (result.verdict, what, len(result.trace), result.depth,
            None if raised is None else type(raised.exception).__name__)


@pytest.mark.parametrize("name", list(CASES))
def test_every_engine_reports_the_corner_case_the_same_way(name):
    cls = getattr(toys, name)
    explicit = explore(cls())
    verdict, what, length = CASES[name]
    assert (explicit.verdict, explicit.property if verdict == "violated" else explicit.message,
            len(explicit.trace)) == (verdict, what, length), explicit.summary()
    found = {
        "explicit": finding(explicit),
        "bmc": finding(bmc(cls(), max_depth=BOUND)),
        "simulate": finding(simulate(cls(), seed=1, walks=300, max_depth=20)),
    }
    assert found["bmc"] == found["explicit"], found
    assert found["simulate"] == found["explicit"], found
    # depth counts the states on the path: the trace, less the repeated state of a raising step
    assert found["explicit"][3] == length - (found["explicit"][4] is not None)


def test_an_out_of_domain_record_behind_a_guard_is_no_error_before_it_is_reachable():
    # before: BMC refused the model at encoding time ("outside the declared domain of the set")
    result = bmc(toys.ParamRecordOutOfDomain(), max_depth=1)
    assert result.verdict == "limit" and result.message.startswith("no violation up to depth 1")


def test_a_goal_never_reached_is_a_finding_only_for_the_exhaustive_engine():
    # Bounded and sampling engines cannot prove a goal unreachable: they say how far they looked.
    explicit = explore(toys.Unreachable(), deadlock=False)
    assert explicit.violated and explicit.property == "reaches_ten" and not explicit.trace
    bounded = bmc(toys.Unreachable(), max_depth=BOUND, deadlock=False)
    assert bounded.verdict == "limit"
    assert bounded.message == f"no violation up to depth {BOUND}; goal reaches_ten not reached within {BOUND} steps"
    sampled = simulate(toys.Unreachable(), seed=1, walks=20, deadlock=False)
    walks = sampled.extra["walks"]
    assert sampled.verdict == "limit" and f"goal reaches_ten never reached in {walks} walks" in sampled.warnings
    # every engine met the reachable goal at the same depth (in steps)
    assert explicit.goals["reaches_two"] == bounded.goals["reaches_two"] == sampled.goals["reaches_two"] == 2


def test_depth_means_the_same_for_every_engine_on_the_same_shortest_violation():
    # Paxos ballots=2 phase2a-ignores-1b: 12 steps, 13 states (before: 13, 12 and 16)
    buggy = {"ballots": 2, "variant": "phase2a-ignores-1b"}
    explicit = explore(Paxos(**buggy))
    found = bmc(Paxos(**buggy), max_depth=12)
    walked = simulate(Paxos(**buggy), seed=1, walks=400)
    for result in (explicit, found, walked):
        assert result.violated and result.property == "agreement"
        assert (len(result.trace), result.depth) == (13, 13), (result.engine, result.depth)
    assert found.to_json()["depth"] == walked.to_json()["depth"] == explicit.to_json()["depth"] == 13


def test_a_deadlock_one_step_away_comes_before_a_violation_two_steps_away():
    explicit = explore(toys.DeadlockBeforeViolation())
    found = bmc(toys.DeadlockBeforeViolation(), max_depth=BOUND)
    assert (found.property, len(found.trace)) == ("deadlock", 2)
    assert (explicit.property, len(explicit.trace)) == ("deadlock", 2)  # today: not_three, 3
