"""CRDTs: replicated data that needs no consensus (the seed's section 5.3, "alternatives to consensus").

Replicas r1..rN each hold a copy and update it on their own, asking no one: always available,
whatever the network does. Now and then a replica sends its *whole state* to another (state-based
replication, "CvRDTs"), and the receiver *merges* it into its own. A merge that is commutative,
associative and idempotent (a join: the least state that includes both) makes the network's faults
harmless: a state that arrives twice, late, or after a newer one changes nothing more than once,
and a lost one is sent again, later, with everything it held and more. The price is paid in the
data type: it offers only operations whose conflicts the merge can resolve on its own.

    replica                                  the network ``net`` (a set: no order to keep)
    update    change its own state           gossip_<src>_<dst>(src, dst, <src's whole state>, <its history>)
    send      put its own state in flight    -- any time, again and again: gossip is re-sendable
    receive   merge a state into its own     -- with "duplication" the message stays, for later

The data types (one class each, on the same machinery):
  GCounter     grow-only counter: count[r][q] is what r knows of q's increments; each replica
               increments only its own entry; merge = pointwise max, value = the sum.
  PNCounter    a counter that also counts down: two G-Counters, P (increments) and N (decrements);
               value = sum P - sum N.
  LWWRegister  last-writer-wins register: a write stamps its value with (timestamp, replica id),
               the merge keeps the higher stamp (a tie goes to the higher id). Timestamps come from
               Lamport clocks: a replica's clock moves past every timestamp it has seen.
               Variant ``skewed-clocks``: physical clocks (real time plus an offset), r1's running
               ``skew`` ticks behind: r1 sees r2's write, writes after it, and its write loses to the
               earlier one at once (4 steps; the network needs no fault). The replicas still agree
               (SEC holds), on the wrong value. With ``skew = 0`` the physical clocks are in sync
               and it holds.
  ORSet        observed-remove set of one element x, add-wins: each add of x carries a fresh tag
               (its origin and number: r1.1); a remove tombstones the tags it has *observed*; x is
               in the set while some tag is live. A tag's state is a little lattice, none < added <
               removed, and the merge is its join, tag by tag. Variant ``removes-unobserved``: the
               naive set with remove, whose remove tombstones x itself — every tag, also the adds it
               has not seen — so an add concurrent with the remove, or made after it, is lost
               (5 steps with 2 updates per replica).

History, the ghost behind SEC (the checker's, not the replicas'): how many of q's updates are in
r's causal history — the updates whose effect r's state includes, directly or through merges. An
origin's updates enter a history in the order it made them, so the set of update ids
{(q, 1) .. (q, k)} is written as the number k: a version vector per replica. The counters' own
vectors are exactly this (a G-Counter *is* a version vector; for a PN-Counter, P + N), so for them
SEC holds by construction and the history is read off the state. The register and the set keep it
in the ghost ``seen[r][q]``, which every message carries (fields ``seen_<q>``, for every q but the
receiver: its own updates are in its history already) and which merges as a union (pointwise max),
apart from whatever the data type does. A ghost log says what each update was: ``log`` (PN: an
increment or a decrement), ``last_ts``/``last_wid``/``informed`` (LWW: the last write, and whether
its writer had seen every earlier one), ``add_slot``/``obs`` (OR-Set: when each tag was added, and
what each remove had seen).

Properties, for every type — strong eventual consistency (SEC):
  same_history_same_state  (a) replicas that have delivered the same updates hold the same state
  converges                (b) once every update has reached every replica, all replicas are equal
and the type's meaning, read from the history: ``counts_updates`` (no increment lost or counted
twice; PN: the value is the increments minus the decrements delivered), ``later_write_wins`` (a
write made after its writer had seen every earlier write is what every replica that has seen all
writes holds; concurrent writes are ordered by stamp, the same way everywhere, but not by real
time: that is what LWW gives up) and ``add_wins`` (a replica's set holds x exactly when its history
has an add of x that no remove in it had observed — Shapiro et al.'s OR-Set). The goal
``updated_and_converged`` (every replica made an update and every update reached every replica)
shows the model is not vacuous.

Faults: ``environment`` declares the network, so a spec may add "loss" (re-sending makes up for it)
and "duplication" (a received state stays and may be merged again, later). The network is a set
without an order (no ``Environment.order``): messages already arrive in any order, so "reordering"
is not a separate fault here (the fault vocabulary refuses it). Gossip being re-sendable, loss and
duplication add almost nothing: a lost state is one never sent, a duplicate one sent again (with
one update per replica not a single state; the correct types hold either way). Replicas are the
processes (``Replica``) and their whole state is durable, so "crash", "crash-restart" and
"partition" may be added too: a cut-off replica goes on updating and converges after the heal.

Bounds and sizes: each replica makes at most ``updates`` updates (one past the bound is disabled),
so every counter, timestamp and tag is a small range. A replica gossips once it has something to
say (its history is not empty: merging the initial state changes nothing) and never re-sends a
state still in flight (the network is a set: that step would change nothing). Two replicas, two
updates each, over a lossy, duplicating network: 5,137 states (GCounter), 73,833 (PNCounter), 8,333
(LWWRegister), 7,249 (ORSet). Three replicas are out of reach of exhaustive search (the sets of
states in flight explode: over 10 million for a G-Counter with one increment each), so they are
searched to a depth.
"""

