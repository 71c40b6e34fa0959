"""State values as Z3 terms, so the same action and property code can be read symbolically.

A scalar becomes a ``Sym`` (a Z3 integer: integers stand for themselves, other values such as
node names and ``None`` for interned codes), a Boolean a ``SymBool``, a ``SetOf`` a ``SymSet``
(one Z3 Boolean per possible element: elements stay concrete, so ``m.type == "2a"`` is decided in
Python and only membership is symbolic), and a ``Map`` a ``SymMap`` (one term per key). Scalars
and conditions are ``checker.smt.terms``; sequences, bags and records read out of them are
``checker.smt.sequences``, which ``fresh``, ``equal``, ``evaluate`` and the helpers dispatch to.

Python's ``bool()`` of a symbolic value raises ``SymbolicBranchError``: the protocol used a plain
``if``/``and``/``or``/``not`` where it must use ``And``/``Or``/``Not``/``If`` or ``s.guard``.
"""

from __future__ import annotations

from typing import Any

import z3

from checker.dsl.domains import Bool, Domain, FnMap, Map, SetOf
from checker.dsl.logic import And, If, Not, Or
from checker.dsl.sequences import Bag, Seq
from checker.errors import EncodingError, SymbolicBranchError
from checker.smt import sequences as _seq
from checker.smt.terms import (  # noqa: F401 - re-exported: every symbolic value importable from here
    BRANCH_ADVICE,
    HAZARDS,
    Sym,
    Symbolic,
    SymBool,
    code,
    decode,
    pretty,
    to_bool,
    to_z3,
    wrap,
)


class SymSet(Symbolic):
    """A set over a finite universe: each possible element has a presence condition.

    ``outside`` is the condition that the set also holds an element its universe cannot represent
    (a record whose state-dependent field is outside its domain, a value outside the element
    domain): the concrete semantics would hold a value outside the declared domain there — a type
    error — so the transition relation must not drop it silently (``checker.smt.transition``).
    """

    __slots__ = ("present", "outside")

    def __init__(self, present: dict[Any, Any], outside: Any = False) -> None:
        self.present = present  # element -> True | False | SymBool
        self.outside = outside  # True | False | SymBool

    def of(self, kind: str) -> SymSet:
        """The elements that are records of this kind."""
        return SymSet({e: p for e, p in self.present.items() if e[0] == kind}, self.outside)

    def contains(self, elem: Any) -> Any:
        if isinstance(elem, tuple) and any(isinstance(f, Symbolic) for f in elem):
            return Or(*(
                And(p, _same(e, elem)) for e, p in self.present.items() if len(e) == len(elem) and e[0] == elem[0]
            ))
        return self.present.get(elem, False)

    def __contains__(self, elem: Any) -> bool:
        raise SymbolicBranchError(f"`x in S` on a state-dependent set ({self}): write Member(x, S)")

    def _add(self, elems: Any) -> SymSet:
        present = dict(self.present)
        outside = [self.outside]
        for new in elems:
            if isinstance(new, tuple) and any(isinstance(f, Symbolic) for f in new):
                matches = []
                for e in present:
                    if isinstance(e, tuple) and len(e) == len(new) and e[0] == new[0]:
                        same = _same(e, new)
                        present[e] = Or(present[e], same)
                        matches.append(same)
                outside.append(Not(Or(*matches)))  # no element of the universe is this record
            elif isinstance(new, Symbolic):  # a state-dependent scalar
                matches = []
                for e in present:
                    if not isinstance(e, tuple):
                        same = new == e
                        present[e] = Or(present[e], same)
                        matches.append(same)
                outside.append(Not(Or(*matches)))
            elif new in present:
                present[new] = True
            else:  # a concrete value outside the universe: a type error wherever this runs
                outside.append(True)
        return SymSet(present, Or(*outside))

    def __or__(self, other: Any) -> SymSet:
        if isinstance(other, SymSet):
            extra = [p for e, p in other.present.items() if e not in self.present]
            return SymSet({e: Or(p, other.present.get(e, False)) for e, p in self.present.items()},
                          Or(self.outside, other.outside, *extra))
        return self._add(other)

    def __sub__(self, other: Any) -> SymSet:
        # ``outside`` stays: an element outside the universe cannot be named, so it is not removed
        if isinstance(other, SymSet):
            return SymSet({e: And(p, Not(other.present.get(e, False))) for e, p in self.present.items()},
                          self.outside)
        gone = set(other)
        if any(isinstance(f, Symbolic) for e in gone if isinstance(e, tuple) for f in e):
            raise EncodingError("removing a record with state-dependent fields from a set")
        return SymSet({e: (False if e in gone else p) for e, p in self.present.items()}, self.outside)

    def __and__(self, other: Any) -> SymSet:
        if isinstance(other, SymSet):
            return SymSet({e: And(p, other.present.get(e, False)) for e, p in self.present.items()},
                          And(self.outside, other.outside))
        keep = set(other)
        return SymSet({e: (p if e in keep else False) for e, p in self.present.items()}, self.outside)

    def __repr__(self) -> str:
        return f"<set over {len(self.present)} possible elements>"


