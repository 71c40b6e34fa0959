"""Why a property is false in a state, clause by clause.

After a check (never on the explorer's hot path) the violated property is evaluated once more on
the final state with tracing versions of the DSL's helpers (``And``, ``ForAll``, ``Exists``, ...)
swapped into the protocol module for the duration of that one call. Each helper records its value,
the protocol function that called it (``chosen_at(b=0, v=v1)``) and its operands, so the
explanation can name the conjunct or quantifier instance that failed and the witnesses that made
it fail: "for pair = (v1, v2): chosen(v=v1) … Q = {a1, a2}".

A protocol may add its own words with a method ``explain_<property>(self, s) -> str``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from checker.dsl import logic
from checker.dsl.domains import show
from checker.dsl.protocol import Protocol

MAX_SHOWN = 4  # quantifier instances listed per level
MAX_DEPTH = 12


@dataclass
class Node:
    """One evaluated helper call: its value, where it was called from and its operands."""

    op: str
    value: bool
    where: str | None = None
    detail: str = ""
    children: list[tuple[str | None, Node]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "op": self.op, "value": self.value, "where": self.where, "detail": self.detail,
            "children": [{"binding": b, **c.to_json()} for b, c in self.children],
        }


class Traced:
    """A truth value that remembers how it was computed."""

    __slots__ = ("node",)

    def __init__(self, node: Node) -> None:
        self.node = node

    def __bool__(self) -> bool:
        return self.node.value

    def __eq__(self, other: object) -> bool:
        return bool(self) == bool(other)

    def __hash__(self) -> int:
        return hash(bool(self))


def _node(value: Any) -> Node:
    return value.node if isinstance(value, Traced) else Node("condition", bool(value))


def _where() -> str | None:
    """The protocol function that called the helper, with its arguments (None for a lambda)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
    if frame is None or frame.f_code.co_name.startswith("<"):
        return None  # a lambda or a generator expression: no name to give (and no object address)
    code = frame.f_code
    args = [n for n in code.co_varnames[: code.co_argcount] if n not in ("self", "s")]
    shown = ", ".join(f"{n}={_show(frame.f_locals[n])}" for n in args if n in frame.f_locals)
    return f"{code.co_name}({shown})"


def _show(value: Any) -> str:
    """Values for people: tuples as (v1, v2), sets sorted."""
    if type(value) is tuple:
        return "(" + ", ".join(_show(v) for v in value) + ")"
    return show(value)


def _binder(pred: Callable) -> str:
    code = getattr(pred, "__code__", None)
    return code.co_varnames[0] if code is not None and code.co_argcount else "x"


def _collection(items: Iterable) -> str:
    items = sorted(items, key=_show)
    text = ", ".join(_show(x) for x in items[:6]) + (", …" if len(items) > 6 else "")
    return "{" + text + "}"


def _and(*conds: Any) -> Traced:
    return Traced(Node("and", all(bool(c) for c in conds), _where(), children=[(None, _node(c)) for c in conds]))


def _or(*conds: Any) -> Traced:
    return Traced(Node("or", any(bool(c) for c in conds), _where(), children=[(None, _node(c)) for c in conds]))


def _not(cond: Any) -> Traced:
    return Traced(Node("not", not bool(cond), _where(), children=[(None, _node(cond))]))


def _implies(cond: Any, then: Any) -> Traced:
    value = not bool(cond) or bool(then)
    return Traced(Node("implies", value, _where(), children=[("if", _node(cond)), ("then", _node(then))]))


def _iff(a: Any, b: Any) -> Traced:
    return Traced(Node("iff", bool(a) == bool(b), _where(), children=[(None, _node(a)), (None, _node(b))]))


