"""Simulation's counterexamples are as short as the explicit engine's, wherever both finish.

Each case is a buggy model (newcomers' own, written the way a first model is written, with the
chatter that makes a random walk long, and the shipped buggy variants at the sizes their specs
use). For several seeds, ``check(engine="simulate")`` must find the violation and shrink it to
exactly the length of the explicit engine's breadth-first (shortest) counterexample.
"""

from __future__ import annotations

import functools

import pytest

import checker.hyp.simulate as simulate_module
from checker import check
from checker.core.replay import confirm_violation
from checker.core.shrink import shrink_trace
from protocols.bully import Bully
from protocols.lease import LeaseLock
from protocols.paxos import Paxos
from protocols.raft import Raft
from protocols.two_phase import TwoPhase
from tests.quality import newcomers

SEEDS = (1, 2, 3)

#: name -> (protocol factory, properties, deadlock): deadlock as the case's spec checks it.
CASES = {
    "newcomer unchecked-lock": (newcomers.UncheckedLock, None, False),
    "newcomer lost-update": (newcomers.LostUpdate, None, False),
    "newcomer eager-commit": (newcomers.EagerCommit, None, False),
    "newcomer any-vote-election": (newcomers.AnyVoteElection, None, False),
    "newcomer no-promise-paxos": (newcomers.NoPromisePaxos, None, False),
    "newcomer overdraft": (newcomers.Overdraft, None, False),
    "paxos 3x2 phase2a-ignores-1b": (lambda: Paxos(ballots=2, variant="phase2a-ignores-1b"), None, True),
    "paxos 3x2 minority-quorums": (lambda: Paxos(ballots=2, variant="minority-quorums"), None, True),
    "paxos 3x2 invents-value": (lambda: Paxos(ballots=2, proposed=1, variant="invents-value"), None, True),
    "lease no-fencing": (lambda: LeaseLock(variant="no-fencing"), None, True),
    "raft votes-twice (small instance)": (lambda: Raft(**Raft.small_instance, variant="votes-twice"), None, False),
    "raft votes-twice (spec)": (lambda: Raft(terms=1, variant="votes-twice"), None, False),
    "two-phase commits-on-majority": (lambda: TwoPhase(rms=3, variant="commits-on-majority"), None, True),
    "bully crash-restart": (lambda: Bully(processes=3, faults=["crash-restart"]), None, False),
    "bully partition": (lambda: Bully(processes=3, faults=["partition"]), None, False),
    # slow: seconds of explicit search or of walks before the violation is found
    "paxos 4x2 minority-quorums (spec)": (lambda: Paxos(acceptors=4, ballots=2, variant="minority-quorums"), None,
                                          True),
    "raft no-log-check (spec)": (lambda: Raft(terms=2, variant="no-log-check"), None, False),
}
SLOW = {"paxos 4x2 minority-quorums (spec)", "raft no-log-check (spec)"}


@functools.cache
def shortest(name: str):
    make, props, deadlock = CASES[name]
    result = check(make(), props, deadlock=deadlock)
    assert result.violated, f"{name}: the explicit engine finds no violation ({result.verdict})"
    return result.property, len(result.trace) - 1


def simulated(name: str, seed: int, monkeypatch: pytest.MonkeyPatch):
    """The simulate engine's result, and what its protocol-aware pass did (``ShrinkStats``)."""
    make, props, deadlock = CASES[name]
    stats: dict = {}

    def recording(protocol, trace, prop, **options):
        # the exhaustive pass's state budget (the default) bounds it here; its clock is made generous
        # so that a loaded machine cannot turn "proved minimal" into "ran out of time"
        return shrink_trace(protocol, trace, prop, stats=stats, exhaustive_seconds=20, **options)

    monkeypatch.setattr(simulate_module, "shrink_trace", recording)
    protocol = make()
    result = check(protocol, props, engine="simulate", seed=seed, deadlock=deadlock, max_seconds=60)
    return protocol, result, stats


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in CASES])
def test_simulation_shrinks_to_the_explicit_shortest_length(name, seed, monkeypatch):
    prop, steps = shortest(name)
    protocol, result, stats = simulated(name, seed, monkeypatch)
    assert result.violated and result.property == prop, f"{name}, seed {seed}: {result.verdict} {result.property}"
    confirm_violation(protocol, result.trace, prop)
    assert len(result.trace) - 1 == steps, (
        f"{name}, seed {seed}: shrunk to {len(result.trace) - 1} steps, the shortest is {steps} "
        f"(passes: {stats})")
    assert stats["minimal"] and stats["lower_bound"] == steps  # at these sizes the search proves it


def test_the_walks_own_steps_are_not_enough(monkeypatch):
    """Why the exhaustive pass exists: Hypothesis draws the first amount (1) at every withdrawal,
    and no pass over the walk's own steps turns two withdrawals of 1 into one of 3."""
    _, steps = shortest("newcomer overdraft")
    for seed in SEEDS:
        _, result, stats = simulated("newcomer overdraft", seed, monkeypatch)
        assert stats["after_restricted"] > steps == stats["result"] == len(result.trace) - 1


def test_a_budget_too_small_to_finish_gives_a_lower_bound_not_a_proof():
    protocol = newcomers.AnyVoteElection()
    raw = check(protocol, engine="simulate", seed=1, shrink=False, deadlock=False)
    stats: dict = {}
    short = shrink_trace(protocol, raw.trace, raw.property, exhaustive_states=200, stats=stats)
    confirm_violation(protocol, short, raw.property)
    assert not stats["minimal"] and stats["exhaustive_states"] < 400
    assert stats["lower_bound"] <= len(short) - 1 <= len(raw.trace) - 1
