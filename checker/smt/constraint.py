"""The protocol's state constraint (TLC's CONSTRAINT) folded into each firing's condition.

A successor outside the constraint is discarded, so a firing is enabled only where its
successor meets it: ``condition ∧ C(successor)`` — the array engine's guards, and what BMC's
deadlock check asks of "some action is enabled". Evaluating C on every firing's
successor anew would rebuild the whole constraint once per firing (a bag of a thousand possible
messages, thousands of firings); instead C is built once on the state before, as a Z3 term, and
each firing's C(successor) is derived from it:

- every expanded state meets C (the initial states are checked, every successor is admitted
  only through it), so of C's top-level conjuncts only those that read a component the firing
  writes can fail afterwards; the rest are dropped;
- in those, the written components are substituted by their new values, and a sum (``Count``
  of a bag's distinct elements) becomes the old sum plus the change of the summands that moved,
  so the compiled code adds a few terms per firing instead of a thousand.
"""

from __future__ import annotations

from typing import Any

import z3


def conjuncts(term: z3.BoolRef) -> list[z3.BoolRef]:
    """The top-level conjuncts of ``term``, nested conjunctions flattened."""
    if z3.is_and(term):
        return [c for child in term.children() for c in conjuncts(child)]
    if z3.is_true(term):
        return []
    return [term]


class Folded:
    """C(successor) per firing, from C on the state before (``within``)."""

    def __init__(self, within: z3.BoolRef) -> None:
        self.parts = conjuncts(within)
        self._reads: dict[int, frozenset[int]] = {}
        self._children: dict[int, list[z3.ExprRef]] = {}
        self._summands: dict[int, dict[int, list[z3.ExprRef]]] = {}
        self._alive: list[z3.ExprRef] = []  # Z3 reuses the id of a freed term: keep every term read
        self.reads = [self.constants(p) for p in self.parts]

    def constants(self, term: z3.ExprRef) -> frozenset[int]:
        """The ids of the state components (uninterpreted constants) ``term`` reads."""
        key = term.get_id()
        found = self._reads.get(key)
        if found is None:
            if z3.is_const(term) and term.decl().kind() == z3.Z3_OP_UNINTERPRETED:
                found = frozenset([key])
            else:
                found = frozenset().union(*(self.constants(c) for c in self.children(term)))
            self._reads[key] = found
            self._alive.append(term)
        return found

    def children(self, term: z3.ExprRef) -> list[z3.ExprRef]:
        """``term.children()``, once per term (z3's Python API builds them anew on every call)."""
        key = term.get_id()
        kids = self._children.get(key)
        if kids is None:
            kids = self._children[key] = term.children()
        return kids

    def summands(self, term: z3.ExprRef) -> dict[int, list[z3.ExprRef]]:
        """Per component a sum reads: the summands that read it."""
        key = term.get_id()
        index = self._summands.get(key)
        if index is None:
            index = {}
            for child in self.children(term):
                for c in self.constants(child):
                    index.setdefault(c, []).append(child)
            self._summands[key] = index
        return index

    def after(self, writes: dict[int, z3.ExprRef]) -> z3.BoolRef:
        """C of the successor of a firing that gives component ``id -> new value`` (others unchanged)."""
        kept = []
        memo: dict[int, z3.ExprRef] = {}
        for part, reads in zip(self.parts, self.reads, strict=True):
            if reads.isdisjoint(writes):
                continue  # true before, untouched by the firing: true after
            kept.append(self._substitute(part, writes, memo))
        return z3.And(*kept) if kept else z3.BoolVal(True)

    def _substitute(self, term: z3.ExprRef, writes: dict[int, z3.ExprRef], memo: dict[int, Any]) -> z3.ExprRef:
        """``term`` with the written components replaced; a sum is its old value plus what changed."""
        key = term.get_id()
        if key in memo:
            return memo[key]
        reads = self.constants(term)
        if key in writes:
            out = writes[key]
        elif reads.isdisjoint(writes):
            out = term
        elif z3.is_add(term):
            index = self.summands(term)
            moved = {c.get_id(): c for w in writes if w in reads for c in index[w]}
            out = term
            for child in moved.values():
                out = out + (self._substitute(child, writes, memo) - child)
        else:
            out = term.decl()(*(self._substitute(c, writes, memo) for c in self.children(term)))
        memo[key] = out
        return out
