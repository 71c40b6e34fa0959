"""The explorer's JSON API over HTTP, without a browser: the page, the view, each operation, and
every refusal (a stale view, a bad request, another host, a request that is not JSON)."""

from __future__ import annotations

import http.client
import json
import re

import pytest

from checker.explore.session import Session
from protocols.paxos import Paxos


def request(server, method: str, path: str, body=None, headers=None) -> tuple[int, dict | str]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        hdrs = {"Content-Type": "application/json"} if data is not None else {}
        hdrs.update(headers or {})
        conn.request(method, path, body=data, headers=hdrs)
        response = conn.getresponse()
        raw = response.read().decode()
        kind = response.getheader("Content-Type") or ""
        return response.status, json.loads(raw) if kind.startswith("application/json") else raw
    finally:
        conn.close()


@pytest.fixture
def server(explorer):
    return explorer(Session(Paxos(ballots=2)))


def test_the_page_needs_nothing_from_the_network(server):
    status, page = request(server, "GET", "/")
    assert status == 200 and "<script>" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert not re.search(r"""(fetch|import)\s*\(\s*["'](https?:)?//""", page)


def test_view_and_operations(server):
    status, view = request(server, "GET", "/api/view")
    assert status == 200 and view["step"] == 0 and view["chart"]["svg"].startswith("<svg")
    status, view = request(server, "POST", "/api/fire", {"index": 0, "version": view["version"]})
    assert status == 200 and view["step"] == 1 and view["changes"] == ["msgs + 1a(bal=0)"]
    for op, step in (("back", 0), ("forward", 1), ("restart", 0), ("undo", 1)):
        status, view = request(server, "POST", f"/api/{op}", {})
        assert (status, view["step"]) == (200, step), op
    status, view = request(server, "POST", "/api/goto", {"step": 0})
    assert (status, view["step"]) == (200, 0)


def test_refusals(server):
    _, view = request(server, "GET", "/api/view")
    status, doc = request(server, "POST", "/api/fire", {"index": 0, "version": view["version"] + 5})
    assert status == 409 and "nothing was done" in doc["error"] and doc["step"] == 0  # with the current view
    status, doc = request(server, "POST", "/api/fire", {"index": 99})
    assert status == 400 and "no enabled action number 99" in doc["error"]
    status, doc = request(server, "POST", "/api/fire", {})
    assert status == 400 and "needs" in doc["error"]
    status, doc = request(server, "POST", "/api/fire", b"{not json")
    assert status == 400 and "not JSON" in doc["error"]
    status, doc = request(server, "POST", "/api/fire", b'{"index": 0}', {"Content-Type": "text/plain"})
    assert status == 415
    status, doc = request(server, "GET", "/api/view", headers={"Host": "attacker.example:80"})
    assert status == 403
    status, doc = request(server, "POST", "/api/launch", {})
    assert status == 404 and "/api/fire" in doc["error"]
    _, view = request(server, "GET", "/api/view")
    assert view["step"] == 0 and view["version"] == 0  # none of it changed anything
