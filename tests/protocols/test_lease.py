"""The lease lock: fencing keeps the storage safe; without it the seed's quiz-7 timeline breaks it."""

from __future__ import annotations

import pytest

from checker import QuorumError, check
from protocols.lease import LeaseLock
from tests.protocols.steps import assert_spec_met

SEED = {"ttl": 3, "renew_period": 1, "pause": 4, "horizon": 5, "first_token": 33}


def test_fencing_keeps_writes_safe_and_the_lock_changes_hands():
    result = check(LeaseLock(**SEED))
    assert result.holds
    assert result.distinct_states > 100


def test_without_fencing_the_seeds_timeline_is_the_shortest_counterexample():
    result = check(LeaseLock(**SEED, variant="no-fencing"))
    assert result.violated and result.property == "safe_writes"
    assert len(result.trace) - 1 == 11
    actions = [step.label for step in result.trace[1:]]
    assert actions[:3] == ["grant(c=c1)", "check_lease(c=c1)", "gc_pause(c=c1)"]
    assert actions[-1] == "write(c=c1)"
    last = result.trace[-1].state
    assert last.token["c1"] == 33 and last.token["c2"] == 34
    assert last.fence == 34 and last.stored == 33  # c1's stale write overwrote c2's


def test_with_fencing_the_stale_write_is_rejected_and_the_client_learns_it():
    proto = LeaseLock(**SEED)
    s = proto.initial_states()[0]
    for name, params in [("grant", ("c1",)), ("check_lease", ("c1",)), ("gc_pause", ("c1",)),
                         ("tick", ()), ("tick", ()), ("tick", ()), ("grant", ("c2",)),
                         ("check_lease", ("c2",)), ("write", ("c2",)), ("tick", ()), ("write", ("c1",))]:
        s = proto.action(name).fn(s, *params)
        assert s is not None, name
    assert s.stored == 34 and s.fence == 34
    assert s.pc["c1"] == "idle" and s.token["c1"] is None


def test_a_paused_client_cannot_act_and_time_waits_for_running_writers():
    proto = LeaseLock(**SEED)
    s = proto.initial_states()[0]
    s = proto.action("grant").fn(s, "c1")
    s = proto.action("check_lease").fn(s, "c1")
    assert proto.action("tick").fn(s) is None  # c1 writes before the clock moves
    s = proto.action("gc_pause").fn(s, "c1")
    assert proto.action("write").fn(s, "c1") is None
    assert proto.action("tick").fn(s) is not None


def test_even_with_fencing_two_clients_can_believe_they_hold_the_lock():
    result = check(LeaseLock(**SEED), properties=["single_holder"])
    assert result.violated and result.property == "single_holder"
    assert len(result.trace) - 1 == 5


@pytest.mark.parametrize("variant", ["correct", "no-fencing"])
def test_small_instance_gives_each_verdict(variant):
    result = check(LeaseLock(**LeaseLock.small_instance, variant=variant))
    assert result.holds == (variant == "correct")
    if variant != "correct":
        assert result.property == "safe_writes" and len(result.trace) - 1 == 10


def test_without_gc_pauses_the_unfenced_lock_is_safe():
    # a pause must end by the horizon, so pause > horizon rules pauses out
    result = check(LeaseLock(ttl=3, pause=6, horizon=5, variant="no-fencing"), properties=["safe_writes"])
    assert result.holds


def test_a_one_tick_pause_across_the_expiry_is_enough():
    result = check(LeaseLock(ttl=3, pause=1, horizon=5, variant="no-fencing"))
    assert result.violated and result.property == "safe_writes"


def test_bad_parameters_name_the_fix():
    with pytest.raises(QuorumError, match="ttl must be at least 1"):
        LeaseLock(ttl=0)


@pytest.mark.parametrize("name", ["lease-fencing", "lease-no-fencing", "lease-two-believers"])
def test_specs_meet_their_expectations(name):
    assert_spec_met(name)