from __future__ import annotations

from checker.dsl import *


def larger(a, b):
    """The larger of two (possibly symbolic) numbers: max, written with If for every engine."""
    return If(a > b, a, b)


class _StateBased:
    """State-based replication shared by the CRDTs: replicas, the gossip network, the history,
    send/receive and SEC. A data type calls ``replicate`` at the end of its ``setup`` and defines
    ``payload`` (the fields of its state a message carries), ``merge`` and ``same_state``; if its
    state is not its own history it sets ``ghost = True``, else it defines ``history``."""

    replicas = Param(2, "number of replicas r1..rN", min=1)
    ghost = False  # True: the history is the ghost variable seen, which messages carry

    def replicate(self, payload: dict) -> None:
        """Declare the history ghost (if any), one message kind per channel and the network.

        A message on channel src -> dst is a record of kind gossip_<src>_<dst>: one kind per channel,
        so no possible message names a replica as its own destination (the symbolic engines range
        over every possible message). Its ghost fields are the sender's history of every replica but
        dst (dst's own updates are in dst's history already)."""
        R = self.Replica
        if self.ghost:
            self.History = Map(R, Range(0, self.updates))
            self.var("seen", Map(R, self.History), init=lambda r: self.History.make(0))
        self.channel = {}
        for src in R:
            for dst in R:
                if src != dst:
                    history = {f"seen_{q}": Range(0, self.updates) for q in R if q != dst} if self.ghost else {}
                    self.channel[src, dst] = RecordType(f"gossip_{src}_{dst}", src=Enum(src), dst=Enum(dst),
                                                        **payload, **history)
        self.var("net", SetOf(*self.channel.values()), init=())
        self.declare_messages("net", sender="src", receiver="dst")  # for the charts (one-value domains)
        self.pairs = [(p, q) for i, p in enumerate(R.values()) for q in R.values()[i + 1:]]
        self.environment = Environment(network="net", sender="src", receiver="dst", processes="Replica",
                                       durable=tuple(self.variables))

    def history(self, s, r, q):
        """How many of q's updates are in r's causal history."""
        return s.seen[r][q]

    def made(self, s, r):
        """The history ghost once r makes one more update of its own (nothing to do without a ghost)."""
        return {"seen": s.seen.set(r, s.seen[r].set(r, s.seen[r][r] + 1))} if self.ghost else {}

    def can_update(self, s, r):
        """r is up and below its bound of updates."""
        return And(self.faults.up(s, r), self.history(s, r, r) < self.updates)

    # -- gossip ------------------------------------------------------------------------------

    @action(src="Replica", dst="Replica")
    def send(self, s, src, dst):
        """src sends its whole state (and, as a ghost, its history) to dst: any time it has something to say
        and that very message is not in flight already — again and again, so a lost state is sent again."""
        if src != dst:
            history = {f"seen_{q}": s.seen[src][q] for q in self.Replica if q != dst} if self.ghost else {}
            message = self.channel[src, dst](src=src, dst=dst, **self.payload(s, src), **history)
            news = Exists(self.Replica, lambda q: self.history(s, src, q) > 0)
            if s.guard(And(self.faults.up(s, src), news, Not(Member(message, s.net)))):
                return s.update(net=s.net | {message})

    @action(r="Replica", m=From("net"))
    def receive(self, s, r, m):
        """r merges the state m carries into its own (and its history into its history), m being for r."""
        if m.dst == r and s.guard(self.faults.deliverable(s, m)):
            changes = self.merge(s, r, m)
            if self.ghost:
                history = s.seen[r]
                for q in self.Replica:
                    if q != r:
                        history = history.set(q, larger(history[q], getattr(m, f"seen_{q}")))
                changes["seen"] = s.seen.set(r, history)
            return s.update(net=self.faults.receive(s, m), **changes)

    # -- strong eventual consistency ---------------------------------------------------------

    def same_history(self, s, p, q):
        """p and q have delivered the same updates."""
        return ForAll(self.Replica, lambda o: self.history(s, p, o) == self.history(s, q, o))

    def complete(self, s, r):
        """Every update made so far is in r's history."""
        return ForAll(self.Replica, lambda o: self.history(s, r, o) == self.history(s, o, o))

    @always
    def same_history_same_state(self, s):
        """SEC (a): replicas that have delivered the same updates hold the same state."""
        return ForAll(self.pairs, lambda p: Implies(self.same_history(s, p[0], p[1]), self.same_state(s, p[0], p[1])))

    @always
    def converges(self, s):
        """SEC (b): once every update has reached every replica, all replicas are equal."""
        return Implies(ForAll(self.Replica, lambda r: self.complete(s, r)),
                       ForAll(self.pairs, lambda p: self.same_state(s, p[0], p[1])))

    @sometimes
    def updated_and_converged(self, s):
        """Every replica made an update, and every update reached every replica."""
        return ForAll(self.Replica, lambda r: And(self.history(s, r, r) >= 1, self.complete(s, r)))


