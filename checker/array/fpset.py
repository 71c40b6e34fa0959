"""The array engine's seen-sets: open addressing over 64-bit keys, inserted a batch at a time.

``FingerprintSet`` is TLC's ``FPSet`` in array form: a power-of-two table of 64-bit fingerprints
(0 marks an empty slot; a fingerprint that is 0 is stored as 1), linear probing, grown to twice
its size when half full. A batch is inserted with a few vector passes: every key looks at its
slot; keys whose slot is empty claim it (where several claim one slot, the last write wins and the
others see it on re-reading and move on); a key that finds itself is already there; everyone else
probes the next slot. Keys in one batch must be distinct (the search dedupes each batch first).

``ExactSet`` keeps every state's row as well and compares rows where fingerprints agree: no
collisions, at the cost of the rows' bytes per state.
"""

from __future__ import annotations

from typing import Any

import numpy as np

EMPTY = np.uint64(0)
_GROW_AT = 0.5


class FingerprintSet:
    """A set of 64-bit fingerprints; ``insert`` says which keys of a batch were new."""

    name = "fingerprints"

    def __init__(self, capacity: int = 1 << 16) -> None:
        size = 1 << max(int(capacity - 1).bit_length(), 4)
        self.table = np.zeros(size, dtype=np.uint64)
        self.count = 0

    def __len__(self) -> int:
        return self.count

    @property
    def nbytes(self) -> int:
        return int(self.table.nbytes)

    def _prepare(self, keys: Any) -> Any:
        keys = keys.astype(np.uint64, copy=True)
        keys[keys == EMPTY] = np.uint64(1)
        return keys

    def insert(self, keys: Any) -> Any:
        """Add distinct ``keys``; a mask of those that were not in the set before."""
        keys = self._prepare(keys)
        while (self.count + len(keys)) > _GROW_AT * len(self.table):
            self._grow()
        new = self._probe(self.table, keys, claim=True)
        self.count += int(new.sum())
        return new

    def contains(self, keys: Any) -> Any:
        """A mask of the keys already in the set (nothing is added)."""
        return ~self._probe(self.table, self._prepare(keys), claim=False)

    def _probe(self, table: Any, keys: Any, claim: bool) -> Any:
        mask = np.uint64(len(table) - 1)
        slot = (keys * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - (len(table) - 1).bit_length())
        slot &= mask
        new = np.zeros(len(keys), dtype=bool)
        todo = np.arange(len(keys))
        while len(todo):
            k, s = keys[todo], slot[todo]
            there = table[s]
            empty = there == EMPTY
            if claim:
                table[s[empty]] = k[empty]
                there = table[s]
                won = empty & (there == k)
            else:
                won = empty
            new[todo[won]] = True
            moving = ~won & (there != k)
            todo = todo[moving]
            slot[todo] = (slot[todo] + np.uint64(1)) & mask
        return new

    def _grow(self) -> None:
        old = self.table[self.table != EMPTY]
        self.table = np.zeros(len(self.table) * 2, dtype=np.uint64)
        self._probe(self.table, old, claim=True)

    def state(self) -> dict[str, Any]:
        return {"table": self.table, "count": np.int64(self.count)}

    def restore(self, data: dict[str, Any]) -> None:
        self.table, self.count = np.asarray(data["table"]), int(data["count"])


class ExactSet:
    """Every state's row, looked up by fingerprint and compared in full: no collisions.

    The table holds state numbers + 1 (0: empty); ``rows`` and ``fps`` every stored state's row and
    fingerprint, in number order. A batch is looked up first, then only its new rows are placed."""

    name = "states"

    def __init__(self, width: int, dtype: Any, capacity: int = 1 << 16) -> None:
        self.table = np.zeros(1 << max(int(capacity - 1).bit_length(), 4), dtype=np.int64)
        self.fps = np.zeros(capacity, dtype=np.uint64)
        self.rows = np.zeros((capacity, width), dtype=dtype)
        self.count = 0

    def __len__(self) -> int:
        return self.count

    @property
    def nbytes(self) -> int:
        return int(self.table.nbytes + self.fps[: self.count].nbytes + self.rows[: self.count].nbytes)

    def _slots(self, keys: Any) -> Any:
        bits = (len(self.table) - 1).bit_length()
        return ((keys * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - bits)).astype(np.int64)

    def contains_rows(self, keys: Any, rows: Any) -> Any:
        """A mask of the rows already stored."""
        table, size = self.table, len(self.table)
        slot = self._slots(keys)
        found = np.zeros(len(keys), dtype=bool)
        todo = np.arange(len(keys))
        while len(todo):
            s = slot[todo]
            there = table[s]
            occupied = there != 0
            other = there[occupied] - 1
            idx = todo[occupied]
            same = (self.fps[other] == keys[idx]) & (self.rows[other] == rows[idx]).all(axis=1)
            found[idx[same]] = True
            moving = np.zeros(len(todo), dtype=bool)
            moving[np.flatnonzero(occupied)[~same]] = True
            todo = todo[moving]
            slot[todo] = (slot[todo] + 1) % size
        return found

    def insert_rows(self, keys: Any, rows: Any) -> Any:
        """Add ``rows`` (distinct among themselves) with fingerprints ``keys``; a mask of the new ones."""
        new = ~self.contains_rows(keys, rows)
        n = int(new.sum())
        while self.count + n > _GROW_AT * len(self.table):
            self.table = np.zeros(len(self.table) * 2, dtype=np.int64)
            self._place(np.arange(self.count, dtype=np.int64))
        self._reserve(self.count + n)
        ids = np.arange(self.count, self.count + n, dtype=np.int64)
        self.fps[ids], self.rows[ids] = keys[new], rows[new]
        self.count += n
        self._place(ids)
        return new

    def _place(self, ids: Any) -> None:
        """Put states ``ids`` (known to be absent and distinct) into empty slots."""
        table, size = self.table, len(self.table)
        slot = self._slots(self.fps[ids])
        todo = np.arange(len(ids))
        while len(todo):
            s = slot[todo]
            empty = table[s] == 0
            table[s[empty]] = ids[todo[empty]] + 1
            won = empty & (table[s] == ids[todo] + 1)
            todo = todo[~won]
            slot[todo] = (slot[todo] + 1) % size

    def _reserve(self, n: int) -> None:
        if n > len(self.fps):
            size = max(n, 2 * len(self.fps))
            fps = np.zeros(size, dtype=np.uint64)
            fps[: self.count] = self.fps[: self.count]
            rows = np.zeros((size, self.rows.shape[1]), dtype=self.rows.dtype)
            rows[: self.count] = self.rows[: self.count]
            self.fps, self.rows = fps, rows

    def state(self) -> dict[str, Any]:
        return {"table": self.table, "count": np.int64(self.count), "fps": self.fps[: self.count],
                "rows": self.rows[: self.count]}

    def restore(self, data: dict[str, Any]) -> None:
        self.table, self.count = np.asarray(data["table"]), int(data["count"])
        self.fps, self.rows = np.asarray(data["fps"]), np.asarray(data["rows"])
