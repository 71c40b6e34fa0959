"""The storage service a lease holder writes to: one register, and — unless started with
``--no-fencing`` — the fencing check of the seed's section 4.1: a write whose token is below the
highest token seen is rejected. It runs as its own process (so that pausing a client never pauses
it), on a port the kernel picks (written to ``--port-file``), and logs every write it decides."""

from __future__ import annotations

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any


class Register:
    """The data, the highest token seen, and the log of decisions (one lock: decisions are serial)."""

    def __init__(self, fencing: bool, log: Path) -> None:
        self.fencing = fencing
        self.data: str | None = None
        self.fence = -1
        self.lock = threading.Lock()
        self.log = log.open("a")

    def write(self, client: str, data: str, token: int) -> dict[str, Any]:
        with self.lock:
            at = time.monotonic()
            stale = token < self.fence
            verdict = "rejected" if self.fencing and stale else "accepted"
            highest = self.fence
            if verdict == "accepted":
                self.data, self.fence = data, max(self.fence, token)
            decision = {"client": client, "data": data, "token": token, "verdict": verdict, "stale": stale,
                        "highest": highest, "at": at}
            self.log.write(json.dumps(decision) + "\n")
            self.log.flush()
            return decision

    def read(self) -> dict[str, Any]:
        with self.lock:
            return {"data": self.data, "at": time.monotonic()}


def serve(fencing: bool, log: Path, port_file: Path) -> None:
    register = Register(fencing, log)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if self.path == "/write":
                answer = register.write(str(body["client"]), str(body["data"]), int(body["token"]))
            elif self.path == "/read":
                answer = register.read()
            else:
                self.send_error(404)
                return
            payload = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:  # decisions go to the log, not stderr
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    tmp = port_file.with_suffix(".tmp")
    tmp.write_text(str(server.server_address[1]))
    tmp.rename(port_file)  # appears whole
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-fencing", action="store_true", help="accept every write, whatever its token")
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--port-file", type=Path, required=True)
    args = parser.parse_args()
    serve(not args.no_fencing, args.log, args.port_file)


if __name__ == "__main__":
    main()
