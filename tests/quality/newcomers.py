"""Buggy protocols written the way a newcomer writes them: plain DSL, one obvious bug each, and
the chatter a real model has (clocks, heartbeats, retries) that a shortest counterexample does
not need. They are the quality suite's targets: simulation must shrink each violation to the
explicit engine's shortest length.
"""

from __future__ import annotations

from checker import (
    And,
    Bool,
    Count,
    Enum,
    Exists,
    ForAll,
    From,
    Map,
    Member,
    Nodes,
    Not,
    Option,
    Param,
    Protocol,
    Range,
    RecordType,
    SetOf,
    ValueSet,
    action,
    always,
)


class UncheckedLock(Protocol):
    """A lock whose acquire forgets to look whether the lock is free."""

    clients = Param(3, "number of clients c1..cN")

    def setup(self):
        self.Client = Nodes("c", self.clients)
        self.var("pc", Map(self.Client, Enum("idle", "waiting", "critical")), init="idle")
        self.var("holder", Option(self.Client), init=None)
        self.var("clock", Range(0, 3), init=0)
        self.var("busy", Map(self.Client, Bool()), init=False)

    @action(c="Client")
    def request(self, s, c):
        if s.guard(And(s.pc[c] == "idle", Not(s.busy[c]))):
            return s.update(pc=s.pc.set(c, "waiting"))

    @action(c="Client")
    def acquire(self, s, c):
        # BUG: should also require s.holder == None
        if s.guard(s.pc[c] == "waiting"):
            return s.update(pc=s.pc.set(c, "critical"), holder=c)

    @action(c="Client")
    def release(self, s, c):
        if s.guard(s.pc[c] == "critical"):
            return s.update(pc=s.pc.set(c, "idle"), holder=None)

    @action(c="Client")
    def do_other_work(self, s, c):
        return s.update(busy=s.busy.set(c, Not(s.busy[c])))

    @action
    def tick(self, s):
        if s.guard(s.clock < 3):
            return s.update(clock=s.clock + 1)

    @always
    def mutual_exclusion(self, s):
        return Count(self.Client, lambda c: s.pc[c] == "critical") <= 1


class LostUpdate(Protocol):
    """Clients increment a shared counter by reading it, then writing back what they read plus one."""

    clients = Param(3, "number of clients c1..cN")
    rounds = Param(2, "increments each client makes")

    def setup(self):
        self.Client = Nodes("c", self.clients)
        top = self.clients * self.rounds
        self.var("counter", Range(0, top), init=0)
        self.var("local", Map(self.Client, Range(0, top)), init=0)
        self.var("pc", Map(self.Client, Enum("ready", "read")), init="ready")
        self.var("done", Map(self.Client, Range(0, self.rounds)), init=0)
        self.var("log_len", Range(0, 2), init=0)

    @action(c="Client")
    def read(self, s, c):
        if s.guard(And(s.pc[c] == "ready", s.done[c] < self.rounds)):
            return s.update(local=s.local.set(c, s.counter), pc=s.pc.set(c, "read"))

    @action(c="Client")
    def write(self, s, c):
        # BUG: nothing stops another client from writing between our read and our write
        if s.guard(s.pc[c] == "read"):
            return s.update(counter=s.local[c] + 1, pc=s.pc.set(c, "ready"), done=s.done.set(c, s.done[c] + 1))

    @action
    def log_counter(self, s):
        if s.guard(s.log_len < 2):
            return s.update(log_len=s.log_len + 1)

    @action
    def rotate_log(self, s):
        if s.guard(s.log_len == 2):
            return s.update(log_len=0)

    @always
    def no_lost_updates(self, s):
        total = sum(s.done[c] for c in self.Client)
        return s.counter == total


