"""Linearizability of a recorded history: does some order of its operations, each taking effect at
one instant between its call and its return, explain every response (Herlihy and Wing)?

The search is Wing and Gong's, with Lowe's memoisation as Porcupine does it: linearize, one at a
time, an operation that was called before the earliest return still outstanding, apply it to the
sequential model, and remember every (set linearized, model state) already tried. An operation
without a return (the client crashed, or timed out) may take effect at any time after its call, or
never; its output is unknown.

A history that is not linearizable is narrowed to its *smallest window*: the earliest time T by
which the history seen so far (operations still running at T count as pending) is already
impossible, and the latest start S such that the operations between S and T are impossible from
every state the model could be in at S. That window is what a reader needs to see.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from checker.errors import QuorumError, read_text


@dataclass(frozen=True)
class Operation:
    """One client call: what it asked (``kind``, ``value``), what it got back, and when."""

    client: str
    kind: str
    value: Any
    output: Any
    call: float
    ret: float | None  # None: no response was seen (it may have taken effect, or not)

    def describe(self) -> str:
        got = "no response" if self.ret is None else json.dumps(self.output)
        ret = "…" if self.ret is None else f"{self.ret:.3f}"
        return f"{self.client}: {self.kind}({json.dumps(self.value)}) -> {got}  [{self.call:.3f}, {ret}]"


@dataclass(frozen=True)
class Model:
    """A sequential specification: its initial state, and ``step(state, op) -> new state or None``
    (None: this output is impossible from this state). ``starts`` lists the states a window may
    begin in (by default every state the history's operations could leave)."""

    name: str
    init: Hashable
    step: Callable[[Hashable, Operation], Hashable | None]
    starts: Callable[[list[Operation]], Iterable[Hashable]]


def _register_step(state: Hashable, op: Operation) -> Hashable | None:
    if op.kind == "write":
        return (op.value,)
    if op.kind == "read":
        return state if op.ret is None or (op.output,) == state else None
    raise QuorumError(f"a register has operations read and write, not {op.kind!r} ({op.describe()})")


def register(init: Any = None) -> Model:
    """A read/write register (its state is the 1-tuple of its value, so that None is a value)."""
    return Model("register", (init,), _register_step,
                 lambda ops: [(init,), *{(op.value,) for op in ops if op.kind == "write"}])


def fenced_register(fencing: bool = True) -> Model:
    """The storage behind a lease lock: ``write([data, token])`` answers "accepted" and stores data,
    or (with fencing) "rejected" when a higher token has been seen; ``read`` answers the data.
    The state is (data, highest token seen)."""

    def step(state: Hashable, op: Operation) -> Hashable | None:
        data, fence = state  # type: ignore[misc]
        if op.kind == "read":
            return state if op.ret is None or op.output == data else None
        if op.kind != "write":
            raise QuorumError(f"the storage has operations read and write, not {op.kind!r} ({op.describe()})")
        value, token = op.value
        verdict = "rejected" if fencing and token < fence else "accepted"
        if op.ret is not None and op.output != verdict:
            return None
        return (value, max(fence, token)) if verdict == "accepted" else state

    def starts(ops: list[Operation]) -> list[Hashable]:
        datas = {None, *(op.value[0] for op in ops if op.kind == "write")}
        fences = {-1, *(op.value[1] for op in ops if op.kind == "write")}
        return [(d, f) for d in datas for f in fences]

    return Model("fenced register" if fencing else "register with tokens (no fencing)", (None, -1), step, starts)


@dataclass
class Linearizability:
    """The verdict: ``ok`` with one linearization, or the smallest window no order explains."""

    ok: bool
    model: str
    operations: int
    order: list[Operation] = field(default_factory=list)
    window: list[Operation] = field(default_factory=list)

    def summary(self) -> str:
        if self.ok:
            return f"linearizable: {self.operations} operations on the {self.model}"
        return (f"not linearizable ({self.model}): no order of these {len(self.window)} operations explains "
                "their responses:\n" + "\n".join(f"  {op.describe()}" for op in self.window))


def linearizable(model: Model, ops: list[Operation], *, start: Hashable | None = None) -> list[Operation] | None:
    """One linearization of ``ops`` from ``start`` (the model's initial state by default), or None."""
    ops = sorted(ops, key=lambda op: op.call)
    n = len(ops)
    must = sum(1 << i for i, op in enumerate(ops) if op.ret is not None)
    rets = [float("inf") if op.ret is None else op.ret for op in ops]
    seen: set[tuple[int, Hashable]] = set()
    path: list[int] = []

    def search(done: int, state: Hashable) -> bool:
        if done & must == must:
            return True
        if (done, state) in seen:
            return False
        seen.add((done, state))
        deadline = min(rets[i] for i in range(n) if not done >> i & 1)
        for i in range(n):
            if done >> i & 1:
                continue
            if ops[i].call > deadline:
                break  # sorted by call: every later one too was called after an outstanding return
            nxt = model.step(state, ops[i])
            if nxt is not None:
                path.append(i)
                if search(done | 1 << i, nxt):
                    return True
                path.pop()
        return False

    if not search(0, model.init if start is None else start):
        return None
    return [ops[i] for i in path]


def check(model: Model, ops: list[Operation]) -> Linearizability:
    """Whether the history is linearizable; if not, its smallest impossible window."""
    order = linearizable(model, ops)
    if order is not None:
        return Linearizability(True, model.name, len(ops), order=order)
    ends = sorted({op.ret for op in ops if op.ret is not None})
    # the earliest T by which the history seen so far is impossible (prefix-closed: searched in order)
    cut = next(t for t in ends if linearizable(model, _seen_by(ops, t)) is None)
    prefix = _seen_by(ops, cut)
    calls = sorted({op.call for op in prefix}, reverse=True)
    window = prefix
    for s in calls:  # the latest start from which no state explains what follows
        part = [op for op in prefix if op.ret is None or op.ret >= s]
        if all(linearizable(model, part, start=st) is None for st in model.starts(prefix)):
            window = part
            break
    return Linearizability(False, model.name, len(ops), window=sorted(window, key=lambda op: op.call))


def _seen_by(ops: list[Operation], t: float) -> list[Operation]:
    """The history as seen at time ``t``: operations called by then, those still running pending."""
    return [op if op.ret is not None and op.ret <= t else replace(op, ret=None, output=None)
            for op in ops if op.call <= t]


def read_history(path: str | Path) -> list[Operation]:
    """Operations from JSON Lines: ``{"client", "kind", "value", "output", "call", "ret"}`` each."""
    text = read_text(path, "history file", "a history is UTF-8 JSON Lines")
    ops = []
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
            ops.append(Operation(str(data["client"]), str(data["kind"]), _hashable(data.get("value")),
                                 _hashable(data.get("output")), float(data["call"]),
                                 None if data.get("ret") is None else float(data["ret"])))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
            raise QuorumError(f"{path}:{number}: not an operation ({type(err).__name__}: {err}); expected "
                              '{"client", "kind", "value", "output", "call", "ret"}') from None
    return ops


def _hashable(value: Any) -> Any:
    return tuple(_hashable(v) for v in value) if isinstance(value, list) else value
