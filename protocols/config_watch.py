"""Configuration distribution on a coordination service: an admin writes /config, every node
reads it and watches for changes (the seed's section 4.2, "Central config, all nodes watch").

The recipe, for each node n:
  1. ``register``  set a one-time watch on /config (ZooKeeper: ``exists("/config", watch=true)``);
  2. ``read``      then read /config and apply it;
  3. (wait)        a one-time watch fires once, at the next change: a notification, no data;
  4. ``changed``   on the notification go back to 1: re-register, *then* re-read.
  ``publish``      meanwhile the admin writes version 1, 2, ... up to ``updates`` (creating /config
                   with version 1), and then stops.
Registering before reading is what makes the recipe correct (ZooKeeper's ``getData`` with
``watch=true`` does both in one call): a change after the watch is set is notified, one before it
is read. Swap them (``no-reread``: the node reads, then re-registers with ``exists(watch=true)`` and
does not read again) and a change that falls between the read and the re-registration fires no
watch — none was set — and is never notified: once the admin stops, the node sits on a stale
configuration for ever. A ZooKeeper notification says only *that* the node changed (no data), so
a node must read again.

With ``watches="stream"`` (etcd) the node reads /config at revision R and watches it from R (etcd's
``Watch(key, WithRev(R + 1))``); the stream delivers every change after R with its value, so the
node applies them without reading again (``changed`` takes the latest one). The buggy code order
is harmless here: the watch, started later, still starts from R, and the change in between is
streamed. A stream resumes from a revision; a one-time trigger only covers what follows it.

Every call is one atomic, linearizable step of the service (``checker.dsl.coordination``). The
config value is the admin's version number; 0 means /config does not exist yet (a read of a
missing node is ZooKeeper's ``exists`` with a watch: its creation fires the watch).

State: the service's (data, owner, revision, session, watch; events with once-watches; modified,
seen with streams) and per node ``pc[n]`` (stale: must refresh — at the start and after a
notification; armed: watch set, not yet read; registering: read, watch not yet set — ``no-reread``
only; watching), ``applied[n]``
(the version n runs with) and, with streams, ``read_at[n]`` (the revision n's read saw: where its
watch starts).

Liveness (``converges``, 2 nodes, 2 updates), under weak fairness of each node's steps (``read``,
``register``, ``changed``: ``specs/config-watch-liveness*.toml``; the admin need not be fair, since
the property starts once it has stopped):
  once, correct      holds (217 states); drop ``read`` or ``changed`` fairness and it fails
  once, no-reread    violated: a lasso of 6 steps — publish, n1 reads version 1, publish (no watch is
                     set: nothing fires), n1 re-registers, n2 reads version 2 and re-registers; n1
                     then waits on version 1 for ever, with nothing left that could change the state
  stream, either     holds (145 states each)
A lost notification (the fault "loss") strands even the correct recipe: the safety property fails in
4 steps (register, read, publish, lose).

Properties:
  never_silently_stale  (safety) a node that is watching with nothing on its way to it (no
                        notification in flight, no streamed change waiting) runs the current
                        config: if it is stale, something will tell it
  converges             (liveness, under a spec's [fairness]) once the admin has stopped, every node
                        eventually runs the latest config (``leads_to``: admin done ~> applied[n] is
                        the current version)
  all_current           (goal) every node runs the admin's last version

Variants:
  correct    re-register, then re-read (what getData with watch=true does in one call)
  no-reread  read, then re-register the watch in a later step without reading again: with
             one-time watches a change in between is lost (a lasso under fairness); with streams
             nothing is lost
"""

from __future__ import annotations

from checker.dsl import *

ADMIN = "admin"
CONFIG = "/config"


