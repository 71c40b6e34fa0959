"""A trace as a message sequence chart, before any drawing: per step its actor, the local state
changes per lifeline, and messages from the step that sent them to the steps that received them.

Messages are found from the state alone: an element added to a message variable is sent by the
step's actor (or its sender field); a message passed to an action as a parameter, or removed from
the variable by a non-fault step, is received by that step's actor; a message removed by a loss
fault ends in a cross, one re-added by a duplication fault is marked.

A violation's *witnesses* are the groups of processes (and the messages they sent) that make the
property fail — the two quorums whose votes chose two values, a term's two leaders, a lock's two
holders. A protocol names them with ``witnesses_<property>(s)`` (``Protocol.witnesses``); without
one they are read off the explanation: each outermost quantifier instance on its deciding path
that binds processes (``Q = {a2, a3}``, ``pair = (c1, c2)``), with the messages its clauses found
in the state (``2b(acc=a2, bal=0, val=v1) is in the set``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checker.core.diff import Change, changes
from checker.core.trace import Step
from checker.dsl.domains import Map, show
from checker.dsl.params import From
from checker.dsl.protocol import Protocol
from checker.render.explain import Explanation, Node, explain
from checker.render.roles import ENVIRONMENT, Cast, MessageVar, cast, declared_params, fault_kind

MAX_WITNESSES = 4


@dataclass
class Event:
    """One step as the chart draws it."""

    index: int
    action: str
    label: str
    actor: str
    fault: str | None
    notes: dict[str, list[str]]  # lifeline -> its changed variables, in words
    changes: list[Change]


@dataclass
class Message:
    """One message: sent once, received by zero or more steps (a broadcast fans out)."""

    value: Any
    var: str
    label: str
    sender: str
    sent_at: int
    receiver: str | None
    receipts: list[tuple[str, int]] = field(default_factory=list)
    lost_at: int | None = None
    duplicated_at: list[int] = field(default_factory=list)


@dataclass
class Witness:
    """A group of processes that together make the property fail, and the messages that show it."""

    tag: str  # short, drawn on the chart: "Q1"
    note: str  # what the group is, in words: "chosen_at(b=0, v=v1)"
    lifelines: list[str]
    messages: list[int] = field(default_factory=list)  # indices into Chart.messages

    def describe(self, chart: Chart) -> str:
        """``Q1 = {a2, a3}: chosen_at(b=0, v=v1) (2b at steps 7, 12)``, for the chart's notes."""
        text = f"{self.tag} = {{{', '.join(self.lifelines)}}}"
        if self.note:
            text += f": {self.note}"
        msgs = [chart.messages[i] for i in self.messages]
        if msgs:
            kinds = sorted({m.label.split("(")[0] for m in msgs})
            steps = ", ".join(str(m.sent_at) for m in sorted(msgs, key=lambda m: m.sent_at))
            text += f" ({'/'.join(kinds)} sent at step{'s' if len(msgs) > 1 else ''} {steps})"
        return text


@dataclass
class Chart:
    protocol: Protocol
    lifelines: list[str]
    events: list[Event]
    messages: list[Message]
    violation: str | None = None  # the property the last state violates
    loop_start: int | None = None
    down: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # crashed row ranges
    witnesses: list[Witness] = field(default_factory=list)

    def undelivered(self) -> list[int]:
        """Messages sent and never received, lost or duplicated by the end of the trace."""
        return [i for i, m in enumerate(self.messages)
                if not m.receipts and m.lost_at is None and not m.duplicated_at]