# -- counters --------------------------------------------------------------------------------


class GCounter(_StateBased, Protocol):
    """Grow-only counter: one entry per replica, each incremented only by its own replica; merge = pointwise max."""

    small_instance = {"replicas": 2, "updates": 1}

    updates = Param(2, "increments per replica", min=1)

    def setup(self) -> None:
        self.Replica = Nodes("r", self.replicas)
        self.Vector = Map(self.Replica, Range(0, self.updates))
        self.var("count", Map(self.Replica, self.Vector), init=lambda r: self.Vector.make(0))
        self.replicate({f"count_{q}": Range(0, self.updates) for q in self.Replica})

    def history(self, s, r, q):
        """The vector is its own history (a version vector): count[r][q] of q's increments are in r's state."""
        return s.count[r][q]

    def payload(self, s, r):
        return {f"count_{q}": s.count[r][q] for q in self.Replica}

    def merge(self, s, r, m):
        """Pointwise max: each entry as the one who knows more of it."""
        mine = s.count[r]
        for q in self.Replica:
            mine = mine.set(q, larger(mine[q], getattr(m, f"count_{q}")))
        return {"count": s.count.set(r, mine)}

    def same_state(self, s, p, q):
        return ForAll(self.Replica, lambda o: s.count[p][o] == s.count[q][o])

    def value(self, s, r):
        return sum(s.count[r][q] for q in self.Replica)

    @action(r="Replica")
    def increment(self, s, r):
        """r counts one more: its own entry goes up by one."""
        if s.guard(self.can_update(s, r)):
            return s.update(count=s.count.set(r, s.count[r].set(r, s.count[r][r] + 1)))

    @always
    def counts_updates(self, s):
        """No replica counts an increment not made (none twice), and one that has delivered all counts them all."""
        made = sum(s.count[q][q] for q in self.Replica)
        return ForAll(self.Replica, lambda r: And(
            ForAll(self.Replica, lambda q: s.count[r][q] <= s.count[q][q]),
            Implies(self.complete(s, r), self.value(s, r) == made)))


