"""A state as a fixed-width row of small integers: one column per component of the Z3 encoding.

``checker.smt.transition`` gives every state variable one Z3 constant per component — a map entry,
a set's possible element (a Boolean), a scalar. The array engine keeps exactly those components,
in the same order, as the columns of a row: a column holds the *index* of its value in the
component's finite domain (a Boolean: 0 or 1), so a row fits in one byte per column for the
protocols here. ``codes`` turns indices back into the values Z3 terms compute with (integers stand
for themselves, other values for ``checker.smt.symbolic.code``), which is what compiled
expressions see.

``encode`` and ``decode`` convert between rows and the protocol's concrete states: initial states
come in through ``encode``, and a decoded row is compared with the state that replaying its trace
through the concrete semantics gives (``checker.array.search``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import z3

from checker.dsl.domains import Bool, Domain, Map, RecordType, SetOf
from checker.dsl.protocol import Protocol
from checker.dsl.sequences import Bag, Seq
from checker.errors import EncodingError
from checker.smt.sequences import SymBag, SymRecord, SymSeq
from checker.smt.symbolic import Sym, SymBool, SymMap, SymSet, code
from checker.smt.transition import SymState


@dataclass
class Column:
    """One component: the variable, where in it (map keys, then a set element), its values."""

    var: str
    path: tuple  # map keys from the variable down; a set element is ("∋", element)
    values: list  # the component's domain, in index order (a Boolean: [False, True])
    term: z3.ExprRef  # its constant in the template state
    boolean: bool

    @property
    def label(self) -> str:
        return self.var + "".join(_LABELS[p[0]](p) if isinstance(p, tuple) else f"[{p}]" for p in self.path)


_LABELS = {
    "∋": lambda p: f" ∋ {p[1]!r}",
    "#": lambda p: ".length",
    "@": lambda p: f".at({p[1]})",
    ".": lambda p: f".{p[1]}",
    "×": lambda p: f".count({p[1]!r})",
}
_PAST_END = object()


def _step(value: Any, step: Any) -> Any:
    """One step of a column's path into a concrete value (``_PAST_END`` for a slot past the end)."""
    if not isinstance(step, tuple):
        return value[step]
    kind = step[0]
    if kind == "∋":
        return step[1] in value
    if kind == "#":
        return value.length
    if kind == "@":
        return value.at(step[1], _PAST_END)
    if kind == ".":
        return getattr(value, step[1])
    return value.count(step[1])


