"""The DSL's logic: helpers that compute on concrete values and build formulas on Z3 values.

Write conditions on state with these instead of Python's ``and``/``or``/``not``/``if``, so that the
explicit engine and the Z3 engine read the same code. On concrete values each helper is plain
Python (fast); as soon as an argument is symbolic it returns a ``SymBool``/``Sym``.

Quantifiers take a finite collection (a domain, a list, a set from the state) and a function:
``ForAll(self.Acceptor, lambda a: s.maxBal[a] >= 0)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import z3

from checker.smt.symbolic import SYMBOLIC, Sym, Symbolic, SymBool, SymMap, SymSet, _lift, to_bool, to_z3


def _concrete_bool(value: Any) -> bool:
    if type(value) is bool:
        return value
    if isinstance(value, Symbolic):
        raise TypeError("symbolic")
    return bool(value)


def And(*conds: Any) -> Any:
    """All conditions hold (``True`` for none)."""
    symbolic = []
    for c in conds:
        if c is True:
            continue
        if c is False:
            return False
        if isinstance(c, SymBool):
            symbolic.append(c.term)
        elif not _concrete_bool(c):
            return False
    if not symbolic:
        return True
    return SymBool(symbolic[0]) if len(symbolic) == 1 else SymBool(z3.And(*symbolic))


def Or(*conds: Any) -> Any:
    """Some condition holds (``False`` for none)."""
    symbolic = []
    for c in conds:
        if c is False:
            continue
        if c is True:
            return True
        if isinstance(c, SymBool):
            symbolic.append(c.term)
        elif _concrete_bool(c):
            return True
    if not symbolic:
        return False
    return SymBool(symbolic[0]) if len(symbolic) == 1 else SymBool(z3.Or(*symbolic))


def Not(cond: Any) -> Any:
    """The negation (use this, not ``~``: in Python ``~True == -2``)."""
    if isinstance(cond, SymBool):
        return _lift(z3.Not(cond.term))
    return not _concrete_bool(cond)


def Implies(cond: Any, then: Any) -> Any:
    """``cond => then``."""
    return Or(Not(cond), then)


def Iff(a: Any, b: Any) -> Any:
    """``a <=> b``."""
    if isinstance(a, SymBool) or isinstance(b, SymBool):
        return _lift(to_bool(a) == to_bool(b))
    return _concrete_bool(a) == _concrete_bool(b)


def If(cond: Any, then: Any, otherwise: Any) -> Any:
    """``then`` where ``cond`` holds, else ``otherwise`` (TLA+'s IF-THEN-ELSE, on values)."""
    if not isinstance(cond, SymBool):
        return then if _concrete_bool(cond) else otherwise
    structured = (SymSet, SymMap, frozenset, tuple)
    if isinstance(then, structured) or isinstance(otherwise, structured):
        return _if_structured(cond, then, otherwise)
    if isinstance(then, (bool, SymBool)) and isinstance(otherwise, (bool, SymBool)):
        return _lift(z3.If(cond.term, to_bool(then), to_bool(otherwise)))
    return Sym(z3.If(cond.term, to_z3(then), to_z3(otherwise)))


def _if_structured(cond: SymBool, then: Any, otherwise: Any) -> Any:
    if isinstance(then, (SymMap, tuple)) and hasattr(then, "items") or isinstance(otherwise, SymMap):
        a, b = dict(then.items()), dict(otherwise.items())
        return SymMap({k: If(cond, a[k], b[k]) for k in a})
    pa = then.present if isinstance(then, SymSet) else dict.fromkeys(then, True)
    pb = otherwise.present if isinstance(otherwise, SymSet) else dict.fromkeys(otherwise, True)
    return SymSet({e: If(cond, pa.get(e, False), pb.get(e, False)) for e in set(pa) | set(pb)})


def Member(elem: Any, collection: Any) -> Any:
    """``elem \\in collection`` (``in`` cannot return a formula, so write this on state sets)."""
    if not SYMBOLIC.depth:
        return elem in collection
    if isinstance(collection, SymSet):
        return collection.contains(elem)
    if isinstance(elem, Symbolic) or (isinstance(elem, tuple) and any(isinstance(f, Symbolic) for f in elem)):
        return Or(*(elem == x if not isinstance(x, tuple) else _record_eq(x, elem) for x in collection))
    return elem in collection


def _record_eq(concrete: tuple, rec: tuple) -> Any:
    if len(concrete) != len(rec):
        return False
    return And(*(a == b for a, b in zip(concrete, rec, strict=True)))


def _members(collection: Any) -> Iterable[tuple[Any, Any]]:
    """(element, presence) pairs: presence is True for concrete collections."""
    if isinstance(collection, SymSet):
        return collection.present.items()
    return ((x, True) for x in collection)


def Exists(collection: Any, pred: Callable[[Any], Any]) -> Any:
    """Some element of the collection satisfies ``pred``."""
    if not isinstance(collection, SymSet):
        symbolic = []
        for x in collection:
            r = pred(x)
            if r is True:
                return True
            if r is False:
                continue
            if isinstance(r, SymBool):
                symbolic.append(r)
            elif _concrete_bool(r):
                return True
        return Or(*symbolic) if symbolic else False
    return Or(*(And(p, pred(x)) for x, p in _members(collection) if p is not False))


def ForAll(collection: Any, pred: Callable[[Any], Any]) -> Any:
    """Every element of the collection satisfies ``pred``."""
    if not isinstance(collection, SymSet):
        symbolic = []
        for x in collection:
            r = pred(x)
            if r is False:
                return False
            if r is True:
                continue
            if isinstance(r, SymBool):
                symbolic.append(r)
            elif not _concrete_bool(r):
                return False
        return And(*symbolic) if symbolic else True
    return And(*(Implies(p, pred(x)) for x, p in _members(collection) if p is not False))


def Filter(collection: Any, pred: Callable[[Any], Any]) -> Any:
    """The elements that satisfy ``pred`` (TLA+'s ``{x \\in S : P(x)}``)."""
    if isinstance(collection, SymSet):
        return SymSet({x: And(p, pred(x)) for x, p in collection.present.items()})
    out = []
    for x in collection:
        r = pred(x)
        if isinstance(r, SymBool):
            return SymSet({y: And(True, pred(y)) for y in collection})
        if r:
            out.append(x)
    return frozenset(out)


def IsEmpty(collection: Any) -> Any:
    """The collection has no element."""
    if isinstance(collection, SymSet):
        return Not(Or(*(p for p in collection.present.values())))
    return not collection


def Subset(a: Any, b: Any) -> Any:
    """Every element of ``a`` is in ``b``."""
    return ForAll(a, lambda x: Member(x, b))


def Count(collection: Any, pred: Callable[[Any], Any] | None = None) -> Any:
    """How many elements (satisfying ``pred``, if given) the collection has."""
    items = [(x, p) for x, p in _members(collection) if p is not False]
    conds = [p if pred is None else And(p, pred(x)) for x, p in items]
    if not any(isinstance(c, SymBool) for c in conds):
        return sum(1 for c in conds if c)
    return Sym(z3.Sum(*(z3.If(to_bool(c), 1, 0) for c in conds)))


def Max(collection: Any, key: Callable[[Any], Any] = lambda x: x, default: Any = None) -> Any:
    """The largest ``key(x)`` over the collection, or ``default`` when it is empty."""
    items = [(x, p) for x, p in _members(collection) if p is not False]
    if not any(isinstance(p, SymBool) for _, p in items):
        keys = [key(x) for x, _ in items]
        if not any(isinstance(k, Symbolic) for k in keys):
            return max(keys, default=default)
    if default is None:
        from checker.errors import EncodingError

        raise EncodingError("Max over a state-dependent collection needs default=... for when it is empty")
    result = default
    for x, p in items:
        k = key(x)
        result = If(And(p, k > result), k, result)
    return result