class EagerCommit(Protocol):
    """Two-phase commit whose coordinator commits on the first yes vote."""

    rms = Param(3, "number of resource managers r1..rN")

    def setup(self):
        self.RM = Nodes("r", self.rms)
        self.Yes = RecordType("Yes", rm=self.RM)
        self.Decision = RecordType("Decision", commit=Bool())
        self.Ping = RecordType("Ping", rm=self.RM)
        self.var("rm", Map(self.RM, Enum("working", "prepared", "committed", "aborted")), init="working")
        self.var("tm", Enum("init", "committed", "aborted"), init="init")
        self.var("votes", SetOf(self.RM), init=())
        self.var("msgs", SetOf(self.Yes, self.Decision, self.Ping), init=())

    @action(r="RM")
    def prepare(self, s, r):
        if s.guard(s.rm[r] == "working"):
            return s.update(rm=s.rm.set(r, "prepared"), msgs=s.msgs | {self.Yes(rm=r)})

    @action(r="RM")
    def give_up(self, s, r):
        if s.guard(s.rm[r] == "working"):
            return s.update(rm=s.rm.set(r, "aborted"))

    @action(r="RM")
    def ping(self, s, r):
        return s.update(msgs=s.msgs | {self.Ping(rm=r)})

    @action(m=From("msgs", "Yes"))
    def tm_receive_yes(self, s, m):
        if s.guard(s.tm == "init"):
            return s.update(votes=s.votes | {m.rm})

    @action
    def tm_commit(self, s):
        # BUG: should wait for a yes from every RM
        if s.guard(And(s.tm == "init", Count(s.votes) >= 1)):
            return s.update(tm="committed", msgs=s.msgs | {self.Decision(commit=True)})

    @action
    def tm_abort(self, s):
        if s.guard(s.tm == "init"):
            return s.update(tm="aborted", msgs=s.msgs | {self.Decision(commit=False)})

    @action(r="RM", m=From("msgs", "Decision"))
    def learn(self, s, r, m):
        if s.guard(s.rm[r] == "prepared"):
            return s.update(rm=s.rm.set(r, "committed" if m.commit else "aborted"))

    @always
    def atomic(self, s):
        return Not(And(Exists(self.RM, lambda r: s.rm[r] == "committed"),
                       Exists(self.RM, lambda r: s.rm[r] == "aborted")))


class AnyVoteElection(Protocol):
    """Leader election by majority vote, where a voter grants every request it sees."""

    nodes = Param(3, "number of nodes n1..nN")
    terms = Param(2, "terms 1..terms")

    def setup(self):
        self.Node = Nodes("n", self.nodes)
        self.Term = Range(0, self.terms)
        self.Request = RecordType("Request", src=self.Node, term=Range(1, self.terms))
        self.Grant = RecordType("Grant", src=self.Node, dst=self.Node, term=Range(1, self.terms))
        self.var("term", Map(self.Node, self.Term), init=0)
        self.var("role", Map(self.Node, Enum("follower", "candidate", "leader")), init="follower")
        self.var("voted", Map(self.Node, Option(self.Node)), init=None)
        self.var("got", Map(self.Node, SetOf(self.Node)), init=lambda _: ValueSet())
        self.var("msgs", SetOf(self.Request, self.Grant), init=())

    @action(n="Node")
    def campaign(self, s, n):
        if s.guard(And(s.role[n] != "leader", s.term[n] < self.terms)):
            t = s.term[n] + 1
            return s.update(term=s.term.set(n, t), role=s.role.set(n, "candidate"), voted=s.voted.set(n, n),
                            got=s.got.set(n, ValueSet([n])), msgs=s.msgs | {self.Request(src=n, term=t)})

    @action(v="Node", m=From("msgs", "Request"))
    def vote(self, s, v, m):
        # BUG: never looks at s.voted[v]
        if v != m.src and s.guard(m.term >= s.term[v]):
            role = s.role[v] if m.term == s.term[v] else "follower"
            return s.update(term=s.term.set(v, m.term), role=s.role.set(v, role), voted=s.voted.set(v, m.src),
                            msgs=s.msgs | {self.Grant(src=v, dst=m.src, term=m.term)})

    @action(m=From("msgs", "Grant"))
    def count_vote(self, s, m):
        n = m.dst
        if s.guard(And(s.role[n] == "candidate", s.term[n] == m.term)):
            return s.update(got=s.got.set(n, s.got[n] | {m.src}))

    @action(n="Node")
    def become_leader(self, s, n):
        if s.guard(And(s.role[n] == "candidate", Count(s.got[n]) * 2 > self.nodes)):
            return s.update(role=s.role.set(n, "leader"))

    @always
    def one_leader_per_term(self, s):
        pairs = [(a, b) for a in self.Node for b in self.Node if a < b]
        return ForAll(pairs, lambda p: Not(And(s.role[p[0]] == "leader", s.role[p[1]] == "leader",
                                               s.term[p[0]] == s.term[p[1]])))


