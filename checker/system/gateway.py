"""A small client of etcd's JSON gateway (``/v3/...`` on every member's client port), on the standard
library's ``http.client``.

Why not a client library: etcd3gw (OpenStack's, the maintained gateway client) would add
``requests`` and ``futurist`` for the five calls a lease lock makes, and hides which member
answered and when a call timed out — exactly what a history must record. The gateway is etcd's
own documented API, so this module is the thin, explicit version of the same thing.

Keys and values travel base64-encoded (gRPC's JSON mapping); 64-bit numbers travel as strings.
"""

from __future__ import annotations

import base64
import http.client
import json
from dataclasses import dataclass
from typing import Any

from checker.errors import QuorumError


class GatewayError(QuorumError):
    """A call that got no answer (timeout, refused connection) or an error answer from etcd; bad
    input where it reaches the user (etcd is not where it was said to be), a fault a client records."""

    def __init__(self, message: str, *, unknown: bool) -> None:
        super().__init__(message)
        self.unknown = unknown  # True: the request may have taken effect (no answer was read)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@dataclass
class Acquired:
    """The outcome of a create-if-absent transaction on the lock key."""

    succeeded: bool
    revision: int  # the key's create revision: the fencing token when succeeded
    holder: str | None  # the value of the key when someone else holds it


class Gateway:
    """Calls to one cluster through its members' gateways; ``endpoints`` are ``host:port``."""

    def __init__(self, endpoints: list[str], timeout: float = 1.0) -> None:
        self.endpoints = endpoints
        self.timeout = timeout
        self.preferred = 0

    def call(self, path: str, body: dict[str, Any], *, retry: bool = True) -> dict[str, Any]:
        """POST ``body`` to ``path``; with ``retry`` (idempotent calls) the other members are tried
        when one does not answer. An answer with an error code raises GatewayError(unknown=False)."""
        tried = len(self.endpoints) if retry else 1
        last = ""
        for i in range(tried):
            endpoint = self.endpoints[(self.preferred + i) % len(self.endpoints)]
            host, port = endpoint.rsplit(":", 1)
            conn = http.client.HTTPConnection(host, int(port), timeout=self.timeout)
            try:
                conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
                reply = conn.getresponse()
                data = json.loads(reply.read() or b"{}")
            except (OSError, http.client.HTTPException, json.JSONDecodeError) as err:  # a timeout is an OSError
                last = f"{endpoint}{path}: {type(err).__name__}: {err}"
                self.preferred = (self.preferred + 1) % len(self.endpoints)
                continue
            finally:
                conn.close()
            if "error" in data or reply.status >= 400:
                raise GatewayError(f"{endpoint}{path}: {data.get('message') or data.get('error') or reply.status}",
                                   unknown=False)
            return data.get("result", data)  # streaming calls (keepalive) wrap their answer in "result"
        raise GatewayError(f"no member answered: {last}", unknown=True)

    # -- the calls a lease lock makes ---------------------------------------------------------------

    def status(self, endpoint: str) -> dict[str, Any]:
        return Gateway([endpoint], self.timeout).call("/v3/maintenance/status", {}, retry=False)

    def grant(self, ttl: int) -> int:
        return int(self.call("/v3/lease/grant", {"TTL": ttl})["ID"])

    def keepalive(self, lease: int) -> int:
        """The lease's remaining TTL after the renewal (0 or less: the lease has expired)."""
        return int(self.call("/v3/lease/keepalive", {"ID": str(lease)}).get("TTL", 0))

    def revoke(self, lease: int) -> bool:
        """Ends the lease (its keys are deleted); False when it had already expired."""
        try:
            self.call("/v3/lease/revoke", {"ID": str(lease)})
        except GatewayError as err:
            if "not found" in str(err):
                return False
            raise
        return True

    def acquire(self, key: str, holder: str, lease: int) -> Acquired:
        """Create ``key`` = ``holder`` attached to ``lease`` if it does not exist (never retried on
        another member: a retry after a lost answer could make the holder think it failed)."""
        k = _b64(key)
        data = self.call("/v3/kv/txn", {
            "compare": [{"key": k, "target": "CREATE", "create_revision": "0"}],
            "success": [{"requestPut": {"key": k, "value": _b64(holder), "lease": str(lease)}}],
            "failure": [{"requestRange": {"key": k}}],
        }, retry=False)
        if data.get("succeeded"):
            return Acquired(True, int(data["header"]["revision"]), holder)
        kvs = data.get("responses", [{}])[0].get("response_range", {}).get("kvs", [])
        if not kvs:
            return Acquired(False, 0, None)
        return Acquired(False, int(kvs[0]["create_revision"]), base64.b64decode(kvs[0]["value"]).decode())

    def holder(self, key: str) -> str | None:
        """Who holds the lock key now (None: nobody)."""
        kvs = self.call("/v3/kv/range", {"key": _b64(key)}).get("kvs", [])
        return base64.b64decode(kvs[0]["value"]).decode() if kvs else None
