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

Two kinds of firing cannot be written into the next state, and each is a finding where a reachable
state meets it, as in the explicit engine: a firing that *raises* (``Encoder.raises``: the action
raises under those conditions) and a firing whose new value holds something outside the declared
domain that the components cannot represent — a record with a state-dependent field outside its
domain, added to a set (``Firing.outside``). The latter is part of the next state's ``in_domain``
(``SymState.entered_outside``), so BMC finds the step that takes it, and the engine recomputes that
step's state concretely (``Encoder.entered_outside``): the decoded state cannot hold the value.
A scalar or map entry outside its domain needs neither: its term holds the value, which
``in_domain`` rejects and the decoded state shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import z3

from checker.dsl.protocol import Action, Protocol
from checker.errors import EncodingError, QuorumError
from checker.smt import sequences
from checker.smt.constraint import Folded
from checker.smt.symbolic import Sym, SymBool, SymMap, SymSet, equal, evaluate, fresh, to_bool, to_z3
from checker.smt.symexec import evaluate_property, paths, symbolic_instances


@dataclass
class Firing:
    """One way to take a step: an action with parameters along one guard path.

    ``outside``: the condition under which its new value holds an element outside the declared
    domain (a type error). ``raised``: the exception the action raises along this path (no step)."""

    action: Action
    params: tuple
    condition: z3.BoolRef
    changes: dict[str, Any]
    outside: z3.BoolRef = field(default_factory=lambda: z3.BoolVal(False))
    raised: BaseException | None = None


@dataclass
class SymState:
    """The state at one position (a BMC depth, or the pre/post state of an induction step)."""

    tag: str
    values: dict[str, Any]
    domain: list[z3.BoolRef]  # each variable inside its declared domain
    firings: list[Firing] | None = field(default=None, repr=False)
    raising: list[Firing] | None = field(default=None, repr=False)  # paths along which an action raises
    entered_outside: z3.BoolRef | None = None  # the step into this state took a firing with ``outside``