def build(protocol: Protocol, trace: list[Step], *, violation: str | None = None,
          loop_start: int | None = None, why: Explanation | None = None) -> Chart:
    """The chart of a trace (any engine's, already replayed). ``why``: the violation's explanation,
    if already computed (else it is computed here when the witnesses need it)."""
    who = cast(protocol)
    names = list(protocol.variables)
    events: list[Event] = []
    messages: list[Message] = []
    live: dict[tuple[str, Any, Any], Message] = {}  # (var, inbox key, message) -> latest send
    prev = None
    used = {ENVIRONMENT} if any(who.actor(s) == ENVIRONMENT for s in trace[1:]) else set()
    for i, step in enumerate(trace):
        actor = who.actor(step)
        fault = fault_kind(protocol, step.action) if i else None
        diff = changes(prev, step.state, names)
        notes: dict[str, list[str]] = {}
        for ch in _per_owner(diff, protocol) if i == 0 else diff:
            if ch.var in who.messages:
                continue
            owner = who.owner(ch)
            notes.setdefault(owner or actor, []).append(_initial(ch) if i == 0 and owner else str(ch))
            owner = owner or actor
            used.add(owner)
        received = _received_params(step, prev, who) if prev is not None else []
        for var, key, msg in received:
            sent = live.get((var, key, msg)) or _from_init(messages, live, who, var, key, msg)
            if fault == "duplicate":
                sent.duplicated_at.append(i)
            elif fault != "loss":
                sent.receipts.append((actor, i))
        for var, key, msg, added in _message_changes(who, prev, step.state):
            mv = who.messages[var]
            if added:
                if fault == "duplicate" and (var, key, msg) in live:
                    if i not in live[(var, key, msg)].duplicated_at:
                        live[(var, key, msg)].duplicated_at.append(i)
                    continue
                sender = _field_line(who, msg, mv, "sender") or actor
                receiver = key if mv.inbox else _field_line(who, msg, mv, "receiver")
                m = Message(msg, var, _message_label(msg, mv, who), sender, i, receiver)
                messages.append(m)
                live[(var, key, msg)] = m
                used.update(x for x in (sender, receiver) if x)
            else:
                sent = live.get((var, key, msg)) or _from_init(messages, live, who, var, key, msg)
                if fault == "loss":
                    sent.lost_at = i
                elif (var, key, msg) not in received:
                    sent.receipts.append((key if mv.inbox else actor, i))
                live.pop((var, key, msg), None)
        if i:
            used.add(actor)
        events.append(Event(i, step.action, _label(step, actor, who), actor, fault, notes, diff))
        prev = step.state
    lifelines = list(who.lifelines)  # idle processes too: a reader asks where a3 went otherwise
    if ENVIRONMENT in used or any(m.sender == ENVIRONMENT for m in messages):  # (in flight in an initial state)
        lifelines.append(ENVIRONMENT)
    _deliver_addressed(messages, events, _taken_kinds(protocol))
    chart = Chart(protocol, lifelines, events, messages, violation, loop_start)
    chart.down = _down_ranges(events)
    if violation is not None and trace:
        chart.witnesses = find_witnesses(chart, trace[-1].state, violation, why)
    return chart


# -- witnesses ------------------------------------------------------------------------------


def find_witnesses(chart: Chart, state: Any, prop: str, why: Explanation | None = None) -> list[Witness]:
    """The violation's witnesses on this chart: the protocol's ``witnesses_<prop>``, else the
    explanation's (nothing when neither names a process)."""
    protocol = chart.protocol
    try:
        declared = protocol.witnesses(prop, state)
    except Exception:  # noqa: BLE001 - a broken hook must not stop the diagram; the trace is still shown
        declared = None
    lines = set(chart.lifelines)
    by_value: dict[Any, int] = {}
    by_text: dict[str, int] = {}
    for i, m in enumerate(chart.messages):  # the latest send of each message
        by_text[show(m.value)] = i
        try:
            by_value[m.value] = i
        except TypeError:
            pass
    if declared is not None:
        try:
            return _declared(chart, declared, lines, by_value)
        except (TypeError, ValueError):  # not (tag, note, members) triples: drawn without marks
            return []
    if prop not in protocol.properties or protocol.properties[prop].kind != "always":
        return []
    try:
        tree = (why or explain(protocol, state, prop)).tree
        return _explained(chart, tree, prop, lines, by_text) if tree is not None else []
    except Exception:  # noqa: BLE001 - the marks are extras: a tree they cannot read leaves the chart as it was
        return []


def _declared(chart: Chart, declared: list, lines: set[str], by_value: dict[Any, int]) -> list[Witness]:
    """The witnesses a protocol's hook names: (tag, note, members), members processes or messages."""
    out: list[Witness] = []
    for tag, note, members in list(declared)[:MAX_WITNESSES]:
        names, msgs = [], []
        for x in members:
            if isinstance(x, str) and x in lines:
                names.append(x)
            elif _hashable(x) and x in by_value:
                msgs.append(by_value[x])
        names += [chart.messages[i].sender for i in msgs]
        out.append(Witness(str(tag), str(note), _ordered(names, chart.lifelines), sorted(set(msgs))))
    return [w for w in out if w.lifelines]


