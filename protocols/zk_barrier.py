"""ZooKeeper's barrier recipe: wait until N workers are at the barrier, then all proceed.

The recipe (the seed's section 4.2, "Barrier (rendezvous)"; ZooKeeper's barrier recipes):
  1. ``enter``   worker w creates its ephemeral node /barrier/w ("I am ready");
  2. ``count``   w lists /barrier/: if all N nodes are there, w proceeds; otherwise
  3. ``wait``    w sets a one-time watch on the first node still missing (exists with watch=true:
                 it fires when the node is created; it stands in for a getChildren watch on
                 /barrier, as the service watches single paths) and sleeps;
  4. ``wake``    when notified, w goes back to 2.
Listing and deciding are one step (w's decision is local and instantaneous), and w lists *after*
its own node exists. The node is ephemeral so that a worker that dies stops counting as ready: with
the fault "crash" the service expires the dead worker's session after ``ttl`` silent ticks and
deletes its node, and the others keep waiting (the barrier blocks: it does not start without it).
What the barrier promises is that all N were there when each worker went; one may die just after.
Explored in full: 13 states (2 workers), 69 (3); with crashes 326 and 10,464.

``two-step`` (the bug): w lists /barrier/ *first* and creates its node in a second step, and if the
list showed the N-1 others it goes ahead at once, on that stale count, without listing again (it
looks like it saves a read). Without crashes the shortcut is harmless: nodes only ever appear, so a
stale count can only be too low. With them it is not: w2 sees w1's node, w1 crashes, its session
expires and its node goes, and w2 then creates its node and proceeds alone, with 1 of 2 workers
at the barrier (``specs/zk-barrier-two-step.toml``, 8 steps):
    enter w1 (list: 0)   enter w1 (create)   enter w2 (list: 1, w1's node)   crash w1   tick   tick
    expire w1 (its node goes)   enter w2 (create; 1 + 1 = 2: proceed)
The correct recipe, checked under the same crashes, never starts early (``specs/zk-barrier.toml``).

State: the service's (data, owner, revision, session, watch, events) and per worker ``pc[w]`` (idle,
looked: listed first, in the two-step variant only; entered: its node exists, it lists next;
waiting: watching a missing node; proceeded), ``seen[w]`` (the count the two-step list saw) and
``met[w]`` (how many workers' nodes existed when w proceeded: the history the property reads).

Properties: ``no_early_start`` (every worker that proceeded did so with all N nodes at the barrier)
and the goal ``all_proceed`` (the barrier opens for everyone).

Variants:
  correct   create your node, then list; proceed only on a list that shows all N
  two-step  list, then create; proceed on the count listed before creating
"""

from __future__ import annotations

from checker.dsl import *


class ZkBarrier(Protocol):
    """The ZooKeeper barrier: ephemeral nodes under /barrier/, proceed when all N are there."""

    small_instance = {"workers": 2}

    workers = Param(2, "number of workers w1..wN (the barrier waits for all of them)", min=1)
    ttl = Param(2, "session timeout in ticks (a crashed worker's node goes after it)", min=1)
    variant = Variant(correct="create your node, then list /barrier/ and proceed only when all N are there")

    def setup(self) -> None:
        self.Worker = Nodes("w", self.workers)
        self.Count = Range(0, self.workers)
        self.zk = CoordinationService(self, self.Worker, paths=[self.node(w) for w in self.Worker], ttl=self.ttl,
                                      watches="once", max_revision=2 * self.workers)
        self.components = (self.zk,)
        self.var("pc", Map(self.Worker, Enum("idle", "looked", "entered", "waiting", "proceeded")), init="idle")
        self.var("seen", Map(self.Worker, self.Count), init=0)
        self.var("met", Map(self.Worker, Option(self.Count)), init=None)
        self.environment = self.zk.environment("Worker")

    def node(self, w) -> str:
        return f"/barrier/{w}"

    def present(self, s):
        """How many workers' nodes are under /barrier/ now (what a list returns)."""
        return Count(self.Worker, lambda v: self.zk.exists(s, self.node(v)))

    # -- the recipe --------------------------------------------------------------------------

    @action(w="Worker")
    def enter(self, s, w):
        """w creates its ephemeral node /barrier/w: it is ready."""
        if s.guard(s.pc[w] == "idle"):
            t = self.zk.create(s, w, self.node(w), ephemeral=True)
            if t is not None:
                return t.update(pc=s.pc.set(w, "entered"))

    @variant("two-step", "lists /barrier/ before creating its node and proceeds on that stale count")
    def enter(self, s, w):
        """Two steps: w lists /barrier/ (``seen``); then it creates its node and, if the list showed the
        N-1 others, proceeds at once without listing again."""
        if s.guard(And(s.pc[w] == "idle", self.zk.ready(s, w))):
            return s.update(pc=s.pc.set(w, "looked"), seen=s.seen.set(w, self.present(s)))
        if s.guard(s.pc[w] == "looked"):
            t = self.zk.create(s, w, self.node(w), ephemeral=True)
            if t is not None:
                if s.guard(s.seen[w] + 1 == self.workers):
                    return t.update(pc=s.pc.set(w, "proceeded"), met=s.met.set(w, self.present(t)))
                return t.update(pc=s.pc.set(w, "entered"))

    @action(w="Worker")
    def count(self, s, w):
        """w lists /barrier/ and sees all N nodes: it proceeds."""
        if s.guard(And(s.pc[w] == "entered", self.zk.ready(s, w), self.present(s) == self.workers)):
            return s.update(pc=s.pc.set(w, "proceeded"), met=s.met.set(w, self.present(s)))

    @action(w="Worker", v="Worker")
    def wait(self, s, w, v):
        """w's list lacks v's node (the first missing one): w watches /barrier/v and sleeps."""
        if s.guard(And(s.pc[w] == "entered", self.zk.ready(s, w), self.first_missing(s, v))):
            return self.zk.watch_once(s, w, self.node(v)).update(pc=s.pc.set(w, "waiting"))

    def first_missing(self, s, v):
        """v's node is missing and every worker's before it is there."""
        before = self.Worker.values()[: self.Worker.values().index(v)]
        return And(Not(self.zk.exists(s, self.node(v))), *(self.zk.exists(s, self.node(u)) for u in before))

    @action(w="Worker", e=From("events"))
    def wake(self, s, w, e):
        """w is notified that the node it watched was created, and lists again."""
        if s.guard(And(e.dst == w, self.zk.notified(s, e), s.pc[w] == "waiting")):
            return s.update(events=self.zk.take(s, e), pc=s.pc.set(w, "entered"))

    # -- properties --------------------------------------------------------------------------

    @always
    def no_early_start(self, s):
        """Every worker that proceeded did so with all N workers at the barrier (their nodes there)."""
        return ForAll(self.Worker, lambda w: Or(s.met[w] == None, s.met[w] == self.workers))  # noqa: E711

    def explain_no_early_start(self, s) -> str:
        early = [f"{w} with {s.met[w]}" for w in self.Worker if s.met[w] is not None and s.met[w] < self.workers]
        return (f"proceeded with fewer than {self.workers} workers at the barrier: {', '.join(early)}; it counted "
                "a worker whose node had gone (its session expired after a crash) before creating its own")

    @sometimes
    def all_proceed(self, s):
        """The barrier opened for every worker."""
        return ForAll(self.Worker, lambda w: s.pc[w] == "proceeded")
