"""Optimistic concurrency on a coordination service: clients increment a shared counter with
compare-and-set, retrying on conflict (the seed's section 5.3, "Optimistic concurrency").

The loop, for each client c and each of its ``increments``:
  1. ``read``   read /counter: its value v and its version V (ZooKeeper's Stat.version, etcd's
                mod_revision); a missing node reads as value 0;
  2. ``write``  write v + 1 *if the version is still V* (``setData(path, v + 1, V)``; etcd: a txn
                comparing mod_revision). If someone wrote in between, the write fails (BadVersion)
                and c goes back to 1. Where the node was missing at the read, c creates it, which
                fails in the same way if someone created it meanwhile (NodeExists).
No locks: a client never waits for another, it only retries; each failed write means someone
else's succeeded (lock-free, not wait-free).

Drop the version check (``blind-rmw``: read, then put v + 1 unconditionally, creating or
overwriting) and two clients that read the same value both write v + 1: one increment is lost.

    c1 reads 0        c2 reads 0        c1 writes 1       c2 writes 1   (two increments, counter 1)

Every call is one atomic, linearizable step of the service (``checker.dsl.coordination``).

State: the service's (data, owner, version, revision, session) and per client ``pc[c]`` (idle:
about to read; read: holds a value and version, its write is next), ``val[c]`` and ``ver[c]``
(what its read saw: ver None where /counter did not exist), ``left[c]`` (increments still to
make) and ``completed`` (increments whose write succeeded). Retries need no bound: a refused write
means another client's write succeeded after the read, and there are ``clients * increments`` of
those in all.

With 2 clients making 2 increments each (``specs/occ.toml``) the loop holds over 58 states and
every increment is made (8 steps at the shortest); ``blind-rmw`` loses one in 4 steps
(``specs/occ-blind-rmw.toml``).

Properties:
  no_lost_update  the counter equals the number of completed increments
  all_done        (goal) every increment is made

Variants:
  correct    compare-and-set on the version read, retrying on failure
  blind-rmw  read, then write without the version check: an update is lost
"""

from __future__ import annotations

from checker.dsl import *

COUNTER = "/counter"


class Occ(Protocol):
    """Optimistic concurrency: read-modify-write of a counter with compare-and-set on its version."""

    small_instance = {"clients": 2, "increments": 2}

    clients = Param(2, "number of clients c1..cN", min=1)
    increments = Param(2, "increments each client makes", min=1)
    variant = Variant(correct="write with compare-and-set on the version read, retrying on failure")

    def setup(self) -> None:
        self.Client = Nodes("c", self.clients)
        total = self.clients * self.increments
        self.Value = Range(0, total)
        self.zk = CoordinationService(self, self.Client, paths=(COUNTER,), values=self.Value, max_revision=total,
                                      max_version=total)
        self.components = (self.zk,)
        self.var("pc", Map(self.Client, Enum("idle", "read")), init="idle")
        self.var("val", Map(self.Client, self.Value), init=0)
        self.var("ver", Map(self.Client, Option(Range(0, total))), init=None)
        self.var("left", Map(self.Client, Range(0, self.increments)), init=self.increments)
        self.var("completed", self.Value, init=0)
        self.environment = self.zk.environment("Client")

    def value(self, s):
        """The counter's value now (0 while /counter does not exist)."""
        return If(self.zk.exists(s, COUNTER), s.data[COUNTER], 0)

    # -- the client loop -------------------------------------------------------------------------

    @action(c="Client")
    def read(self, s, c):
        """c reads /counter: its value and its version (None: the node does not exist yet)."""
        if s.guard(And(s.pc[c] == "idle", s.left[c] > 0, self.zk.ready(s, c))):
            return s.update(pc=s.pc.set(c, "read"), val=s.val.set(c, self.value(s)),
                            ver=s.ver.set(c, If(self.zk.exists(s, COUNTER), s.version[COUNTER], None)))

    @action(c="Client")
    def write(self, s, c):
        """c writes its value plus one; a refused compare-and-set sends it back to read again."""
        if s.guard(And(s.pc[c] == "read", self.zk.ready(s, c))):
            t = self.put(s, c, s.val[c] + 1)
            if t is not None:
                return t.update(pc=s.pc.set(c, "idle"), left=s.left.set(c, s.left[c] - 1),
                                completed=s.completed + 1)
            return s.update(pc=s.pc.set(c, "idle"))  # BadVersion / NodeExists: someone wrote first

    def put(self, s, c, v):
        """Compare-and-set: set /counter to v only if its version is still the one c read (create it
        only if it still does not exist)."""
        if s.guard(s.ver[c] == None):  # noqa: E711 - symbolic equality
            return self.zk.create(s, c, COUNTER, v)
        return self.zk.set(s, c, COUNTER, v, expect=s.ver[c])

    @variant("blind-rmw", "writes the incremented value without checking the version it read")
    def put(self, s, c, v):
        """A blind put: create /counter or overwrite it, whatever happened since the read."""
        if s.guard(self.zk.exists(s, COUNTER)):
            return self.zk.set(s, c, COUNTER, v)
        return self.zk.create(s, c, COUNTER, v)

    # -- properties ------------------------------------------------------------------------------

    @always
    def no_lost_update(self, s):
        """The counter equals the number of increments whose write succeeded."""
        return self.value(s) == s.completed

    def explain_no_lost_update(self, s) -> str:
        return (f"{s.completed} increments completed but the counter is {self.value(s)}: two clients read the same "
                "value and the later write overwrote the earlier one")

    @sometimes
    def all_done(self, s):
        """Every client made all its increments."""
        return s.completed == self.clients * self.increments
