"""The protocol DSL: domains, records, maps, parameters, and declaration errors."""

from __future__ import annotations

import pytest

from checker import Map, Nodes, Option, Param, Protocol, QuorumError, Range, RecordType, SetOf, action
from checker.dsl.domains import Enum
from protocols.paxos import Paxos


def test_domains_list_their_values():
    assert Nodes("a", 3).values() == ["a1", "a2", "a3"]
    assert Range(-1, 1).values() == [-1, 0, 1]
    assert Option(Nodes("v", 2)).values() == [None, "v1", "v2"]
    assert Enum("follower", "leader").values() == ["follower", "leader"]


def test_records_read_like_tla_and_are_tuples():
    m1b = RecordType("1b", acc=Nodes("a", 2), bal=Range(0, 1))
    m = m1b(acc="a1", bal=0)
    assert (m.type, m.acc, m.bal) == ("1b", "a1", 0)
    assert m == m1b("a1", 0) and hash(m) == hash(m1b("a1", 0))
    assert repr(m) == "1b(acc=a1, bal=0)"
    assert len(m1b.values()) == 4


def test_maps_update_by_copy():
    dom = Map(Nodes("a", 2), Range(-1, 1))
    m = dom.make(-1)
    m2 = m.set("a2", 1)
    assert (m["a2"], m2["a2"], m2["a1"]) == (-1, 1, -1)
    assert dict(m2.items()) == {"a1": -1, "a2": 1}


def test_message_sets_index_records_by_kind():
    proto = Paxos(ballots=2)
    s = proto.initial_states()[0]
    s2 = s.update(msgs=s.msgs | {proto.M1a(0), proto.M2a(0, "v1")})
    assert s2.msgs.of("1a") == (proto.M1a(0),)
    assert s2.msgs.of("2b") == ()


def test_ballots_parameter_is_a_count():
    assert Paxos(ballots=3).Ballot.values() == [0, 1, 2]


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"balots": 3}, "Did you mean 'ballots'"),
        ({"ballots": "3"}, "takes a int"),
        ({"ballots": True}, "takes a number"),
        ({"variant": "phase2a-ignore-1b"}, "Did you mean 'phase2a-ignores-1b'"),
    ],
)
def test_bad_parameters_are_named_with_a_fix(params, fragment):
    with pytest.raises(QuorumError, match=fragment):
        Paxos(**params)


def test_action_parameters_need_domains():
    class Missing(Protocol):
        def setup(self):
            self.var("n", Range(0, 1), init=0)

        @action
        def step(self, s, k):
            return None

    with pytest.raises(QuorumError, match=r"action step: parameters \['k'\] need a domain"):
        Missing()


def test_action_domain_names_are_checked():
    class Typo(Protocol):
        def setup(self):
            self.Node = Nodes("n", 2)
            self.var("n", Range(0, 1), init=0)

        @action(k="Nodes")
        def step(self, s, k):
            return None

    with pytest.raises(QuorumError, match="Did you mean 'Node'"):
        Typo()


def test_initial_values_must_be_in_their_domain():
    class Bad(Protocol):
        def setup(self):
            self.var("n", Range(0, 1), init=5)

    with pytest.raises(QuorumError, match="initial value 5 of 'n'"):
        Bad()


def test_reserved_variable_names_are_refused():
    class Bad(Protocol):
        def setup(self):
            self.var("update", Range(0, 1), init=0)

    with pytest.raises(QuorumError, match="reserved"):
        Bad()


def test_params_have_docs_and_variants_are_listed():
    specs = Paxos.param_specs()
    assert specs["ballots"].default == 3 and "ballots" in specs["ballots"].doc
    assert "phase2a-ignores-1b" in Paxos.variants()
    assert isinstance(Param(1).check("P", 2), int)
    assert SetOf(Nodes("n", 2)).universe() == ["n1", "n2"]
