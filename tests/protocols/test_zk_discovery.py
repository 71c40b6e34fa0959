"""Service discovery on ephemeral registrations: a router routes to a server that stopped for at most
ttl + lag ticks (the bound holds, one less fails); persistent registrations or a watch not re-armed
make it unbounded."""

from __future__ import annotations

import pytest

from checker import check
from protocols.zk_discovery import ZkDiscovery
from tests.protocols.steps import assert_spec_met, replay

SPEC = {"servers": 2, "ttl": 2, "pause": 3, "lag": 1}


@pytest.mark.parametrize(("ttl", "lag"), [(1, 0), (2, 0), (2, 1), (3, 1), (2, 2)])
def test_the_stale_routing_bound_is_exactly_ttl_plus_lag(ttl, lag):
    params = {"servers": 2, "ttl": ttl, "pause": ttl + 1, "lag": lag}
    assert check(ZkDiscovery(**params, bound=ttl + lag)).holds
    tight = check(ZkDiscovery(**params, bound=ttl + lag - 1))
    assert tight.violated and tight.property == "stale_routing_at_most_K"
    assert tight.trace[-1].state.stale == ttl + lag  # the witness reaches the maximum


def test_the_witness_of_the_maximum_for_ttl_2_lag_1():
    result = check(ZkDiscovery(**SPEC, bound=2))
    assert result.violated and len(result.trace) - 1 == 8
    assert [step.label for step in result.trace[1:]] == [
        "register(v=s1)", "lookup(v=s1)", "gc_pause(c=s1)", "tick", "tick", "expire(c=s1)",
        "notice(e=event(dst=router, path=/services/s1))", "tick"]
    assert [step.state.stale for step in result.trace] == [0, 0, 0, 0, 1, 2, 2, 2, 3]
    last = result.trace[-1].state
    assert last.route == "s1" and last.session["s1"] == 0 and last.data["/services/s1"] is None


def test_state_counts_and_goals():
    assert check(ZkDiscovery(**ZkDiscovery.small_instance)).distinct_states == 253
    assert check(ZkDiscovery(**SPEC, bound=3)).distinct_states == 275
    crashed = check(ZkDiscovery(**SPEC, bound=3, faults=["crash"]))
    assert crashed.holds and crashed.distinct_states == 5_900
    assert crashed.goals == {"routed": 2, "routed_after_expiry": 5, "failover": 7}


@pytest.mark.parametrize("bound", [0, 3, 6])
def test_persistent_registrations_break_every_bound(bound):
    result = check(ZkDiscovery(**SPEC, bound=bound, variant="persistent-registration"))
    assert result.violated and result.property == "stale_routing_at_most_K"
    assert len(result.trace) - 1 == bound + 4  # register, lookup, gc_pause, then bound + 1 ticks
    assert result.trace[-1].state.data["/services/s1"] == "set"  # the dead server is still registered


@pytest.mark.parametrize(("bound", "steps"), [(3, 13), (6, 16)])
def test_a_watch_not_rearmed_survives_one_failure_not_two(bound, steps):
    result = check(ZkDiscovery(**SPEC, bound=bound, variant="watch-not-rearmed"))
    assert result.violated and len(result.trace) - 1 == steps
    actions = [step.label for step in result.trace[1:]]
    assert "refresh(v=s2)" in actions and "expire(c=s2)" in actions
    last = result.trace[-1].state
    assert last.route == "s2" and last.watch["router"] is None and last.data["/services/s2"] is None


def test_with_one_server_the_unarmed_watch_never_matters():
    proto = ZkDiscovery(servers=1, ttl=2, pause=3, lag=1, bound=3, variant="watch-not-rearmed")
    assert check(proto, properties=["stale_routing_at_most_K"]).holds  # (failover needs a second server)


def test_a_lost_notification_breaks_the_bound_too():
    # the bound assumes the service delivers the notification (ZooKeeper does, within a session)
    result = check(ZkDiscovery(**SPEC, bound=6, faults=["loss"]))
    assert result.violated and len(result.trace) - 1 == 12
    assert any(step.label.startswith("lose(") for step in result.trace[1:])


def test_time_waits_for_the_expiry_the_notification_and_a_late_refresh():
    proto = ZkDiscovery(**SPEC, bound=3)
    s = replay(proto, [("register", "s1"), ("lookup", "s1"), ("gc_pause", "s1"), ("tick",), ("tick",)])
    tick = proto.action("tick").fn
    assert tick(s) is None  # s1's session lapsed: the service expires it first
    s = proto.action("expire").fn(s, "s1")
    assert tick(s) is None  # the router's notification is in flight
    (event,) = s.events
    s = proto.action("notice").fn(s, event)
    s = tick(s)  # lag 1: one tick may pass before the router re-lists
    assert s.stale == 3 and s.waited == 1 and tick(s) is None
    s = proto.action("refresh_empty").fn(s)
    assert s.route is None and s.stale == 0


@pytest.mark.parametrize("name", ["zk-discovery", "zk-discovery-bound-too-tight",
                                  "zk-discovery-persistent-registration", "zk-discovery-watch-not-rearmed"])
def test_specs_meet_their_expectations(name):
    assert_spec_met(name)
