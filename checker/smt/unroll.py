"""BMC's formulas, built once over template states and instantiated per depth by renaming.

Running the protocol's actions on a symbolic state (``Encoder.firings``) costs about a second per
state on Raft, and BMC paid it again at every depth. Here it runs once: Init, the step relation, the
step's "added an element outside its domain" condition, a state's "bad" condition and each goal are
built over the template states ``cur`` and ``nxt`` and the selector ``step@cur``, and depth k's
copies are the templates with those variables renamed (``z3.substitute``, inside Z3).

The templates are also where the integers become Booleans, once (``checker.smt.finite``), and the
step is written for the SAT solver (``sat_step``). Each integer component may take its declared
values, the values an initial state gives it and those any firing can write into it from a state
inside its domains. That is every value on a path whose states before the last are inside their
domains — and BMC reports a state outside its domains at the depth it is reached, so a path through
one is never the first violation: the finite formulas lose nothing BMC reports. When a formula has
a term the finite encoding does not cover, the integer templates are instantiated instead, for Z3's
SMT solver.
"""

from __future__ import annotations

from collections.abc import Iterable

import z3

from checker.core.trace import Step
from checker.smt.finite import Finite, Unsupported
from checker.smt.transition import Encoder, Firing, SymState, components

CUR, NXT = "cur", "nxt"
SPAN = 64  # a domain constraint whose numbers span at most this many is tried value by value
Renaming = list[tuple[z3.ExprRef, z3.ExprRef]]


def integer_components(st: SymState, variables: Iterable[str]) -> list[str]:
    """The names of the state's integer components, in ``components`` order."""
    names = []
    for name in variables:
        for term, _ in components(st.values[name], st.values[name]):
            if z3.is_int(term):
                if not (z3.is_const(term) and term.decl().kind() == z3.Z3_OP_UNINTERPRETED):
                    raise Unsupported(f"a state component {term} that is not a variable")
                names.append(term.decl().name())
    return names


def _leaves(term: z3.ExprRef) -> tuple[dict[str, z3.ExprRef], set[int]]:
    """The variables (of any sort, by name) and the integer numbers in a (small) term."""
    variables, numbers, stack = {}, set(), [term]
    while stack:
        e = stack.pop()
        if z3.is_int_value(e):
            numbers.add(e.as_long())
        elif z3.is_const(e) and e.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            variables[e.decl().name()] = e
        else:
            stack.extend(e.children())
    return variables, numbers


def declared(st: SymState, names: list[str]) -> dict[str, set[int]]:
    """The values each integer component may take inside its domain, read off the state's domain
    constraints (``fresh`` writes a range, a list of values, or bounds) and checked by Z3 to be all.

    Each constraint on one variable alone bounds it; the values are the numbers in its constraints,
    or for a short span between the smallest and the largest, the span's values, that satisfy
    them. ``Unsupported`` when a variable has no such constraint or the values found are not all."""
    alone: dict[str, list[z3.BoolRef]] = {}
    for c in st.domain:
        free, _ = _leaves(c)
        if len(free) == 1 and all(z3.is_int(v) for v in free.values()):
            (name,) = free
            alone.setdefault(name, []).append(c)
    values: dict[str, set[int]] = {}
    missed = []
    for name in names:
        if name not in alone:
            raise Unsupported(f"no domain constraint on {name}")
        var, holds = z3.Int(name), z3.And(*alone[name])
        numbers = _leaves(holds)[1]
        low, high = min(numbers, default=0), max(numbers, default=0)
        candidates = numbers | set(range(low, high + 1)) if high - low <= SPAN else numbers
        values[name] = {v for v in candidates if z3.is_true(z3.simplify(z3.substitute(holds, (var, z3.IntVal(v)))))}
        missed.append(z3.And(holds, *(var != v for v in values[name])))
    check = z3.Solver()
    check.add(z3.Or(*missed))
    if check.check() != z3.unsat:
        raise Unsupported("a domain with values other than the numbers its constraints name")
    return values


def writes(firings: list[Firing], cur: SymState, nxt: SymState) -> dict[str, list[tuple[int, z3.ExprRef, z3.ExprRef]]]:
    """Per component of ``nxt`` (by its name): (firing index, component of ``nxt``, its new value)
    for each firing that may change it — as ``Encoder.transition`` finds them."""
    out: dict[str, list[tuple[int, z3.ExprRef, z3.ExprRef]]] = {}
    old: dict[str, list[tuple[str, z3.ExprRef]]] = {}  # per variable: (component name, its value in cur)
    for j, f in enumerate(firings):
        for name, value in f.changes.items():
            if name not in old:
                old[name] = [(t.decl().name(), c) for t, c in components(nxt.values[name], cur.values[name])]
            for (target, new), (component, before) in zip(components(nxt.values[name], value), old[name], strict=True):
                if new is not before and not z3.eq(new, before):
                    out.setdefault(component, []).append((j, target, new))
    return out


