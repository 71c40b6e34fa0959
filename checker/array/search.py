"""Level-synchronous breadth-first search on whole frontiers at once.

One level at a time, in chunks of rows: every firing's condition is evaluated on the chunk
(``Program.guards``); where it holds, the new values of the columns it writes are computed on
those rows only, and each successor's fingerprint is the parent's with the changed columns'
Zobrist keys swapped out and in — no successor row is built before it is known to be new. Keys
are deduplicated within the chunk, in the order the concrete semantics would meet them (parent,
then firing), then looked up in the seen-set (``checker.array.fpset``); only new successors are
materialised as rows, checked against the invariants and goals (compiled the same way) and
queued. Each state keeps its parent's number and its firing, so a trace is rebuilt by replaying
firings from an initial state through the concrete semantics (``fire``), and the state that
replay ends in must equal the row the engine holds — the engine's answer is never shown unchecked.

With symmetry (``checker.array.symmetry``) each row carries one fingerprint per permutation of
the group, all updated the same incremental way; the key stored is their minimum, the same for
every state of an orbit, as TLC's ``SYMMETRY`` keeps one state per orbit.

Findings follow the explicit engine's order within a level: the earliest event by (parent, firing)
— a successor that breaks an invariant or leaves its domain, an action that raises, a deadlock —
wins, except that a deadlock anywhere in the level beats a violation one level deeper (its trace
is shorter).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from checker.array.fpset import ExactSet, FingerprintSet
from checker.array.layout import Chunk
from checker.array.program import Program
from checker.core.budget import Budget
from checker.core.coverage import Coverage
from checker.core.properties import PropertySet
from checker.core.result import Details, Raised, Result
from checker.core.semantics import ActionRaised, TypeCheck, fire, initial_states
from checker.core.trace import Step
from checker.errors import EncodingError, InternalError, QuorumError

CHUNK = 1 << 15
NEXT_LEVEL = ("violated", "outside")  # findings in a new state, one level below the one expanded


@dataclass
class ArrayDetails(Details):
    """The store, its bytes per state, the collision estimate, symmetry and the device."""

    store: str
    bytes_per_state: float
    collision_probability: float
    device: str
    symmetry: list[str] | None = None

    def report_lines(self) -> list[str]:
        kind = "64-bit fingerprints" if self.store == "fingerprints" else "exact rows"
        lines = [f"array engine on {self.device}: {kind}, {self.bytes_per_state:,.1f} bytes per state stored"]
        if self.collision_probability:
            lines.append(f"fingerprint collision probability (optimistic): {self.collision_probability:.2e}")
        if self.symmetry:
            lines.append(f"symmetry over {', '.join(self.symmetry)}: states counted are orbits")
        return lines


@contextmanager
def deferred_interrupt() -> Iterator[list]:
    """While the search runs, the first Ctrl-C only sets a flag (the list is non-empty once it came);
    the search stops at the next chunk boundary. A second Ctrl-C interrupts at once."""
    pending: list[bool] = []
    if threading.current_thread() is not threading.main_thread():
        yield pending
        return

    def handler(signum: int, frame: Any) -> None:
        if pending:
            raise KeyboardInterrupt
        pending.append(True)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield pending
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)


class Growing:
    """An append-only array that doubles its capacity (parents and firings of every state)."""

    def __init__(self, dtype: Any) -> None:
        self.data = np.zeros(1 << 16, dtype=dtype)
        self.n = 0

    def extend(self, values: np.ndarray) -> None:
        need = self.n + len(values)
        if need > len(self.data):
            bigger = np.zeros(max(need, 2 * len(self.data)), dtype=self.data.dtype)
            bigger[: self.n] = self.data[: self.n]
            self.data = bigger
        self.data[self.n:need] = values
        self.n = need

    def view(self) -> np.ndarray:
        return self.data[: self.n]


@dataclass
class Event:
    """A finding at ``(parent position, firing order)`` of the level being expanded."""

    where: tuple[int, int]
    kind: str  # violated | deadlock | raised | outside | limit
    state: int = -1  # the state number of a new state (violated, limit)
    parent: int = -1  # the state number expanded (raised, outside, deadlock)
    firing: int = -1
    property: str | None = None


@dataclass
class Frontier:
    rows: np.ndarray
    fps: np.ndarray  # (n, group size)
    ids: np.ndarray

    @staticmethod
    def join(parts: list[Frontier], width: int, dtype: Any, group: int) -> Frontier:
        if not parts:
            return Frontier(np.zeros((0, width), dtype), np.zeros((0, group), np.uint64), np.zeros(0, np.int64))
        return Frontier(np.concatenate([p.rows for p in parts]), np.concatenate([p.fps for p in parts]),
                        np.concatenate([p.ids for p in parts]))

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class Level:
    """Where the search is: what a checkpoint saves and a resumed run starts from."""

    depth: int
    frontier: Frontier
    position: int = 0  # rows of the frontier already expanded
    discovered: list[Frontier] = field(default_factory=list)  # the next level so far


class ArraySearch:
    """One breadth-first search of a compiled protocol on arrays."""

    def __init__(self, program: Program, props: PropertySet, budget: Budget, *, store: str = "fingerprints",
                 deadlock: bool = True, zobrist: np.ndarray, device: str = "cpu (numpy)",
                 symmetry: list[str] | None = None, chunk: int | None = None) -> None:
        self.program, self.props, self.budget = program, props, budget
        self.protocol = program.protocol
        self.layout = program.layout
        self.deadlock, self.device, self.symmetry, self.chunk = deadlock, device, symmetry, chunk or CHUNK
        self.zobrist = zobrist  # (group size, total values): key per (permutation, column, value)
        sizes = [len(c.values) for c in self.layout.columns]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        self.store = (FingerprintSet() if store == "fingerprints"
                      else ExactSet(self.layout.packed_width, np.uint8))
        self.parents = Growing(np.int32)
        self.firing_of = Growing(np.int32)
        self.coverage = Coverage(self.protocol.actions)
        self.generated = 0
        self.depth = 0
        self.n_init: list[Any] = []  # the concrete initial state of each initial state number
        self.level: Level | None = None
        self.boolean = [c.boolean for c in self.layout.columns]
        self.last_deadlock: Event | None = None

    # -- fingerprints ------------------------------------------------------------------------

    def fingerprints(self, rows: np.ndarray) -> np.ndarray:
        """(n, group) fingerprints of whole rows (initial states; a checkpoint's check)."""
        flat = rows.astype(np.int64) + self.offsets
        return np.bitwise_xor.reduce(self.zobrist[:, flat], axis=2).T.reshape(len(rows), -1)

    def keys(self, fps: np.ndarray) -> np.ndarray:
        return fps[:, 0] if fps.shape[1] == 1 else fps.min(axis=1)

    # -- the search --------------------------------------------------------------------------

    def start(self) -> Event | None:
        """Store and check the initial states; the first level to expand."""
        layout = self.layout
        rows, states = [], []
        for init in initial_states(self.protocol):
            try:
                rows.append(layout.encode(init))
            except Exception:  # noqa: BLE001 - outside its domain: the type check words it
                return self._init_outside(init)
            states.append(init)
        rows_a = np.array(rows, dtype=layout.dtype).reshape(len(rows), layout.width)
        fps = self.fingerprints(rows_a)
        keys = self.keys(fps)
        _, first = np.unique(keys, return_index=True)
        first.sort()
        rows_a, fps, keys = rows_a[first], fps[first], keys[first]
        self.n_init = [states[i] for i in first]
        room = self._room()
        if room >= 0 and len(first) > room:
            return Event((0, 0), "limit")
        packed = layout.pack(rows_a)
        self._insert(keys, packed)
        ids = np.arange(len(first), dtype=np.int64)
        self.parents.extend(np.full(len(first), -1, dtype=np.int32))
        self.firing_of.extend(np.full(len(first), -1, dtype=np.int32))
        self.depth = 1 if len(first) else 0
        self.level = Level(1, Frontier(packed, fps, ids))
        return self._check_new(layout.chunk(packed), ids, 0, np.zeros(len(ids), dtype=np.int64),
                               np.zeros(len(ids), np.int64))

    def _init_outside(self, init: Any) -> Event:
        self.n_init = [init]
        return Event((0, 0), "init-outside")

    def _room(self) -> int:
        m = self.budget.max_states
        return -1 if m is None else max(m - len(self.store), 0)

    def _insert(self, keys: np.ndarray, rows: np.ndarray) -> np.ndarray:
        if isinstance(self.store, ExactSet):
            return self.store.insert_rows(keys, rows)
        return self.store.insert(keys)

    def _contains(self, keys: np.ndarray, rows: np.ndarray) -> np.ndarray:
        if isinstance(self.store, ExactSet):
            return self.store.contains_rows(keys, rows)
        return self.store.contains(keys)

    def run(self, checkpoint: Any = None) -> Event | None:
        """The algorithm; None when every reachable state was met and every check passed.

        Ctrl-C takes effect between chunks (a second one at once), so what was found is whole and
        a checkpoint saved on it resumes exactly where the run stopped."""
        with deferred_interrupt() as pending:
            return self._run(checkpoint, pending)

    def _run(self, checkpoint: Any, pending: list) -> Event | None:
        if self.level is None:
            found = self.start()
            if found is not None:
                return found
        level = self.level
        assert level is not None
        found: Event | None = None
        try:
            while len(level.frontier):
                if level.position == 0 and (why := self.budget.depth_spent(level.depth)) is not None:
                    return Event((0, 0), "depth", property=why)
                found = None
                while level.position < len(level.frontier):
                    lo = level.position
                    hi = min(lo + self.chunk, len(level.frontier))
                    if found is None:
                        found = self._expand(level, lo, hi)
                        if found is not None and found.kind not in NEXT_LEVEL:
                            return found
                    else:
                        dead = self._deadlock_only(level, lo, hi)
                        if dead is not None:
                            return dead
                    level.position = hi
                    if pending:
                        raise KeyboardInterrupt
                    if checkpoint is not None and found is None:
                        checkpoint.maybe(self)
                    if (why := self.budget.tick(self.depth, self.status)) is not None:
                        return Event((0, 0), self.budget.stopped_by or "time", property=why)
                if found is not None:
                    return found
                nxt = Frontier.join(level.discovered, self.layout.packed_width, np.uint8, self.zobrist.shape[0])
                level = self.level = Level(level.depth + 1, nxt)
                if len(nxt):
                    self.depth += 1
        except KeyboardInterrupt:
            if checkpoint is not None and found is None:
                checkpoint.save(self)
            return Event((0, 0), "interrupt", property=self.budget.interrupted(self.depth))
        if missing := self.props.missing_goals():
            return Event((0, 0), "goal", property=missing[0])
        return None

    @staticmethod
    def _cached(chunk: Chunk) -> Any:
        """Column i of ``chunk`` as one contiguous vector, copied out at most once."""
        cache: dict[int, np.ndarray] = {}

        def column(i: int) -> np.ndarray:
            v = cache.get(i)
            if v is None:
                v = cache[i] = chunk.column(i)
            return v

        return column

    def _columns(self, column: Any, idx: np.ndarray | None = None) -> Any:
        """``col(i)``: column i (of the rows ``idx``) as the values compiled code computes with."""
        codes, boolean = self.layout.codes, self.boolean

        def col(i: int) -> np.ndarray:
            v = column(i) if idx is None else column(i)[idx]
            return v.view(bool) if boolean[i] else codes[i][v]

        return col

    def _guards(self, column: Any, n: int) -> list[np.ndarray | None]:
        """Per condition (the firings', then the checks for values outside their domains): the
        positions of the rows where it holds, None where it holds on none."""
        program = self.program
        out: list[np.ndarray | None] = [None] * program.n_conditions
        results = program.dense(self._columns(column), np)
        cut = len(results) - program.hoisted
        for j, m in zip(program.dense_ids, results[:cut], strict=True):
            out[j] = _positions(m, n)
        hoisted, width = results[cut:], self.layout.width
        for col, ids, fn in program.sparse:
            rows = np.flatnonzero(column(col))  # the element is present: a count or a flag above 0
            if len(rows):
                for j, m in zip(ids, fn(self._sparse_columns(column, rows, hoisted, width), np), strict=True):
                    at = _positions(m, len(rows))
                    if at is not None:
                        out[j] = rows[at]
        return out

    def _sparse_columns(self, column: Any, rows: np.ndarray, hoisted: list, width: int) -> Any:
        """``col(i)`` on ``rows``: a state column, or past the last one a hoisted subterm's values."""
        plain = self._columns(column, rows)

        def col(i: int) -> Any:
            if i < width:
                return plain(i)
            value = hoisted[i - width]
            return value[rows] if isinstance(value, np.ndarray) and value.ndim else value

        return col

    def _deadlock_only(self, level: Level, lo: int, hi: int) -> Event | None:
        if not self.deadlock:
            return None
        chunk = self.layout.chunk(level.frontier.rows[lo:hi])
        masks = self._guards(self._cached(chunk), chunk.n)
        live = np.zeros(chunk.n, dtype=bool)
        for idx in masks[: len(self.program.firings)]:
            if idx is not None:
                live[idx] = True
        dead = np.flatnonzero(~live)
        if len(dead):
            p = int(dead[0])
            return Event((lo + p, -1), "deadlock", parent=int(level.frontier.ids[lo + p]))
        return None

    def _expand(self, level: Level, lo: int, hi: int) -> Event | None:
        """Expand rows lo..hi of the frontier; queue the new states; the first event, if any."""
        program, layout, zob, offsets = self.program, self.layout, self.zobrist, self.offsets
        frontier = level.frontier
        chunk, fps, ids = layout.chunk(frontier.rows[lo:hi]), frontier.fps[lo:hi], frontier.ids[lo:hi]
        n = chunk.n
        column = self._cached(chunk)
        masks = self._guards(column, n)
        nf = len(program.firings)
        live = np.zeros(n, dtype=bool)
        events: list[Event] = []
        parts = []  # (firing, parent positions, new column indices (k, w), new fps (k, group))
        for j, f in enumerate(program.firings):
            idx = masks[j]
            if idx is None:
                continue
            live[idx] = True
            if f.raises is not None:
                events.append(Event((lo + int(idx[0]), j), "raised", parent=int(ids[idx[0]]), firing=j))
                continue
            self.coverage.counts[f.action] += len(idx)
            self.generated += len(idx)
            values = f.update(self._columns(column, idx), np) if f.writes else []
            new_cols = np.empty((len(idx), len(f.writes)), dtype=layout.dtype)
            bad = np.zeros(len(idx), dtype=bool)
            for w, (c, v) in enumerate(zip(f.writes, values, strict=True)):
                v = np.broadcast_to(v, (len(idx),))
                new_cols[:, w], outside = layout.indices(c, v)
                bad |= outside
            if bad.any():
                p = int(idx[np.flatnonzero(bad)[0]])
                events.append(Event((lo + p, j), "outside", parent=int(ids[p]), firing=j))
            new_fps = fps[idx].copy()
            if f.writes:
                cols = np.asarray(f.writes, dtype=np.int64)
                old = np.stack([column(c)[idx] for c in f.writes], axis=1)
                old_flat = old.astype(np.int64) + offsets[cols]
                new_flat = new_cols.astype(np.int64) + offsets[cols]
                delta = np.bitwise_xor.reduce(zob[:, old_flat] ^ zob[:, new_flat], axis=2)  # (group, k)
                new_fps ^= delta.T
            parts.append((j, idx, new_cols, new_fps))
        for k, j in enumerate(program.leaving):
            idx = masks[nf + k]
            if idx is not None:
                events.append(Event((lo + int(idx[0]), j), "outside", parent=int(ids[idx[0]]), firing=j))
        self.last_deadlock = None  # the chunk's first deadlock, whichever event comes first
        if self.deadlock:
            dead = np.flatnonzero(~live)
            if len(dead):
                p = int(dead[0])
                self.last_deadlock = Event((lo + p, -1), "deadlock", parent=int(ids[p]))
                events.append(self.last_deadlock)
        stops = [e.where for e in events if e.kind in ("deadlock", "raised")]
        if stops:  # the object engine stops there: what it has not met yet reaches no goal
            parts = _before(parts, min(stops), lo)
        found = self._queue(level, lo, chunk, ids, parts)
        if found is not None:
            events.append(found)
        if not events:
            return None
        first = min(events, key=lambda e: e.where)
        if first.kind in NEXT_LEVEL:  # a deadlock on this level has the shorter trace
            first = next((e for e in events if e.kind == "deadlock"), first)
        return first

    def _queue(self, level: Level, lo: int, chunk: Chunk, ids: np.ndarray, parts: list) -> Event | None:
        """Dedupe the chunk's successors, keep the new ones, check them."""
        if not parts:
            return None
        layout = self.layout
        parent, firing, fps, part, within, order, keys = self._candidates(parts)
        exact = isinstance(self.store, ExactSet)
        if exact:
            cand_rows = self._materialise(chunk, parts, parent[order], part[order], within[order]).pack()
            void = np.ascontiguousarray(cand_rows).view(np.dtype((np.void, cand_rows.shape[1])))
            _, first = np.unique(void.ravel(), return_index=True)
        else:
            _, first = np.unique(keys, return_index=True)
        first.sort()
        sel = order[first]
        keys = keys[first]
        cand = cand_rows[first] if exact else None
        room = self._room()
        limit: Event | None = None
        if 0 <= room < len(sel):
            fresh = np.flatnonzero(~self._contains(keys, cand))
            if len(fresh) > room:
                over = sel[fresh[room]]
                limit = Event((lo + int(parent[over]), int(firing[over])), "limit")
                keep = np.zeros(len(sel), dtype=bool)
                keep[fresh[:room]] = True
                sel, keys = sel[keep], keys[keep]
                cand = cand[keep] if exact else None
        new = self._insert(keys, cand)
        sel = sel[new]
        if not len(sel):
            return limit
        if exact:
            packed = cand[new]
            born = layout.chunk(packed)
        else:
            born = self._materialise(chunk, parts, parent[sel], part[sel], within[sel])
            packed = born.pack()
        new_fps = fps[sel]
        start = self.parents.n
        if start + len(sel) >= 2**31:
            raise QuorumError("the array engine numbers states with 32 bits: more than 2^31 states; use "
                              "--max-states, symmetry or a smaller instance")
        new_ids = np.arange(start, start + len(sel), dtype=np.int64)
        self.parents.extend(ids[parent[sel]])
        self.firing_of.extend(firing[sel])
        level.discovered.append(Frontier(packed, new_fps, new_ids))
        found = self._check_new(born, new_ids, level.depth, lo + parent[sel], firing[sel])
        if limit is not None and (found is None or limit.where < found.where):
            return limit
        return found

    def _candidates(self, parts: list) -> tuple[np.ndarray, ...]:
        """A chunk's successors flattened: parent position, firing, fingerprints, part and place in
        it, the order the concrete semantics meets them in (parent, then firing), and their keys in
        that order."""
        parent = np.concatenate([p[1] for p in parts])
        firing = np.concatenate([np.full(len(p[1]), p[0], dtype=np.int32) for p in parts])
        fps = np.concatenate([p[3] for p in parts])
        part = np.concatenate([np.full(len(p[1]), k, dtype=np.int32) for k, p in enumerate(parts)])
        within = np.concatenate([np.arange(len(p[1])) for p in parts])
        # a stable sort of 16-bit keys is a radix sort
        order = np.argsort(parent.astype(np.uint16 if self.chunk <= 1 << 16 else np.int64), kind="stable")
        return parent, firing, fps, part, within, order, self.keys(fps)[order]

    def _materialise(self, chunk: Chunk, parts: list, parent: np.ndarray, part: np.ndarray,
                     within: np.ndarray) -> Chunk:
        """The successors: the parents' rows with each firing's writes."""
        out = chunk.take(parent)
        for k in np.unique(part):
            j, _, new_cols, _ = parts[k]
            writes = self.program.firings[j].writes
            if writes:
                here = np.flatnonzero(part == k)
                values = new_cols[within[here]]
                for w, c in enumerate(writes):
                    out.write(c, here, values[:, w])
        return out

    def _check_new(self, born: Chunk, ids: np.ndarray, steps: int, where: np.ndarray,
                   firing: np.ndarray) -> Event | None:
        """Invariants on new states (the first broken is an event); goals reached are recorded."""
        names = self.program.invariant_names + self.program.goal_names
        n = born.n
        if not names or not n:
            return None
        results = self.program.checks(self._columns(self._cached(born)), np)
        n_inv = len(self.program.invariant_names)
        first, prop = None, None
        for name, value in zip(names[:n_inv], results[:n_inv], strict=True):
            bad = np.flatnonzero(~np.broadcast_to(np.asarray(value, dtype=bool), (n,)))
            if len(bad) and (first is None or bad[0] < first):
                first, prop = int(bad[0]), name
        upto = n if first is None else first  # as the object engine: a violating state reaches no goal
        for name, value in zip(names[n_inv:], results[n_inv:], strict=True):
            hit = np.broadcast_to(np.asarray(value, dtype=bool), (n,))[:upto]
            if self.props.reached.get(name) is None and hit.any():
                self.props.reach(name, steps)
        if first is None:
            return None
        return Event((int(where[first]), int(firing[first])), "violated", state=int(ids[first]), property=prop)

    # -- traces ------------------------------------------------------------------------------

    def trace_to(self, state: int) -> list[Step]:
        """Follow parents back to an initial state, then replay the firings concretely; the state
        replay ends in must be the row the engine holds for it."""
        chain = []
        parents, firings = self.parents.view(), self.firing_of.view()
        while parents[state] >= 0:
            chain.append(int(firings[state]))
            state = int(parents[state])
        return self.replay(self.n_init[state], chain)

    def replay(self, init: Any, chain: list[int]) -> list[Step]:
        """The steps of firings ``chain`` (last first) from the initial state ``init``, each taken by
        the concrete semantics (``fire``): an engine's step it calls disabled is a bug of the engine."""
        cur = init
        steps = [Step("Init", {}, cur)]
        for j in reversed(chain):
            f = self.program.firings[j]
            act = self.protocol.actions[f.action]
            nxt = fire(act, f.params, cur)
            if nxt is None:
                raise InternalError(f"the array engine took {act.label(f.params)}, which the concrete semantics "
                                    f"says is disabled in {cur}")
            cur = nxt
            steps.append(Step(act.name, act.params_dict(f.params), cur))
        return steps

    def check_replayed(self, steps: list[Step], row: np.ndarray | None) -> None:
        if row is None:
            return
        held = self.layout.decode(row)
        if held != steps[-1].state:
            raise InternalError(f"the array engine's state {held} differs from the concrete semantics' "
                                f"{steps[-1].state} after the same trace")

    def row_of(self, state: int) -> np.ndarray | None:
        """The row of a state still in a frontier (new states are), or None."""
        level = self.level
        if level is None:
            return None
        for part in [level.frontier, *level.discovered]:
            hit = np.flatnonzero(part.ids == state)
            if len(hit):
                return self.layout.unpack(part.rows[hit[0]:hit[0] + 1])[0]
        return None

    def status(self) -> str:
        n = len(self.store)
        queued = sum(len(p) for p in self.level.discovered) if self.level else 0
        return (f"depth {self.depth}: {n:,} distinct states, {self.generated:,} generated, {queued:,} queued, "
                f"{n / max(self.budget.elapsed(), 1e-9):,.0f} states/s")

    # -- the result --------------------------------------------------------------------------

    def result(self, event: Event | None) -> Result:
        proto = self.protocol
        verdict, prop, message, trace, details = "holds", None, "", [], []
        complete = event is None
        interrupted = False
        if event is not None:
            kind = event.kind
            if kind == "violated":
                trace = self.trace_to(event.state)
                self.check_replayed(trace, self.row_of(event.state))
                if proto.properties[event.property].fn(trace[-1].state):
                    raise EncodingError(
                        f"{type(proto).__name__}, property {event.property} reads differently on Z3 terms: false "
                        "there, true on the concrete state the trace reaches (a Python comparison such as "
                        "`s.msgs.of('2b') == ()` compares objects, not sets, under Z3; write IsEmpty(...), Count, "
                        "Exists or ForAll); check it with --engine explicit")
                verdict, prop = "violated", event.property
                self.depth = len(trace)
            elif kind == "deadlock":
                trace = self.trace_to(event.parent)
                verdict, prop, message = "violated", "deadlock", "a reachable state has no enabled action"
            elif kind in ("raised", "outside"):
                verdict, message, trace, details = self._error(event)
            elif kind == "init-outside":
                init = self.n_init[0]
                bad = TypeCheck(proto).first_bad(init)
                verdict, message, trace = "error", f"type error: {bad}", [Step("Init", {}, init)]
            elif kind == "goal":
                verdict, prop = "violated", event.property
                message = f"goal {event.property!r} is never reached: no reachable state satisfies it"
                complete = True
            elif kind == "limit":
                verdict, message = "limit", self.budget.states_full(self.depth)
            else:  # depth, time, memory, interrupt
                verdict, message = "limit", event.property or ""
                interrupted = kind == "interrupt"
        elapsed = self.budget.elapsed()
        stored = max(len(self.store), 1)
        per_state = (self.store.nbytes + self.parents.n * 8) / stored  # + parent and firing, 4 bytes each
        collision = 0.0
        if self.store.name == "fingerprints":
            n = len(self.store)
            collision = n * max(self.generated - n, 0) / 2.0**64
        details.append(ArrayDetails(self.store.name, per_state, collision, self.device, self.symmetry))
        return Result(
            verdict, "array", proto, property=prop, trace=trace, distinct_states=len(self.store),
            generated_states=self.generated, depth=self.depth, elapsed_s=elapsed,
            coverage=self.coverage.as_dict(), message=message,
            warnings=[*self.budget.notes, *self.coverage.warnings(complete)],
            goals=dict(self.props.reached), checked=self.props.names, details=details, interrupted=interrupted,
        )

    def _error(self, event: Event) -> tuple[str, str, list[Step], list[Details]]:
        """An action that raises, or a step out of its domain: replayed concretely for its words."""
        proto = self.protocol
        trace = self.trace_to(event.parent)
        f = self.program.firings[event.firing]
        act = proto.actions[f.action]
        step_params = act.params_dict(f.params)
        try:
            nxt = fire(act, f.params, trace[-1].state)
        except ActionRaised as err:
            return "error", str(err), [*trace, Step(act.name, step_params, trace[-1].state)], [Raised(err.exc)]
        if f.raises is not None:
            raise self.program.unfaithful(event.firing, "raised")
        if nxt is None:
            raise InternalError(f"the array engine found {act.label(f.params)} enabled where the concrete "
                                "semantics says it is disabled")
        bad = TypeCheck(proto).first_bad(nxt)
        if bad is None:
            raise self.program.unfaithful(event.firing, "left its domain")
        self.depth = len(trace) + 1
        return "error", f"type error: {bad}", [*trace, Step(act.name, step_params, nxt)], []


def _positions(mask: Any, n: int) -> np.ndarray | None:
    """The positions where a compiled condition (an array, or a constant) holds; None for none."""
    if isinstance(mask, (bool, np.bool_)):
        return np.arange(n) if mask else None
    at = np.flatnonzero(mask)
    return at if len(at) else None


def _before(parts: list, where: tuple[int, int], lo: int) -> list:
    """The successors the object engine meets before the move at ``where`` (row, firing): those of
    earlier rows, and of that row's earlier firings."""
    row, firing = where[0] - lo, where[1]
    kept = []
    for j, idx, new_cols, new_fps in parts:
        keep = (idx < row) | ((idx == row) & (j < firing))
        if keep.all():
            kept.append((j, idx, new_cols, new_fps))
        elif keep.any():
            kept.append((j, idx[keep], new_cols[keep], new_fps[keep]))
    return kept
