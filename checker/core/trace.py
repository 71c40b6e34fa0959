"""Traces: a run of a protocol as steps (action, parameters, state reached), and their JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checker.dsl.domains import show
from checker.dsl.params import From
from checker.dsl.protocol import Protocol
from checker.dsl.sequences import SeqValue
from checker.errors import QuorumError


@dataclass
class Step:
    """One step of a trace: the action taken (``Init`` for the first state) and the state reached."""

    action: str
    params: dict[str, Any] = field(default_factory=dict)
    state: Any = None

    @property
    def label(self) -> str:
        if not self.params:
            return self.action
        return f"{self.action}(" + ", ".join(f"{k}={show(v)}" for k, v in self.params.items()) + ")"


def trace_json(protocol: Protocol, trace: list[Step]) -> list[dict[str, Any]]:
    out = []
    for step in trace:
        params = {k: param_json(v) for k, v in step.params.items()}
        out.append({"action": step.action, "params": params, "state": protocol.state_json(step.state)})
    return out


def faults_json(protocol: Protocol) -> dict[str, Any]:
    """The faults the run was checked under, as trace.json and the ITF #meta record them: without
    them a trace of a fault spec (its ``up`` or ``group`` variables, its ``crash`` steps) cannot be
    read back. Nothing for a run without faults, so that older files read the same."""
    selected = list(protocol.faults.selected)
    return {"faults": selected} if selected else {}


def param_json(value: Any) -> Any:
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return dict(zip(value._fields, (param_json(v) for v in value), strict=True))
    if isinstance(value, frozenset):
        return sorted((param_json(v) for v in value), key=repr)
    if isinstance(value, SeqValue):  # a record's sequence field: a list, as Seq.to_json writes it
        return [param_json(v) for v in tuple.__iter__(value)]
    if isinstance(value, (int, str, float, bool)) or value is None:
        return value
    return show(value)


def step_from_json(protocol: Protocol, data: dict, path: Any, i: int) -> Step:
    """One step of a trace.json, its parameters decoded through the action's domains."""
    try:
        state = protocol.state_from_json(data["state"])
        if data["action"] == "Init":
            return Step("Init", {}, state)
        params = params_from_json(protocol, data["action"], data.get("params", {}))
    except (KeyError, TypeError, ValueError) as err:
        raise QuorumError(f"{path}: step {i} does not fit {type(protocol).__name__}: {err!r}") from None
    return Step(data["action"], params, state)


def params_from_json(protocol: Protocol, action: str, params: dict) -> dict:
    """An action's parameters as JSON (``trace_json`` writes them) decoded through their domains."""
    act = protocol.action(action)
    sources = dict(zip(act.param_names, act.sources, strict=True))
    return {k: _param_from_json(protocol, sources[k], v) for k, v in params.items()}


def _param_from_json(protocol: Protocol, source: Any, value: Any) -> Any:
    if isinstance(source, From):
        return protocol.variables[source.var].domain.of.from_json(value)
    for candidate in source:
        if param_json(candidate) == value:
            return candidate
    raise ValueError(f"parameter value {value!r} is not in its domain")
