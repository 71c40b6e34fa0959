"""ZooKeeper's lock recipe: ephemeral sequential nodes, each waiter watching its predecessor.

The recipe (ZooKeeper's "Locks" recipe, Curator's InterProcessMutex; the seed's section 4.2):
  1. ``enqueue``   create an ephemeral sequential node /lock/N (N: the next sequence number);
  2. ``check``     list /lock/: if N is the lowest, you hold the lock; otherwise
  3. ``wait``      set a one-time watch on the node just below yours (your predecessor) and wait;
  4. ``wake``      when notified (the predecessor is gone), go back to 2.
  ``release``      delete your node: your successor's watch fires, and only it wakes.
Watching the predecessor, not the lock as a whole, is what avoids the herd effect: a release wakes
one waiter, not all of them (``herd`` variant: every waiter watches the lowest node, the holder's;
a release wakes all N-1, and ``one_wakeup`` reports the number).

The node is ephemeral: if its owner's session expires (a GC pause longer than the session TTL, a
crash), the service deletes it and the next waiter takes the lock. The paused owner does not know:
when it wakes it still believes it holds the lock, exactly as with a lease (``protocols/lease.py``).
So ``single_holder`` (at most one client *believes* it holds the lock) fails in every variant; what
keeps the storage safe is a fencing token: the lock node's creation revision (czxid, etcd's
create_revision), checked by the storage, which rejects a token below the highest it has seen.

State: the service's (``checker.dsl.coordination``: data, owner, created, revision, seq, session,
paused, watch, events) and per client ``pc[c]`` (idle, queued: node created, waiting: watching its
predecessor, holding, wrote: its one write made, done) and ``mine[c]`` (its sequence number); the
storage's ``fence`` (highest token accepted), ``stored`` (the token of the write it holds) and
``writes`` (how many it accepted); ``woken`` (how many waiters the last release notified).

Properties: ``safe_writes`` (the stored write carries the highest token seen), ``one_wakeup`` (a
release wakes at most one waiter), the goal ``handover`` (a second holder's write is stored), and
``single_holder`` (not checked by default: it fails even with fencing).

Variants:
  correct     fencing tokens at the storage, each waiter watching its predecessor
  no-fencing  the storage accepts every write: the paused holder's stale write lands after its
              successor's
  herd        every waiter watches the holder's node: safe, but a release wakes all N-1 waiters
"""

from __future__ import annotations

from checker.dsl import *


