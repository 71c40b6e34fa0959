"""Basic (single-decree) Paxos, transliterated from Lamport's ``Paxos.tla`` (tlaplus/Examples).

Acceptors a1..aN agree on one value from v1..vK. A ballot b is led by one proposer, who
  1a. asks every acceptor to join ballot b;
  1b. an acceptor joins b if it has not joined a higher ballot, promising to ignore lower ones,
      and reports the last vote it cast (ballot mbal, value mval; -1/None if it never voted);
  2a. once a quorum has reported for b, the proposer proposes the value of the highest-ballot
      vote among the reports — or any value if nobody in the quorum has voted;
  2b. an acceptor that has not joined a higher ballot votes for the proposal.
A value is *chosen* when a quorum votes for it in the same ballot.

Variables are Paxos.tla's: ``maxBal[a]`` (highest ballot joined), ``maxVBal[a]``/``maxVal[a]``
(last vote), ``msgs`` (every message ever sent; the network may delay, reorder or redeliver).

Properties: **agreement** (at most one value chosen), **validity** (a chosen value was proposed
by a client), and the reachability goal **value_chosen**. ``inductive_invariant`` is Paxos.tla's
``Inv`` (TypeOK, AccInv, MsgInv), which implies agreement.

Variants (buggy on purpose):
- ``phase2a-ignores-1b``: the proposer proposes any value once a quorum has reported, ignoring
  the reported votes. Two ballots choose different values: agreement fails (12 steps).
- ``minority-quorums``: quorums of N//2 acceptors (2 of 4, or 1 of 3), which need not intersect:
  two ballots are each chosen by disjoint quorums — the split brain of the seed's opening story.
- ``invents-value``: with no vote reported, the proposer proposes any value, even one no client
  proposed (a default "no-op"): validity fails. Needs ``proposed < values``.
"""

from __future__ import annotations

import itertools

from checker import (
    And,
    Exists,
    Filter,
    ForAll,
    From,
    Implies,
    IsEmpty,
    Map,
    Member,
    Nodes,
    Not,
    Option,
    Or,
    Param,
    Protocol,
    Range,
    RecordType,
    SetOf,
    Variant,
    action,
    always,
    sometimes,
)


