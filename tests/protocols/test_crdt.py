"""CRDTs: strong eventual consistency under loss and duplication, and what the naive designs lose."""

from __future__ import annotations

import pytest

from checker import QuorumError, check
from checker.smt.bmc import bmc
from protocols.crdt import GCounter, LWWRegister, ORSet, PNCounter

SEC = ["same_history_same_state", "converges"]


def step(p, s, action, *params):
    """The state after one action, as the engines compute it (None: the action is disabled)."""
    return p.action(action).fn(s, *params)


def deliver(p, s, m):
    """The state after m's receiver merges m."""
    return step(p, s, "receive", m.dst, m)


def holds_everywhere(p, s):
    """Every invariant of p holds in the concrete state s."""
    return {name: bool(prop.fn(s)) for name, prop in p.properties.items() if prop.kind == "always"}


@pytest.mark.parametrize(("cls", "states"), [(GCounter, 73), (PNCounter, 265), (LWWRegister, 109), (ORSet, 121)])
def test_small_instances_hold_and_converge(cls, states):
    result = check(cls(**cls.small_instance))
    assert result.holds and result.distinct_states == states
    assert result.goals["updated_and_converged"] is not None


@pytest.mark.parametrize(("cls", "states"), [(GCounter, 73), (PNCounter, 265), (LWWRegister, 109), (ORSet, 121)])
def test_with_one_update_each_loss_and_duplication_add_not_a_single_state(cls, states):
    """Gossip is re-sendable: a lost state is one never sent, a duplicated one a state sent again."""
    result = check(cls(**cls.small_instance, faults=["loss", "duplication"]))
    assert result.holds and result.distinct_states == states and result.coverage["lose"] > 0


@pytest.mark.parametrize(("cls", "params", "states", "fault_free"), [
    (GCounter, {"updates": 2}, 5_137, 5_121),
    (PNCounter, {"updates": 2}, 73_833, 73_577),
    (LWWRegister, {"updates": 2}, 8_333, 8_133),
    (ORSet, {"adds": 1, "updates": 2}, 7_249, 7_185),
])
def test_sec_holds_under_loss_and_duplication(cls, params, states, fault_free):
    lossy = check(cls(replicas=2, **params, faults=["loss", "duplication"]))
    assert lossy.holds and lossy.distinct_states == states
    assert lossy.goals["updated_and_converged"] is not None
    if fault_free is not None:
        assert check(cls(replicas=2, **params)).distinct_states == fault_free


def test_a_g_counter_also_converges_across_partitions_and_crash_restarts():
    assert check(GCounter(updates=2, faults=["loss", "duplication", "partition"])).distinct_states == 10_274
    assert check(GCounter(updates=2, faults=["loss", "duplication", "crash-restart"])).distinct_states == 20_548


def test_reordering_is_no_separate_fault_on_a_set_network():
    with pytest.raises(QuorumError, match="already delivers in any order"):
        ORSet(faults=["reordering"])


@pytest.mark.parametrize(("cls", "depth", "states"), [(GCounter, 9, 8_548), (LWWRegister, 8, 8_416), (ORSet, 8, 5_749)])
def test_three_replicas_relaying_states_up_to_a_depth(cls, depth, states):
    """Exhaustive search cannot finish with three replicas (millions of sets of states in flight), so
    the relayed histories (r1's update reaching r3 through r2) are checked to a depth."""
    result = check(cls(replicas=3, updates=1), max_depth=depth, engine="explicit")
    assert result.verdict == "limit" and result.distinct_states == states
    assert f"nothing found up to depth {depth}" in result.message


# -- counters --------------------------------------------------------------------------------


def test_a_state_merged_twice_is_counted_once():
    p = PNCounter(updates=1, faults=["duplication"])
    s = step(p, p.initial_states()[0], "increment", "r1")
    s = step(p, s, "decrement", "r2")
    s = step(p, s, "send", "r1", "r2")
    (m,) = s.net
    once = deliver(p, s, m)
    twice = deliver(p, once, m)
    assert m in twice.net and twice == once  # the duplicate stays, and merging it again changes nothing
    assert p.value(twice, "r2") == 0 and p.value(twice, "r1") == 1
    assert all(holds_everywhere(p, twice).values())


# -- the register ----------------------------------------------------------------------------