class ConfigWatch(Protocol):
    """Configuration distribution: an admin writes /config, nodes read it and watch it."""

    small_instance = {"nodes": 2, "updates": 2}

    nodes = Param(2, "number of nodes n1..nN reading and watching /config", min=1)
    updates = Param(2, "how many versions of /config the admin writes (1: it only creates it)", min=1)
    watches = Param("once", "once: ZooKeeper's one-time watches; stream: etcd's watch from a revision",
                    choices=("once", "stream"))
    variant = Variant(correct="the watch is re-registered before the re-read (getData with watch=true does both)")

    def setup(self) -> None:
        self.Node = Nodes("n", self.nodes)
        self.Client = Enum(ADMIN, *self.Node.values())  # the admin is a client of the service too
        self.Version = Range(0, self.updates)
        self.zk = CoordinationService(self, self.Client, paths=(CONFIG,), values=Range(1, self.updates),
                                      max_revision=self.updates, watches=self.watches)
        self.components = (self.zk,)
        self.var("pc", Map(self.Node, Enum("stale", "armed", "registering", "watching")), init="stale")
        self.var("applied", Map(self.Node, self.Version), init=0)
        if self.watches == "stream":
            self.var("read_at", Map(self.Node, self.zk.Revision), init=0)
        self.environment = self.zk.environment("Client")
        # The admin stops after `updates` writes by design (the liveness property is about what follows), and
        # sessions are renewed to their full length: these maxima are the scenario, not a saturated counter.
        self.not_bounds = ("revision", "modified", "seen", "read_at", "applied", "session")

    def current(self, s):
        """The version /config holds now (0: it does not exist yet)."""
        return If(self.zk.exists(s, CONFIG), s.data[CONFIG], 0)

    # -- the admin -----------------------------------------------------------------------------

    @action
    def publish(self, s):
        """The admin writes the next version of /config (the first write creates it)."""
        v = self.current(s) + 1
        if s.guard(self.current(s) < self.updates):
            if s.guard(self.zk.exists(s, CONFIG)):
                return self.zk.set(s, ADMIN, CONFIG, v)
            return self.zk.create(s, ADMIN, CONFIG, v)

    # -- the nodes -----------------------------------------------------------------------------

    @action(n="Node")
    def register(self, s, n):
        """n sets its watch on /config (exists with watch=true)."""
        before, after = self.order()["register"]
        if s.guard(And(s.pc[n] == before, self.zk.ready(s, n))):
            return self.arm(s, n).update(pc=s.pc.set(n, after))

    @action(n="Node")
    def read(self, s, n):
        """n reads /config and applies it (getData; a missing node reads as version 0)."""
        before, after = self.order()["read"]
        if s.guard(And(s.pc[n] == before, self.zk.ready(s, n))):
            t = s.update(applied=s.applied.set(n, self.current(s)), pc=s.pc.set(n, after))
            if self.watches == "stream":
                t = t.update(read_at=s.read_at.set(n, s.revision))  # the response's header revision
            return t

    def order(self):
        """Re-register, then re-read: a change after the watch is set is notified, one before it is read.
        (The step each call takes n from, and to.)"""
        return {"register": ("stale", "armed"), "read": ("armed", "watching")}

    @variant("no-reread", "re-registers the watch after the read, without reading again")
    def order(self):
        """Read, then re-register: a change between the two is neither read nor notified."""
        return {"read": ("stale", "registering"), "register": ("registering", "watching")}

    def arm(self, s, n):
        """n's watch on /config: a one-time trigger from now, or a stream from the revision it read."""
        if self.watches == "once":
            return self.zk.watch_once(s, n, CONFIG)
        return self.zk.watch_from(s, n, CONFIG, s.read_at[n])

    @action(n="Node")
    def changed(self, s, n):
        """n learns that /config changed: a ZooKeeper notification (no data: n must read again), or
        an etcd watch event (it carries the value: n applies the latest one)."""
        if self.watches == "once":
            e = self.zk.Event(n, CONFIG)
            if s.guard(And(s.pc[n] == "watching", Member(e, s.events), self.zk.notified(s, e))):
                return s.update(events=self.zk.take(s, e), pc=s.pc.set(n, "stale"))
        elif s.guard(And(s.pc[n] == "watching", self.zk.ready(s, n), self.zk.stream_pending(s, n, CONFIG))):
            return s.update(applied=s.applied.set(n, self.current(s)), **self.zk.stream_next(s, n, CONFIG))

    # -- properties ----------------------------------------------------------------------------

    def told(self, s, n):
        """Something on its way will tell n that /config changed."""
        if self.watches == "once":
            return Exists(s.events, lambda e: e.dst == n)  # a notification to n (there is one path)
        return self.zk.stream_pending(s, n, CONFIG)

    @always
    def never_silently_stale(self, s):
        """A node watching /config with nothing on its way to it runs the current version."""
        return ForAll(self.Node, lambda n: Or(s.pc[n] != "watching", s.applied[n] == self.current(s),
                                              self.told(s, n)))

    def explain_never_silently_stale(self, s) -> str:
        stale = [n for n in self.Node
                 if s.pc[n] == "watching" and s.applied[n] != self.current(s) and not self.told(s, n)]
        who = stale[0] if stale else "a node"
        return (f"{who} runs version {s.applied[who] if stale else '?'} while /config holds version "
                f"{self.current(s)}, and nothing on its way will tell it: a change between its read and its "
                "re-registered watch fires no watch (nor does a lost notification arrive)")

    @leads_to(n="Node")
    def converges(self, s, n):
        """Once the admin has stopped, n eventually runs the latest config."""
        return self.current(s) == self.updates, s.applied[n] == self.current(s)

    @sometimes
    def all_current(self, s):
        """Every node runs the admin's last version."""
        return ForAll(self.Node, lambda n: s.applied[n] == self.updates)
