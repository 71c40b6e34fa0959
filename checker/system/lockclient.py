"""One lease-lock client, as its own process (so a GC pause is a real SIGSTOP of it).

It does what the seed's section 4.1 holder does, in one thread like the model's client (a running
client does not renew in the middle of a write):

    idle     wait until the lock key is free; grant a lease of TTL seconds; create the key with it
             in a transaction (create revision 0); the key's create revision is the fencing token
    holding  each round: if its own clock says the lease has ended, stop (expire); renew it
             (keepalive); check that it is still valid; work; write to the storage with the token;
             read the storage back. A rejected write means it lost the lock. After the rounds it
             revokes the lease (release)

Every call goes to the history (JSON Lines) with the monotonic time of its call and return; the
machine's monotonic clock is shared by every process, so the harness can merge the histories.
"""

from __future__ import annotations

import argparse
import http.client
import json
import time
from pathlib import Path
from typing import Any

from checker.system.gateway import Gateway, GatewayError


class Client:
    def __init__(self, args: argparse.Namespace) -> None:
        self.name = args.name
        self.gateway = Gateway(args.endpoints.split(","), timeout=args.call_timeout)
        self.storage = args.storage
        self.ttl, self.work, self.rounds, self.until, self.key = args.ttl, args.work, args.rounds, args.until, args.key
        self.history = Path(args.history).open("a")
        self.writes = 0

    def log(self, op: str, call: float, ret: float | None = None, **fields: Any) -> None:
        event = {"client": self.name, "op": op, "call": call, "ret": call if ret is None else ret, **fields}
        self.history.write(json.dumps(event) + "\n")
        self.history.flush()

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        host, port = self.storage.rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=5)
        try:
            conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
            return json.loads(conn.getresponse().read())
        finally:
            conn.close()

    def run(self) -> None:
        while time.monotonic() < self.until:
            acquired = self.acquire()
            if acquired is None:
                time.sleep(0.05)
                continue
            self.hold(*acquired)
            time.sleep(0.1)  # let the others have a turn

    def acquire(self) -> tuple[int, int, float] | None:
        """(lease, token, deadline) once this client holds the lock; None when it does not."""
        try:
            if self.gateway.holder(self.key) is not None:
                return None
            call = time.monotonic()
            lease = self.gateway.grant(self.ttl)
        except GatewayError:
            return None
        try:
            outcome = self.gateway.acquire(self.key, self.name, lease)
        except GatewayError:
            outcome = None  # no answer: it may hold the key; revoking makes sure it does not
        if outcome is None or not outcome.succeeded:
            try:
                self.gateway.revoke(lease)
            except GatewayError:
                pass  # it expires on its own within the TTL
            return None
        self.log("grant", call, time.monotonic(), token=outcome.revision, lease=str(lease))
        return lease, outcome.revision, call + self.ttl  # the lease's clock started at the grant call

    def hold(self, lease: int, token: int, deadline: float) -> None:
        for round_ in range(self.rounds):
            if round_ > 0:
                if time.monotonic() >= deadline:
                    self.log("expire", time.monotonic())
                    return
                call = time.monotonic()
                try:
                    left = self.gateway.keepalive(lease)
                except GatewayError:
                    left = None  # no renewal this round: the old deadline stands
                if left is not None and left <= 0:
                    self.log("expire", time.monotonic(), reason="keepalive: the lease has expired")
                    return
                if left is not None:
                    self.log("renew", call, time.monotonic(), token=token)
                    deadline = call + self.ttl
            now = time.monotonic()
            if now >= deadline:
                self.log("expire", now)
                return
            self.log("check", now, token=token)
            time.sleep(self.work)
            self.writes += 1
            data = f"{self.name}#{self.writes}"
            call = time.monotonic()
            decided = self.post("/write", {"client": self.name, "data": data, "token": token})
            self.log("write", call, time.monotonic(), at=decided["at"], value=[data, token],
                     output=decided["verdict"], stale=decided["stale"])
            if decided["verdict"] == "rejected":
                return  # a newer holder has written: this client has lost the lock
            call = time.monotonic()
            read = self.post("/read", {})
            self.log("read", call, time.monotonic(), output=read["data"])
        call = time.monotonic()
        try:
            self.gateway.revoke(lease)
        except GatewayError:
            pass  # the lease runs out within the TTL anyway
        self.log("release", call, time.monotonic(), token=token)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", required=True)
    parser.add_argument("--endpoints", required=True, help="host:port of each member, comma-separated")
    parser.add_argument("--storage", required=True, help="host:port of the storage service")
    parser.add_argument("--ttl", type=int, default=1, help="lease TTL in seconds")
    parser.add_argument("--work", type=float, default=0.25, help="seconds between the lease check and the write")
    parser.add_argument("--rounds", type=int, default=3, help="writes per tenure before releasing")
    parser.add_argument("--until", type=float, required=True, help="stop acquiring after this monotonic time")
    parser.add_argument("--key", default="quorum/lock")
    parser.add_argument("--call-timeout", type=float, default=0.5)
    parser.add_argument("--history", required=True)
    Client(parser.parse_args()).run()


if __name__ == "__main__":
    main()
