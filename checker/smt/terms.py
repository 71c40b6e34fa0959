"""Scalars and conditions as Z3 terms: the base every symbolic value builds on.

A scalar is a ``Sym`` (a Z3 integer: integers stand for themselves, other values such as node
names and ``None`` for interned codes, ``code``), a condition a ``SymBool``. Sets and maps
(``checker.smt.symbolic``) and sequences and bags (``checker.smt.sequences``) are made of them.
"""

from __future__ import annotations

from typing import Any

import z3

from checker.dsl.logic import Term
from checker.errors import EncodingError, SymbolicBranchError

_CODES: dict[Any, int] = {}
_VALUES: dict[int, Any] = {}
_CODE_BASE = 1 << 40

BRANCH_ADVICE = (
    "write And(...), Or(...), Not(...), Implies(...) or If(cond, a, b) from checker, "
    "or test it with `if s.guard(cond):`"
)


def code(value: Any) -> int:
    """The integer that stands for a concrete scalar under Z3 (integers stand for themselves)."""
    if isinstance(value, bool):
        raise EncodingError(f"a Boolean {value!r} cannot be compared with a non-Boolean value")
    if isinstance(value, int):
        return value
    try:
        return _CODES[value]
    except KeyError:
        c = _CODES[value] = _CODE_BASE + len(_CODES)
        _VALUES[c] = value
        return c
    except TypeError:
        raise EncodingError(f"the value {value!r} is not a scalar the Z3 engine can encode") from None


def decode(number: int) -> Any:
    return _VALUES.get(number, number)


def pretty(term: z3.ExprRef) -> str:
    """A Z3 term as text, with value codes written back as the values they stand for."""
    import re

    return re.sub(r"\b\d{13,}\b", lambda m: repr(decode(int(m.group()))), str(term))


class Symbolic(Term):
    """Base of every value that holds Z3 terms."""

    __slots__ = ()

    def __bool__(self) -> bool:
        raise SymbolicBranchError(
            "a plain Python `if`, `and`, `or` or `not` was applied to a state-dependent value "
            f"({self}); under Z3 it has no truth value yet: {BRANCH_ADVICE}"
        )

    def __iter__(self):
        raise SymbolicBranchError(
            f"a state-dependent collection ({self}) cannot be iterated with `for` under Z3: "
            "use Exists, ForAll, Filter, Count or Max from checker"
        )

    def __len__(self) -> int:
        raise SymbolicBranchError(f"len() of a state-dependent collection ({self}): use Count(collection)")

    def __hash__(self) -> int:
        return id(self)


def to_z3(value: Any) -> z3.ExprRef:
    """The Z3 term of a symbolic or concrete scalar."""
    if isinstance(value, (Sym, SymBool)):
        return value.term
    if isinstance(value, bool):
        return z3.BoolVal(value)
    return z3.IntVal(code(value))


def to_bool(value: Any) -> z3.BoolRef:
    if isinstance(value, SymBool):
        return value.term
    if isinstance(value, bool):
        return z3.BoolVal(value)
    if isinstance(value, Symbolic):
        raise EncodingError(f"{value} is not a condition")
    return z3.BoolVal(bool(value))


def wrap(term: z3.ExprRef) -> Any:
    """Wrap a Z3 term, simplifying constant conditions back to Python booleans."""
    if z3.is_bool(term):
        if z3.is_true(term):
            return True
        if z3.is_false(term):
            return False
        return SymBool(term)
    return Sym(term)


class SymBool(Symbolic):
    """A condition on the state (a Z3 Boolean)."""

    __slots__ = ("term",)

    def __init__(self, term: z3.BoolRef) -> None:
        self.term = term

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return wrap(self.term == to_bool(other))

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return wrap(self.term != to_bool(other))

    def _operator(self, *_: Any) -> Any:
        raise SymbolicBranchError(
            f"`&`, `|` and `~` on conditions ({self}) differ between Python booleans and Z3 "
            "(~True == -2): write And(...), Or(...), Not(...)"
        )

    __and__ = __rand__ = __or__ = __ror__ = __invert__ = __xor__ = _operator
    __hash__ = Symbolic.__hash__

    def __repr__(self) -> str:
        return f"<condition {pretty(self.term)}>"


class Sym(Symbolic):
    """A state-dependent scalar: an integer, or a node, value or None by its code."""

    __slots__ = ("term",)

    def __init__(self, term: z3.ArithRef) -> None:
        self.term = term

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return wrap(self.term == to_z3(other))

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return wrap(self.term != to_z3(other))

    def __lt__(self, other: Any) -> Any:
        return wrap(self.term < to_z3(other))

    def __le__(self, other: Any) -> Any:
        return wrap(self.term <= to_z3(other))

    def __gt__(self, other: Any) -> Any:
        return wrap(self.term > to_z3(other))

    def __ge__(self, other: Any) -> Any:
        return wrap(self.term >= to_z3(other))

    def __add__(self, other: Any) -> Sym:
        return Sym(self.term + to_z3(other))

    def __radd__(self, other: Any) -> Sym:
        return Sym(to_z3(other) + self.term)

    def __sub__(self, other: Any) -> Sym:
        return Sym(self.term - to_z3(other))

    def __rsub__(self, other: Any) -> Sym:
        return Sym(to_z3(other) - self.term)

    def __mul__(self, other: Any) -> Sym:
        return Sym(self.term * to_z3(other))

    __rmul__ = __mul__

    def __neg__(self) -> Sym:
        return Sym(-self.term)

    def __index__(self) -> int:
        raise SymbolicBranchError(f"a state-dependent number ({self}) cannot index a Python sequence under Z3")

    __hash__ = Symbolic.__hash__

    def __repr__(self) -> str:
        return f"<value {pretty(self.term)}>"


HAZARDS: list[list[Any]] = []  # per symbolic run under way: (condition, exception) pairs (``symexec.paths``)
