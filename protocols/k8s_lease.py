"""Kubernetes-style leader election on a Lease object (client-go ``leaderelection``; seed 3.3).

Candidates compete for one ``coordination.k8s.io/v1`` Lease. Its spec holds ``holderIdentity``,
``leaseDurationSeconds``, ``renewTime`` and ``leaseTransitions`` (how many times the holder has
changed). The API server updates the object atomically (optimistic concurrency on its
resourceVersion), so each step below that writes the Lease is one atomic action.

  acquire(c)       the Lease is free or expired (now >= renewTime + lease_duration): c writes
                   itself as holder, renewTime = now, leaseTransitions + 1; OnStartedLeading runs
  renew(c)         the leader rewrites renewTime = now (client-go retries every RetryPeriod)
  stop_leading(c)  the leader has not renewed for renew_deadline ticks: OnStoppedLeading runs,
                   and it releases the Lease if it still holds it (ReleaseOnCancel)
  start_work(c)    the leader's work loop sees it is still leading and starts a write
  gc_pause(c)      c freezes for ``pause`` ticks (it cannot renew, nor notice it lost the lease)
  act(c)           the write reaches the resource, fenced by the term (leaseTransitions) at which
                   c became leader; with fencing the resource rejects a term below the highest it
                   has seen, and c stops leading
  tick()           time advances (not while a running leader is mid-write)

client-go requires renew_deadline < lease_duration, so a *running* leader stops before anyone
else can acquire the Lease. A paused one cannot stop: it wakes mid-write after another candidate
has taken over. Only the resource, checking the term as a fencing token, keeps it safe.

Properties:
  fenced_resource_safe  the resource's last accepted write carries the highest term it has seen:
                        at most one leader's writes take effect, in term order
  leadership_changes    (reachability) a later term's write is accepted
  one_active_leader     (not checked by default) at most one candidate is mid-write as leader —
                        fails under a GC pause whatever the variant

Variants:
  correct     the resource fences by term
  no-fencing  the resource accepts every write: the paused leader's write lands after the new
              leader's, fenced_resource_safe fails
"""

from __future__ import annotations

from checker.dsl import *


