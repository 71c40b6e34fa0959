"""What the command line does about the user's mistakes and the user's Ctrl-C.

- A user's model that fails to import or to build is bad input (exit 2) naming the file and line
  in the user's code where it broke; an exception that ends inside Quorum stays an internal error.
- Ctrl-C is exit 130 (the shell's SIGINT convention): during set-up it says what was loading;
  during a check the engine keeps what it found and the command says "interrupted: no verdict".
- ``--out`` is checked before any work: a file, a device, a path below a file, or a place where
  nothing can be created is bad input at once, not a traceback after a long check.
"""

from __future__ import annotations

import contextlib
import os
import sysconfig
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from checker.errors import QuorumError

EXIT_INTERRUPTED = 130

_CHECKER_DIR = str(Path(__file__).resolve().parents[1]) + os.sep
_LIBRARY_DIRS = tuple(
    str(Path(p).resolve()) + os.sep
    for p in {sysconfig.get_paths().get(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    if p
)


class Interrupted(Exception):
    """Ctrl-C, with what was going on when it came (exit 130)."""

    exit_code = EXIT_INTERRUPTED


@contextlib.contextmanager
def loading(what: str) -> Iterator[None]:
    """Ctrl-C in the block is ``Interrupted("interrupted while loading <what>")``."""
    try:
        yield
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted while loading {what}: nothing was checked") from None


def was_interrupted(result: Any) -> bool:
    """The engine stopped on Ctrl-C: its result is what was found so far, never a verdict.

    ``Result.interrupted`` where the engine sets it; otherwise the engine's own words for it."""
    if getattr(result, "interrupted", False):
        return True
    if "interrupted" in getattr(result, "warnings", []):
        return True
    return result.verdict == "limit" and "interrupted" in (result.message or "")


def _is_checker(filename: str) -> bool:
    return str(Path(filename).resolve()).startswith(_CHECKER_DIR)


def _is_library(filename: str) -> bool:
    if filename.startswith("<"):  # <frozen importlib._bootstrap>, <string>
        return True
    return str(Path(filename).resolve()).startswith(_LIBRARY_DIRS)


def user_frame(err: BaseException) -> traceback.FrameSummary | None:
    """The innermost frame of ``err``'s traceback in the user's code (not Quorum's, not a library's)."""
    frames = traceback.extract_tb(err.__traceback__)
    for frame in reversed(frames):
        if not _is_checker(frame.filename) and not _is_library(frame.filename):
            return frame
    return None


def raised_in_user_code(err: BaseException) -> traceback.FrameSummary | None:
    """The user's frame when the exception came from the user's code: after the last frame of
    Quorum's own in the traceback (a library the user called counts as the user's). None when it
    ended inside Quorum, which is a bug in Quorum (or a misuse it should have reported itself)."""
    frames = traceback.extract_tb(err.__traceback__)
    last_checker = max((i for i, f in enumerate(frames) if _is_checker(f.filename)), default=-1)
    for i in range(len(frames) - 1, last_checker, -1):
        f = frames[i]
        if not _is_checker(f.filename) and not _is_library(f.filename):
            return f
    return None


def where_in(frame: traceback.FrameSummary) -> str:
    """``file:line (in function)`` and the source line, for a message."""
    text = f"{frame.filename}:{frame.lineno} (in {frame.name})"
    if frame.line:
        text += f": {frame.line.strip()}"
    return text


def describe(err: BaseException) -> str:
    text = str(err)
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def check_out_dir(out: str | Path, option: str = "--out") -> Path:
    """``out`` is (or can be made) a directory we can write in; else a QuorumError naming why.

    Nothing is created: the nearest existing ancestor must be a directory where a file can be
    created (probed with a temporary file, so a read-only file system or /proc is caught too)."""
    path = Path(out)
    text = str(out)
    if not text.strip():
        raise QuorumError(f"{option} {text!r}: give a directory, e.g. {option} out/")
    if path.exists() and not path.is_dir():
        kind = "a file" if path.is_file() else "not a directory (a device or other special file)"
        raise QuorumError(f"{option} {text}: {path} is {kind}; {option} names a directory to write into")
    probe = path
    while not probe.exists():
        if probe.is_symlink():  # a dangling link: mkdir would fail on it
            raise QuorumError(f"{option} {text}: {probe} is a broken symbolic link")
        parent = probe.parent
        if parent == probe:
            break
        probe = parent
    if not probe.is_dir():
        raise QuorumError(f"{option} {text}: {probe} is a file, so nothing can be created below it")
    try:
        fd, name = tempfile.mkstemp(prefix=".quorum-probe-", dir=probe)
    except OSError as err:
        why = err.strerror or str(err)
        raise QuorumError(f"{option} {text}: cannot create files in {probe} ({why})") from None
    os.close(fd)
    os.unlink(name)
    return path
