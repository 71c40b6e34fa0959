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

A run need not log every step: actions named ``hidden`` (time passing, say) may take any number of
steps between two events. And a log that is a behaviour can still be a bad one: the protocol's
invariants are evaluated after every event, and one false in every state consistent with the log
is reported with the behaviour that reaches it (the real run exhibited the bug).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.core import semantics
from checker.core.properties import PropertySet
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
class Violation:
    """An invariant the log breaks: false in every protocol state consistent with it after ``event``."""

    name: str
    event: Event | None  # None: already in the initial states
    trace: list[Step]

    def summary(self) -> str:
        where = f"line {self.event.line}, {self.event.describe()}" if self.event else "the initial state"
        return f"{self.name} is violated after {where} (by every behaviour that explains the log so far)"


@dataclass
class Validation:
    """The outcome: ``ok``, the events matched, one behaviour that explains them, or where it broke."""

    ok: bool
    matched: int
    trace: list[Step]
    failed: Event | None = None
    candidates: list[Candidate] = field(default_factory=list)
    possible_states: int = 1
    violations: list[Violation] = field(default_factory=list)

    def summary(self, protocol: Protocol) -> str:
        if self.ok:
            text = f"valid: all {self.matched} events are a behaviour of {protocol.describe()}"
        else:
            assert self.failed is not None
            text = (f"invalid: line {self.failed.line}, {self.failed.describe()}, is explained by no enabled step "
                    f"after {self.matched} matched events ({protocol.describe()})")
        for v in self.violations:
            text += f"; {v.summary()}"
        return text


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


def validate(protocol: Protocol, events: list[Event], *, hidden: tuple[str, ...] = (),
             properties: list[str] | None = None, max_states: int = 100_000) -> Validation:
    """Follow the log through the protocol; every state consistent with it so far is kept.

    ``hidden`` names actions a real run does not log (time passing, say): any number of their steps
    may come before each logged event, as TLA+ trace validation lets a spec stutter. Every selected
    invariant (``properties``; the protocol's defaults when None) is evaluated on the states after
    each event: one false in *every* state consistent with the log is a violation the run exhibits.
    """
    for name in hidden:
        protocol.action(name)  # an unknown name is bad input, with a suggestion
    checks = PropertySet(protocol, properties).invariants
    initials = semantics.initial_states(protocol)
    if events[0].action == "Init":
        initials = [s for s in initials if not state_differences(protocol, s, events[0].state)]
        if not initials:
            return Validation(False, 0, [], events[0], [
                Candidate("Init", state_differences(protocol, s, events[0].state), 0)
                for s in semantics.initial_states(protocol)[:3]
            ])
        events = events[1:]
    layers: list[dict[tuple, Link | None]] = [dict.fromkeys(initials)]
    violations: dict[str, Violation] = {}
    _judge(protocol, checks, initials, layers, None, violations)
    for matched, event in enumerate(events):
        previous = layers[-1]
        sources = _closure(protocol, previous, hidden, len(layers) - 1, max_states, event)
        layer: dict[tuple, Link | None] = {}
        for state in sources:
            for name, params, nxt in semantics.steps(protocol, state):
                if (name == event.action and not _param_differences(params, event.params)
                        and not state_differences(protocol, nxt, event.state) and nxt not in layer):
                    layer[nxt] = (state, Step(name, params, nxt), len(layers) - 1)
        if not layer:
            return Validation(False, matched, _witness(layers, next(iter(previous)), len(layers) - 1), event,
                              _closest(protocol, list(sources), event), len(sources),
                              list(violations.values()))
        if len(layer) > max_states:
            raise QuorumError(f"line {event.line}: over {max_states:,} protocol states match the log so far; "
                              "log more parameters or state so that fewer steps fit")
        layers.append(layer)
        _judge(protocol, checks, list(layer), layers, event, violations)
    last = next(iter(layers[-1]))
    return Validation(True, len(events), _witness(layers, last, len(layers) - 1), possible_states=len(layers[-1]),
                      violations=list(violations.values()))


#: How a state consistent with the log was reached: (previous state, the step, the layer it is in).
Link = tuple[tuple, Step, int]


def _closure(protocol: Protocol, layer: dict[tuple, Link | None], hidden: tuple[str, ...], index: int,
             max_states: int, event: Event) -> dict[tuple, None]:
    """The layer's states and every state their hidden steps reach (added to the layer as links)."""
    if not hidden:
        return dict.fromkeys(layer)
    queue = list(layer)
    while queue:
        state = queue.pop()
        for name, params, nxt in semantics.steps(protocol, state):
            if name in hidden and nxt not in layer:
                layer[nxt] = (state, Step(name, params, nxt), index)
                queue.append(nxt)
        if len(layer) > max_states:
            raise QuorumError(f"line {event.line}: over {max_states:,} protocol states are reachable by hidden "
                              f"steps ({', '.join(hidden)}) before this event; bound the model (a smaller "
                              "instance) or log those steps")
    return dict.fromkeys(layer)


def _judge(protocol: Protocol, checks: list, states: list[tuple], layers: list[dict], event: Event | None,
           violations: dict[str, Violation]) -> None:
    """Record each invariant false in every state after ``event`` (the first such event only)."""
    for name, fn in checks:
        if name in violations:
            continue
        broken = [s for s in states if not fn(s)]
        if broken and len(broken) == len(states):
            violations[name] = Violation(name, event, _witness(layers, broken[0], len(layers) - 1))


def _witness(layers: list[dict[tuple, Link | None]], state: tuple, index: int) -> list[Step]:
    """One behaviour that explains the matched events, ending in ``state`` of layer ``index``."""
    steps = []
    link = layers[index][state]
    while link is not None:
        state, step, index = link
        steps.append(step)
        link = layers[index][state]
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