class Encoder:
    """Builds symbolic states, Init, the transition relation and properties for one protocol."""

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self.name = type(protocol).__name__
        self._can_leave: dict[tuple, bool] = {}  # (action, params, path) -> its ``outside`` is satisfiable
        self._leave_solver: tuple[SymState, z3.Solver] | None = None

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
            st.firings, st.raising = [], []
            for act in self.protocol.actions:
                for params, available in symbolic_instances(self.protocol, act, st.values):
                    for k, path in enumerate(self._paths(act, st, params)):
                        cond = z3.simplify(z3.And(to_bool(available), to_bool(path.condition)))
                        if z3.is_false(cond):
                            continue
                        if path.raised is not None:
                            st.raising.append(Firing(act, params, cond, {}, raised=path.raised))
                            continue
                        f = Firing(act, params, cond, path.update.changes)
                        f.outside = self._outside(f, st)
                        if not z3.is_false(f.outside) and not self._may_leave((act.name, params, k), st, f):
                            f.outside = z3.BoolVal(False)
                        st.firings.append(f)
        return st.firings

    def raises(self, st: SymState) -> z3.BoolRef:
        """Some action raises from ``st`` (on concrete states: a finding, with the trace to ``st``)."""
        self.firings(st)
        return z3.Or(*(f.condition for f in st.raising)) if st.raising else z3.BoolVal(False)

    def _outside(self, f: Firing, st: SymState) -> z3.BoolRef:
        try:
            conds = [outside(st.values[name], value) for name, value in f.changes.items()]
        except (QuorumError, z3.Z3Exception, AttributeError, TypeError, KeyError) as err:
            raise self._unencodable(f, ", ".join(f.changes), f.changes, err) from None
        return z3.simplify(z3.Or(*conds)) if conds else z3.BoolVal(False)

    def _may_leave(self, key: tuple, st: SymState, f: Firing) -> bool:
        """Whether the firing can add a value outside its domain from a state inside its domains.

        Usually it cannot (a record's field copied from a variable of the same domain), and saying
        so once per firing keeps the ``outside`` disjunction out of every depth's formula: with it,
        BMC on Paxos solved about 12 % slower. Sound because BMC reports a state outside its
        domains at the depth it is reached, before any step from it: every state stepped from is
        inside. The answer does not depend on the depth (each state has the same constraints), so
        it is computed once; a timeout counts as "it can"."""
        known = self._can_leave.get(key)
        if known is None:
            if self._leave_solver is None or self._leave_solver[0] is not st:
                solver = z3.Solver()
                solver.set("timeout", 2000)
                solver.add(*st.domain)  # once per state: each firing is one push/pop on top of it
                self._leave_solver = (st, solver)
            solver = self._leave_solver[1]
            solver.push()
            solver.add(f.condition, f.outside)
            known = self._can_leave[key] = solver.check() != z3.unsat
            solver.pop()
        return known

    def _paths(self, act: Action, st: SymState, params: tuple) -> list:
        return paths(self.protocol, act, st.values, params)

    def raised_error(self, f: Firing) -> EncodingError:
        """The error for a firing that raises on Z3 terms but not on the concrete state Z3 reached."""
        exc = f.raised
        return EncodingError(
            f"{self.name}, action {f.action.label(f.params)} raised {type(exc).__name__}: {exc} when run on Z3 terms. "
            "If it also raises on concrete states, the explicit engine shows the trace to it "
            "(quorum check ... --engine explicit); otherwise write the action with the helpers of checker "
            "(And, Or, If, Exists, Filter, Member) instead of Python operations on state."
        )

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
                    old = current[name][i][1]
                    if new is not old and not z3.eq(new, old):
                        writes.setdefault((name, i), []).append((j, new))
        constraints = [z3.Or(*(z3.And(selector == j, f.condition) for j, f in enumerate(firings)))]
        entering = [z3.And(selector == j, f.outside) for j, f in enumerate(firings) if not z3.is_false(f.outside)]
        nxt.entered_outside = z3.Or(*entering) if entering else z3.BoolVal(False)
        for name, pairs in current.items():
            for i, (target, old) in enumerate(pairs):
                value = old
                for j, new in reversed(writes.get((name, i), [])):
                    value = z3.If(selector == j, new, value)
                constraints.append(target == value)
        constraints.append(self.within(nxt))
        return z3.And(*constraints)

    def within(self, st: SymState) -> z3.BoolRef:
        """The protocol's ``constraint`` on ``st`` (TLC's CONSTRAINT: a step out of it is not taken)."""
        if self.protocol.constraint is None:
            return z3.BoolVal(True)
        try:
            return to_bool(evaluate_property(self.protocol, self.protocol.constraint, st.values))
        except QuorumError:
            raise
        except Exception as exc:  # noqa: BLE001 - as for properties
            raise EncodingError(f"{self.name}, constraint raised {type(exc).__name__}: {exc} when evaluated on Z3 "
                                "terms; write it with the helpers of checker (And, ForAll, Count) on state") from exc

    def _assign(self, f: Firing, name: str, target: Any, value: Any) -> list[tuple[z3.ExprRef, z3.ExprRef]]:
        try:
            return components(target, value)
        except (QuorumError, z3.Z3Exception, AttributeError, TypeError, KeyError) as err:
            raise self._unencodable(f, name, value, err) from None

    def _unencodable(self, f: Firing, name: str, value: Any, err: BaseException) -> EncodingError:
        return EncodingError(
            f"{self.name}, action {f.action.label(f.params)}: the new value of {name!r} ({value!r}) "
            f"cannot be encoded for Z3 ({err}); build it with the variable's own operations "
            "(m.set(k, v) for a map, s | {x} or s - {x} for a set, If(cond, a, b) for a choice)"
        )

    def enabled(self, st: SymState) -> z3.BoolRef:
        """Some action can fire from ``st`` (its negation is a deadlock): with a ``constraint``, to
        a successor inside it, as the concrete semantics counts a successor outside as none."""
        firings = self.firings(st)
        if not firings:
            return z3.BoolVal(False)
        if self.protocol.constraint is None:
            return z3.Or(*(f.condition for f in firings))
        folded = Folded(self.within(st))
        return z3.Or(*(z3.And(f.condition, folded.after(self.written(st, f))) for f in firings))

    def written(self, st: SymState, f: Firing) -> dict[int, z3.ExprRef]:
        """The components of ``st`` a firing changes: component term id -> its new value."""
        out = {}
        for name, value in f.changes.items():
            before = st.values[name]
            pairs = sequences.changed_components(before, value)
            for old, new in components(before, value) if pairs is None else pairs:
                if old is not new and not z3.eq(old, new):
                    out[old.get_id()] = new
        return out

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
        """Every variable of ``st`` inside its declared domain, and (once the transition into ``st``
        is built) the step into it did not add an element outside its domain."""
        conds = list(st.domain)
        if st.entered_outside is not None and not z3.is_false(st.entered_outside):
            conds.append(z3.Not(st.entered_outside))
        return z3.And(*conds) if conds else z3.BoolVal(True)

    # -- reading a model back ------------------------------------------------------------

    def decode_state(self, model: z3.ModelRef, st: SymState) -> tuple:
        vals = [evaluate(model, st.values[n], v.domain) for n, v in self.protocol.variables.items()]
        return tuple.__new__(self.protocol.State, vals)

    def decode_firing(self, model: z3.ModelRef, cur: SymState, selector: z3.ArithRef) -> Firing:
        index = model.eval(selector, model_completion=True).as_long()
        return self.firings(cur)[index]

    def entered_outside(self, model: z3.ModelRef, st: SymState) -> bool:
        """Whether the model's step into ``st`` added an element outside its domain: the decoded
        state cannot show it, so the step's state is computed concretely."""
        if st.entered_outside is None:
            return False
        return z3.is_true(model.eval(st.entered_outside, model_completion=True))

    def decode_raising(self, model: z3.ModelRef, st: SymState) -> Firing | None:
        """The first firing that raises from ``st`` in the model, if any."""
        self.firings(st)
        return next((f for f in st.raising if z3.is_true(model.eval(f.condition, model_completion=True))), None)


