"""Why a property is false in a state, clause by clause.

After a check (never on the explorer's hot path) the violated property is evaluated once more on
the final state with tracing versions of the DSL's helpers (``And``, ``ForAll``, ``Exists``,
``Count``, ...) swapped into the protocol's modules for the duration of that one call. Each helper
records its value, the protocol function that called it (``chosen_at(b=0, v=v1)``) and its
operands, so the explanation can name the conjunct or quantifier instance that failed and the
witnesses that made it fail: "for pair = (v1, v2): chosen(v=v1) … Q = {a1, a2}".

The state is handed to the property as ``Watched`` values: each remembers the expression that read
it (``maxBal[a1]``, ``m.bal`` for a quantifier's ``m``) and computes exactly as the plain value does
(every operation runs on the plain values), except that a comparison returns its outcome with both
operands, so a leaf reads ``maxBal[a1] = 2 > 1 = m.bal`` rather than "a condition holds", and a
``Count`` lists the members it counted. Properties are written for Z3 as well, so they only compute
with operators and the helpers, which is what makes this safe; as a guard, the evaluation on watched
values must agree, helper by helper, with one on the plain state, or the plain one is shown.

A protocol may add its own words with a method ``explain_<property>(self, s) -> str``.
"""

from __future__ import annotations

import operator
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
LEAVES = ("condition", "compare", "value")  # nodes that stand for one plain truth value


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


# -- watched values ---------------------------------------------------------------------------------


def _plain(x: Any) -> Any:
    """``x`` with every ``Watched`` inside it (a record built from watched fields, say) replaced by its value."""
    if type(x) is Watched:
        return x.value
    if isinstance(x, tuple):
        items = tuple.__iter__(x)
        parts = tuple(_plain(e) for e in items)
        if all(a is b for a, b in zip(parts, tuple.__iter__(x), strict=True)):
            return x
        return parts if type(x) is tuple else tuple.__new__(type(x), parts)
    if isinstance(x, frozenset):
        parts = [(e, _plain(e)) for e in x]
        return x if all(a is b for a, b in parts) else type(x)(b for _, b in parts)
    if type(x) is list:
        return [_plain(e) for e in x]
    return x


def _expr(x: Any) -> str:
    return x.expr if type(x) is Watched else _show(x)


def _operand(x: Any, paren: bool) -> str:
    text = _expr(x)
    return f"({text})" if paren and " " in text and not text.startswith("|") else text


class Watched:
    """A value read from the state, with the expression that read it (``maxBal[a1]``, ``m.bal``).

    Every operation runs on the plain values, so it computes as they do; a comparison returns a
    ``Traced`` that shows both operands, indexing and field access extend the expression, and
    ``node`` is set on a ``Count``'s result (the members it counted)."""

    __slots__ = ("value", "expr", "node")

    def __init__(self, value: Any, expr: str, node: Node | None = None) -> None:
        self.value = _plain(value)
        self.expr = expr
        self.node = node

    def __getattr__(self, name: str) -> Any:
        if name in Watched.__slots__ or name.startswith("__"):
            raise AttributeError(name)
        attr = getattr(self.value, name)
        if not callable(attr):
            return Watched(attr, f"{self.expr}.{name}")

        def call(*args: Any, **kwargs: Any) -> Watched:
            shown = ", ".join([_show(a) for a in args] + [f"{k}={_show(v)}" for k, v in kwargs.items()])
            result = attr(*(_plain(a) for a in args), **{k: _plain(v) for k, v in kwargs.items()})
            return Watched(result, f"{self.expr}.{name}({shown})")

        return call

    def __getitem__(self, key: Any) -> Watched:
        return Watched(self.value[_plain(key)], f"{self.expr}[{_show(key)}]")

    def __iter__(self) -> Any:
        return iter(self.value)

    def __len__(self) -> int:
        return len(self.value)

    def __contains__(self, item: Any) -> bool:
        return _plain(item) in self.value

    def __bool__(self) -> bool:
        return bool(self.value)

    def __hash__(self) -> int:
        return hash(self.value)

    def __index__(self) -> int:
        return operator.index(self.value)

    def __int__(self) -> int:
        return int(self.value)

    def __float__(self) -> float:
        return float(self.value)

    def __str__(self) -> str:
        return str(self.value)

    def __repr__(self) -> str:
        return repr(self.value)

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    def __neg__(self) -> Watched:
        return Watched(-self.value, f"-{_operand(self, True)}")

    def __eq__(self, other: object) -> Any:  # type: ignore[override]
        return _compare("==", self, other)

    def __ne__(self, other: object) -> Any:  # type: ignore[override]
        return _compare("!=", self, other)

    def __lt__(self, other: Any) -> Any:
        return _compare("<", self, other)

    def __le__(self, other: Any) -> Any:
        return _compare("<=", self, other)

    def __gt__(self, other: Any) -> Any:
        return _compare(">", self, other)

    def __ge__(self, other: Any) -> Any:
        return _compare(">=", self, other)