def test_skewed_clocks_lose_a_later_write_in_four_steps():
    result = check(LWWRegister(updates=2, variant="skewed-clocks"))
    assert result.violated and result.property == "later_write_wins" and len(result.trace) == 5
    assert [s.label for s in result.trace[1:]] == [
        "write(r=r2)", "send(src=r2, dst=r1)",
        "receive(r=r1, m=gossip_r2_r1(src=r2, dst=r1, ts=2, wid=2, seen_r2=1))", "write(r=r1)"]
    last = result.trace[-1].state
    # r1 wrote after seeing r2's write, stamped (2, r1) by its slow clock: the tie goes to r2's id
    assert (last.ts["r1"], last.wid["r1"]) == (2, 2) and (last.last_ts, last.last_wid) == (2, 1)
    assert "r1 has seen every write, yet holds r2's write" in LWWRegister(updates=2).explanation(
        "later_write_wins", last)


def test_bmc_finds_the_lost_write_at_the_same_depth():
    result = bmc(LWWRegister(updates=2, variant="skewed-clocks"), max_depth=4)
    assert result.violated and result.property == "later_write_wins" and len(result.trace) == 5


def test_skewed_clocks_still_converge_on_the_wrong_value():
    assert check(LWWRegister(updates=2, variant="skewed-clocks", faults=["loss", "duplication"]), SEC).holds


def test_physical_clocks_in_sync_keep_the_later_write():
    result = check(LWWRegister(updates=2, variant="skewed-clocks", skew=0))
    assert result.holds and result.distinct_states == 7_245


def test_lamport_clocks_order_a_write_after_every_write_it_has_seen():
    p = LWWRegister(updates=1)
    s = step(p, p.initial_states()[0], "write", "r2")
    s = step(p, s, "send", "r2", "r1")
    s = deliver(p, s, next(iter(s.net)))
    s = step(p, s, "write", "r1")
    assert (s.ts["r1"], s.wid["r1"]) == (2, 1) and s.informed  # past r2's timestamp 1: r1's write wins
    assert all(holds_everywhere(p, s).values())


def test_the_history_is_relayed_through_a_third_replica():
    p = LWWRegister(replicas=3, updates=1)
    s = step(p, p.initial_states()[0], "write", "r1")
    s = step(p, s, "send", "r1", "r2")
    s = deliver(p, s, next(iter(s.net)))
    s = step(p, s, "send", "r2", "r3")
    s = deliver(p, s, next(m for m in s.net if m.dst == "r3"))
    assert s.seen["r3"]["r1"] == 1 and s.wid["r3"] == 1  # r1's write reached r3 through r2
    assert all(holds_everywhere(p, s).values())


# -- sets ------------------------------------------------------------------------------------


def test_the_naive_set_loses_an_add_in_five_steps():
    result = check(ORSet(updates=2, variant="removes-unobserved"))
    assert result.violated and result.property == "add_wins" and len(result.trace) == 6
    assert [s.action for s in result.trace[1:]] == ["add", "send", "receive", "remove", "add"]
    last = result.trace[-1].state
    assert last.tag["r2"]["r2.1"] == "removed"  # r2's add after its remove: tombstoned before it was made
    assert "the add tagged r2.1" in ORSet(updates=2).explanation("add_wins", last)


def test_bmc_finds_a_lost_add_at_the_same_depth():
    result = bmc(ORSet(updates=2, variant="removes-unobserved"), max_depth=5)
    assert result.violated and result.property == "add_wins" and len(result.trace) == 6


def concurrent_add_and_remove(p):
    """r2 adds x and removes it while r1, not having seen either, adds x; then r1 merges r2's state."""
    s = step(p, p.initial_states()[0], "add", "r2", 1)
    s = step(p, s, "remove", "r2")
    s = step(p, s, "add", "r1", 1)
    s = step(p, s, "send", "r2", "r1")
    return deliver(p, s, next(iter(s.net)))


def test_a_concurrent_add_survives_in_the_or_set_and_is_lost_in_the_naive_one():
    p = ORSet(updates=2)
    s = concurrent_add_and_remove(p)
    assert p.contains(s, "r1") and dict(s.tag["r1"].items()) == {"r1.1": "added", "r2.1": "removed"}
    assert all(holds_everywhere(p, s).values())

    naive = ORSet(updates=2, variant="removes-unobserved")
    s = concurrent_add_and_remove(naive)
    assert not naive.contains(s, "r1") and s.tag["r1"]["r1.1"] == "removed"
    assert holds_everywhere(naive, s)["add_wins"] is False
    assert "the add tagged r1.1" in naive.explanation("add_wins", s)


def test_the_naive_set_still_converges_it_just_loses_adds():
    assert check(ORSet(updates=2, variant="removes-unobserved", faults=["loss", "duplication"]), SEC).holds


def test_with_one_update_each_the_naive_set_cannot_lose_an_add():
    """A lost add needs a replica that both adds and removes: the small instance is safe."""
    assert check(ORSet(**ORSet.small_instance, variant="removes-unobserved")).holds