def _explained(chart: Chart, tree: Node, prop: str, lines: set[str], by_text: dict[str, int]) -> list[Witness]:
    """The witnesses an explanation's tree binds (see the module's docstring)."""
    out: list[Witness] = []
    counts: dict[str, int] = {}
    for op, binding, where, node in _bound_groups(tree, lines):
        var, _, value = binding.partition(" = ")
        names = _names(value, lines) or []
        msgs = sorted({by_text[t] for t in _message_texts(node) if t in by_text})
        letter = (var if len(var) <= 2 else var[0]).upper()  # Q1, Q2: never a process's own name
        counts[letter] = counts.get(letter, 0) + 1
        tag = f"{letter}{counts[letter]}"
        if tag in lines:
            tag = f"W{len(out) + 1}"
        note = f"{where or prop}: fails for {binding}" if op == "forall" else where or f"{prop}: {binding}"
        out.append(Witness(tag, note, _ordered(names, chart.lifelines), msgs))
        if len(out) == MAX_WITNESSES:
            break
    return out


def _hashable(x: Any) -> bool:
    try:
        hash(x)
    except TypeError:
        return False
    return True


def _ordered(names: list[str], lifelines: list[str]) -> list[str]:
    seen = set(names)
    return [x for x in lifelines if x in seen]


def _names(value: str, lines: set[str]) -> list[str] | None:
    """The processes a bound value names, when it is nothing but processes: ``{a2, a3}``, ``(c1, c2)``, ``s1``."""
    value = value.strip()
    if value[:1] in "{(" and value[-1:] in "})":
        value = value[1:-1]
    parts = [p.strip() for p in value.split(",")] if value else []
    return parts if parts and all(p in lines for p in parts) else None


def _deciding(node: Node) -> list[tuple[str | None, Node]]:
    """The children that decide a node's value (those ``explain.describe`` follows)."""
    kids = node.children
    if node.op == "forall":
        return [(b, c) for b, c in kids if not c.value][:2] if not node.value else kids
    if node.op == "exists":
        return [(b, c) for b, c in kids if c.value][:1] if node.value else []
    if node.op == "and":
        return kids if node.value else [(b, c) for b, c in kids if not c.value][:1]
    if node.op == "or":
        return [(b, c) for b, c in kids if c.value][:1] if node.value else kids
    if node.op in ("not", "iff"):
        return kids
    if node.op == "implies":
        return [] if node.value else kids
    return []


def _bound_groups(tree: Node, lines: set[str]) -> list[tuple[str, str, str | None, Node]]:
    """(quantifier, binding, the call that bound it, its subtree) for each outermost deciding
    quantifier instance that binds processes only."""
    out: list[tuple[str, str, str | None, Node]] = []

    def walk(node: Node, depth: int) -> None:
        if depth > 40:
            return
        for binding, child in _deciding(node):
            if binding and node.op in ("forall", "exists") and _names(binding.partition(" = ")[2], lines):
                out.append((node.op, binding, node.where, child))
            else:
                walk(child, depth + 1)

    walk(tree, 0)
    return out


def _message_texts(node: Node) -> list[str]:
    """Values a subtree found in the state (``X is in the set``) or bound (``m = X``), as shown."""
    out: list[str] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if n.op == "member" and n.detail.endswith(" is in the set"):
            out.append(n.detail[: -len(" is in the set")])
        for binding, child in _deciding(n):
            if binding and " = " in binding:
                out.append(binding.partition(" = ")[2])
            stack.append(child)
    return out


def _label(step: Step, actor: str, who: Cast) -> str:
    """The step's action and parameters, less the one naming the actor (its column says that)."""
    params = {k: v for k, v in step.params.items() if not (isinstance(v, str) and v == actor)}
    if not params:
        return step.action
    return f"{step.action}(" + ", ".join(f"{k}={_param(v, who)}" for k, v in params.items()) + ")"


def _param(value: Any, who: Cast) -> str:
    """A parameter in a box's title: a message as its arrow's label, cut short (the arrow says it all)."""
    for mv in who.messages.values():
        if hasattr(value, "_fields") and getattr(value, "kind", None) in mv.kinds:
            label = _message_label(value, mv, who)
            return label if len(label) <= 28 else f"{value[0]}(…)"
    return show(value)


def _per_owner(diff: list[Change], protocol: Protocol) -> list[Change]:
    """Initial values with maps split by key, so each process's part sits on its lifeline."""
    out = []
    for ch in diff:
        if isinstance(protocol.variables[ch.var].domain, Map):
            out += [Change(ch.var, k, None, v, "set") for k, v in ch.new.items()]
        else:
            out.append(ch)
    return out


