"""Errors a user can act on. Each says what went wrong, where, and how to fix it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


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
