"""How a model is written: parameters, domains, state variables, actions, properties, faults, quorum systems.

Imports no engine. A protocol module starts with one import, as a TLA+ module starts with
``EXTENDS``::

    from checker.dsl import *

A buggy variant is a ``@variant("name", "what it gets wrong")`` version of each method it changes,
written beside the correct one; ``CoordinationService`` is ZooKeeper/etcd for recipes to build on;
``quorum_systems`` is ``checker.dsl.quorums`` (``quorum_systems.parse``).
"""

from checker.dsl import quorums as quorum_systems
from checker.dsl.coordination import CoordinationService
from checker.dsl.domains import Bool, Enum, Map, Nodes, Option, Range, RecordType, SetOf, ValueSet
from checker.dsl.faults import Environment
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
from checker.dsl.params import From, OneOf, Param, Variant, variant
from checker.dsl.protocol import (
    Protocol,
    action,
    always,
    always_eventually,
    eventually,
    leads_to,
    sometimes,
)
from checker.dsl.sequences import Bag, BoundError, Seq
from checker.errors import QuorumError

__all__ = [
    "And", "Bag", "Bool", "BoundError",
    "CoordinationService", "Count", "Enum", "Environment", "Exists", "Filter", "ForAll", "From",
    "If", "Iff", "Implies",
    "IsEmpty", "Map", "Max", "Member", "Nodes", "Not", "OneOf", "Option", "Or", "Param", "Protocol",
    "QuorumError", "Range", "RecordType", "Seq", "SetOf", "Subset", "ValueSet", "Variant", "action", "always",
    "always_eventually", "eventually", "leads_to", "quorum_systems", "sometimes", "variant",
]
