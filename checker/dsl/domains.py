"""Finite, typed domains: the sets that parameters, state variables and records range over.

Every domain can list its values (so every engine can enumerate it) and says how its values are
written for people (``show``) and for JSON (``to_json``/``from_json``).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator
from typing import Any


class Domain:
    """A finite set of values."""

    name = "domain"

    def values(self) -> list:
        raise NotImplementedError(type(self).__name__)

    def __iter__(self) -> Iterator:
        return iter(self.values())

    def __len__(self) -> int:
        return len(self.values())

    def contains(self, value: Any) -> bool:
        return value in self.values()

    def coerce(self, value: Any) -> Any:
        """``value`` as this domain's own kind of value (a tuple as a sequence, a list as a bag)."""
        return value

    def to_json(self, value: Any) -> Any:
        return value

    def from_json(self, data: Any) -> Any:
        return data

    def __repr__(self) -> str:
        return self.name


class _Listed(Domain):
    """A domain given by an explicit list of values."""

    def __init__(self, values: Iterable, name: str) -> None:
        self._values = list(values)
        self._set = frozenset(self._values)
        self.name = name

    def values(self) -> list:
        return self._values

    def contains(self, value: Any) -> bool:
        try:
            return value in self._set
        except TypeError:
            return False


class Nodes(_Listed):
    """Named processes: ``Nodes("a", 3)`` is a1, a2, a3."""

    def __init__(self, prefix: str, count: int) -> None:
        super().__init__([f"{prefix}{i}" for i in range(1, count + 1)], f"Nodes({prefix!r}, {count})")


class Enum(_Listed):
    """A fixed set of named constants, e.g. roles: ``Enum("follower", "candidate", "leader")``."""

    def __init__(self, *names: str) -> None:
        super().__init__(names, "Enum(" + ", ".join(map(repr, names)) + ")")


class Range(_Listed):
    """The integers lo..hi, both included."""

    def __init__(self, lo: int, hi: int) -> None:
        self.lo, self.hi = lo, hi
        super().__init__(range(lo, hi + 1), f"Range({lo}, {hi})")


class Bool(_Listed):
    """False and True."""

    def __init__(self) -> None:
        super().__init__([False, True], "Bool()")


class Option(_Listed):
    """``None`` or a value of the inner domain (TLA+'s ``Value \\cup {None}``)."""

    def __init__(self, inner: Domain) -> None:
        self.inner = inner
        super().__init__([None, *inner.values()], f"Option({inner!r})")

    def from_json(self, data: Any) -> Any:
        return None if data is None else self.inner.from_json(data)


class SetOf(Domain):
    """Every subset of a finite domain (TLA+'s ``SUBSET``): a message set, the votes a node holds.

    ``SetOf(M1a, M1b, M2a, M2b)`` is a set whose elements may be records of any of those kinds.
    Concrete values are ``ValueSet``s (frozensets); the Z3 engine gives one Boolean per element.
    """

    def __init__(self, *of: Domain) -> None:
        if len(of) == 1 and not isinstance(of[0], RecordType):
            self.of = of[0]
        else:
            self.of = Records(*of)
        self.name = f"SetOf({self.of!r})"

    def universe(self) -> list:
        """Every value that may be an element."""
        return self.of.values()

    def values(self) -> list:
        elems = self.universe()
        return [ValueSet(c) for r in range(len(elems) + 1) for c in itertools.combinations(elems, r)]

    def contains(self, value: Any) -> bool:
        return isinstance(value, frozenset) and all(self.of.contains(v) for v in value)

    def make(self, value: Iterable = ()) -> ValueSet:
        return ValueSet(value)

    def to_json(self, value: Any) -> Any:
        return [self.of.to_json(v) for v in sorted(value, key=sort_key)]

    def from_json(self, data: Any) -> Any:
        return ValueSet(self.of.from_json(v) for v in data)


class ValueSet(frozenset):
    """A frozenset that also indexes its records by kind: ``msgs.of("2a")``."""

    __slots__ = ("_by_kind",)

    def of(self, kind: str) -> tuple:
        """The elements that are records of this kind, in ``order`` (computed once per set)."""
        try:
            index = self._by_kind
        except AttributeError:
            index = {}
            for rec in self.ordered():
                index.setdefault(rec[0], []).append(rec)
            index = self._by_kind = {k: tuple(v) for k, v in index.items()}
        return index.get(kind, ())

    def ordered(self) -> tuple:
        """The elements in ``order``: the same sequence in every process, whatever the hash seed."""
        if _EXACT:
            return tuple(sorted(self, key=order))
        try:
            return tuple(sorted(self, key=_RANK.__getitem__))  # every element ranked already: int compares
        except KeyError:
            return tuple(sorted(self, key=rank))

    def __repr__(self) -> str:
        return show(self)


