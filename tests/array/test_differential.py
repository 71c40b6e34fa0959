"""The array engine against the object engine, for every protocol and variant in protocols/ and
every corner case of ``tests/toys.py``: the same verdict, property (or error), shortest trace
length, ``depth``, goals and — where the whole space is explored — distinct-state and generated
counts and coverage. Protocols are discovered, so a new one is compared without editing this file;
one the array engine cannot encode must say why (``encodes``) and is then run by the object
engine under ``--engine auto``. The full specs are compared in the slow suite."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker.array.engine import array, auto, encodes
from checker.cli.spec import load_spec
from checker.core.result import Raised
from checker.explicit.bfs import explore
from protocols.occ import Occ
from tests import toys
from tests.cases import PARAMS, build

TOYS = ["RecordOutOfDomain", "ParamRecordOutOfDomain", "InboxOutOfDomain", "SetOfScalarsOutOfDomain",
        "MapOutOfDomain", "OutOfDomain", "BoolGetsNumber", "MapKeyOutside", "RaisesOnGuard", "SendWhenEmpty",
        "EmptyFrom", "Counter", "DeadlockBeforeViolation", "Unreachable", "LogShipping", "EmptyLast"]
# the specs the search engines run (BMC, induction, liveness and simulation specs are other engines' business)
SPECS = [p for p in sorted(Path("specs").glob("*.toml")) if load_spec(p).engine in ("auto", "explicit", "array")]


def finding(result) -> tuple:
    what = result.property if result.verdict == "violated" else re.match(
        r"type error: [^,]*|action \S+ raised \w+|", result.message).group()
    raised = result.detail(Raised)
    figures = ()
    if result.verdict == "holds" or (result.verdict == "violated" and not result.trace):
        figures = (result.distinct_states, result.generated_states, result.coverage)
    return (result.verdict, what, len(result.trace), result.depth, result.goals,
            None if raised is None else type(raised.exception).__name__, figures)


def compare(make, **options) -> None:
    why = encodes(make(), None)
    if why is not None:
        assert why, "a protocol the array engine refuses must say why"
        return
    want = finding(explore(make(), **options))
    got = finding(array(make(), **options))
    assert got == want


@pytest.mark.parametrize(("cls", "variant"), PARAMS)
def test_array_engine_agrees_with_the_object_engine(cls, variant):
    compare(lambda: build(cls, variant))


@pytest.mark.parametrize("name", TOYS)
def test_array_engine_reports_each_corner_case_as_the_object_engine_does(name):
    cls = getattr(toys, name)
    compare(cls, deadlock=name != "Unreachable")


def test_a_goal_first_reached_in_the_violating_state_is_not_reached_on_either_engine():
    # two clients, one lost update: the state that breaks no_lost_update is the first with all_done
    compare(lambda: Occ(clients=2, increments=1, variant="blind-rmw"))
    assert array(Occ(clients=2, increments=1, variant="blind-rmw")).goals == {"all_done": None}


@pytest.mark.slow
@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_auto_agrees_with_the_object_engine_on_every_spec(path):
    spec = load_spec(path)
    proto = spec.build()
    want = finding(explore(spec.build(), spec.properties, **spec.options))
    got = finding(auto(proto, spec.properties, **spec.options))
    assert got == want
