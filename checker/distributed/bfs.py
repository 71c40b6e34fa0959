"""The partitioned breadth-first search: the driver of ``Shard`` workers on Ray, level by level.

Levels stay synchronous, so a trace is as short as one process finds it; ranks (each state's
position in its level, as one process would number it) make every choice one process makes — which
copy of a state is kept, which violation is reported, where ``max_states`` cuts — come out the same
here, so counts, verdicts, properties and traces equal the single-process array engine's. The
driver sees small arrays (each level's new order keys and ranks) and object references; batches of
successors go from shard to shard through Ray's object store.

A violation's trace is rebuilt link by link across shards and replayed through the concrete
semantics before it is shown. The search saves every shard at a level boundary (every
``checkpoint_every`` seconds): a worker that dies ends the run with an error naming the checkpoint
to resume from, never a hang or a verdict; Ctrl-C ends it with the figures of the last level done.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from checker.array.checkpoint import EVERY_S, every_seconds
from checker.array.search import NEXT_LEVEL, ArrayDetails, ArraySearch, Event
from checker.core.budget import Budget
from checker.core.result import Details, Result
from checker.core.trace import Step
from checker.distributed import cluster
from checker.distributed.shard import Shard
from checker.errors import InternalError, QuorumError


class WorkerLost(Exception):  # noqa: N818 - an event of the run, reported as its verdict
    """A worker died: the run ends with the checkpoint it can resume from."""


class Driver:
    """One partitioned search: ``workers`` shards, their actors, and the level loop."""

    def __init__(self, local: ArraySearch, recipe: dict[str, Any], workers: int, ray: Any, budget: Budget,
                 checkpoint: str | None, checkpoint_every: float | None) -> None:
        self.local, self.recipe, self.workers, self.ray, self.budget = local, recipe, workers, ray, budget
        self.program, self.protocol = local.program, local.protocol
        self.n_firings = max(len(self.program.firings), 1)
        self.temporary = checkpoint is None
        self.folder = Path(checkpoint or tempfile.mkdtemp(prefix="quorum-checkpoint-"))
        self.every = EVERY_S if checkpoint_every is None else every_seconds(checkpoint_every)
        self.saved_at = time.perf_counter()
        self.saved_level: int | None = None
        remote = ray.remote(num_cpus=1, max_restarts=0)(Shard)
        self.shards = [remote.remote(recipe, d, workers) for d in range(workers)]
        self.initial: dict[int, Any] = {}
        self.depth = 0
        self.level_depth = 1
        self.distinct = self.generated = 0
        self.coverage = [0] * len(self.protocol.actions)
        self.goals: dict[str, int | None] = dict(local.props.reached)
        self.routed = 0  # order keys and rows that crossed between shards
        self.level_seconds: list[float] = []
        self.routing_seconds: list[float] = []  # per level: everything after the shards' expansion

    # -- talking to the workers --------------------------------------------------------------

    def get(self, refs: Any) -> Any:
        try:
            return self.ray.get(refs)
        except Exception as err:
            if cluster.lost(err):
                raise WorkerLost(str(err).splitlines()[0] if str(err) else type(err).__name__) from err
            raise

    # -- the search --------------------------------------------------------------------------

    def start(self) -> Event | None:
        """The initial states, checked by the local engine, dealt to their owners."""
        local = self.local
        found = local.start()
        if found is not None:
            return found
        frontier = local.level.frontier
        keys = local.keys(frontier.fps)
        owner = (keys % np.uint64(self.workers)).astype(np.int64)
        ranks = np.arange(len(keys), dtype=np.int64)
        calls = []
        for d in range(self.workers):
            mine = np.flatnonzero(owner == d)
            local_numbers = np.arange(len(mine), dtype=np.int64)
            for i, n in zip(mine, local_numbers, strict=True):
                self.initial[int(n) * self.workers + d] = local.n_init[i]
            calls.append(self.shards[d].start.remote(frontier.rows[mine], frontier.fps[mine], ranks[mine], 1))
        self.get(calls)
        self.distinct, self.depth = len(keys), 1 if len(keys) else 0
        self.goals = dict(local.props.reached)
        return None

    def run(self) -> Event | None:
        sizes = self.get([s.frontier_size.remote() for s in self.shards])
        while sum(sizes):
            if (why := self.budget.depth_spent(self.level_depth)) is not None:
                return Event((0, 0), "depth", property=why)
            began = time.perf_counter()
            many = self.workers + 1  # one object per shard, then a summary
            routes = [s.expand.options(num_returns=many).remote() for s in self.shards]
            expanded = self.get([r[-1] for r in routes])
            expanded_at = time.perf_counter()
            events = [e for e, _, _, _ in expanded if e is not None]
            deadlocks = [d for _, d, _, _ in expanded if d is not None]
            for _, _, generated, counts in expanded:
                self.generated += generated
                self.coverage = [a + b for a, b in zip(self.coverage, counts, strict=True)]
            offers = self.get([self.shards[d].offer.remote(*[routes[s][d] for s in range(self.workers)])
                               for d in range(self.workers)])
            order = np.concatenate(offers)
            owners = np.concatenate([np.full(len(o), d, dtype=np.int64) for d, o in enumerate(offers)])
            self.routed += len(order)
            ranking = np.argsort(order, kind="stable")
            ranks = np.empty(len(order), dtype=np.int64)
            ranks[ranking] = np.arange(len(order), dtype=np.int64)
            room = -1 if self.budget.max_states is None else max(self.budget.max_states - self.distinct, 0)
            limit = None
            if 0 <= room < len(order):
                over = int(order[ranking[room]])
                limit = Event((over // self.n_firings, over % self.n_firings), "limit")
            keep = [int(((ranks[owners == d]) < room).sum()) if room >= 0 else len(offers[d])
                    for d in range(self.workers)]
            wanted = [self.shards[d].accept.options(num_returns=many).remote(ranks[owners == d], keep[d])
                      for d in range(self.workers)]
            shipped = [self.shards[s].ship.options(num_returns=many).remote(
                *[wanted[d][s] for d in range(self.workers)]) for s in range(self.workers)]
            stored = self.get([self.shards[d].store_rows.remote(*[shipped[s][d] for s in range(self.workers)])
                               for d in range(self.workers)])
            new = 0
            for event, reached, n in stored:
                new += n
                if event is not None:
                    events.append(event)
                for name, depth in reached.items():
                    if self.goals.get(name) is None:
                        self.goals[name] = depth
            self.distinct += new
            self.level_seconds.append(time.perf_counter() - began)
            self.routing_seconds.append(time.perf_counter() - expanded_at)
            if limit is not None:
                events.append(limit)
            if events or deadlocks:
                first = min(events + deadlocks, key=lambda e: e.where)
                if first.kind in NEXT_LEVEL and deadlocks:
                    first = min(deadlocks, key=lambda e: e.where)
                return first
            self.level_depth += 1
            if new:
                self.depth += 1
            sizes = self.get([s.frontier_size.remote() for s in self.shards])
            if time.perf_counter() - self.saved_at >= self.every:
                self.save()
            if (why := self.budget.tick(self.depth, self.status)) is not None:
                return Event((0, 0), self.budget.stopped_by or "time", property=why)
        missing = [g for g, d in self.goals.items() if d is None]
        if missing:
            return Event((0, 0), "goal", property=missing[0])
        return None

    def status(self) -> str:
        return (f"depth {self.depth}: {self.distinct:,} distinct states, {self.generated:,} generated, "
                f"{self.workers} workers, {self.distinct / max(self.budget.elapsed(), 1e-9):,.0f} states/s")

    # -- checkpoints -------------------------------------------------------------------------

    def save(self) -> None:
        """Every shard's state at this level boundary, and the driver's figures."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.get([s.save.remote(str(self.folder / f"shard-{d}.npz")) for d, s in enumerate(self.shards)])
        meta = {"recipe": self.recipe, "workers": self.workers, "depth": self.depth, "level": self.level_depth,
                "distinct": self.distinct, "generated": self.generated, "coverage": self.coverage,
                "goals": self.goals,
                "initial": {str(k): self.protocol.state_json(v) for k, v in self.initial.items()}}
        tmp = self.folder / "driver.json.tmp"
        tmp.write_text(json.dumps(meta, default=str))
        os.replace(tmp, self.folder / "driver.json")
        self.saved_at = time.perf_counter()
        self.saved_level = self.level_depth

    def load(self) -> None:
        try:
            meta = json.loads((self.folder / "driver.json").read_text())
        except FileNotFoundError:
            raise QuorumError(f"{self.folder}: no distributed checkpoint here (run with --workers N --checkpoint "
                              f"{self.folder} first)") from None
        if meta["recipe"] != json.loads(json.dumps(self.recipe, default=str)) or meta["workers"] != self.workers:
            raise QuorumError(f"{self.folder}: the checkpoint was made for another check or worker count "
                              f"({meta['workers']} workers); resume with the same check and "
                              f"--workers {meta['workers']}")
        self.get([s.load.remote(str(self.folder / f"shard-{d}.npz")) for d, s in enumerate(self.shards)])
        self.depth, self.level_depth = meta["depth"], meta["level"]
        self.distinct, self.generated, self.coverage = meta["distinct"], meta["generated"], meta["coverage"]
        self.goals = meta["goals"]
        self.initial = {int(k): self.protocol.state_from_json(v) for k, v in meta["initial"].items()}
        self.saved_level = self.level_depth

    def discard(self) -> None:
        if self.temporary:
            shutil.rmtree(self.folder, ignore_errors=True)
        else:
            for name in ["driver.json", *(f"shard-{d}.npz" for d in range(self.workers))]:
                (self.folder / name).unlink(missing_ok=True)

    # -- traces and the result ---------------------------------------------------------------

    def trace_to(self, number: int) -> list[Step]:
        chain = []
        while number not in self.initial:
            parent, firing = self.get(self.shards[number % self.workers].link.remote(number // self.workers))
            if parent < 0:
                raise InternalError(f"state {number} has no parent and is not an initial state")
            chain.append(firing)
            number = parent
        return self.local.replay(self.initial[number], chain)

    def summary(self, event: Event) -> Result:
        """The figures of the last level done, without asking the workers (Ctrl-C: they may be busy)."""
        local = self.local
        local.depth, local.generated = self.depth, self.generated
        local.coverage.counts = list(self.coverage)
        result = local.result(event)
        result.distinct_states, result.engine = self.distinct, "distributed"
        result.details.append(DistributedDetails(self.workers, self.routed, [round(s, 3) for s in self.level_seconds],
                                   [round(s, 3) for s in self.routing_seconds]))
        return result

    def lost(self, why: str) -> Result:
        """A worker died: an error naming the checkpoint to resume from."""
        if self.saved_level is not None:
            where = (f"the checkpoint of level {self.saved_level} is in {self.folder}: resume with --resume "
                     f"{self.folder} --workers {self.workers}")
        else:
            where = ("no checkpoint had been saved yet (one is saved at a level boundary every "
                     f"{self.every:g} s; --checkpoint-every sets it)")
        result = self.summary(Event((0, 0), "interrupt"))
        result.verdict, result.interrupted = "error", False
        result.message = f"a worker died ({why}); the run stopped with no verdict; {where}"
        return result

    def result(self, event: Event | None) -> Result:
        local = self.local
        # the local search words every finding; it is given the distributed figures and traces
        local.trace_to = self.trace_to  # type: ignore[method-assign]
        local.row_of = lambda number: self.get(self.shards[number % self.workers].row.remote(  # type: ignore
            number))
        local.depth, local.generated = self.depth, self.generated
        local.coverage.counts = list(self.coverage)
        for name, depth in self.goals.items():
            if depth is not None:
                local.props.reach(name, depth)
        result = local.result(event)
        figures = self.get([s.figures.remote() for s in self.shards])
        stored = sum(f[0] for f in figures)
        result.distinct_states, result.engine = stored, "distributed"
        per_state = sum(f[2] for f in figures) / max(stored, 1)
        for d in result.details:
            if isinstance(d, ArrayDetails):
                d.bytes_per_state = per_state
                d.collision_probability = stored * max(self.generated - stored, 0) / 2.0**64
        result.details.append(DistributedDetails(self.workers, self.routed, [round(s, 3) for s in self.level_seconds],
                                   [round(s, 3) for s in self.routing_seconds]))
        return result


@dataclass
class DistributedDetails(Details):
    """How many workers, how many new states were ranked across shards, and each level's time: in
    all, and after the shards' expansion (deduplication by owner, ranking, moving rows: the cost of
    distributing)."""

    workers: int
    routed_states: int
    level_seconds: list[float]
    routing_seconds: list[float]

    def report_lines(self) -> list[str]:
        total, routing = sum(self.level_seconds), sum(self.routing_seconds)
        return [f"{self.workers} workers on Ray: {self.routed_states:,} new states ranked across shards in "
                f"{len(self.level_seconds)} levels; {total:.2f}s in levels, {routing:.2f}s of it routing"]