class ZkLock(Protocol):
    """The ZooKeeper lock recipe on ephemeral sequential nodes, with fencing at the storage."""

    small_instance = {"clients": 2}

    clients = Param(2, "number of clients c1..cN", min=1)
    ttl = Param(2, "session timeout in ticks", min=1)
    pause = Param(3, "length of a GC pause in ticks (longer than the session timeout)", min=1)
    variant = Variant(correct="fencing tokens at the storage, each waiter watching its predecessor")

    def setup(self) -> None:
        self.Client = Nodes("c", self.clients)
        slots = self.clients + 1
        self.Slot = Range(0, slots - 1)
        self.zk = CoordinationService(self, self.Client, sequential=("/lock/", slots), ttl=self.ttl, pause=self.pause,
                          tokens=True, watches="once", max_revision=2 * slots + 1,
                          pausable=lambda s, c: s.pc[c] == "holding")
        self.components = (self.zk,)
        self.var("pc", Map(self.Client, Enum("idle", "queued", "waiting", "holding", "wrote", "done")), init="idle")
        self.var("mine", Map(self.Client, Option(self.Slot)), init=None)
        self.var("fence", self.zk.Revision, init=0)
        self.var("stored", Option(self.zk.Revision), init=None)
        self.var("writes", Range(0, 2), init=0)
        self.var("woken", Range(0, self.clients), init=0)
        self.environment = self.zk.environment("Client")

    def node(self, i: int) -> str:
        return self.zk.slots[i]

    # -- the recipe --------------------------------------------------------------------------

    @action(c="Client")
    def enqueue(self, s, c):
        """c creates its ephemeral sequential node /lock/N."""
        if s.guard(s.pc[c] == "idle"):
            t = self.zk.create_sequential(s, c)
            if t is not None:
                return t.update(pc=s.pc.set(c, "queued"), mine=s.mine.set(c, s.seq))

    @action(c="Client", i="Slot")
    def check(self, s, c, i):
        """c lists /lock/: its node i is the lowest, so it holds the lock."""
        if s.guard(And(s.pc[c] == "queued", s.mine[c] == i, self.zk.ready(s, c), self.zk.none_below(s, i))):
            return s.update(pc=s.pc.set(c, "holding"))

    @action(c="Client", i="Slot", j="Slot")
    def wait(self, s, c, i, j):
        """c's node i is not the lowest: it watches the node j it waits behind and sleeps."""
        if s.guard(And(s.pc[c] == "queued", s.mine[c] == i, j < i, self.zk.ready(s, c),
                       self.watched(s, i, j))):
            return self.zk.watch_once(s, c, self.node(j)).update(pc=s.pc.set(c, "waiting"))

    def watched(self, s, i, j):
        """Node j is i's predecessor: it exists and no node between them does."""
        return self.zk.next_below(s, i, j)

    @variant("herd", "every waiter watches the holder's node: a release wakes all of them")
    def watched(self, s, i, j):
        """Node j is the lowest node: the holder's."""
        return And(self.zk.slot_taken(s, j), self.zk.none_below(s, j))

    @action(c="Client", e=From("events"))
    def wake(self, s, c, e):
        """c is notified that the node it watched changed, and checks again."""
        if s.guard(And(e.dst == c, self.zk.notified(s, e), s.pc[c] == "waiting")):
            return s.update(events=self.zk.take(s, e), pc=s.pc.set(c, "queued"))

    @action(c="Client", i="Slot")
    def write(self, s, c, i):
        """Holder c writes to the storage with its node's creation revision as the fencing token."""
        if s.guard(And(s.pc[c] == "holding", s.mine[c] == i, self.zk.running(s, c), s.writes < 2)):
            t = s.created[self.node(i)]
            if s.guard(self.stale(s, t)):
                return s.update(pc=s.pc.set(c, "done"))  # rejected: c learns it lost the lock
            return s.update(stored=t, fence=If(t > s.fence, t, s.fence), writes=s.writes + 1,
                            pc=s.pc.set(c, "wrote"))

    def stale(self, s, t):
        """The storage rejects a token below the highest it has seen."""
        return t < s.fence

    @variant("no-fencing", "the storage accepts every write, whatever its token")
    def stale(self, s, t):
        """No fencing: no token is stale."""
        return False

    @action(c="Client", i="Slot")
    def release(self, s, c, i):
        """Holder c is done and deletes its node; the watch on it fires."""
        if s.guard(And(self.believes(s, c), s.mine[c] == i)):
            woken = Count(self.Client, lambda d: s.watch[d] == self.node(i))
            t = self.zk.delete(s, c, self.node(i))
            if t is not None:
                return t.update(pc=s.pc.set(c, "done"), woken=woken)

    @action(c="Client")
    def session_lost(self, s, c):
        """c learns its session expired (its node is gone) and gives up: the lock is not its any more."""
        if s.guard(And(s.pc[c] != "idle", s.pc[c] != "done", self.zk.running(s, c), Not(self.zk.live(s, c)))):
            return s.update(pc=s.pc.set(c, "done"))

    # -- properties --------------------------------------------------------------------------

    @always
    def safe_writes(self, s):
        """The stored write carries the highest token the storage has seen: none is stale."""
        return Or(s.stored == None, s.stored == s.fence)  # noqa: E711 - symbolic equality

    def explain_safe_writes(self, s) -> str:
        return (f"the storage holds the write made with token {s.stored}, yet it had seen token {s.fence}: "
                "a client whose session expired during a pause wrote after the next holder")

    @always
    def one_wakeup(self, s):
        """A release wakes at most one waiter (no herd effect)."""
        return s.woken <= 1

    def explain_one_wakeup(self, s) -> str:
        return f"one release notified {s.woken} waiters (N-1 of N clients): the herd effect"

    @sometimes
    def handover(self, s):
        """Two holders' writes were stored: the lock changed hands."""
        return s.writes == 2

    @always(default=False)
    def single_holder(self, s):
        """At most one client believes it holds the lock (fails even with fencing)."""
        return Count(self.Client, lambda c: self.believes(s, c)) <= 1

    def explain_single_holder(self, s) -> str:
        holders = [c for c in self.Client if s.pc[c] in ("holding", "wrote")]
        lapsed = [c for c in holders if s.session[c] == 0]
        return (f"{' and '.join(holders)} both believe they hold the lock; the session of "
                f"{', '.join(lapsed) or 'none'} has expired, and its node is gone, but it has not called the "
                "service since")

    def witnesses_single_holder(self, s):
        """For diagrams: the clients that believe they hold the lock."""
        holders = [c for c in self.Client if s.pc[c] in ("holding", "wrote")]
        return [("H", "believe they hold the lock", holders)] if len(holders) > 1 else []

    def believes(self, s, c):
        """c believes it holds the lock."""
        return Or(s.pc[c] == "holding", s.pc[c] == "wrote")