class Layout:
    """The columns of one protocol's rows, and the conversions between rows and states."""

    def __init__(self, protocol: Protocol, template: SymState) -> None:
        self.protocol = protocol
        self.columns: list[Column] = []
        for name, var in protocol.variables.items():
            self._walk(name, (), var.domain, template.values[name])
        # scalars first, then the Booleans: each kind is one slice of a row (``pack`` is cheap)
        walk = sorted(range(len(self.columns)), key=lambda i: self.columns[i].boolean)
        self.columns = [self.columns[i] for i in walk]
        self._walk_order = [walk.index(i) for i in range(len(walk))]  # walk position -> column
        self.width = len(self.columns)
        biggest = max((len(c.values) for c in self.columns), default=2)
        self.dtype = np.uint8 if biggest <= 256 else np.uint16 if biggest <= 65536 else np.uint32
        self.index_of_term = {c.term.get_id(): i for i, c in enumerate(self.columns)}
        self.codes = [np.array([int(v) for v in c.values] if c.boolean else [code(v) for v in c.values],
                               dtype=np.int64) for c in self.columns]
        self._index = [{v: i for i, v in enumerate(c.values)} for c in self.columns]
        self._sorted = [np.argsort(codes, kind="stable") for codes in self.codes]
        self.n_scalars = sum(not c.boolean for c in self.columns)
        self.packed_width = self.n_scalars * np.dtype(self.dtype).itemsize + (self.width - self.n_scalars + 7) // 8

    def _walk(self, var: str, path: tuple, domain: Domain, template: Any) -> None:
        if isinstance(template, SymSeq):
            assert isinstance(domain, Seq)
            self.columns.append(Column(var, (*path, ("#",)), list(range(domain.max_len + 1)),
                                       template.length.term, False))
            for k, slot in enumerate(template.slots, start=1):
                if isinstance(slot, SymRecord):
                    for (f, d), value in zip(domain.of.fields.items(), slot.values[1:], strict=True):
                        self.columns.append(Column(var, (*path, ("@", k), (".", f)), list(d.values()), value.term,
                                                   False))
                else:
                    self._walk(var, (*path, ("@", k)), domain.of, slot)
        elif isinstance(template, SymBag):
            assert isinstance(domain, Bag)
            for elem, count in template.counts.items():
                self.columns.append(Column(var, (*path, ("×", elem)), list(range(domain.max_count + 1)),
                                           count.term, False))
        elif isinstance(template, SymSet):
            for elem in template.present:
                self.columns.append(Column(var, (*path, ("∋", elem)), [False, True], template.present[elem].term, True))
        elif isinstance(template, SymMap):
            assert isinstance(domain, Map)
            for key, entry in template.entries.items():
                self._walk(var, (*path, key), domain.vals, entry)
        elif isinstance(template, SymBool):
            self.columns.append(Column(var, path, [False, True], template.term, True))
        elif isinstance(template, Sym):
            self.columns.append(Column(var, path, list(domain.values()), template.term, False))
        else:  # pragma: no cover - fresh() makes only these
            raise EncodingError(f"state variable {var!r}: no array encoding for {template!r}")

    # -- states <-> rows -------------------------------------------------------------------

    def encode(self, state: Any) -> np.ndarray:
        """The row of a concrete state (a value outside its column's domain is an EncodingError)."""
        row = np.zeros(self.width, dtype=self.dtype)
        for i, col in enumerate(self.columns):
            value = getattr(state, col.var)
            for step in col.path:
                value = _step(value, step)
                if value is _PAST_END:  # a slot past the sequence's end: the blank, index 0
                    break
            if value is _PAST_END:
                row[i] = 0
                continue
            try:
                row[i] = int(bool(value)) if col.boolean else self._index[i][value]
            except (KeyError, TypeError):
                raise EncodingError(f"{col.label} = {value!r} is outside its domain") from None
        return row

    def decode(self, row: np.ndarray) -> Any:
        """The concrete state a row stands for."""
        cursor = iter(self._walk_order)
        values = [self._value(var.domain, cursor, row) for var in self.protocol.variables.values()]
        return tuple.__new__(self.protocol.State, values)

    def _value(self, domain: Domain, cursor: Any, row: np.ndarray) -> Any:
        if isinstance(domain, Seq):
            length = int(row[next(cursor)])
            items = []
            for _ in range(domain.max_len):
                if isinstance(domain.of, RecordType):
                    fields = [self.columns[i].values[int(row[i])] for i in (next(cursor) for _ in domain.of.fields)]
                    items.append(domain.of.cls(*fields))
                else:
                    items.append(self._value(domain.of, cursor, row))
            return domain.make(items[:length])
        if isinstance(domain, Bag):
            return domain.make({e: int(row[next(cursor)]) for e in domain.universe()})
        if isinstance(domain, SetOf):
            return domain.make(e for e in domain.universe() if row[next(cursor)])
        if isinstance(domain, Map):
            return domain.make({k: self._value(domain.vals, cursor, row) for k in domain.keys.values()})
        i = next(cursor)
        if isinstance(domain, Bool):
            return bool(row[i])
        return self.columns[i].values[int(row[i])]

    # -- packed rows: one bit per Boolean column ---------------------------------------------

    def pack(self, rows: np.ndarray) -> np.ndarray:
        """Rows as bytes: the scalar columns, then the Boolean ones eight to a byte (``packed_width``)."""
        ns = self.n_scalars
        scalars = np.ascontiguousarray(rows[:, :ns]).view(np.uint8).reshape(len(rows), -1)
        return np.concatenate([scalars, np.packbits(rows[:, ns:], axis=1)], axis=1)

    def unpack(self, packed: np.ndarray) -> np.ndarray:
        """The rows ``pack`` was given."""
        n, ns = len(packed), self.n_scalars
        cut = ns * np.dtype(self.dtype).itemsize
        rows = np.empty((n, self.width), dtype=self.dtype)
        rows[:, :ns] = np.ascontiguousarray(packed[:, :cut]).view(self.dtype).reshape(n, ns)
        rows[:, ns:] = np.unpackbits(packed[:, cut:], axis=1, count=self.width - ns)
        return rows

    def chunk(self, packed: np.ndarray) -> Chunk:
        """Packed rows as a ``Chunk``, the form a batch is computed on."""
        n, ns = len(packed), self.n_scalars
        cut = ns * np.dtype(self.dtype).itemsize
        scalars = np.ascontiguousarray(np.ascontiguousarray(packed[:, :cut]).view(self.dtype).reshape(n, ns).T)
        planes = np.ascontiguousarray(packed[:, cut:].T)  # (bytes, n): a transpose of bytes, not of bits
        flags = np.unpackbits(planes.reshape(-1)).reshape(len(planes), n, 8)
        return Chunk(self, scalars, flags)

    # -- values <-> indices, on whole batches ---------------------------------------------

    def indices(self, i: int, values: Any, xp: Any = np) -> tuple[Any, Any]:
        """The indices of computed ``values`` of column ``i`` and a mask of those outside its domain."""
        codes = self.codes[i]
        if self.columns[i].boolean:
            values = xp.asarray(values)
            return values.astype(self.dtype), xp.zeros(values.shape, dtype=bool)
        values = xp.asarray(values, dtype=np.int64)
        order = self._sorted[i]
        sorted_codes = codes[order]
        pos = xp.clip(xp.searchsorted(sorted_codes, values), 0, len(codes) - 1)
        outside = sorted_codes[pos] != values
        return order[pos].astype(self.dtype), outside


