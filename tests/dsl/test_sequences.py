"""Sequences and bags on concrete values: the operations, their bounds and how they are written."""

from __future__ import annotations

import pytest

from checker.dsl import Bag, BoundError, Enum, Map, Nodes, Range, RecordType, Seq
from checker.dsl.domains import order, show

Entry = RecordType("entry", term=Range(1, 2), value=Enum("v1"))
Log = Seq(Entry, 2)


def test_a_sequence_is_indexed_from_one_and_keeps_its_class():
    e1, e2 = Entry(term=1, value="v1"), Entry(term=2, value="v1")
    log = Log.make().append(e1).append(e2)
    assert (log.length, log.at(1), log.at(2), log.last()) == (2, e1, e2, e2)
    assert log.prefix(1) == Log.make([e1]) and type(log.prefix(1)) is Log.cls
    assert log.sub(2, 2) == Log.make([e2]) and log.sub(2, 1) == Log.make()
    assert Log.make().last(None) is None and log.at(3, "none") == "none"
    assert Log.contains(log) and not Seq(Entry, 1).contains(log)
    assert show(log) == "<<entry(term=1, value=v1), entry(term=2, value=v1)>>"
    assert Log.from_json(Log.to_json(log)) == log
    assert len(Log.values()) == 1 + 2 + 4


def test_going_past_a_sequence_names_the_line_that_did_it():
    full = Log.make([Entry(term=1, value="v1")] * 2)
    with pytest.raises(BoundError, match=r"test_sequences\.py:\d+: append to a full sequence"):
        full.append(Entry(term=1, value="v1"))
    with pytest.raises(BoundError, match=r"test_sequences\.py:\d+: index 3 is outside 1\.\.2"):
        full.at(3)
    with pytest.raises(BoundError, match="prefix"):
        full.prefix(3)
    with pytest.raises(BoundError, match=r"last\(\) of an empty sequence"):
        Log.make().last()
    with pytest.raises(TypeError, match=r"\.at\(k\), counting from 1"):
        full[0]  # noqa: B018 - the refusal is the point


def test_a_bag_counts_copies_and_iterates_distinct_elements_in_order():
    Msgs = Bag(Range(0, 3), max_count=2)
    bag = Msgs.make([3, 1, 1])
    assert (bag.count(1), bag.count(3), bag.count(2), len(bag), list(bag)) == (2, 1, 0, 2, [1, 3])
    assert 1 in bag and 2 not in bag
    assert bag.remove(1).count(1) == 1 and bag.remove(2) == bag and bag.remove(3).remove(3) == Msgs.make([1, 1])
    assert bag.add(3) == Msgs.make({1: 2, 3: 2}) and hash(bag.add(3)) == hash(Msgs.make([1, 1, 3, 3]))
    assert show(bag) == "{1 ×2, 3}" and Msgs.from_json(Msgs.to_json(bag)) == bag
    assert order(Msgs.make([1])) < order(Msgs.make([1, 1]))
    with pytest.raises(BoundError, match="holds each at most 2 times"):
        bag.add(1)
    assert Msgs.contains(bag) and not Bag(Range(0, 3), max_count=1).contains(bag)


def test_nested_initial_values_become_the_domain_s_own_values():
    servers = Nodes("s", 2)
    logs = Map(servers, Log).make(())
    assert all(type(v) is Log.cls for v in logs.values())
    assert Map(servers, Map(servers, Range(0, 1))).make(lambda _: 0)["s1"]["s2"] == 0


def test_bad_bounds_are_refused_with_the_fix():
    from checker.errors import QuorumError

    with pytest.raises(QuorumError, match="longest length"):
        Seq(Entry, -1)
    with pytest.raises(QuorumError, match="largest count"):
        Bag(Entry, max_count=0)
