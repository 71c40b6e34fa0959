"""Optimistic concurrency: compare-and-set on the version read keeps every increment; a blind
read-modify-write loses one in four steps."""

from __future__ import annotations

import pytest

from checker import check
from checker.cli.spec import load_spec
from checker.core.engines import run
from checker.smt.bmc import bmc
from protocols.occ import COUNTER, Occ


def run_spec(name: str):
    spec = load_spec(f"specs/{name}.toml")
    result = run(spec.engine, spec.build(), spec.properties, spec.options)
    assert spec.expectation_met(result), (name, result.verdict, result.property, len(result.trace) - 1)
    return result


def step(proto, s, name, *params):
    t = proto.action(name).fn(s, *params)
    assert t is not None, (name, params)
    return t


def test_compare_and_set_loses_no_update():
    result = run_spec("occ")
    assert result.holds and result.distinct_states == 58
    assert result.goals["all_done"] == 8  # 2 clients x 2 increments, a read and a write each


@pytest.mark.parametrize(("params", "states"), [({"increments": 1}, 12), ({"clients": 3, "increments": 1}, 71)])
def test_other_sizes_hold_too(params, states):
    result = check(Occ(**params))
    assert result.holds and result.distinct_states == states


def test_a_blind_read_modify_write_loses_an_increment_in_four_steps():
    result = run_spec("occ-blind-rmw")
    assert result.property == "no_lost_update" and len(result.trace) - 1 == 4
    assert [s.label for s in result.trace[1:]] == ["read(c=c1)", "read(c=c2)", "write(c=c1)", "write(c=c2)"]
    last = result.trace[-1].state
    assert (last.data[COUNTER], last.completed) == (1, 2)
    assert "counter is 1" in Occ(variant="blind-rmw").explanation("no_lost_update", last)


def test_a_refused_compare_and_set_sends_the_client_back_to_read():
    p = Occ()
    s = p.initial_states()[0]
    for c in ("c1", "c2"):
        s = step(p, s, "read", c)  # both see no node: value 0, version None
    s = step(p, s, "write", "c1")  # c1 creates /counter = 1
    s = step(p, s, "write", "c2")  # c2's create fails (NodeExists): it must read again
    assert (s.data[COUNTER], s.completed, s.pc["c2"], s.left["c2"]) == (1, 1, "idle", 2)
    s = step(p, s, "read", "c2")
    assert (s.val["c2"], s.ver["c2"]) == (1, 0)
    s = step(p, s, "read", "c1")
    s = step(p, s, "write", "c1")  # version 0 -> 1
    s = step(p, s, "write", "c2")  # BadVersion: c2 read version 0
    assert (s.data[COUNTER], s.version[COUNTER], s.completed, s.pc["c2"]) == (2, 1, 2, "idle")


def test_bmc_agrees_on_the_lost_update_and_the_correct_loop():
    found = bmc(Occ(variant="blind-rmw"), max_depth=4)
    assert found.verdict == "violated" and found.property == "no_lost_update" and len(found.trace) - 1 == 4
    assert bmc(Occ(), max_depth=6).verdict == "limit"  # two increments made and a refused write retried
