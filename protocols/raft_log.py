"""Raft with log replication, transliterated from Diego Ongaro's TLA+ spec (ongardie/raft.tla).

Each action below is the raft.tla action of the same name, and reads in the same order:
  Timeout(i)            a follower or candidate starts an election: term + 1, votes cleared
                        (it votes for itself by messaging itself, like any voter).
  RequestVote(i, j)     candidate i asks j for its vote, with its last log term and index.
  BecomeLeader(i)       a candidate granted votes by a quorum leads; nextIndex = Len(log) + 1.
  ClientRequest(i, v)   leader i appends [term |-> currentTerm[i], value |-> v].
  AdvanceCommitIndex(i) leader i commits the highest index a quorum agrees on (matchIndex), but
                        only if that entry is of its own term (the Raft paper's Figure 8 rule).
  AppendEntries(i, j)   leader i sends j up to one entry after prevLogIndex = nextIndex[i][j] - 1.
  Receive(m)            UpdateTerm first (a newer term makes the recipient a follower, and m stays
                        to be handled), then the handler of m's type: HandleRequestVoteRequest
                        (grant when the candidate's log is at least as up-to-date and the vote is
                        free), HandleRequestVoteResponse, HandleAppendEntriesRequest (reject,
                        step down from candidate, or accept: already done / drop one conflicting
                        entry / append), HandleAppendEntriesResponse, and DropStaleResponse.
``messages`` is a bag, as in raft.tla: a message sent twice is there twice. Its AppendEntries
requests and RequestVote responses carry ``mlog``, the sender's log: a history field of the
proof that no handler reads, but part of each message, so TLC's ``VIEW`` (which keeps
``messages``) tells apart messages that differ in it only; ``mlog=False`` leaves it out. The faults are
raft.tla's own actions ``Restart`` (crash-restart: only currentTerm, votedFor and log survive),
``DuplicateMessage`` and ``DropMessage``, switched on by parameters (``restarts``,
``duplicates``, ``drops``); without them this is the harness's ``FaultFreeNext``.

The bounds are TLC's ``CONSTRAINT`` (``constraint``): a successor with a term above ``max_term``,
a log longer than ``max_log_len``, a message more than ``max_msg_count`` times or more than
``max_msgs`` distinct messages is discarded, not counted. The history variables of raft.tla
(elections, allLogs, voterLog) never influence a step and are left out, which is what TLC's
``VIEW`` counts: Server = {s1, s2}, MaxTerm 2, MaxMsgs 2 has 3,864 distinct states, and
{s1, s2, s3}, MaxTerm 2, MaxMsgs 1 has 344,111 (MaxLogLen 1, MaxMsgCount 1, Value = {v1}).

One variable is added for the clients: ``acked``, the writes a leader has acknowledged (a history
variable, switched on by ``acks``: acknowledging is the action ``AckClient``, which raft.tla does
not have). Properties: **election_safety** (at most one leader per term), **log_matching**,
**leader_completeness** (an entry a server knows committed is in the log of every leader of a
later term), **state_machine_safety** (no two servers commit different entries at one index) and,
with ``acks``, **acked_writes_survive** (an acknowledged write is in the log of every leader of
its term or later). Goals: **leader_elected**, **entry_committed**.

Variants (buggy on purpose):
- ``commit-previous-term``: AdvanceCommitIndex commits an entry of an earlier term because a
  majority stores it (Figure 8); a later leader overwrites it.
- ``no-truncate``: a follower appends after a conflicting entry instead of deleting it first.
- ``no-prev-check``: AppendEntries is accepted without the prevLogIndex/prevLogTerm check.
- ``ack-before-commit``: a leader acknowledges a write once it has appended it (needs ``acks``).
- ``votedfor-not-persisted``: Restart forgets votedFor (needs ``restarts``).
"""

from __future__ import annotations

from checker.dsl import *

FOLLOWER, CANDIDATE, LEADER = "Follower", "Candidate", "Leader"