class NoPromisePaxos(Protocol):
    """Single-decree consensus where acceptors accept any proposal at or above the ballot they
    last accepted, and proposers never ask what was accepted before (no phase 1)."""

    acceptors = Param(3, "number of acceptors a1..aN")
    ballots = Param(2, "ballots 0..ballots-1")

    def setup(self):
        self.Acceptor = Nodes("a", self.acceptors)
        self.Ballot = Range(0, self.ballots - 1)
        self.Value = Enum("v1", "v2")
        self.Propose = RecordType("Propose", bal=self.Ballot, val=self.Value)
        self.Accepted = RecordType("Accepted", acc=self.Acceptor, bal=self.Ballot, val=self.Value)
        self.var("last", Map(self.Acceptor, Range(-1, self.ballots - 1)), init=-1)
        self.var("msgs", SetOf(self.Propose, self.Accepted), init=())
        self.var("alive", Map(self.Acceptor, Bool()), init=True)

    @action(b="Ballot", v="Value")
    def propose(self, s, b, v):
        # BUG: a proposer should first learn what a quorum accepted, and propose that value
        if s.guard(Not(Exists(self.Value, lambda w: Member(self.Propose(bal=b, val=w), s.msgs)))):
            return s.update(msgs=s.msgs | {self.Propose(bal=b, val=v)})

    @action(a="Acceptor", m=From("msgs", "Propose"))
    def accept(self, s, a, m):
        if s.guard(And(s.alive[a], m.bal > s.last[a])):
            return s.update(last=s.last.set(a, m.bal), msgs=s.msgs | {self.Accepted(acc=a, bal=m.bal, val=m.val)})

    @action(a="Acceptor")
    def heartbeat(self, s, a):
        return s.update(alive=s.alive.set(a, Not(s.alive[a])))

    def chosen(self, s, v):
        return Exists(self.Ballot, lambda b: Count(
            self.Acceptor, lambda a: Member(self.Accepted(acc=a, bal=b, val=v), s.msgs)) * 2 > self.acceptors)

    @always
    def agreement(self, s):
        return Not(And(self.chosen(s, "v1"), self.chosen(s, "v2")))


class Overdraft(Protocol):
    """Withdrawals check the balance, then debit it later: two of them can both pass the check."""

    tellers = Param(2, "number of tellers t1..tN")

    def setup(self):
        self.Teller = Nodes("t", self.tellers)
        self.Amount = Range(1, 3)
        self.var("balance", Range(-6, 4), init=4)
        self.var("pending", Map(self.Teller, Range(0, 3)), init=0)
        self.var("statements", Range(0, 2), init=0)

    @action(t="Teller", amount="Amount")
    def check_funds(self, s, t, amount):
        if s.guard(And(s.pending[t] == 0, s.balance >= amount)):
            return s.update(pending=s.pending.set(t, amount))

    @action(t="Teller")
    def debit(self, s, t):
        # BUG: the balance may have changed since check_funds looked at it
        if s.guard(s.pending[t] > 0):
            return s.update(balance=s.balance - s.pending[t], pending=s.pending.set(t, 0))

    @action(t="Teller", amount="Amount")
    def deposit(self, s, t, amount):
        if s.guard(And(s.pending[t] == 0, s.balance + amount <= 4)):
            return s.update(balance=s.balance + amount)

    @action
    def print_statement(self, s):
        if s.guard(s.statements < 2):
            return s.update(statements=s.statements + 1)

    @always
    def never_negative(self, s):
        return s.balance >= 0

