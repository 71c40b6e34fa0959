"""Raft leader election (Ongaro and Ousterhout, 2014), with just enough log to make votes matter.

Servers s1..sN pass through numbered *terms*; each term has at most one leader.
  timeout.  A server that has not heard from a leader (any follower or candidate) starts an
            election: it increments currentTerm, becomes a candidate and votes for itself.
  vote.     On a RequestVote for a term above its own, a server adopts that term (and forgets its
            vote); it grants its vote when the request is for its current term, it has not voted
            for anyone else in this term, and the candidate's log is at least as up-to-date as
            its own (a higher last log term, or the same last term and a log at least as long).
  win.      A candidate that collects votes from a majority becomes leader. Two majorities
            share a server, and a server votes once per term: at most one leader per term.
  replicate. The leader appends client entries in its term and sends them with AppendEntries;
            a follower accepts an entry whose predecessor matches (Raft's log-matching check),
            replacing any conflicting suffix. The leader commits an index once a majority stores
            its entry of the current term (the model reads the followers' logs where Raft reads
            their acknowledgements).
A server that hears of a higher term adopts it and becomes a follower. ``currentTerm``,
``votedFor`` and the log are persisted, so they survive a crash-restart (fault
``crash-restart``); role, votes received and commit index do not.

Messages travel over the faulty network of ``checker.faults``: ``msgs`` holds the messages in
flight, each received once unless the spec adds ``duplication``; ``loss``, ``reordering``
(by default no message overtakes one of an earlier term on its channel), ``crash-restart`` and
``partition`` are selected per spec. ``committed`` is a history variable (not Raft state): every
entry ever committed, so that leader completeness can be stated.

Properties: **election_safety** (at most one leader per term), **leader_completeness** (a
committed entry is in the log of every leader of a later term); reachability goals
**leader_elected** and **entry_committed**; liveness **eventually_leader** (checked when a spec
names it).

Liveness needs a timing assumption, parameter ``timeouts``. With ``"any"`` (the default) a
server may time out whenever it is not leader, so two servers can start elections of one term,
split the votes, and do it again term after term: no fairness of these actions excludes that.
Raft's answer is randomized election timeouts much longer than a round trip: one server times
out first and its election is decided before any other timer fires. ``"staggered"`` states this
in the model: a timer may fire only when no election can still be won (``may_win``: no candidate
has, or may still get, a majority). ``"eventually-staggered"`` is the honest "eventually" of a
bounded model: timeouts into terms below the bound are arbitrary (split votes happen), only the
election of the last term runs undisturbed. Fairness: weak fairness of ``timeout(i)``, of
delivering each RequestVote and each response, and of ``become_leader(i)`` (the four actions
without faults; a fault-free run only moves forward, so weak and strong, per parameter or not,
give the same verdict here). With them ``eventually_leader`` holds under ``"staggered"`` (the
term-1 election always succeeds, no run reaches the term bound, so the verdict does not depend
on it) and under ``"eventually-staggered"`` (runs do reach the top term first: "holds" means a
leader is elected provided the timing settles by the last term); it fails under ``"any"``, and
without fair delivery of votes. The term bound and the verdict: every lasso here is a run that
stops; if it stops with a server at the top term (*bounds hit*), a larger bound would let it go
on, so it shows "no leader up to the bound", not a run without a leader for ever. The timing
assumption is for liveness only: safety must not rest on it (``"staggered"`` hides
``votes-twice``, whose two candidates can then never run at once).

Variants (buggy on purpose):
- ``votes-twice``: a server ignores its vote of this term and votes for every candidate: two
  candidates of one term both win (election safety).
- ``half-is-majority``: a candidate needs only N//2 votes; with 4 servers, 2 of 4 is not a
  majority and two disjoint pairs elect two leaders in one term (election safety).
- ``no-log-check``: voters skip the up-to-date check, so a candidate that missed a committed
  entry wins and would overwrite it (leader completeness).
- ``votedfor-not-persisted``: votedFor is lost in a crash-restart; the server votes again in the
  same term (election safety; needs ``crash-restart``).
"""

from __future__ import annotations

import itertools

from checker.dsl import *