def _quantifier(op: str, collection: Any, pred: Callable) -> Traced:
    items = list(collection)
    if not all(type(x) is int for x in items):
        items.sort(key=_show)  # sets and message tuples iterate in hash order: explain in a stable one
    var = _binder(pred)
    results = [(x, pred(x)) for x in items]
    value = all(bool(r) for _, r in results) if op == "forall" else any(bool(r) for _, r in results)
    children = [(f"{var} = {_show(x)}", _node(r)) for x, r in results]
    return Traced(Node(op, value, _where(), f"{var} in {_collection(items)}", children))


def _forall(collection: Any, pred: Callable) -> Traced:
    return _quantifier("forall", collection, pred)


def _exists(collection: Any, pred: Callable) -> Traced:
    return _quantifier("exists", collection, pred)


def _member(elem: Any, collection: Any) -> Traced:
    value = elem in collection
    return Traced(Node("member", value, _where(), f"{show(elem)} {'is' if value else 'is not'} in the set"))


def _is_empty(collection: Any) -> Traced:
    items = list(collection)
    return Traced(Node("empty", not items, _where(), "empty" if not items else f"holds {_collection(items)}"))


TRACERS = {"And": _and, "Or": _or, "Not": _not, "Implies": _implies, "Iff": _iff, "ForAll": _forall,
           "Exists": _exists, "Member": _member, "IsEmpty": _is_empty}


@contextmanager
def _traced(namespace: dict[str, Any]):
    """Swap the helpers a module imported from checker for tracing ones, for one evaluation."""
    saved = {name: namespace[name] for name in TRACERS if namespace.get(name) is getattr(logic, name)}
    try:
        namespace.update({name: TRACERS[name] for name in saved})
        yield
    finally:
        namespace.update(saved)


@dataclass
class Explanation:
    """The violated property, its doc, its evaluation tree and the same in words."""

    property: str
    doc: str
    lines: list[str]
    tree: Node | None
    custom: str = ""

    @property
    def text(self) -> str:
        head = [self.custom] if self.custom else []
        return "\n".join(head + self.lines)

    def to_json(self) -> dict[str, Any]:
        return {"property": self.property, "doc": self.doc, "custom": self.custom, "lines": self.lines,
                "tree": self.tree.to_json() if self.tree else None}


def explain(protocol: Protocol, state: Any, prop: str) -> Explanation:
    """Why ``prop`` is false in ``state`` (deadlock and unreached goals get a sentence)."""
    custom = protocol.explanation(prop, state) or ""
    if prop == "deadlock":
        return Explanation(prop, "a state with no enabled action", ["no action is enabled in the last state"],
                           None, custom)
    spec = protocol.properties[prop]
    if spec.kind == "sometimes":
        return Explanation(prop, spec.doc, ["no reachable state satisfies this goal"], None, custom)
    if spec.kind not in ("always", "sometimes"):
        return _liveness(protocol, state, prop, spec, custom)
    fn = spec.fn
    namespace = getattr(getattr(fn, "__func__", fn), "__globals__", {})
    try:
        with _traced(namespace):
            result = fn(state)
    except Exception as err:  # noqa: BLE001 - a property the tracer cannot follow still gets its doc
        return Explanation(prop, spec.doc, [f"(no clause-by-clause explanation: {type(err).__name__}: {err})"],
                           None, custom)
    if bool(result) != bool(fn(state)):
        return Explanation(prop, spec.doc, ["(no clause-by-clause explanation: traced evaluation disagrees)"],
                           None, custom)
    tree = _node(result)
    lines = [f"{prop} is false in the last state:"] + describe(tree, 1)
    return Explanation(prop, spec.doc, lines, tree, custom)