class Map(Domain):
    """Functions from a finite key domain to a value domain (TLA+'s ``[K -> V]``).

    Concrete values are immutable ``FnMap``s: ``m[k]`` reads, ``m.set(k, v)`` returns a changed copy.
    """

    def __init__(self, keys: Domain, values: Domain) -> None:
        self.keys, self.vals = keys, values
        self.name = f"Map({keys!r}, {values!r})"
        key_list = tuple(keys.values())
        self.cls = type(
            "FnMap",
            (FnMap,),
            {"__slots__": (), "_keys": key_list, "_index": {k: i for i, k in enumerate(key_list)}},
        )

    def make(self, init: Any) -> FnMap:
        """A map from a dict, a callable on keys, or one value for every key."""
        if isinstance(init, dict):
            vals = [init[k] for k in self.cls._keys]
        elif callable(init):
            vals = [init(k) for k in self.cls._keys]
        else:
            vals = [init] * len(self.cls._keys)
        return tuple.__new__(self.cls, [self.vals.coerce(v) for v in vals])

    def coerce(self, value: Any) -> Any:
        return value if isinstance(value, FnMap) else self.make(value)

    def values(self) -> list:
        combos = itertools.product(*[self.vals.values()] * len(self.cls._keys))
        return [tuple.__new__(self.cls, c) for c in combos]

    def contains(self, value: Any) -> bool:
        return isinstance(value, FnMap) and all(
            self.keys.contains(k) and self.vals.contains(v) for k, v in value.items()
        )

    def to_json(self, value: Any) -> Any:
        return {str(k): self.vals.to_json(v) for k, v in value.items()}

    def from_json(self, data: Any) -> Any:
        by_name = {str(k): k for k in self.cls._keys}
        return self.make({by_name[k]: self.vals.from_json(v) for k, v in data.items()})


class FnMap(tuple):
    """An immutable map over a fixed key tuple, stored as the tuple of its values (cheap to hash)."""

    __slots__ = ()
    _keys: tuple = ()
    _index: dict = {}

    def __getitem__(self, key: Any) -> Any:
        return tuple.__getitem__(self, self._index[key])

    def set(self, key: Any, value: Any) -> FnMap:
        """The map with ``key`` now mapped to ``value`` (TLA+'s ``[m EXCEPT ![key] = value]``)."""
        vals = list(tuple.__iter__(self))
        vals[self._index[key]] = value
        return tuple.__new__(type(self), vals)

    def __iter__(self) -> Iterator:
        return iter(self._keys)

    def keys(self) -> tuple:
        return self._keys

    def values(self) -> Iterator:
        return tuple.__iter__(self)

    def items(self) -> Iterator:
        return zip(self._keys, tuple.__iter__(self), strict=True)

    def __repr__(self) -> str:
        return show(self)


class RecordType(Domain):
    """A kind of record, e.g. a message ``1b`` with fields acc, bal, mbal, mval. ``where`` keeps
    only the records that make sense (a message from a server to itself is none), so the engines
    that range over every record have fewer to try.

    Calling the type builds a record: ``M1b(acc="a1", bal=0, mbal=-1, mval=None)``. Records are
    tuples whose first field ``type`` is the kind, so ``m.type == "1b"`` reads like TLA+.
    """

    def __init__(self, kind: str, *, where: Any = None, **fields: Domain) -> None:
        self.kind = kind
        self.fields = fields
        self.where = where  # a predicate on records: only those satisfying it are values (``msource != mdest``)
        self.name = f"Record({kind!r})"
        self.cls = _record_class(kind, list(fields))

    def __call__(self, *args: Any, **kwargs: Any) -> tuple:
        return self.cls(*args, **kwargs)

    def values(self) -> list:
        doms = [d.values() for d in self.fields.values()]
        records = [self.cls(*combo) for combo in itertools.product(*doms)]
        return records if self.where is None else [r for r in records if self.where(r)]

    def contains(self, value: Any) -> bool:
        return (
            isinstance(value, self.cls)
            and all(d.contains(getattr(value, f)) for f, d in self.fields.items())
            and (self.where is None or bool(self.where(value)))
        )

    def to_json(self, value: Any) -> Any:
        out = {"type": self.kind}
        for f, d in self.fields.items():
            out[f] = d.to_json(getattr(value, f))
        return out

    def from_json(self, data: Any) -> Any:
        return self.cls(**{f: d.from_json(data[f]) for f, d in self.fields.items()})