def _same(elem: tuple, rec: tuple) -> Any:
    """Condition that the concrete record ``elem`` equals the partly symbolic record ``rec``."""
    return And(*(a == b for a, b in zip(elem, rec, strict=True)))


def _hazard(key: Any, keys: list) -> None:
    """Record that a symbolic key outside ``keys`` makes the concrete action raise (KeyError)."""
    if HAZARDS:
        cond = Not(Or(*(key == k for k in keys)))
        if cond is not False:
            HAZARDS[-1].append((cond, KeyError("a state-dependent key outside the map's keys")))


class SymMap(Symbolic):
    """A map over a finite key domain with a symbolic value per key."""

    __slots__ = ("entries",)

    def __init__(self, entries: dict[Any, Any]) -> None:
        self.entries = entries

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, Symbolic):
            keys = list(self.entries)
            _hazard(key, keys)
            result = self.entries[keys[-1]]
            for k in reversed(keys[:-1]):
                result = If(key == k, self.entries[k], result)
            return result
        try:
            return self.entries[key]
        except KeyError:
            raise KeyError(key) from None  # as the concrete map raises: a finding where it is reached

    def set(self, key: Any, value: Any) -> SymMap:
        if isinstance(key, Symbolic):
            _hazard(key, list(self.entries))
            return SymMap({k: If(key == k, value, v) for k, v in self.entries.items()})
        if key not in self.entries:
            raise KeyError(key)  # as the concrete map raises: a finding where it is reached
        entries = dict(self.entries)
        entries[key] = value
        return SymMap(entries)

    def keys(self):
        return self.entries.keys()

    def items(self):
        return self.entries.items()

    def __repr__(self) -> str:
        return f"<map over {len(self.entries)} keys>"


def fresh(domain: Domain, name: str) -> tuple[Any, list[z3.BoolRef]]:
    """A symbolic value of ``domain`` named ``name``, and the constraints that keep it in the domain."""
    if isinstance(domain, Bool):
        return SymBool(z3.Bool(name)), []
    if isinstance(domain, Seq):
        return _seq.fresh_seq(domain, name, fresh)
    if isinstance(domain, Bag):
        return _seq.fresh_bag(domain, name)
    if isinstance(domain, SetOf):
        return SymSet({e: SymBool(z3.Bool(f"{name}∋{e!r}")) for e in domain.universe()}), []
    if isinstance(domain, Map):
        entries, constraints = {}, []
        for k in domain.keys.values():
            entries[k], cs = fresh(domain.vals, f"{name}[{k}]")
            constraints += cs
        return SymMap(entries), constraints
    values = domain.values()
    if any(isinstance(v, tuple) for v in values):
        raise EncodingError(f"a state variable ranging over {domain!r} (records) is not encodable; use SetOf or Map")
    term = z3.Int(name)
    ints = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    if len(ints) == len(values) and ints == list(range(min(ints), max(ints) + 1)):
        return Sym(term), [z3.And(term >= ints[0], term <= ints[-1])]
    return Sym(term), [z3.Or(*(term == code(v) for v in values))]


