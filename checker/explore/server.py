"""The explorer's web server: the static page and a JSON API over one ``Session``, on 127.0.0.1.

    GET  /                 the page (static/index.html: HTML, CSS and JavaScript, nothing fetched
                           from the network)
    GET  /api/view         the current view (``Session.view``)
    POST /api/<op>         op: fire {"index": i}, back, forward, goto {"step": i}, restart,
                           initial {"index": k}, reload, undo; each may carry {"version": v}
                           (the view's), and answers with the new view

A refused request answers ``{"error": ...}``: 400 for a bad one, 409 (with the current view)
for one made on a view that is no longer shown. Requests are served one at a time (the session is
not thread-safe). The server listens on the loopback interface only and answers only requests
addressed to it there (the Host header), and POSTs only as JSON, so another web page open in the
same browser cannot drive it.
"""

from __future__ import annotations

import json
import sys
import threading
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from checker.errors import QuorumError
from checker.explore.session import Session, SessionError, Stale

HOST = "127.0.0.1"
PAGE = Path(__file__).with_name("static") / "index.html"
MAX_BODY = 1 << 16
OPS = {
    "fire": ("fire", "index"),
    "back": ("back", None),
    "forward": ("forward", None),
    "goto": ("goto", "step"),
    "restart": ("restart", None),
    "initial": ("choose_initial", "index"),
    "reload": ("reload", None),
    "undo": ("undo", None),
}


class ExplorerServer(ThreadingHTTPServer):
    """An HTTP server for one session; ``port=0`` picks a free port (``.port`` says which)."""

    daemon_threads = True  # a browser's open connection never keeps the process alive

    def __init__(self, session: Session, port: int = 0, *, quiet: bool = True) -> None:
        self.session = session
        self.quiet = quiet
        self.lock = threading.RLock()
        self._thread: threading.Thread | None = None
        try:
            super().__init__((HOST, port), Handler)
        except OSError as err:
            why = err.strerror or str(err)
            if err.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
                raise QuorumError(f"--port {port}: port {port} on {HOST} is already in use: choose another "
                                  "with --port N, or leave --port out for a free one") from None
            raise QuorumError(f"--port {port}: cannot listen on {HOST}:{port} ({why}); choose another "
                              "with --port N, or leave --port out for a free one") from None

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def start(self) -> ExplorerServer:
        """Serve in a background thread (tests, notebooks); ``stop`` ends it."""
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), name="quorum-explore",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (from another thread than ``serve_forever``'s) and close the socket."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.server_close()

    def __enter__(self) -> ExplorerServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Handler(BaseHTTPRequestHandler):
    server: ExplorerServer
    server_version = "QuorumExplorer"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        if not self.server.quiet:
            sys.stderr.write(f"  … {self.address_string()} {format % args}\n")

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if not self._ours():
            return
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            self._send(HTTPStatus.OK, PAGE.read_bytes(), "text/html; charset=utf-8")
        elif path == "/api/view":
            self._view(HTTPStatus.OK)
        elif path == "/favicon.ico":
            self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
        else:
            self._json(HTTPStatus.NOT_FOUND, {"error": f"no page {path}: the explorer is at /"})

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        if not self._ours():
            return
        path = self.path.split("?", 1)[0]
        op = path.removeprefix("/api/") if path.startswith("/api/") else None
        if op not in OPS:
            self._json(HTTPStatus.NOT_FOUND, {"error": f"no operation {path}; the operations: "
                                              + ", ".join(f"/api/{o}" for o in OPS)})
            return
        if (self.headers.get("Content-Type") or "").split(";")[0].strip() != "application/json":
            self._json(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, {"error": "send the request as application/json"})
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            self._json(HTTPStatus.BAD_REQUEST, {"error": "a request body of 0..64 KiB is expected"})
            return
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            self._json(HTTPStatus.BAD_REQUEST, {"error": f"the request is not JSON: {err}"})
            return
        if not isinstance(body, dict):
            self._json(HTTPStatus.BAD_REQUEST, {"error": "the request is a JSON object, e.g. {\"index\": 0}"})
            return
        method, arg = OPS[op]
        args = []
        if arg is not None:
            if arg not in body:
                self._json(HTTPStatus.BAD_REQUEST, {"error": f"/api/{op} needs {{\"{arg}\": <number>}}"})
                return
            args.append(body[arg])
        version = body.get("version")
        if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
            self._json(HTTPStatus.BAD_REQUEST, {"error": "\"version\" is the view's version number"})
            return
        with self.server.lock:
            try:
                getattr(self.server.session, method)(*args, version=version)
            except Stale as err:
                self._view(HTTPStatus.CONFLICT, error=str(err))
                return
            except SessionError as err:
                self._json(HTTPStatus.BAD_REQUEST, {"error": str(err)})
                return
            except Exception as err:  # noqa: BLE001 - the server stays up; the page shows it
                self._failed(err)
                return
        self._view(HTTPStatus.OK)

    def _ours(self) -> bool:
        """Only requests addressed to this server by its loopback name (no DNS rebinding)."""
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]")
        if host in ("127.0.0.1", "localhost"):
            return True
        self._json(HTTPStatus.FORBIDDEN, {"error": f"requests for host {host!r} are not served: open "
                                          f"{self.server.url}"})
        return False

    def _view(self, status: HTTPStatus, error: str | None = None) -> None:
        with self.server.lock:
            try:
                doc = self.server.session.view()
            except Exception as err:  # noqa: BLE001 - the server stays up; the page shows it
                self._failed(err)
                return
        if error is not None:
            doc["error"] = error
        self._json(status, doc)

    def _failed(self, err: Exception) -> None:
        traceback.print_exc()
        self._json(HTTPStatus.INTERNAL_SERVER_ERROR,
                   {"error": f"internal error in the explorer: {type(err).__name__}: {err}"})

    def _json(self, status: HTTPStatus, doc: dict[str, Any]) -> None:
        self._send(status, json.dumps(doc, default=str).encode(), "application/json")

    def _send(self, status: HTTPStatus, body: bytes, kind: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if body and self.command != "HEAD":
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away (a reload, a closed tab): nothing to answer
