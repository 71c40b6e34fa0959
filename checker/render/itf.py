"""Traces in the Informal Trace Format (ITF) used by Apalache and Quint, both ways.

Export writes each state's variables as ITF values (``#bigint``, ``#set``, ``#map``, ``#tup``,
records as objects) and the action that led to it in the state's ``#meta``. Import reads them
back through the protocol's domains; a state without an action in its ``#meta`` (a trace from
Apalache or Quint) gets the action found by trying every enabled one. Either way the trace is then
replayed through ``checker.core.replay`` before anything is shown.
"""

from __future__ import annotations

from typing import Any

from checker.core import semantics
from checker.core.trace import Step, param_json
from checker.dsl.domains import FnMap, show
from checker.dsl.protocol import Protocol
from checker.errors import QuorumError


def value_to_itf(value: Any) -> Any:
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, int):
        return {"#bigint": str(value)}
    if value is None:
        return {"#unserializable": "None"}
    if isinstance(value, frozenset):
        return {"#set": [value_to_itf(v) for v in sorted(value, key=show)]}
    if isinstance(value, FnMap):
        return {"#map": [[value_to_itf(k), value_to_itf(v)] for k, v in value.items()]}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return {f: value_to_itf(v) for f, v in zip(value._fields, value, strict=True)}
    if isinstance(value, tuple):
        return {"#tup": [value_to_itf(v) for v in value]}
    return {"#unserializable": show(value)}


def value_from_itf(data: Any) -> Any:
    """ITF to the JSON shapes ``Domain.from_json`` reads (ints, lists, dicts keyed by name)."""
    if isinstance(data, dict):
        if "#bigint" in data:
            return int(data["#bigint"])
        if "#unserializable" in data:
            return None if data["#unserializable"] == "None" else data["#unserializable"]
        if "#set" in data:
            return [value_from_itf(v) for v in data["#set"]]
        if "#tup" in data:
            return [value_from_itf(v) for v in data["#tup"]]
        if "#map" in data:
            return {str(value_from_itf(k)): value_from_itf(v) for k, v in data["#map"]}
        return {k: value_from_itf(v) for k, v in data.items()}
    if isinstance(data, list):
        return [value_from_itf(v) for v in data]
    return data


def export(protocol: Protocol, trace: list[Step], *, loop_start: int | None = None,
           meta: dict[str, Any] | None = None) -> dict[str, Any]:
    cls = type(protocol)
    doc: dict[str, Any] = {
        "#meta": {"format": "ITF", "source": "quorum", "protocol": f"{cls.__module__}:{cls.__name__}",
                  "parameters": protocol.params, **(meta or {})},
        "vars": list(protocol.variables),
        "states": [],
    }
    for i, step in enumerate(trace):
        state = {"#meta": {"index": i, "action": step.action,
                           "params": {k: param_json(v) for k, v in step.params.items()}}}
        state.update({n: value_to_itf(v) for n, v in zip(protocol.variables, step.state, strict=True)})
        doc["states"].append(state)
    if loop_start is not None:
        doc["loop"] = loop_start
    return doc


def import_trace(protocol: Protocol, doc: dict[str, Any], where: str = "ITF trace") -> list[Step]:
    """The steps of an ITF trace (not yet replayed: pass them to checker.core.replay)."""
    states = doc.get("states")
    if not isinstance(states, list) or not states:
        raise QuorumError(f"{where}: no \"states\" list: not an ITF trace")
    steps: list[Step] = []
    for i, raw in enumerate(states):
        data = {k: value_from_itf(v) for k, v in raw.items() if not k.startswith("#")}
        missing = set(protocol.variables) - set(data)
        if missing:
            raise QuorumError(f"{where}: state {i} lacks variables {sorted(missing)} of {type(protocol).__name__}")
        try:
            state = protocol.state_from_json(data)
        except (KeyError, TypeError, ValueError) as err:
            raise QuorumError(f"{where}: state {i} does not fit {type(protocol).__name__}'s domains: {err}") from None
        if i == 0:
            steps.append(Step("Init", {}, state))
            continue
        steps.append(_step_to(protocol, steps[-1].state, state, raw.get("#meta", {}), where, i))
    return steps


def _step_to(protocol: Protocol, before: Any, after: Any, meta: dict, where: str, i: int) -> Step:
    """The action (and parameters) that leads from ``before`` to ``after``."""
    named = meta.get("action")
    for action, params, nxt in semantics.steps(protocol, before):
        if nxt == after and (named is None or named == action):
            return Step(action, params, after)
    raise QuorumError(f"{where}: no action of {type(protocol).__name__} leads from state {i - 1} to state {i}"
                      + (f" (the trace says {named})" if named else ""))
