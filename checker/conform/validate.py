"""Trace validation: is a log of events from a real run a behaviour of the protocol?

The log is JSON Lines, one event per line::

    {"action": "grant", "params": {"c": "c1"}}
    {"action": "tick"}
    {"action": "write", "params": {"c": "c1"}, "state": {"stored": 33, "pc": {"c1": "holding"}}}

``params`` may name only some of the action's parameters (the others are left open), ``state``
only some variables, and a map only some keys: a real system logs what it knows. An optional
first event ``{"action": "Init", "state": {...}}`` narrows the initial states. Since a partial
event can match several steps, the check keeps every protocol state consistent with the log so
far (as TLA+ trace validation does); it fails at the first event that no enabled step from any
of them explains, and names the candidates that came closest and how they differ.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.core import semantics
from checker.core.trace import Step, param_json
from checker.dsl.protocol import Protocol
from checker.errors import QuorumError, read_text, suggest

EVENT_KEYS = {"action", "params", "state"}


@dataclass
class Event:
    """One logged event: the action, the parameters and state it reports, and where it was."""

    line: int
    action: str
    params: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.action}({args})" if args or self.action != "Init" else self.action


@dataclass
class Candidate:
    """A step the protocol could take (or a disabled instance of the logged action), and how it differs."""

    label: str
    differences: list[str]
    score: int


@dataclass
class Validation:
    """The outcome: ``ok``, the events matched, one behaviour that explains them, or where it broke."""

    ok: bool
    matched: int
    trace: list[Step]
    failed: Event | None = None
    candidates: list[Candidate] = field(default_factory=list)
    possible_states: int = 1

    def summary(self, protocol: Protocol) -> str:
        if self.ok:
            return f"valid: all {self.matched} events are a behaviour of {protocol.describe()}"
        assert self.failed is not None
        return (f"invalid: line {self.failed.line}, {self.failed.describe()}, is explained by no enabled step "
                f"after {self.matched} matched events ({protocol.describe()})")


def read_log(path: str | Path, protocol: Protocol) -> list[Event]:
    """Parse and check a JSONL log; a malformed line is a QuorumError naming the file and line."""
    # a byte-order mark, as some Windows tools write, is not an error
    text = read_text(path, "log file", "a log is UTF-8 JSON Lines", encoding="utf-8-sig")
    events = []
    for number, raw in enumerate(text.split("\n"), start=1):  # JSON Lines: "\n" only (U+2028 may be in a string)
        if raw.strip():
            events.append(_parse_event(raw, f"{path}:{number}", number, protocol))
    if not events:
        raise QuorumError(f"{path}: the log has no events (one JSON object per line)")
    return events


def _parse_event(raw: str, where: str, number: int, protocol: Protocol) -> Event:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as err:
        raise QuorumError(f"{where}: not valid JSON ({err.msg} at column {err.colno})") from None
    except RecursionError:
        raise QuorumError(f"{where}: the JSON is nested too deeply to be an event") from None
    if not isinstance(data, dict):
        raise QuorumError(f'{where}: an event is a JSON object, e.g. {{"action": "tick"}}')
    for key in data:
        if key not in EVENT_KEYS:
            raise QuorumError(f"{where}: unknown key {key!r}." + suggest(key, EVENT_KEYS))
    name = data.get("action")
    if not isinstance(name, str):
        raise QuorumError(f'{where}: missing "action" (a string naming one of the protocol\'s actions)')
    params = data.get("params", {})
    state = data.get("state", {})
    if not isinstance(params, dict) or not isinstance(state, dict):
        raise QuorumError(f'{where}: "params" and "state" must be JSON objects')
    if name == "Init":
        if number != 1 or params:
            raise QuorumError(f'{where}: "Init" may only be the first event, with a "state" and no "params"')
    else:
        if name not in {a.name for a in protocol.actions}:
            raise QuorumError(f"{where}: {type(protocol).__name__} has no action {name!r}."
                              + suggest(name, [a.name for a in protocol.actions]))
        known = protocol.action(name).param_names
        for p in params:
            if p not in known:
                raise QuorumError(f"{where}: action {name} has no parameter {p!r}; its parameters: "
                                  f"{', '.join(known) or '(none)'}")
    for var in state:
        if var not in protocol.variables:
            raise QuorumError(f"{where}: {type(protocol).__name__} has no state variable {var!r}."
                              + suggest(var, protocol.variables))
    return Event(number, name, params, state)


def state_differences(protocol: Protocol, state: tuple, observed: dict[str, Any], source: str = "log") -> list[str]:
    """The observed variables (or map keys) whose value the protocol state does not have; ``source``
    names who observed them (a log, an implementation)."""
    out = []
    for var, want in observed.items():
        have = protocol.variables[var].domain.to_json(getattr(state, var))
        if isinstance(want, dict) and isinstance(have, dict):
            out += [f"{var}[{k}]: the model has {json.dumps(have.get(k))}, the {source} {json.dumps(v)}"
                    for k, v in want.items() if have.get(k) != v]
        elif have != want:
            out.append(f"{var}: the model has {json.dumps(have)}, the {source} {json.dumps(want)}")
    return out


def _param_differences(params: dict[str, Any], logged: dict[str, Any]) -> list[str]:
    return [f"{k}: the model has {json.dumps(param_json(params[k]))}, the log {json.dumps(v)}"
            for k, v in logged.items() if param_json(params[k]) != v]


def validate(protocol: Protocol, events: list[Event], *, max_states: int = 100_000) -> Validation:
    """Follow the log through the protocol; every state consistent with it so far is kept."""
    initials = semantics.initial_states(protocol)
    if events[0].action == "Init":
        initials = [s for s in initials if not state_differences(protocol, s, events[0].state)]
        if not initials:
            return Validation(False, 0, [], events[0], [
                Candidate("Init", state_differences(protocol, s, events[0].state), 0)
                for s in semantics.initial_states(protocol)[:3]
            ])
        events = events[1:]
    parent: dict[tuple, tuple | None] = {s: None for s in initials}
    frontier = list(initials)
    for matched, event in enumerate(events):
        nxt_frontier: dict[tuple, None] = {}
        for state in frontier:
            for name, params, nxt in semantics.steps(protocol, state):
                if (name == event.action and not _param_differences(params, event.params)
                        and not state_differences(protocol, nxt, event.state) and nxt not in nxt_frontier):
                    nxt_frontier[nxt] = None
                    parent.setdefault(nxt, (state, Step(name, params, nxt)))
        if not nxt_frontier:
            return Validation(False, matched, _witness(parent, frontier[0]), event,
                              _closest(protocol, frontier, event), len(frontier))
        if len(nxt_frontier) > max_states:
            raise QuorumError(f"line {event.line}: over {max_states:,} protocol states match the log so far; "
                              "log more parameters or state so that fewer steps fit")
        frontier = list(nxt_frontier)
    return Validation(True, len(events), _witness(parent, frontier[0]), possible_states=len(frontier))


def _witness(parent: dict[tuple, Any], state: tuple) -> list[Step]:
    """One behaviour that explains the matched events, ending in ``state``."""
    steps = []
    while parent[state] is not None:
        prev, step = parent[state]
        steps.append(step)
        state = prev
    return [Step("Init", {}, state), *reversed(steps)]


def _closest(protocol: Protocol, frontier: list[tuple], event: Event, keep: int = 3) -> list[Candidate]:
    """The steps nearest to the logged event: same action first, then fewest differences."""
    found: dict[str, Candidate] = {}

    def consider(label: str, differences: list[str], same_action: bool) -> None:
        score = (1000 if same_action else 0) - 10 * len(differences)
        if label not in found or found[label].score < score:
            found[label] = Candidate(label, differences, score)

    for state in frontier[:50]:
        for name, params, nxt in semantics.steps(protocol, state):
            if name == event.action:
                consider(Step(name, params).label,
                         _param_differences(params, event.params) + state_differences(protocol, nxt, event.state),
                         True)
            else:
                consider(Step(name, params).label, [f"a {name} step, not {event.action}"], False)
        if event.action != "Init":
            act = protocol.action(event.action)
            for params in act.instances(state):
                named = act.params_dict(params)
                if not _param_differences(named, event.params) and semantics.fire(act, params, state) is None:
                    consider(Step(act.name, named).label, [f"not enabled: its guard is false here ({act.doc})"],
                             True)
    return sorted(found.values(), key=lambda c: (-c.score, c.label))[:keep]
