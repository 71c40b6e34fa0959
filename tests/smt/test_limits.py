"""Limits of the Z3 engines: options checked in the engine's own words, time limits inside a solver
call, Ctrl-C inside a solver call reported as an interrupt (never "Z3 gave up"), and ``depth``
counting states as every engine does."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
import z3

from checker.errors import QuorumError
from checker.smt.bmc import bmc
from checker.smt.induction import induction
from protocols.paxos import Paxos
from tests.toys import Counter, Pigeons

# -- options -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("option", "value", "words"), [
    ("max_depth", -1, "max_depth=-1 is out of range: max_depth takes a number of steps, at least 0"),
    ("max_depth", 2.5, "max_depth=2.5 is not a whole number"),
    ("max_seconds", 0, "max_seconds=0 is out of range: max_seconds takes a number of seconds above 0"),
    ("max_seconds", -1.5, "max_seconds=-1.5 is out of range"),
    ("max_seconds", float("nan"), "max_seconds=nan is not a limit"),
])
def test_bmc_options_out_of_range_name_the_option_and_its_range(option, value, words):
    with pytest.raises(QuorumError, match="^bmc: " + words.replace("(", r"\(").replace(".", r"\.")):
        bmc(Counter(), **{option: value})


def test_bmc_depth_zero_checks_the_initial_states():
    result = bmc(Counter(), max_depth=0)
    assert result.verdict == "limit" and result.message.startswith("no violation up to depth 0")
    assert result.depth == 1  # one state examined: the initial one


@pytest.mark.parametrize(("option", "value", "words"), [
    ("k", 0, "k=0 is out of range: k takes at least 1"),
    ("k", -2, "k=-2 is out of range"),
    ("minimize_s", -1, "minimize_s=-1 is out of range: minimize_s takes a number of seconds, 0 or more"),
    ("max_seconds", 0, "max_seconds=0 is out of range"),
])
def test_induction_options_out_of_range_name_the_option_and_its_range(option, value, words):
    with pytest.raises(QuorumError, match="^induction: " + words):
        induction(Paxos(ballots=2), list(Paxos.INV), **{option: value})


# -- time limits inside the solver ---------------------------------------------------------------


def test_bmc_time_limit_holds_inside_a_solver_call():
    start = time.perf_counter()
    result = bmc(Pigeons(), max_depth=12, deadlock=False, max_seconds=1.0)
    took = time.perf_counter() - start
    assert took < 2.0, f"a 1 s limit returned after {took:.1f}s"  # before: the solver call ran to its end
    assert result.verdict == "limit" and not result.interrupted
    k = result.depth  # states on the longest path cleared = the depth it stopped at
    assert result.message == f"time limit 1.0s reached at depth {k}: no violation up to depth {k - 1}"
    assert k >= 2 and [t["depth"] for t in result.extra["depth_times"]] == list(range(k))


def test_induction_time_limit_holds_inside_the_step_case():
    start = time.perf_counter()
    result = induction(Pigeons(), max_seconds=1.0)
    assert time.perf_counter() - start < 2.0
    assert result.verdict == "limit" and not result.interrupted
    assert result.message.startswith("time limit 1.0s reached in the step case; the base case holds")


# -- Ctrl-C inside the solver ----------------------------------------------------------------------


def _sigint_during_a_long_check(monkeypatch, at_call: int) -> None:
    """Send SIGINT 0.2 s into the ``at_call``-th solver call (a long one): Z3 handles it inside."""
    real = z3.Solver.check
    calls = []

    def check(self, *args):
        calls.append(1)
        if len(calls) == at_call:
            threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        return real(self, *args)

    monkeypatch.setattr(z3.Solver, "check", check)


def test_ctrl_c_inside_a_bmc_solver_call_is_an_interrupt_not_z3_giving_up(monkeypatch):
    _sigint_during_a_long_check(monkeypatch, at_call=9)  # 1: the domains (unroll.declared); 9: depth 7, ~2 s
    try:
        result = bmc(Pigeons(), max_depth=12, deadlock=False)
        time.sleep(0.5)  # a SIGINT that came after the run would land here, not in pytest
    except KeyboardInterrupt:
        pytest.fail("the interrupt escaped the engine")
    assert result.verdict == "limit" and result.interrupted
    assert result.message == "interrupted at depth 7: no violation up to depth 6"
    assert result.depth == 7 and "gave up" not in result.message


def test_ctrl_c_inside_the_induction_step_is_an_interrupt(monkeypatch):
    _sigint_during_a_long_check(monkeypatch, at_call=2)  # 1: the base case (depth 0), 2: the step
    try:
        result = induction(Pigeons())
        time.sleep(0.5)
    except KeyboardInterrupt:
        pytest.fail("the interrupt escaped the engine")
    assert result.verdict == "limit" and result.interrupted
    assert result.message.startswith("interrupted in the step case; the base case holds")


def test_an_interrupted_base_case_is_no_proof(monkeypatch):
    import checker.smt.induction as ind

    real = ind.bmc

    def interrupted_bmc(*args, **kwargs):
        def ctrl_c(line: str) -> None:
            raise KeyboardInterrupt

        return real(*args, **{**kwargs, "progress": ctrl_c})

    monkeypatch.setattr(ind, "bmc", interrupted_bmc)
    result = induction(Paxos(ballots=2), list(Paxos.INV), k=3)
    assert result.verdict == "limit" and result.interrupted and "base case" in result.message


# -- depth counts states ------------------------------------------------------------------------


def test_bmc_depth_counts_states_at_a_violation_and_at_the_bound():
    found = bmc(Counter(limit=3), max_depth=5)
    assert found.violated and found.property == "deadlock" and len(found.trace) == 4 and found.depth == 4
    clear = bmc(Counter(limit=3), max_depth=2)
    assert clear.message.startswith("no violation up to depth 2") and clear.depth == 3