def sat_step(enc: Encoder, cur: SymState, nxt: SymState, selector: z3.ArithRef) -> z3.BoolRef:
    """``Encoder.transition``'s relation, written per firing: the selected firing's condition holds
    and each component it changes takes its new value; a component no selected firing changes
    keeps its value; the next state meets the protocol's state constraint. With a one-hot selector
    each of these is a few clauses on one literal, where the nested ``If`` of ``Encoder.transition``
    (its best form for the SMT solver) is a chain the SAT solver propagates through slowly: on
    Raft, to depth 11, 6 s instead of 78 s."""
    firings = enc.firings(cur)
    if not firings:
        return z3.BoolVal(False)
    chosen = [selector == j for j in range(len(firings))]
    constraints = [z3.Or(*chosen), *(z3.Implies(chosen[j], f.condition) for j, f in enumerate(firings))]
    changed = writes(firings, cur, nxt)
    for name in enc.protocol.variables:
        for target, old in components(nxt.values[name], cur.values[name]):
            by = changed.get(target.decl().name(), [])
            constraints += [z3.Implies(chosen[j], target == new) for j, _, new in by]
            constraints.append(z3.Or(target == old, *(chosen[j] for j, _, _ in by)))
    constraints.append(enc.within(nxt))
    return z3.And(*constraints)


