"""What protocol parameters and action parameters range over: ``Param``, ``Variant`` (and the
``@variant`` decorator that declares one), ``From``, ``OneOf``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from checker.errors import QuorumError, suggest


class Param:
    """A protocol parameter with a default, e.g. ``ballots = Param(3, "ballots 0..ballots-1", min=1)``.

    ``min``/``max`` bound a number (both included): a count of nodes or ballots is ``min=1``, and a
    value outside the range is bad input naming the parameter and its range. ``None`` is never
    range-checked (it is the "default: all" of parameters whose ``kind`` allows it)."""

    def __init__(
        self, default: Any, doc: str = "", *, choices: Iterable | None = None, kind: type | tuple | None = None,
        min: int | float | None = None, max: int | float | None = None,
    ) -> None:
        self.default = default
        self.doc = doc
        self.choices = dict.fromkeys(choices) if choices is not None and not isinstance(choices, dict) else choices
        self.kind = kind or (type(default) if default is not None else object)
        self.min, self.max = min, max
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @property
    def range(self) -> str | None:
        """The valid range in words ("1..", "0..5"), or None when unbounded."""
        if self.min is None and self.max is None:
            return None
        lo = "" if self.min is None else str(self.min)
        return f"{lo}..{'' if self.max is None else self.max}"

    def in_range(self, value: Any) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def range_words(self) -> str:
        if self.max is None:
            return f"at least {self.min}"
        if self.min is None:
            return f"at most {self.max}"
        return f"{self.min}..{self.max}"

    def check(self, protocol: str, value: Any) -> Any:
        if self.choices is not None and value not in self.choices:
            raise QuorumError(
                f"{protocol}: {self.name}={value!r} is not one of {', '.join(map(str, self.choices))}."
                + suggest(str(value), map(str, self.choices))
            )
        kinds = self.kind if isinstance(self.kind, tuple) else (self.kind,)
        if bool not in kinds and isinstance(value, bool) and int in kinds:
            raise QuorumError(f"{protocol}: parameter {self.name} takes a number, not {value!r}.")
        if not isinstance(value, kinds):
            want = " or ".join(k.__name__ for k in kinds)
            raise QuorumError(
                f"{protocol}: parameter {self.name} takes a {want}, not {type(value).__name__} {value!r} "
                f"(e.g. -p {self.name}={self.default!r})."
            )
        if value is not None and not self.in_range(value):
            what = f" ({self.doc})" if self.doc else ""
            example = self.default if self.default is not None and self.in_range(self.default) else self.min
            raise QuorumError(
                f"{protocol}: {self.name}={value!r} is out of range: {self.name} must be {self.range_words()}{what}, "
                f"e.g. -p {self.name}={example!r}."
            )
        return value


class Variant(Param):
    """Which version of the protocol to build: the correct one (named first) or a buggy variant.

    ``variant = Variant(correct="Paxos.tla as written")`` names and describes the correct version;
    each buggy variant is declared where its code is, by ``@variant("name", "what it gets wrong")``
    on its version of a method (``checker.dsl.protocol.variant``), and added here. A variant may
    also be listed here, with its description, to fix its place in ``quorum list``."""

    def __init__(self, **variants: str) -> None:
        choices = {name.replace("_", "-"): doc for name, doc in variants.items()}
        super().__init__(next(iter(choices)), "protocol variant", choices=choices, kind=str)

    def __call__(self, name: str, doc: str | None = None) -> Callable[[Callable], VariantVersion]:
        """``@variant(name, doc)``, the decorator: in a class body ``variant = Variant(...)`` hides the
        decorator's name, so the parameter declares a variant the same way."""
        return variant(name, doc)


class VariantVersion:
    """What ``@variant`` returns: one variant's version of a method. The class body sets it aside
    (``checker.dsl.protocol``), so the method's name keeps its correct definition."""

    def __init__(self, docs: dict[str, str | None], fn: Callable) -> None:
        self.docs = docs  # variant name -> its description (None: given by another version)
        self.fn = fn

    def __set_name__(self, owner: type, name: str) -> None:
        raise TypeError(f"@variant on {owner.__name__}.{name}: only a Protocol subclass holds variant versions")


def variant(name: str, doc: str | None = None) -> Callable[[Callable], VariantVersion]:
    """Mark a method as variant ``name``'s version of the method of the same name, defined just
    above it (or inherited). An instance built with ``variant=name`` runs this version; every
    other instance runs the correct one, which never mentions the variant.

    ``doc`` says what the variant gets wrong (``quorum list`` and the gallery show it); a variant
    that replaces several methods describes itself once. The version keeps the correct method's
    declaration (its ``@action`` domains, ``@always``, docstring): decorate only the correct one::

        def stale(self, s, t):  # the correct version: the storage has seen a higher token
            return t < s.fence

        @variant("no-fencing", "the storage accepts every write, whatever its token")
        def stale(self, s, t):
            return False

    Declaring a variant adds it to the protocol's ``variant`` parameter (``-p variant=no-fencing``);
    ``variant = Variant(correct="...")`` in the class names and describes the correct version."""
    if not isinstance(name, str) or not name.strip():
        raise QuorumError(f"@variant({name!r}): name the variant, e.g. @variant('no-fencing', 'what it gets wrong')")
    key = name.strip().replace("_", "-")  # as Variant(...) spells its names

    def mark(fn: Callable) -> VariantVersion:
        if isinstance(fn, VariantVersion):  # stacked: one body shared by several variants
            return VariantVersion({key: doc, **fn.docs}, fn.fn)
        return VariantVersion({key: doc}, fn)

    return mark


@dataclass(frozen=True)
class From:
    """An action parameter drawn from a set in the state: ``From("msgs", "1a")`` is a 1a message in msgs.

    The explicit engine iterates what the state holds; the Z3 engine ranges over every possible
    element and adds the condition that it is present.
    """

    var: str
    kind: str | None = None


class OneOf:
    """An initial value chosen nondeterministically: one initial state per choice."""

    def __init__(self, choices: Iterable) -> None:
        self.choices = list(choices)
