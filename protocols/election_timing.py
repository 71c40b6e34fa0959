"""Raft's election after a leader crash, on a discrete clock: the seed's quiz 5 as a timing question.

"A Raft cluster has 5 nodes with election timeout of 150-300ms. Node A (the leader) crashes.
What's the minimum and maximum time until a new leader is elected?" Servers s1..s5; s1, the
leader, crashes at time 0, just after its last heartbeat, so every other server's election
timer starts then. Time is a tick of ``tick_ms`` (50 ms): a timeout of 150–300 ms is 3..6 ticks,
drawn afresh (any value, nondeterministically) whenever a timer is reset.
  timeout.  A server whose timer runs out starts an election: a new term, a vote for itself, a
            RequestVote to every other live server, and a new timeout.
  vote.     A server still in the old term adopts the new one and grants its vote to the first
            request it receives, resetting its timer (Raft resets it on granting a vote); a
            server that has voted in the new term refuses.
  lead.     A candidate with votes from a majority of the cluster — 3 of 5: the crashed server
            counts in the cluster's size, not in its votes — leads.
  tick.     Time advances one tick. Messages are fast: a round trip takes well under a tick, so
            every request sent is answered, a due timer fires and a winner takes office before
            the next tick (the tick waits for them).

Two servers whose timers run out in the same tick compete: each takes the votes that reach it
first, and with four voters a 2–2 split elects nobody; both wait for new timeouts, which may
coincide again. Since every request is answered within its tick, all live servers share one
term at every tick, so the model keeps terms relative — ``term[i]`` is 0 for that shared term,
1 for the term an election of this tick started — and a tick renumbers them. With timers that
count down and reset, the state space is finite though time is not: elapsed time is the number
of ticks a run takes, which the extremes query (``checker.explicit.extremes``) counts, so a
split vote that can repeat for ever shows as a cycle. The question ends with the election: once
a leader leads, nothing else happens (its heartbeats would hold every timer) and a tick changes
nothing.

Variant ``votes-twice``: a server grants every RequestVote of a term, not only the first; two
candidates of one tick then both collect a majority (election_safety, 11 steps).

Properties: **election_safety** (at most one leader), the goal **leader_elected**; and the
state predicate ``competing_candidates`` (two servers stand in the same election), which the
query can exclude to ask for the worst case without split votes.

``specs/election-timing.toml`` answers the quiz: at least 150 ms (a timer drawn at 150 ms, and
its election decided within the tick), no maximum (split votes can repeat for ever: a lasso),
and at most 300 ms when no two servers stand at once (``specs/election-timing-no-split.toml``).
"""

from __future__ import annotations

import itertools

from checker.dsl import *


