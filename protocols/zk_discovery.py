"""Service discovery by ephemeral registration (the seed's section 4.2, "service discovery").

Each server registers itself with an *ephemeral* node, /services/s1, /services/s2, and keeps its
session alive by heartbeating; a router (a client of the service) lists the registrations, routes
its requests to one of them and watches that registration. The recipe:
  ``register(v)``  server v creates its ephemeral node /services/v;
  ``lookup(v)``    the router lists /services/, routes to the registered server v and sets a
                   one-time watch on /services/v (ZooKeeper's exists with watch=true);
  ``notice(e)``    the watch fires: the registration is gone (the notification is taken at once);
  ``refresh(v)``   within ``lag`` ticks of the notification the router lists /services/ again and
                   routes to a registered server v, re-arming its watch on /services/v
                   (``refresh_empty``: none is registered, so it routes nowhere).
A server that freezes in a GC pause or crashes stops heartbeating; after ``ttl`` ticks the
service expires its session and deletes its registration, the router's watch fires, and the
router moves on. Until then the router keeps sending requests to a server that cannot answer.

How long? A bounded invariant answers: ``stale`` counts the ticks for which the router has routed
to a server that is not serving (frozen, crashed, or with its session expired), and
``stale_routing_at_most_K`` says it never exceeds ``K`` (the parameter ``bound``). The stop is
silent, so the service needs the whole TTL to notice (``ttl`` ticks), expires the session at the
tick it lapses and delivers the notification at once, and the router then takes up to ``lag``
ticks to re-list: the bound is ``ttl + lag``. The checker shows both halves: K = ttl + lag holds,
K = ttl + lag - 1 is violated, and its trace is a run that reaches the maximum (with TTL 2 and lag
1: 3 holds, and 2 fails in 8 steps: register, lookup, gc_pause, two ticks, the expiry, the
notification, one tick of lag). Measured for TTL 1..3 and lag 0..2, with GC pauses and with the
fault "crash": the smallest K that holds is ttl + lag every time. Only the lag is spent after the
session has expired; the TTL is spent before, while the service still counts the server as alive.
With the fault "loss" (a notification dropped) no bound holds: the router is never told.

Time waits (the tick is disabled) for what the model treats as prompt: the expiry of a lapsed
session that still owns a node (ZooKeeper's session tracker expires sessions at tick boundaries),
a notification in flight to the running router, and a refresh whose ``lag`` is used up. Without
that the router could simply never act, and no bound would hold; with it, the number is the
recipe's, not the model's.

State: the service's (``checker.dsl.coordination``: data, owner, revision, session, paused, watch,
events) and ``pc[v]`` (starting, serving: registered once) per server; the router's ``route``
(the server it sends requests to, or None), ``pending`` (a notification it has not yet acted on),
``waited`` (the ticks since that notification) and ``stale`` (ticks routed to a server that is not
serving, capped at K + 1).

Properties: ``stale_routing_at_most_K`` (stale <= K), the goals ``routed`` (the router routes to a
server), ``routed_after_expiry`` (it still routes to a server whose session has expired: the
window is real) and ``failover`` (it routes to a serving server after another's registration
vanished).

Variants:
  correct                  ephemeral registrations, the watch re-armed at every refresh
  persistent-registration  a server registers a persistent node: a dead server stays registered
                           for ever, no watch fires, and the invariant fails for every K
                           (K + 4 steps)
  watch-not-rearmed        a refresh re-lists without re-arming the one-time watch: the router
                           survives the first failure and routes to the second dead server for
                           ever (fails for every K)
"""

from __future__ import annotations

from checker.dsl import *

ROUTER = "router"


