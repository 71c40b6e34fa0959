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

Time is discrete. A running client is fast compared to a tick: between its lease check and its
write the clock does not advance unless the client is paused, so the GC pause is what opens the
window (not an arbitrarily slow network). Any pause that straddles the expiry is enough: the seed's
pause is longer than the TTL, but a one-tick pause just before the lease ends breaks the unfenced
lock too. A holder that is done gives the lease back (``release``); the service can grant it again
at once.

Two clocks (parameter ``clock``):
  absolute (default; safety)  ``now`` runs 0..horizon and deadlines are absolute; a pause must end by
      the horizon, where time stands still (a tick changes nothing: the bounded run may end there).
      Tokens are the numbers issued (33, 34, ...); releases could make grants unbounded, so the
      service grants at most horizon // ttl + 1 leases (without releases, every grant a run can
      make). The explicit engine, Z3 and ``examples/leaselock`` use this clock.
  relative (liveness)  no ``now``: the service keeps the ticks left on its lease (``expires_in``),
      each client the ticks left on the lease it believes it holds and on its pause. Time is
      unbounded but the state space finite: a tick counts every countdown down, and once they are
      all 0 it changes nothing. Tokens are only ever compared, so after each step they are
      renumbered by order, closing the gaps left by tokens no longer in use (33, 34, 35 with 33
      forgotten become 33, 34): the same behaviours with a bounded token domain. Explicit and
      liveness engines only (renumbering needs concrete tokens).

Liveness (``waiting_client_acquires``: a client without the lease eventually holds it), checked on
the relative clock (2 clients, TTL 3, renew 1, pause 4: 5,609 states):
  holds (``specs/lease-liveness.toml``) with exactly these fairness assumptions:
    tick = "weak"          time passes, so a frozen or silent holder's lease expires (a tick is
                           disabled only while a running client finishes a write)
    release = "strong(c)"  a client that holds the lock again and again eventually gives it back
                           (weak is not enough: a holder that keeps writing is not holding throughout)
    grant = "strong(c)"    the service does not starve c: free again and again, the lock goes to c
                           (weak is not enough: the other client can take it back each time)
    write = "weak(c)"      a started write reaches the storage (else the clock stops)
  Nothing else need be fair (renew, check_lease, lease_expires, gc_pause). Drop any one and it is
  violated: without release fairness the holder renews for ever (``lease-liveness-no-release``: grant,
  then tick, renew repeating: 3 steps); without time the holder freezes in a GC pause and its lease
  never expires (``lease-liveness-no-expiry``: grant, gc_pause, then nothing: 2 steps); with weak
  release the holder keeps writing and renewing (release is disabled at each write); with weak grant
  the other client re-takes the lock each time it is free. On the absolute
  clock the same assumptions fail at the bounds (``lease-liveness-horizon``: bounds hit
  now = horizon and next_token, the grant bound) — an artefact of the bounded clock.

