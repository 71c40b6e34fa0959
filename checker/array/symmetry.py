"""Symmetry reduction: one state per orbit of the permutations of interchangeable sets.

A check names sets of the protocol (``symmetry = ["Acceptor", "Value"]``, the attributes its
``setup`` defines); the group is every permutation of each set, combined (TLC's ``SYMMETRY``
closes the given permutations under composition; here the group is generated whole). A
permutation σ moves a row's columns (``maxBal[a1]`` to ``maxBal[σ(a1)]``, the element
``2b(a1, 0, v1)`` to ``2b(σ(a1), 0, σ(v1))``) and maps the values in them; its Zobrist keys are
laid out so that ``fingerprint_σ(row) = fingerprint(σ(row))``, which the search keeps up to date
incrementally for every σ. The minimum over the group is the same for every state of an orbit.

Declaring a set symmetric is a claim about the protocol, and a wrong claim gives wrong answers
(TLC checks nothing here). This module proves the claim before it is used, with Z3 on the very
formulas the engine runs: for every generator σ, the initial states, every property, and every
firing — ``cond_f(x) ⇒ ∨_g cond_g(σx) ∧ σ(update_f(x)) = update_g(σx)`` over the firings ``g`` of
the same action at the permuted parameters — are preserved. A protocol that compares the elements
by order (bully's ids) or names one of them fails that proof, and symmetry is refused with the
action that breaks it. Integers are never symmetric: they are compared by order.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import z3

from checker.array.program import Program
from checker.dsl.domains import Domain, ValueSet
from checker.dsl.sequences import BagValue, SeqValue
from checker.errors import QuorumError, suggest
from checker.smt.symbolic import code

SEED = 0x5155_0A11
PROOF_TIMEOUT_MS = 20_000


def permute(value: Any, sigma: dict) -> Any:
    """``value`` with every element of the symmetric sets replaced by its image under ``sigma``."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, str):
        return sigma.get(value, value)
    if isinstance(value, frozenset):
        return ValueSet(permute(v, sigma) for v in value)
    if isinstance(value, BagValue):
        return type(value)({permute(v, sigma): c for v, c in value.items()})
    if isinstance(value, SeqValue):
        return tuple.__new__(type(value), (permute(v, sigma) for v in tuple.__iter__(value)))
    if isinstance(value, tuple) and hasattr(value, "_fields") and hasattr(value, "kind"):  # a record
        return type(value)(*(permute(v, sigma) for v in value[1:]))
    if isinstance(value, tuple):
        return tuple(permute(v, sigma) for v in value)
    return value


