"""Errors a user can act on. Each says what went wrong, where, and how to fix it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path


class QuorumError(Exception):
    """Bad input: an unknown name, a wrong type, a model that cannot be interpreted (exit 2)."""

    exit_code = 2


class SymbolicBranchError(QuorumError):
    """A plain Python ``if``/``and``/``or``/``not`` met a state-dependent value under Z3."""


class EncodingError(QuorumError):
    """A construct the Z3 engine cannot encode."""


class InternalError(Exception):
    """A bug in Quorum itself, e.g. an engine's trace that the explicit semantics rejects (exit 3)."""

    exit_code = 3


def suggest(name: str, choices: Iterable[str]) -> str:
    """' Did you mean X?' for the closest choice, or the list of choices."""
    choices = sorted(choices)
    close = difflib.get_close_matches(name, choices, n=1)
    if close:
        return f" Did you mean {close[0]!r}?"
    return f" Known: {', '.join(choices) or '(none)'}."


def read_input(path: str | Path, what: str) -> bytes:
    """The bytes of a user's file (a spec, a log, a trace); a missing or unreadable one is bad input."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise QuorumError(f"{path}: no such {what}") from None
    except IsADirectoryError:
        raise QuorumError(f"{path}: a directory, not a {what}") from None
    except OSError as err:
        raise QuorumError(f"{path}: cannot read the {what} ({err.strerror or err})") from None


def read_text(path: str | Path, what: str, form: str, *, encoding: str = "utf-8") -> str:
    """A user's file as text: unreadable or not UTF-8 is bad input naming the file, the line and the
    byte (``form`` says what the file should be, e.g. "a spec is UTF-8 TOML")."""
    data = read_input(path, what)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        raise QuorumError(f"{path}: {not_utf8(data, err.start)}; {form}") from None


def not_utf8(data: bytes, offset: int) -> str:
    """Where a file stops being UTF-8: 'line L, byte B of the line (byte 0xXX at offset N): not UTF-8'."""
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return f"line {line}, byte {column} of the line (byte 0x{data[offset]:02x} at offset {offset}): not UTF-8"


def read_toml(path: str | Path, what: str, form: str) -> dict:
    """A user's TOML file as a table: unreadable, not UTF-8 or not TOML is bad input naming the file."""
    import tomllib

    text = read_text(path, what, form)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise QuorumError(f"{path}: not valid TOML: {err}") from None
