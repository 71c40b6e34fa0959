"""The shared fault vocabulary: selection errors, fault state and actions, helpers for protocols."""

from __future__ import annotations

import pytest

from checker import QuorumError, check
from checker.cli.spec import parse_spec
from checker.dsl import And, Bool, Enum, Environment, ForAll, Implies, Map, Nodes, Not, Protocol, action, always
from checker.dsl.faults import hostable
from protocols.bully import Bully
from protocols.majority_election import MajorityElection
from protocols.paxos import Paxos
from protocols.raft import Raft
from protocols.two_phase import TwoPhase


def test_unknown_fault_suggests_the_closest_name():
    with pytest.raises(QuorumError, match="unknown fault 'los'. Did you mean 'loss'"):
        Bully(faults=["los"])


def test_a_fault_the_protocol_cannot_host_names_what_to_declare():
    with pytest.raises(QuorumError, match="fault 'loss' needs the protocol to declare its network"):
        Paxos(ballots=2, faults=["loss"])
    with pytest.raises(QuorumError, match="needs the protocol to declare its processes"):
        Paxos(ballots=2, faults=["crash"])


def test_reordering_on_an_unordered_network_is_rejected():
    with pytest.raises(QuorumError, match="already delivers in any order"):
        Bully(faults=["reordering"])


def test_a_spec_selects_faults_by_name():
    spec = parse_spec({"protocol": "protocols.bully:Bully", "faults": ["partition", "crash"]}, "bully.toml")
    protocol = spec.build()
    assert protocol.faults.selected == ("crash", "partition")
    assert {"up", "group"} <= set(protocol.variables)
    assert {"crash", "partition", "heal"} <= {a.name for a in protocol.actions}
    assert "faults=['crash', 'partition']" in protocol.describe()


def test_no_faults_means_no_fault_state():
    protocol = Raft(terms=1)
    assert "up" not in protocol.variables and "group" not in protocol.variables
    assert not {"lose", "crash", "restart", "partition", "heal"} & {a.name for a in protocol.actions}


def test_fault_actions_fire_and_are_counted():
    result = check(Bully(faults=["crash-restart", "partition", "loss"]), max_states=20_000, deadlock=False)
    for name in ("crash", "restart", "partition", "heal", "lose"):
        assert result.coverage[name] > 0, name


def test_partition_cuts_three_processes_four_ways():
    protocol = Bully(faults=["partition"])
    assert len(protocol.action("partition").static) == 4


def _state(protocol, **changes):
    return protocol.initial_states()[0].update(**changes)


def test_restart_keeps_durable_variables_and_resets_the_rest():
    raft = Raft(terms=2, faults=["crash-restart"])
    s = raft.initial_states()[0]
    s = raft.action("timeout").fn(s, "s1")
    s = raft.action("crash").fn(s, "s1")
    assert not raft.faults.up(s, "s1")
    assert raft.action("timeout").fn(s, "s1") is None  # a crashed server takes no step
    s = raft.action("restart").fn(s, "s1")
    assert s.currentTerm["s1"] == 1 and s.votedFor["s1"] == "s1"  # persisted
    assert s.role["s1"] == "follower" and s.votesGranted["s1"] == frozenset()  # volatile
    assert len(s.msgs) == 2  # the network is not the process's state


def test_loss_drops_a_message_and_duplication_keeps_it_after_receipt():
    for faults, kept in ((["loss"], False), (["duplication"], True)):
        raft = Raft(terms=1, faults=faults)
        s = raft.action("timeout").fn(raft.initial_states()[0], "s1")
        m = next(iter(s.msgs))
        after = raft.action("handle_request_vote").fn(s, m)
        assert (m in after.msgs) is kept
        if "loss" in faults:
            assert m not in raft.action("lose").fn(s, m).msgs


def test_without_reordering_no_message_overtakes_one_of_an_earlier_term():
    raft = Raft(terms=2)
    old = raft.RequestVote(term=1, src="s1", dst="s2", lastLogTerm=0, lastLogIndex=0)
    new = raft.RequestVote(term=2, src="s1", dst="s2", lastLogTerm=0, lastLogIndex=0)
    s = _state(raft, msgs={old, new})
    assert raft.faults.deliverable(s, old) and not raft.faults.deliverable(s, new)
    anyorder = Raft(terms=2, faults=["reordering"])
    s = _state(anyorder, msgs={old, new})
    assert anyorder.faults.deliverable(s, new)


def test_a_partition_stops_delivery_across_the_cut_until_it_heals():
    bully = Bully(faults=["partition"])
    cut = next(g for g in bully.action("partition").static if g[0]["p1"] != g[0]["p2"])[0]
    m = bully.Election(src="p1", dst="p2")
    s = bully.action("partition").fn(_state(bully, msgs={m}), cut)
    assert not bully.faults.deliverable(s, m)
    assert bully.action("partition").fn(s, cut) is None  # one partition at a time
    assert bully.faults.deliverable(bully.action("heal").fn(s), m)


