"""Leader election by majority vote, and the seed's opening story: a quorum counted over the nodes in reach.

Nodes n1..n5 elect a leader for one term; the leader accepts its clients' writes (orders).
  campaign.  A follower that has not voted (its election timer fired) becomes a candidate and
             votes for itself.
  vote.      A node that has not voted grants its vote to a candidate it can reach.
  lead.      A candidate whose votes form a quorum leads the term.
  write.     The leader replicates a client's write to every node it can reach, and accepts it
             (acknowledges it to the client) when those nodes form a quorum.
A request is atomic here: over a working link it reaches its target and the answer comes back
at once, so the model's interleavings are those of the network's faults, not of its delays. A
node votes once in the term, so its vote cannot be counted by two candidates.

**The quorum rule** is the one definition the two versions differ in (``is_quorum``). Correct:
a majority of *all* nodes, 3 of 5; any two such sets share a node, and that node voted once, so
the term has at most one leader and one node's writes. Variant ``reachable-majority``: a majority
of the nodes the deciding node *can currently reach* — the rule of a system that sizes its
quorum from what it sees. Under a non-transitive partition (faults ``link-cut``) two nodes see
different clusters: with n1–n4 and n1–n5 cut, n1 reaches {n1, n2, n3} and needs 2 votes, while
n4 reaches {n2, n3, n4, n5} and needs 3; n2 and n3, reaching both sides, are counted by both.
Two leaders each accept a client's write: conflicting writes (``no_conflicting_writes``, 11 steps
with two links cut). The seed's pattern — three nodes cut from each other, each reaching the
other two — elects two leaders the same way (``tests/protocols/test_majority_election.py``).
With majority quorums the same faults, every pattern of up to ``cuts`` links, find nothing.

Properties: **no_conflicting_writes** (at most one node accepts writes); the goal
**write_accepted** (some write is accepted, so the invariant is not vacuous).
"""

from __future__ import annotations

import itertools

from checker.dsl import *


class MajorityElection(Protocol):
    """Leader election by majority vote for one term; the leader accepts writes a quorum holds."""

    small_instance = {"nodes": 2, "cuts": 1}

    nodes = Param(5, "number of nodes n1..nN", min=1)
    cuts = Param(2, "with faults = ['link-cut']: the most links cut at once", min=1)
    variant = Variant(correct="a quorum is a majority of all nodes")

    def setup(self) -> None:
        self.Node = Nodes("n", self.nodes)
        self.majority = self.nodes // 2 + 1
        self.var("role", Map(self.Node, Enum("follower", "candidate", "leader")), init="follower")
        self.var("votedFor", Map(self.Node, Option(self.Node)), init=None)
        self.var("accepted", Map(self.Node, Bool()), init=False)
        self.environment = Environment(processes="Node", cuts=self.cuts)

    def reaches(self, s, i, j):
        """i can talk to j now (every node reaches itself)."""
        return self.faults.connected(s, i, j)

    def is_quorum(self, s, i, member):
        """The nodes satisfying ``member`` are a quorum for node i: a majority of all nodes."""
        return Count(self.Node, member) >= self.majority

    @variant("reachable-majority", "a quorum is a majority of the nodes the deciding node can currently reach")
    def is_quorum(self, s, i, member):
        """More than half of the nodes i can reach now satisfy ``member``."""
        reach = Count(self.Node, lambda j: self.reaches(s, i, j))
        return 2 * Count(self.Node, lambda j: And(member(j), self.reaches(s, i, j))) > reach

    # -- actions -----------------------------------------------------------------------------

    @action(i="Node")
    def campaign(self, s, i):
        """Follower i, which has not voted, hears from no leader: it runs, voting for itself."""
        if s.guard(And(s.role[i] == "follower", s.votedFor[i] == None)):  # noqa: E711 - a DSL comparison
            return s.update(role=s.role.set(i, "candidate"), votedFor=s.votedFor.set(i, i))

    @action(n="Node", c="Node")
    def vote(self, s, n, c):
        """Node n, which has not voted, grants its vote to candidate c over a working link."""
        if n != c and s.guard(And(
            s.role[c] == "candidate", s.votedFor[n] == None, self.reaches(s, n, c),  # noqa: E711
        )):
            return s.update(votedFor=s.votedFor.set(n, c))

    @action(c="Node")
    def become_leader(self, s, c):
        """Candidate c counts its votes: a quorum makes it the leader of the term."""
        if s.guard(And(s.role[c] == "candidate", self.is_quorum(s, c, lambda j: s.votedFor[j] == c))):
            return s.update(role=s.role.set(c, "leader"))

    @action(i="Node")
    def accept_write(self, s, i):
        """Leader i replicates a client's write to the nodes it reaches and, those being a quorum,
        acknowledges it: the client's order is executed."""
        in_reach = lambda j: self.reaches(s, i, j)  # noqa: E731 - the quorum's members, as is_quorum takes them
        if s.guard(And(s.role[i] == "leader", Not(s.accepted[i]), self.is_quorum(s, i, in_reach))):
            return s.update(accepted=s.accepted.set(i, True))

    # -- properties --------------------------------------------------------------------------

    @always
    def no_conflicting_writes(self, s):
        """At most one node accepts writes: two leaders' clients would get conflicting orders executed."""
        return ForAll(itertools.combinations(self.Node.values(), 2),
                      lambda p: Not(And(s.accepted[p[0]], s.accepted[p[1]])))

    def witnesses_no_conflicting_writes(self, s):
        """For diagrams: each node that accepted a write, with the voters that made it leader."""
        return [(f"L{k}", f"{i} leads with these votes and accepted a write", [i, *(j for j in self.Node
                 if j != i and s.votedFor[j] == i)])
                for k, i in enumerate((i for i in self.Node if s.accepted[i]), start=1)]

    def explain_no_conflicting_writes(self, s):
        """Who accepted writes, the nodes each reaches now and the votes that elected it; which of
        those elections a majority of all nodes never backed."""
        parts, short = [], []
        for i in (i for i in self.Node if s.accepted[i]):
            reach = [j for j in self.Node if self.reaches(s, i, j)]
            votes = [j for j in self.Node if s.votedFor[j] == i]
            parts.append(f"{i} reaches {{{', '.join(reach)}}} and was elected by {{{', '.join(votes)}}}")
            if len(votes) < self.majority:
                short.append(f"{i}'s {len(votes)} votes are a majority of the {len(reach)} nodes it reaches, not of "
                             f"all {self.nodes}")
        return "; ".join(parts) + "".join(f"; {x}" for x in short)

    @sometimes
    def write_accepted(self, s):
        """Some leader accepts a write."""
        return Exists(self.Node, lambda i: s.accepted[i])
