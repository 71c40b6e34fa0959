"""Ray's processes, found by who started them: a test checks and stops only its own, so two test
runs on one machine never see, or stop, each other's Ray."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time

MARKS = ("raylet", "gcs_server", "ray::", "ray/dashboard", "runtime_env")


def table() -> list[tuple[int, int, str]]:
    out = subprocess.run(["ps", "-ww", "-eo", "pid=,ppid=,args="], capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        pid, ppid, *args = line.split(None, 2)
        rows.append((int(pid), int(ppid), args[0] if args else ""))
    return rows


def family(roots: set[int], rows: list[tuple[int, int, str]]) -> set[int]:
    """``roots`` and every process descending from them."""
    found, grew = set(roots), True
    while grew:
        grew = False
        for pid, ppid, _ in rows:
            if ppid in found and pid not in found:
                found.add(pid)
                grew = True
    return found


def ray_processes(root: int | None = None, marker: str | None = None) -> list[str]:
    """Ray processes descending from ``root`` (default: this process), or from any process whose
    command line matches the regular expression ``marker`` (a cluster's port)."""
    rows = table()
    roots = {os.getpid() if root is None else root}
    if marker is not None:
        roots = {pid for pid, _, args in rows if re.search(marker, args)}
    mine = family(roots, rows) - {os.getpid()}
    return [f"{pid} {args}" for pid, _, args in rows if pid in mine and any(m in args for m in MARKS)]


def stop(marker: str) -> None:
    """Stop the processes whose command lines match ``marker``, and their children."""
    rows = table()
    pids = family({pid for pid, _, args in rows if re.search(marker, args)}, rows) - {os.getpid()}
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.time() + 10
        while time.time() < deadline and any(p in pids for p, _, _ in table()):
            time.sleep(0.2)