class Chunk:
    """A batch of rows, unpacked for computing: the scalar columns one vector each, and the Boolean
    columns as ``flags[byte, row, bit]`` — unpacking bits along the flat axis is fast, and a column
    is one strided slice (``column`` copies it out once per batch)."""

    def __init__(self, layout: Layout, scalars: np.ndarray, flags: np.ndarray) -> None:
        self.layout, self.scalars, self.flags = layout, scalars, flags
        self.n = scalars.shape[1] if len(scalars) else flags.shape[1]

    def column(self, i: int) -> np.ndarray:
        ns = self.layout.n_scalars
        if i < ns:
            return self.scalars[i]
        b, k = divmod(i - ns, 8)
        return np.ascontiguousarray(self.flags[b, :, k])

    def take(self, rows: np.ndarray) -> Chunk:
        """The rows at positions ``rows`` (a copy)."""
        return Chunk(self.layout, self.scalars[:, rows], self.flags[:, rows, :])

    def write(self, i: int, rows: np.ndarray, values: np.ndarray) -> None:
        ns = self.layout.n_scalars
        if i < ns:
            self.scalars[i, rows] = values
        else:
            b, k = divmod(i - ns, 8)
            self.flags[b, rows, k] = values

    def pack(self) -> np.ndarray:
        """The rows as ``Layout.pack`` writes them."""
        scalars = np.ascontiguousarray(self.scalars.T).view(np.uint8).reshape(self.n, -1)
        planes = np.packbits(self.flags.reshape(-1)).reshape(len(self.flags), self.n)
        return np.concatenate([scalars, planes.T], axis=1)
