"""A protocol compiled for the array engine: its firings, updates and properties as array code.

Everything comes from ``checker.smt.transition.Encoder``, which runs the protocol's own action
and property methods on symbolic states: each *firing* (action × parameters × guard path) has a
condition and, per component it writes, a new value — Z3 terms over the components of the state
before. ``Program`` compiles all conditions into one function (subterms shared between firings
are computed once per batch) and each firing's new values into another, run only on the rows
where that firing is enabled.

Firings are put in the order the concrete semantics tries moves (actions in declaration order,
parameters in domain order, a set's elements in ``checker.dsl.domains.order``), so the array
engine discovers states in the explicit engine's order and reports the same first violation.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import z3

from checker.array.compile import Compiler, Terms
from checker.array.layout import Layout
from checker.core.properties import PropertySet
from checker.dsl.domains import ValueSet
from checker.dsl.params import From
from checker.dsl.protocol import Protocol
from checker.errors import EncodingError, QuorumError
from checker.smt.constraint import Folded
from checker.smt.sequences import SymBag
from checker.smt.symbolic import Sym, SymBool
from checker.smt.transition import Encoder, Firing

#: How deep a term may nest while it is compiled: a bag's counts after a few sends and the state
#: constraint's running sum nest a few hundred levels, each a few Python frames.
DEEP_TERMS = 20_000


@dataclass
class ArrayFiring:
    """One firing: the action (index) and parameters, the columns it writes and their new values."""

    action: int
    params: tuple
    writes: list[int]
    update: Callable | None  # f(col, xp) -> the new values of ``writes``
    raises: BaseException | None = None  # what the action raises along this path (a finding, not a step)
    leaves: bool = False  # its ``outside`` condition is compiled (a value outside the domain)


class Program:
    """The compiled protocol: ``dense`` and ``sparse`` give the firings' conditions on a batch."""

    def __init__(self, protocol: Protocol, props: PropertySet) -> None:
        self.protocol = protocol
        self._universes: dict[str, dict[Any, int]] = {}
        self.terms = Terms()  # the structure of every term compiled, read from Z3 once
        depth = sys.getrecursionlimit()
        sys.setrecursionlimit(max(depth, DEEP_TERMS))  # compiling walks terms recursively
        try:
            self.encoder = Encoder(protocol)
            template = self.encoder.state("cur")
            self.layout = Layout(protocol, template)
            found = self.encoder.firings(template)
            raising = template.raising or []
            conditions, self.firings = self._firings(template, found, raising)
            self._compile_guards(template, conditions)
            columns = self.layout.index_of_term
            self.invariant_names = [name for name, _ in props.invariants]
            self.goal_names = list(props.goals)
            checks = Compiler(columns)
            self.checks = checks.function([checks.term(self.encoder.holds(template, n))
                                           for n in [*self.invariant_names, *self.goal_names]])
        except (EncodingError, z3.Z3Exception) as err:
            raise EncodingError(str(err)) from None
        finally:
            sys.setrecursionlimit(depth)

    def _firings(self, template: Any, found: list[Firing], raising: list[Firing]) -> tuple[list, list]:
        protocol = self.protocol
        index = {id(a): i for i, a in enumerate(protocol.actions)}
        keyed = [(self._order(f, index), k, f) for k, f in enumerate(found + raising)]
        keyed.sort(key=lambda item: (item[0], item[1]))
        conditions, firings, outside = [], [], []
        folded = None if protocol.constraint is None else Folded(self.encoder.within(template))
        self.leaving: list[int] = []  # the firings whose ``outside`` condition follows the conditions
        self.conditions: list[z3.BoolRef] = []  # per firing: its condition
        self.update_terms: list[list[z3.ExprRef]] = []  # per firing: the new values of its writes
        for _, _, f in keyed:
            ai = index[id(f.action)]
            if f.raised is not None:
                firings.append(ArrayFiring(ai, f.params, [], None, raises=f.raised))
                conditions.append(f.condition)
                self.update_terms.append([])
                continue
            written = self.encoder.written(template, f)
            writes = [self.layout.index_of_term[k] for k in written]
            terms = list(written.values())
            condition = f.condition if folded is None else z3.And(f.condition, folded.after(written))
            update = Compiler(self.layout.index_of_term, self.terms)
            fn = update.function([update.term(t) for t in terms])
            leaves = not z3.is_false(f.outside)
            firings.append(ArrayFiring(ai, f.params, writes, fn, leaves=leaves))
            conditions.append(condition)
            self.update_terms.append(terms)
            if leaves:
                outside.append(z3.And(condition, f.outside))
                self.leaving.append(len(firings) - 1)
        self.conditions = list(conditions)
        return conditions + outside, firings

    def _compile_guards(self, template: Any, conditions: list[z3.BoolRef]) -> None:
        """The conditions as array code, grouped by the element a firing takes from a set or bag.

        A firing with a ``From`` parameter is enabled only where its element is present: a
        handler of one message among a thousand possible ones is disabled on nearly every row.
        Such firings are grouped by that element's column and evaluated on the rows that hold
        it (``sparse``); the others on every row (``dense``). A sizeable subterm that several
        groups share (a state constraint's count of messages in flight) is *hoisted*: computed
        once on every row by ``dense``, and read by the groups as if it were a column."""
        columns, terms = self.layout.index_of_term, self.terms
        groups: dict[int, list[int]] = {}
        dense: list[int] = []
        where = [self._presence(template, f) for f in self.firings]
        nf = len(self.firings)
        for j in range(len(conditions)):  # the firings, then the checks for values outside their domains
            col = where[j if j < nf else self.leaving[j - nf]]
            (dense if col is None else groups.setdefault(col, [])).append(j)
        hoisted = _shared(terms, [[conditions[j] for j in ids] for ids in groups.values()])
        given = {t.get_id(): self.layout.width + k for k, t in enumerate(hoisted)}
        self.n_conditions = len(conditions)
        self.dense_ids = dense
        fn = Compiler(columns, terms)
        self.dense = fn.function([fn.term(conditions[j]) for j in dense] + [fn.term(t) for t in hoisted])
        self.hoisted = len(hoisted)
        self.sparse: list[tuple[int, list[int], Callable]] = []
        for col, ids in groups.items():
            fn = Compiler(columns, terms, given)
            self.sparse.append((col, ids, fn.function([fn.term(conditions[j]) for j in ids])))

    def _presence(self, template: Any, f: ArrayFiring) -> int | None:
        """The column that says whether a firing's first ``From`` element is present (None: no such parameter)."""
        act = self.protocol.actions[f.action]
        for value, source in zip(f.params, act.sources, strict=True):
            if isinstance(source, From):
                held = template.values[source.var]
                term = held.counts[value] if isinstance(held, SymBag) else held.present.get(value)
                if not isinstance(term, (Sym, SymBool)):
                    return None
                return self.layout.index_of_term.get(term.term.get_id())
        return None

    def _order(self, f: Firing, index: dict[int, int]) -> tuple:
        """Where the concrete semantics tries this firing's (action, parameters) among all moves."""
        key = []
        for value, source in zip(f.params, f.action.sources, strict=True):
            if isinstance(source, From):
                universe = self._universe(source)
                key.append(universe.get(value, len(universe)))
            else:
                values = list(source)
                key.append(values.index(value) if value in values else len(values))
        return (index[id(f.action)], tuple(key))

    def _universe(self, source: From) -> dict[Any, int]:
        """Each possible element's place in the order the concrete semantics meets them (once per variable)."""
        known = self._universes.get(source.var)
        if known is None:
            try:
                domain = self.protocol.variables[source.var].domain
            except KeyError:
                raise QuorumError(f"From({source.var!r}): no such state variable") from None
            known = self._universes[source.var] = {e: i for i, e in enumerate(ValueSet(domain.universe()).ordered())}
        return known

    def unfaithful(self, j: int, what: str) -> EncodingError:
        """The error for a firing whose symbolic reading (raising, or leaving its domain) the concrete
        semantics does not repeat on the state the engine reached: the encoding's limit, not the model's."""
        f = self.firings[j]
        said = f"raised {type(f.raises).__name__}: {f.raises}" if f.raises is not None else what
        return EncodingError(
            f"{type(self.protocol).__name__}, action {self.describe(j)} {said} when run on Z3 terms, but not on "
            "the concrete state the array engine reached (the action treats a value as concrete that is "
            "symbolic here, e.g. the result of s.update(...) as a state); check it with --engine explicit"
        )

    def describe(self, j: int) -> str:
        f = self.firings[j]
        return self.protocol.actions[f.action].label(f.params)


