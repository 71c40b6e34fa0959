"""Real etcd tests need Debian's etcd binary; without it they are skipped with the install command
(CI installs it: .ci/run)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from checker.system.etcd import INSTALL

needs_etcd = pytest.mark.skipif(shutil.which("etcd") is None, reason=f"no etcd binary: {INSTALL}")


def processes_mentioning(text: str) -> list[str]:
    """Command lines of running processes that mention ``text`` (a run's unique folder)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = next((line for line in (proc / "status").read_text().splitlines() if line.startswith("State:")), "")
        except OSError:
            continue
        if text in cmdline and "zombie" not in state:
            found.append(f"{proc.name}: {cmdline.strip()}")
    return found