class ElectionTiming(Protocol):
    """Raft's leader election after the leader's crash, with election timers on a discrete clock."""

    variant = Variant(correct="Raft's election: one vote per server and term")
    small_instance = {"servers": 3, "timeout_max_ms": 200}

    servers = Param(5, "cluster size: s1 (the crashed leader) and s2..sN", min=2)
    tick_ms = Param(50, "length of a tick in ms: the clock's resolution", min=1)
    timeout_min_ms = Param(150, "shortest election timeout in ms (a multiple of tick_ms)", min=1)
    timeout_max_ms = Param(300, "longest election timeout in ms (a multiple of tick_ms)", min=1)

    def setup(self) -> None:
        lo, hi = (self.ticks(name) for name in ("timeout_min_ms", "timeout_max_ms"))
        if hi < lo:
            raise QuorumError(f"timeout_max_ms={self.timeout_max_ms} is below timeout_min_ms={self.timeout_min_ms}")
        self.Server = Enum(*(f"s{k}" for k in range(2, self.servers + 1)))  # s1 has crashed
        self.declare_role("server", self.Server)
        self.Timeout = Range(lo, hi)
        self.majority = self.servers // 2 + 1

        live = self.Server.values()
        self.var("role", Map(self.Server, Enum("follower", "candidate", "leader")), init="follower")
        draws = itertools.product(self.Timeout, repeat=len(live))  # each timer's first timeout, from time 0
        self.var("timer", Map(self.Server, Range(0, hi)), init=OneOf(dict(zip(live, d, strict=True)) for d in draws))
        self.var("term", Map(self.Server, Range(0, 1)), init=0)
        self.var("votesGranted", Map(self.Server, SetOf(self.Server)), init=lambda _: ValueSet())
        self.not_bounds = ("timer", "term")  # a reset value and a relative term, not counters at a ceiling

    def ticks(self, name: str) -> int:
        """Parameter ``name`` (ms) in ticks; it must be a whole number of ticks."""
        ms = self.params[name]
        if ms % self.tick_ms:
            raise QuorumError(f"{name}={ms} is not a multiple of tick_ms={self.tick_ms}: the clock cannot express it")
        return ms // self.tick_ms

    def leads(self, s):
        """Some server leads."""
        return Exists(self.Server, lambda i: s.role[i] == "leader")

    def has_majority(self, s, c):
        """Candidate c holds votes from a majority of the whole cluster."""
        return And(s.role[c] == "candidate", Count(s.votesGranted[c]) >= self.majority)

    # -- actions -----------------------------------------------------------------------------

    def stands(self, s, c):
        """c is a candidate in this tick's election: its RequestVotes are out."""
        return And(s.role[c] == "candidate", s.term[c] == 1)

    @action(i="Server", t="Timeout")
    def timeout(self, s, i, t):
        """Server i's timer runs out: it stands in a new term, votes for itself, asks every other
        live server for its vote and draws its next timeout, t ticks."""
        if s.guard(s.timer[i] == 0) and s.guard(Not(self.leads(s))):
            return s.update(
                role=s.role.set(i, "candidate"),
                timer=s.timer.set(i, t),
                term=s.term.set(i, 1),
                votesGranted=s.votesGranted.set(i, ValueSet([i])),
            )

    @action(j="Server", c="Server", t="Timeout")
    def vote(self, s, j, c, t):
        """c's RequestVote is the first to reach j, still in the old term: j adopts c's term and
        votes for it, and its timer restarts at t ticks. (Requests reaching a server that has voted
        in the term are refused and change nothing, so they are not steps of the model.)"""
        if s.guard(And(self.may_vote(s, j), self.stands(s, c))) and s.guard(Not(self.leads(s))):
            return s.update(
                role=s.role.set(j, "follower"),
                timer=s.timer.set(j, t),
                term=s.term.set(j, 1),
                votesGranted=s.votesGranted.set(c, s.votesGranted[c] | {j}),
            )

    def may_vote(self, s, j):
        """j may grant a vote in this tick's term: it has not joined the term, so it has not voted in it."""
        return s.term[j] == 0

    @variant("votes-twice", "a server grants every RequestVote of a term, not only the first")
    def may_vote(self, s, j):
        """j votes for every candidate that asks, unless it stands itself."""
        return Not(self.stands(s, j))

    @action(c="Server")
    def become_leader(self, s, c):
        """Candidate c has a majority of the cluster's votes: it leads."""
        if s.guard(self.has_majority(s, c)):
            return s.update(role=s.role.set(c, "leader"))

    @action
    def tick(self, s):
        """Time advances one tick, once every due timer has fired, every request is answered and no
        winner waits to take office; the election's term becomes the shared term. Under a leader
        nothing changes: the question has its answer."""
        if s.guard(self.leads(s)):
            return s.update()
        asked = Exists(self.Server, lambda c: self.stands(s, c))
        settled = ForAll(self.Server, lambda i: And(
            s.timer[i] > 0, Not(self.has_majority(s, i)), Implies(asked, s.term[i] == 1),
        ))
        if s.guard(settled):
            timer, term, votes = s.timer, s.term, s.votesGranted
            for i in self.Server:
                timer, term, votes = timer.set(i, s.timer[i] - 1), term.set(i, 0), votes.set(i, ValueSet())
            return s.update(timer=timer, term=term, votesGranted=votes)

    # -- properties --------------------------------------------------------------------------

    @always
    def election_safety(self, s):
        """At most one leader."""
        return ForAll(itertools.combinations(self.Server.values(), 2),
                      lambda p: Not(And(s.role[p[0]] == "leader", s.role[p[1]] == "leader")))

    @sometimes
    def leader_elected(self, s):
        """A new leader is elected."""
        return self.leads(s)

    def competing_candidates(self, s):
        """Two servers stand in this tick's election: the votes may split."""
        return Count(self.Server, lambda i: self.stands(s, i)) >= 2