def _shared(terms: Terms, groups: list[list[z3.ExprRef]], weight: int = 8) -> list[z3.ExprRef]:
    """The largest subterms of at least ``weight`` nodes that occur in more than one group."""
    node: dict[int, z3.ExprRef] = {}

    known: dict[int, list[int]] = {}

    def expand(key: int) -> list[int]:
        kids = known.get(key)
        if kids is None:
            _, children = terms.info(node[key], key)
            kids = known[key] = terms.ids[key]
            for c, k in zip(children, kids, strict=True):
                node.setdefault(k, c)
        return kids

    size: dict[int, int] = {}

    def nodes(key: int) -> int:  # the tree size, capped: a measure of the work, not exact
        order, stack = [], [key]
        while stack:
            k = stack.pop()
            if k in size:
                continue
            order.append(k)
            stack.extend(c for c in expand(k) if c not in size)
        for k in reversed(order):
            size[k] = min(1 + sum(size.get(c, 1) for c in expand(k)), 1 << 20)
        return size[key]

    roots = []
    for group in groups:
        keys = []
        for t in group:
            k = t.get_id()
            node.setdefault(k, t)
            keys.append(k)
        roots.append(keys)
    uses: dict[int, int] = {}
    for keys in roots:
        seen: set[int] = set()
        stack = list(keys)
        while stack:
            k = stack.pop()
            if k not in seen:
                seen.add(k)
                uses[k] = uses.get(k, 0) + 1
                stack.extend(expand(k))
    chosen: dict[int, z3.ExprRef] = {}
    for keys in roots:
        seen = set()
        stack = list(keys)
        while stack:
            k = stack.pop()
            if k in seen:
                continue
            seen.add(k)
            kids = expand(k)
            if uses[k] > 1 and kids and nodes(k) >= weight:
                chosen[k] = node[k]  # the largest shared subterm is enough: its parts are computed with it
            else:
                stack.extend(kids)
    return list(chosen.values())