def _initial(ch: Change) -> str:
    """``maxBal = -1`` on a1's lifeline: the key is the lifeline itself."""
    return f"{ch.var} = {show(ch.new)}"


def _from_init(messages: list[Message], live: dict, who: Cast, var: str, key: Any, msg: Any) -> Message:
    """A message that was already in the initial state: drawn as sent at Init."""
    mv = who.messages[var]
    sender = _field_line(who, msg, mv, "sender") or ENVIRONMENT
    m = Message(msg, var, _message_label(msg, mv, who), sender, 0, key if mv.inbox else None)
    messages.append(m)
    live[(var, key, msg)] = m
    return m


def _field_line(who: Cast, msg: Any, mv: MessageVar, role: str) -> str | None:
    """The lifeline named by the message's sender or receiver field, if it has one."""
    found = mv.field_domain(msg, role)
    return None if found is None else who.lifeline(getattr(msg, found[0]), found[1])


def _message_label(msg: Any, mv: MessageVar, who: Cast) -> str:
    """The message without the fields naming its sender and receiver: the arrow shows those."""
    if not hasattr(msg, "_fields"):
        return show(msg)
    skip = {mv.sender.get(msg[0]), mv.receiver.get(msg[0])}
    fields = [
        f"{f}={show(v)}" for f, v in zip(msg._fields[1:], msg[1:], strict=True)
        if not (f in skip and isinstance(v, str))
    ]
    return f"{msg[0]}(" + ", ".join(fields) + ")"


def _message_changes(who: Cast, before: Any, after: Any) -> list[tuple[str, Any, Any, bool]]:
    """(var, inbox key, message, added?) for every message added to or removed from the state."""
    if before is None:
        return []
    out = []
    for var, mv in who.messages.items():
        old, new = getattr(before, var), getattr(after, var)
        if old == new:
            continue
        pairs = [(k, old[k], new[k]) for k in new] if mv.inbox else [(None, old, new)]
        for key, o, n in pairs:
            out += [(var, key, m, True) for m in sorted(n - o, key=show)]
            out += [(var, key, m, False) for m in sorted(o - n, key=show)]
    return out


def _received_params(step: Step, before: Any, who: Cast) -> list[tuple[str, Any, Any]]:
    """Messages the step takes as parameters: (var, inbox key, message)."""
    out = []
    for value in step.params.values():
        if not hasattr(value, "_fields"):
            continue
        for var, mv in who.messages.items():
            held = getattr(before, var)
            if mv.inbox:
                out += [(var, k, value) for k in held if value in held[k]]
            elif value in held:
                out.append((var, None, value))
    return out


def _taken_kinds(protocol: Protocol) -> set[tuple[str, str | None]]:
    """(message variable, kind) that some action takes as a parameter (``From("msgs", "1a")``)."""
    out = set()
    for a in protocol.actions:
        if fault_kind(protocol, a.name):
            continue  # a fault that loses or duplicates a message does not receive it
        for spec in declared_params(protocol, a.name).values():
            if isinstance(spec, From):
                out.add((spec.var, spec.kind))
    return out


def _deliver_addressed(messages: list[Message], events: list[Event],
                       taken: set[tuple[str, str | None]] = frozenset()) -> None:
    """An addressed message that no step consumed is read by its receiver's next step (Paxos's
    phase2a reads the 1b reports of its ballot without taking them as parameters) — unless some
    action takes messages of its kind as a parameter (then it is still in flight), and never by a
    fault (a crash reads nothing)."""
    for m in messages:
        if m.receiver is None or m.receipts or m.lost_at is not None:
            continue
        if (m.var, None) in taken or (m.var, getattr(m.value, "kind", None)) in taken:
            continue
        nxt = next((e.index for e in events[m.sent_at + 1:] if e.actor == m.receiver and not e.fault), None)
        if nxt is not None:
            m.receipts.append((m.receiver, nxt))


def _down_ranges(events: list[Event]) -> dict[str, list[tuple[int, int]]]:
    """Rows during which a crashed process is down (crash row to restart row, or to the end)."""
    down: dict[str, list[tuple[int, int]]] = {}
    crashed: dict[str, int] = {}
    for e in events:
        if e.fault == "crash":
            crashed[e.actor] = e.index
        elif e.fault == "restart" and e.actor in crashed:
            down.setdefault(e.actor, []).append((crashed.pop(e.actor), e.index))
    last = events[-1].index if events else 0
    for line, start in crashed.items():
        down.setdefault(line, []).append((start, last + 1))
    return down
