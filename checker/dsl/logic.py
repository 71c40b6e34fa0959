"""The DSL's logic: helpers that compute on concrete values and hand symbolic ones to their engine.

Write conditions on state with these instead of Python's ``and``/``or``/``not``/``if``, so that
every engine reads the same code. On concrete values each helper is plain Python (fast). A value
an engine interprets symbolically is a ``Term`` (Z3 terms in ``checker.smt``); as soon as a
helper meets one it hands the whole expression to that term's ``logic``, the engine's own
implementation of these helpers. So this module imports no engine, and ``import checker`` never
loads Z3.

Quantifiers take a finite collection (a domain, a list, a set from the state) and a function:
``ForAll(self.Acceptor, lambda a: s.maxBal[a] >= 0)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar


class Term:
    """Base of every value an engine interprets symbolically.

    ``logic`` is the engine's implementation of the helpers below (``And``, ``Exists``, ...):
    each takes the same arguments as the helper of the same name."""

    __slots__ = ()
    logic: ClassVar[Any] = None


class _Mode:
    """How many symbolic evaluations are under way: concrete-only fast paths apply at zero."""

    depth = 0

    def __enter__(self) -> None:
        self.depth += 1

    def __exit__(self, *exc: object) -> None:
        self.depth -= 1


SYMBOLIC = _Mode()


def _concrete_bool(value: Any) -> bool:
    if type(value) is bool:
        return value
    if isinstance(value, Term):
        raise TypeError("symbolic")
    return bool(value)


def _term_in(values: Any) -> Term | None:
    """The first symbolic value among ``values`` (looking one level into records), if any."""
    for v in values:
        if isinstance(v, Term):
            return v
        if isinstance(v, tuple) and not hasattr(v, "items"):
            for f in v:
                if isinstance(f, Term):
                    return f
    return None


def And(*conds: Any) -> Any:
    """All conditions hold (``True`` for none)."""
    for c in conds:
        if c is True:
            continue
        if c is False:
            return False
        if isinstance(c, Term):
            return c.logic.And(*conds)
        if not _concrete_bool(c):
            return False
    return True


def Or(*conds: Any) -> Any:
    """Some condition holds (``False`` for none)."""
    for c in conds:
        if c is False:
            continue
        if c is True:
            return True
        if isinstance(c, Term):
            return c.logic.Or(*conds)
        if _concrete_bool(c):
            return True
    return False


def Not(cond: Any) -> Any:
    """The negation (use this, not ``~``: in Python ``~True == -2``)."""
    if isinstance(cond, Term):
        return cond.logic.Not(cond)
    return not _concrete_bool(cond)


def Implies(cond: Any, then: Any) -> Any:
    """``cond => then``."""
    return Or(Not(cond), then)


def Iff(a: Any, b: Any) -> Any:
    """``a <=> b``."""
    term = _term_in((a, b))
    if term is not None:
        return term.logic.Iff(a, b)
    return _concrete_bool(a) == _concrete_bool(b)


def If(cond: Any, then: Any, otherwise: Any) -> Any:
    """``then`` where ``cond`` holds, else ``otherwise`` (TLA+'s IF-THEN-ELSE, on values)."""
    if isinstance(cond, Term):
        return cond.logic.If(cond, then, otherwise)
    return then if _concrete_bool(cond) else otherwise


def Member(elem: Any, collection: Any) -> Any:
    """``elem \\in collection`` (``in`` cannot return a formula, so write this on state sets)."""
    if not SYMBOLIC.depth:
        return elem in collection
    term = collection if isinstance(collection, Term) else _term_in((elem,))
    if term is not None:
        return term.logic.Member(elem, collection)
    return elem in collection


def Exists(collection: Any, pred: Callable[[Any], Any]) -> Any:
    """Some element of the collection satisfies ``pred``."""
    if isinstance(collection, Term):
        return collection.logic.Exists(collection, pred)
    symbolic = []
    for x in collection:
        r = pred(x)
        if r is True:
            return True
        if r is False:
            continue
        if isinstance(r, Term):
            symbolic.append(r)
        elif _concrete_bool(r):
            return True
    return Or(*symbolic) if symbolic else False


def ForAll(collection: Any, pred: Callable[[Any], Any]) -> Any:
    """Every element of the collection satisfies ``pred``."""
    if isinstance(collection, Term):
        return collection.logic.ForAll(collection, pred)
    symbolic = []
    for x in collection:
        r = pred(x)
        if r is False:
            return False
        if r is True:
            continue
        if isinstance(r, Term):
            symbolic.append(r)
        elif not _concrete_bool(r):
            return False
    return And(*symbolic) if symbolic else True


def Filter(collection: Any, pred: Callable[[Any], Any]) -> Any:
    """The elements that satisfy ``pred`` (TLA+'s ``{x \\in S : P(x)}``)."""
    if isinstance(collection, Term):
        return collection.logic.Filter(collection, pred)
    out = []
    for x in collection:
        r = pred(x)
        if isinstance(r, Term):
            return r.logic.Filter(collection, pred)
        if r:
            out.append(x)
    return frozenset(out)


def IsEmpty(collection: Any) -> Any:
    """The collection has no element."""
    if isinstance(collection, Term):
        return collection.logic.IsEmpty(collection)
    return not collection


def Subset(a: Any, b: Any) -> Any:
    """Every element of ``a`` is in ``b``."""
    return ForAll(a, lambda x: Member(x, b))


def Count(collection: Any, pred: Callable[[Any], Any] | None = None) -> Any:
    """How many elements (satisfying ``pred``, if given) the collection has."""
    if isinstance(collection, Term):
        return collection.logic.Count(collection, pred)
    if pred is None:
        return len(collection)
    conds = [pred(x) for x in collection]
    term = _term_in(conds)
    if term is not None:
        return term.logic.Count(collection, pred)
    return sum(1 for c in conds if c)


def Max(collection: Any, key: Callable[[Any], Any] = lambda x: x, default: Any = None) -> Any:
    """The largest ``key(x)`` over the collection, or ``default`` when it is empty."""
    if isinstance(collection, Term):
        return collection.logic.Max(collection, key, default)
    keys = [key(x) for x in collection]
    term = _term_in(keys)
    if term is not None:
        return term.logic.Max(collection, key, default)
    return max(keys, default=default)
