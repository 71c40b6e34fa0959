"""What protocol parameters and action parameters range over: ``Param``, ``Variant``, ``From``, ``OneOf``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from checker.errors import QuorumError, suggest


class Param:
    """A protocol parameter with a default, e.g. ``ballots = Param(3, "ballots 0..ballots-1")``."""

    def __init__(
        self, default: Any, doc: str = "", *, choices: Iterable | None = None, kind: type | tuple | None = None
    ) -> None:
        self.default = default
        self.doc = doc
        self.choices = dict.fromkeys(choices) if choices is not None and not isinstance(choices, dict) else choices
        self.kind = kind or (type(default) if default is not None else object)
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

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
        return value


class Variant(Param):
    """Which version of the protocol to build: the correct one or a named buggy variant."""

    def __init__(self, **variants: str) -> None:
        choices = {name.replace("_", "-"): doc for name, doc in variants.items()}
        super().__init__(next(iter(choices)), "protocol variant", choices=choices, kind=str)


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
