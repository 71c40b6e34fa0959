"""The ``array`` engine, and ``auto``: the array engine where the protocol encodes, else the object engine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from checker.array import backend
from checker.array.program import Program
from checker.array.search import ArraySearch
from checker.array.symmetry import Symmetry
from checker.core.budget import Budget, default_max_memory
from checker.core.properties import PropertySet, select_properties
from checker.core.result import Result
from checker.dsl.protocol import LIVENESS, Protocol
from checker.errors import EncodingError, QuorumError

STORES = ("fingerprints", "states")


def array(protocol: Protocol, properties: list[str] | None = None, *, max_states: int | None = None,
          max_depth: int | None = None, max_seconds: float | None = None, max_memory: float | None = None,
          deadlock: bool = True, store: str = "fingerprints", symmetry: list[str] | None = None,
          checkpoint: str | None = None, resume: str | None = None, checkpoint_every: float | None = None,
          device: str = "cpu", progress: Callable[[str], None] | None = None) -> Result:
    """Exhaustive breadth-first search on batches of fixed-width rows (safety properties only)."""
    from checker.array.checkpoint import Checkpoint

    if any(p.kind in LIVENESS for p in select_properties(protocol, properties)):
        raise QuorumError("the array engine checks invariants and goals; liveness properties need the "
                          "object engine (--engine explicit)")
    if store not in STORES:
        raise QuorumError(f"unknown store {store!r}: use 'fingerprints' or 'states'")
    device_name = backend.select(device)
    budget = Budget(max_states=max_states, max_depth=max_depth, max_seconds=max_seconds,
                    max_memory=default_max_memory() if max_memory is None else max_memory, progress=progress)
    props = PropertySet(protocol, properties)
    program = Program(protocol, props)  # its time counts: the figures are the whole check's
    group = Symmetry(program, symmetry or [])
    search = ArraySearch(program, props, budget, store=store, deadlock=deadlock, zobrist=group.zobrist(),
                         device=device_name, symmetry=group.names or None)
    saver = None
    if checkpoint is not None or resume is not None:
        saver = Checkpoint(checkpoint or resume, protocol, props, store, group.names, checkpoint_every)
        if resume is not None:
            saver.load(search)
    result = search.result(search.run(saver))
    if saver is not None and result.verdict != "limit":
        saver.finished()
    return result


def encodes(protocol: Protocol, properties: list[str] | None) -> str | None:
    """Why the array engine cannot run this check (None when it can)."""
    if any(p.kind in LIVENESS for p in select_properties(protocol, properties)):
        return "liveness properties need the object engine's state graph"
    try:
        Program(protocol, PropertySet(protocol, properties))
    except QuorumError as err:  # the construct, with file:line where the symbolic run saw it
        return str(err)
    return None


def auto(protocol: Protocol, properties: list[str] | None = None, *,
         progress: Callable[[str], None] | None = None, **options: Any) -> Result:
    """The array engine where the protocol encodes; otherwise the object engine, saying why."""
    from checker.explicit.engine import explicit

    why = encodes(protocol, properties)
    if why is None:
        try:
            return array(protocol, properties, progress=progress, **options)
        except EncodingError as err:  # met while running: a reading of the model the concrete semantics refutes
            why = str(err)
    if options.get("symmetry") and any(p.kind in LIVENESS for p in select_properties(protocol, properties)):
        raise QuorumError("symmetry with liveness properties is unsound (as TLC warns: a lasso in the reduced "
                          "graph need not be one in the real graph); check liveness without symmetry")
    for name in ("symmetry", "checkpoint", "resume", "checkpoint_every", "device"):
        if options.get(name) not in (None, "cpu"):
            raise QuorumError(f"option {name} needs the array engine, which cannot run this check: {why}")
        options.pop(name, None)
    result = explicit(protocol, properties, progress=progress, **options)
    result.warnings.insert(0, f"object engine: the array engine cannot run this check ({why})")
    return result
