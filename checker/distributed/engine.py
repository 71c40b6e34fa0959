"""The ``distributed`` engine: the array engine's search partitioned over Ray workers."""

from __future__ import annotations

from collections.abc import Callable

from checker.array.program import Program
from checker.array.search import ArraySearch, Event
from checker.array.symmetry import Symmetry
from checker.core.budget import Budget, count_option, default_max_memory
from checker.core.properties import PropertySet, select_properties
from checker.core.result import Result
from checker.distributed import cluster
from checker.distributed.bfs import Driver, WorkerLost
from checker.dsl.protocol import LIVENESS, Protocol
from checker.errors import QuorumError


def recipe_of(protocol: Protocol, props: PropertySet, store: str, symmetry: list[str], deadlock: bool) -> dict:
    """How a worker builds the same check (protocols do not pickle; each process builds its own)."""
    return {"protocol": f"{type(protocol).__module__}:{type(protocol).__name__}", "parameters": protocol.params,
            "faults": list(protocol.faults.selected), "properties": props.names, "store": store,
            "symmetry": symmetry, "deadlock": deadlock}


def distributed(protocol: Protocol, properties: list[str] | None = None, *, workers: int = 2,
                ray_address: str | None = None, max_states: int | None = None, max_depth: int | None = None,
                max_seconds: float | None = None, max_memory: float | None = None, deadlock: bool = True,
                store: str = "fingerprints", symmetry: list[str] | None = None, checkpoint: str | None = None,
                resume: str | None = None, checkpoint_every: float | None = None,
                progress: Callable[[str], None] | None = None) -> Result:
    """Exhaustive breadth-first search over ``workers`` shards (a local Ray instance, or the cluster
    at ``ray_address``); the same answers as the array engine in one process."""
    count_option("distributed", "workers", workers)
    if workers < 1:
        raise QuorumError(f"distributed: workers={workers} — a search needs at least one worker")
    if any(p.kind in LIVENESS for p in select_properties(protocol, properties)):
        raise QuorumError("the distributed engine checks invariants and goals; liveness needs --engine explicit")
    if store != "fingerprints":
        raise QuorumError("the distributed engine keeps 64-bit fingerprints (store = 'fingerprints'); exact rows "
                          "need the array engine in one process")
    budget = Budget(max_states=max_states, max_depth=max_depth, max_seconds=max_seconds,
                    max_memory=default_max_memory() if max_memory is None else max_memory, progress=progress)
    props = PropertySet(protocol, properties)
    program = Program(protocol, props)
    group = Symmetry(program, symmetry or [])  # proved once, here
    local = ArraySearch(program, props, budget, store="fingerprints", deadlock=deadlock, zobrist=group.zobrist(),
                        device=f"cpu (numpy), {workers} workers on Ray", symmetry=group.names or None)
    recipe = recipe_of(protocol, props, store, group.names, deadlock)
    with cluster.session(workers, ray_address) as ray:
        driver = Driver(local, recipe, workers, ray, budget, checkpoint or resume, checkpoint_every)
        try:
            if resume is not None:
                driver.load()
                event = driver.run()
            else:
                event = driver.start()
                if event is not None:  # found in an initial state, before any worker took part
                    return local.result(event)
                event = driver.run()
        except KeyboardInterrupt:
            return driver.summary(Event((0, 0), "interrupt", property=budget.interrupted(driver.depth)))
        except WorkerLost as err:
            return driver.lost(str(err))
        result = driver.result(event)
        if result.verdict != "limit":
            driver.discard()
        return result

