"""The adapter between ``protocols.lease:LeaseLock`` and the implementation in ``lock.py``.

One method per protocol action, making the call a real caller would make; ``observe`` reads the
implementation's state back as the protocol's variables. ``checker.mbt.check_conformance`` runs
both in lockstep::

    from checker.conform.mbt import check_conformance
    from examples.leaselock.adapter import LeaseLockAdapter
    from protocols.lease import LeaseLock

    print(check_conformance(LeaseLock(), LeaseLockAdapter, seed=1).report())
"""

from __future__ import annotations

from typing import Any

from checker.conform.mbt import Adapter
from examples.leaselock.lock import Client, Clock, LockServer, OffByOneStorage, Storage
from protocols.lease import LeaseLock


class LeaseLockAdapter(Adapter):
    """Drives one lock server, one storage and a client per protocol client."""

    storage_class: type[Storage] = Storage

    def __init__(self, protocol: LeaseLock) -> None:
        super().__init__(protocol)
        self.clock = Clock()
        self.server = LockServer(self.clock, protocol.ttl, protocol.first_token)
        self.storage = self.storage_class(fencing=protocol.variant == "correct")
        self.clients = {
            c: Client(c, self.server, self.storage, self.clock,
                      ttl=protocol.ttl, renew_period=protocol.renew_period, pause=protocol.pause)
            for c in protocol.Client.values()
        }
        self.writes = 0

    # -- one method per action of LeaseLock --------------------------------------------------------

    def grant(self, c: str) -> None:
        self.clients[c].acquire()

    def renew(self, c: str) -> None:
        self.clients[c].renew()

    def check_lease(self, c: str) -> None:
        self.clients[c].begin_write()

    def gc_pause(self, c: str) -> None:
        self.clients[c].gc_pause()

    def write(self, c: str) -> None:
        self.writes += 1
        self.clients[c].finish_write(f"write {self.writes} by {c}")

    def lease_expires(self, c: str) -> None:
        self.clients[c].notice_expiry()

    def release(self, c: str) -> None:
        self.clients[c].release()

    def tick(self) -> None:
        # The model's (absolute) clock stands still at its horizon: there a tick is the run ending.
        if self.clock.now < self.protocol.horizon:
            self.clock.advance()

    # -- the implementation's state, as LeaseLock's variables ---------------------------------------

    def observe(self) -> dict[str, Any]:
        first = self.protocol.first_token
        return {
            "now": self.clock.now,
            "holder": self.server.holder,
            "expires": self.server.expires,
            "next_token": self.server.next_token,
            "pc": {c: cl.phase for c, cl in self.clients.items()},
            "token": {c: cl.token for c, cl in self.clients.items()},
            "lease_end": {c: cl.lease_end for c, cl in self.clients.items()},
            "paused_until": {c: cl.paused_until for c, cl in self.clients.items()},
            # The model's fence starts just below the first token; the storage starts with none.
            "fence": first - 1 if self.storage.highest_token is None else self.storage.highest_token,
            "stored": self.storage.value_token,
        }


class OffByOneAdapter(LeaseLockAdapter):
    """The same adapter on the storage with the planted bug."""

    storage_class = OffByOneStorage
