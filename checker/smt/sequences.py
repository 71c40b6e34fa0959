"""Sequences, bags and records as Z3 terms: the symbolic side of ``checker.dsl.sequences``.

A ``Seq(D, n)`` becomes a ``SymSeq``: a length term and n slots, each a value of D (a record's
slot is a ``SymRecord``, one term per field). A slot past the length always holds the *blank*
(the first value of D, field by field), so a sequence has one representation: the array engine
counts rows, and two rows for one log would count one state twice. Every operation keeps that
up: ``append`` writes the slot at the length, ``prefix`` blanks the slots it cuts.

A ``Bag`` becomes a ``SymBag``: one count term per possible element (its universe, as a set has
one Boolean per possible element), so a message's fields stay concrete while it is handled.

Operations that the concrete values refuse (``at`` outside the sequence, ``append`` to a full
one, a count above the bound) record a *hazard*: the condition under which the concrete method
raises ``BoundError``; ``checker.smt.symexec`` turns it into a raising path, so every engine
reports the same finding with the same trace.
"""

from __future__ import annotations

from typing import Any

from checker.dsl.domains import Domain, RecordType
from checker.dsl.logic import And, If, Not, Or
from checker.dsl.sequences import NO_DEFAULT, Bag, BagValue, BoundError, Seq, SeqValue, caller_line
from checker.errors import EncodingError
from checker.smt import terms
from checker.smt.terms import Sym, Symbolic, to_z3


def _record_fields(value: Any) -> tuple | None:
    """The field values (kind first) of a concrete record, a record with symbolic fields or a
    ``SymRecord``; None for anything else."""
    if isinstance(value, SymRecord):
        return value.values
    if isinstance(value, tuple) and hasattr(value, "_fields") and hasattr(value, "kind"):
        return tuple(value)
    return None


def same(a: Any, b: Any) -> Any:
    """The condition that two values (records field by field, sequences, scalars) are equal."""
    fa, fb = _record_fields(a), _record_fields(b)
    if fa is not None or fb is not None:
        if fa is None or fb is None or len(fa) != len(fb) or fa[0] != fb[0]:
            return False
        return And(*(same(x, y) for x, y in zip(fa[1:], fb[1:], strict=True)))
    if isinstance(a, SymSeq):
        return a == b
    if isinstance(b, SymSeq):
        return b == a
    return a == b


class SymRecord(Symbolic):
    """A record read out of a sequence slot: its fields are terms (``e.term``), and ``==`` is a
    condition, field by field (a tuple's ``==`` would ask Python for a truth value)."""

    __slots__ = ("cls", "values")

    def __init__(self, cls: type, values: tuple) -> None:
        self.cls, self.values = cls, values  # values: the kind, then the fields

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[self.cls._fields.index(name)]
        except ValueError:
            raise AttributeError(f"record {self.cls.kind!r} has no field {name!r}") from None

    @property
    def kind(self) -> str:
        return self.values[0]

    def record(self) -> tuple:
        """The record as the DSL builds one: a tuple of the record class with symbolic fields."""
        return tuple.__new__(self.cls, self.values)

    def __iter__(self):
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, i: int) -> Any:
        return self.values[i]

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return same(self, other)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return Not(same(self, other))

    __hash__ = Symbolic.__hash__

    def __repr__(self) -> str:
        return f"<record {self.values[0]} with state-dependent fields>"


def blank(domain: Domain) -> Any:
    """What an unused slot holds: the domain's first value (a record: each field's first value)."""
    if isinstance(domain, RecordType):
        return domain.cls(*(d.values()[0] for d in domain.fields.values()))
    values = domain.values()
    if not values:
        raise EncodingError(f"a sequence over the empty domain {domain!r}")
    return values[0]


def element_if(cond: Any, a: Any, b: Any) -> Any:
    """``If`` on sequence elements: field by field for records."""
    fa, fb = _record_fields(a), _record_fields(b)
    if fa is not None or fb is not None:
        if fa is None or fb is None or fa[0] != fb[0]:
            raise EncodingError("a sequence element that is a record in one branch and not in the other")
        cls = a.cls if isinstance(a, SymRecord) else type(a)
        return lift(cls, tuple([fa[0], *(If(cond, x, y) for x, y in zip(fa[1:], fb[1:], strict=True))]))
    return If(cond, a, b)


def lift(cls: type, values: tuple) -> Any:
    """A record value: concrete where every field is, else a ``SymRecord``."""
    if any(isinstance(v, Symbolic) for v in values):
        return SymRecord(cls, values)
    return tuple.__new__(cls, values)


def _hazard(cond: Any, exc: BaseException) -> None:
    if cond is not False and terms.HAZARDS:
        terms.HAZARDS[-1].append((cond, exc))


