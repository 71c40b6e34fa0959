"""A coordination service (ZooKeeper, etcd) as a building block that recipes are written on.

The service is one linearizable store: the consensus underneath (Zab, Raft) is modelled elsewhere
(``protocols/raft.py``), so here every call takes effect atomically, in one step. A recipe
declares the service in ``setup`` and calls it from its own actions::

    self.zk = CoordinationService(self, self.Client, sequential=("/lock/", 3), ttl=2, pause=3, watches="once")
    self.components = (self.zk,)
    ...
    @action(c="Client")
    def enqueue(self, s, c):
        t = self.zk.create_sequential(s, c, ephemeral=True)
        if t is not None:
            return t.update(mine=s.mine.set(c, s.seq))

What it models, and the state it adds (all visible in traces and charts):
  nodes       ``data[k]``: the value at path k, or None where no node exists; ``owner[k]``: the
              session (client) an *ephemeral* node belongs to; ``created[k]``: the revision that
              created it (ZooKeeper's czxid, etcd's create_revision: a fencing token), with
              ``tokens=True``; ``version[k]`` (with ``max_version``): bumped by every write, for
              compare-and-set; ``revision``: the store's revision (zxid), one up per write;
              ``present=(k, ...)``: paths that hold a persistent node from the start (a queue's tasks).
  sequential  ``sequential=("/lock/", n)``: paths /lock/0 .. /lock/n-1; ``create_sequential``
              takes the next one (``seq``), as ZooKeeper appends a counter to the name.
  sessions    ``session[c]``: ticks until the service expires c's session (0: expired). A running
              client's library heartbeats in the background, so a tick renews its session; a
              client frozen in a GC pause (``paused[c]``: ticks left, with ``pause``) or crashed
              (the fault "crash") is silent, and after ``ttl`` ticks the service expires its
              session (``expire``), deleting its ephemeral nodes. The client does not know until it
              next calls the service: every call needs a live session (``live``); ``reconnect``
              starts a new one.
  watches     ``watches="once"`` (ZooKeeper): ``watch_once`` sets a one-time trigger on a path; the
              next change to it puts a notification in ``events`` (a network: the fault "loss" may
              drop one) and clears the trigger, so a change between the notification and the next
              ``watch_once`` is never notified. ``watches="stream"`` (etcd): ``watch_from`` starts a
              watch from a revision; ``stream_pending`` holds while the path changed after the
              revision the client has seen (``seen[c]``), and ``stream_next`` takes the change: a
              stream resumes from its revision and never misses one.
Bounds: ``max_revision`` (writes stop there, as a TLC constraint would), ``n`` sequential slots,
``max_version``.

Actions the service adds after the recipe's own: ``tick`` (time passes: heartbeats, countdowns),
``expire(c)`` (where sessions can lapse: with ``pause`` or the fault "crash") and ``gc_pause(c)``
(with ``pause``). ``on_tick=f``: the recipe's part of a tick, ``f(s, t)`` with the state before and
the service's next state: it returns t with the recipe's own clocks updated, or None where time
must wait (for something the recipe does at once: a prompt expiry, a notification taken).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from checker.dsl.domains import Domain, Enum, Map, Option, Range, RecordType, SetOf
from checker.dsl.faults import Environment
from checker.dsl.logic import And, Exists, If, Not, Or
from checker.errors import QuorumError

if TYPE_CHECKING:
    from checker.dsl.protocol import Protocol

WATCHES = (None, "once", "stream")
#: The data of a node whose content does not matter (a lock node, a registration).
PRESENT = "set"


class CoordinationService:
    """The store, its sessions, pauses and watches, declared on one protocol (see the module)."""

    def __init__(self, protocol: Protocol, clients: Domain, *, paths: Sequence[str] = (),
                 sequential: tuple[str, int] | None = None, values: Domain | None = None, ttl: int = 2,
                 pause: int = 0, max_revision: int = 6, max_version: int = 0, tokens: bool = False,
                 watches: str | None = None, pausable: Callable[[Any, Any], Any] | None = None,
                 present: Sequence[str] = (), on_tick: Callable[[Any, Any], Any] | None = None) -> None:
        where = f"{type(protocol).__name__}: CoordinationService"
        if watches not in WATCHES:
            raise QuorumError(f"{where}: watches={watches!r} must be one of {WATCHES}")
        if ttl < 1 or max_revision < 1 or pause < 0 or max_version < 0:
            raise QuorumError(f"{where}: ttl and max_revision must be at least 1, pause and max_version at least 0")
        self.protocol, self.clients = protocol, clients
        self.prefix, slots = sequential if sequential else ("", 0)
        self.slots = [f"{self.prefix}{i}" for i in range(slots)]
        self.paths = [*paths, *self.slots]
        if not self.paths or len(set(self.paths)) != len(self.paths):
            raise QuorumError(f"{where}: give distinct paths and/or sequential=(prefix, count)")
        self.Path = Enum(*self.paths)
        self.values = values if values is not None else Enum(PRESENT)
        self.ttl, self.pause, self.max_revision, self.max_version = ttl, pause, max_revision, max_version
        self.tokens, self.watches, self.pausable = tokens, watches, pausable
        self.on_tick = on_tick
        self.Revision = Range(0, max_revision)

        var = protocol.var
        if not set(present) <= set(self.paths) or (present and not self.values.contains(PRESENT)):
            raise QuorumError(f"{where}: present={tuple(present)!r} must name declared paths, with the default values")
        start = {k: PRESENT if k in present else None for k in self.paths}  # present: persistent nodes at the start
        var("data", Map(self.Path, Option(self.values)), init=start)
        var("owner", Map(self.Path, Option(clients)), init=None)
        if tokens:
            var("created", Map(self.Path, self.Revision), init=0)
        if max_version:
            var("version", Map(self.Path, Range(0, max_version)), init=0)
        if watches == "stream":
            var("modified", Map(self.Path, self.Revision), init=0)
        var("revision", self.Revision, init=0)
        if self.slots:
            var("seq", Range(0, len(self.slots)), init=0)
        var("session", Map(clients, Range(0, ttl)), init=ttl)
        if pause:
            var("paused", Map(clients, Range(0, pause)), init=0)
        if watches:
            var("watch", Map(clients, Option(self.Path)), init=None)
        if watches == "once":
            self.Event = RecordType("event", dst=clients, path=self.Path)
            var("events", SetOf(self.Event), init=())
            protocol.declare_messages("events", receiver="dst")
        if watches == "stream":
            var("seen", Map(clients, self.Revision), init=0)

    def environment(self, processes: str, **owned: Any) -> Environment:
        """The fault environment: the notifications are the network (loss drops one), the clients
        the processes (crash silences one; its session then expires). The service itself never
        fails or is cut off: its faults are Raft's business."""
        return Environment(network="events" if self.watches == "once" else None, sender="dst", receiver="dst",
                           processes=processes, **owned)

    # -- reading ---------------------------------------------------------------------------

    def exists(self, s: Any, k: str) -> Any:
        return s.data[k] != None  # noqa: E711 - symbolic equality

    def running(self, s: Any, c: Any) -> Any:
        """c is neither frozen in a GC pause nor crashed: it can take a step."""
        return And(self.protocol.faults.up(s, c), s.paused[c] == 0 if self.pause else True)

    def live(self, s: Any, c: Any) -> Any:
        """The service still holds c's session (c may not know it has expired)."""
        return s.session[c] > 0

    def ready(self, s: Any, c: Any) -> Any:
        """c can call the service now: it runs and its session is live."""
        return And(self.running(s, c), self.live(s, c))

    def slot_taken(self, s: Any, i: int) -> Any:
        """Sequential node number i exists."""
        return self.exists(s, self.slots[i])

    def none_below(self, s: Any, i: int) -> Any:
        """No sequential node numbered below i exists: i's owner is first in line (lock, election)."""
        return Not(Exists(range(i), lambda j: self.slot_taken(s, j)))

    def next_below(self, s: Any, i: int, j: int) -> Any:
        """Node j is the next existing node below i: the predecessor i's owner watches."""
        return And(j < i, self.slot_taken(s, j), Not(Exists(range(j + 1, i), lambda k: self.slot_taken(s, k))))

    # -- writing: each returns the next state, or None where the call fails -----------------

    def _writable(self, s: Any, c: Any) -> Any:
        return And(self.ready(s, c), s.revision < self.max_revision)

    def _write(self, s: Any, k: str, value: Any, owner: Any, changes: dict | None = None) -> Any:
        """Node k gets ``value`` (None: deleted) at the next revision; triggers on k fire."""
        rev = s.revision + 1
        upd: dict[str, Any] = {"data": s.data.set(k, value), "owner": s.owner.set(k, owner), "revision": rev}
        if self.watches == "stream":
            upd["modified"] = s.modified.set(k, rev)
        upd.update(self._fire(s, lambda p: p == k))
        upd.update(changes or {})
        return s.update(**upd)

    def _fire(self, s: Any, changed: Callable[[str], Any]) -> dict:
        """One-time triggers on changed paths become notifications and are cleared."""
        if self.watches != "once":
            return {}
        watch, events = s.watch, s.events
        for c in self.clients:
            hit = Exists(self.paths, lambda p, c=c: And(s.watch[c] == p, changed(p)))
            events = If(hit, events | {self.Event(c, s.watch[c])}, events)
            watch = watch.set(c, If(hit, None, s.watch[c]))
        return {"watch": watch, "events": events}

    def create(self, s: Any, c: Any, k: str, value: Any = PRESENT, *, ephemeral: bool = False) -> Any:
        """c creates node k (fails where it exists: ZooKeeper's NodeExists, etcd's failed txn)."""
        if s.guard(And(self._writable(s, c), Not(self.exists(s, k)))):
            extra = {}
            if self.tokens:
                extra["created"] = s.created.set(k, s.revision + 1)
            if self.max_version:
                extra["version"] = s.version.set(k, 0)
            return self._write(s, k, value, c if ephemeral else None, extra)
        return None

    def create_sequential(self, s: Any, c: Any, value: Any = PRESENT, *, ephemeral: bool = True) -> Any:
        """c creates the next sequential node, number ``s.seq`` (read it before the call)."""
        if s.guard(s.seq < len(self.slots)):
            for i, k in enumerate(self.slots):
                if s.guard(s.seq == i):
                    t = self.create(s, c, k, value, ephemeral=ephemeral)
                    return None if t is None else t.update(seq=s.seq + 1)
        return None

    def set(self, s: Any, c: Any, k: str, value: Any, *, expect: Any = None) -> Any:
        """c writes ``value`` to existing node k; ``expect=v``: only if its version is still v
        (ZooKeeper's setData with a version, etcd's txn on mod_revision: compare-and-set)."""
        conds = [self._writable(s, c), self.exists(s, k)]
        extra = {}
        if self.max_version:
            conds.append(s.version[k] < self.max_version)
            extra["version"] = s.version.set(k, s.version[k] + 1)
        if expect is not None:
            conds.append(s.version[k] == expect)
        if s.guard(And(*conds)):
            return self._write(s, k, value, s.owner[k], extra)
        return None

    def delete(self, s: Any, c: Any, k: str) -> Any:
        """c deletes node k (fails where there is none)."""
        if s.guard(And(self._writable(s, c), self.exists(s, k))):
            return self._write(s, k, None, None)
        return None

    def reconnect(self, s: Any, c: Any) -> Any:
        """c, told its session expired, opens a new one (its old ephemeral nodes are gone)."""
        if s.guard(And(self.running(s, c), Not(self.live(s, c)),
                       Not(Exists(self.paths, lambda p: s.owner[p] == c)))):
            extra = {"watch": s.watch.set(c, None)} if self.watches else {}
            return s.update(session=s.session.set(c, self.ttl), **extra)
        return None

    # -- watches ---------------------------------------------------------------------------

    def watch_once(self, s: Any, c: Any, k: Any) -> Any:
        """c sets a one-time trigger on path k (with its read: getData/exists with watch=true)."""
        return s.update(watch=s.watch.set(c, k))

    def notified(self, s: Any, e: Any) -> Any:
        """Notification e may be taken now (it is in flight, to a client that can run)."""
        faults = self.protocol.faults
        return And(faults.deliverable(s, e) if faults.env.network == "events" else True, self.running(s, e.dst))

    def take(self, s: Any, e: Any) -> Any:
        """The notifications once e is taken (it stays, under the fault "duplication")."""
        faults = self.protocol.faults
        return faults.receive(s, e) if faults.env.network == "events" else s.events - {e}

    def watch_from(self, s: Any, c: Any, k: Any, revision: Any) -> Any:
        """c streams the changes to path k after ``revision`` (etcd's Watch with start_revision)."""
        return s.update(watch=s.watch.set(c, k), seen=s.seen.set(c, revision))

    def stream_pending(self, s: Any, c: Any, k: str) -> Any:
        """c streams path k and a change it has not seen is waiting."""
        return And(s.watch[c] == k, s.modified[k] > s.seen[c])

    def stream_next(self, s: Any, c: Any, k: str) -> dict:
        """The updates once c has taken the latest change to k."""
        return {"seen": s.seen.set(c, s.modified[k])}

    # -- the service's own actions ---------------------------------------------------------

    def add_actions(self) -> None:
        p = self.protocol
        p.add_action("tick", self._tick, "a tick passes: running clients heartbeat, countdowns run down")
        if self.pause or p.faults.crash:
            p.add_action("expire", self._expire, "the service expires c's lapsed session and deletes its ephemeral "
                         "nodes", c=self.clients)
        if self.pause:
            p.add_action("gc_pause", self._gc_pause, "c freezes in a stop-the-world GC pause", c=self.clients)

    def _tick(self, s: Any) -> Any:
        session = s.session
        for c in self.clients:
            session = session.set(c, If(Not(self.live(s, c)), 0,
                                        If(self.running(s, c), self.ttl, session[c] - 1)))
        extra = {}
        if self.pause:
            paused = s.paused
            for c in self.clients:
                paused = paused.set(c, If(paused[c] > 0, paused[c] - 1, 0))
            extra["paused"] = paused
        t = s.update(session=session, **extra)
        return t if self.on_tick is None else self.on_tick(s, t)

    def _expire(self, s: Any, c: Any) -> Any:
        if s.guard(And(Not(self.live(s, c)), s.revision < self.max_revision,
                       Or(*(s.owner[k] == c for k in self.paths)))):
            data, owner = s.data, s.owner
            for k in self.paths:
                gone = s.owner[k] == c
                data = data.set(k, If(gone, None, data[k]))
                owner = owner.set(k, If(gone, None, owner[k]))
            rev = s.revision + 1
            upd: dict[str, Any] = {"data": data, "owner": owner, "revision": rev}
            if self.watches == "stream":
                modified = s.modified
                for k in self.paths:
                    modified = modified.set(k, If(s.owner[k] == c, rev, modified[k]))
                upd["modified"] = modified
            upd.update(self._fire(s, lambda k: s.owner[k] == c))
            return s.update(**upd)
        return None

    def _gc_pause(self, s: Any, c: Any) -> Any:
        allowed = self.pausable(s, c) if self.pausable is not None else True
        if s.guard(And(self.running(s, c), self.live(s, c), allowed)):
            return s.update(paused=s.paused.set(c, self.pause))
        return None
