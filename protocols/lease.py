"""A lease lock with and without fencing tokens (the seed's section 4.1 and quiz 7).

A lock service grants a *lease*: the lock, for ``ttl`` ticks. Each grant carries a *fencing
token*, a number one higher than the previous grant's (33, then 34, ...). The holder renews the
lease every ``renew_period`` ticks while it keeps working. A client that stops renewing — because
it crashed, or because a garbage-collection pause froze it — loses the lease when the TTL runs out,
and the service may grant it to someone else.

The trap: a client checks that its lease is valid and then writes to the storage service. If a GC
pause longer than the TTL falls between the check and the write, the client wakes up still
believing it holds the lock, and its write lands *after* the new holder's:

    t=0  c1 is granted the lease, token 33 (valid until t=3); c1 checks its lease, starts a write
    t=0  c1 freezes in a GC pause of 4 ticks (it misses its renewals at t=1, t=2)
    t=3  the lease expires; c2 is granted it with token 34 and writes: storage holds c2's write
    t=4  c1 wakes and sends its write with token 33
         without fencing: the storage accepts it — c1's stale write overwrites c2's
         with fencing:    the storage has seen 34 and rejects 33 as stale

The lock service cannot stop c1 from *believing* it holds the lock (``single_holder`` fails in
every variant); only the storage, by checking tokens, can stop the belief from doing harm.

Time is discrete: ``tick`` advances the clock up to ``horizon``. A running client is fast compared
to a tick: between its lease check and its write the clock does not advance unless the client is
paused, so the GC pause is what opens the window (not an arbitrarily slow network). A pause
must end by the horizon. Any pause that straddles the expiry is enough: the seed's pause is longer
than the TTL, but a one-tick pause just before the lease ends breaks the unfenced lock too.

State:
  now                 the clock (0..horizon)
  holder, expires     the lock service: who holds the lease, and the tick at which it ends
  next_token          the token the service's next grant will carry (starts at ``first_token``)
  pc[c]               client c's step: "idle" (no lease), "holding" (has a lease), "writing"
                      (checked its lease, its write is next)
  token[c]            the fencing token of c's lease (None when idle)
  lease_end[c]        when c believes its lease ends (its last grant or renewal plus ``ttl``)
  paused_until[c]     c is frozen in a GC pause while now < paused_until[c]
  fence               the highest token the storage has accepted a write with
  stored              the token of the write the storage holds now (None before any write)

Actions (stable names and parameters: the simulation adapter of ``examples/`` drives a real
implementation in lockstep with them):
  grant(c)         the lock service grants c the lease (none held, or the last one expired)
  renew(c)         holder c renews its unexpired lease, ``renew_period`` ticks after the last
  check_lease(c)   c finds its lease still valid and starts a write
  gc_pause(c)      c freezes for ``pause`` ticks (possible whenever it has a lease)
  write(c)         c's write reaches the storage with token[c]; the storage accepts it, or (with
                   fencing) rejects a token below ``fence`` — then c learns it lost the lock
  lease_expires(c) c sees its lease has run out and stops acting as the holder
  tick()           time advances one tick

Properties:
  safe_writes     the stored write carries the highest token the storage has seen: no stale
                  holder's write lands after a newer holder's (storage-side mutual exclusion)
  handover        (reachability) a later lease's write gets stored: the lock changes hands
  single_holder   (not checked by default) at most one client believes it holds the lock —
                  false even with fencing, which is why fencing is needed

Variants:
  correct      the storage rejects any token below the highest it has seen: safe_writes holds
  no-fencing   the storage accepts every write: c1's stale write (token 33) lands after c2's
               (token 34) and safe_writes fails — the seed's timeline
"""

from __future__ import annotations

from checker import (
    And,
    Enum,
    Exists,
    ForAll,
    If,
    Map,
    Nodes,
    Not,
    Option,
    Or,
    Param,
    Protocol,
    QuorumError,
    Range,
    Variant,
    action,
    always,
    leads_to,
    sometimes,
)