def components(template: Any, value: Any) -> list[tuple[z3.ExprRef, z3.ExprRef]]:
    """``value`` split along the structure of the symbolic ``template``: (template term, value term)
    per set element, map entry or scalar, in a fixed order."""
    special = sequences.components(template, value, components)
    if special is not None:
        return special
    if isinstance(template, SymSet):
        present = _as_set(template, value).present
        return [(to_bool(p), to_bool(present.get(e, False))) for e, p in template.present.items()]
    if isinstance(template, SymMap):
        entries = value.entries if isinstance(value, SymMap) else dict(value.items())
        return [pair for k, t in template.entries.items() for pair in components(t, entries[k])]
    if isinstance(template, SymBool):
        return [(template.term, to_bool(value))]
    if isinstance(template, Sym):
        return [(template.term, to_z3(value))]
    raise EncodingError(f"cannot split {template!r} into components")


def outside(template: Any, value: Any) -> z3.BoolRef:
    """The condition that ``value``, the new value of a variable shaped like ``template``, holds an
    element that ``components`` cannot represent: outside the set's universe (so outside its
    domain), or a non-Boolean for a Boolean. Other scalars need none: their terms hold any value,
    and ``in_domain`` checks them."""
    special = sequences.outside(template, value)
    if special is not None:
        return z3.simplify(to_bool(special))
    if isinstance(template, SymSet):
        new = _as_set(template, value)
        extra = [to_bool(p) for e, p in new.present.items() if e not in template.present]
        return z3.Or(to_bool(new.outside), *extra)
    if isinstance(template, SymMap):
        entries = value.entries if isinstance(value, SymMap) else dict(value.items())
        return z3.Or(False, *(outside(t, entries[k]) for k, t in template.entries.items()))
    if isinstance(template, SymBool):  # a Boolean's term holds only True and False
        return z3.BoolVal(not isinstance(value, (bool, SymBool)))
    return z3.BoolVal(False)


def _as_set(template: SymSet, value: Any) -> SymSet:
    """A set value as a ``SymSet`` over the template's universe (a plain Python set of records with
    state-dependent fields is added element by element, as ``s | {x}`` would)."""
    if isinstance(value, SymSet):
        return value
    return SymSet(dict.fromkeys(template.present, False))._add(value)