class RaftLog(Protocol):
    """raft.tla: leader election and log replication, bounded as TLC's MCraft harness bounds it."""

    #: Two servers, terms up to 2, one message in flight and no mlog: small enough for Z3's unrolling.
    small_instance = {"servers": 2, "max_term": 2, "max_msgs": 1, "mlog": False}

    servers = Param(3, "number of servers s1..sN", min=1)
    values = Param(1, "number of client values v1..vN", min=1)
    max_term = Param(2, "MaxTerm: successors with a higher currentTerm are discarded", min=1)
    max_log_len = Param(1, "MaxLogLen: successors with a longer log are discarded", min=0)
    max_msg_count = Param(1, "MaxMsgCount: successors holding a message more often are discarded", min=1)
    max_msgs = Param(1, "MaxMsgs: successors with more distinct messages in flight are discarded", min=0)
    restarts = Param(False, "Restart(i): a server crashes and restarts from stable storage")
    duplicates = Param(False, "DuplicateMessage(m): the network delivers a message twice")
    drops = Param(False, "DropMessage(m): the network loses a message")
    mlog = Param(True, "messages carry the sender's log (raft.tla's history field mlog; TLC's VIEW keeps it)")
    acks = Param(False, "record client acknowledgements (AckClient) in the history variable acked")
    variant = Variant(correct="raft.tla's rules")

    def setup(self) -> None:
        n, t, length = self.servers, self.max_term, self.max_log_len
        self.Server = Nodes("s", n)
        self.Value = Nodes("v", self.values)
        self.Index = Range(1, length)
        term, server = Range(1, t), self.Server
        self.Entry = RecordType("entry", term=term, value=self.Value)
        self.no_entry = self.Entry(term=0, value=None)  # what the log holds at index 0: term 0
        history = {"mlog": Seq(self.Entry, length)} if self.mlog else {}
        self.RequestVoteRequest = RecordType(  # a candidate asks itself too, as any voter
            "RequestVoteRequest", where=self.sendable_vote_request, mterm=term, mlastLogTerm=Range(0, t),
            mlastLogIndex=Range(0, length), msource=server, mdest=server)
        self.RequestVoteResponse = RecordType(
            "RequestVoteResponse", where=self.sendable_vote_response, mterm=term, mvoteGranted=Bool(), **history,
            msource=server, mdest=server)
        self.AppendEntriesRequest = RecordType(
            "AppendEntriesRequest", where=self.sendable_append, mterm=term, mprevLogIndex=Range(0, length),
            mprevLogTerm=Range(0, t), mentries=Seq(self.Entry, 1), **history, mcommitIndex=Range(0, length),
            msource=server, mdest=server)
        self.AppendEntriesResponse = RecordType(
            "AppendEntriesResponse", where=self.sendable_append_response, mterm=term, msuccess=Bool(),
            mmatchIndex=Range(0, length), msource=server, mdest=server)
        kinds = (self.RequestVoteRequest, self.RequestVoteResponse, self.AppendEntriesRequest,
                 self.AppendEntriesResponse)

        # one above each bound, so that a successor past it can be built, then discarded (``constraint``)
        self.var("messages", Bag(*kinds, max_count=self.max_msg_count + 1), init=())
        self.var("currentTerm", Map(server, Range(1, t + 1)), init=1)
        self.var("state", Map(server, Enum(FOLLOWER, CANDIDATE, LEADER)), init=FOLLOWER)
        self.var("votedFor", Map(server, Option(server)), init=None)
        self.var("log", Map(server, Seq(self.Entry, length + 1)), init=())
        self.var("commitIndex", Map(server, Range(0, length)), init=0)
        self.var("votesResponded", Map(server, SetOf(server)), init=lambda _: ValueSet())
        self.var("votesGranted", Map(server, SetOf(server)), init=lambda _: ValueSet())
        self.var("nextIndex", Map(server, Map(server, Range(1, length + 1))), init=lambda _: 1)
        self.var("matchIndex", Map(server, Map(server, Range(0, length))), init=lambda _: 0)
        if self.acks:
            self.Ack = RecordType("ack", index=self.Index, term=term, value=self.Value)
            self.var("acked", SetOf(self.Ack), init=())
        self.declare_messages("messages", sender="msource", receiver="mdest")
        self.components = (_Switched(self),)

    # -- the messages that can be sent ------------------------------------------------------
    # Each kind's ``where`` keeps the records that a sender can build: a log's terms are at most
    # its server's term, index 0 has term 0, and the fields copied from one log agree with it.
    # It is a typing claim, not an assumption: a message outside it is a type error that every
    # engine reports. It cuts the possible messages the symbolic engines range over about tenfold.

    @staticmethod
    def _log_fits(log, term):
        return all(e.term <= term for e in tuple.__iter__(log))

    def sendable_vote_request(self, m):
        return m.mlastLogTerm <= m.mterm and (m.mlastLogIndex == 0) == (m.mlastLogTerm == 0)

    def sendable_vote_response(self, m):
        return not self.mlog or self._log_fits(m.mlog, m.mterm)

    def sendable_append(self, m):
        entries, prev = m.mentries, m.mprevLogIndex
        ok = (m.msource != m.mdest and m.mprevLogTerm <= m.mterm and (prev == 0) == (m.mprevLogTerm == 0)
              and self._log_fits(entries, m.mterm) and m.mcommitIndex <= prev + entries.length)
        if ok and self.mlog:
            log = m.mlog
            ok = (self._log_fits(log, m.mterm) and log.length >= prev + entries.length
                  and (prev == 0 or log.at(prev).term == m.mprevLogTerm)
                  and (entries.length == 0 or log.at(prev + 1) == entries.at(1)))
        return ok

    def sendable_append_response(self, m):
        return m.msource != m.mdest and (m.msuccess or m.mmatchIndex == 0)

    def bounds(self) -> str:
        return (f"{self.servers} servers, terms ≤ {self.max_term}, logs ≤ {self.max_log_len} entries, "
                f"≤ {self.max_msgs} distinct messages in flight, each ≤ {self.max_msg_count} times")

    def constraint(self, s):
        """MCraft's Bound: terms, log lengths, copies of a message and distinct messages."""
        return And(
            ForAll(self.Server, lambda i: And(s.currentTerm[i] <= self.max_term,
                                              s.log[i].length <= self.max_log_len)),
            ForAll(s.messages, lambda m: s.messages.count(m) <= self.max_msg_count),
            Count(s.messages) <= self.max_msgs,
        )

    # -- helpers (raft.tla's LastTerm, Quorum, Send, Discard, Reply) ---------------------------

    def last_term(self, xlog):
        """The term of the last entry in a log, or 0 if the log is empty."""
        return xlog.last(self.no_entry).term

    def is_quorum(self, members):
        """A set of servers is a majority: Cardinality(members) * 2 > Cardinality(Server)."""
        return Count(members) * 2 > self.servers

    def history(self, s, i):
        """The mlog field of i's messages: its log, for the proof's history (no handler reads it)."""
        return {"mlog": s.log[i]} if self.mlog else {}

    @staticmethod
    def smaller(a, b):
        """Min({a, b})."""
        return If(a < b, a, b)

    # -- elections --------------------------------------------------------------------------

    def restart(self, s, i):
        """Server i restarts from stable storage: it loses everything but currentTerm, votedFor and log."""
        return s.update(
            state=s.state.set(i, FOLLOWER),
            votesResponded=s.votesResponded.set(i, ValueSet()),
            votesGranted=s.votesGranted.set(i, ValueSet()),
            nextIndex=s.nextIndex.set(i, self.fresh_next(s, i)),
            matchIndex=s.matchIndex.set(i, self.fresh_match(s, i)),
            commitIndex=s.commitIndex.set(i, 0),
            votedFor=self.kept_vote(s, i),
        )

    def fresh_next(self, s, i, value=1):
        """[j \\in Server |-> value]: a row of nextIndex."""
        row = s.nextIndex[i]
        for j in self.Server:
            row = row.set(j, value)
        return row

    def fresh_match(self, s, i):
        """[j \\in Server |-> 0]: a row of matchIndex."""
        row = s.matchIndex[i]
        for j in self.Server:
            row = row.set(j, 0)
        return row

    def kept_vote(self, s, i):
        """votedFor after a restart: it is stable storage, so unchanged."""
        return s.votedFor

    @variant("votedfor-not-persisted", "Restart forgets votedFor: the server may vote again in the same term")
    def kept_vote(self, s, i):
        """votedFor was kept in memory only."""
        return s.votedFor.set(i, None)

    @action(i="Server")
    def timeout(self, s, i):
        """Server i times out and starts a new election."""
        if s.guard(Member(s.state[i], (FOLLOWER, CANDIDATE))):
            return s.update(
                state=s.state.set(i, CANDIDATE),
                currentTerm=s.currentTerm.set(i, s.currentTerm[i] + 1),
                votedFor=s.votedFor.set(i, None),
                votesResponded=s.votesResponded.set(i, ValueSet()),
                votesGranted=s.votesGranted.set(i, ValueSet()),
            )

    @action(i="Server", j="Server")
    def request_vote(self, s, i, j):
        """Candidate i sends j a RequestVote request."""
        if s.guard(And(s.state[i] == CANDIDATE, Not(Member(j, s.votesResponded[i])))):
            return s.update(messages=s.messages.add(self.RequestVoteRequest(
                mterm=s.currentTerm[i], mlastLogTerm=self.last_term(s.log[i]),
                mlastLogIndex=s.log[i].length, msource=i, mdest=j)))

    @action(i="Server")
    def become_leader(self, s, i):
        """Candidate i transitions to leader."""
        if s.guard(And(s.state[i] == CANDIDATE, self.is_quorum(s.votesGranted[i]))):
            return s.update(
                state=s.state.set(i, LEADER),
                nextIndex=s.nextIndex.set(i, self.fresh_next(s, i, s.log[i].length + 1)),
                matchIndex=s.matchIndex.set(i, self.fresh_match(s, i)),
            )

    # -- the log ----------------------------------------------------------------------------

    @action(i="Server", v="Value")
    def client_request(self, s, i, v):
        """Leader i receives a client request to add v to the log."""
        if s.guard(s.state[i] == LEADER):
            entry = self.Entry(term=s.currentTerm[i], value=v)
            return s.update(log=s.log.set(i, s.log[i].append(entry)))

    @action(i="Server")
    def advance_commit_index(self, s, i):
        """Leader i advances its commitIndex to the highest index a quorum agrees on, when the
        entry there is of its current term."""
        if s.guard(s.state[i] == LEADER):
            log = s.log[i]

            def agree(index):  # {i} \cup {k \in Server : matchIndex[i][k] >= index} \in Quorum
                return self.is_quorum(Filter(self.Server, lambda k: Or(k == i, s.matchIndex[i][k] >= index)))

            highest = Max(self.Index, key=lambda index: If(And(index <= log.length, agree(index)), index, 0), default=0)
            new = If(And(highest > 0, self.may_commit(s, i, log.at(highest, self.no_entry))), highest, s.commitIndex[i])
            return s.update(commitIndex=s.commitIndex.set(i, new))

    def may_commit(self, s, i, entry):
        """Only an entry of the leader's current term is committed by counting replicas."""
        return entry.term == s.currentTerm[i]

    @variant("commit-previous-term", "a leader commits an earlier term's entry once a majority stores it (Figure 8)")
    def may_commit(self, s, i, entry):
        """Any entry a majority stores."""
        return True

    @action(i="Server", j="Server")
    def append_entries(self, s, i, j):
        """Leader i sends j an AppendEntries request containing up to 1 entry."""
        if i != j and s.guard(s.state[i] == LEADER):
            log, next_index = s.log[i], s.nextIndex[i][j]
            prev_index = next_index - 1
            prev_term = If(prev_index > 0, log.at(prev_index, self.no_entry).term, 0)
            last_entry = self.smaller(log.length, next_index)
            return s.update(messages=s.messages.add(self.AppendEntriesRequest(
                mterm=s.currentTerm[i], mprevLogIndex=prev_index, mprevLogTerm=prev_term,
                mentries=log.sub(next_index, last_entry), **self.history(s, i),
                mcommitIndex=self.smaller(s.commitIndex[i], last_entry), msource=i, mdest=j)))

    def ack_client(self, s, i, k):
        """Leader i tells the client its write at index k succeeded (not in raft.tla: the history
        of acknowledgements that ``acked_writes_survive`` reads)."""
        if s.guard(And(s.state[i] == LEADER, self.acknowledgeable(s, i, k))):
            entry = s.log[i].at(k, self.no_entry)
            return s.update(acked=s.acked | {self.Ack(index=k, term=entry.term, value=entry.value)})

    def acknowledgeable(self, s, i, k):
        """A write is acknowledged once the leader knows it committed."""
        return And(k <= s.commitIndex[i], s.log[i].at(k, self.no_entry).term == s.currentTerm[i])

    @variant("ack-before-commit", "a leader acknowledges a write once it has appended it, before it commits")
    def acknowledgeable(self, s, i, k):
        """Once it is in the leader's own log."""
        return s.log[i].at(k, self.no_entry).term == s.currentTerm[i]

    # -- message handlers: i = recipient, j = sender, m = message ---------------------------

    @action(m=From("messages"))
    def receive(self, s, m):
        """Receive a message: UpdateTerm first, then the handler of its type."""
        i, j = m.mdest, m.msource
        if s.guard(m.mterm > s.currentTerm[i]):  # UpdateTerm: m stays, to be processed further
            return s.update(
                currentTerm=s.currentTerm.set(i, m.mterm),
                state=s.state.set(i, FOLLOWER),
                votedFor=s.votedFor.set(i, None),
            )
        if m.type == "RequestVoteRequest":
            return self.handle_request_vote_request(s, i, j, m)
        if m.type == "AppendEntriesRequest":
            return self.handle_append_entries_request(s, i, j, m)
        if s.guard(m.mterm < s.currentTerm[i]):  # DropStaleResponse
            return s.update(messages=s.messages.remove(m))
        if m.type == "RequestVoteResponse":
            return self.handle_request_vote_response(s, i, j, m)
        return self.handle_append_entries_response(s, i, j, m)

    def reply(self, s, response, request):
        """Reply(response, request): send one, discard the other."""
        return s.messages.add(response).remove(request)

    def handle_request_vote_request(self, s, i, j, m):
        """Grant the vote when the terms match, the candidate's log is at least as up-to-date and
        i has not voted for another server in this term."""
        log = s.log[i]
        log_ok = Or(m.mlastLogTerm > self.last_term(log),
                    And(m.mlastLogTerm == self.last_term(log), m.mlastLogIndex >= log.length))
        grant = And(m.mterm == s.currentTerm[i], log_ok, Member(s.votedFor[i], (None, j)))
        response = self.RequestVoteResponse(mterm=s.currentTerm[i], mvoteGranted=grant, **self.history(s, i),
                                            msource=i, mdest=j)
        return s.update(
            votedFor=s.votedFor.set(i, If(grant, j, s.votedFor[i])),
            messages=self.reply(s, response, m),
        )

    def handle_request_vote_response(self, s, i, j, m):
        """Tally a response of i's current term (even when i is no longer a candidate)."""
        granted = s.votesGranted[i]
        if s.guard(m.mvoteGranted):
            granted = granted | {j}
        return s.update(
            votesResponded=s.votesResponded.set(i, s.votesResponded[i] | {j}),
            votesGranted=s.votesGranted.set(i, granted),
            messages=s.messages.remove(m),
        )

    def log_ok(self, s, i, m):
        """The request's prevLogIndex and prevLogTerm match i's log."""
        log = s.log[i]
        return Or(m.mprevLogIndex == 0,
                  And(m.mprevLogIndex > 0, m.mprevLogIndex <= log.length,
                      m.mprevLogTerm == log.at(m.mprevLogIndex, self.no_entry).term))

    @variant("no-prev-check", "AppendEntries is accepted without the prevLogIndex/prevLogTerm check")
    def log_ok(self, s, i, m):
        """Any request fits, if the log is long enough to append after prevLogIndex."""
        return m.mprevLogIndex <= s.log[i].length

    def handle_append_entries_request(self, s, i, j, m):
        """Reject, return to follower, or accept: already done, drop a conflicting entry, or append."""
        log, ok = s.log[i], self.log_ok(s, i, m)
        if s.guard(Or(m.mterm < s.currentTerm[i],
                      And(m.mterm == s.currentTerm[i], s.state[i] == FOLLOWER, Not(ok)))):
            return s.update(messages=self.reply(s, self.AppendEntriesResponse(
                mterm=s.currentTerm[i], msuccess=False, mmatchIndex=0, msource=i, mdest=j), m))
        if s.guard(And(m.mterm == s.currentTerm[i], s.state[i] == CANDIDATE)):  # return to follower
            return s.update(state=s.state.set(i, FOLLOWER))
        if s.guard(And(m.mterm == s.currentTerm[i], s.state[i] == FOLLOWER, ok)):
            index = m.mprevLogIndex + 1
            entries = m.mentries
            if entries.length == 0 or s.guard(And(log.length >= index,
                                                  log.at(index, self.no_entry).term == entries.at(1).term)):
                return s.update(  # already done with the request
                    commitIndex=s.commitIndex.set(i, m.mcommitIndex),
                    messages=self.reply(s, self.AppendEntriesResponse(
                        mterm=s.currentTerm[i], msuccess=True, mmatchIndex=m.mprevLogIndex + entries.length,
                        msource=i, mdest=j), m))
            if s.guard(log.length >= index):  # conflict: remove 1 entry
                return self.resolve_conflict(s, i, m)
            if s.guard(log.length == m.mprevLogIndex):  # no conflict: append entry
                return s.update(log=s.log.set(i, log.append(entries.at(1))))

    def resolve_conflict(self, s, i, m):
        """Remove the last entry; the request, still in flight, is handled again afterwards."""
        log = s.log[i]
        return s.update(log=s.log.set(i, log.prefix(log.length - 1)))

    @variant("no-truncate", "a follower appends after a conflicting entry instead of removing it, and acknowledges")
    def resolve_conflict(self, s, i, m):
        """Keep the conflicting entry, put the new one after the log, report a match up to index."""
        ack = self.AppendEntriesResponse(mterm=s.currentTerm[i], msuccess=True, mmatchIndex=m.mprevLogIndex + 1,
                                         msource=i, mdest=m.msource)
        return s.update(log=s.log.set(i, s.log[i].append(m.mentries.at(1))), messages=self.reply(s, ack, m))

    def handle_append_entries_response(self, s, i, j, m):
        """Leader i learns how far j's log matches its own (or steps nextIndex back)."""
        if s.guard(m.msuccess):
            return s.update(
                nextIndex=s.nextIndex.set(i, s.nextIndex[i].set(j, m.mmatchIndex + 1)),
                matchIndex=s.matchIndex.set(i, s.matchIndex[i].set(j, m.mmatchIndex)),
                messages=s.messages.remove(m),
            )
        back = s.nextIndex[i][j] - 1
        return s.update(
            nextIndex=s.nextIndex.set(i, s.nextIndex[i].set(j, If(back > 1, back, 1))),
            messages=s.messages.remove(m),
        )

    # -- network faults ---------------------------------------------------------------------

    def duplicate_message(self, s, m):
        """The network duplicates a message."""
        return s.update(messages=s.messages.add(m))

    def drop_message(self, s, m):
        """The network drops a message."""
        return s.update(messages=s.messages.remove(m))

    # -- properties -------------------------------------------------------------------------

    @always
    def election_safety(self, s):
        """At most one leader per term."""
        return Not(Exists(self.Server, lambda i: Exists(self.Server, lambda j: And(
            i != j, s.currentTerm[i] == s.currentTerm[j], s.state[i] == LEADER, s.state[j] == LEADER))))

    @always
    def log_matching(self, s):
        """Two logs with an entry of the same term at an index are identical up to it."""
        return ForAll(self.Server, lambda i: ForAll(self.Server, lambda j: ForAll(self.Index, lambda k: Implies(
            And(i != j, k <= s.log[i].length, k <= s.log[j].length,
                s.log[i].at(k, self.no_entry).term == s.log[j].at(k, self.no_entry).term),
            ForAll(self.Index, lambda p: Implies(
                p <= k, s.log[i].at(p, self.no_entry) == s.log[j].at(p, self.no_entry))),
        ))))

    def committed(self, s, i, k):
        """Server i knows index k committed: its entry there, or None."""
        return And(k <= s.commitIndex[i], k <= s.log[i].length)

    @always
    def leader_completeness(self, s):
        """An entry a server knows committed is in the log of every leader of a later term."""
        return ForAll(self.Server, lambda i: ForAll(self.Index, lambda k: Implies(
            self.committed(s, i, k),
            ForAll(self.Server, lambda ldr: Implies(
                And(s.state[ldr] == LEADER, s.currentTerm[ldr] > s.log[i].at(k, self.no_entry).term),
                s.log[ldr].at(k, self.no_entry) == s.log[i].at(k, self.no_entry))))))

    @always
    def state_machine_safety(self, s):
        """No two servers commit different entries at one index."""
        return ForAll(self.Server, lambda i: ForAll(self.Server, lambda j: ForAll(self.Index, lambda k: Implies(
            And(self.committed(s, i, k), self.committed(s, j, k)),
            s.log[i].at(k, self.no_entry) == s.log[j].at(k, self.no_entry)))))

    @always(default=False)
    def acked_writes_survive(self, s):
        """An acknowledged write is in the log of every leader of its term or a later one (with ``acks``)."""
        return ForAll(s.acked, lambda a: ForAll(self.Server, lambda ldr: Implies(
            And(s.state[ldr] == LEADER, s.currentTerm[ldr] >= a.term),
            s.log[ldr].at(a.index, self.no_entry) == self.Entry(term=a.term, value=a.value))))

    @sometimes
    def leader_elected(self, s):
        return Exists(self.Server, lambda i: s.state[i] == LEADER)

    @sometimes
    def entry_committed(self, s):
        return Exists(self.Server, lambda i: s.commitIndex[i] > 0)


class _Switched:
    """raft.tla's fault actions (Restart, DuplicateMessage, DropMessage) and the acknowledgement
    of client writes, added only where a parameter switches them on: an action that can never
    fire would be reported as never fired."""

    def __init__(self, raft: RaftLog) -> None:
        self.raft = raft

    def add_actions(self) -> None:
        r = self.raft
        if r.restarts:
            r.add_action("restart", r.restart, r.restart.__doc__, i=r.Server)
        if r.duplicates:
            r.add_action("duplicate_message", r.duplicate_message, r.duplicate_message.__doc__, m=From("messages"))
        if r.drops:
            r.add_action("drop_message", r.drop_message, r.drop_message.__doc__, m=From("messages"))
        if r.acks:
            r.add_action("ack_client", r.ack_client, r.ack_client.__doc__, i=r.Server, k=r.Index)