class KubeLeaseElection(Protocol):
    """Leader election on a Kubernetes Lease (holderIdentity, leaseDuration, renewTime)."""

    small_instance = {"lease_duration": 2, "renew_deadline": 1, "pause": 3, "horizon": 3}

    candidates = Param(2, "number of candidates k1..kN", min=1)
    lease_duration = Param(3, "LeaseDuration in ticks (client-go default 15 s)", min=1)
    renew_deadline = Param(2, "RenewDeadline in ticks (default 10 s): below lease_duration", min=1)
    pause = Param(4, "length of a GC pause in ticks", min=1)
    horizon = Param(5, "time runs from 0 to horizon", min=1)
    variant = Variant(correct="the resource rejects writes from a term below the highest it has seen")

    def setup(self) -> None:
        for name in ("candidates", "lease_duration", "renew_deadline", "pause", "horizon"):
            value = self.params[name]
            if value < 1:
                raise QuorumError(f"KubeLeaseElection: {name} must be at least 1, not {value} (e.g. -p {name}=2)")
        self.Candidate = Nodes("k", self.candidates)
        # A new term needs the Lease expired or released, so one per min(deadline, duration) ticks.
        terms = self.horizon // min(self.renew_deadline, self.lease_duration) + 1
        self.Term = Range(1, terms)
        last_tick = self.horizon + max(self.lease_duration, self.pause)

        self.var("now", Range(0, self.horizon), init=0)
        self.var("holder", Option(self.Candidate), init=None)  # the Lease's holderIdentity
        self.var("renew_time", Range(0, self.horizon), init=0)
        self.var("transitions", Range(0, terms), init=0)  # the Lease's leaseTransitions
        self.var("leading", Map(self.Candidate, Bool()), init=False)
        self.var("working", Map(self.Candidate, Bool()), init=False)
        self.var("term", Map(self.Candidate, Range(0, terms)), init=0)
        self.var("renewed", Map(self.Candidate, Range(0, self.horizon)), init=0)
        self.var("paused_until", Map(self.Candidate, Range(0, last_tick)), init=0)
        self.var("fence", Range(0, terms), init=0)
        self.var("last_write", Range(0, terms), init=0)  # term of the resource's last write (0: none)

    def running(self, s, c):
        return s.now >= s.paused_until[c]

    def expired(self, s):
        return Or(s.holder == None, s.now >= s.renew_time + self.lease_duration)  # noqa: E711

    @action(c="Candidate")
    def acquire(self, s, c):
        """c finds the Lease free or expired and takes it: a new term; OnStartedLeading."""
        if s.guard(And(Not(s.leading[c]), self.running(s, c), self.expired(s))):
            return s.update(
                holder=c, renew_time=s.now, transitions=s.transitions + 1,
                leading=s.leading.set(c, True), term=s.term.set(c, s.transitions + 1),
                renewed=s.renewed.set(c, s.now),
            )

    @action(c="Candidate")
    def renew(self, s, c):
        """The leader renews the Lease before its renew deadline."""
        if s.guard(And(s.leading[c], Not(s.working[c]), self.running(s, c), s.holder == c,
                       s.now > s.renewed[c], s.now < s.renewed[c] + self.renew_deadline)):
            return s.update(renew_time=s.now, renewed=s.renewed.set(c, s.now))

    @action(c="Candidate")
    def stop_leading(self, s, c):
        """The leader missed its renew deadline: OnStoppedLeading, and it releases the Lease if
        it still holds it (client-go's ReleaseOnCancel)."""
        if s.guard(And(s.leading[c], Not(s.working[c]), self.running(s, c),
                       s.now >= s.renewed[c] + self.renew_deadline)):
            return s.update(leading=s.leading.set(c, False), holder=If(s.holder == c, None, s.holder))

    @action(c="Candidate")
    def start_work(self, s, c):
        """The leader's work loop checks it still leads (within its deadline) and starts a write."""
        if s.guard(And(s.leading[c], Not(s.working[c]), self.running(s, c),
                       s.now < s.renewed[c] + self.renew_deadline)):
            return s.update(working=s.working.set(c, True))

    @action(c="Candidate")
    def gc_pause(self, s, c):
        """The leader freezes for `pause` ticks."""
        if s.guard(And(s.leading[c], self.running(s, c), s.now + self.pause <= self.horizon)):
            return s.update(paused_until=s.paused_until.set(c, s.now + self.pause))

    @action(c="Candidate")
    def act(self, s, c):
        """c's write reaches the resource with its term; with fencing a stale term is rejected."""
        if s.guard(And(s.working[c], self.running(s, c))):
            t = s.term[c]
            if s.guard(self.stale(s, t)):
                return s.update(working=s.working.set(c, False), leading=s.leading.set(c, False))
            return s.update(working=s.working.set(c, False), last_write=t, fence=If(t > s.fence, t, s.fence))

    def stale(self, s, t):
        """The resource rejects a write from term t: it has seen a higher term (the fencing check)."""
        return t < s.fence

    @variant("no-fencing", "the resource accepts every write")
    def stale(self, s, t):
        """No fencing: no term is stale to the resource."""
        return False

    @action
    def tick(self, s):
        """One tick passes; a running leader finishes a started write first."""
        mid_write = Exists(self.Candidate, lambda c: And(s.working[c], self.running(s, c)))
        if s.guard(And(s.now < self.horizon, Not(mid_write))):
            return s.update(now=s.now + 1)

    @always
    def fenced_resource_safe(self, s):
        """The resource's last write carries the highest term it has seen."""
        return s.last_write == s.fence

    @sometimes
    def leadership_changes(self, s):
        """A write from a later term is accepted: leadership moved."""
        return s.last_write >= 2

    @always(default=False)
    def one_active_leader(self, s):
        """At most one candidate is mid-write as leader (fails under a GC pause)."""
        cs = self.Candidate.values()
        pairs = [(a, b) for i, a in enumerate(cs) for b in cs[i + 1:]]
        return ForAll(pairs, lambda p: Not(And(s.working[p[0]], s.working[p[1]])))
