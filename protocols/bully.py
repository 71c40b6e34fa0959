"""The bully election algorithm (Garcia-Molina, 1982): the highest id that is alive wins.

Processes p1..pN, ranked by id (pN highest). A process that knows no reachable leader
  election.  sends Election to every higher process;
  answer.    a higher process that receives it answers ("I have a higher id, step aside") and
             holds its own election; the one that asked waits for the winner's Coordinator;
  victory.   a candidate that no higher process can answer — the timeout of the algorithm —
             becomes leader and sends Coordinator to every lower process, which follows it.
The timeout assumes a synchronous system: a higher process that is up and reachable always
answers in time. The model gives the candidate exactly that knowledge (no higher process is up
and on its side of any partition), the failure detector bully relies on.

Properties: **at_most_one_leader** (no two live processes lead at once) and the reachability
goal **leader_elected**.

Bully is not partition-tolerant, and that is its lesson: with ``faults = ["partition"]`` the
highest process on each side of a cut finds no higher process reachable and wins its own
election: two leaders (5 steps). With crash-stop faults and no partition it holds: a lower
process takes over only once every higher one has crashed. With ``crash-restart`` it fails too:
the highest process comes back, wins at once, and leads beside the old leader until its
Coordinator message arrives.
"""

from __future__ import annotations

import itertools

from checker.dsl import *


class Bully(Protocol):
    """Bully leader election."""

    small_instance = {"processes": 3}

    processes = Param(3, "number of processes p1..pN; pN has the highest id", min=1)

    def setup(self) -> None:
        self.Process = Nodes("p", self.processes)
        self.rank = {p: n for n, p in enumerate(self.Process.values())}
        self.Election = RecordType("Election", src=self.Process, dst=self.Process)
        self.Answer = RecordType("Answer", src=self.Process, dst=self.Process)
        self.Coordinator = RecordType("Coordinator", src=self.Process, dst=self.Process)

        self.var("role", Map(self.Process, Enum("follower", "candidate", "leader")), init="follower")
        self.var("leader", Map(self.Process, Option(self.Process)), init=None)
        self.var("msgs", SetOf(self.Election, self.Answer, self.Coordinator), init=())
        self.environment = Environment(network="msgs", processes="Process")

    def higher(self, i):
        return [j for j in self.Process if self.rank[j] > self.rank[i]]

    def lower(self, i):
        return [j for j in self.Process if self.rank[j] < self.rank[i]]

    def reachable(self, s, i, j):
        """j is up and on i's side of any partition: it would answer i in time."""
        return And(self.faults.up(s, j), self.faults.connected(s, i, j))

    def elect(self, s, i, msgs):
        """i holds an election: it asks every higher process (the update of role and msgs)."""
        return s.update(
            role=s.role.set(i, "candidate"),
            msgs=msgs | {self.Election(src=i, dst=j) for j in self.higher(i)},
        )

    # -- actions -----------------------------------------------------------------------------

    @action(i="Process")
    def start_election(self, s, i):
        """Follower i knows no leader it can reach: it holds an election."""
        knows_live_leader = Exists(self.Process, lambda j: And(s.leader[i] == j, self.reachable(s, i, j)))
        if s.guard(And(self.faults.up(s, i), s.role[i] == "follower", Not(knows_live_leader))):
            return self.elect(s, i, s.msgs)

    @action(m=From("msgs", "Election"))
    def handle_election(self, s, m):
        """Higher process m.dst tells m.src to step aside, and holds its own election (a leader
        tells m.src who leads instead)."""
        if s.guard(self.faults.deliverable(s, m)):
            j = m.dst
            msgs = self.faults.receive(s, m) | {self.Answer(src=j, dst=m.src)}
            if s.guard(s.role[j] == "follower"):
                return self.elect(s, j, msgs)
            if s.guard(s.role[j] == "leader"):
                msgs = msgs | {self.Coordinator(src=j, dst=m.src)}
            return s.update(msgs=msgs)

    @action(m=From("msgs", "Answer"))
    def handle_answer(self, s, m):
        """Candidate m.dst hears from a higher process: it waits for the winner's Coordinator."""
        if s.guard(self.faults.deliverable(s, m)):
            i = m.dst
            if s.guard(s.role[i] == "candidate"):
                return s.update(role=s.role.set(i, "follower"), msgs=self.faults.receive(s, m))
            return s.update(msgs=self.faults.receive(s, m))

    @action(i="Process")
    def declare_victory(self, s, i):
        """Candidate i times out: no higher process can answer, so i leads and tells the lower ones."""
        if s.guard(And(
            self.faults.up(s, i), s.role[i] == "candidate",
            ForAll(self.higher(i), lambda j: Not(self.reachable(s, i, j))),
        )):
            return s.update(
                role=s.role.set(i, "leader"),
                leader=s.leader.set(i, i),
                msgs=s.msgs | {self.Coordinator(src=i, dst=j) for j in self.lower(i)},
            )

    @action(m=From("msgs", "Coordinator"))
    def handle_coordinator(self, s, m):
        """m.dst follows the higher process m.src, stepping down if it led."""
        if s.guard(self.faults.deliverable(s, m)):
            j = m.dst
            return s.update(
                role=s.role.set(j, "follower"),
                leader=s.leader.set(j, m.src),
                msgs=self.faults.receive(s, m),
            )

    # -- properties --------------------------------------------------------------------------

    @always
    def at_most_one_leader(self, s):
        """No two live processes both act as leader."""
        return ForAll(
            itertools.combinations(self.Process.values(), 2),
            lambda p: Not(And(*(And(self.faults.up(s, i), s.role[i] == "leader") for i in p))),
        )

    @sometimes
    def leader_elected(self, s):
        """Some process becomes leader."""
        return Or(*(s.role[i] == "leader" for i in self.Process))
