"""Issue 7's shipped liveness examples: the lease lock, Paxos with a designated proposer, Raft."""

from __future__ import annotations

import pytest

from checker.cli.spec import load_spec
from checker.core.engines import run
from checker.explicit.liveness import check_liveness
from protocols.lease import LeaseLock


def run_spec(name: str):
    spec = load_spec(f"specs/{name}.toml")
    result = run(spec.engine, spec.build(), spec.properties, spec.options)
    assert spec.expectation_met(result), (name, result.verdict, result.property, len(result.trace) - 1)
    return result


# -- lease lock ----------------------------------------------------------------------------------

LEASE_FAIR = {"tick": "weak", "release": "strong(c)", "grant": "strong(c)", "write": "weak(c)"}


def lease(clock: str = "relative", **fair: str | None) -> LeaseLock:
    proto = LeaseLock(clock=clock)
    for name, decl in {**LEASE_FAIR, **fair}.items():
        proto.action(name).fairness = decl
    return proto


def test_a_waiting_client_acquires_with_time_release_grant_and_write_fair():
    result = run_spec("lease-liveness")
    assert result.holds and result.distinct_states == 5609
    assert "bounds_note" not in result.extra  # countdowns and renumbered tokens are not bounds


def test_without_release_fairness_the_holder_renews_for_ever():
    result = run_spec("lease-liveness-no-release")
    loop = result.extra["loop_start"]
    assert [s.label for s in result.trace[loop:]] == ["grant(c=c2)", "tick", "renew(c=c2)"]
    assert result.trace[loop].state == result.trace[-1].state
    assert "bounds_hit" not in result.extra


def test_without_time_a_paused_holder_keeps_the_lock_for_ever():
    result = run_spec("lease-liveness-no-expiry")
    assert [s.label for s in result.trace[1:]] == ["grant(c=c2)", "gc_pause(c=c2)"]
    assert result.extra["loop_start"] == 2 and "tick" in result.message


@pytest.mark.parametrize("weaker", [{"tick": None}, {"write": None}, {"release": None}, {"grant": None},
                                    {"release": "weak(c)"}, {"grant": "weak(c)"}])
def test_each_assumption_is_needed(weaker):
    result = check_liveness(lease(**weaker), ["waiting_client_acquires"])
    assert result.violated and result.property == "waiting_client_acquires"


def test_the_absolute_clock_fails_only_at_its_bounds():
    result = run_spec("lease-liveness-horizon")
    assert set(result.extra["bounds_hit"]) >= {"now = 5", "next_token = 35"}
    assert check_liveness(lease(clock="absolute", tick="strong"), ["waiting_client_acquires"]).violated


def test_the_relative_clock_keeps_the_safety_verdicts():
    from checker import check

    assert check(LeaseLock(clock="relative")).holds  # safe_writes, and handover is reached
    bad = check(LeaseLock(clock="relative", variant="no-fencing"))
    assert bad.violated and bad.property == "safe_writes" and len(bad.trace) - 1 == 11
    assert check(LeaseLock(clock="relative"), properties=["single_holder"]).violated


def test_renumbering_keeps_token_order_and_only_tokens_in_use():
    proto = LeaseLock(clock="relative")
    s = proto.initial_states()[0]
    for name, params in [("grant", ("c1",)), ("check_lease", ("c1",)), ("gc_pause", ("c1",)),
                         ("tick", ()), ("tick", ()), ("tick", ()), ("grant", ("c2",)),
                         ("check_lease", ("c2",)), ("write", ("c2",))]:
        s = proto.action(name).fn(s, *params)
        assert s is not None, name
    assert (s.token["c1"], s.token["c2"], s.fence, s.next_token) == (33, 34, 34, 35)
    s = proto.action("tick").fn(s)
    s = proto.action("write").fn(s, "c1")  # 33 < 34: rejected, c1 drops its token
    assert s.pc["c1"] == "idle" and s.token["c1"] is None
    assert (s.token["c2"], s.fence, s.stored, s.next_token) == (33, 33, 33, 34)  # 33 forgotten: 34 -> 33


# -- Paxos ---------------------------------------------------------------------------------------


def test_one_designated_proposer_with_fair_delivery_always_chooses_whatever_the_ballot_bound():
    result = run_spec("paxos-liveness-designated")
    assert result.holds and result.distinct_states == 73
    assert "bounds_note" not in result.extra  # no counter reaches its bound: not a bound artefact
    assert result.coverage["phase1a"] > 0 and result.coverage["phase2b"] > 0


def test_the_designated_proposer_needs_fair_delivery():
    result = run_spec("paxos-liveness-designated-lossy")
    assert result.trace[-1].action == "phase2a" and "phase2b" in result.message


def test_competing_proposers_terminate_only_within_the_ballot_bound():
    result = run_spec("paxos-liveness-small")
    assert result.holds and "maxBal[a1] = 1" in result.extra["bounds_note"]


def test_dueling_proposers_are_shown_up_to_the_ballot_bound():
    result = run_spec("paxos-dueling")
    last = result.trace[-1].state
    assert sorted(m.bal for m in last.msgs.of("2a")) == [0, 1]  # both lower ballots proposed ...
    assert not any(m.type == "2b" for m in last.msgs)  # ... and nobody could vote for either
    assert sum(1 for a in ("a1", "a2", "a3") if last.maxBal[a] == 2) >= 2  # a quorum is at the bound


def test_designated_and_dueling_leave_the_default_model_alone():
    from checker import check
    from protocols.paxos import Paxos

    assert check(Paxos(ballots=2)).distinct_states == 3921
    assert check(Paxos(ballots=2, leaders=1)).holds  # agreement and value_chosen with one proposer


# -- Raft ----------------------------------------------------------------------------------------


def test_raft_split_votes_repeat_until_the_term_bound_under_full_fairness():
    result = run_spec("raft-liveness-split-votes")
    assert result.extra["loop_start"] == len(result.trace) - 1  # the run stops: no step can change the state
    last = result.trace[-1].state
    assert all(last.role[i] != "leader" for i in ("s1", "s2"))
    assert {"currentTerm[s1] = 2", "currentTerm[s2] = 2"} <= set(result.extra["bounds_hit"])