class Symmetry:
    """The permutation group over the named sets (none: the identity alone) and its Zobrist keys."""

    def __init__(self, program: Program, names: list[str], prove: bool = True) -> None:
        self.program = program
        self.names = list(dict.fromkeys(names))
        protocol = program.protocol
        self.sets: list[list] = []
        for name in self.names:
            domain = getattr(protocol, name, None)
            if not isinstance(domain, Domain):
                known = [k for k, v in vars(protocol).items() if isinstance(v, Domain)]
                raise QuorumError(f"symmetry: {type(protocol).__name__} has no set {name!r}." + suggest(name, known)
                                  + (f" Its sets: {', '.join(known)}" if known else ""))
            elems = list(domain.values())
            if not all(isinstance(e, str) for e in elems):
                raise QuorumError(f"symmetry over {name}: its elements are not names (integers and other values are "
                                  "compared by order, so permuting them changes what the protocol does)")
            self.sets.append(elems)
        self.group = [self._compose(choice) for choice in itertools.product(
            *(list(itertools.permutations(elems)) for elems in self.sets))]
        self.maps = [self._columns(sigma) for sigma in self.group]
        if self.names and prove:
            self._prove()

    def _compose(self, choice: tuple) -> dict:
        sigma = {}
        for elems, image in zip(self.sets, choice, strict=True):
            sigma.update(zip(elems, image, strict=True))
        return sigma

    def _columns(self, sigma: dict) -> tuple[np.ndarray, list[np.ndarray]]:
        """Where σ moves each column, and how it maps each column's value indices."""
        layout = self.program.layout
        where = {(c.var, c.path): i for i, c in enumerate(layout.columns)}
        target = np.zeros(layout.width, dtype=np.int64)
        values: list[np.ndarray] = []
        for i, col in enumerate(layout.columns):
            path = tuple(("∋", permute(p[1], sigma)) if isinstance(p, tuple) and p and p[0] == "∋"
                         else permute(p, sigma) for p in col.path)
            j = where.get((col.var, path))
            if j is None:
                raise QuorumError(f"symmetry over {', '.join(self.names)}: {col.label} has no image under "
                                  f"{self._show(sigma)} (the sets do not permute this variable's keys or elements)")
            target[i] = j
            index = {v: k for k, v in enumerate(layout.columns[j].values)}
            try:
                values.append(np.array([index[permute(v, sigma)] for v in col.values], dtype=np.int64))
            except KeyError as err:
                raise QuorumError(f"symmetry over {', '.join(self.names)}: a value of {col.label} maps to "
                                  f"{err.args[0]!r}, outside its domain") from None
        return target, values

    @staticmethod
    def _show(sigma: dict) -> str:
        moved = [f"{a}→{b}" for a, b in sigma.items() if a != b]
        return "(" + ", ".join(moved) + ")" if moved else "the identity"

    def zobrist(self) -> np.ndarray:
        """(group size, total values) keys: row g gives the fingerprints of rows permuted by g."""
        layout = self.program.layout
        sizes = [len(c.values) for c in layout.columns]
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        total = int(sum(sizes))
        rng = np.random.default_rng(SEED)
        base = rng.integers(0, np.iinfo(np.uint64).max, size=total, dtype=np.uint64, endpoint=True)
        if not self.names:
            return base[None, :]
        keys = np.zeros((len(self.group), total), dtype=np.uint64)
        for g, (target, values) in enumerate(self.maps):
            for c in range(layout.width):
                keys[g, offsets[c]:offsets[c] + sizes[c]] = base[offsets[target[c]] + values[c]]
        return keys

    # -- the proof that the sets are interchangeable -----------------------------------------

    def _generators(self) -> list[dict]:
        """A transposition and a full cycle of each set: together they generate its permutations."""
        gens = []
        for elems in self.sets:
            if len(elems) >= 2:
                gens.append({elems[0]: elems[1], elems[1]: elems[0]})
            if len(elems) >= 3:
                gens.append(dict(zip(elems, elems[1:] + elems[:1], strict=True)))
        return gens

    def _prove(self) -> None:
        program, layout = self.program, self.program.layout
        encoder = program.encoder
        template = encoder.state("cur")
        consts = [c.term for c in layout.columns]
        for sigma in self._generators():
            target, values = self._columns(sigma)
            rows = [layout.encode(s) for s in program.protocol.initial_states()]
            inits = {r.tobytes() for r in rows}
            for s, row in zip(program.protocol.initial_states(), rows, strict=True):
                image = np.zeros_like(row)
                for c in range(layout.width):
                    image[target[c]] = values[c][row[c]]
                if image.tobytes() not in inits:
                    self._refuse(sigma, f"the initial state {s} is not mapped to an initial state")
            moved = [None] * layout.width  # the term of σx in each column
            for c in range(layout.width):
                moved[target[c]] = self._image(c, consts[c], values[c])
            subst = Substitution([(a, b) for a, b in zip(consts, moved, strict=True) if not z3.eq(a, b)])
            solver = z3.Solver()
            solver.set("timeout", PROOF_TIMEOUT_MS)
            solver.add(*template.domain)
            for name in [*program.invariant_names, *program.goal_names]:
                p = encoder.holds(template, name)
                self._valid(solver, p == subst(p), sigma, f"property {name}")
            self._firings(solver, sigma, subst, target, values, consts)

    def _image(self, c: int, term: z3.ExprRef, values: np.ndarray) -> z3.ExprRef:
        """σ applied to column c's value (a term over x_c), as a term."""
        col = self.program.layout.columns[c]
        if col.boolean or all(values[k] == k for k in range(len(values))):
            return term
        out = term
        codes = [code(v) for v in col.values]
        for k in range(len(values)):
            if values[k] != k:
                out = z3.If(term == codes[k], z3.IntVal(codes[values[k]]), out)
        return out

    def _firings(self, solver: z3.Solver, sigma: dict, subst: Substitution, target: np.ndarray, values: list,
                 consts: list) -> None:
        program = self.program
        groups: dict[tuple, list[int]] = {}
        for j, f in enumerate(program.firings):
            groups.setdefault((f.action, f.raises is not None, f.params), []).append(j)
        conditions = program.conditions
        for j, f in enumerate(program.firings):
            image = (f.action, f.raises is not None, permute(f.params, sigma))
            label = program.describe(j)
            if image not in groups:
                self._refuse(sigma, f"action {label} has no counterpart at the permuted parameters")
            options = []
            for g in groups[image]:
                here = [subst(conditions[g])]
                if f.raises is None:
                    here += self._same_update(j, g, subst, target, values, consts)
                options.append(z3.And(*here))
            solver.push()
            solver.add(conditions[j], z3.Not(z3.Or(*options)))
            verdict = solver.check()
            solver.pop()
            if verdict != z3.unsat:
                why = "" if verdict == z3.sat else " (the proof timed out)"
                self._refuse(sigma, f"action {label} is not mirrored by {program.describe(groups[image][0])}{why}")

    def _same_update(self, j: int, g: int, subst: Substitution, target: np.ndarray, values: list,
                     consts: list) -> list[z3.BoolRef]:
        """σ(update_j(x)) = update_g(σx) on every column either firing writes."""
        program = self.program
        new_j = dict(zip(program.firings[j].writes, program.update_terms[j], strict=True))
        new_g = dict(zip(program.firings[g].writes, program.update_terms[g], strict=True))
        cols = {int(target[c]) for c in new_j} | set(new_g)
        inverse = {int(t): c for c, t in enumerate(target)}
        out = []
        for t in cols:
            c = inverse[t]
            lhs = self._image(c, new_j.get(c, consts[c]), values[c])
            rhs = subst(new_g[t] if t in new_g else consts[t])
            out.append(lhs == rhs)
        return out

    def _valid(self, solver: z3.Solver, claim: z3.BoolRef, sigma: dict, what: str) -> None:
        solver.push()
        solver.add(z3.Not(claim))
        verdict = solver.check()
        solver.pop()
        if verdict != z3.unsat:
            self._refuse(sigma, f"{what} is not preserved")

    def _refuse(self, sigma: dict, why: str) -> None:
        raise QuorumError(
            f"symmetry over {', '.join(self.names)} refused for {type(self.program.protocol).__name__}: under "
            f"{self._show(sigma)}, {why}. The protocol treats these elements differently (it compares them by "
            "order, or names one of them), so one state per orbit would give wrong answers; check without "
            "symmetry, or name only sets whose elements are interchangeable"
        )



class Substitution:
    """``z3.substitute`` with fixed pairs, through Z3's C API: the Python wrapper re-checks every
    pair's sorts on every call, which cost minutes over Raft's firings."""

    def __init__(self, pairs: list[tuple[z3.ExprRef, z3.ExprRef]]) -> None:
        self.n = len(pairs)
        self.keep = pairs
        self.src = (z3.Ast * max(self.n, 1))()
        self.dst = (z3.Ast * max(self.n, 1))()
        for i, (a, b) in enumerate(pairs):
            self.src[i], self.dst[i] = a.as_ast(), b.as_ast()

    def __call__(self, term: z3.ExprRef) -> z3.ExprRef:
        if not self.n:
            return term
        ctx = term.ctx
        return z3.z3._to_expr_ref(z3.Z3_substitute(ctx.ref(), term.as_ast(), self.n, self.src, self.dst), ctx)