def _chain(index: Any, slots: list, otherwise: Any) -> Any:
    """The slot at a (symbolic) 1-based index, ``otherwise`` where it is none of them."""
    result = otherwise
    for k in range(len(slots), 0, -1):
        hit = index == k
        if hit is True:
            return slots[k - 1]
        if hit is not False:
            result = element_if(hit, slots[k - 1], result)
    return result


class SymSeq(Symbolic):
    """A bounded sequence: ``length`` and ``slots`` (slot k holds element k, or the blank)."""

    __slots__ = ("length", "slots", "blank", "max_len")

    def __init__(self, length: Any, slots: list, blank_value: Any) -> None:
        self.length, self.slots, self.blank, self.max_len = length, slots, blank_value, len(slots)

    @classmethod
    def shaped(cls, value: Any, like: SymSeq) -> SymSeq:
        """A concrete sequence in the shape of ``like`` (its number of slots and blank)."""
        if isinstance(value, SymSeq):
            return value
        items = list(tuple.__iter__(value))
        if len(items) > like.max_len:
            raise EncodingError(f"a sequence of {len(items)} elements where at most {like.max_len} fit")
        return cls(len(items), items + [like.blank] * (like.max_len - len(items)), like.blank)

    def _in_range(self, k: Any) -> Any:
        return And(k >= 1, k <= self.length)

    def at(self, k: Any, default: Any = NO_DEFAULT) -> Any:
        if isinstance(k, int) and not 1 <= k <= self.max_len:
            if default is NO_DEFAULT:
                raise BoundError(f"{caller_line()}index {k!r} is outside every sequence of at most {self.max_len}")
            return default
        element = self.slots[k - 1] if isinstance(k, int) else _chain(k, self.slots, self.blank)
        inside = self._in_range(k)
        if default is not NO_DEFAULT:
            return element_if(inside, element, default) if inside is not True else element
        _hazard(Not(inside), BoundError(f"{caller_line()}index outside the sequence"))
        return element

    def last(self, default: Any = NO_DEFAULT) -> Any:
        element = _chain(self.length, self.slots, self.blank if default is NO_DEFAULT else default)
        if default is NO_DEFAULT:
            _hazard(self.length == 0, BoundError(f"{caller_line()}last() of an empty sequence (pass a default)"))
        return element

    def append(self, value: Any) -> SymSeq:
        if isinstance(value, SymRecord):
            value = value.record()
        _hazard(self.length >= self.max_len,
                BoundError(f"{caller_line()}append to a full sequence: it holds at most {self.max_len}"))
        slots = [element_if(self.length == k - 1, value, slot) for k, slot in enumerate(self.slots, start=1)]
        return SymSeq(self.length + 1, slots, self.blank)

    def prefix(self, n: Any) -> SymSeq:
        _hazard(Or(n < 0, n > self.length), BoundError(f"{caller_line()}prefix outside the sequence"))
        slots = [element_if(k <= n, slot, self.blank) for k, slot in enumerate(self.slots, start=1)]
        return SymSeq(n, slots, self.blank)

    def sub(self, lo: Any, hi: Any) -> SymSeq:
        empty = hi < lo
        _hazard(And(Not(empty), Or(lo < 1, hi > self.length)), BoundError(f"{caller_line()}sub() outside the sequence"))
        slots = []
        for j in range(1, self.max_len + 1):
            position = lo + (j - 1)
            slots.append(element_if(And(Not(empty), position <= hi), _chain(position, self.slots, self.blank),
                                    self.blank))
        return SymSeq(If(empty, 0, hi - lo + 1), slots, self.blank)

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        """Slot by slot, blanks included: every sequence is kept in its one form."""
        if isinstance(other, tuple) and not hasattr(other, "_fields"):
            if len(other) > self.max_len:
                return False
            other = SymSeq.shaped(other, self)
        if not isinstance(other, SymSeq):
            return False
        n = max(self.max_len, other.max_len)
        mine = self.slots + [self.blank] * (n - self.max_len)
        theirs = other.slots + [other.blank] * (n - other.max_len)
        return And(self.length == other.length, *(same(a, b) for a, b in zip(mine, theirs, strict=True)))

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return Not(self == other)

    __hash__ = Symbolic.__hash__

    def __repr__(self) -> str:
        return f"<sequence of at most {self.max_len}>"