class Raft(Protocol):
    """Raft's leader election, with logs of at most ``log_length`` entries."""

    #: Two servers and one term keep Z3's unrolling cheap (a few seconds per variant) for the
    #: cross-engine tests; the specs check the larger instances the bugs need.
    small_instance = {"servers": 2, "terms": 1, "log_length": 1}

    servers = Param(3, "number of servers s1..sN", min=1)
    terms = Param(2, "highest term an election may start: terms=2 is terms 1..2", min=1)
    log_length = Param(1, "longest log: entries at indexes 1..log_length", min=0)
    timeouts = Param(
        "any", "when a server may time out (the timing assumption; see the module docstring)",
        choices={
            "any": "whenever it is not leader: elections may overlap, split votes can repeat",
            "staggered": "only when no election can still be won: each election runs undisturbed",
            "eventually-staggered": "any in terms below the bound; the election of the last term runs undisturbed",
        },
    )
    variant = Variant(correct="Raft's election rules")  # the buggy ones: @variant beside the code they change

    def setup(self) -> None:
        self.Server = Nodes("s", self.servers)
        self.Term = Range(0, self.terms)
        self.Index = Range(1, self.log_length)
        self.majority = self.majority_size()

        term, server = Range(1, self.terms), self.Server
        self.RequestVote = RecordType(
            "RequestVote", term=term, src=server, dst=server,
            lastLogTerm=self.Term, lastLogIndex=Range(0, self.log_length),
        )
        self.RequestVoteResponse = RecordType("RequestVoteResponse", term=term, src=server, dst=server, granted=Bool())
        self.AppendEntries = RecordType(
            "AppendEntries", term=term, src=server, dst=server,
            index=self.Index, entryTerm=term, prevLogTerm=self.Term,
        )
        self.Entry = RecordType("entry", index=self.Index, term=term)

        self.var("currentTerm", Map(server, self.Term), init=0)
        self.var("role", Map(server, Enum("follower", "candidate", "leader")), init="follower")
        self.var("votedFor", Map(server, Option(server)), init=None)
        self.var("votesGranted", Map(server, SetOf(server)), init=lambda _: ValueSet())
        entries = Map(self.Index, self.Term)  # 0: no entry at that index
        self.var("log", Map(server, entries), init=lambda _: entries.make(0))
        self.var("commitIndex", Map(server, Range(0, self.log_length)), init=0)
        self.var("msgs", SetOf(self.RequestVote, self.RequestVoteResponse, self.AppendEntries), init=())
        self.var("committed", SetOf(self.Entry), init=())

        self.environment = Environment(network="msgs", order="term", processes="Server", durable=self.persisted())

    def majority_size(self):
        """How many votes elect a leader, and how many servers commit an entry: more than half."""
        return self.servers // 2 + 1

    @variant("half-is-majority", "a candidate needs N//2 votes (2 of 4 is not a majority)")
    def majority_size(self):
        """Half the servers, which two disjoint halves can each muster."""
        return self.servers // 2

    def persisted(self):
        """The state variables a crash-restart keeps (Raft's persistent state)."""
        return ("currentTerm", "votedFor", "log")

    @variant("votedfor-not-persisted", "votedFor is lost in a crash-restart (use with crash-restart)")
    def persisted(self):
        """votedFor is kept in memory only."""
        return ("currentTerm", "log")

    # -- the log ----------------------------------------------------------------------------

    def last_index(self, s, i):
        """How many entries server i's log holds (0 marks an empty slot)."""
        return Count(self.Index, lambda k: s.log[i][k] != 0)

    def last_term(self, s, i):
        """The term of i's last entry (terms grow along a log), 0 for an empty log."""
        return Max(self.Index, key=lambda k: s.log[i][k], default=0)

    def term_at(self, s, i, k):
        """The term of i's entry at index k; index 0 is the empty prefix, term 0."""
        return 0 if k == 0 else s.log[i][k]

    def up_to_date(self, s, m, j):
        """The candidate's log (as m reports it) is at least as up-to-date as j's."""
        mine = self.last_term(s, j)
        return Or(m.lastLogTerm > mine, And(m.lastLogTerm == mine, m.lastLogIndex >= self.last_index(s, j)))

    @variant("no-log-check", "voters skip the 'candidate's log is at least as up-to-date' check")
    def up_to_date(self, s, m, j):
        """Every log passes."""
        return True

    # -- elections --------------------------------------------------------------------------

    @action(i="Server")
    def timeout(self, s, i):
        """Server i hears from no leader: it starts an election for the next term, votes for
        itself and sends every other server a RequestVote with its last log term and index."""
        if s.guard(And(
            self.faults.up(s, i), s.role[i] != "leader", s.currentTerm[i] < self.terms, self.timer_may_fire(s, i),
        )):
            term = s.currentTerm[i] + 1
            requests = {
                self.RequestVote(
                    term=term, src=i, dst=j, lastLogTerm=self.last_term(s, i), lastLogIndex=self.last_index(s, i)
                )
                for j in self.Server
                if j != i
            }
            return s.update(
                currentTerm=s.currentTerm.set(i, term),
                role=s.role.set(i, "candidate"),
                votedFor=s.votedFor.set(i, i),
                votesGranted=s.votesGranted.set(i, ValueSet([i])),
                msgs=s.msgs | requests,
            )

    def timer_may_fire(self, s, i):
        """The timing assumption (parameter ``timeouts``): may server i's election timer fire now?"""
        if self.timeouts == "any":
            return True
        staggered = Not(Exists(self.Server, lambda c: self.may_win(s, c)))
        if self.timeouts == "eventually-staggered":
            return Or(s.currentTerm[i] + 1 < self.terms, staggered)
        return staggered

    def may_win(self, s, c):
        """Candidate c's election can still succeed: a majority has granted its vote, is granting it
        (a response in flight) or may still grant it (c's request in flight, no other vote in that
        term, c's log up-to-date)."""
        term = s.currentTerm[c]

        def may_vote(j):
            return Or(
                Member(j, s.votesGranted[c]),
                Exists(s.msgs.of("RequestVoteResponse"), lambda m: And(
                    m.src == j, m.dst == c, m.term == term, m.granted)),
                Exists(s.msgs.of("RequestVote"), lambda m: And(
                    m.src == c, m.dst == j, m.term == term, self.up_to_date(s, m, j),
                    Or(s.currentTerm[j] < term, And(s.currentTerm[j] == term, Member(s.votedFor[j], (None, c)))),
                )),
            )

        return And(self.faults.up(s, c), s.role[c] == "candidate", Count(self.Server, may_vote) >= self.majority)

    @action(m=From("msgs", "RequestVote"))
    def handle_request_vote(self, s, m):
        """Server m.dst adopts a higher term, then grants its vote if it may, and replies."""
        if s.guard(self.faults.deliverable(s, m)):
            j = m.dst
            term, role, voted = s.currentTerm[j], s.role[j], s.votedFor[j]
            if s.guard(m.term > term):
                term, role, voted = m.term, "follower", None
            free = self.may_vote_for(voted, m.src)
            grant = And(m.term == term, free, self.up_to_date(s, m, j))
            if s.guard(grant):
                voted, replies = m.src, {self.RequestVoteResponse(term=term, src=j, dst=m.src, granted=True)}
            elif s.guard(term > m.term):  # a stale candidate learns the newer term
                replies = {self.RequestVoteResponse(term=term, src=j, dst=m.src, granted=False)}
            else:  # a refusal within the candidate's own term would change nothing there
                replies = set()
            return s.update(
                currentTerm=s.currentTerm.set(j, term),
                role=s.role.set(j, role),
                votedFor=s.votedFor.set(j, voted),
                msgs=self.faults.receive(s, m) | replies,
            )

    def may_vote_for(self, voted, c):
        """A server whose vote in this term is `voted` may vote for candidate c: it voted for nobody else."""
        return Member(voted, (None, c))

    @variant("votes-twice", "a server votes for every candidate of a term, not just the first")
    def may_vote_for(self, voted, c):
        """It may vote again, for anyone."""
        return True

    @action(m=From("msgs", "RequestVoteResponse"))
    def handle_vote_response(self, s, m):
        """Candidate m.dst counts a vote of its current term; a higher term makes it a follower."""
        if s.guard(self.faults.deliverable(s, m)):
            i = m.dst
            if s.guard(m.term > s.currentTerm[i]):
                return self.step_down(s, i, m.term, msgs=self.faults.receive(s, m))
            if s.guard(And(m.term == s.currentTerm[i], s.role[i] == "candidate", m.granted)):
                return s.update(
                    votesGranted=s.votesGranted.set(i, s.votesGranted[i] | {m.src}),
                    msgs=self.faults.receive(s, m),
                )
            return s.update(msgs=self.faults.receive(s, m))

    def step_down(self, s, i, term, **changes):
        """Server i adopts a higher term: a follower that has not voted in it."""
        return s.update(
            currentTerm=s.currentTerm.set(i, term),
            role=s.role.set(i, "follower"),
            votedFor=s.votedFor.set(i, None),
            votesGranted=s.votesGranted.set(i, ValueSet()),
            **changes,
        )

    @action(i="Server")
    def become_leader(self, s, i):
        """Candidate i holds votes from a majority: it leads its term."""
        if s.guard(And(self.faults.up(s, i), s.role[i] == "candidate", Count(s.votesGranted[i]) >= self.majority)):
            return s.update(role=s.role.set(i, "leader"))

    # -- the log ----------------------------------------------------------------------------

    @action(i="Server")
    def client_request(self, s, i):
        """Leader i appends a client's entry, stamped with its term, at the end of its log."""
        if s.guard(And(self.faults.up(s, i), s.role[i] == "leader", self.last_index(s, i) < self.log_length)):
            return s.update(log=s.log.set(i, s.log[i].set(self.last_index(s, i) + 1, s.currentTerm[i])))

    @action(i="Server", j="Server", k="Index")
    def append_entries(self, s, i, j, k):
        """Leader i sends j its entry at index k, with the term of the entry before it."""
        if i != j and s.guard(And(self.faults.up(s, i), s.role[i] == "leader", s.log[i][k] != 0)):
            message = self.AppendEntries(
                term=s.currentTerm[i], src=i, dst=j, index=k,
                entryTerm=s.log[i][k], prevLogTerm=self.term_at(s, i, k - 1),
            )
            return s.update(msgs=s.msgs | {message})

    @action(m=From("msgs", "AppendEntries"))
    def handle_append_entries(self, s, m):
        """Follower m.dst accepts a current leader's entry whose predecessor matches its log."""
        if s.guard(self.faults.deliverable(s, m)):
            j = m.dst
            if s.guard(m.term < s.currentTerm[j]):
                return s.update(msgs=self.faults.receive(s, m))
            log = s.log[j]
            if s.guard(And(self.term_at(s, j, m.index - 1) == m.prevLogTerm, log[m.index] != m.entryTerm)):
                log = log.set(m.index, m.entryTerm)
                for k in range(m.index + 1, self.log_length + 1):
                    log = log.set(k, 0)  # a conflicting suffix goes
            return s.update(
                currentTerm=s.currentTerm.set(j, m.term),
                role=s.role.set(j, "follower"),
                votedFor=s.votedFor.set(j, If(m.term > s.currentTerm[j], None, s.votedFor[j])),
                log=s.log.set(j, log),
                msgs=self.faults.receive(s, m),
            )

    @action(i="Server", k="Index")
    def advance_commit(self, s, i, k):
        """Leader i commits index k: a majority stores its entry there, from i's own term."""
        if s.guard(And(
            self.faults.up(s, i), s.role[i] == "leader", s.commitIndex[i] < k,
            s.log[i][k] == s.currentTerm[i],
            Count(self.Server, lambda j: s.log[j][k] == s.currentTerm[i]) >= self.majority,
        )):
            entries = {self.Entry(index=n, term=s.log[i][n]) for n in range(1, k + 1)}
            return s.update(commitIndex=s.commitIndex.set(i, k), committed=s.committed | entries)

    # -- properties -------------------------------------------------------------------------

    @always
    def election_safety(self, s):
        """At most one leader per term."""
        return ForAll(
            itertools.combinations(self.Server.values(), 2),
            lambda p: Not(And(
                s.role[p[0]] == "leader", s.role[p[1]] == "leader", s.currentTerm[p[0]] == s.currentTerm[p[1]],
            )),
        )

    def witnesses_election_safety(self, s):
        """For diagrams: each leader sharing its term with another, with the servers whose votes elected it."""
        leaders = [i for i in self.Server if s.role[i] == "leader"]
        out = []
        for i in leaders:
            term = s.currentTerm[i]
            if any(j != i and s.currentTerm[j] == term for j in leaders):
                votes = [self.RequestVoteResponse(term=term, src=j, dst=i, granted=True) for j in s.votesGranted[i]]
                members = [i, *s.votesGranted[i], *votes]
                out.append((f"V{len(out) + 1}", f"{i} leads term {term} with these votes", members))
        return out

    @always
    def leader_completeness(self, s):
        """A committed entry is in the log of every leader of a later term."""
        return ForAll(s.committed, lambda e: ForAll(self.Server, lambda i: Implies(
            And(s.role[i] == "leader", s.currentTerm[i] > e.term), s.log[i][e.index] == e.term,
        )))

    @sometimes
    def leader_elected(self, s):
        """Some server becomes leader."""
        return Exists(self.Server, lambda i: s.role[i] == "leader")

    @sometimes
    def entry_committed(self, s):
        """Some entry gets committed, so leader completeness is not vacuous."""
        return Not(IsEmpty(s.committed))

    @eventually
    def eventually_leader(self, s):
        """Liveness (checked when a spec names it): some server eventually becomes leader. With
        ``timeouts="any"`` it fails under any fairness (split votes repeat to the term bound); it
        holds with staggered timeouts and fair election steps (specs/raft-liveness*.toml)."""
        return Exists(self.Server, lambda i: s.role[i] == "leader")
