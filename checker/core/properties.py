"""The properties a check selects, split by kind and evaluated on concrete states.

Every engine gets its invariants, reachability goals and liveness properties from a
``PropertySet``: an invariant broken in a state is a finding, a goal is recorded at the first
depth it is reached, and goals never reached are findings at the end (vacuity). A property that
raises is a finding too: ``PropertyRaised`` names it and carries the exception (the engine shows
the trace to the state where it raised).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from checker.dsl.domains import show
from checker.dsl.protocol import LIVENESS, Property, Protocol
from checker.errors import QuorumError, suggest


class PropertyRaised(Exception):  # noqa: N818 - a finding about the model, not an error of ours
    """A property raised an exception on a state: a finding (the trace to ``state``, plus this)."""

    def __init__(self, name: str, kind: str, state: Any, exc: BaseException) -> None:
        words = {"always": "invariant", "sometimes": "goal"}.get(kind, "liveness property")
        super().__init__(f"{words} {name} raised {type(exc).__name__}: {exc}")
        self.name, self.kind, self.state, self.exc = name, kind, state, exc


def select_properties(protocol: Protocol, names: list[str] | None) -> list[Property]:
    """The named properties (unknown names are bad input), or the protocol's defaults."""
    if names is None:
        return [p for p in protocol.properties.values() if p.default]
    out = []
    for n in names:
        if n not in protocol.properties:
            raise QuorumError(f"{type(protocol).__name__} has no property {n!r}." + suggest(n, protocol.properties))
        out.append(protocol.properties[n])
    return out


class PropertySet:
    """Invariants, goals and liveness properties of one check, with the goals reached so far."""

    def __init__(self, protocol: Protocol, names: list[str] | None) -> None:
        self.selected = select_properties(protocol, names)
        self.names = [p.name for p in self.selected]
        self.invariants = [(p.name, p.fn) for p in self.selected if p.kind == "always"]
        self.goals = {p.name: p.fn for p in self.selected if p.kind == "sometimes"}
        self.liveness = [p for p in self.selected if p.kind in LIVENESS]
        self.reached: dict[str, int | None] = dict.fromkeys(self.goals)
        self._open = dict(self.goals)  # goals not reached yet

    def broken(self, state: Any, depth: int) -> str | None:
        """The first invariant false in ``state`` (None if all hold); records the goals it reaches."""
        try:
            for name, fn in self.invariants:
                if not fn(state):
                    return name
            if self._open:
                for name, fn in list(self._open.items()):
                    if fn(state):
                        self.reached[name] = depth
                        del self._open[name]
        except QuorumError:
            raise  # the model's own words for a mistake
        except Exception as exc:  # noqa: BLE001 - an exception in a property is a finding
            # `name` is the property that raised (only a property's own call can raise here)
            raise PropertyRaised(name, "sometimes" if name in self.goals else "always", state, exc) from exc
        return None

    def reach(self, name: str, depth: int) -> None:
        """Record that goal ``name`` is reached at ``depth`` (engines that evaluate goals themselves)."""
        if self.reached.get(name) is None:
            self.reached[name] = depth
            self._open.pop(name, None)

    def missing_goals(self) -> list[str]:
        """The goals no state met: each is a finding once the search is complete."""
        return list(self._open)


@dataclass
class Instance:
    """One liveness property for one value of its parameters, e.g. ``decides(p=p2)``."""

    prop: Property
    args: dict[str, Any]

    @property
    def label(self) -> str:
        args = ", ".join(f"{k}={show(v)}" for k, v in self.args.items())
        return f"{self.prop.name}({args})" if args else self.prop.name

    def pair(self, state: Any) -> tuple[bool, bool]:
        """(P, Q) for leads_to; (True, P) for eventually and always_eventually."""
        try:
            value = self.prop.fn(state, **self.args)
        except QuorumError:
            raise
        except Exception as exc:  # noqa: BLE001 - an exception in a property is a finding
            raise PropertyRaised(self.label, self.prop.kind, state, exc) from exc
        if self.prop.kind == "leads_to":
            if not (isinstance(value, tuple) and len(value) == 2):
                raise QuorumError(f"leads_to property {self.prop.name} must return a pair (P, Q), not {value!r}")
            return bool(value[0]), bool(value[1])
        return True, bool(value)


def instances(protocol: Protocol, prop: Property) -> list[Instance]:
    """One ``Instance`` per combination of the values the property ranges ``over``."""
    names = list(prop.over)
    domains = [protocol.source(prop.name, n, d) for n, d in prop.over.items()]
    combos: list[tuple] = [()]
    for dom in domains:
        combos = [c + (v,) for c in combos for v in dom]
    return [Instance(prop, dict(zip(names, combo, strict=True))) for combo in combos]


def along(protocol: Protocol, states: list[Any], names: list[str] | None = None) -> dict[str, list[bool | str]]:
    """Each selected invariant and goal evaluated on every state of a trace (an imported or
    validated one): per state True or False, or the exception it raised as text."""
    out: dict[str, list[bool | str]] = {}
    for prop in select_properties(protocol, names):
        if prop.kind not in ("always", "sometimes"):
            continue  # liveness is a fact about a whole run, not about one state
        values: list[bool | str] = []
        for state in states:
            try:
                values.append(bool(prop.fn(state)))
            except Exception as exc:  # noqa: BLE001 - a property that raises is reported, not fatal
                values.append(f"raised {type(exc).__name__}: {exc}")
        out[prop.name] = values
    return out


def timeline(values: list[bool | str], goal: bool = False) -> str:
    """Where a property holds along a trace, in words: "holds in states 0–11, fails in state 12"."""
    words = {True: "reached" if goal else "holds", False: "not reached" if goal else "fails"}
    if values and all(v is True for v in values):
        return f"{words[True]} in every state (0–{len(values) - 1})"
    spans: list[tuple[Any, int, int]] = []
    for i, v in enumerate(values):
        if spans and spans[-1][0] == v:
            spans[-1] = (v, spans[-1][1], i)
        else:
            spans.append((v, i, i))
    parts = []
    for v, lo, hi in spans:
        where = f"state {lo}" if lo == hi else f"states {lo}–{hi}"
        parts.append(f"{words.get(v, v) if isinstance(v, bool) else v} in {where}")
    return ", ".join(parts) if parts else "no state"
