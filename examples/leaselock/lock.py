"""A lease lock with fencing tokens, as a service would implement it (in-process, for testing).

- ``LockServer`` grants a lease for ``ttl`` ticks with a fencing token one higher than the last,
  and ends it early when its holder releases it.
- ``Client`` takes the lease, renews it, checks it before writing, writes with its token and
  releases the lease when done; a GC pause freezes it, so it can wake up holding a lease that
  has already expired.
- ``Storage`` is the protected resource: with fencing it rejects a write whose token is below
  the highest it has accepted, so a stale holder's late write cannot overwrite a newer one's.

Time is an injected ``Clock`` of whole ticks, so that tests are deterministic.
``OffByOneStorage`` is the planted bug: it rejects tokens *equal* to the highest seen (``>``
where ``>=`` is needed), so the current holder's second write is refused.
"""

from __future__ import annotations


class Clock:
    """Logical time in ticks."""

    def __init__(self) -> None:
        self.now = 0

    def advance(self) -> None:
        self.now += 1


class LockServer:
    """Grants one lease at a time; a lease not renewed within ``ttl`` ticks expires."""

    def __init__(self, clock: Clock, ttl: int, first_token: int) -> None:
        self.clock, self.ttl = clock, ttl
        self.holder: str | None = None
        self.expires = 0
        self.next_token = first_token

    def acquire(self, client: str) -> int | None:
        """The fencing token of a new lease for ``client``, or None while another lease is valid."""
        if self.holder is not None and self.clock.now < self.expires:
            return None
        self.holder, self.expires = client, self.clock.now + self.ttl
        self.next_token += 1
        return self.next_token - 1

    def release(self, client: str) -> bool:
        """``client`` is done: end its lease now, if it is still the holder (a late release is ignored)."""
        if self.holder != client:
            return False
        self.holder, self.expires = None, self.clock.now
        return True

    def renew(self, client: str) -> bool:
        """Extend ``client``'s lease by ``ttl`` from now, if it still holds an unexpired one."""
        if self.holder != client or self.clock.now >= self.expires:
            return False
        self.expires = self.clock.now + self.ttl
        return True


class Storage:
    """The resource the lock protects; with ``fencing`` it refuses writes with stale tokens."""

    def __init__(self, fencing: bool = True) -> None:
        self.fencing = fencing
        self.highest_token: int | None = None
        self.value: object = None
        self.value_token: int | None = None

    def is_stale(self, token: int) -> bool:
        """A token below the highest accepted one belongs to a lease that was superseded."""
        return self.highest_token is not None and token < self.highest_token

    def write(self, token: int, value: object) -> bool:
        if self.fencing and self.is_stale(token):
            return False
        self.value, self.value_token = value, token
        self.highest_token = token if self.highest_token is None else max(self.highest_token, token)
        return True


class OffByOneStorage(Storage):
    """PLANTED BUG: also treats the highest token itself as stale, so a holder can write only once."""

    def is_stale(self, token: int) -> bool:
        return self.highest_token is not None and not token > self.highest_token


class Client:
    """A client that takes the lock, renews it every ``renew_period`` ticks, and writes under it."""

    def __init__(self, name: str, server: LockServer, storage: Storage, clock: Clock, *,
                 ttl: int, renew_period: int, pause: int) -> None:
        self.name, self.server, self.storage, self.clock = name, server, storage, clock
        self.ttl, self.renew_period, self.pause = ttl, renew_period, pause
        self.phase = "idle"  # idle | holding | writing
        self.token: int | None = None
        self.lease_end = 0  # when this client believes its lease ends
        self.paused_until = 0

    @property
    def running(self) -> bool:
        return self.clock.now >= self.paused_until

    def acquire(self) -> bool:
        token = self.server.acquire(self.name)
        if token is None:
            return False
        self.phase, self.token, self.lease_end = "holding", token, self.clock.now + self.ttl
        return True

    def renew(self) -> bool:
        due = self.clock.now >= self.lease_end - self.ttl + self.renew_period
        if due and self.server.renew(self.name):
            self.lease_end = self.clock.now + self.ttl
            return True
        return False

    def begin_write(self) -> bool:
        """Check the lease before writing; the write itself follows (a GC pause may fall between)."""
        if self.phase == "holding" and self.clock.now < self.lease_end:
            self.phase = "writing"
            return True
        return False

    def finish_write(self, value: object) -> bool:
        """Send the write with this lease's token; a refusal means the lock was lost."""
        assert self.token is not None, "write without a lease"
        if self.storage.write(self.token, value):
            self.phase = "holding"
            return True
        self.phase, self.token = "idle", None
        return False

    def release(self) -> None:
        """Done with the lock: give the lease back and stop acting as the holder."""
        if self.phase == "holding":
            self.server.release(self.name)
            self.phase, self.token, self.lease_end = "idle", None, self.clock.now

    def gc_pause(self) -> None:
        """A stop-the-world pause: the client does nothing for ``pause`` ticks."""
        self.paused_until = self.clock.now + self.pause

    def notice_expiry(self) -> None:
        if self.clock.now >= self.lease_end:
            self.phase, self.token = "idle", None
