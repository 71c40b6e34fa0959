"""Quorum: a model checker and property-based verifier for consensus protocols.

Protocols are plain Python transition systems (``checker.protocol``); every engine — the
explicit-state explorer, Z3 and Hypothesis — interprets the same protocol code.
"""

from checker.dsl.domains import Bool, Enum, Map, Nodes, Option, Range, RecordType, SetOf
from checker.dsl.logic import (
    And,
    Count,
    Exists,
    Filter,
    ForAll,
    If,
    Iff,
    Implies,
    IsEmpty,
    Max,
    Member,
    Not,
    Or,
    Subset,
)
from checker.dsl.protocol import (
    From,
    OneOf,
    Param,
    Protocol,
    Variant,
    action,
    always,
    always_eventually,
    eventually,
    leads_to,
    sometimes,
)
from checker.errors import QuorumError

__all__ = [
    "And", "Bool", "Count", "Enum", "Exists", "Filter", "ForAll", "From", "If", "Iff", "Implies",
    "IsEmpty", "Map", "Max", "Member", "Nodes", "Not", "OneOf", "Option", "Or", "Param", "Protocol",
    "QuorumError", "Range", "RecordType", "SetOf", "Subset", "Variant", "action", "always", "check",
    "sometimes", "eventually", "always_eventually", "leads_to",
]


def check(protocol, properties=None, *, engine="explicit", **options):
    """Check a protocol instance; returns a ``Result`` (``.holds``, ``.violated``, ``.trace``, ...).

    ``engine`` names a registered engine (``quorum list`` shows them); ``options`` are that
    engine's, e.g. ``max_states=...`` for the explicit explorer."""
    from checker.core import engines

    progress = options.pop("progress", None)
    return engines.run(engine, protocol, properties, options, progress=progress, where=f"check(engine={engine!r})")
