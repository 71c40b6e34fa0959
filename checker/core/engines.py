"""The engines a spec can name, each with the options it accepts.

An engine is a function ``run(protocol, properties, **options) -> Result``. Engines are imported
lazily, so a spec that names the explicit explorer never loads Z3 or numpy. ``auto`` (the default)
is the array engine where the protocol encodes, else the explicit engine.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from checker.core.budget import check_limit
from checker.errors import QuorumError, suggest


@dataclass(frozen=True)
class Engine:
    name: str
    target: str  # "module:function"
    options: dict[str, type | tuple] = field(default_factory=dict)
    doc: str = ""

    def load(self):
        module, func = self.target.split(":")
        return getattr(importlib.import_module(module), func)


_LIMITS = {"max_states": int, "max_depth": int, "max_seconds": (int, float)}

_ARRAY = {"symmetry": list, "checkpoint": str, "resume": str, "checkpoint_every": (int, float), "device": str}

ENGINES: dict[str, Engine] = {
    "auto": Engine(
        "auto",
        "checker.array.engine:auto",
        {**_LIMITS, "max_memory": (int, float), "deadlock": bool, "store": str, **_ARRAY},
        "the default: the array engine where the protocol encodes (safety), else the explicit engine, saying why",
    ),
    "array": Engine(
        "array",
        "checker.array.engine:array",
        {**_LIMITS, "max_memory": (int, float), "deadlock": bool, "store": str, **_ARRAY},
        "exhaustive breadth-first search on whole frontiers of fixed-width rows (numpy); shortest "
        "counterexamples, symmetry reduction, checkpoints; invariants and goals",
    ),
    "distributed": Engine(
        "distributed",
        "checker.distributed.engine:distributed",
        {**_LIMITS, "max_memory": (int, float), "deadlock": bool, "store": str, "workers": int, "ray_address": str,
         **{k: v for k, v in _ARRAY.items() if k != "device"}},
        "the array engine's search partitioned over Ray workers (--workers N, or --ray-address of a cluster); "
        "the same counts, verdicts and shortest traces",
    ),
    "parallel-simulate": Engine(
        "parallel-simulate",
        "checker.distributed.simulate:simulate_parallel",
        {"seed": int, "walks": int, "steps": int, "max_depth": int, "max_seconds": (int, float), "deadlock": bool,
         "shrink": bool, "workers": int, "ray_address": str},
        "simulate's walks shared among Ray workers with seeds seed, seed+1, ...; the first violation wins "
        "(--engine simulate --workers N)",
    ),
    "explicit": Engine(
        "explicit",
        "checker.explicit.engine:explicit",
        {**_LIMITS, "max_memory": (int, float), "deadlock": bool, "store": str},
        "exhaustive breadth-first search; shortest counterexamples",
    ),
    "liveness": Engine(
        "liveness",
        "checker.explicit.liveness:check_liveness",
        {**_LIMITS, "max_memory": (int, float), "deadlock": bool, "stutter": bool},
        "the whole state graph, then eventually/leads_to under fairness; lasso counterexamples "
        "(the explicit engine hands liveness properties to it)",
    ),
    "simulate": Engine(
        "simulate",
        "checker.hyp.simulate:simulate",
        {"seed": int, "walks": int, "steps": int, "max_depth": int, "max_seconds": (int, float), "deadlock": bool,
         "shrink": bool},
        "Hypothesis random walks of up to `max_depth` steps; violations shrunk, then shortened protocol-aware",
    ),
    "bmc": Engine(
        "bmc",
        "checker.smt.bmc:bmc",
        {"max_depth": int, "deadlock": bool, "max_seconds": (int, float)},
        "Z3 bounded model checking: any violation within `max_depth` steps (smallest depth first)",
    ),
    "induction": Engine(
        "induction",
        "checker.smt.induction:induction",
        {"k": int, "implies": list, "minimize_s": (int, float), "max_seconds": (int, float)},
        "Z3: the listed invariants are inductive (k-induction with k > 1); else a counterexample to induction",
    ),
}


def get(name: str) -> Engine:
    try:
        return ENGINES[name]
    except KeyError:
        raise QuorumError(f"unknown engine {name!r}." + suggest(name, ENGINES)) from None


def check_options(engine: Engine, options: dict[str, Any], where: str) -> dict[str, Any]:
    """Options with unknown names, wrong types and limits out of range (``checker.core.budget.LIMITS``:
    no state limit of 0, no negative depth, no NaN or infinite seconds) rejected, naming ``where``
    they came from."""
    for key, value in options.items():
        if key not in engine.options:
            raise QuorumError(
                f"{where}: engine {engine.name!r} has no option {key!r}." + suggest(key, engine.options)
            )
        want = engine.options[key]
        kinds = want if isinstance(want, tuple) else (want,)
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            names = " or ".join(k.__name__ for k in kinds)
            raise QuorumError(f"{where}: option {key!r} takes a {names}, not {value!r}")
        check_limit(key, value, where)
    return options


def run(
    engine_name: str,
    protocol: Any,
    properties: list[str] | None,
    options: dict[str, Any],
    *,
    progress: Any = None,
    where: str = "options",
):
    """Run a registered engine with checked options; ``progress`` reaches engines that report it."""
    import inspect

    engine = get(engine_name)
    check_options(engine, options, where)
    func = engine.load()
    if progress is not None and "progress" in inspect.signature(func).parameters:
        options = {**options, "progress": progress}
    return func(protocol, properties, **options)