class Paxos(Protocol):
    """Single-decree Paxos (Paxos.tla)."""

    small_instance = {"ballots": 2}

    acceptors = Param(3, "number of acceptors a1..aN")
    values = Param(2, "number of values v1..vK")
    ballots = Param(3, "number of ballots: ballots=3 is ballots 0..2")
    proposed = Param(None, "values v1..vP proposed by clients (default: all)", kind=(int, type(None)))
    variant = Variant(
        correct="Paxos.tla as written",
        phase2a_ignores_1b="Phase2a proposes any value, ignoring the votes reported in 1b messages",
        minority_quorums="quorums of N//2 acceptors, which need not intersect",
        invents_value="with no vote reported, Phase2a may propose a value no client proposed",
    )

    def setup(self) -> None:
        self.Acceptor = Nodes("a", self.acceptors)
        self.Value = Nodes("v", self.values)
        self.Ballot = Range(0, self.ballots - 1)
        self.Proposed = self.Value.values()[: self.values if self.proposed is None else self.proposed]
        size = self.acceptors // 2 if self.variant == "minority-quorums" else self.acceptors // 2 + 1
        self.Quorum = [frozenset(q) for q in itertools.combinations(self.Acceptor.values(), size)]

        self.M1a = RecordType("1a", bal=self.Ballot)
        self.M1b = RecordType(
            "1b", acc=self.Acceptor, bal=self.Ballot, mbal=Range(-1, self.ballots - 1), mval=Option(self.Value)
        )
        self.M2a = RecordType("2a", bal=self.Ballot, val=self.Value)
        self.M2b = RecordType("2b", acc=self.Acceptor, bal=self.Ballot, val=self.Value)

        self.var("maxBal", Map(self.Acceptor, Range(-1, self.ballots - 1)), init=-1)
        self.var("maxVBal", Map(self.Acceptor, Range(-1, self.ballots - 1)), init=-1)
        self.var("maxVal", Map(self.Acceptor, Option(self.Value)), init=None)
        self.var("msgs", SetOf(self.M1a, self.M1b, self.M2a, self.M2b), init=())

    # -- actions -----------------------------------------------------------------------------

    @action(b="Ballot")
    def phase1a(self, s, b):
        """The leader of ballot b asks the acceptors to join it."""
        return s.update(msgs=s.msgs | {self.M1a(b)})

    @action(a="Acceptor", m=From("msgs", "1a"))
    def phase1b(self, s, a, m):
        """Acceptor a joins ballot m.bal (above any it joined) and reports its last vote."""
        if s.guard(m.bal > s.maxBal[a]):
            report = self.M1b(acc=a, bal=m.bal, mbal=s.maxVBal[a], mval=s.maxVal[a])
            return s.update(maxBal=s.maxBal.set(a, m.bal), msgs=s.msgs | {report})

    @action(b="Ballot", v="Value")
    def phase2a(self, s, b, v):
        """The leader of ballot b proposes v, once a quorum has reported for b."""
        if s.guard(Not(Exists(s.msgs.of("2a"), lambda m: m.bal == b))):
            reports = Filter(s.msgs.of("1b"), lambda m: m.bal == b)
            if s.guard(Exists(self.Quorum, lambda Q: self.may_propose(Q, reports, v))):
                return s.update(msgs=s.msgs | {self.M2a(b, v)})

    def may_propose(self, Q, reports, v):
        """Every acceptor of Q reported for the ballot, and v is safe given what they reported."""
        from_q = Filter(reports, lambda m: m.acc in Q)
        voted = Filter(from_q, lambda m: m.mbal >= 0)
        heard_from_all = ForAll(Q, lambda a: Exists(from_q, lambda m: m.acc == a))
        if self.variant == "phase2a-ignores-1b":
            return heard_from_all
        if self.variant == "invents-value":
            free_choice = IsEmpty(voted)
        else:
            free_choice = And(IsEmpty(voted), v in self.Proposed)
        highest_vote_is_v = Exists(
            voted, lambda m: And(m.mval == v, ForAll(voted, lambda mm: m.mbal >= mm.mbal))
        )
        return And(heard_from_all, Or(free_choice, highest_vote_is_v))

    @action(a="Acceptor", m=From("msgs", "2a"))
    def phase2b(self, s, a, m):
        """Acceptor a votes for proposal m unless it has joined a higher ballot."""
        if s.guard(m.bal >= s.maxBal[a]):
            return s.update(
                maxBal=s.maxBal.set(a, m.bal),
                maxVBal=s.maxVBal.set(a, m.bal),
                maxVal=s.maxVal.set(a, m.val),
                msgs=s.msgs | {self.M2b(acc=a, bal=m.bal, val=m.val)},
            )

    # -- definitions (Paxos.tla / Voting.tla) -----------------------------------------------

    def voted_for(self, s, a, b, v):
        return Member(self.M2b(acc=a, bal=b, val=v), s.msgs)

    def chosen_at(self, s, b, v):
        return Exists(self.Quorum, lambda Q: ForAll(Q, lambda a: self.voted_for(s, a, b, v)))

    def chosen(self, s, v):
        """v is chosen: a quorum voted for it in some ballot (only ballots with a vote for v can)."""
        return Exists(s.msgs.of("2b"), lambda m: m.val == v and self.chosen_at(s, m.bal, v))

    def did_not_vote_at(self, s, a, b):
        return ForAll(self.Value, lambda v: Not(self.voted_for(s, a, b, v)))

    def cannot_vote_at(self, s, a, b):
        return And(s.maxBal[a] > b, self.did_not_vote_at(s, a, b))

    def none_other_choosable_at(self, s, b, v):
        return Exists(
            self.Quorum,
            lambda Q: ForAll(Q, lambda a: Or(self.voted_for(s, a, b, v), self.cannot_vote_at(s, a, b))),
        )

    def safe_at(self, s, b, v):
        return ForAll(range(b), lambda c: self.none_other_choosable_at(s, c, v))

    # -- properties --------------------------------------------------------------------------

    @always
    def agreement(self, s):
        """At most one value is chosen (Consensus.tla: Cardinality(chosen) <= 1)."""
        return ForAll(
            itertools.combinations(self.Value.values(), 2),
            lambda pair: Not(And(self.chosen(s, pair[0]), self.chosen(s, pair[1]))),
        )

    @always
    def validity(self, s):
        """Only a value proposed by a client can be chosen."""
        return ForAll(self.Value, lambda v: v in self.Proposed or Not(self.chosen(s, v)))

    @sometimes
    def value_chosen(self, s):
        """Some value gets chosen: the model can decide at all."""
        return Exists(self.Value, lambda v: self.chosen(s, v))

    @always(default=False)
    def type_ok(self, s):
        """TypeOK: holds by construction of the domains (kept as a conjunct of Inv)."""
        return True

    @always(default=False)
    def acceptor_inv(self, s):
        """AccInv: each acceptor's state agrees with the votes it has sent."""
        return ForAll(
            self.Acceptor,
            lambda a: And(
                (s.maxVal[a] == None) == (s.maxVBal[a] == -1),  # noqa: E711 - symbolic equality
                s.maxVBal[a] <= s.maxBal[a],
                Implies(s.maxVBal[a] >= 0, self.voted_for_symbolic(s, a, s.maxVBal[a], s.maxVal[a])),
                ForAll(
                    self.Ballot,
                    lambda c: Implies(c > s.maxVBal[a], self.did_not_vote_at(s, a, c)),
                ),
            ),
        )

    def voted_for_symbolic(self, s, a, b, v):
        """VotedFor(a, b, v) where b and v may themselves be state-dependent."""
        return Exists(s.msgs.of("2b"), lambda m: And(m.acc == a, m.bal == b, m.val == v))

    @always(default=False)
    def message_inv(self, s):
        """MsgInv: what each message says is true of the state that sent it."""
        one_b = ForAll(
            s.msgs.of("1b"),
            lambda m: And(
                m.bal <= s.maxBal[m.acc],
                Or(
                    And(m.mval is not None, m.mbal >= 0, self.voted_for(s, m.acc, m.mbal, m.mval)),
                    And(m.mval is None, m.mbal == -1),
                ),
                ForAll(range(m.mbal + 1, m.bal), lambda c: self.did_not_vote_at(s, m.acc, c)),
            ),
        )
        two_a = ForAll(
            s.msgs.of("2a"),
            lambda m: And(
                self.safe_at(s, m.bal, m.val),
                ForAll(s.msgs.of("2a"), lambda ma: Implies(ma.bal == m.bal, ma == m)),
            ),
        )
        two_b = ForAll(
            s.msgs.of("2b"),
            lambda m: And(
                Exists(s.msgs.of("2a"), lambda ma: And(ma.bal == m.bal, ma.val == m.val)),
                m.bal <= s.maxVBal[m.acc],
            ),
        )
        return And(one_b, two_a, two_b)

    @always(default=False)
    def inductive_invariant(self, s):
        """Paxos.tla's Inv == TypeOK /\\ AccInv /\\ MsgInv: inductive, and it implies agreement."""
        return And(self.type_ok(s), self.acceptor_inv(s), self.message_inv(s))
