"""Bounded sequences and bags: raft.tla's ``log`` (a sequence of entries) and ``messages`` (a bag).

``Seq(D, max_len)`` is TLA+'s ``Seq(D)`` cut at a length, so every engine can enumerate it: a
concrete value is a ``SeqValue``, indexed from 1 as in TLA+ and the Raft paper (``log.at(k)``),
with ``length``, ``last``, ``append``, ``prefix`` (truncate) and ``sub`` (``SubSeq``).
``Bag(D, max_count=n)`` is a multiset holding each element at most n times (TLA+'s Bags, or
raft.tla's function from messages to counts): a message sent twice is there twice. A concrete
value is a ``BagValue`` with ``count``, ``add`` and ``remove``; ``Member``, ``Count``, ``Exists``
and action parameters ``From("messages")`` see its distinct elements.

The same methods exist on the symbolic values of the Z3 engine (``checker.smt.sequences``), so one
action reads the same everywhere. Going past a bound — an index outside the sequence, an append to
a full one, a count above ``max_count`` — raises ``BoundError`` naming the value and the protocol's
line: an exception in an action is a finding, shown with the trace that reached it. A bound that
should *discard* a successor instead (TLC's ``CONSTRAINT``) is the protocol's ``constraint`` hook.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from checker.dsl.domains import Domain, Records, RecordType, order, show
from checker.errors import QuorumError

NO_DEFAULT: Any = object()
_DSL = os.path.dirname(os.path.abspath(__file__))


class BoundError(IndexError):
    """A sequence or bag went past its bound (or an index outside it was read)."""


def caller_line() -> str:
    """``file:line: `` of the innermost caller outside ``checker.dsl``: the protocol's own line."""
    frame = sys._getframe(2)
    while frame is not None and os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == _DSL:
        frame = frame.f_back
    if frame is None:
        return ""
    return f"{os.path.relpath(frame.f_code.co_filename)}:{frame.f_lineno}: "


class Seq(Domain):
    """Sequences of at most ``max_len`` values of ``of``: ``Seq(Entry, 3)`` for a log of up to 3 entries."""

    def __init__(self, of: Domain, max_len: int) -> None:
        if not isinstance(of, Domain):
            raise QuorumError(f"Seq({of!r}, ...): the elements need a domain, e.g. Seq(RecordType(...), 3)")
        if isinstance(max_len, bool) or not isinstance(max_len, int) or max_len < 0:
            raise QuorumError(f"Seq(..., {max_len!r}): the longest length must be a whole number ≥ 0")
        self.of, self.max_len = of, max_len
        self.name = f"Seq({of!r}, {max_len})"
        self.cls = type("SeqValue", (SeqValue,), {"__slots__": (), "_max": max_len, "_domain": self.name})

    def make(self, init: Iterable = ()) -> SeqValue:
        values = tuple(init)
        if len(values) > self.max_len:
            raise QuorumError(f"{self.name}: {len(values)} values exceed its longest length {self.max_len}")
        return tuple.__new__(self.cls, values)

    def coerce(self, value: Any) -> Any:
        return self.make(value) if isinstance(value, tuple) and not isinstance(value, SeqValue) else value

    def values(self) -> list:
        elems = self.of.values()
        return [tuple.__new__(self.cls, c) for n in range(self.max_len + 1) for c in itertools.product(elems, repeat=n)]

    def contains(self, value: Any) -> bool:
        return isinstance(value, SeqValue) and len(value) <= self.max_len and all(self.of.contains(v) for v in value)

    def to_json(self, value: Any) -> Any:
        return [self.of.to_json(v) for v in tuple.__iter__(value)]

    def from_json(self, data: Any) -> Any:
        return self.make(self.of.from_json(v) for v in data)


class SeqValue(tuple):
    """An immutable sequence, indexed 1..length. Plain ``[i]`` is refused: it counts from 0 in
    Python, from 1 in TLA+, and the engines must agree on one reading."""

    __slots__ = ()
    _max = 0
    _domain = "Seq"

    @property
    def length(self) -> int:
        """``Len(s)``."""
        return tuple.__len__(self)

    def at(self, k: int, default: Any = NO_DEFAULT) -> Any:
        """The element at index k (1-based); ``default`` where there is none, else ``BoundError``."""
        if isinstance(k, int) and 1 <= k <= tuple.__len__(self):
            return tuple.__getitem__(self, k - 1)
        if default is not NO_DEFAULT:
            return default
        raise BoundError(f"{caller_line()}index {k!r} is outside 1..{tuple.__len__(self)} of {show(self)}")

    def last(self, default: Any = NO_DEFAULT) -> Any:
        """The last element; ``default`` for an empty sequence, else ``BoundError``."""
        if tuple.__len__(self):
            return tuple.__getitem__(self, -1)
        if default is not NO_DEFAULT:
            return default
        raise BoundError(f"{caller_line()}last() of an empty sequence (pass a default)")

    def append(self, value: Any) -> SeqValue:
        """``Append(s, value)``; ``BoundError`` on a full sequence."""
        if tuple.__len__(self) >= self._max:
            raise BoundError(f"{caller_line()}append to a full sequence: {self._domain} holds at most {self._max}")
        return tuple.__new__(type(self), (*tuple.__iter__(self), value))

    def prefix(self, n: int) -> SeqValue:
        """The first n elements (``SubSeq(s, 1, n)``): truncating a log to n entries."""
        if not isinstance(n, int) or not 0 <= n <= tuple.__len__(self):
            raise BoundError(f"{caller_line()}prefix({n!r}) of a sequence of length {tuple.__len__(self)}")
        return tuple.__new__(type(self), tuple.__getitem__(self, slice(0, n)))

    def sub(self, lo: int, hi: int) -> SeqValue:
        """``SubSeq(s, lo, hi)``: the elements lo..hi (empty where hi < lo)."""
        if hi < lo:
            return tuple.__new__(type(self), ())
        if lo < 1 or hi > tuple.__len__(self):
            raise BoundError(f"{caller_line()}sub({lo!r}, {hi!r}) is outside 1..{tuple.__len__(self)}")
        return tuple.__new__(type(self), tuple.__getitem__(self, slice(lo - 1, hi)))

    def __getitem__(self, index: Any) -> Any:
        raise TypeError(f"{caller_line()}a sequence is read with .at(k), counting from 1 (as in TLA+), not [{index!r}]")

    def show_value(self) -> str:
        """``<<a, b>>``, as TLA+ writes a sequence."""
        return "<<" + ", ".join(map(show, tuple.__iter__(self))) + ">>"

    def __repr__(self) -> str:
        return show(self)


