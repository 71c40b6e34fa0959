"""Mutation analysis: how strong a set of invariants is, as a number.

Each *mutant* changes one thing in one action method's code (its source, parsed with ``ast``):
drop or negate one conjunct of an ``s.guard(...)`` (negate the whole guard when it is not an
``And``), swap ``<``/``<=`` or ``>``/``>=``, shift an integer constant by one, skip one keyword of
an ``s.update(...)``, or swap two parameters of the same domain. The mutated method is compiled in
the module's globals and put on a subclass of the protocol without its decorator, so it keeps the
action's declaration (as a ``@variant`` version does).

Every mutant is checked with the chosen properties (by default the protocol's invariants and its
goals: a mutant that stops the protocol deciding makes invariants vacuously true, and the goal
catches it) at the protocol's ``small_instance``, on the
fastest engine that applies (``auto``), under a time cap; each invariant that fails on it *kills*
it (the kill matrix). A mutant nothing kills is *equivalent* when its reachable states are exactly
the original's (no invariant could tell them apart), else a *survivor*, shown with its diff.
The mutation score is killed / (killed + survivors).
"""

from __future__ import annotations

import ast
import difflib
import inspect
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from checker.core import engines
from checker.core.budget import Budget
from checker.core.properties import PropertySet
from checker.dsl.protocol import Protocol
from checker.errors import QuorumError
from checker.explicit.bfs import Search
from checker.explicit.store import make_store

SECONDS = 30.0


@dataclass
class Mutant:
    """One change to one action: where, what, the diff, and the mutated protocol class."""

    action: str
    operator: str
    diff: str
    cls: type[Protocol]
    killed_by: list[str] = field(default_factory=list)
    status: str = "unknown"  # killed | survived | equivalent | unknown (the time cap, or it cannot be built)
    note: str = ""

    @property
    def name(self) -> str:
        return f"{self.action}: {self.operator}"

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "operator": self.operator, "status": self.status,
                "killed_by": self.killed_by, "diff": self.diff, "note": self.note}


# -- making mutants ------------------------------------------------------------------------------


class _Site(ast.NodeTransformer):
    """Applies the ``target``-th change an operator can make (counting every place it applies)."""

    def __init__(self, operator: str, target: int) -> None:
        self.operator, self.target, self.seen = operator, target, 0
        self.label = ""

    def _hit(self) -> bool:
        self.seen += 1
        return self.seen - 1 == self.target

    def visit_Call(self, node: ast.Call) -> Any:  # noqa: N802 - ast's naming
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "guard" and node.args and self.operator in (
                "drop", "negate"):
            cond = node.args[0]
            parts = cond.args if isinstance(cond, ast.Call) and getattr(cond.func, "id", "") == "And" else None
            if parts is None and self.operator == "negate" and self._hit():
                self.label = f"guard negated: Not({ast.unparse(cond)})"
                node.args[0] = ast.Call(ast.Name("Not", ast.Load()), [cond], [])
            elif parts is not None:
                for i in range(len(parts)):
                    if self.operator == "drop" and len(parts) > 1 and self._hit():
                        self.label = f"guard conjunct dropped: {ast.unparse(parts[i])}"
                        del parts[i]
                        break
                    if self.operator == "negate" and self._hit():
                        self.label = f"guard conjunct negated: Not({ast.unparse(parts[i])})"
                        parts[i] = ast.Call(ast.Name("Not", ast.Load()), [parts[i]], [])
                        break
        if isinstance(func, ast.Attribute) and func.attr == "update" and self.operator == "skip":
            for i, kw in enumerate(node.keywords):
                if self._hit():
                    self.label = f"update of {kw.arg} skipped"
                    del node.keywords[i]
                    break
        return node

    def visit_Compare(self, node: ast.Compare) -> Any:  # noqa: N802
        self.generic_visit(node)
        swap = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt}
        if self.operator == "compare":
            for i, op in enumerate(node.ops):
                if type(op) in swap and self._hit():
                    before = ast.unparse(node)
                    node.ops[i] = swap[type(op)]()
                    self.label = f"{before} became {ast.unparse(node)}"
                    break
        return node

    def visit_Constant(self, node: ast.Constant) -> Any:  # noqa: N802
        if self.operator in ("plus", "minus") and isinstance(node.value, int) and not isinstance(node.value, bool):
            if self._hit():
                new = node.value + (1 if self.operator == "plus" else -1)
                self.label = f"constant {node.value} became {new}"
                return ast.copy_location(ast.Constant(new), node)
        return node

class _Swap(ast.NodeTransformer):
    def __init__(self, a: str, b: str) -> None:
        self.a, self.b = a, b

    def visit_Name(self, node: ast.Name) -> Any:  # noqa: N802
        if node.id in (self.a, self.b):
            return ast.copy_location(ast.Name(self.b if node.id == self.a else self.a, node.ctx), node)
        return node


OPERATORS = ("drop", "negate", "compare", "plus", "minus", "skip")