def test_coordinator_crash_is_a_fault_of_two_phase_commit():
    result = check(TwoPhase(faults=["crash-restart"]))
    assert result.holds and result.coverage["crash"] > 0 and result.coverage["restart"] > 0


def test_a_spec_whose_faults_are_not_a_list_is_a_clear_error():
    with pytest.raises(QuorumError, match=r"bully.toml: faults must be a list of fault names"):
        parse_spec({"protocol": "protocols.bully:Bully", "faults": "partition"}, "bully.toml")


# -- link-cut: single links, non-transitive partitions ------------------------------------------


def test_link_cut_adds_a_set_of_cut_links_and_per_link_actions():
    bully = Bully(faults=["link-cut"])
    assert bully.faults.link_names() == ["p1-p2", "p1-p3", "p2-p3"]
    assert bully.variables["cut"].init == frozenset()
    assert [a.name for a in bully.actions][-2:] == ["cut_link", "heal_link"]
    assert "link-cut" in hostable(bully)


def test_a_cut_link_stops_delivery_on_it_alone_until_it_heals():
    bully = Bully(faults=["link-cut"])
    s = bully.action("cut_link").fn(_state(bully), "p1-p3")
    assert s.cut == {"p1-p3"}
    cut, other = bully.Election(src="p1", dst="p3"), bully.Election(src="p1", dst="p2")
    assert not bully.faults.deliverable(s, cut) and bully.faults.deliverable(s, other)
    assert not bully.faults.deliverable(s, bully.Answer(src="p3", dst="p1"))  # a link cuts both ways
    assert bully.action("cut_link").fn(s, "p1-p3") is None  # already cut
    assert bully.faults.deliverable(bully.action("heal_link").fn(s, "p1-p3"), cut)
    assert bully.action("heal_link").fn(_state(bully), "p1-p3") is None  # nothing to heal


def test_reachability_under_cut_links_need_not_be_transitive():
    bully = Bully(faults=["link-cut"])
    s = bully.action("cut_link").fn(_state(bully), "p1-p3")
    connected = bully.faults.connected
    assert connected(s, "p1", "p2") and connected(s, "p2", "p3") and not connected(s, "p1", "p3")
    assert connected(s, "p1", "p1")


def test_the_environment_bounds_how_many_links_are_cut_at_once():
    election = MajorityElection(nodes=3, cuts=1, faults=["link-cut"])
    s = election.action("cut_link").fn(_state(election), "n1-n2")
    assert election.action("cut_link").fn(s, "n1-n3") is None
    with pytest.raises(QuorumError, match="cuts=0 must be a number of links of at least 1"):
        NoCuts(faults=["link-cut"])


def test_link_cut_needs_processes_and_partitions_bully_in_five_steps():
    with pytest.raises(QuorumError, match="fault 'link-cut' needs the protocol to declare its processes"):
        Paxos(ballots=2, faults=["link-cut"])
    result = check(Bully(faults=["link-cut"]), deadlock=False)
    assert result.violated and result.property == "at_most_one_leader" and len(result.trace) == 6
    assert "cut_link" in [step.action for step in result.trace]


class Follow(Protocol):
    """Nodes follow a leader held in the state, so under the Z3 engine one end of the link is symbolic."""

    def setup(self):
        self.Node = Nodes("p", 3)
        self.var("leader", Enum("p1", "p2", "p3"), init="p1")
        self.var("following", Map(self.Node, Bool()), init=False)
        self.environment = Environment(processes="Node", cuts=1)

    @action(i="Node")
    def follow(self, s, i):
        if s.guard(And(Not(s.following[i]), self.faults.connected(s, i, s.leader))):
            return s.update(following=s.following.set(i, True))

    @action(n="Node")
    def elect(self, s, n):
        if s.guard(s.leader != n):
            return s.update(leader=n)

    @always
    def follows_a_reachable_leader(self, s):
        return ForAll(self.Node, lambda i: Implies(s.following[i], self.faults.connected(s, i, s.leader)))


@pytest.mark.parametrize("engine", ["explicit", "array", "bmc"])
def test_every_engine_reads_link_cuts_with_a_symbolic_end(engine):
    options = {"max_depth": 4} if engine == "bmc" else {}
    result = check(Follow(faults=["link-cut"]), engine=engine, deadlock=False, **options)
    labels = [s.label for s in result.trace]
    if engine == "bmc":  # a shortest counterexample, not necessarily the search's first: p2 or p3 alike
        shortest = [["Init", f"follow(i={p})", f"cut_link(link=p1-{p})"] for p in ("p2", "p3")]
        assert result.violated and labels in shortest
    else:
        assert result.violated and labels == ["Init", "follow(i=p2)", "cut_link(link=p1-p2)"]


def test_a_cut_link_is_drawn_as_a_partition_step():
    from checker.render.roles import fault_kind

    bully = Bully(faults=["link-cut"])
    assert fault_kind(bully, "cut_link") == "partition" and fault_kind(bully, "heal_link") == "heal"


class NoCuts(Follow):
    """An environment that allows no cut at all: a mistake, named at once."""

    def setup(self):
        super().setup()
        self.environment = Environment(processes="Node", cuts=0)