class PNCounter(_StateBased, Protocol):
    """Counter with decrements: two G-Counters, P (increments) and N (decrements)."""

    small_instance = {"replicas": 2, "updates": 1}

    updates = Param(2, "increments and decrements per replica, together", min=1)

    def setup(self) -> None:
        self.Replica = Nodes("r", self.replicas)
        self.Vector = Map(self.Replica, Range(0, self.updates))
        self.var("P", Map(self.Replica, self.Vector), init=lambda r: self.Vector.make(0))
        self.var("N", Map(self.Replica, self.Vector), init=lambda r: self.Vector.make(0))
        # the ghost log: the k-th update of q was an increment or a decrement
        self.Slot = Range(1, self.updates)
        self.Log = Map(self.Slot, Enum("none", "inc", "dec"))
        self.var("log", Map(self.Replica, self.Log), init=lambda r: self.Log.make("none"))
        fields = {}
        for q in self.Replica:
            fields[f"P_{q}"] = Range(0, self.updates)
            fields[f"N_{q}"] = Range(0, self.updates)
        self.replicate(fields)

    def history(self, s, r, q):
        """The two vectors are a version vector: P[r][q] + N[r][q] of q's updates are in r's state."""
        return s.P[r][q] + s.N[r][q]

    def payload(self, s, r):
        out = {}
        for q in self.Replica:
            out[f"P_{q}"] = s.P[r][q]
            out[f"N_{q}"] = s.N[r][q]
        return out

    def merge(self, s, r, m):
        """Each G-Counter merges on its own: pointwise max."""
        p, n = s.P[r], s.N[r]
        for q in self.Replica:
            p = p.set(q, larger(p[q], getattr(m, f"P_{q}")))
            n = n.set(q, larger(n[q], getattr(m, f"N_{q}")))
        return {"P": s.P.set(r, p), "N": s.N.set(r, n)}

    def same_state(self, s, p, q):
        return ForAll(self.Replica, lambda o: And(s.P[p][o] == s.P[q][o], s.N[p][o] == s.N[q][o]))

    def value(self, s, r):
        return sum(s.P[r][q] for q in self.Replica) - sum(s.N[r][q] for q in self.Replica)

    def applied(self, s, r):
        """What r's history says the value is: its increments minus its decrements (from the log)."""
        total = 0
        for q in self.Replica:
            for k in self.Slot:
                delta = If(s.log[q][k] == "inc", 1, If(s.log[q][k] == "dec", -1, 0))
                total = total + If(k <= self.history(s, r, q), delta, 0)
        return total

    def bump(self, s, r, kind, var):
        """r's own entry of vector var (P or N) goes up by one, and the log records the update's kind."""
        slot, vector, log = self.history(s, r, r) + 1, getattr(s, var), s.log[r]
        for k in self.Slot:  # log[r][slot] = kind, with no state-dependent key
            log = log.set(k, If(slot == k, kind, log[k]))
        return s.update(**{var: vector.set(r, vector[r].set(r, vector[r][r] + 1))}, log=s.log.set(r, log))

    @action(r="Replica")
    def increment(self, s, r):
        """r counts one up: its own P entry goes up by one."""
        if s.guard(self.can_update(s, r)):
            return self.bump(s, r, "inc", "P")

    @action(r="Replica")
    def decrement(self, s, r):
        """r counts one down: its own N entry goes up by one."""
        if s.guard(self.can_update(s, r)):
            return self.bump(s, r, "dec", "N")

    @always
    def counts_updates(self, s):
        """A replica's value is the increments minus the decrements it has delivered (none lost, none twice)."""
        return ForAll(self.Replica, lambda r: self.value(s, r) == self.applied(s, r))