class SymBag(Symbolic):
    """A bag over a finite universe: each possible element has a count term."""

    __slots__ = ("counts", "outside", "max_count", "indexes", "origin", "changed")

    def __init__(self, counts: dict, max_count: int, outside: Any = False, indexes: dict | None = None,
                 origin: SymBag | None = None, changed: frozenset = frozenset()) -> None:
        self.counts, self.max_count, self.outside = counts, max_count, outside
        self.indexes = {} if indexes is None else indexes  # shared by the bags derived from one another
        # the bag this one was derived from by add and remove, and the elements whose counts they
        # touched: what an action changes in a bag of a thousand possible messages, without comparing
        self.origin, self.changed = origin, changed

    def _derived(self, counts: dict, outside: Any, touched: list) -> SymBag:
        origin = self if self.origin is None else self.origin
        return SymBag(counts, self.max_count, outside, self.indexes, origin, self.changed.union(touched))

    def _index(self, width: int, loose: tuple) -> dict:
        """The records of ``width`` fields, keyed by their fields outside ``loose``."""
        index = self.indexes.get((width, loose))
        if index is None:
            index = self.indexes[(width, loose)] = {}
            for e in self.counts:
                if isinstance(e, tuple) and len(e) == width:
                    index.setdefault(tuple(f for i, f in enumerate(e) if i not in loose), []).append(e)
        return index

    @classmethod
    def shaped(cls, value: Any, like: SymBag) -> SymBag:
        """A concrete bag over ``like``'s universe (an element outside it sets ``outside``)."""
        if isinstance(value, SymBag):
            return value
        counts = dict.fromkeys(like.counts, 0)
        extra = False
        for x, c in value.items():
            if x in counts:
                counts[x] = c
            else:
                extra = True
        return cls(counts, like.max_count, extra)

    @property
    def present(self) -> dict:
        return {e: _positive(c) for e, c in self.counts.items()}

    def of(self, kind: str) -> SymBag:  # type: ignore[override]
        return SymBag({e: c for e, c in self.counts.items() if e[0] == kind}, self.max_count, self.outside)

    def _matches(self, x: Any) -> list[tuple[Any, Any]]:
        """(element, condition that x is it) for the elements x may be: those that agree with x's
        concrete fields (found through an index shared by every bag over this universe), each
        with the condition on its state-dependent fields."""
        if isinstance(x, SymRecord):
            x = x.record()
        if isinstance(x, tuple) and any(isinstance(f, Symbolic) for f in x):
            loose = tuple(i for i, f in enumerate(x) if isinstance(f, Symbolic))
            fixed = tuple(f for f in x if not isinstance(f, Symbolic))
            candidates = self._index(len(x), loose).get(fixed, ())
            return [(e, And(*(same(e[i], x[i]) for i in loose))) for e in candidates]
        if isinstance(x, Symbolic):
            return [(e, x == e) for e in self.counts]
        return [(x, True)] if x in self.counts else []

    def count(self, x: Any) -> Any:
        total: Any = 0
        for e, hit in self._matches(x):
            total = self.counts[e] if hit is True else total + If(hit, self.counts[e], 0)
        return total

    def contains(self, x: Any) -> Any:
        return Or(*(And(hit, _positive(self.counts[e])) for e, hit in self._matches(x)))

    def add(self, x: Any) -> SymBag:
        counts = dict(self.counts)
        matches = self._matches(x)
        full = []
        for e, hit in matches:
            counts[e] = self.counts[e] + 1 if hit is True else If(hit, self.counts[e] + 1, self.counts[e])
            full.append(And(hit, self.counts[e] >= self.max_count))
        _hazard(Or(*full), BoundError(f"{caller_line()}a bag holds each element at most {self.max_count} times"))
        return self._derived(counts, Or(self.outside, Not(Or(*(hit for _, hit in matches)))), [e for e, _ in matches])

    def remove(self, x: Any) -> SymBag:
        counts = dict(self.counts)
        matches = self._matches(x)
        for e, hit in matches:
            c = self.counts[e]
            counts[e] = If(And(hit, _positive(c)), c - 1, c)
        return self._derived(counts, self.outside, [e for e, _ in matches])

    def __contains__(self, elem: Any) -> bool:
        from checker.errors import SymbolicBranchError

        raise SymbolicBranchError(f"`x in B` on a state-dependent bag ({self}): write Member(x, B)")

    def __repr__(self) -> str:
        return f"<bag over {len(self.counts)} possible elements>"


def _positive(c: Any) -> Any:
    return c > 0


# -- the pieces ``checker.smt.symbolic`` dispatches to --------------------------------------

def fresh_seq(domain: Seq, name: str, fresh: Any) -> tuple[SymSeq, list]:
    import z3

    length = z3.Int(f"{name}.len")
    constraints = [length >= 0, length <= domain.max_len]
    empty = blank(domain.of)
    slots = []
    for k in range(1, domain.max_len + 1):
        if isinstance(domain.of, RecordType):
            fields, cs = [], []
            for f, d in domain.of.fields.items():
                value, c = fresh(d, f"{name}@{k}.{f}")
                fields.append(value)
                cs += c
            slot: Any = SymRecord(domain.of.cls, (domain.of.kind, *fields))
        else:
            slot, cs = fresh(domain.of, f"{name}@{k}")
        constraints += cs
        constraints.append(z3.Or(length >= k, terms.to_bool(same(slot, empty))))  # past the end: blank
        slots.append(slot)
    return SymSeq(Sym(length), slots, empty), constraints


