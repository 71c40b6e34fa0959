"""A propositional encoding of formulas over integers of small finite domains, for Z3's SAT solver.

Every integer a state holds ranges over a small declared domain (a term, a ballot, a node or None
by its code), and so does BMC's step selector. Left as integers, they reach Z3's arithmetic solver,
whose work on Raft grew about 2.2× per depth (depth 8: 111 s). Here each integer variable becomes
Booleans — the bits of its index among the values it may take, or for a variable chosen ``one_hot``
one Boolean per value — and each integer term a map from every value it may have to the condition
that it has it: ``If``, ``+`` and ``*`` are case splits over values, a comparison the disjunction of
the value pairs it accepts. The formula is then propositional, and Z3 solves it with its CDCL SAT
solver (``z3.SolverFor("QF_FD")``). A term with too many values, or an operation outside these,
raises ``Unsupported``: the caller keeps the integer encoding.

The encoding is exact for the values a variable's Booleans can represent; a variable cannot take
a value outside them, so the caller gives each variable every value it may need.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import z3

#: The most values one integer term may take (a comparison of two terms: this many value pairs).
MAX_VALUES = 256
MAX_PAIRS = 4096

COMPARISONS = (z3.Z3_OP_LE, z3.Z3_OP_LT, z3.Z3_OP_GE, z3.Z3_OP_GT, z3.Z3_OP_EQ, z3.Z3_OP_DISTINCT)

Cond = Any  # a z3.BoolRef, or True / False when the condition is decided
Values = dict[int, Cond]  # value -> the condition under which a term has it (disjoint cases)


class Unsupported(Exception):  # noqa: N818 - a signal to keep the integer encoding, not an error
    """The formula has a term this encoding does not cover."""


def _connective(conds: Iterable[Cond], unit: bool) -> Cond:
    """And (``unit`` True) or Or (False) of conditions, Python constants folded: the unit drops out,
    its opposite decides."""
    terms = []
    for c in conds:
        if c is (not unit):
            return not unit
        if c is not unit:
            terms.append(c)
    if not terms:
        return unit
    if len(terms) == 1:
        return terms[0]
    return z3.And(*terms) if unit else z3.Or(*terms)


def _and(*conds: Cond) -> Cond:
    return _connective(conds, True)


def _or(conds: Iterable[Cond]) -> Cond:
    return _connective(conds, False)


def _not(c: Cond) -> Cond:
    return (not c) if isinstance(c, bool) else z3.Not(c)


def _bool(c: Cond) -> z3.BoolRef:
    return z3.BoolVal(c) if isinstance(c, bool) else c


def _iff(a: Cond, b: Cond) -> Cond:
    if isinstance(a, bool):
        return b if a else _not(b)
    if isinstance(b, bool):
        return a if b else _not(a)
    return a == b


def _index_below(bits: list[z3.BoolRef], bound: int) -> Cond:
    """The binary number ``bits`` (lowest first) is below ``bound``, compared from the lowest bit up."""
    if bound >= 1 << len(bits):
        return True
    below: Cond = False
    for i, b in enumerate(bits):
        below = _or([z3.Not(b), below]) if bound >> i & 1 else _and(z3.Not(b), below)
    return below


def _operands(e: z3.ExprRef, kind: int) -> tuple[list[z3.ExprRef], tuple[z3.ArithRef, int] | None]:
    """The terms ``Finite`` encodes before ``e`` — its children, or where ``e`` compares a sum with
    a number, the sum's own terms — and that (sum, number)."""
    children = e.children()
    if kind in COMPARISONS and len(children) == 2 and z3.is_int(children[0]):
        a, b = children
        if z3.is_add(b) and z3.is_int_value(a):
            a, b = b, a
        if z3.is_add(a) and z3.is_int_value(b):
            return a.children(), (a, b.as_long())
    return children, None