def equal(a: Any, b: Any) -> z3.BoolRef:
    """The Z3 condition that two values (symbolic or concrete, of one domain) are equal."""
    if isinstance(a, (_seq.SymSeq, _seq.SymBag, _seq.SymRecord)):
        return to_bool(_equal_structured(a, b))
    if isinstance(a, SymSet) or isinstance(b, SymSet):
        pa, pb = _presence(a), _presence(b)
        universe = set(pa) | set(pb)
        return z3.And(*(to_bool(pa.get(e, False)) == to_bool(pb.get(e, False)) for e in universe))
    if isinstance(a, (SymMap, FnMap)) or isinstance(b, (SymMap, FnMap)):
        ea, eb = _entries(a), _entries(b)
        return z3.And(*(equal(ea[k], eb[k]) for k in ea))
    if isinstance(a, (SymBool, bool)) or isinstance(b, (SymBool, bool)):
        return to_bool(a) == to_bool(b)
    return to_z3(a) == to_z3(b)


def _presence(value: Any) -> dict:
    if isinstance(value, SymSet):
        return value.present
    return {e: True for e in value}


def _entries(value: Any) -> dict:
    if isinstance(value, SymMap):
        return value.entries
    return dict(value.items())


def evaluate(model: z3.ModelRef, value: Any, domain: Domain) -> Any:
    """The concrete value that ``model`` gives a symbolic value of ``domain``."""
    if isinstance(domain, Seq):
        return _seq.evaluate_seq(model, value, domain, evaluate)
    if isinstance(domain, Bag):
        return _seq.evaluate_bag(model, value, domain)
    if isinstance(domain, SetOf):
        return domain.make(e for e, p in value.present.items() if _true(model, p))
    if isinstance(domain, Map):
        return domain.make({k: evaluate(model, v, domain.vals) for k, v in value.entries.items()})
    if isinstance(value, SymBool):
        return _true(model, value)
    if isinstance(value, Sym):
        return decode(model.eval(value.term, model_completion=True).as_long())
    return value


def _true(model: z3.ModelRef, cond: Any) -> bool:
    if isinstance(cond, bool):
        return cond
    return z3.is_true(model.eval(to_bool(cond), model_completion=True))