def fresh_bag(domain: Bag, name: str) -> tuple[SymBag, list]:
    import z3

    counts, constraints = {}, []
    for e in domain.universe():
        c = z3.Int(f"{name}×{e!r}")
        counts[e] = Sym(c)
        constraints += [c >= 0, c <= domain.max_count]
    return SymBag(counts, domain.max_count), constraints


def evaluate_seq(model: Any, value: Any, domain: Seq, evaluate: Any) -> SeqValue:
    if not isinstance(value, SymSeq):
        return domain.coerce(value)
    n = terms.decode(model.eval(to_z3(value.length), model_completion=True).as_long())
    items = []
    for slot in value.slots[:n]:
        if isinstance(domain.of, RecordType):
            fields = _record_fields(slot)
            items.append(domain.of.cls(*(evaluate(model, f, d) for f, d in zip(fields[1:], domain.of.fields.values(),
                                                                               strict=True))))
        else:
            items.append(evaluate(model, slot, domain.of))
    return domain.make(items)


def evaluate_bag(model: Any, value: Any, domain: Bag) -> BagValue:
    if not isinstance(value, SymBag):
        return domain.coerce(value)
    counts = {}
    for e, c in value.counts.items():
        n = c if isinstance(c, int) else model.eval(to_z3(c), model_completion=True).as_long()
        if n > 0:
            counts[e] = n
    return domain.make(counts)


def if_structured(cond: Any, then: Any, otherwise: Any) -> Any:
    """``If`` on sequences, bags and records (None: neither branch is one)."""
    if isinstance(then, SymSeq) or isinstance(otherwise, SymSeq):
        like = then if isinstance(then, SymSeq) else otherwise
        a, b = SymSeq.shaped(then, like), SymSeq.shaped(otherwise, like)
        return SymSeq(If(cond, a.length, b.length),
                      [element_if(cond, x, y) for x, y in zip(a.slots, b.slots, strict=True)], like.blank)
    if isinstance(then, SymBag) or isinstance(otherwise, SymBag):
        like = then if isinstance(then, SymBag) else otherwise
        a, b = SymBag.shaped(then, like), SymBag.shaped(otherwise, like)
        return SymBag({e: If(cond, a.counts[e], b.counts[e]) for e in a.counts}, like.max_count,
                      If(cond, a.outside, b.outside))
    if _record_fields(then) is not None or _record_fields(otherwise) is not None:
        return element_if(cond, then, otherwise)
    if isinstance(then, (SeqValue, BagValue)) or isinstance(otherwise, (SeqValue, BagValue)):
        raise EncodingError("If(cond, a, b) on two concrete sequences or bags: build it from a state variable")
    return None


def members(collection: Any) -> Any:
    """(element, presence) pairs of a symbolic sequence or bag (None for anything else)."""
    if isinstance(collection, SymBag):
        return [(e, _positive(c)) for e, c in collection.counts.items()]
    if isinstance(collection, SymSeq):
        return [(slot, k <= collection.length) for k, slot in enumerate(collection.slots, start=1)]
    return None


def components(template: Any, value: Any, split: Any) -> list | None:
    """(template term, value term) pairs of a sequence or bag (None for anything else)."""
    if isinstance(template, SymBag):
        new = SymBag.shaped(value, template)
        return [(to_z3(c), to_z3(new.counts.get(e, 0))) for e, c in template.counts.items()]
    if isinstance(template, SymSeq):
        new = SymSeq.shaped(value, template)
        pairs = [(to_z3(template.length), to_z3(new.length))]
        for slot, v in zip(template.slots, new.slots, strict=True):
            if isinstance(slot, SymRecord):
                fields = _record_fields(v)
                pairs += [(to_z3(a), to_z3(b)) for a, b in zip(slot.values[1:], fields[1:], strict=True)]
            else:
                pairs += split(slot, v)
        return pairs
    return None


def changed_components(template: Any, value: Any) -> list | None:
    """Like ``components``, but only the counts an action's adds and removes touched, for a bag
    derived from ``template`` (None where that is not known)."""
    if isinstance(template, SymBag) and isinstance(value, SymBag) and (
            value.origin is template or value is template):
        return [(to_z3(template.counts[e]), to_z3(value.counts[e])) for e in value.changed]
    return None


def outside(template: Any, value: Any) -> Any:
    """The condition that a new bag holds an element outside its universe (None: not a bag)."""
    if isinstance(template, SymBag):
        new = SymBag.shaped(value, template)
        return new.outside
    if isinstance(template, SymSeq):
        return False
    return None