def _record_class(kind: str, fields: list[str]) -> type:
    """A tuple subclass with named fields whose first field, ``type``, is fixed to ``kind``."""
    names = ["type", *fields]
    args = ", ".join(fields)
    ns: dict[str, Any] = {"_tuple_new": tuple.__new__}
    exec(  # noqa: S102 - generated constructor: one tuple allocation per record, no kwargs parsing
        f"def __new__(_cls, {args}):\n    return _tuple_new(_cls, ({kind!r}, {args}{',' if len(fields) == 1 else ''}))",
        ns,
    )
    body: dict[str, Any] = {"__slots__": (), "__new__": ns["__new__"], "_fields": tuple(names), "kind": kind}
    for i, name in enumerate(names):
        body[name] = property(_itemgetter(i), doc=f"field {name}")
    body["__repr__"] = _record_repr
    return type(f"Record_{kind}", (tuple,), body)


def _itemgetter(i: int):
    import operator

    return operator.itemgetter(i)


def _record_repr(self: tuple) -> str:
    fields = ", ".join(f"{f}={show(v)}" for f, v in zip(self._fields[1:], self[1:], strict=True))
    return f"{self[0]}({fields})"


class Records(Domain):
    """The union of several record kinds: the universe of a message set."""

    def __init__(self, *kinds: RecordType) -> None:
        self.kinds = {k.kind: k for k in kinds}
        self.name = "Records(" + ", ".join(self.kinds) + ")"

    def values(self) -> list:
        return [v for k in self.kinds.values() for v in k.values()]

    def contains(self, value: Any) -> bool:
        kind = self.kinds.get(getattr(value, "kind", None))
        return kind is not None and kind.contains(value)

    def to_json(self, value: Any) -> Any:
        return self.kinds[value.kind].to_json(value)

    def from_json(self, data: Any) -> Any:
        return self.kinds[data["type"]].from_json(data)


def show(value: Any) -> str:
    """A short, stable rendering of a concrete value for tables and diagrams."""
    custom = getattr(value, "show_value", None)  # a value that words itself (sequences, bags)
    if custom is not None:
        return custom()
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(map(show, value))) + "}"
    if isinstance(value, tuple) and hasattr(value, "items"):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str):
        return value
    return repr(value)


_ORDER: dict[Any, tuple] = {}


def order(value: Any) -> tuple:
    """A total order over concrete values that does not depend on hashing.

    Sets iterate in hash order, which varies between processes (the string hash seed, and before
    Python 3.12 ``hash(None)``, an address); every engine meets the elements of a set in this
    order instead, so a check gives the same successors, trace and counts in every process.
    None < numbers (Booleans as 0 and 1: values equal in Python get equal keys, so the cache below
    cannot mix them up) < strings < tuples (records, maps: field by field) < sets."""
    try:
        return _ORDER[value]
    except KeyError:
        pass
    except TypeError:
        return (9, repr(value))
    if value is None:
        key: tuple = (0,)
    elif isinstance(value, (int, float)):
        key = (2, value)
    elif isinstance(value, str):
        key = (3, value)
    elif isinstance(value, tuple):
        key = (4, tuple(order(v) for v in tuple.__iter__(value)))
    elif isinstance(value, frozenset):
        key = (5, tuple(sorted(order(v) for v in value)))
    elif hasattr(value, "order_key"):  # a value that orders itself (bags)
        key = value.order_key()
    else:
        key = (9, repr(value))
    if len(_ORDER) < 1 << 20:  # values come from finite domains; the cap only bounds memory
        _ORDER[value] = key
    return key


_RANK: dict[Any, int] = {}
_RANKED: dict[int, tuple] = {}
_EXACT: list[bool] = []  # non-empty once two values shared a rank: sort by ``order`` from then on


def rank(value: Any) -> int:
    """An integer that stands for ``value``'s place in a fixed order: a 63-bit digest of its
    ``order`` key, the same in every process. Sorting sets by it compares machine integers
    instead of nested keys (it measured about half the cost). Two values with one digest (odds
    about n²/2⁶⁴ for n values) would have no fixed order between them, so from the first such
    pair on, sets are sorted by ``order`` itself."""
    key = order(value)
    digest = int.from_bytes(hashlib.blake2b(repr(key).encode(), digest_size=8).digest(), "big") >> 1
    if _RANKED.setdefault(digest, key) != key:
        _EXACT.append(True)
    if len(_RANK) < 1 << 20:
        _RANK[value] = digest
    return digest


def sort_key(value: Any) -> tuple:
    """Orders values of mixed types (None, ints, strings, records) deterministically."""
    return (type(value).__name__, show(value))