def _liveness(protocol: Protocol, state: Any, prop: str, spec: Any, custom: str) -> Explanation:
    """A liveness property: which instance is still unsatisfied in the last state (the state the
    run's cycle returns to, so it stays unsatisfied for ever)."""
    from checker.core.properties import instances

    lines = [f"{prop} fails on a run that ends in a cycle (a lasso); in the last state, which the cycle "
             "returns to:"]
    try:
        for inst in instances(protocol, spec):
            value = spec.fn(state, **inst.args)
            where = ", ".join(f"{k}={_show(v)}" for k, v in inst.args.items())
            head = f"  for {where}: " if where else "  "
            if isinstance(value, tuple):
                if bool(value[0]) and not bool(value[1]):
                    lines.append(head + "the trigger holds and the response does not")
            elif not bool(value):
                lines.append(head + "the goal is false")
    except Exception as err:  # noqa: BLE001 - a property the tracer cannot follow still gets its doc
        lines.append(f"  (no instance-by-instance explanation: {type(err).__name__}: {err})")
    return Explanation(prop, spec.doc, lines, None, custom)


def describe(node: Node, depth: int) -> list[str]:
    """Lines saying why ``node`` has its value: the failing instance, or the witnesses."""
    pad = "  " * depth
    if depth > MAX_DEPTH:
        return [pad + "…"]
    head = f"{node.where}: " if node.where else ""
    verdict = "holds" if node.value else "fails"
    kids = node.children
    if node.op in ("forall", "exists"):
        deciding = [(b, c) for b, c in kids if c.value == (node.op == "exists")]
        if node.op == "forall" and node.value or node.op == "exists" and not node.value:
            word = "every" if node.op == "forall" else "no"
            out = [pad + f"{head}{word} {node.detail} satisfies it"]
            for b, c in kids[:MAX_SHOWN] if len(kids) <= MAX_SHOWN else []:
                out += _instance(b, c, depth + 1)
            return out
        word = "for" if node.op == "forall" else "witness"
        what = "fails" if node.op == "forall" else "holds"
        out = [pad + f"{head}{'false' if node.op == 'forall' else 'true'}: {node.detail} — it {what} for "
               + ", ".join(b or "?" for b, _ in deciding[:MAX_SHOWN])
               + (f" and {len(deciding) - MAX_SHOWN} more" if len(deciding) > MAX_SHOWN else "")]
        for b, c in deciding[:1 if node.op == "exists" else 2]:
            out += [pad + f"  {word} {b}:"] + describe(c, depth + 2)
        return out
    if node.op in ("and", "or"):
        want = node.value if node.op == "and" else not node.value
        shown = [c for _, c in kids if c.value != want] if node.op == "and" and not node.value or \
            node.op == "or" and node.value else [c for _, c in kids]
        joint = {("and", True): "all of these hold", ("and", False): "this conjunct fails",
                 ("or", True): "this alternative holds", ("or", False): "no alternative holds"}[(node.op, node.value)]
        if node.op == "or" and node.value:
            shown = [c for _, c in kids if c.value][:1]
        if node.op == "and" and not node.value:
            shown = [c for _, c in kids if not c.value][:1]
        out = [pad + f"{head}{joint}"]
        for c in shown:
            out += describe(c, depth + 1)
        return out
    if node.op == "not":
        inner = node.children[0][1]
        said = "holds" if inner.value else "fails"
        return [pad + f"{head}not: the negated condition {said}"] + describe(inner, depth + 1)
    if node.op == "implies":
        cond, then = node.children[0][1], node.children[1][1]
        if node.value:
            reason = "its condition fails" if not cond.value else "its condition and conclusion hold"
            return [pad + f"{head}implication holds: {reason}"]
        return ([pad + f"{head}implication fails: the condition holds"] + describe(cond, depth + 1)
                + [pad + "  but the conclusion fails"] + describe(then, depth + 1))
    if node.op in ("member", "empty"):
        return [pad + f"{head}{node.detail}"]
    return [pad + f"{head}{'a condition ' + verdict if not node.children else verdict}"]


def _instance(binding: str | None, child: Node, depth: int) -> list[str]:
    lines = describe(child, depth + 1)
    first = lines[0].strip() if lines else ""
    return ["  " * depth + f"{binding}: {first}"] + lines[1:]
