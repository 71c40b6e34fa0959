"""ZooKeeper's leader election recipe: ephemeral sequential nodes, each candidate watching its predecessor.

The recipe (ZooKeeper's "Leader Election" recipe, Curator's LeaderLatch; the seed's sections 3.2
and 4.3, "external coordination"):
  1. ``volunteer``  create an ephemeral sequential node /election/N (N: the next sequence number);
  2. ``check``      list /election/: if N is the lowest, you are the leader; otherwise
  3. ``follow``     set a one-time watch on the node just below yours (your predecessor) and wait;
  4. ``wake``       when notified (the predecessor is gone), go back to 2: list the children again.
  ``resign``        a candidate, follower or leader leaves the election: it deletes its node.
Step 4 must re-check. The predecessor may have been a *follower* that left or died, not the
leader: being notified says only that the node below yours is gone, not that none is left below
it (ZooKeeper's recipe, on a deletion notification: list the children again; lead only if yours
is now the smallest, else watch the next node below yours).
Watching only the predecessor, not the leader's node, is what avoids the herd effect (see
``protocols/zk_lock.py``, whose queue is the same).

The node is ephemeral: if its owner's session expires (a GC pause longer than the session TTL, a
crash), the service deletes it and the next candidate becomes the leader. The paused leader does
not know: when it wakes it still believes it leads, as with a lease (``protocols/lease.py``) or
the lock (``protocols/zk_lock.py``). So the service cannot promise that one client *believes* it
leads (``single_leader`` fails in every variant); what it does promise is that at most one leader
still holds a live session (``one_live_leader``: the believer whose node is gone has lost its
session, though it may not know yet). What stops the deposed leader from doing harm is fencing:
the leader stamps each command with its *epoch*, its node's creation revision (ZooKeeper's
czxid, etcd's create_revision), and the resource rejects an epoch below the highest it has seen.

    c1 volunteers (/election/0, epoch 1) and is elected; c2 volunteers (/election/1, epoch 2)
    c1 freezes in a GC pause; two ticks later its session expires and /election/0 is deleted
    c2 is elected and commands the resource with epoch 2
    c1 wakes, still believing it leads, and commands with epoch 1
       without fencing: the resource applies it after epoch 2's command (``no-fencing``)
       with fencing:    the resource has seen epoch 2 and rejects epoch 1; c1 learns it was deposed

State: the service's (``checker.dsl.coordination``: data, owner, created, revision, seq, session,
paused, watch, events) and per client ``pc[c]`` (idle; candidate: node created, about to list;
follower: watching its predecessor; leader: elected; acted: its command applied; out: resigned,
deposed or its session lost) and ``mine[c]`` (its sequence number); the resource's ``fence``
(highest epoch applied), ``applied`` (the epoch of the last command it applied) and ``commands``
(how many it applied, at most 2).

Properties: ``fenced_commands`` (the last applied command carries the highest epoch seen),
``one_live_leader`` (at most one client believes it leads while its session is live), the goals
``elected`` (a leader's command is applied) and ``handover`` (a second leader's command is
applied: leadership changed hands), and ``single_leader`` (not checked by default: it fails even
in the correct recipe, 8 steps: the paused leader and its successor). The correct recipe holds
with 2 candidates (575 states; 4,090 with the fault "crash") and 3 (29,788 states).

Variants:
  correct     fencing by epoch at the resource; a notified candidate lists the children again
  no-fencing  the resource applies every command: the paused leader's stale command lands after
              its successor's (11 steps, 2 clients)
  no-recheck  a notified candidate takes the notification for an election: with 3 candidates, a
              follower in the middle resigns and the last one leads beside the real leader, both
              with live sessions (7 steps)
"""

from __future__ import annotations

from checker.dsl import *