State (absolute clock; the relative clock's replacements in brackets):
  now                 the clock (0..horizon)                      [none]
  holder, expires     the lock service: who holds the lease, and the tick at which it ends
                                                                  [expires_in: ticks left]
  next_token          the token the service's next grant will carry (starts at ``first_token``)
  pc[c]               client c's step: "idle" (no lease), "holding" (has a lease), "writing"
                      (checked its lease, its write is next)
  token[c]            the fencing token of c's lease (None when idle)
  lease_end[c]        when c believes its lease ends (its last grant or renewal plus ``ttl``)
                                                                  [lease_left[c]: ticks left]
  paused_until[c]     c is frozen in a GC pause while now < paused_until[c]
                                                                  [pause_left[c]: ticks left]
  fence               the highest token the storage has accepted a write with
  stored              the token of the write the storage holds now (None before any write)
  handed_over         [relative only] a later lease's write has been stored

Actions (stable names and parameters: the simulation adapter of ``examples/`` drives a real
implementation in lockstep with them):
  grant(c)         the lock service grants c the lease (none held, or the last one expired)
  renew(c)         holder c renews its unexpired lease, ``renew_period`` ticks after the last
  check_lease(c)   c finds its lease still valid and starts a write
  gc_pause(c)      c freezes for ``pause`` ticks (possible whenever it has a lease)
  write(c)         c's write reaches the storage with token[c]; the storage accepts it, or (with
                   fencing) rejects a token below ``fence`` — then c learns it lost the lock
  lease_expires(c) c sees its lease has run out and stops acting as the holder
  release(c)       holder c is done and gives the lease back (the service ends it if still c's)
  tick()           time advances one tick

Properties:
  safe_writes     the stored write carries the highest token the storage has seen: no stale
                  holder's write lands after a newer holder's (storage-side mutual exclusion)
  handover        (reachability) a later lease's write gets stored: the lock changes hands
  single_holder   (not checked by default) at most one client believes it holds the lock —
                  false even with fencing, which is why fencing is needed
  waiting_client_acquires  (liveness, checked when a spec names it) idle(c) leads to c holding

Variants:
  correct      the storage rejects any token below the highest it has seen: safe_writes holds
  no-fencing   the storage accepts every write: c1's stale write (token 33) lands after c2's
               (token 34) and safe_writes fails — the seed's timeline
"""

from __future__ import annotations

from checker.dsl import *


class LeaseLock(Protocol):
    """A lease lock: TTL, renewals, releases, GC pauses, fencing tokens checked by the storage."""

    small_instance = {"ttl": 2, "pause": 3, "horizon": 3}

    clients = Param(2, "number of clients c1..cN", min=1)
    ttl = Param(3, "lease length in ticks (the seed's 15 s, scaled down)", min=1)
    renew_period = Param(1, "ticks between renewals (the seed's 5 s)", min=1)
    pause = Param(4, "length of a GC pause in ticks (the seed's 20 s: longer than the TTL)", min=1)
    horizon = Param(5, "time runs from 0 to horizon (absolute clock only)", min=1)
    first_token = Param(33, "the fencing token of the first grant")
    clock = Param("absolute", "absolute: time 0..horizon, tokens as issued (safety); relative: ticks left, "
                  "unbounded time, tokens renumbered by order (liveness)", choices=("absolute", "relative"))
    variant = Variant(correct="the storage rejects writes whose token is below the highest it has seen")

    def setup(self) -> None:
        for name in ("clients", "ttl", "renew_period", "pause", "horizon"):
            value = self.params[name]
            if value < 1:
                raise QuorumError(f"LeaseLock: parameter {name} must be at least 1, not {value} (e.g. -p {name}=2)")
        self.Client = Nodes("c", self.clients)
        self.relative = self.clock == "relative"
        if self.relative:
            # Tokens are only compared, so renumbering them by order keeps every behaviour: first_token - 1
            # ("no write yet"), the clients' tokens, fence, stored and next_token are clients + 4 values.
            self.Token = Range(self.first_token, self.first_token + self.clients + 2)
            tokens = self.Token
        else:
            # Without releases a grant needs the previous lease to have expired, so a run makes at most
            # horizon // ttl + 1 grants; releases could make more, so grant stops there (the token bound).
            grants = self.horizon // self.ttl + 1
            self.Token = Range(self.first_token, self.first_token + grants - 1)
            tokens = Range(self.first_token, self.first_token + grants)
        self.later_tokens = self.Token.values()[1:]
        last_tick = self.horizon + max(self.ttl, self.pause)

        if not self.relative:
            self.var("now", Range(0, self.horizon), init=0)
        self.var("holder", Option(self.Client), init=None)
        if self.relative:
            self.var("expires_in", Range(0, self.ttl), init=0)
        else:
            self.var("expires", Range(0, last_tick), init=0)
        self.var("next_token", tokens, init=self.first_token)
        self.var("pc", Map(self.Client, Enum("idle", "holding", "writing")), init="idle")
        self.var("token", Map(self.Client, Option(self.Token)), init=None)
        if self.relative:
            self.var("lease_left", Map(self.Client, Range(0, self.ttl)), init=0)
            self.var("pause_left", Map(self.Client, Range(0, self.pause)), init=0)
        else:
            self.var("lease_end", Map(self.Client, Range(0, last_tick)), init=0)
            self.var("paused_until", Map(self.Client, Range(0, last_tick)), init=0)
        self.var("fence", Range(self.first_token - 1, self.Token.hi), init=self.first_token - 1)
        self.var("stored", Option(self.Token), init=None)
        if self.relative:
            self.var("handed_over", Bool(), init=False)  # renumbered tokens cannot tell a later lease's write
            # Countdowns reset to their full length and renumbered tokens: at their maximum they saturate
            # nothing, so a lasso through them is no artefact of a bound (checker.explicit.liveness.bounds_hit).
            self.not_bounds = ("expires_in", "lease_left", "pause_left", "next_token", "token", "fence", "stored")

    # -- the clock: absolute (now, deadlines) or relative (ticks left) ----------------------------

    def running(self, s, c):
        """c is not frozen in a GC pause."""
        return s.pause_left[c] == 0 if self.relative else s.now >= s.paused_until[c]

    def service_lease_over(self, s):
        """The lock service's current lease has run out (or none was granted)."""
        return s.expires_in == 0 if self.relative else s.now >= s.expires

    def believes_valid(self, s, c):
        """c's own clock says its lease has not ended."""
        return s.lease_left[c] > 0 if self.relative else s.now < s.lease_end[c]

    def renew_due(self, s, c):
        """renew_period ticks have passed since c's last grant or renewal."""
        if self.relative:
            return s.lease_left[c] <= self.ttl - self.renew_period
        return s.now >= s.lease_end[c] - self.ttl + self.renew_period

    def lease_from_now(self, s, c):
        """The updates that give c a fresh lease of ttl ticks, at the service and in c's belief."""
        if self.relative:
            return {"expires_in": self.ttl, "lease_left": s.lease_left.set(c, self.ttl)}
        return {"expires": s.now + self.ttl, "lease_end": s.lease_end.set(c, s.now + self.ttl)}

    def renumber(self, s):
        """Relative clock: tokens renumbered by order above first_token - 1, forgetting those not in use."""
        if not self.relative or s is None:
            return s
        held = [s.token[c] for c in self.Client if s.token[c] is not None]
        used = sorted({self.first_token - 1, s.fence, s.next_token, *held, *([] if s.stored is None else [s.stored])})
        rank = {v: self.first_token - 1 + i for i, v in enumerate(used)}
        if all(rank[v] == v for v in used):
            return s
        token = s.token
        for c in self.Client:
            if token[c] is not None:
                token = token.set(c, rank[token[c]])
        return s.update(token=token, fence=rank[s.fence], next_token=rank[s.next_token],
                        stored=None if s.stored is None else rank[s.stored])

    # -- lock service --------------------------------------------------------------------------

    @action(c="Client")
    def grant(self, s, c):
        """The lock service grants c the lease with the next token, if no unexpired lease exists."""
        supply = True if self.relative else s.next_token <= self.Token.hi
        if s.guard(And(s.pc[c] == "idle", self.running(s, c), supply,
                       Or(s.holder == None, self.service_lease_over(s)))):  # noqa: E711
            return self.renumber(s.update(
                holder=c,
                next_token=s.next_token + 1,
                pc=s.pc.set(c, "holding"),
                token=s.token.set(c, s.next_token),
                **self.lease_from_now(s, c),
            ))

    @action(c="Client")
    def renew(self, s, c):
        """Holder c renews its lease, renew_period ticks after the last grant or renewal."""
        if s.guard(And(s.pc[c] == "holding", self.running(s, c), self.renew_due(s, c),
                       s.holder == c, Not(self.service_lease_over(s)))):
            return s.update(**self.lease_from_now(s, c))

    # -- clients --------------------------------------------------------------------------------

    @action(c="Client")
    def check_lease(self, s, c):
        """c checks that its lease is still valid and starts a write (the write itself is next)."""
        if s.guard(And(s.pc[c] == "holding", self.running(s, c), self.believes_valid(s, c))):
            return s.update(pc=s.pc.set(c, "writing"))

    @action(c="Client")
    def gc_pause(self, s, c):
        """c freezes in a stop-the-world GC pause of `pause` ticks; it cannot renew meanwhile."""
        if self.relative:
            if s.guard(And(s.pc[c] != "idle", self.running(s, c))):
                return s.update(pause_left=s.pause_left.set(c, self.pause))
        elif s.guard(And(s.pc[c] != "idle", self.running(s, c), s.now + self.pause <= self.horizon)):
            return s.update(paused_until=s.paused_until.set(c, s.now + self.pause))

    @action(c="Client")
    def lease_expires(self, s, c):
        """c notices its lease has run out and stops acting as the holder."""
        if s.guard(And(s.pc[c] == "holding", self.running(s, c), Not(self.believes_valid(s, c)))):
            return self.renumber(s.update(pc=s.pc.set(c, "idle"), token=s.token.set(c, None)))

    @action(c="Client")
    def release(self, s, c):
        """Holder c is done and gives the lease back: the service ends it if it is still c's."""
        if s.guard(And(s.pc[c] == "holding", self.running(s, c))):
            mine = s.holder == c
            if self.relative:
                ended = {"expires_in": If(mine, 0, s.expires_in), "lease_left": s.lease_left.set(c, 0)}
            else:
                ended = {"expires": If(mine, s.now, s.expires), "lease_end": s.lease_end.set(c, s.now)}
            return self.renumber(s.update(pc=s.pc.set(c, "idle"), token=s.token.set(c, None),
                                          holder=If(mine, None, s.holder), **ended))

    # -- storage --------------------------------------------------------------------------------

    @action(c="Client")
    def write(self, s, c):
        """c's write reaches the storage with its token; with fencing a stale token is rejected."""
        if s.guard(And(s.pc[c] == "writing", self.running(s, c))):
            t = s.token[c]
            if s.guard(self.stale(s, t)):
                return self.renumber(s.update(pc=s.pc.set(c, "idle"), token=s.token.set(c, None)))
            # relative clock: a write with a token above every earlier write's marks a handover
            extra = {"handed_over": Or(s.handed_over, And(s.stored != None, t > s.fence))} if self.relative else {}  # noqa: E711
            return self.renumber(s.update(pc=s.pc.set(c, "holding"), stored=t, fence=If(t > s.fence, t, s.fence),
                                          **extra))

    def stale(self, s, t):
        """The storage rejects a write with token t: it has seen a higher token (the fencing check)."""
        return t < s.fence

    @variant("no-fencing", "the storage accepts every write, whatever its token")
    def stale(self, s, t):
        """No fencing: no token is stale to the storage."""
        return False

    # -- time -----------------------------------------------------------------------------------

    @action
    def tick(self, s):
        """One tick passes; a running client finishes a started write before the clock moves."""
        mid_write = Exists(self.Client, lambda c: And(s.pc[c] == "writing", self.running(s, c)))
        if self.relative:
            if s.guard(Not(mid_write)):
                lease_left, pause_left = s.lease_left, s.pause_left
                for c in self.Client:
                    lease_left = lease_left.set(c, If(lease_left[c] > 0, lease_left[c] - 1, 0))
                    pause_left = pause_left.set(c, If(pause_left[c] > 0, pause_left[c] - 1, 0))
                return s.update(expires_in=If(s.expires_in > 0, s.expires_in - 1, 0),
                                lease_left=lease_left, pause_left=pause_left)
        elif s.guard(Not(mid_write)):  # at the horizon time stands still: the bounded run may end there
            return s.update(now=If(s.now < self.horizon, s.now + 1, s.now))

    # -- properties -----------------------------------------------------------------------------

    @always
    def safe_writes(self, s):
        """The stored write carries the highest token the storage has seen: none is stale."""
        return Or(s.stored == None, s.stored == s.fence)  # noqa: E711 - symbolic equality

    def explain_safe_writes(self, s) -> str:
        """The sentence a reader needs beside the chart (used by `quorum check` and the reports)."""
        return (f"the storage holds the write made with token {s.stored}, yet it had already seen token "
                f"{s.fence}: a stale lease holder's write overwrote a newer holder's")

    @sometimes
    def handover(self, s):
        """A later lease's write is stored: the lock changed hands at least once."""
        if self.relative:
            return s.handed_over
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
