"""Symbolic states and the transition relation, built by running the protocol's actions on Z3 terms.

A state is one fresh symbolic value per variable (``checker.symbolic.fresh``): a map is one term
per key, a set one Boolean per possible element. Per-element Booleans keep the elements concrete,
so a message's type and fields are compared in Python while the action runs and only membership
reaches Z3 (``m.type == "2a"`` never becomes a formula) — the encoding of the reference
hand-written Paxos model (one Boolean per possible message), which the README's figures compare
against.

The transition relation from state ``cur`` to ``nxt`` ranges over every action, every parameter
tuple (``From`` parameters range over the whole universe, guarded by membership) and every path
through the action's guards — a *firing*. A per-step integer selector names the firing taken, whose
condition must hold; each component of ``nxt`` (set element, map entry) is the value the selected
firing gives it, or its old value when that firing leaves it alone (frames per component, see
``Encoder.transition``). Because the selector names the firing, a model's trace is read back
without guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import z3

from checker.dsl.protocol import Action, Protocol
from checker.errors import EncodingError, QuorumError
from checker.smt.symbolic import Sym, SymBool, SymMap, SymSet, equal, evaluate, fresh, to_bool, to_z3
from checker.smt.symexec import evaluate_property, paths, symbolic_instances


@dataclass
class Firing:
    """One way to take a step: an action with parameters along one guard path."""

    action: Action
    params: tuple
    condition: z3.BoolRef
    changes: dict[str, Any]


@dataclass
class SymState:
    """The state at one position (a BMC depth, or the pre/post state of an induction step)."""

    tag: str
    values: dict[str, Any]
    domain: list[z3.BoolRef]  # each variable inside its declared domain
    firings: list[Firing] | None = field(default=None, repr=False)


class Encoder:
    """Builds symbolic states, Init, the transition relation and properties for one protocol."""

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self.name = type(protocol).__name__

    def state(self, tag: str) -> SymState:
        values, domain = {}, []
        for name, var in self.protocol.variables.items():
            try:
                values[name], constraints = fresh(var.domain, f"{name}@{tag}")
            except EncodingError as err:
                raise EncodingError(f"{self.name}, state variable {name!r}: {err}") from None
            domain += constraints
        return SymState(tag, values, domain)

    def init(self, st: SymState) -> z3.BoolRef:
        """The state is one of the protocol's initial states."""
        options = [
            z3.And(*(equal(st.values[n], v) for n, v in zip(self.protocol.variables, init, strict=True)))
            for init in self.protocol.initial_states()
        ]
        return z3.Or(*options)

    def firings(self, st: SymState) -> list[Firing]:
        """Every (action, parameters, guard path) that may fire from ``st`` (computed once per state)."""
        if st.firings is None:
            st.firings = []
            for act in self.protocol.actions:
                for params, available in symbolic_instances(self.protocol, act, st.values):
                    for path in self._paths(act, st, params):
                        cond = z3.simplify(z3.And(to_bool(available), to_bool(path.condition)))
                        if not z3.is_false(cond):
                            st.firings.append(Firing(act, params, cond, path.update.changes))
        return st.firings

    def _paths(self, act: Action, st: SymState, params: tuple) -> list:
        try:
            return paths(self.protocol, act, st.values, params)
        except QuorumError:
            raise
        except Exception as exc:  # noqa: BLE001 - an exception in a model action is reported, not a traceback
            raise EncodingError(
                f"{self.name}, action {act.label(params)} raised {type(exc).__name__}: {exc} when run on Z3 terms. "
                "If it also raises on concrete states, the explicit engine shows the trace to it "
                "(quorum check ... --engine explicit); otherwise write the action with the helpers of checker "
                "(And, Or, If, Exists, Filter, Member) instead of Python operations on state."
            ) from exc

    def transition(self, cur: SymState, nxt: SymState, selector: z3.ArithRef) -> z3.BoolRef:
        """Some firing takes ``cur`` to ``nxt``; ``selector`` is the index of the firing taken.

        Frames are written per component (one set element, one map entry), not per firing: each
        component of ``nxt`` equals its value in ``cur`` unless the selected firing changes it,
        ``c' = If(sel = j1, v1, If(sel = j2, v2, ..., c))`` over only the firings that touch it.
        Per-firing frames repeat every unchanged component once per firing (thousands of
        equalities per step on Paxos); this form states each once, and Z3 solves it faster.
        """
        firings = self.firings(cur)
        if not firings:
            return z3.BoolVal(False)
        current = {name: components(nxt.values[name], cur.values[name]) for name in self.protocol.variables}
        writes: dict[tuple[str, int], list[tuple[int, z3.ExprRef]]] = {}
        for j, f in enumerate(firings):
            for name, value in f.changes.items():
                for i, (_, new) in enumerate(self._assign(f, name, nxt.values[name], value)):
                    if not z3.eq(new, current[name][i][1]):
                        writes.setdefault((name, i), []).append((j, new))
        constraints = [z3.Or(*(z3.And(selector == j, f.condition) for j, f in enumerate(firings)))]
        for name, pairs in current.items():
            for i, (target, old) in enumerate(pairs):
                value = old
                for j, new in reversed(writes.get((name, i), [])):
                    value = z3.If(selector == j, new, value)
                constraints.append(target == value)
        return z3.And(*constraints)

    def _assign(self, f: Firing, name: str, target: Any, value: Any) -> list[tuple[z3.ExprRef, z3.ExprRef]]:
        try:
            return components(target, value)
        except (QuorumError, z3.Z3Exception, AttributeError, TypeError, KeyError) as err:
            raise EncodingError(
                f"{self.name}, action {f.action.label(f.params)}: the new value of {name!r} ({value!r}) "
                f"cannot be encoded for Z3 ({err}); build it with the variable's own operations "
                "(m.set(k, v) for a map, s | {x} or s - {x} for a set, If(cond, a, b) for a choice)"
            ) from None

    def enabled(self, st: SymState) -> z3.BoolRef:
        """Some action can fire from ``st`` (its negation is a deadlock)."""
        return z3.Or(*(f.condition for f in self.firings(st))) if self.firings(st) else z3.BoolVal(False)

    def holds(self, st: SymState, prop: str) -> z3.BoolRef:
        """The property's formula on ``st``."""
        fn = self.protocol.properties[prop].fn
        try:
            return to_bool(evaluate_property(self.protocol, fn, st.values))
        except QuorumError:
            raise
        except Exception as exc:  # noqa: BLE001 - see _paths
            raise EncodingError(
                f"{self.name}, property {prop} raised {type(exc).__name__}: {exc} when evaluated on Z3 terms; "
                "write it with the helpers of checker (And, Or, Not, Exists, ForAll, Member) on state"
            ) from exc

    def in_domain(self, st: SymState) -> z3.BoolRef:
        return z3.And(*st.domain) if st.domain else z3.BoolVal(True)

    # -- reading a model back ------------------------------------------------------------

    def decode_state(self, model: z3.ModelRef, st: SymState) -> tuple:
        vals = [evaluate(model, st.values[n], v.domain) for n, v in self.protocol.variables.items()]
        return tuple.__new__(self.protocol.State, vals)

    def decode_firing(self, model: z3.ModelRef, cur: SymState, selector: z3.ArithRef) -> Firing:
        index = model.eval(selector, model_completion=True).as_long()
        return self.firings(cur)[index]


def components(template: Any, value: Any) -> list[tuple[z3.ExprRef, z3.ExprRef]]:
    """``value`` split along the structure of the symbolic ``template``: (template term, value term)
    per set element, map entry or scalar, in a fixed order."""
    if isinstance(template, SymSet):
        present = value.present if isinstance(value, SymSet) else dict.fromkeys(value, True)
        return [(to_bool(p), to_bool(present.get(e, False))) for e, p in template.present.items()]
    if isinstance(template, SymMap):
        entries = value.entries if isinstance(value, SymMap) else dict(value.items())
        return [pair for k, t in template.entries.items() for pair in components(t, entries[k])]
    if isinstance(template, SymBool):
        return [(template.term, to_bool(value))]
    if isinstance(template, Sym):
        return [(template.term, to_z3(value))]
    raise EncodingError(f"cannot split {template!r} into components")
