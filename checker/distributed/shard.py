"""One worker of the partitioned search: the states whose key falls in its shard, on the array engine.

A ``Shard`` owns the states whose seen-set key (the fingerprint, or its minimum over the symmetry
group) is ``shard`` modulo the number of workers. Each level of the search is a few rounds the
driver (``checker.distributed.bfs``) runs on every shard at once:

1. ``expand`` — the array engine's expansion of this shard's frontier, chunk by chunk; instead of
   being looked up here, each chunk's successors are split by owner. Each successor carries its
   *order key* ``(parent rank, firing)``: the rank is the parent's position in the whole level, so
   every owner can tell which of several copies of a state the single-process engine would have met
   first. Keys and order keys go out; the rows stay here until an owner asks for them.
2. ``offer`` — as owner: the copies of each key sent by every shard, the first by order key kept,
   those already in the seen-set dropped; the order keys of the rest go to the driver, which ranks
   the next level as one process would have numbered it (and cuts it at ``max_states``).
3. ``accept`` — the new states are stored with their ranks; each source is asked for their rows.
4. ``ship`` / ``store`` — rows travel to their owners, which check invariants and goals on them and
   queue them as the next level's frontier, in rank order.

State numbers are global: ``local * workers + shard``, so a link names its shard. Batches travel
as numpy arrays through Ray's object store; the driver handles only references and small arrays.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from checker.array.layout import Chunk
from checker.array.program import Program
from checker.array.search import ArraySearch, Event, Frontier, Growing, Level
from checker.array.symmetry import Symmetry
from checker.core.budget import Budget
from checker.core.properties import PropertySet


def build(recipe: dict[str, Any]) -> Any:
    """The protocol instance a recipe names (protocols do not pickle: each process builds its own)."""
    module, name = recipe["protocol"].split(":")
    cls = getattr(importlib.import_module(module), name)
    return cls(faults=recipe["faults"], **recipe["parameters"])


class Shard(ArraySearch):
    """The array search of one shard (run inside a Ray actor, or in-process by the tests)."""

    def __init__(self, recipe: dict[str, Any], shard: int, workers: int) -> None:
        protocol = build(recipe)
        props = PropertySet(protocol, recipe["properties"])
        program = Program(protocol, props)
        group = Symmetry(program, recipe["symmetry"], prove=False)  # the driver proved it once
        super().__init__(program, props, Budget(), store=recipe["store"], deadlock=recipe["deadlock"],
                         zobrist=group.zobrist(), symmetry=group.names or None)
        self.shard, self.workers = shard, workers
        self.n_firings = max(len(program.firings), 1)
        self.parents = Growing(np.int64)  # global numbers
        self.ranks = np.zeros(0, dtype=np.int64)  # the frontier's ranks in the level
        self.outgoing: list[list[dict]] = []
        self.sent: list[dict[str, np.ndarray]] = []
        self.chunks: list[tuple] = []  # (lo, chunk, firings' parts) of the level expanded, until shipped
        self.pending: dict[str, Any] = {}

    # -- the frontier ------------------------------------------------------------------------

    def start(self, packed: np.ndarray, fps: np.ndarray, ranks: np.ndarray, depth: int) -> None:
        """This shard's initial states (or a resumed level): rows, fingerprints and ranks."""
        keys = self.keys(fps)
        self.store.insert(keys)
        local = np.arange(self.parents.n, self.parents.n + len(keys), dtype=np.int64)
        self.parents.extend(np.full(len(keys), -1, dtype=np.int64))
        self.firing_of.extend(np.full(len(keys), -1, dtype=np.int32))
        self.level = Level(depth, Frontier(packed, fps, local * self.workers + self.shard))
        self.ranks = ranks

    def frontier_size(self) -> int:
        return len(self.level.frontier) if self.level else 0

    # -- round 1: expand ---------------------------------------------------------------------

    def expand(self) -> tuple:
        """Expand the whole frontier: per owner its (keys, order keys), then a summary (the first
        event, the first deadlock, generated, coverage counts). Events carry ``(parent rank, firing)``.
        One return value per owner, so each batch goes to the object store on its own."""
        level = self.level
        self.outgoing = [[] for _ in range(self.workers)]
        self.chunks = []
        generated0, counts0 = self.generated, list(self.coverage.counts)
        first: Event | None = None
        self.first_deadlock: Event | None = None
        for lo in range(0, len(level.frontier), self.chunk):
            hi = min(lo + self.chunk, len(level.frontier))
            event = self._expand(level, lo, hi)
            if event is not None:
                event.where = (int(self.ranks[event.where[0]]), event.where[1])
                if first is None or event.where < first.where:
                    first = event
            dead = self.last_deadlock
            if dead is not None and self.first_deadlock is None:
                if dead is not event:
                    dead.where = (int(self.ranks[dead.where[0]]), -1)
                self.first_deadlock = dead
        self.sent = [self._join(self.outgoing[d]) for d in range(self.workers)]
        self.outgoing = []
        out = [(sent["keys"], sent["order"]) for sent in self.sent]
        counts = [c - c0 for c, c0 in zip(self.coverage.counts, counts0, strict=True)]
        return (*out, (first, self.first_deadlock, self.generated - generated0, counts))

    FIELDS = ("keys", "order", "chunk", "parent", "part", "within", "fps", "parent_id", "firing")

    def _join(self, parts: list[dict]) -> dict[str, np.ndarray]:
        if not parts:
            g = self.zobrist.shape[0]
            empty = {k: np.zeros(0, np.int64) for k in self.FIELDS}
            empty.update(keys=np.zeros(0, np.uint64), fps=np.zeros((0, g), np.uint64))
            return empty
        return {k: np.concatenate([p[k] for p in parts]) for k in self.FIELDS}

    def _queue(self, level: Level, lo: int, chunk: Chunk, ids: np.ndarray, parts: list) -> Event | None:
        """A chunk's successors, deduplicated within the chunk, those this shard owns and has seen
        dropped, the rest split by owner. Rows are not built here: ``ship`` builds the ones an owner
        accepts, from the frontier and the chunk's firings (kept until then)."""
        if not parts:
            return None
        parent, firing, fps, part, within, order, keys = self._candidates(parts)
        _, first = np.unique(keys, return_index=True)
        first.sort()
        sel = order[first]
        keys = keys[first]
        owner = (keys % np.uint64(self.workers)).astype(np.int64)
        mine = owner == self.shard
        seen = np.zeros(len(sel), dtype=bool)
        seen[mine] = self.store.contains(keys[mine])
        sel, keys, owner = sel[~seen], keys[~seen], owner[~seen]
        self.chunks.append((lo, chunk, parts))
        batch = {"keys": keys, "order": self.ranks[lo + parent[sel]] * self.n_firings + firing[sel],
                 "chunk": np.full(len(sel), len(self.chunks) - 1, dtype=np.int64), "parent": parent[sel],
                 "part": part[sel], "within": within[sel], "fps": fps[sel], "parent_id": ids[parent[sel]],
                 "firing": firing[sel]}
        for d in range(self.workers):
            to = owner == d
            self.outgoing[d].append({k: v[to] for k, v in batch.items()})
        return None

    # -- round 2: offer ----------------------------------------------------------------------

    def offer(self, *batches: tuple) -> np.ndarray:
        """As owner: of the copies of each key every shard sent, the first by order key, unless the key
        is stored already; their order keys, ascending."""
        keys = np.concatenate([b[0] for b in batches])
        order = np.concatenate([b[1] for b in batches])
        source = np.concatenate([np.full(len(b[0]), s, dtype=np.int64) for s, b in enumerate(batches)])
        position = np.concatenate([np.arange(len(b[0]), dtype=np.int64) for b in batches])
        # this shard's own successors were looked up when they were made (nothing is stored in between)
        unseen = source == self.shard
        others = ~unseen
        if others.any():
            unseen[others] = ~self.store.contains(keys[others])
        fresh = np.flatnonzero(unseen)
        fresh = fresh[np.argsort(order[fresh], kind="stable")]  # each source's batch is in order already
        _, first = np.unique(keys[fresh], return_index=True)
        fresh = fresh[np.sort(first)]
        self.pending = {"keys": keys[fresh], "order": order[fresh], "source": source[fresh],
                        "position": position[fresh]}
        return order[fresh]

    # -- round 3: accept ---------------------------------------------------------------------

    def accept(self, ranks: np.ndarray, keep: int) -> tuple:
        """Store the first ``keep`` pending states with their ranks; per source, the positions to ask
        it for, then how many were kept."""
        p = {k: v[:keep] for k, v in self.pending.items()}
        self.store.insert(p["keys"])
        self.pending = {**p, "ranks": ranks[:keep]}
        return (*[p["position"][p["source"] == s] for s in range(self.workers)], keep)

    # -- round 4: ship and store -------------------------------------------------------------

    def ship(self, *wanted: np.ndarray) -> tuple:
        """As source: per owner, the rows (and fingerprints, parents, firings) it asked for, built now;
        then how many rows."""
        out = []
        for d, positions in enumerate(wanted):
            sent = self.sent[d]
            rows = np.zeros((len(positions), self.layout.packed_width), dtype=np.uint8)
            chunk_of = sent["chunk"][positions]
            for c in np.unique(chunk_of):
                at = np.flatnonzero(chunk_of == c)
                _, chunk, parts = self.chunks[int(c)]
                pos = positions[at]
                rows[at] = self._materialise(chunk, parts, sent["parent"][pos], sent["part"][pos],
                                             sent["within"][pos]).pack()
            out.append((rows, sent["fps"][positions], sent["parent_id"][positions], sent["firing"][positions]))
        self.kept = out[self.shard]  # its own states stay here: no trip through the object store
        out[self.shard] = None
        return (*out, sum(len(w) for w in wanted))

    def store_rows(self, *shipped: tuple) -> tuple[Event | None, dict[str, int | None], int]:
        """As owner: the accepted states' rows arrive; number, check and queue them in rank order."""
        p = self.pending
        n = len(p["keys"])
        rows = np.zeros((n, self.layout.packed_width), dtype=np.uint8)
        fps = np.zeros((n, self.zobrist.shape[0]), dtype=np.uint64)
        parents = np.zeros(n, dtype=np.int64)
        firings = np.zeros(n, dtype=np.int32)
        for s, batch in enumerate(shipped):
            r, f, par, fir = self.kept if s == self.shard else batch
            at = np.flatnonzero(p["source"] == s)
            rows[at], fps[at], parents[at], firings[at] = r, f, par, fir
        start = self.parents.n
        ids = (np.arange(start, start + n, dtype=np.int64)) * self.workers + self.shard
        self.parents.extend(parents)
        self.firing_of.extend(firings)
        depth = self.level.depth
        self.level = Level(depth + 1, Frontier(rows, fps, ids))
        self.ranks = p["ranks"].astype(np.int64)
        self.pending = {}
        self.sent, self.chunks, self.kept = [], [], None
        before = dict(self.props.reached)
        event = self._check_new(self.layout.chunk(rows), ids, depth, p["order"] // self.n_firings,
                                (p["order"] % self.n_firings).astype(np.int64))
        reached = {k: v for k, v in self.props.reached.items() if v is not None and before.get(k) is None}
        return event, reached, n

    # -- traces and checkpoints --------------------------------------------------------------

    def link(self, local: int) -> tuple[int, int]:
        """(parent's global number, firing) of this shard's state ``local``."""
        return int(self.parents.view()[local]), int(self.firing_of.view()[local])

    def row(self, number: int) -> np.ndarray | None:
        hit = np.flatnonzero(self.level.frontier.ids == number)
        if not len(hit):
            return None
        return self.layout.unpack(self.level.frontier.rows[hit[0]:hit[0] + 1])[0]

    def figures(self) -> tuple[int, int, float]:
        """(states stored, generated, bytes of the seen-set + links)."""
        return len(self.store), self.generated, self.store.nbytes + self.parents.n * 12

    def save(self, path: str) -> None:
        level = self.level
        np.savez(path + ".tmp.npz", table=self.store.table, count=np.int64(self.store.count),
                 parents=self.parents.view(), firing_of=self.firing_of.view(), rows=level.frontier.rows,
                 fps=level.frontier.fps, ids=level.frontier.ids, ranks=self.ranks, depth=np.int64(level.depth),
                 generated=np.int64(self.generated), coverage=np.asarray(self.coverage.counts, dtype=np.int64))
        import os

        os.replace(path + ".tmp.npz", path)

    def load(self, path: str) -> None:
        data = np.load(path)
        self.store.restore({"table": data["table"], "count": data["count"]})
        self.parents.extend(data["parents"])
        self.firing_of.extend(data["firing_of"])
        self.level = Level(int(data["depth"]), Frontier(data["rows"], data["fps"], data["ids"]))
        self.ranks = data["ranks"]
        self.generated = int(data["generated"])
        self.coverage.counts = [int(c) for c in data["coverage"]]

    def pid(self) -> int:
        import os

        return os.getpid()
