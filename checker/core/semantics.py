"""The concrete semantics: the one place that runs a protocol's actions on concrete states.

Every engine and tool that needs "what can happen next" asks this module: the explicit search,
liveness, replay, simulation, state machines, trace validation, ITF import, the state graph,
shrinking and model-based tests. Only ``fire`` knows that an action reports "disabled" by
returning ``None`` or ``False``, and only here is an exception inside an action turned into
``ActionRaised`` (a finding: the engine shows the trace that reached it). A next state the store
cannot hash (a list, dict or set in it) is explained by ``unhashable``: an engine calls it when
hashing a state raises ``TypeError``, so the hot path pays nothing for it.

Successors come in a fixed order — actions in declaration order, parameters in domain order, set
elements in ``checker.dsl.domains.order`` — so every engine sees the same order in every process.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checker.dsl.domains import FnMap, SetOf, show
from checker.dsl.params import From
from checker.dsl.protocol import Action, Protocol

Move = tuple[int, tuple, Any]  # (action index, parameter values, next state)


class ActionRaised(Exception):  # noqa: N818 - a finding about the model, not an error of ours
    """An action raised an exception: a finding about the model (the trace that reached it, plus this)."""

    def __init__(self, action: Action, params: tuple, exc: BaseException) -> None:
        hint = ""
        if isinstance(exc, TypeError) and "unhashable type" in str(exc):
            hint = (" (a value put into a set, a record or a state must be immutable: a tuple, not a list; a "
                    "frozenset, not a set; a Map's m.set(k, v), not a dict)")
        super().__init__(f"action {action.label(params)} raised {type(exc).__name__}: {exc}{hint}")
        self.action, self.params, self.exc = action, params, exc


def initial_states(protocol: Protocol) -> list:
    """Every initial state (one per combination of ``OneOf`` choices)."""
    return protocol.initial_states()


def fire(action: Action, params: tuple, state: Any) -> Any:
    """The next state, or ``None`` when the action is disabled or its successor is outside the
    protocol's ``constraint`` (discarded, as TLC does); an exception becomes ``ActionRaised``."""
    try:
        nxt = action.fn(state, *params)
    except Exception as exc:  # noqa: BLE001 - an exception in a model is a finding
        raise ActionRaised(action, params, exc) from exc
    if nxt is None or nxt is False:
        return None
    within = action.within
    return nxt if within is None or within(nxt) else None


def moves(protocol: Protocol, state: Any) -> Iterator[Move]:
    """Every enabled (action index, parameters, next state) from ``state``, in the fixed order.

    The explicit search's hot loop: a generator over the action instances, no allocation beyond
    the tuple it yields."""
    within = protocol.constraint
    for ai, act in enumerate(protocol.actions):
        fn = act.fn
        for params in act.instances(state):
            try:
                nxt = fn(state, *params)
            except Exception as exc:  # noqa: BLE001 - an exception in a model is a finding
                raise ActionRaised(act, params, exc) from exc
            if nxt is not None and nxt is not False and (within is None or within(nxt)):
                yield ai, params, nxt


def steps(protocol: Protocol, state: Any) -> list[tuple[str, dict, Any]]:
    """Every enabled (action name, named parameters, next state) from ``state``: for tools."""
    actions = protocol.actions
    return [(actions[ai].name, actions[ai].params_dict(params), nxt) for ai, params, nxt in moves(protocol, state)]


def is_instance(protocol: Protocol, action: Action, params: tuple, state: Any) -> str | None:
    """Why ``params`` is not an instance of ``action`` in ``state`` (None if it is): each value must
    be one the explicit search would try — in its domain, or, for ``From(var, kind)``, an element
    of that set in the state."""
    for name, value, source in zip(action.param_names, params, action.sources, strict=True):
        if isinstance(source, From):
            held = getattr(state, source.var)
            if value not in held or (source.kind is not None and value not in held.of(source.kind)):
                kind = f"{source.kind} " if source.kind else ""
                return f"{name} = {show(value)} is no {kind}element of {source.var} in the state before it"
        elif value not in source:
            return f"{name} = {show(value)} is not one of its values ({', '.join(map(show, source))})"
    return None


def violates(protocol: Protocol, state: Any, prop: str) -> bool:
    """Whether an invariant is false in a concrete state (``deadlock``: no action is enabled)."""
    if prop == "deadlock":
        return next(moves(protocol, state), None) is None
    return not protocol.properties[prop].fn(state)


#: What to write instead of a mutable value in a state.
_IMMUTABLE = {
    list: "a tuple",
    set: "a frozenset (or `s.var | {x}` on a SetOf variable)",
    dict: "a Map variable's `m.set(k, v)` (or a tuple of pairs)",
    bytearray: "bytes",
}


def _unhashable_part(value: Any) -> tuple[str, Any] | None:
    """Where in ``value`` its first unhashable part is (``[k]``, ``.field``, ``[i]`` steps) and that
    part, or None when ``value`` hashes."""
    try:
        hash(value)
        return None
    except TypeError:
        pass
    if isinstance(value, FnMap):
        parts: Any = ((f"[{show(k)}]", v) for k, v in value.items())
    elif isinstance(value, tuple) and hasattr(value, "_fields"):  # a record
        parts = ((f".{f}", v) for f, v in zip(value._fields, value, strict=False))
    elif isinstance(value, tuple):
        parts = ((f"[{i}]", v) for i, v in enumerate(value))
    else:
        return "", value
    for where, inner in parts:
        found = _unhashable_part(inner)
        if found is not None:
            return where + found[0], found[1]
    return "", value


def unhashable(protocol: Protocol, state: Any) -> str | None:
    """Which variable of ``state`` holds a value that cannot be hashed, that value, and what to write
    instead (None if the whole state hashes): states are stored in sets, so they must be immutable."""
    for name, value in zip(protocol.variables, state, strict=False):
        found = _unhashable_part(value)
        if found is not None:
            where, part = found
            fix = next((v for k, v in _IMMUTABLE.items() if isinstance(part, k)), "an immutable value")
            inside = f" (in {name} = {value!r})" if where else ""
            return (f"{name}{where} = {part!r}{inside} is a {type(part).__name__}, which a state cannot hold "
                    f"(states are stored in sets, so every value must be immutable): use {fix}")
    return None


class TypeCheck:
    """Checks that every new state stays inside the declared domains, each distinct value once."""

    def __init__(self, protocol: Protocol) -> None:
        self.vars = list(protocol.variables.values())
        self.ok: list[set] = [set() for _ in self.vars]
        self.ok_elems: list[set] = [set() for _ in self.vars]

    def first_bad(self, state: tuple) -> str | None:
        """What is outside its domain in ``state`` (None if nothing is)."""
        for i, value in enumerate(state):
            ok = self.ok[i]
            try:
                if value in ok:
                    continue
            except TypeError:
                where, part = _unhashable_part(value) or ("", value)
                return f"{self.vars[i].name}{where} = {part!r} is not hashable (a {type(part).__name__})"
            var = self.vars[i]
            dom = var.domain
            if isinstance(dom, SetOf):
                seen = self.ok_elems[i]
                for elem in value:
                    if elem not in seen:
                        if not dom.of.contains(elem):
                            return f"{var.name} holds {show(elem)}, outside {dom.of!r}"
                        seen.add(elem)
            elif not dom.contains(value):
                return f"{var.name} = {show(value)} is outside {dom!r}"
            ok.add(value)
        return None
