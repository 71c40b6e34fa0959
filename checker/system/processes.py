"""Child processes that never outlive the run: each is in a session of its own (a Ctrl-C in the
terminal reaches only us, and we stop them in order), dies with us if we are killed (Linux's
parent-death signal), and is stopped on every exit path of a ``Processes`` context."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import IO

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the context manager still stops it
        pass


class Processes:
    """The processes one run started; ``stop_all`` (and leaving the ``with``) stops every one."""

    def __init__(self) -> None:
        self.running: dict[str, subprocess.Popen] = {}
        self._logs: list[IO[bytes]] = []

    def start(self, name: str, argv: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
        """Start ``argv`` with stdout and stderr in ``log`` (appended: a restart keeps the old tail)."""
        out = open(log, "ab")  # noqa: SIM115 - closed in stop_all
        self._logs.append(out)
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, preexec_fn=_die_with_parent, env=env)
        self.running[name] = proc
        return proc

    def signal(self, name: str, sig: int) -> None:
        proc = self.running[name]
        if proc.poll() is None:
            os.kill(proc.pid, sig)

    def kill(self, name: str) -> None:
        """kill -9, and reap it."""
        proc = self.running.pop(name)
        if proc.poll() is None:
            proc.kill()
        proc.wait()

    def stop(self, name: str, grace: float = 3.0) -> int | None:
        """SIGCONT (a paused process cannot exit), SIGTERM, then SIGKILL after ``grace`` seconds."""
        proc = self.running.pop(name, None)
        if proc is None:
            return None
        if proc.poll() is None:
            for sig in (signal.SIGCONT, signal.SIGTERM):
                try:
                    os.kill(proc.pid, sig)
                except ProcessLookupError:
                    break
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return proc.returncode

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)
        for out in self._logs:
            out.close()
        self._logs.clear()

    def __enter__(self) -> Processes:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_all()


def wait_until(predicate, timeout: float, step: float = 0.05) -> bool:  # type: ignore[no-untyped-def]
    """Poll ``predicate`` until it is true (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return bool(predicate())


def tail(path: Path, lines: int = 12) -> str:
    """The last lines of a log, for an error message."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join("    " + line for line in text.strip().splitlines()[-lines:]) or "    (empty log)"