class LeaseLock(Protocol):
    """A lease lock: TTL, renewals, GC pauses, fencing tokens checked by the storage."""

    small_instance = {"ttl": 2, "pause": 3, "horizon": 3}

    clients = Param(2, "number of clients c1..cN")
    ttl = Param(3, "lease length in ticks (the seed's 15 s, scaled down)")
    renew_period = Param(1, "ticks between renewals (the seed's 5 s)")
    pause = Param(4, "length of a GC pause in ticks (the seed's 20 s: longer than the TTL)")
    horizon = Param(5, "time runs from 0 to horizon")
    first_token = Param(33, "the fencing token of the first grant")
    variant = Variant(
        correct="the storage rejects writes whose token is below the highest it has seen",
        no_fencing="the storage accepts every write, whatever its token",
    )

    def setup(self) -> None:
        for name in ("clients", "ttl", "renew_period", "pause", "horizon"):
            value = self.params[name]
            if value < 1:
                raise QuorumError(f"LeaseLock: parameter {name} must be at least 1, not {value} (e.g. -p {name}=2)")
        self.Client = Nodes("c", self.clients)
        # A grant needs the previous lease to have expired, so at most horizon // ttl + 1 happen.
        grants = self.horizon // self.ttl + 1
        self.Token = Range(self.first_token, self.first_token + grants - 1)
        self.later_tokens = self.Token.values()[1:]
        last_tick = self.horizon + max(self.ttl, self.pause)

        self.var("now", Range(0, self.horizon), init=0)
        self.var("holder", Option(self.Client), init=None)
        self.var("expires", Range(0, last_tick), init=0)
        self.var("next_token", Range(self.first_token, self.first_token + grants), init=self.first_token)
        self.var("pc", Map(self.Client, Enum("idle", "holding", "writing")), init="idle")
        self.var("token", Map(self.Client, Option(self.Token)), init=None)
        self.var("lease_end", Map(self.Client, Range(0, last_tick)), init=0)
        self.var("paused_until", Map(self.Client, Range(0, last_tick)), init=0)
        self.var("fence", Range(self.first_token - 1, self.Token.hi), init=self.first_token - 1)
        self.var("stored", Option(self.Token), init=None)

    def running(self, s, c):
        """c is not frozen in a GC pause."""
        return s.now >= s.paused_until[c]

    # -- lock service --------------------------------------------------------------------------

    @action(c="Client")
    def grant(self, s, c):
        """The lock service grants c the lease with the next token, if no unexpired lease exists."""
        if s.guard(And(s.pc[c] == "idle", self.running(s, c), Or(s.holder == None, s.now >= s.expires))):  # noqa: E711
            return s.update(
                holder=c,
                expires=s.now + self.ttl,
                next_token=s.next_token + 1,
                pc=s.pc.set(c, "holding"),
                token=s.token.set(c, s.next_token),
                lease_end=s.lease_end.set(c, s.now + self.ttl),
            )

    @action(c="Client")
    def renew(self, s, c):
        """Holder c renews its lease, renew_period ticks after the last grant or renewal."""
        renew_due = s.now >= s.lease_end[c] - self.ttl + self.renew_period
        if s.guard(And(s.pc[c] == "holding", self.running(s, c), renew_due,
                       s.holder == c, s.now < s.expires)):
            return s.update(expires=s.now + self.ttl, lease_end=s.lease_end.set(c, s.now + self.ttl))

    # -- clients --------------------------------------------------------------------------------

    @action(c="Client")
    def check_lease(self, s, c):
        """c checks that its lease is still valid and starts a write (the write itself is next)."""
        if s.guard(And(s.pc[c] == "holding", self.running(s, c), s.now < s.lease_end[c])):
            return s.update(pc=s.pc.set(c, "writing"))

    @action(c="Client")
    def gc_pause(self, s, c):
        """c freezes in a stop-the-world GC pause of `pause` ticks; it cannot renew meanwhile."""
        if s.guard(And(s.pc[c] != "idle", self.running(s, c), s.now + self.pause <= self.horizon)):
            return s.update(paused_until=s.paused_until.set(c, s.now + self.pause))

    @action(c="Client")
    def lease_expires(self, s, c):
        """c notices its lease has run out and stops acting as the holder."""
        if s.guard(And(s.pc[c] == "holding", self.running(s, c), s.now >= s.lease_end[c])):
            return s.update(pc=s.pc.set(c, "idle"), token=s.token.set(c, None))

    # -- storage --------------------------------------------------------------------------------

    @action(c="Client")
    def write(self, s, c):
        """c's write reaches the storage with its token; with fencing a stale token is rejected."""
        if s.guard(And(s.pc[c] == "writing", self.running(s, c))):
            t = s.token[c]
            if self.variant == "correct" and s.guard(t < s.fence):
                return s.update(pc=s.pc.set(c, "idle"), token=s.token.set(c, None))
            return s.update(pc=s.pc.set(c, "holding"), stored=t, fence=If(t > s.fence, t, s.fence))

    # -- time -----------------------------------------------------------------------------------

    @action
    def tick(self, s):
        """One tick passes; a running client finishes a started write before the clock moves."""
        mid_write = Exists(self.Client, lambda c: And(s.pc[c] == "writing", self.running(s, c)))
        if s.guard(And(s.now < self.horizon, Not(mid_write))):
            return s.update(now=s.now + 1)

    # -- properties -----------------------------------------------------------------------------

    @always
    def safe_writes(self, s):
        """The stored write carries the highest token the storage has seen: none is stale."""
        return Or(s.stored == None, s.stored == s.fence)  # noqa: E711 - symbolic equality

    @sometimes
    def handover(self, s):
        """A later lease's write is stored: the lock changed hands at least once."""
        return Exists(self.later_tokens, lambda t: s.stored == t)

    @always(default=False)
    def single_holder(self, s):
        """At most one client believes it holds the lock (fails even with fencing)."""
        clients = self.Client.values()
        return ForAll(
            [(a, b) for i, a in enumerate(clients) for b in clients[i + 1:]],
            lambda p: Or(s.pc[p[0]] == "idle", s.pc[p[1]] == "idle"),
        )

    @leads_to(c="Client")
    def waiting_client_acquires(self, s, c):
        """A client without the lease eventually gets it (liveness, under a spec's [fairness])."""
        return s.pc[c] == "idle", s.pc[c] != "idle"