class ZkDiscovery(Protocol):
    """Service discovery on ephemeral registrations, with a router that watches the server it routes to."""

    small_instance = {"servers": 2}

    servers = Param(2, "number of servers s1..sN", min=1)
    ttl = Param(2, "session timeout in ticks", min=1)
    pause = Param(3, "length of a GC pause in ticks (longer than the session timeout)", min=1)
    lag = Param(0, "ticks the router may take to re-list after a notification", min=0)
    bound = Param(2, "K in stale_routing_at_most_K: ticks the router may route to a server that is not serving",
                  min=0)
    variant = Variant(correct="ephemeral registrations, the watch re-armed at every refresh")

    def setup(self) -> None:
        self.Server = Nodes("s", self.servers)
        self.Client = Enum(*self.Server, ROUTER)
        self.path = {v: f"/services/{v}" for v in self.Server}
        # every write: a server registers once, and its registration is deleted once (by expiry)
        self.zk = CoordinationService(self, self.Client, paths=list(self.path.values()), ttl=self.ttl,
                                      pause=self.pause, watches="once", max_revision=2 * self.servers,
                                      pausable=lambda s, c: c != ROUTER, on_tick=self.clock)
        self.components = (self.zk,)
        self.cap = self.bound + 1
        self.var("pc", Map(self.Server, Enum("starting", "serving")), init="starting")
        self.var("route", Option(self.Server), init=None)
        self.var("pending", Bool(), init=False)
        self.var("waited", Range(0, self.lag), init=0)
        self.var("stale", Range(0, self.cap), init=0)
        self.environment = self.zk.environment("Client")

    # -- the servers -------------------------------------------------------------------------

    @action(v="Server")
    def register(self, s, v):
        """Server v registers: it creates its node /services/v."""
        if s.guard(s.pc[v] == "starting"):
            t = self.zk.create(s, v, self.path[v], ephemeral=self.ephemeral())
            if t is not None:
                return t.update(pc=s.pc.set(v, "serving"))

    def ephemeral(self) -> bool:
        """The registration is ephemeral: it lives as long as the server's session."""
        return True

    @variant("persistent-registration", "servers register persistent nodes, which outlive their sessions")
    def ephemeral(self) -> bool:
        """The registration is persistent: nothing deletes it when the server dies."""
        return False

    # -- the router --------------------------------------------------------------------------

    def serving(self, s, v):
        """Server v can answer: it runs and its session is live (so it is registered)."""
        return self.zk.ready(s, v)

    def down_for(self, s, v):
        """How long v has not been serving, as the router can tell from the service: the ticks its
        session has gone without a heartbeat (the whole TTL once it expired)."""
        return If(self.serving(s, v), 0, self.ttl - s.session[v])

    def capped(self, n):
        return If(n > self.cap, self.cap, n)

    def route_to(self, s, v, *, watch: bool = True):
        """The router routes to v (and watches /services/v)."""
        t = self.zk.watch_once(s, ROUTER, self.path[v]) if watch else s
        return t.update(route=v, stale=self.capped(self.down_for(s, v)))

    @action(v="Server")
    def lookup(self, s, v):
        """The router, routing nowhere, lists /services/ and routes to the registered server v."""
        if s.guard(And(s.route == None, Not(s.pending), self.zk.ready(s, ROUTER),  # noqa: E711
                       self.zk.exists(s, self.path[v]))):
            return self.route_to(s, v)

    @action(e=From("events"))
    def notice(self, s, e):
        """The router's watch fires: the registration it routes to is gone."""
        if s.guard(And(e.dst == ROUTER, self.zk.notified(s, e))):
            return s.update(events=self.zk.take(s, e), pending=True, waited=0)

    @action(v="Server")
    def refresh(self, s, v):
        """The router, notified, lists /services/ again and routes to the registered server v."""
        if s.guard(And(s.pending, self.zk.ready(s, ROUTER), self.zk.exists(s, self.path[v]))):
            return self.route_to(s, v, watch=self.rearm()).update(pending=False, waited=0)

    def rearm(self) -> bool:
        """A refresh re-arms the watch: ZooKeeper's watches fire once."""
        return True

    @variant("watch-not-rearmed", "a refresh re-lists without setting the one-time watch again")
    def rearm(self) -> bool:
        """The watcher re-reads the list but passes no watch: the next change goes unnoticed."""
        return False

    @action
    def refresh_empty(self, s):
        """The router, notified, lists /services/ again and finds no server: it routes nowhere."""
        if s.guard(And(s.pending, self.zk.ready(s, ROUTER),
                       Not(Exists(self.Server, lambda v: self.zk.exists(s, self.path[v]))))):
            return s.update(route=None, pending=False, waited=0, stale=0)

    # -- time --------------------------------------------------------------------------------

    def prompt(self, s):
        """What happens before time passes: a lapsed session's expiry, a notification to the
        running router, a refresh whose lag is used up."""
        due = Exists(self.Client, lambda c: And(Not(self.zk.live(s, c)),
                                                 Exists(self.zk.paths, lambda k: s.owner[k] == c)))
        told = Exists(s.events, lambda e: self.zk.notified(s, e))
        late = And(s.pending, s.waited >= self.lag, self.zk.running(s, ROUTER))
        return Or(due, told, late)

    def clock(self, s, t):
        """The router's part of a tick: it waits for what is prompt, counts the ticks a notification
        waits, and the ticks it routes to a server that is not serving."""
        if s.guard(Not(self.prompt(s))):
            bad = And(self.zk.running(s, ROUTER), Exists(self.Server, lambda v: And(s.route == v,
                                                                                   Not(self.serving(s, v)))))
            return t.update(waited=If(And(s.pending, s.waited < self.lag), s.waited + 1, s.waited),
                            stale=If(bad, self.capped(s.stale + 1), 0))
        return None

    # -- properties --------------------------------------------------------------------------

    @always
    def stale_routing_at_most_K(self, s):
        """The router never routes to a server that is not serving for more than K ticks."""
        return s.stale <= self.bound

    def explain_stale_routing_at_most_K(self, s) -> str:
        head = f"the router has sent requests to {s.route} for {s.stale} ticks after it stopped serving, more than " \
               f"the {self.bound} allowed: "
        k = self.path[s.route] if s.route is not None else None
        if k is not None and s.data[k] is not None and s.owner[k] is None:
            return head + f"{k} is a persistent node, which outlives the session: nothing deletes it, no watch fires"
        if k is not None and s.data[k] is None and not s.pending and s.watch[ROUTER] != k:
            return head + f"{k} is gone, but no notification reached the router (its watch was not armed, or was lost)"
        return head + (f"the service needs the session timeout ({self.ttl} ticks) to notice, and the router up to "
                       f"{self.lag} more to re-list")

    @sometimes
    def routed(self, s):
        """The router routes to a server."""
        return s.route != None  # noqa: E711

    @sometimes
    def routed_after_expiry(self, s):
        """The router still routes to a server whose session has expired."""
        return Exists(self.Server, lambda v: And(s.route == v, Not(self.zk.live(s, v))))

    @sometimes
    def failover(self, s):
        """The router routes to a serving server after another server's registration vanished."""
        return Exists(self.Server, lambda v: And(
            s.route == v, self.serving(s, v),
            Exists(self.Server, lambda w: And(s.pc[w] == "serving", Not(self.zk.exists(s, self.path[w]))))))
