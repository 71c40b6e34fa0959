"""Fixtures for the explorer's tests: explorer servers on free loopback ports (in-process threads),
and a headless Chromium driven by Selenium through Debian's chromedriver — the driver's path is
given, so Selenium Manager never runs and nothing is downloaded. Every process the browser
fixture started (chromedriver, chromium and its helpers) is checked gone when it ends."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from checker.explore.server import ExplorerServer
from checker.explore.session import Session

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def explorer() -> Iterator:
    """``explorer(session)``: a server for it, serving on 127.0.0.1 in a thread until the test ends."""
    started: list[ExplorerServer] = []

    def start(session: Session) -> ExplorerServer:
        server = ExplorerServer(session).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def _parents() -> dict[int, int]:
    out = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            out[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return out


def descendants(pid: int) -> set[int]:
    parents = _parents()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def running(pids: set[int]) -> set[int]:
    """The pids still running (a zombie has ended: only its exit status is left to collect)."""
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def using(marker: str) -> set[int]:
    """Processes whose command line mentions ``marker`` (this fixture's own profile folder)."""
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    out.add(int(entry.name))
            except OSError:
                continue
    return running(out)


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator:
    """A headless Chromium (one per test module, to keep the tests fast)."""
    if CHROMIUM is None or not os.access(CHROMEDRIVER, os.X_OK):
        pytest.skip("the explorer's browser tests need Debian's chromium and chromium-driver "
                    "(sh scripts/install-debian-packages.sh, or apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager, were it ever asked, stays offline
    profile = str(tmp_path_factory.mktemp("chromium-profile"))
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000", f"--user-data-dir={profile}", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--disable-default-apps"):
        options.add_argument(arg)
    service = Service(CHROMEDRIVER)
    driver = webdriver.Chrome(service=service, options=options)
    started = {service.process.pid}
    try:
        yield driver
    finally:
        started |= descendants(service.process.pid)
        driver.quit()
        deadline = time.monotonic() + 10
        while (running(started) or using(profile)) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = running(started) | using(profile)
        assert not left, f"processes the browser fixture started are still running: {sorted(left)}"
