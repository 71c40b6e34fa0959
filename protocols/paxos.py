"""Basic (single-decree) Paxos, transliterated from Lamport's ``Paxos.tla`` (tlaplus/Examples).

Acceptors a1..aN agree on one value from v1..vK. A ballot b is led by one proposer, who
  1a. asks every acceptor to join ballot b;
  1b. an acceptor joins b if it has not joined a higher ballot, promising to ignore lower ones,
      and reports the last vote it cast (ballot mbal, value mval; -1/None if it never voted);
  2a. once a quorum has reported for b, the proposer proposes the value of the highest-ballot
      vote among the reports — or any value if nobody in the quorum has voted;
  2b. an acceptor that has not joined a higher ballot votes for the proposal.
A value is *chosen* when a quorum votes for it in the same ballot.

Quorums: the ``quorums`` parameter (``checker.quorums``) says which sets of acceptors are quorums:
a majority by default; ``flexible:Q1,Q2`` is Flexible Paxos, where phase 2a waits for reports from
a phase-1 quorum of Q1 and a value is chosen by a phase-2 quorum of Q2 (safe when Q1 + Q2 > N).
A system with two disjoint quorums (``threshold:2`` of 4, ``flexible:2,2`` of 4) loses agreement.

Variables are Paxos.tla's: ``maxBal[a]`` (highest ballot joined), ``maxVBal[a]``/``maxVal[a]``
(last vote), ``msgs`` (every message ever sent; the network may delay, reorder or redeliver).

Properties: **agreement** (at most one value chosen), **validity** (a chosen value was proposed
by a client), and the reachability goal **value_chosen**. ``inductive_invariant`` is Paxos.tla's
``Inv`` (TypeOK, AccInv, MsgInv), which implies agreement.

Liveness: ``eventually_chosen`` under a spec's fairness. With one designated proposer
(``leaders=1``: only ballot 0 is ever started) and fair delivery (``phase1b``/``phase2b`` weakly
fair per acceptor and message, ``phase1a``/``phase2a`` per ballot) a value is always chosen, and no
counter reaches its bound, so the verdict does not depend on the ballot bound. With competing
proposers every ballot may be started: a higher ballot's phase 1 can preempt a lower one's phase 2
(dueling proposers, FLP); the model's graph has no cycle (``msgs`` only grows), so a duel lasts at
most until the highest ballot, which nothing can preempt: "holds" then means "within this bound"
(the README's Liveness section).

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

from checker.dsl import *


class Paxos(Protocol):
    """Single-decree Paxos (Paxos.tla)."""

    small_instance = {"ballots": 2}

    acceptors = Param(3, "number of acceptors a1..aN", min=1)
    values = Param(2, "number of values v1..vK", min=1)
    ballots = Param(3, "number of ballots: ballots=3 is ballots 0..2", min=1)
    proposed = Param(None, "values v1..vP proposed by clients (default: all)", kind=(int, type(None)), min=0)
    quorums = Param("majority", f"acceptor quorum system ({quorum_systems.SYNTAX}; see checker.quorums)")
    leaders = Param(None, "ballots 0..L-1 have a leader that may start them (default: all); leaders=1 is "
                    "one designated proposer", kind=(int, type(None)), min=1)
    variant = Variant(correct="Paxos.tla as written")  # the buggy ones: @variant beside the code they change

    def bounds(self) -> str:
        """The instance in the words a proof is stated in: "3 acceptors, 2 values, ballots 0..2"."""
        words = f"{self.acceptors} acceptors, {self.values} values, ballots 0..{self.ballots - 1}"
        extras = [f"{k}={v}" for k, v in self.params.items()
                  if k not in ("acceptors", "values", "ballots") and v != type(self).param_specs()[k].default]
        return ", ".join([words, *extras])

    def setup(self) -> None:
        self.Acceptor = Nodes("a", self.acceptors)
        self.Value = Nodes("v", self.values)
        self.Ballot = Range(0, self.ballots - 1)
        self.Proposed = self.Value.values()[: self.values if self.proposed is None else self.proposed]
        system = self.quorum_system()
        self.Quorum1 = list(system.phase1)  # Phase2a needs the 1b reports of one of these
        self.Quorum = list(system.phase2)  # a value is chosen by the votes of one of these

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

        # For diagrams: acceptors and the leader of each ballot are processes; a 1b report goes
        # to the leader of its ballot (the other kinds are broadcasts, sent by the step's actor).
        self.declare_role("leader", self.Ballot)
        self.declare_role("acceptor", self.Acceptor)
        self.declare_messages("msgs", sender={"1b": "acc", "2b": "acc"}, receiver={"1b": "bal"})

    # -- actions -----------------------------------------------------------------------------

    @action(b="Ballot")
    def phase1a(self, s, b):
        """The leader of ballot b asks the acceptors to join it (if ballot b has a leader)."""
        if self.leaders is None or b < self.leaders:
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
            if s.guard(Exists(self.Quorum1, lambda Q: self.may_propose(Q, reports, v))):
                return s.update(msgs=s.msgs | {self.M2a(b, v)})

    def may_propose(self, Q, reports, v):
        """Every acceptor of Q reported for the ballot, and v is safe given what they reported."""
        from_q = Filter(reports, lambda m: m.acc in Q)
        heard_from_all = ForAll(Q, lambda a: Exists(from_q, lambda m: m.acc == a))
        if heard_from_all is False:
            return heard_from_all  # (`is False` only shortcuts concrete states; under Z3 it is a formula)
        voted = Filter(from_q, lambda m: m.mbal >= 0)
        free_choice = self.free_choice(voted, v)
        highest_vote_is_v = Exists(
            voted, lambda m: And(m.mval == v, ForAll(voted, lambda mm: m.mbal >= mm.mbal))
        )
        return And(heard_from_all, Or(free_choice, highest_vote_is_v))

    @variant("phase2a-ignores-1b", "Phase2a proposes any value, ignoring the votes reported in 1b messages")
    def may_propose(self, Q, reports, v):
        """Every acceptor of Q reported for the ballot; what they reported is ignored."""
        from_q = Filter(reports, lambda m: m.acc in Q)
        return ForAll(Q, lambda a: Exists(from_q, lambda m: m.acc == a))

    def free_choice(self, voted, v):
        """With no vote reported, the proposer may propose any value a client proposed."""
        return And(IsEmpty(voted), v in self.Proposed)

    @variant("invents-value", "with no vote reported, Phase2a may propose a value no client proposed")
    def free_choice(self, voted, v):
        """With no vote reported, any value at all, even one no client proposed."""
        return IsEmpty(voted)

    def quorum_system(self) -> quorum_systems.QuorumSystem:
        """The `quorums` parameter over the acceptors."""
        return quorum_systems.parse(self.quorums, self.Acceptor.values())

    @variant("minority-quorums", "quorums of N//2 acceptors, which need not intersect")
    def quorum_system(self) -> quorum_systems.QuorumSystem:
        """Any N//2 acceptors: two quorums need not share one."""
        if self.quorums != "majority":
            raise QuorumError("Paxos: variant minority-quorums sets the quorums itself; drop the quorums parameter")
        return quorum_systems.threshold(self.Acceptor.values(), self.acceptors // 2)

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

    @eventually
    def eventually_chosen(self, s):
        """Termination: a value is eventually chosen (under the fairness a spec assumes)."""
        return Exists(self.Value, lambda v: self.chosen(s, v))

    @always(default=False)
    def no_duel_to_the_bound(self, s):
        """Not a safety property: false once proposers have dueled up to the ballot bound — every
        ballot below the highest proposed, a quorum joined the highest (so no lower proposal can be
        chosen) and nothing is chosen. Its counterexample is the duel, as far as the bound allows."""
        top = self.ballots - 1
        return Not(And(
            ForAll(range(top), lambda b: Exists(s.msgs.of("2a"), lambda m: m.bal == b)),
            Exists(self.Quorum, lambda Q: ForAll(Q, lambda a: s.maxBal[a] == top)),
            Not(Exists(self.Value, lambda v: self.chosen(s, v))),
        ))

    # -- the inductive invariant (Paxos.tla's Inv, one named property per conjunct) ---------

    def shows_safe_at(self, s, Q, b, v):
        """Voting.tla's ShowsSafeAt: the quorum Q joined b, and its votes below b make v safe."""
        return And(
            ForAll(Q, lambda a: s.maxBal[a] >= b),
            Exists(
                range(-1, b),
                lambda c: And(
                    Implies(c != -1, Exists(Q, lambda a: self.voted_for(s, a, c, v))),
                    ForAll(range(c + 1, b), lambda d: ForAll(Q, lambda a: self.did_not_vote_at(s, a, d))),
                ),
            ),
        )

    @always(default=False)
    def type_ok(self, s):
        """TypeOK: holds by construction of the domains (kept as a conjunct of Inv)."""
        return True

    @always(default=False)
    def last_vote_recorded(self, s):
        """An acceptor's last vote <<maxVBal, maxVal>> is a vote it cast (<<-1, None>> before any)."""
        return ForAll(
            self.Acceptor,
            lambda a: If(
                s.maxVBal[a] == -1,
                s.maxVal[a] == None,  # noqa: E711 - builds a formula under Z3
                self.voted_for(s, a, s.maxVBal[a], s.maxVal[a]),
            ),
        )

    @always(default=False)
    def reports_are_true(self, s):
        """A 1b report for ballot b: its acceptor joined b, and the vote it reports was cast."""
        return ForAll(
            s.msgs.of("1b"),
            lambda m: And(
                s.maxBal[m.acc] >= m.bal,
                Implies(m.mbal >= 0, self.voted_for(s, m.acc, m.mbal, m.mval)),
            ),
        )

    @always(default=False)
    def proposals_are_safe(self, s):
        """A 2a proposal is shown safe by some quorum, and each ballot proposes one value."""
        return ForAll(
            s.msgs.of("2a"),
            lambda m: And(
                Exists(self.Quorum, lambda Q: self.shows_safe_at(s, Q, m.bal, m.val)),
                ForAll(s.msgs.of("2a"), lambda mm: Implies(mm.bal == m.bal, mm.val == m.val)),
            ),
        )

    @always(default=False)
    def votes_safe(self, s):
        """Voting.tla's VotesSafe: a vote for v in ballot b means v is safe at b."""
        return ForAll(s.msgs.of("2b"), lambda m: self.safe_at(s, m.bal, m.val))

    @always(default=False)
    def one_value_per_ballot(self, s):
        """Voting.tla's OneValuePerBallot: votes in the same ballot are for the same value."""
        votes = s.msgs.of("2b")
        return ForAll(votes, lambda m: ForAll(votes, lambda mm: Implies(m.bal == mm.bal, m.val == mm.val)))

    # The conjuncts above are not inductive by themselves. Each conjunct below was added for a
    # counterexample to induction that `--engine induction` printed for the previous set
    # (README, "Z3: bounded model checking and inductive invariants").

    @always(default=False)
    def votes_follow_proposals(self, s):
        """A vote answers a 2a proposal of its ballot and value, and is at most its acceptor's last vote."""
        return ForAll(
            s.msgs.of("2b"),
            lambda m: And(Member(self.M2a(bal=m.bal, val=m.val), s.msgs), m.bal <= s.maxVBal[m.acc]),
        )

    @always(default=False)
    def last_vote_is_last(self, s):
        """An acceptor voted in no ballot above its last vote, and joined at least that ballot."""
        return ForAll(
            self.Acceptor,
            lambda a: And(
                s.maxVBal[a] <= s.maxBal[a],
                ForAll(self.Ballot, lambda c: Implies(c > s.maxVBal[a], self.did_not_vote_at(s, a, c))),
            ),
        )

    @always(default=False)
    def reports_are_complete(self, s):
        """A 1b report's vote is the reporter's last below its ballot: no vote strictly in between."""
        return ForAll(
            s.msgs.of("1b"),
            lambda m: ForAll(range(m.mbal + 1, m.bal), lambda c: self.did_not_vote_at(s, m.acc, c)),
        )

    @always(default=False)
    def inductive_invariant(self, s):
        """Paxos.tla's Inv (TypeOK, the acceptor and message conjuncts, Voting's Inv), made inductive."""
        return And(*(getattr(self, c)(s) for c in self.INV))

    #: The conjuncts of ``inductive_invariant``, in Paxos.tla's order (specs list them by name).
    INV = (
        "type_ok",
        "last_vote_recorded",
        "reports_are_true",
        "proposals_are_safe",
        "votes_safe",
        "one_value_per_ballot",
        "votes_follow_proposals",
        "last_vote_is_last",
        "reports_are_complete",
    )