# -- a register ------------------------------------------------------------------------------


class LWWRegister(_StateBased, Protocol):
    """Last-writer-wins register over Lamport timestamps; ``skewed-clocks``: physical clocks, r1's behind."""

    small_instance = {"replicas": 2, "updates": 1}
    ghost = True

    updates = Param(2, "writes per replica", min=1)
    skew = Param(1, "skewed-clocks: how many ticks r1's clock runs behind the others'", min=0)
    variant = Variant(correct="Lamport-clock timestamps: a replica's clock moves past every timestamp it sees")

    def setup(self) -> None:
        self.Replica = Nodes("r", self.replicas)
        self.rid = {r: i + 1 for i, r in enumerate(self.Replica.values())}  # tie-break: the higher id wins
        self.Time = Range(0, self.replicas * self.updates + self.skew)
        self.Id = Range(0, self.replicas)  # 0: nobody has written yet
        # The register: a write's value is the write itself, named by its stamp (ts, id) — unique, as a
        # replica's timestamps go up with each of its writes.
        self.var("ts", Map(self.Replica, self.Time), init=0)
        self.var("wid", Map(self.Replica, self.Id), init=0)
        # ghosts: the last write made (in real time), and whether its writer had seen every earlier write
        self.var("last_ts", self.Time, init=0)
        self.var("last_wid", self.Id, init=0)
        self.var("informed", Bool(), init=True)
        self.replicate({"ts": self.Time, "wid": self.Id})

    # -- timestamps --------------------------------------------------------------------------

    def stamp(self, s, r):
        """A Lamport clock: one past the highest timestamp r has seen — the one on the value it holds,
        since a merge keeps the highest (so the clock needs no variable of its own)."""
        return s.ts[r] + 1

    @variant("skewed-clocks", "timestamps from physical clocks, r1's running behind the others': a write made "
                              "later loses to an earlier one")
    def stamp(self, s, r):
        """A physical clock: real time (here: the number of writes made so far) plus the clock's offset;
        r1's clock runs `skew` ticks behind the others'. It ignores the timestamps it sees."""
        now = sum(s.seen[q][q] for q in self.Replica)
        return now + 1 + (0 if r == self.Replica.values()[0] else self.skew)

    # -- the register ------------------------------------------------------------------------

    def newer(self, ts, wid, than_ts, than_wid):
        """Stamp (ts, wid) wins over (than_ts, than_wid): a higher timestamp, or the same and a higher id."""
        return Or(ts > than_ts, And(ts == than_ts, wid > than_wid))

    def payload(self, s, r):
        return {"ts": s.ts[r], "wid": s.wid[r]}

    def merge(self, s, r, m):
        """Keep the newer stamp."""
        take = self.newer(m.ts, m.wid, s.ts[r], s.wid[r])
        return {"ts": s.ts.set(r, If(take, m.ts, s.ts[r])), "wid": s.wid.set(r, If(take, m.wid, s.wid[r]))}

    def same_state(self, s, p, q):
        return And(s.ts[p] == s.ts[q], s.wid[p] == s.wid[q])

    @action(r="Replica")
    def write(self, s, r):
        """r writes a new value, stamped by its clock. The stamp rule applies locally too (a write is a
        merge with the value r holds), so a write stamped older than that value is lost at once."""
        if s.guard(self.can_update(s, r)):
            t, me = self.stamp(s, r), self.rid[r]
            take = self.newer(t, me, s.ts[r], s.wid[r])
            return s.update(ts=s.ts.set(r, If(take, t, s.ts[r])), wid=s.wid.set(r, If(take, me, s.wid[r])),
                            last_ts=t, last_wid=me, informed=self.complete(s, r), **self.made(s, r))

    @always
    def later_write_wins(self, s):
        """A write made after its writer saw every earlier one is what each replica that has seen all writes holds."""
        return Implies(s.informed, ForAll(self.Replica, lambda r: Implies(
            self.complete(s, r), And(s.ts[r] == s.last_ts, s.wid[r] == s.last_wid))))

    def explain_later_write_wins(self, s) -> str:
        """The sentence beside a violation: who holds which write, and which later write lost."""
        names = {i: r for r, i in self.rid.items()}
        r = next(r for r in self.Replica if self.complete(s, r) and (s.ts[r], s.wid[r]) != (s.last_ts, s.last_wid))
        tie = " (a tie: the higher id wins it)" if s.ts[r] == s.last_ts else ""
        return (f"{r} has seen every write, yet holds {names[s.wid[r]]}'s write, timestamp {s.ts[r]}: the last "
                f"write, {names[s.last_wid]}'s, timestamp {s.last_ts}, was made after its writer had seen every "
                f"earlier one, and lost to an earlier write{tie}")