def _arithmetic(symbol: str, fn: Callable[[Any, Any], Any]) -> tuple[Callable, Callable]:
    def forward(self: Watched, other: Any) -> Watched:
        paren = symbol not in "+-"
        return Watched(fn(self.value, _plain(other)), f"{_operand(self, paren)} {symbol} "
                       f"{_operand(other, symbol != '+')}")

    def reflected(self: Watched, other: Any) -> Watched:
        if symbol == "+" and type(other) is int and other == 0:  # sum(...) starts from 0: leave it out
            return Watched(fn(other, self.value), self.expr)
        paren = symbol not in "+-"
        return Watched(fn(_plain(other), self.value), f"{_operand(other, paren)} {symbol} "
                       f"{_operand(self, symbol != '+')}")

    return forward, reflected


for _sym, _name, _fn in (("+", "add", operator.add), ("-", "sub", operator.sub), ("*", "mul", operator.mul),
                         ("//", "floordiv", operator.floordiv), ("%", "mod", operator.mod),
                         ("/", "truediv", operator.truediv), ("|", "or", operator.or_), ("&", "and", operator.and_),
                         ("^", "xor", operator.xor)):
    _fwd, _rev = _arithmetic(_sym, _fn)
    setattr(Watched, f"__{_name}__", _fwd)
    setattr(Watched, f"__r{_name}__", _rev)

COMPARE = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
           ">=": operator.ge}
NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
SYMBOL = {"!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}


def _compare(op: str, a: Any, b: Any) -> Traced:
    value = bool(COMPARE[op](_plain(a), _plain(b)))
    counted = [(None, x.node) for x in (a, b) if type(x) is Watched and x.node is not None]
    return Traced(Node("compare", value, _where(), comparison(op, value, a, b), counted))


def comparison(op: str, value: bool, a: Any, b: Any) -> str:
    """The comparison as the fact it states, with both operands: ``maxBal[a1] = 2 > 1 = m.bal`` (it
    holds), ``log[s3][1] = 0 ≠ 1 = e.term`` (an equality that fails), ``role[p2] = leader``."""
    fact = op if value else NEGATED[op]
    va, vb = _show(_plain(a)), _show(_plain(b))
    na = a.expr if type(a) is Watched and a.expr != va else None
    nb = b.expr if type(b) is Watched and b.expr != vb else None
    if fact == "==":
        names = [n for n in dict.fromkeys((na, nb)) if n]
        return " = ".join([*names, va]) if names else f"{va} = {vb}"
    left = f"{na} = {va}" if na else va
    right = f"{vb} = {nb}" if nb else vb
    return f"{left} {SYMBOL[fact]} {right}"


class _StateView:
    """The state as a property sees it while it is explained: each variable a ``Watched`` value."""

    __slots__ = ("_state", "_names", "guards")

    def __init__(self, state: Any, names: Iterable[str]) -> None:
        self._state = state
        self._names = frozenset(names)
        self.guards: list[Any] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        value = getattr(self._state, name)
        return Watched(value, name) if name in self._names else value

    def guard(self, cond: Any) -> Any:
        self.guards.append(cond)
        return cond

    def __iter__(self) -> Any:
        return iter(self._state)

    def __getitem__(self, i: Any) -> Any:
        return self._state[i]

    def __len__(self) -> int:
        return len(self._state)

    def __eq__(self, other: object) -> bool:
        return self._state == (other._state if isinstance(other, _StateView) else other)

    def __hash__(self) -> int:
        return hash(self._state)


_WATCHING = [False]  # bind quantified elements (and Count's results) as Watched values: the watched run


def _bind(x: Any, name: str) -> Any:
    return Watched(x, name) if _WATCHING[0] else x


# -- the tracing helpers ----------------------------------------------------------------------------


def _node(value: Any) -> Node:
    if isinstance(value, Traced):
        return value.node
    if type(value) is Watched:
        return Node("value", bool(value.value), None, f"{value.expr} = {_show(value.value)}")
    return Node("condition", bool(value))


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
    value = _plain(value)
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


def _items(collection: Any) -> list:
    items = list(_plain(collection))
    if not all(type(x) is int for x in items):
        items.sort(key=_show)  # sets and message tuples iterate in hash order: explain in a stable one
    return items


def _quantifier(op: str, collection: Any, pred: Callable) -> Traced:
    items = _items(collection)
    var = _binder(pred)
    results = [(x, pred(_bind(x, var))) for x in items]
    value = all(bool(r) for _, r in results) if op == "forall" else any(bool(r) for _, r in results)
    children = [(f"{var} = {_show(x)}", _node(r)) for x, r in results]
    return Traced(Node(op, value, _where(), f"{var} in {_collection(items)}", children))


def _forall(collection: Any, pred: Callable) -> Traced:
    return _quantifier("forall", collection, pred)


def _exists(collection: Any, pred: Callable) -> Traced:
    return _quantifier("exists", collection, pred)


def _member(elem: Any, collection: Any) -> Traced:
    value = _plain(elem) in _plain(collection)
    return Traced(Node("member", value, _where(), f"{_show(elem)} {'is' if value else 'is not'} in the set"))


def _is_empty(collection: Any) -> Traced:
    items = _items(collection)
    return Traced(Node("empty", not items, _where(), "empty" if not items else f"holds {_collection(items)}"))


def _count(collection: Any, pred: Callable | None = None) -> Any:
    """``Count`` as the concrete helper computes it; on the watched run, a ``Watched`` number whose
    expression lists the members counted (``|{c1, c2}|``) and whose node says why each counts."""
    items = _items(collection)
    if not _WATCHING[0]:
        return logic.Count(_plain(collection), pred)
    if pred is None:
        return Watched(len(items), f"|{_collection(items)}|")
    var = _binder(pred)
    results = [(x, pred(_bind(x, var))) for x in items]
    members = [x for x, r in results if r]
    node = Node("count", bool(members), _where(), f"{var} in {_collection(items)}",
                [(f"{var} = {_show(x)}", _node(r)) for x, r in results])
    return Watched(len(members), f"|{_collection(members)}|", node)


TRACERS = {"And": _and, "Or": _or, "Not": _not, "Implies": _implies, "Iff": _iff, "ForAll": _forall,
           "Exists": _exists, "Member": _member, "IsEmpty": _is_empty, "Count": _count}


@contextmanager
def _traced(*namespaces: dict[str, Any]):
    """Swap the helpers modules imported from checker for tracing ones, for one evaluation."""
    saved = []
    for namespace in {id(ns): ns for ns in namespaces}.values():
        names = {name: namespace[name] for name in TRACERS if namespace.get(name) is getattr(logic, name)}
        saved.append((namespace, names))
    try:
        for namespace, names in saved:
            namespace.update({name: TRACERS[name] for name in names})
        yield
    finally:
        for namespace, names in saved:
            namespace.update(names)


def _namespaces(protocol: Protocol, fn: Callable) -> list[dict[str, Any]]:
    """The modules whose helpers a property may call: its own, the protocol's classes', and the DSL's
    building blocks (faults, the coordination service)."""
    out = [getattr(getattr(fn, "__func__", fn), "__globals__", {})]
    for klass in type(protocol).__mro__:
        module = sys.modules.get(klass.__module__)
        if module is not None and not klass.__module__.startswith("checker.dsl.protocol"):
            out.append(vars(module))
    for name in ("checker.dsl.faults", "checker.dsl.coordination"):
        if name in sys.modules:
            out.append(vars(sys.modules[name]))
    return out


def _shape(node: Node) -> tuple:
    """What the two evaluations must agree on: every helper's kind and value, leaves as one kind."""
    if node.op in LEAVES:
        return ("leaf", node.value)
    return (node.op, node.value, tuple((b, _shape(c)) for b, c in node.children))


def evaluate(protocol: Protocol, fn: Callable, state: Any, *args: Any, **kwargs: Any) -> Any:
    """``fn(state, ...)`` traced: on watched values where that agrees with the plain evaluation, else
    on the plain state. Exceptions propagate."""
    namespaces = _namespaces(protocol, fn)
    with _traced(*namespaces):
        plain = fn(state, *args, **kwargs)
        _WATCHING[0] = True
        try:
            watched = fn(_StateView(state, protocol.variables), *args, **kwargs)
        except Exception:  # noqa: BLE001 - the watched run is a nicety: the plain one stands
            return plain
        finally:
            _WATCHING[0] = False
    if _agrees(plain, watched):
        return watched
    return plain


def _agrees(plain: Any, watched: Any) -> bool:
    if isinstance(plain, tuple) and isinstance(watched, tuple):  # a leads_to pair
        return len(plain) == len(watched) and all(_agrees(p, w) for p, w in zip(plain, watched, strict=True))
    return _shape(_node(plain)) == _shape(_node(watched))


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
        return Explanation(prop, "a state with no enabled action", _deadlock(protocol, state), None, custom)
    spec = protocol.properties[prop]
    if spec.kind == "sometimes":
        return Explanation(prop, spec.doc, ["no reachable state satisfies this goal"], None, custom)
    if spec.kind not in ("always", "sometimes"):
        return _liveness(protocol, state, prop, spec, custom)
    fn = spec.fn
    try:
        result = evaluate(protocol, fn, state)
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
    run's cycle returns to, so it stays unsatisfied for ever), and the values that leave it so."""
    from checker.core.properties import instances

    lines = [f"{prop} fails on a run that ends in a cycle (a lasso); in the last state, which the cycle "
             "returns to:"]
    try:
        for inst in instances(protocol, spec):
            value = evaluate(protocol, spec.fn, state, **inst.args)
            where = ", ".join(f"{k}={_show(v)}" for k, v in inst.args.items())
            head = f"  for {where}: " if where else "  "
            if isinstance(value, tuple):
                if bool(value[0]) and not bool(value[1]):
                    lines.append(head + "the trigger holds and the response does not")
                    lines += _part("trigger", _node(value[0]), 2) + _part("response", _node(value[1]), 2)
            elif not bool(value):
                lines.append(head + "the goal is false")
                lines += describe(_node(value), 2)
    except Exception as err:  # noqa: BLE001 - a property the tracer cannot follow still gets its doc
        lines.append(f"  (no instance-by-instance explanation: {type(err).__name__}: {err})")
    return Explanation(prop, spec.doc, lines, None, custom)


def _part(name: str, node: Node, depth: int, parent: str | None = None) -> list[str]:
    lines = describe(node, depth, parent)
    first = lines[0].strip() if lines else ""
    return ["  " * depth + f"{name}: {first}"] + lines[1:]


MAX_ACTIONS = 10  # actions listed in a deadlock's explanation


def _deadlock(protocol: Protocol, state: Any) -> list[str]:
    """No action is enabled: for each action, the guard that its first instance fails, with values."""
    lines = ["no action is enabled in the last state:"]
    shown = 0
    for i, act in enumerate(protocol.actions):
        if shown == MAX_ACTIONS:
            lines.append(f"  … and {len(protocol.actions) - i} more actions")
            break
        why = _disabled(protocol, act, state)
        if why is not None:
            label, node = why
            lines += _part(label, node, 1, label)
            shown += 1
    return lines if shown else ["no action is enabled in the last state"]


def _disabled(protocol: Protocol, act: Any, state: Any) -> tuple[str, Node] | None:
    """The first instance of ``act`` and the first guard it fails in ``state`` (None: no guard to show)."""
    namespaces = _namespaces(protocol, act.fn)
    for params in list(act.instances(state))[:1]:
        view = _StateView(state, protocol.variables)
        with _traced(*namespaces):
            _WATCHING[0] = True
            try:
                act.fn(view, *params)
            except Exception:  # noqa: BLE001 - a watched run of an action is a nicety
                return None
            finally:
                _WATCHING[0] = False
        failed = [g for g in view.guards if not bool(g)]
        if not failed:
            return None
        args = ", ".join(f"{k}={_show(v)}" for k, v in act.params_dict(params).items())
        return f"{act.name}({args})", _node(failed[0])
    return None


def describe(node: Node, depth: int, parent: str | None = None) -> list[str]:
    """Lines saying why ``node`` has its value: the failing instance, or the witnesses. A call the
    parent line already named (``parent``) is not named again."""
    pad = "  " * depth
    if depth > MAX_DEPTH:
        return [pad + "…"]
    head = f"{node.where}: " if node.where and node.where != parent else ""
    here = node.where or parent
    verdict = "holds" if node.value else "fails"
    kids = node.children
    if node.op in ("forall", "exists"):
        deciding = [(b, c) for b, c in kids if c.value == (node.op == "exists")]
        if node.op == "forall" and node.value or node.op == "exists" and not node.value:
            word = "every" if node.op == "forall" else "no"
            out = [pad + f"{head}{word} {node.detail} satisfies it"]
            for b, c in kids[:MAX_SHOWN] if len(kids) <= MAX_SHOWN else []:
                out += _instance(b, c, depth + 1, here)
            return out
        word = "for" if node.op == "forall" else "witness"
        what = "fails" if node.op == "forall" else "holds"
        out = [pad + f"{head}{'false' if node.op == 'forall' else 'true'}: {node.detail} — it {what} for "
               + ", ".join(b or "?" for b, _ in deciding[:MAX_SHOWN])
               + (f" and {len(deciding) - MAX_SHOWN} more" if len(deciding) > MAX_SHOWN else "")]
        for b, c in deciding[:1 if node.op == "exists" else 2]:
            out += [pad + f"  {word} {b}:"] + describe(c, depth + 2, here)
        return out
    if node.op == "count":
        counted = [(b, c) for b, c in kids if c.value]
        if not counted:
            return [pad + f"{head}counted: no {node.detail} satisfies it"]
        out = [pad + f"{head}counted: {node.detail} — it holds for "
               + ", ".join(b or "?" for b, _ in counted[:MAX_SHOWN])
               + (f" and {len(counted) - MAX_SHOWN} more" if len(counted) > MAX_SHOWN else "")]
        for b, c in counted[:2]:
            out += [pad + f"  for {b}:"] + describe(c, depth + 2, here)
        return out
    if node.op in ("and", "or"):
        want = node.value if node.op == "and" else not node.value
        shown = [c for _, c in kids if c.value != want] if node.op == "and" and not node.value or \
            node.op == "or" and node.value else [c for _, c in kids]
        joint = {("and", True): "all of these hold", ("and", False): "this conjunct fails",
                 ("or", True): "this alternative holds", ("or", False): "no alternative holds"}[(node.op, node.value)]
        if node.op == "or" and node.value:
            shown = _informative([c for _, c in kids if c.value])[:1]
        elif node.op == "and" and not node.value:
            shown = _informative([c for _, c in kids if not c.value])[:1]
        else:
            shown = _informative(shown)
        out = [pad + f"{head}{joint}"]
        for c in shown:
            out += describe(c, depth + 1, here)
        return out
    if node.op == "not":
        inner = node.children[0][1]
        said = "holds" if inner.value else "fails"
        return [pad + f"{head}not: the negated condition {said}"] + describe(inner, depth + 1, here)
    if node.op == "iff":
        a, b = node.children[0][1], node.children[1][1]
        said = "both sides hold" if a.value and b.value else "both sides fail" if node.value else \
            "one side holds, the other fails"
        return ([pad + f"{head}equivalence {verdict}: {said}"] + _part("left", a, depth + 1, here)
                + _part("right", b, depth + 1, here))
    if node.op == "implies":
        cond, then = node.children[0][1], node.children[1][1]
        if node.value:
            reason = "its condition fails" if not cond.value else "its condition and conclusion hold"
            return [pad + f"{head}implication holds: {reason}"]
        return ([pad + f"{head}implication fails: the condition holds"] + describe(cond, depth + 1, here)
                + [pad + "  but the conclusion fails:"] + describe(then, depth + 2, here))
    if node.op in ("member", "empty", "value"):
        return [pad + f"{head}{node.detail}"]
    if node.op == "compare":
        out = [pad + f"{head}{node.detail}"]
        for _, c in kids:
            out += describe(c, depth + 1, here)
        return out
    return [pad + f"{head}{'a condition ' + verdict if not node.children else verdict}"]


def _informative(nodes: list[Node]) -> list[Node]:
    """The nodes worth a line: a plain truth value (a constant, no state read) only when nothing else is left."""
    return [n for n in nodes if n.op != "condition"] or nodes


def _instance(binding: str | None, child: Node, depth: int, parent: str | None = None) -> list[str]:
    """``binding: <the child's first line>``, the child's other lines one level below it."""
    lines = describe(child, depth, parent)
    first = lines[0].strip() if lines else ""
    return ["  " * depth + f"{binding}: {first}"] + lines[1:]


def explanation_text(result: Any) -> str:
    """The violated property of a ``Result`` evaluated clause by clause on its last state ('' where
    none applies): what the terminal, notebooks and test failures print under a counterexample. An
    explanation is a courtesy: if it fails, the verdict stands and the failure is named instead."""
    if result.verdict != "violated" or not result.property or not result.trace:
        return ""
    try:
        return explain(result.protocol, result.trace[-1].state, result.property).text
    except Exception as exc:  # noqa: BLE001 - the verdict stands without it
        return f"(no explanation: {type(exc).__name__}: {exc})"