class Bag(Domain):
    """Multisets over ``of`` (one domain, or record kinds as for ``SetOf``), each element at most
    ``max_count`` times."""

    def __init__(self, *of: Domain, max_count: int) -> None:
        if isinstance(max_count, bool) or not isinstance(max_count, int) or max_count < 1:
            raise QuorumError(f"Bag(..., max_count={max_count!r}): the largest count must be a whole number ≥ 1")
        self.of = of[0] if len(of) == 1 and not isinstance(of[0], RecordType) else Records(*of)
        self.max_count = max_count
        self.name = f"Bag({self.of!r}, max_count={max_count})"
        self.cls = type("BagValue", (BagValue,), {"__slots__": (), "_max": max_count, "_domain": self.name})

    def universe(self) -> list:
        """Every value that may be an element."""
        return self.of.values()

    def make(self, init: Any = ()) -> BagValue:
        """A bag from elements (repeated as often as they occur) or a dict of counts."""
        counts: dict = {}
        if isinstance(init, dict):
            counts = {k: v for k, v in init.items() if v}
        else:
            for x in init:
                counts[x] = counts.get(x, 0) + 1
        return self.cls(counts)

    def coerce(self, value: Any) -> Any:
        return value if isinstance(value, BagValue) else self.make(value)

    def values(self) -> list:
        elems = self.universe()
        return [self.make(dict(zip(elems, c, strict=True)))
                for c in itertools.product(range(self.max_count + 1), repeat=len(elems))]

    def contains(self, value: Any) -> bool:
        return isinstance(value, BagValue) and all(
            0 < c <= self.max_count and self.of.contains(x) for x, c in value.items())

    def to_json(self, value: Any) -> Any:
        return [self.of.to_json(x) for x, c in value.items() for _ in range(c)]

    def from_json(self, data: Any) -> Any:
        return self.make(self.of.from_json(x) for x in data)


class BagValue:
    """An immutable multiset. Iterating, ``len``, ``in`` and ``From`` see its distinct elements,
    in ``checker.dsl.domains.order``; ``count(x)`` says how often x is there."""

    __slots__ = ("_counts", "_hash", "_ordered", "_by_kind")
    _max = 1
    _domain = "Bag"

    def __init__(self, counts: dict) -> None:
        self._counts = counts
        self._hash: int | None = None
        self._ordered: tuple | None = None
        self._by_kind: dict | None = None

    def count(self, x: Any) -> int:
        return self._counts.get(x, 0)

    def add(self, x: Any) -> BagValue:
        """One more x (raft.tla's ``WithMessage``); ``BoundError`` above ``max_count``."""
        n = self._counts.get(x, 0) + 1
        if n > self._max:
            raise BoundError(
                f"{caller_line()}copy {n} of {show(x)}: {self._domain} holds each at most {self._max} times")
        counts = dict(self._counts)
        counts[x] = n
        return type(self)(counts)

    def remove(self, x: Any) -> BagValue:
        """One fewer x; the same bag where there is none (raft.tla's ``WithoutMessage``)."""
        n = self._counts.get(x, 0)
        if not n:
            return self
        counts = dict(self._counts)
        if n == 1:
            del counts[x]
        else:
            counts[x] = n - 1
        return type(self)(counts)

    def items(self) -> Iterator[tuple[Any, int]]:
        """(element, count) pairs in order."""
        return ((x, self._counts[x]) for x in self.ordered())

    def ordered(self) -> tuple:
        if self._ordered is None:
            self._ordered = tuple(sorted(self._counts, key=order))
        return self._ordered

    def of(self, kind: str) -> tuple:
        """The distinct elements that are records of this kind, in order."""
        if self._by_kind is None:
            index: dict = {}
            for rec in self.ordered():
                index.setdefault(rec[0], []).append(rec)
            self._by_kind = {k: tuple(v) for k, v in index.items()}
        return self._by_kind.get(kind, ())

    def __contains__(self, x: Any) -> bool:
        try:
            return x in self._counts
        except TypeError:
            return False

    def __iter__(self) -> Iterator:
        return iter(self.ordered())

    def __len__(self) -> int:
        return len(self._counts)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, BagValue) and self._counts == other._counts

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._counts.items()))
        return self._hash

    def show_value(self) -> str:
        """``{m1, m2 ×2}``: each distinct element once, with its count above one."""
        return "{" + ", ".join(show(x) + (f" ×{c}" if c > 1 else "") for x, c in self.items()) + "}"

    def order_key(self) -> tuple:
        return (6, tuple((order(x), c) for x, c in self.items()))

    def __repr__(self) -> str:
        return show(self)