def mutants(cls: type[Protocol], instance: Protocol) -> Iterator[Mutant]:
    """Every single-change mutant of every action method of ``cls``."""
    for action in instance.actions:
        fn = getattr(cls, action.name, None)
        if not inspect.isfunction(fn) or fn.__code__.co_freevars:
            continue  # an action added outside the class (faults), or one with a closure
        try:
            source = textwrap.dedent(inspect.getsource(fn))
        except (OSError, TypeError):
            continue
        original = ast.parse(source)
        for op in OPERATORS:
            k = 0
            while True:
                tree = ast.parse(source)
                site = _Site(op, k)
                tree = site.visit(tree)
                if not site.label:
                    break
                k += 1
                mutant = _build(cls, fn, tree, source, action.name, site.label)
                if mutant is not None:
                    yield mutant
        same_domain = _same_domain_pairs(action)
        for a, b in same_domain:
            tree = ast.parse(source)
            body = tree.body[0]
            body.body = [_Swap(a, b).visit(stmt) for stmt in body.body]
            if ast.dump(tree) != ast.dump(original):
                mutant = _build(cls, fn, tree, source, action.name, f"parameters {a} and {b} swapped")
                if mutant is not None:
                    yield mutant


def _same_domain_pairs(action: Any) -> list[tuple[str, str]]:
    pairs = []
    names = list(action.param_names)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            sa, sb = action.sources[i], action.sources[names.index(b)]
            if not hasattr(sa, "var") and not hasattr(sb, "var") and list(sa) == list(sb):
                pairs.append((a, b))
    return pairs


def _build(cls: type[Protocol], fn: Callable, tree: ast.Module, source: str, action: str,
           label: str) -> Mutant | None:
    func = tree.body[0]
    func.decorator_list = []  # the action keeps the declaration of the method it replaces
    namespace: dict[str, Any] = {}
    try:
        exec(compile(ast.fix_missing_locations(tree), inspect.getsourcefile(fn) or "<mutant>", "exec"),  # noqa: S102
             fn.__globals__, namespace)
    except SyntaxError:
        return None
    new = namespace[func.name]
    lines = ast.unparse(tree).splitlines()
    before = ast.unparse(_undecorated(source)).splitlines()
    diff = "\n".join(difflib.unified_diff(before, lines, lineterm="", n=1))
    mutated = type(f"{cls.__name__}Mutant", (cls,), {func.name: new, "__module__": cls.__module__})
    return Mutant(action, label, diff, mutated)


def _undecorated(source: str) -> ast.Module:
    tree = ast.parse(source)
    tree.body[0].decorator_list = []
    return tree


# -- checking them -------------------------------------------------------------------------------


@dataclass
class Analysis:
    protocol: str
    properties: list[str]
    mutants: list[Mutant]
    seconds: float

    @property
    def score(self) -> float | None:
        killed = sum(m.status == "killed" for m in self.mutants)
        survived = sum(m.status == "survived" for m in self.mutants)
        return None if killed + survived == 0 else killed / (killed + survived)

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in ("killed", "survived", "equivalent", "unknown")}
        for m in self.mutants:
            out[m.status] += 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {"protocol": self.protocol, "properties": self.properties, "score": self.score,
                "counts": self.counts(), "seconds": round(self.seconds, 2),
                "mutants": [m.to_json() for m in self.mutants]}


def reachable(protocol: Protocol, seconds: float) -> frozenset | None:
    """Every reachable state (None past the time cap): what an equivalent mutant must match."""
    budget = Budget(max_seconds=seconds)
    search = Search(protocol, PropertySet(protocol, []), budget, make_store("states"), False, None)
    found = search.run()
    if found is not None and found.verdict == "limit":
        return None
    return frozenset(search.store.links)


def analyse(cls: type[Protocol], params: dict[str, Any], *, extra: dict[str, Callable] | None = None,
            seconds: float = SECONDS, faults: list[str] | None = None, deadlock: bool = False,
            progress: Callable[[str], None] | None = None) -> Analysis:
    """Mutants of ``cls`` at ``params``, checked with its default invariants and goals — a goal no
    longer reached kills a mutant that made the invariants vacuous — or with ``extra`` alone."""
    from checker.coursework.tasks import attach_invariants

    start = time.perf_counter()

    def build(klass: type[Protocol]) -> Protocol:
        p = klass(faults=faults or [], **params)
        if extra:
            attach_invariants(p, extra)
        return p

    base = build(cls)
    names = list(extra) if extra else [p.name for p in base.properties.values()
                                       if p.default and p.kind in ("always", "sometimes")]
    if not names:
        raise QuorumError(f"{cls.__name__} has no invariant to measure; give --properties FILE")
    original = reachable(base, seconds)
    found = list(mutants(cls, base))
    for i, m in enumerate(found, start=1):
        if progress:
            progress(f"mutant {i} of {len(found)}: {m.name}")
        try:
            instance = build(m.cls)
        except Exception as err:  # noqa: BLE001 - a mutant whose setup breaks is not a finding about the invariants
            m.status, m.note = "unknown", f"cannot be built: {type(err).__name__}: {err}"
            continue
        for name in names:
            try:
                r = engines.run("auto", build(m.cls), [name], {"max_seconds": seconds, "deadlock": deadlock})
            except QuorumError as err:
                m.note = str(err)
                continue
            if r.verdict == "violated":
                m.killed_by.append(name)
            elif r.verdict == "error" and "error" not in m.killed_by:  # the mutant raises or leaves its domain
                m.killed_by.append("error")
            elif r.verdict == "limit":
                m.note = r.message
        if m.killed_by:
            m.status = "killed"
        elif m.note:
            m.status = "unknown"
        else:
            states = reachable(instance, seconds)
            m.status = "equivalent" if states is not None and states == original else "survived"
    return Analysis(f"{cls.__module__}:{cls.__name__}", names, found, time.perf_counter() - start)
