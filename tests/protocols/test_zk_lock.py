"""The ZooKeeper lock recipe (protocols/zk_lock.py): fencing keeps the storage safe when a session
expires mid-pause, without it the stale write lands, and the herd variant wakes N-1 waiters."""

from __future__ import annotations

import pytest

from checker import check
from checker.dsl import always
from protocols.zk_lock import ZkLock


def actions(result):
    return [(st.action, *st.params.values()) for st in result.trace[1:]]


@pytest.mark.parametrize(("clients", "states"), [(2, 581), (3, 28_222)])
def test_the_fenced_recipe_keeps_the_storage_safe_and_wakes_one_waiter(clients, states):
    r = check(ZkLock(clients=clients), engine="array")
    assert (r.verdict, r.distinct_states) == ("holds", states)
    assert r.goals["handover"] is not None


def test_without_fencing_the_paused_holders_write_lands_after_its_successors():
    r = check(ZkLock(clients=2, variant="no-fencing"))
    assert (r.verdict, r.property) == ("violated", "safe_writes")
    assert actions(r) == [
        ("enqueue", "c1"), ("enqueue", "c2"), ("check", "c1", 0), ("gc_pause", "c1"),
        ("tick",), ("tick",), ("tick",), ("expire", "c1"),  # c1's session lapses mid-pause: its node goes
        ("check", "c2", 1), ("write", "c2", 1), ("write", "c1", 0),  # c2 holds and writes; c1 wakes and writes
    ]
    last = r.trace[-1].state
    assert (last.stored, last.fence, last.created["/lock/1"]) == (1, 2, 2)  # token 1 stored after token 2


def test_even_with_fencing_two_clients_believe_they_hold_the_lock():
    r = check(ZkLock(clients=2), ["single_holder"])
    assert (r.verdict, len(r.trace) - 1) == ("violated", 8)
    last = r.trace[-1].state
    assert dict(last.pc.items()) == {"c1": "holding", "c2": "holding"} and last.session["c1"] == 0


class WokenBound(ZkLock):
    """ZkLock with one more invariant: a release wakes at most N-1 waiters."""

    @always
    def at_most_n_minus_1(self, s):
        return s.woken <= self.clients - 1


def test_the_herd_wakes_every_other_client_and_the_recipe_only_one():
    herd = check(ZkLock(clients=3, variant="herd"), engine="array")
    assert (herd.verdict, herd.property, len(herd.trace) - 1) == ("violated", "one_wakeup", 7)
    assert herd.trace[-1].state.woken == 2  # N-1 of N = 3
    bound = check(WokenBound(clients=3, variant="herd"), ["at_most_n_minus_1"], engine="array")
    assert bound.verdict == "holds"  # and never more: N-1 is the maximum
    assert check(ZkLock(clients=3), ["one_wakeup"], engine="array").verdict == "holds"