# -- sets ------------------------------------------------------------------------------------


class ORSet(_StateBased, Protocol):
    """Observed-remove set of one element, add-wins; ``removes-unobserved``: the naive set with remove."""

    small_instance = {"replicas": 2, "adds": 1, "updates": 1}
    ghost = True

    adds = Param(1, "adds of x per replica (each with its own tag)", min=1)
    updates = Param(2, "adds and removes per replica, together", min=1)
    variant = Variant(correct="a remove tombstones only the tags it has observed")

    def setup(self) -> None:
        self.Replica = Nodes("r", self.replicas)
        self.tags = [(q, j) for q in self.Replica for j in range(1, self.adds + 1)]
        self.Tag = Enum(*(self.tag(q, j) for q, j in self.tags))
        self.origin = {self.tag(q, j): q for q, j in self.tags}
        self.AddIndex = Range(1, self.adds)
        self.Mark = Enum("none", "added", "removed")  # a tag's lattice: none < added < removed
        self.Marks = Map(self.Tag, self.Mark)
        self.var("tag", Map(self.Replica, self.Marks), init=lambda r: self.Marks.make("none"))
        # ghost log: the slot (1..updates) of the origin's updates at which each tag was added (0: not
        # yet), and for a remove in slot k of q, q's history when it removed (obs[q][k])
        self.Slot = Range(1, self.updates)
        self.var("add_slot", Map(self.Tag, Range(0, self.updates)), init=0)
        self.Obs = Map(self.Slot, Map(self.Replica, Range(0, self.updates)))
        zero = Map(self.Replica, Range(0, self.updates)).make(0)
        self.var("obs", Map(self.Replica, self.Obs), init=lambda r: self.Obs.make(lambda k: zero))
        self.replicate({f"tag_{q}_{j}": self.Mark for q, j in self.tags})

    @staticmethod
    def tag(q, j):
        return f"{q}.{j}"

    def join(self, a, b):
        """The lattice join of two marks: removed beats added beats none."""
        return If(Or(a == "removed", b == "removed"), "removed", If(Or(a == "added", b == "added"), "added", "none"))

    def payload(self, s, r):
        return {f"tag_{q}_{j}": s.tag[r][self.tag(q, j)] for q, j in self.tags}

    def merge(self, s, r, m):
        """Tag by tag, the join: a tag any side has seen added or removed stays so."""
        mine = s.tag[r]
        for q, j in self.tags:
            t = self.tag(q, j)
            mine = mine.set(t, self.join(mine[t], getattr(m, f"tag_{q}_{j}")))
        return {"tag": s.tag.set(r, mine)}

    def same_state(self, s, p, q):
        return ForAll(self.Tag, lambda t: s.tag[p][t] == s.tag[q][t])

    def contains(self, s, r):
        """x is in r's set: some tag of it is live (added, not removed)."""
        return Exists(self.Tag, lambda t: s.tag[r][t] == "added")

    @action(r="Replica", j="AddIndex")
    def add(self, s, r, j):
        """r adds x with a fresh tag (its j-th)."""
        t = self.tag(r, j)
        fresh = s.add_slot[t] == 0 if j == 1 else And(s.add_slot[t] == 0, s.add_slot[self.tag(r, j - 1)] != 0)
        if s.guard(And(self.can_update(s, r), fresh)):
            return s.update(tag=s.tag.set(r, s.tag[r].set(t, self.join(s.tag[r][t], "added"))),
                            add_slot=s.add_slot.set(t, s.seen[r][r] + 1), **self.made(s, r))

    @action(r="Replica")
    def remove(self, s, r):
        """r removes x, which it sees in its set."""
        if s.guard(And(self.can_update(s, r), self.contains(s, r))):
            marks = s.tag[r]
            for t in self.Tag:
                marks = marks.set(t, self.removed(marks[t]))
            slot, obs = s.seen[r][r] + 1, s.obs[r]
            for k in self.Slot:  # obs[r][slot] = r's history, with no state-dependent key
                obs = obs.set(k, If(slot == k, s.seen[r], obs[k]))
            return s.update(tag=s.tag.set(r, marks), obs=s.obs.set(r, obs), **self.made(s, r))

    def removed(self, mark):
        """Observed remove: the tags r has seen added are tombstoned; tags it has not seen stay as they are."""
        return If(mark == "added", "removed", mark)

    @variant("removes-unobserved", "the naive set: a remove tombstones x itself, also adds it has not seen, so a "
                                   "concurrent add is lost")
    def removed(self, mark):
        """Every tag is tombstoned, seen or not: x is removed for good."""
        return "removed"

    # -- the OR-Set's meaning, from the history --------------------------------------------------

    def killed(self, s, r, t):
        """Some remove in r's history had tag t's add in its own history when it removed."""
        return Exists([(q, k) for q in self.Replica for k in self.Slot], lambda qk: And(
            qk[1] <= s.seen[r][qk[0]], s.obs[qk[0]][qk[1]][self.origin[t]] >= s.add_slot[t]))

    def should_contain(self, s, r):
        """Add-wins: r's history holds an add of x that no remove in its history had seen."""
        return Exists(self.tags, lambda qj: And(
            s.add_slot[self.tag(*qj)] != 0, s.add_slot[self.tag(*qj)] <= s.seen[r][qj[0]],
            Not(self.killed(s, r, self.tag(*qj)))))

    @always
    def add_wins(self, s):
        """Every replica's set holds x exactly when its history has an add of x no remove had observed."""
        return ForAll(self.Replica, lambda r: Iff(self.contains(s, r), self.should_contain(s, r)))

    def explain_add_wins(self, s) -> str:
        """The sentence beside a violation: the replica, and the add it lost (or the remove it ignored)."""
        r = next(r for r in self.Replica if self.contains(s, r) != self.should_contain(s, r))
        if self.contains(s, r):
            return f"x is in {r}'s set, though a remove in {r}'s history had observed every add of x in it"
        lost = next(self.tag(q, j) for q, j in self.tags
                    if 0 != s.add_slot[self.tag(q, j)] <= s.seen[r][q] and not self.killed(s, r, self.tag(q, j)))
        return (f"x is not in {r}'s set, yet {r}'s history holds the add tagged {lost}, which no remove in it "
                "had observed: the add was lost")
