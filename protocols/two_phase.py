"""Two-phase commit, transliterated from Lamport's ``TwoPhase.tla`` (tlaplus/Examples).

A transaction spans resource managers (RMs) r1..rN; a transaction manager (TM, the coordinator)
decides whether it commits. Every RM must end up with the same decision (atomic commit):
  phase 1. each RM, on its own, either *prepares* (votes yes: it can still commit and will not
           abort on its own any more) and sends ``Prepared`` to the TM, or *chooses to abort*;
           the TM collects the ``Prepared`` votes;
  phase 2. once **every** RM has prepared, the TM may commit and broadcasts ``Commit``; at any
           time before that it may abort instead and broadcast ``Abort``. RMs obey.
Unanimity, not a quorum: one RM that aborts on its own must stop the whole transaction.

Variables are TwoPhase.tla's: ``rmState[r]`` (working, prepared, committed, aborted),
``tmState`` (init, committed, aborted), ``tmPrepared`` (RMs whose vote the TM has received) and
``msgs`` (every message ever sent; as in the TLA+ spec, a process may ignore a message, which
models loss, and may receive one twice, which changes nothing here). With 3 RMs the explorer
finds TLC's 288 distinct states, 8,832 with 5 and 296,448 with 7.

Properties: **consistent** (TCommit.tla's TCConsistent: no RM commits while another aborts), the
reachability goal **all_committed** (the transaction can commit at all) and **aborted_somewhere**.

Faults: the TM is the process ``tm``; with ``faults = ["crash-restart"]`` it may crash and
restart. It logs its decision (``tmState`` is durable) but forgets the votes it collected
(``tmPrepared``): the RMs' ``Prepared`` messages are still there to be received again. A crashed
TM is 2PC's blocking problem: prepared RMs can neither commit nor abort until it returns.

Variants (buggy on purpose):
- ``commits-on-majority``: the TM commits once a majority has voted yes, as if atomic commit
  were a quorum decision: the RM that chose to abort stays aborted while the others commit.
- ``decision-not-logged``: the TM keeps its decision only in memory; after a crash-restart it
  starts afresh and may abort a transaction it already committed (needs ``crash-restart``).
"""

from __future__ import annotations

from checker.dsl import *

TM = "tm"


class TwoPhase(Protocol):
    """Two-phase commit (TwoPhase.tla)."""

    small_instance = {"rms": 3}

    rms = Param(3, "number of resource managers r1..rN", min=1)
    variant = Variant(correct="TwoPhase.tla as written")  # the buggy ones: @variant beside the code they change

    def setup(self) -> None:
        self.RM = Nodes("r", self.rms)
        self.Coordinator = Enum(TM)
        self.Prepared = RecordType("Prepared", rm=self.RM)
        self.Commit = RecordType("Commit")
        self.Abort = RecordType("Abort")

        self.var("rmState", Map(self.RM, Enum("working", "prepared", "committed", "aborted")), init="working")
        self.var("tmState", Enum("init", "committed", "aborted"), init="init")
        self.var("tmPrepared", SetOf(self.RM), init=())
        self.var("msgs", SetOf(self.Prepared, self.Commit, self.Abort), init=())

        self.environment = Environment(
            processes="Coordinator", durable=self.durable(), owned={"tmState": TM, "tmPrepared": TM}
        )

    # -- the transaction manager -------------------------------------------------------------

    def tm_ready(self, s):
        """The TM is up and has not decided yet."""
        return And(self.faults.up(s, TM), s.tmState == "init")

    @action(rm="RM")
    def tm_rcv_prepared(self, s, rm):
        """The TM receives a Prepared message from rm."""
        if s.guard(self.tm_ready(s)) and s.guard(Member(self.Prepared(rm), s.msgs)):
            return s.update(tmPrepared=s.tmPrepared | {rm})

    @action
    def tm_commit(self, s):
        """The TM commits, once every RM has prepared (a majority, in the buggy variant)."""
        if s.guard(self.tm_ready(s)) and s.guard(self.enough_votes(s)):
            return s.update(tmState="committed", msgs=s.msgs | {self.Commit()})

    def enough_votes(self, s):
        """Every RM has prepared: the TM has every vote."""
        return ForAll(self.RM, lambda rm: Member(rm, s.tmPrepared))

    @variant("commits-on-majority", "the TM commits once a majority of RMs has prepared")
    def enough_votes(self, s):
        """A majority of the RMs has prepared, as if atomic commit were a quorum decision."""
        return Count(s.tmPrepared) >= self.rms // 2 + 1

    @action
    def tm_abort(self, s):
        """The TM spontaneously aborts the transaction."""
        if s.guard(self.tm_ready(s)):
            return s.update(tmState="aborted", msgs=s.msgs | {self.Abort()})

    # -- the resource managers ---------------------------------------------------------------

    @action(rm="RM")
    def rm_prepare(self, s, rm):
        """rm prepares: it votes yes and tells the TM."""
        if s.guard(s.rmState[rm] == "working"):
            return s.update(rmState=s.rmState.set(rm, "prepared"), msgs=s.msgs | {self.Prepared(rm)})

    @action(rm="RM")
    def rm_choose_to_abort(self, s, rm):
        """rm spontaneously aborts (without a message, as in TwoPhase.tla)."""
        if s.guard(s.rmState[rm] == "working"):
            return s.update(rmState=s.rmState.set(rm, "aborted"))

    @action(rm="RM")
    def rm_rcv_commit(self, s, rm):
        """rm is told by the TM to commit."""
        if s.guard(Member(self.Commit(), s.msgs)):
            return s.update(rmState=s.rmState.set(rm, "committed"))

    @action(rm="RM")
    def rm_rcv_abort(self, s, rm):
        """rm is told by the TM to abort."""
        if s.guard(Member(self.Abort(), s.msgs)):
            return s.update(rmState=s.rmState.set(rm, "aborted"))

    # -- crashes -----------------------------------------------------------------------------

    def durable(self):
        """What the TM keeps through a crash-restart: its decision, which it logs."""
        return ("tmState",)

    @variant("decision-not-logged", "the TM's decision is lost when it crashes (use with crash-restart)")
    def durable(self):
        """Nothing: the decision lives only in memory."""
        return ()

    # -- properties --------------------------------------------------------------------------

    @always
    def consistent(self, s):
        """TCConsistent: no RM has committed while another has aborted."""
        return Not(And(
            Exists(self.RM, lambda rm: s.rmState[rm] == "committed"),
            Exists(self.RM, lambda rm: s.rmState[rm] == "aborted"),
        ))

    @sometimes
    def all_committed(self, s):
        """The transaction can commit: every RM committed."""
        return ForAll(self.RM, lambda rm: s.rmState[rm] == "committed")

    @sometimes
    def aborted_somewhere(self, s):
        """The transaction can abort."""
        return Exists(self.RM, lambda rm: s.rmState[rm] == "aborted")

    @eventually(rm="RM")
    def rm_decides(self, s, rm):
        """Termination: every RM eventually commits or aborts (checked under a spec's [fairness])."""
        return Or(s.rmState[rm] == "committed", s.rmState[rm] == "aborted")
