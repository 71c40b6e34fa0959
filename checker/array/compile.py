"""Z3 terms compiled into array code: one Python function evaluates many terms on a whole batch.

The terms are the ones ``checker.smt.transition`` builds by running the protocol's own actions and
properties on symbolic states (firing conditions, new component values, invariants), so the array
engine has no encoding of its own to get wrong: it reads the same formulas BMC hands to Z3. A
function is generated as source, one line per distinct subterm (shared subterms are computed once
per batch, across every term compiled together), and run with ``exec``; a column is read the first
time a line needs it, as the values Z3 computes with (``Layout.codes``).

Only the operators the encoding produces are compiled (Boolean connectives, comparisons, integer
arithmetic, if-then-else); any other is an ``EncodingError`` naming it, and ``--engine auto`` then
falls back to the object engine with that reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import z3

from checker.errors import EncodingError

_BINARY = {
    z3.Z3_OP_LE: "<=", z3.Z3_OP_LT: "<", z3.Z3_OP_GE: ">=", z3.Z3_OP_GT: ">",
    z3.Z3_OP_SUB: "-", z3.Z3_OP_MUL: "*", z3.Z3_OP_XOR: "^",
}
_FOLD = {
    "<=": lambda a, b: a <= b, "<": lambda a, b: a < b, ">=": lambda a, b: a >= b, ">": lambda a, b: a > b,
    "-": lambda a, b: a - b, "*": lambda a, b: a * b, "^": lambda a, b: a != b, "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


class Compiler:
    """Source for a function ``f(col, xp) -> list`` that evaluates the given Z3 terms on a batch.

    ``col(i)`` returns column ``i`` of the batch as values; a result is an array, or a Python
    constant where the term does not depend on the state (the caller broadcasts it)."""

    def __init__(self, columns: dict[int, int], terms: Terms | None = None,
                 given: dict[int, int] | None = None) -> None:
        self.columns = columns  # Z3 constant id -> column index
        self.terms = terms or Terms()  # the terms' structure, shared by the compilers of one program
        self.given = given or {}  # term id -> the column that holds its value, computed elsewhere
        self.lines: list[str] = []
        self.names: dict[int, Any] = {}  # term id -> a local name (str) or a Python constant
        self.used: dict[int, str] = {}  # column -> its local name
        self.alive: list[z3.ExprRef] = []  # Z3 reuses the id of a freed term: keep every term named

    def term(self, t: z3.ExprRef) -> Any:
        """A local name (or constant) holding ``t``'s value; lines are added as needed."""
        key = t.get_id()
        if key in self.names:
            return self.names[key]
        out = self._name(f"col({self.given[key]})") if key in self.given else self._emit(t)
        self.names[key] = out
        self.alive.append(t)
        return out

    def _name(self, expr: str) -> str:
        name = f"t{len(self.lines)}"
        self.lines.append(f"{name} = {expr}")
        return name

    def _emit(self, t: z3.ExprRef) -> Any:
        kind, children = self.terms.info(t)
        if kind == z3.Z3_OP_TRUE:
            return True
        if kind == z3.Z3_OP_FALSE:
            return False
        if kind == z3.Z3_OP_ANUM:
            return t.as_long()
        if kind == z3.Z3_OP_UNINTERPRETED and t.num_args() == 0:
            col = self.columns.get(t.get_id())
            if col is None:
                raise EncodingError(f"the term {t} is not a state component")
            if col not in self.used:
                self.used[col] = self._name(f"col({col})")
            return self.used[col]
        args = [self.term(c) for c in children]
        if kind == z3.Z3_OP_NOT:
            (a,) = args
            return (not a) if isinstance(a, bool) else self._name(f"~{a}")
        if kind in (z3.Z3_OP_AND, z3.Z3_OP_OR):
            return self._connective(kind == z3.Z3_OP_AND, args)
        if kind == z3.Z3_OP_IMPLIES:
            a, b = args
            return self._connective(False, [self._not(a), b])
        if kind in (z3.Z3_OP_EQ, z3.Z3_OP_IFF):
            return self._binary("==", *args)
        if kind == z3.Z3_OP_DISTINCT:
            if len(args) != 2:
                pairs = [self._binary("!=", a, b) for i, a in enumerate(args) for b in args[i + 1:]]
                return self._connective(True, pairs)
            return self._binary("!=", *args)
        if kind == z3.Z3_OP_ITE:
            c, a, b = args
            if isinstance(c, bool):
                return a if c else b
            return self._name(f"xp.where({c}, {a}, {b})")
        if kind == z3.Z3_OP_ADD:
            if all(isinstance(a, int) for a in args):
                return sum(args)
            return self._name(" + ".join(f"({a})" for a in args))
        if kind == z3.Z3_OP_UMINUS:
            (a,) = args
            return -a if isinstance(a, int) else self._name(f"-{a}")
        if kind in _BINARY:
            return self._binary(_BINARY[kind], *args)
        raise EncodingError(f"the operator {t.decl().name()!r} (in {t}) has no array form")

    def _not(self, a: Any) -> Any:
        return (not a) if isinstance(a, bool) else self._name(f"~{a}")

    def _connective(self, conj: bool, args: list) -> Any:
        terms = []
        for a in args:
            if isinstance(a, bool):
                if a is not conj:  # False in a conjunction, True in a disjunction decides it
                    return a
                continue
            terms.append(a)
        if not terms:
            return conj
        if len(terms) == 1:
            return terms[0]
        return self._name((" & " if conj else " | ").join(terms))

    def _binary(self, op: str, a: Any, b: Any) -> Any:
        if not isinstance(a, str) and not isinstance(b, str):
            return _FOLD[op](a, b)
        if op == "^":
            op = "!="
        return self._name(f"({a} {op} {b})")

    def function(self, results: list[Any]) -> Callable[[Callable[[int], Any], Any], list]:
        """The compiled function returning ``results`` (names or constants) as a list."""
        body = "\n".join(f"    {line}" for line in self.lines) or "    pass"
        source = f"def compiled(col, xp):\n{body}\n    return [{', '.join(map(repr_result, results))}]\n"
        namespace: dict[str, Any] = {}
        exec(compile(source, "<quorum array code>", "exec"), namespace)  # noqa: S102 - our own generated source
        fn = namespace["compiled"]
        fn.source = source
        return fn


class Terms:
    """Each term's operator and children, read from Z3 once: z3's Python API builds them anew on
    every call, and a program's conditions share most of their subterms."""

    def __init__(self) -> None:
        self._info: dict[int, tuple[int, list[z3.ExprRef]]] = {}
        self.ids: dict[int, list[int]] = {}  # term id -> its children's ids
        self._alive: list[z3.ExprRef] = []  # Z3 reuses the id of a freed term

    def info(self, t: z3.ExprRef, key: int | None = None) -> tuple[int, list[z3.ExprRef]]:
        """The operator and children of ``t`` (``key``: its id, where the caller has it)."""
        if key is None:
            key = t.get_id()
        found = self._info.get(key)
        if found is None:
            kind = t.decl().kind()
            children = t.children() if t.num_args() else []
            found = self._info[key] = (kind, children)
            self.ids[key] = [c.get_id() for c in children]
            self._alive.append(t)
        return found


def repr_result(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


def compile_terms(terms: list[z3.ExprRef], columns: dict[int, int]) -> Callable:
    """One function evaluating every term of ``terms`` on a batch (shared subterms once)."""
    c = Compiler(columns)
    return c.function([c.term(t) for t in terms])
