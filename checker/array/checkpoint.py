"""Checkpoints of an array search: the seen-set, every state's link, and the frontier, in one folder.

``--checkpoint DIR`` saves every ``checkpoint_every`` seconds (``EVERY_S`` by default), between
chunks, and on Ctrl-C; ``--resume DIR`` continues from the last save with the same counts,
verdict and trace as a run that was never stopped. A save is written beside the old one and moved
over it, so a run killed while saving leaves the previous checkpoint whole. What the checkpoint
was made for (protocol, parameters, properties, store, symmetry) is recorded and must match.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from checker.core.properties import PropertySet
from checker.dsl.protocol import Protocol
from checker.errors import QuorumError

if TYPE_CHECKING:
    from checker.array.search import ArraySearch

EVERY_S = 60.0
ARRAYS = "checkpoint.npz"
META = "checkpoint.json"


def every_seconds(value: object) -> float:
    """``checkpoint_every``: a finite number of seconds, 0 or more (0: at every chance)."""
    import math

    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise QuorumError(f"checkpoint_every={value!r}: give a number of seconds, 0 or more")
    return float(value)


class Checkpoint:
    """Saves and restores one search's state in ``folder``."""

    def __init__(self, folder: str, protocol: Protocol, props: PropertySet, store: str, symmetry: list[str],
                 every: float | None) -> None:
        self.folder = Path(folder)
        self.every = EVERY_S if every is None else every_seconds(every)
        self.meta = {
            "protocol": f"{type(protocol).__module__}:{type(protocol).__name__}",
            "parameters": protocol.params, "faults": [str(f) for f in protocol.faults.selected],
            "properties": props.names, "store": store, "symmetry": symmetry,
        }
        self.protocol = protocol
        self.last = time.perf_counter()
        self.saves = 0

    def maybe(self, search: ArraySearch) -> None:
        """Save if ``every`` seconds have passed since the last save."""
        if time.perf_counter() - self.last >= self.every:
            self.save(search)

    def save(self, search: ArraySearch) -> None:
        from checker.array.search import Frontier

        level = search.level
        if level is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        found = Frontier.join(level.discovered, search.layout.packed_width, np.uint8, search.zobrist.shape[0])
        arrays = {f"store_{k}": v for k, v in search.store.state().items()}
        arrays.update(
            parents=search.parents.view(), firing_of=search.firing_of.view(),
            rows=level.frontier.rows, fps=level.frontier.fps, ids=level.frontier.ids,
            found_rows=found.rows, found_fps=found.fps, found_ids=found.ids,
            coverage=np.asarray(search.coverage.counts, dtype=np.int64),
        )
        meta = {
            **self.meta, "depth": search.depth, "level": level.depth, "position": level.position,
            "generated": search.generated, "goals": search.props.reached,
            "initial": [self.protocol.state_json(s) for s in search.n_init],
        }
        tmp = self.folder / (ARRAYS + ".tmp")
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, self.folder / ARRAYS)
        (self.folder / (META + ".tmp")).write_text(json.dumps(meta, indent=1, default=str))
        os.replace(self.folder / (META + ".tmp"), self.folder / META)
        self.last = time.perf_counter()
        self.saves += 1

    def load(self, search: ArraySearch) -> None:
        """Put ``search`` where the checkpoint left off."""
        from checker.array.search import Frontier, Level

        try:
            meta = json.loads((self.folder / META).read_text())
            data = np.load(self.folder / ARRAYS)
        except FileNotFoundError:
            raise QuorumError(f"{self.folder}: no checkpoint here (run with --checkpoint {self.folder} "
                              "first)") from None
        except (OSError, ValueError) as err:
            raise QuorumError(f"{self.folder}: the checkpoint cannot be read ({err})") from None
        for key, want in self.meta.items():
            if json.loads(json.dumps(meta.get(key), default=str)) != json.loads(json.dumps(want, default=str)):
                raise QuorumError(f"{self.folder}: the checkpoint was made with {key} = {meta.get(key)!r}, "
                                  f"this run has {want!r}; resume with the same check")
        search.store.restore({k[len("store_"):]: data[k] for k in data.files if k.startswith("store_")})
        search.parents.extend(data["parents"])
        search.firing_of.extend(data["firing_of"])
        search.coverage.counts = [int(c) for c in data["coverage"]]
        search.generated, search.depth = int(meta["generated"]), int(meta["depth"])
        for name, depth in meta["goals"].items():
            if depth is not None and name in search.props.reached:
                search.props.reach(name, depth)
        search.n_init = [self.protocol.state_from_json(s) for s in meta["initial"]]
        level = Level(int(meta["level"]), Frontier(data["rows"], data["fps"], data["ids"]), int(meta["position"]))
        if len(data["found_ids"]):
            level.discovered.append(Frontier(data["found_rows"], data["found_fps"], data["found_ids"]))
        search.level = level

    def finished(self) -> None:
        """The run ended with a verdict: the checkpoint is no longer needed."""
        for name in (ARRAYS, META):
            (self.folder / name).unlink(missing_ok=True)