class ZkElection(Protocol):
    """ZooKeeper's leader election on ephemeral sequential nodes, with epochs fenced at the resource."""

    small_instance = {"clients": 2}

    clients = Param(2, "number of candidates c1..cN", min=1)
    ttl = Param(2, "session timeout in ticks", min=1)
    pause = Param(3, "length of a GC pause in ticks (longer than the session timeout)", min=1)
    variant = Variant(correct="fencing by epoch at the resource; a notified candidate lists the children again")

    def setup(self) -> None:
        self.Client = Nodes("c", self.clients)
        self.Slot = Range(0, self.clients - 1)
        # every write: a client creates its node once, and it is deleted once (resign or expiry)
        self.zk = CoordinationService(self, self.Client, sequential=("/election/", self.clients), ttl=self.ttl,
                                      pause=self.pause, tokens=True, watches="once", max_revision=2 * self.clients,
                                      pausable=lambda s, c: s.pc[c] == "leader")
        self.components = (self.zk,)
        self.var("pc", Map(self.Client, Enum("idle", "candidate", "follower", "leader", "acted", "out")), init="idle")
        self.var("mine", Map(self.Client, Option(self.Slot)), init=None)
        self.var("fence", self.zk.Revision, init=0)
        self.var("applied", Option(self.zk.Revision), init=None)
        self.var("commands", Range(0, 2), init=0)
        self.environment = self.zk.environment("Client")

    def node(self, i: int) -> str:
        return self.zk.slots[i]

    # -- the recipe --------------------------------------------------------------------------

    @action(c="Client")
    def volunteer(self, s, c):
        """c creates its ephemeral sequential node /election/N."""
        if s.guard(s.pc[c] == "idle"):
            t = self.zk.create_sequential(s, c)
            if t is not None:
                return t.update(pc=s.pc.set(c, "candidate"), mine=s.mine.set(c, s.seq))

    @action(c="Client", i="Slot")
    def check(self, s, c, i):
        """c lists /election/: its node i is the lowest, so it leads."""
        if s.guard(And(s.pc[c] == "candidate", s.mine[c] == i, self.zk.ready(s, c), self.zk.none_below(s, i))):
            return s.update(pc=s.pc.set(c, "leader"))

    @action(c="Client", i="Slot", j="Slot")
    def follow(self, s, c, i, j):
        """c's node i is not the lowest: it watches its predecessor j, the next node below, and waits."""
        if s.guard(And(s.pc[c] == "candidate", s.mine[c] == i, self.zk.ready(s, c), self.zk.next_below(s, i, j))):
            return self.zk.watch_once(s, c, self.node(j)).update(pc=s.pc.set(c, "follower"))

    @action(c="Client", e=From("events"))
    def wake(self, s, c, e):
        """c is notified that its predecessor's node is gone."""
        if s.guard(And(e.dst == c, self.zk.notified(s, e), s.pc[c] == "follower")):
            return s.update(events=self.zk.take(s, e), pc=s.pc.set(c, self.notified_becomes()))

    def notified_becomes(self):
        """A notified follower becomes a candidate again: it lists the children before it leads."""
        return "candidate"

    @variant("no-recheck", "a notified follower assumes it leads, without listing the children again")
    def notified_becomes(self):
        """The predecessor is gone, so it must have been the leader: c leads (wrong where a follower left)."""
        return "leader"

    @action(c="Client", i="Slot")
    def command(self, s, c, i):
        """Leader c commands the resource, stamped with its epoch: its node's creation revision."""
        if s.guard(And(s.pc[c] == "leader", s.mine[c] == i, self.zk.running(s, c), s.commands < 2)):
            epoch = s.created[self.node(i)]
            if s.guard(self.stale(s, epoch)):
                return s.update(pc=s.pc.set(c, "out"))  # rejected: c learns it was deposed
            return s.update(applied=epoch, fence=If(epoch > s.fence, epoch, s.fence), commands=s.commands + 1,
                            pc=s.pc.set(c, "acted"))

    def stale(self, s, epoch):
        """The resource rejects an epoch below the highest it has applied."""
        return epoch < s.fence

    @variant("no-fencing", "the resource applies every command, whatever its epoch")
    def stale(self, s, epoch):
        """No fencing: no epoch is stale."""
        return False

    @action(c="Client", i="Slot")
    def resign(self, s, c, i):
        """c leaves the election (shuts down cleanly): it deletes its node; the watch on it fires."""
        if s.guard(And(s.pc[c] != "idle", s.pc[c] != "out", s.mine[c] == i)):
            t = self.zk.delete(s, c, self.node(i))
            if t is not None:
                return t.update(pc=s.pc.set(c, "out"))

    @action(c="Client")
    def session_lost(self, s, c):
        """c learns its session expired (its node is gone) and leaves the election."""
        if s.guard(And(s.pc[c] != "idle", s.pc[c] != "out", self.zk.running(s, c), Not(self.zk.live(s, c)))):
            return s.update(pc=s.pc.set(c, "out"))

    # -- properties --------------------------------------------------------------------------

    def believes(self, s, c):
        """c believes it leads."""
        return Or(s.pc[c] == "leader", s.pc[c] == "acted")

    @always
    def fenced_commands(self, s):
        """The last command the resource applied carries the highest epoch it has seen: none is stale."""
        return Or(s.applied == None, s.applied == s.fence)  # noqa: E711 - symbolic equality

    def explain_fenced_commands(self, s) -> str:
        return (f"the resource applied a command of epoch {s.applied} after one of epoch {s.fence}: a leader whose "
                "session expired during a pause kept commanding after its successor was elected")

    @always
    def one_live_leader(self, s):
        """At most one client believes it leads while the service still holds its session."""
        return Count(self.Client, lambda c: And(self.believes(s, c), self.zk.live(s, c))) <= 1

    def explain_one_live_leader(self, s) -> str:
        both = [c for c in self.Client if s.pc[c] in ("leader", "acted") and s.session[c] > 0]
        nodes = " and ".join(f"{c} (/election/{s.mine[c]})" for c in both)
        return (f"{nodes} believe they lead, with live sessions: a follower took the notification that "
                "its predecessor was gone for an election, though a lower node was still there")

    @sometimes
    def elected(self, s):
        """A leader's command was applied."""
        return s.commands >= 1

    @sometimes
    def handover(self, s):
        """Two leaders' commands were applied: leadership changed hands."""
        return s.commands == 2

    @always(default=False)
    def single_leader(self, s):
        """At most one client believes it leads (fails even in the correct recipe)."""
        return Count(self.Client, lambda c: self.believes(s, c)) <= 1

    def explain_single_leader(self, s) -> str:
        both = " and ".join(c for c in self.Client if s.pc[c] in ("leader", "acted"))
        return (f"{both} believe they lead: the service expired a paused leader's session and elected its "
                "successor, and the paused leader cannot know until it next calls the service")