class Finite:
    """Encodes formulas whose integer variables have known finite domains (``domains``, by name).

    A variable's Booleans are the binary index of its value in its sorted domain, or for one named
    in ``one_hot`` one per value; ``well_formed`` says they name one value. One-hot suits BMC's
    selector: each firing is then one literal, which the frames and conditions of its step hang on
    (on Raft, 14× faster than its binary index). Encoded terms are memoized, so formulas sharing
    terms share work."""

    def __init__(self, domains: dict[str, Iterable[int]], one_hot: Iterable[str] = ()) -> None:
        self.domains = {name: sorted(set(values)) for name, values in domains.items()}
        self.one_hot = frozenset(one_hot)
        self.bits = {name: self.copy_bits(name, name) for name in self.domains}
        self._memo: dict[int, tuple[z3.ExprRef, Any]] = {}  # ast id -> (the term, kept alive; its encoding)

    def copy_bits(self, name: str, copy: str) -> list[z3.BoolRef]:
        """The Booleans of ``copy``, a variable encoded as ``name`` is (a state at one depth is a
        copy of the template state)."""
        size = len(self.domains[name])
        count = size if name in self.one_hot else (size - 1).bit_length()
        return [z3.Bool(f"{copy}#{i}") for i in range(count if size > 1 else 0)]

    def is_value(self, name: str, index: int) -> Cond:
        """The condition that variable ``name`` holds its ``index``-th value."""
        bits = self.bits[name]
        if not bits:
            return True
        if name in self.one_hot:
            return bits[index]
        return _and(*(b if index >> i & 1 else z3.Not(b) for i, b in enumerate(bits)))

    def well_formed(self, name: str) -> z3.BoolRef:
        """The variable's Booleans name exactly one of its values."""
        bits = self.bits[name]
        if name in self.one_hot and bits:
            return z3.And(z3.Or(*bits), z3.AtMost(*bits, 1))
        return _bool(_index_below(bits, len(self.domains[name])))

    def decode(self, model: z3.ModelRef, name: str, copy: str) -> int:
        """The value the model's Booleans for ``copy`` (see ``copy_bits``) give it."""
        values, bits = self.domains[name], self.copy_bits(name, copy)
        true = [i for i, b in enumerate(bits) if z3.is_true(model.eval(b, model_completion=True))]
        if name in self.one_hot:
            return values[true[0] if true else 0]
        return values[sum(1 << i for i in true)]

    def encode(self, formula: z3.BoolRef) -> z3.BoolRef:
        """The formula with every integer term replaced by case splits over its values."""
        return _bool(self._visit(formula))

    def values(self, term: z3.ArithRef) -> Values:
        """The values an integer term may take, each with its condition."""
        return self._visit(term)

    # -- the traversal ------------------------------------------------------------------------

    def _visit(self, root: z3.ExprRef) -> Any:
        """Post-order over the DAG without recursion (transition relations nest ``If``s hundreds
        deep); each term's kind and operands are read from Z3 once."""
        memo = self._memo
        stack: list[tuple[z3.ExprRef, Any]] = [(root, None)]
        while stack:
            e, seen = stack.pop()
            key = e.get_id()
            if key in memo:
                continue
            if seen is None:
                kind = e.decl().kind()
                operands, bounded = _operands(e, kind)
                stack.append((e, (kind, operands, bounded)))
                stack.extend((c, None) for c in operands if c.get_id() not in memo)
                continue
            kind, operands, bounded = seen
            args = [memo[c.get_id()][1] for c in operands]
            memo[key] = (e, self._compare_sum(e, kind, args, *bounded) if bounded else self._node(e, kind, args))
        return memo[root.get_id()][1]

    def _node(self, e: z3.ExprRef, kind: int, args: list[Any]) -> Any:
        n = len(args)
        if z3.is_bool(e):
            return self._boolean(e, kind, args)
        if not z3.is_int(e):
            raise Unsupported(f"a term of sort {e.sort()}")
        if kind == z3.Z3_OP_ANUM:
            return {e.as_long(): True}
        if kind == z3.Z3_OP_UNINTERPRETED and n == 0:
            name = e.decl().name()
            if name not in self.domains:
                raise Unsupported(f"an integer {name} of unknown domain")
            return {v: self.is_value(name, i) for i, v in enumerate(self.domains[name])}
        if kind == z3.Z3_OP_ITE:
            c, a, b = args
            out: Values = {}
            for v in a.keys() | b.keys():
                out[v] = _or([_and(c, a.get(v, False)), _and(_not(c), b.get(v, False))])
            return self._small(out)
        if kind in (z3.Z3_OP_ADD, z3.Z3_OP_MUL):
            op = (lambda x, y: x + y) if kind == z3.Z3_OP_ADD else (lambda x, y: x * y)
            acc = args[0]
            for other in args[1:]:
                acc = self._combine(acc, other, op)
            return acc
        if kind == z3.Z3_OP_SUB:
            acc = args[0]
            for other in args[1:]:
                acc = self._combine(acc, other, lambda x, y: x - y)
            return acc
        if kind == z3.Z3_OP_UMINUS:
            return {-v: c for v, c in args[0].items()}
        raise Unsupported(f"the integer operation {e.decl()}")

    def _compare_sum(self, e: z3.BoolRef, kind: int, terms: list[Values], total: z3.ArithRef, number: int) -> Cond:
        """A sum compared with a number, where the sum's terms are never negative: partial sums
        past the number count as one past it, which decides the comparison alike — so a count
        over hundreds of messages, ``Count(msgs) <= 3``, has five values, not hundreds."""
        cap = number + 1 if all(min(t, default=0) >= 0 for t in terms) else None
        acc = terms[0] if cap is None else {min(v, cap): c for v, c in terms[0].items()}
        for other in terms[1:]:
            acc = self._combine(acc, other, lambda x, y: x + y, cap)
        args = [acc, {number: True}] if z3.eq(e.arg(0), total) else [{number: True}, acc]
        return self._boolean(e, kind, args)

    def _combine(self, a: Values, b: Values, op: Any, cap: int | None = None) -> Values:
        if len(a) * len(b) > MAX_PAIRS:
            raise Unsupported("an arithmetic term with too many values")
        cases: dict[int, list[Cond]] = {}
        for va, ca in a.items():
            for vb, cb in b.items():
                v = op(va, vb)
                cases.setdefault(v if cap is None else min(v, cap), []).append(_and(ca, cb))
        return self._small({v: _or(cs) for v, cs in cases.items()})

    @staticmethod
    def _small(values: Values) -> Values:
        values = {v: c for v, c in values.items() if c is not False}
        if len(values) > MAX_VALUES:
            raise Unsupported("an integer term with too many values")
        return values

    def _boolean(self, e: z3.BoolRef, kind: int, args: list[Any]) -> Cond:
        if kind == z3.Z3_OP_TRUE:
            return True
        if kind == z3.Z3_OP_FALSE:
            return False
        if kind == z3.Z3_OP_UNINTERPRETED and not args:
            return e
        if kind == z3.Z3_OP_AND:
            return _and(*args)
        if kind == z3.Z3_OP_OR:
            return _or(args)
        if kind == z3.Z3_OP_NOT:
            return _not(args[0])
        if kind == z3.Z3_OP_IMPLIES:
            return _or([_not(args[0]), args[1]])
        if kind == z3.Z3_OP_ITE:
            c, a, b = args
            if isinstance(c, bool):
                return a if c else b
            if a is b or (not isinstance(a, bool) and not isinstance(b, bool) and z3.eq(a, b)):
                return a
            return z3.If(c, _bool(a), _bool(b))
        if kind in (z3.Z3_OP_EQ, z3.Z3_OP_DISTINCT, z3.Z3_OP_XOR, z3.Z3_OP_IFF):
            if z3.is_bool(e.arg(0)):
                return self._boolean_eq(kind, args)
            same = [self._compare(args[i], args[j], lambda x, y: x == y)
                    for i in range(len(args)) for j in range(i + 1, len(args))]
            return _and(*same) if kind == z3.Z3_OP_EQ else _and(*(_not(s) for s in same))
        if kind not in (z3.Z3_OP_LE, z3.Z3_OP_LT, z3.Z3_OP_GE, z3.Z3_OP_GT) or len(args) != 2:
            raise Unsupported(f"the operation {e.decl()}")
        if kind in (z3.Z3_OP_GT, z3.Z3_OP_GE):  # y < x, y <= x
            args = args[::-1]
        strict = kind in (z3.Z3_OP_LT, z3.Z3_OP_GT)
        return self._compare(args[0], args[1], (lambda a, b: a < b) if strict else (lambda a, b: a <= b))

    @staticmethod
    def _boolean_eq(kind: int, args: list[Cond]) -> Cond:
        if kind == z3.Z3_OP_DISTINCT and len(args) > 2:  # three pairwise distinct Booleans cannot exist
            return False
        if kind in (z3.Z3_OP_XOR, z3.Z3_OP_DISTINCT):
            return _not(_iff(*args))
        return _and(*(_iff(args[0], a) for a in args[1:]))

    @staticmethod
    def _compare(a: Values, b: Values, accepts: Any) -> Cond:
        if len(b) == 1:
            (vb, cb), = b.items()
            return _and(cb, _or(ca for va, ca in a.items() if accepts(va, vb)))
        if len(a) == 1:
            (va, ca), = a.items()
            return _and(ca, _or(cb for vb, cb in b.items() if accepts(va, vb)))
        if len(a) * len(b) > MAX_PAIRS:
            raise Unsupported("a comparison with too many value pairs")
        return _or(_and(ca, cb) for va, ca in a.items() for vb, cb in b.items() if accepts(va, vb))