class Unrolling:
    """Init, steps and checks for the states of one BMC run, depth by depth."""

    def __init__(self, enc: Encoder, invariants: list[str], goals: list[str], deadlock: bool) -> None:
        self.enc = enc
        cur, nxt = enc.state(CUR), enc.state(NXT)
        self.cur, self.nxt, self.selector = cur, nxt, z3.Int(f"step@{CUR}")
        self.firings = enc.firings(cur)
        step = enc.transition(cur, nxt, self.selector)  # also sets nxt.entered_outside, where a firing can
        entered = z3.BoolVal(False) if nxt.entered_outside is None else nxt.entered_outside
        bad = [z3.Not(z3.And(*cur.domain)), enc.raises(cur), *(z3.Not(enc.holds(cur, p)) for p in invariants)]
        if deadlock:
            bad.append(z3.Not(enc.enabled(cur)))
        self.templates: dict[str, z3.BoolRef] = {
            "init": enc.init(cur), "step": step, "entered": entered, "bad": z3.Or(*bad),
            **{f"goal:{g}": enc.holds(cur, g) for g in goals},
        }
        self.states: list[SymState] = []
        self.selectors: list[z3.ArithRef] = []
        self.finite, self.encoded = self._finite()

    @property
    def propositional(self) -> bool:
        """Whether the formulas are the finite (Boolean) encoding."""
        return self.finite is not None

    def solver(self) -> z3.Solver:
        """A solver suited to the formulas: Z3's SAT solver for Boolean ones."""
        return z3.SolverFor("QF_FD") if self.propositional else z3.Solver()

    # -- the finite encoding ------------------------------------------------------------------

    def _integers(self, st: SymState) -> list[str]:
        return integer_components(st, self.enc.protocol.variables)

    def _finite(self) -> tuple[Finite | None, dict[str, z3.BoolRef]]:
        """The templates in the finite encoding, or (None, {}) where it does not cover them."""
        selector = self.selector.decl().name()
        try:
            ranges = declared(self.cur, self._integers(self.cur))
            reads = Finite(ranges)
            as_cur = dict(zip(self._integers(self.nxt), self._integers(self.cur), strict=True))  # nxt -> cur
            for init in self.enc.protocol.initial_states():
                for name, value in zip(self.enc.protocol.variables, init, strict=True):
                    for target, new in components(self.cur.values[name], value):
                        if z3.is_int(target):
                            ranges[target.decl().name()] |= reads.values(new).keys()
            for component, changes in writes(self.firings, self.cur, self.nxt).items():
                if component in as_cur:
                    for _, _, new in changes:
                        ranges[as_cur[component]] |= reads.values(new).keys()
            domains = {**ranges, **{n: ranges[c] for n, c in as_cur.items()}, selector: range(len(self.firings) or 1)}
            finite = Finite(domains, one_hot=[selector])
            step = sat_step(self.enc, self.cur, self.nxt, self.selector)
            encoded = {key: finite.encode(step if key == "step" else t) for key, t in self.templates.items()}
        except Unsupported:
            return None, {}
        return finite, encoded

    # -- instances --------------------------------------------------------------------------

    def _bits(self, template: z3.ExprRef, copy: z3.ExprRef) -> Renaming:
        if z3.is_bool(template):
            return [(template, copy)]
        name = template.decl().name()
        return list(zip(self.finite.bits[name], self.finite.copy_bits(name, copy.decl().name()), strict=True))

    def _rename(self, template: SymState, st: SymState, finite: bool) -> Renaming:
        """Pairs (template variable, the copy's): the components, or in the finite encoding their Booleans."""
        pairs = [p for name in self.enc.protocol.variables for p in components(template.values[name], st.values[name])]
        return [b for t, s in pairs for b in self._bits(t, s)] if finite else pairs

    def _pairs(self, key: str, k: int, finite: bool) -> Renaming:
        """The renaming that makes template ``key`` depth k's: ``cur`` is state k, or for a step's
        formulas state k - 1, with ``nxt`` state k."""
        if key not in ("step", "entered"):
            return self._rename(self.cur, self.states[k], finite)
        selector = self._bits(self.selector, self.selectors[k]) if finite else [(self.selector, self.selectors[k])]
        return [*self._rename(self.cur, self.states[k - 1], finite), *self._rename(self.nxt, self.states[k], finite),
                *selector]

    def _instance(self, key: str, k: int) -> z3.BoolRef:
        template = self.encoded[key] if self.finite is not None else self.templates[key]
        return z3.substitute(template, *self._pairs(key, k, self.finite is not None))

    def _well_formed(self, k: int) -> z3.BoolRef:
        """The Booleans of state k's integers (and of the selector into it) name values."""
        conds = [z3.substitute(self.finite.well_formed(n), *self._bits(z3.Int(n), z3.Int(c)))
                 for n, c in zip(self._integers(self.cur), self._integers(self.states[k]), strict=True)]
        if k:
            conds.append(z3.substitute(self.finite.well_formed(self.selector.decl().name()),
                                       *self._bits(self.selector, self.selectors[k])))
        return z3.And(*conds)

    def add_state(self) -> z3.BoolRef:
        """The next depth's state, and what holds of it: Init at depth 0, else the step into it."""
        k = len(self.states)
        self.states.append(self.enc.state(str(k)))
        self.selectors.append(z3.Int(f"step@{k}"))
        formula = self._instance("init" if k == 0 else "step", k)
        return formula if self.finite is None else z3.And(formula, self._well_formed(k))

    def bad(self, k: int) -> z3.BoolRef:
        """State k is outside its domains (or was entered by adding an element outside them), an
        action raises there, an invariant fails, or (with ``deadlock``) nothing is enabled."""
        return z3.Or(self._instance("bad", k), self._instance("entered", k)) if k else self._instance("bad", k)

    def goal(self, k: int, name: str) -> z3.BoolRef:
        return self._instance(f"goal:{name}", k)

    # -- reading a model back ---------------------------------------------------------------

    def integers(self, model: z3.ModelRef) -> z3.ModelRef:
        """The model with a value for every integer of the states and selectors (read from their
        Booleans in the finite encoding), so the integer formulas can be evaluated in it."""
        if self.finite is None:
            return model
        for k, st in enumerate(self.states):
            for name, copy in zip(self._integers(self.cur), self._integers(st), strict=True):
                model.update_value(z3.Int(copy), z3.IntVal(self.finite.decode(model, name, copy)))
            if k:
                copy = self.selectors[k].decl().name()
                index = self.finite.decode(model, self.selector.decl().name(), copy)
                model.update_value(self.selectors[k], z3.IntVal(index))
        return model

    def _holds(self, model: z3.ModelRef, formula: z3.BoolRef, key: str, k: int) -> bool:
        renamed = z3.substitute(formula, *self._pairs(key, k, finite=False))
        return z3.is_true(model.eval(renamed, model_completion=True))

    def trace(self, model: z3.ModelRef) -> list[Step]:
        """The model's path as concrete steps: the firing each selector names, and the state it reached.

        A step that added an element outside its domain has no decoded state (None): the state's
        components cannot hold that element, so replay computes the state concretely."""
        trace = [Step("Init", {}, self.enc.decode_state(model, self.states[0]))]
        for k in range(1, len(self.states)):
            f = self.firings[model.eval(self.selectors[k], model_completion=True).as_long()]
            outside = self._holds(model, self.templates["entered"], "entered", k)
            state = None if outside else self.enc.decode_state(model, self.states[k])
            trace.append(Step(f.action.name, f.action.params_dict(f.params), state))
        return trace

    def raising(self, model: z3.ModelRef, k: int) -> Firing | None:
        """The first firing that raises from state k in the model, if any."""
        return next((f for f in self.cur.raising if self._holds(model, f.condition, "bad", k)), None)