class Z3Logic:
    """The DSL's helpers (``checker.dsl.logic``) on Z3 terms: what ``And``, ``Exists``, ... hand a
    symbolic expression to. Elements of sets stay concrete; only presence and values are terms."""

    @staticmethod
    def And(*conds: Any) -> Any:
        terms = []
        for c in conds:
            if isinstance(c, SymBool):
                terms.append(c.term)
            elif not _concrete(c):
                return False
        if not terms:
            return True
        return SymBool(terms[0]) if len(terms) == 1 else SymBool(z3.And(*terms))

    @staticmethod
    def Or(*conds: Any) -> Any:
        terms = []
        for c in conds:
            if isinstance(c, SymBool):
                terms.append(c.term)
            elif _concrete(c):
                return True
        if not terms:
            return False
        return SymBool(terms[0]) if len(terms) == 1 else SymBool(z3.Or(*terms))

    @staticmethod
    def Not(cond: Any) -> Any:
        return wrap(z3.Not(to_bool(cond)))

    @staticmethod
    def Iff(a: Any, b: Any) -> Any:
        return wrap(to_bool(a) == to_bool(b))

    @staticmethod
    def If(cond: Any, then: Any, otherwise: Any) -> Any:
        special = _seq.if_structured(cond, then, otherwise)  # sequences, bags, records
        if special is not None:
            return special
        structured = (SymSet, SymMap, frozenset, tuple)
        if isinstance(then, structured) or isinstance(otherwise, structured):
            return _if_structured(cond, then, otherwise)
        if isinstance(then, (bool, SymBool)) and isinstance(otherwise, (bool, SymBool)):
            return wrap(z3.If(cond.term, to_bool(then), to_bool(otherwise)))
        return Sym(z3.If(cond.term, to_z3(then), to_z3(otherwise)))

    @staticmethod
    def Member(elem: Any, collection: Any) -> Any:
        if isinstance(collection, (SymSet, _seq.SymBag)):
            return collection.contains(elem)
        return Or(*(elem == x if not isinstance(x, tuple) else _record_eq(x, elem) for x in collection))

    @staticmethod
    def Exists(collection: Any, pred: Any) -> Any:
        return Or(*(And(p, pred(x)) for x, p in _members(collection) if p is not False))

    @staticmethod
    def ForAll(collection: Any, pred: Any) -> Any:
        return And(*(Or(Not(p), pred(x)) for x, p in _members(collection) if p is not False))

    @staticmethod
    def Filter(collection: Any, pred: Any) -> Any:
        outside = collection.outside if isinstance(collection, SymSet) else False
        return SymSet({x: And(p, pred(x)) for x, p in _members(collection)}, outside)

    @staticmethod
    def IsEmpty(collection: Any) -> Any:
        if isinstance(collection, _seq.SymSeq):
            return collection.length == 0
        return Not(Or(*(p for p in collection.present.values())))

    @staticmethod
    def Count(collection: Any, pred: Any) -> Any:
        items = [(x, p) for x, p in _members(collection) if p is not False]
        conds = [p if pred is None else And(p, pred(x)) for x, p in items]
        if not any(isinstance(c, SymBool) for c in conds):
            return sum(1 for c in conds if c)
        return Sym(z3.Sum(*(z3.If(to_bool(c), 1, 0) for c in conds)))

    @staticmethod
    def Max(collection: Any, key: Any, default: Any) -> Any:
        items = [(x, p) for x, p in _members(collection) if p is not False]
        if not any(isinstance(p, SymBool) for _, p in items):
            keys = [key(x) for x, _ in items]
            if not any(isinstance(k, Symbolic) for k in keys):
                return max(keys, default=default)
        if default is None:
            raise EncodingError("Max over a state-dependent collection needs default=... for when it is empty")
        result = default
        for x, p in items:
            k = key(x)
            result = If(And(p, k > result), k, result)
        return result


Symbolic.logic = Z3Logic


def _concrete(value: Any) -> bool:
    if isinstance(value, Symbolic):
        raise EncodingError(f"{value} is not a condition")
    return bool(value)


def _if_structured(cond: SymBool, then: Any, otherwise: Any) -> Any:
    if isinstance(then, (SymMap, tuple)) and hasattr(then, "items") or isinstance(otherwise, SymMap):
        a, b = dict(then.items()), dict(otherwise.items())
        return SymMap({k: If(cond, a[k], b[k]) for k in a})
    pa = then.present if isinstance(then, SymSet) else dict.fromkeys(then, True)
    pb = otherwise.present if isinstance(otherwise, SymSet) else dict.fromkeys(otherwise, True)
    oa = then.outside if isinstance(then, SymSet) else False
    ob = otherwise.outside if isinstance(otherwise, SymSet) else False
    outside = False if oa is False and ob is False else If(cond, oa, ob)
    return SymSet({e: If(cond, pa.get(e, False), pb.get(e, False)) for e in set(pa) | set(pb)}, outside)


def _record_eq(concrete: tuple, rec: tuple) -> Any:
    if len(concrete) != len(rec):
        return False
    return And(*(a == b for a, b in zip(concrete, rec, strict=True)))


def _members(collection: Any) -> Any:
    """(element, presence) pairs: presence is True for concrete collections."""
    if isinstance(collection, SymSet):
        return collection.present.items()
    special = _seq.members(collection)
    if special is not None:
        return special
    return ((x, True) for x in collection)


def _equal_structured(a: Any, b: Any) -> Any:
    """Equality of a sequence, bag or record with a value of the same domain."""
    if isinstance(a, _seq.SymBag):
        other = _seq.SymBag.shaped(b, a)
        return And(Not(other.outside), *(a.counts[e] == other.counts.get(e, 0) for e in a.counts))
    return a == b

