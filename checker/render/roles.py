"""Who is who in a trace: lifelines (processes), the actor of each step, who owns which part of
the state, and which state variables hold messages.

A protocol may declare roles (``declare_role``) and message variables (``declare_messages``);
whatever it leaves undeclared is inferred, so every protocol renders without drawing code:

- roles: every ``Nodes`` domain that keys a ``Map`` state variable (``maxBal[a]`` belongs to ``a``);
- message variables: a ``SetOf`` records with a field ranging over a role (``1b(acc=...)``), or a
  ``Map`` from a role to such a set (one inbox per node);
- the actor of a step: its first parameter that is a process (by declared domain, else by value);
  a step without one is drawn on the *environment* lifeline;
- sender and receiver of a message: a declared field, else a field named like ``src``/``dst``,
  else the actor of the sending step and whoever takes the message as an action parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from checker.core.diff import Change
from checker.core.trace import Step
from checker.dsl.domains import Domain, Map, Nodes, Records, RecordType, SetOf
from checker.dsl.protocol import Protocol

ENVIRONMENT = "environment"
SENDER_FIELDS = ("src", "source", "sender", "from_", "frm", "from")
RECEIVER_FIELDS = ("dst", "dest", "destination", "receiver", "to", "target", "recipient")

#: Fault actions by the first word of their name: what the chart draws for them.
FAULT_WORDS = {
    "crash": "crash", "fail": "crash", "stop": "crash",
    "restart": "restart", "recover": "restart", "reboot": "restart",
    "partition": "partition", "heal": "heal",
    "lose": "loss", "drop": "loss", "loss": "loss",
    "duplicate": "duplicate", "dup": "duplicate",
}


def fault_kind(protocol: Protocol, action_name: str) -> str | None:
    """``crash``/``restart``/``partition``/``heal``/``loss``/``duplicate`` for a fault action, else None.

    A fault action may say what it is with a ``fault`` attribute on its function (checker.faults);
    otherwise its name's first word decides (``crash_node``, ``drop_message``)."""
    try:
        fn = protocol.action(action_name).fn
    except Exception:  # noqa: BLE001 - Init or an action of another protocol: not a fault
        return None
    marked = getattr(fn, "fault", None)
    if isinstance(marked, str):
        return FAULT_WORDS.get(marked, marked)
    first = action_name.lower().split("_")[0]
    return FAULT_WORDS.get(first)


@dataclass(frozen=True)
class MessageVar:
    """A state variable that holds messages: a set of records, or a map from a node to its inbox."""

    var: str
    kinds: dict[str, RecordType]
    sender: dict[str, str]  # record kind -> field naming the sender
    receiver: dict[str, str]  # record kind -> field naming the receiver
    inbox: bool  # Map(node -> SetOf(records)): the key is the receiver

    def field_domain(self, msg: Any, role: str) -> tuple[str, Domain] | None:
        """(field, its domain) naming the message's sender or receiver (``role``), if any."""
        kind = getattr(msg, "kind", None)
        name = (self.sender if role == "sender" else self.receiver).get(kind)
        if name is None or kind not in self.kinds or name not in self.kinds[kind].fields:
            return None
        return name, self.kinds[kind].fields[name]


@dataclass
class Cast:
    """The processes of a protocol and how its state and messages map onto them."""

    protocol: Protocol
    roles: dict[str, Domain]
    lifelines: list[str]
    role_of: dict[str, str]
    messages: dict[str, MessageVar] = field(default_factory=dict)
    _by_value: dict[tuple[int, Any], str] = field(default_factory=dict)

    def lifeline(self, value: Any, domain: Domain | None = None) -> str | None:
        """The lifeline a value names: by its domain when known, else a node name matches itself."""
        if domain is not None:
            return self._by_value.get((id(domain), value))
        if isinstance(value, str) and value in self.role_of:
            return value
        return None

    def actor(self, step: Step) -> str:
        """The process that takes a step: a lifeline the action's name starts with (``tm_commit`` is
        tm's), else its first parameter that is a process, else the receiver of a message it takes
        (``handle_election(m)`` is m.dst's), else the environment."""
        if step.action == "Init":
            return ENVIRONMENT
        first = step.action.split("_")[0]
        if first in self.role_of and len(step.action) > len(first):
            return first
        specs = declared_params(self.protocol, step.action)
        for name, value in step.params.items():
            spec = specs.get(name)
            dom = getattr(self.protocol, spec, None) if isinstance(spec, str) else spec
            line = self.lifeline(value, dom) if isinstance(dom, Domain) else None
            if line is None and isinstance(value, str):
                line = self.lifeline(value)
            if line is not None:
                return line
        for value in step.params.values():
            for mv in self.messages.values():
                found = mv.field_domain(value, "receiver") if hasattr(value, "_fields") else None
                line = found and self.lifeline(getattr(value, found[0]), found[1])
                if line:
                    return line
        return ENVIRONMENT

    def owner(self, change: Change) -> str | None:
        """The lifeline a changed part of the state belongs to (None: global state)."""
        var = self.protocol.variables[change.var]
        env = getattr(self.protocol, "environment", None)
        if change.var in (getattr(env, "owned", None) or {}):
            return self.lifeline(env.owned[change.var])
        if isinstance(var.domain, Map) and change.key is not None:
            return self.lifeline(change.key, var.domain.keys) or self.lifeline(change.key)
        return None

    def label_of(self, value: Any, domain: Domain) -> str:
        return self._by_value.get((id(domain), value), str(value))


def cast(protocol: Protocol) -> Cast:
    """The cast of a protocol: declared roles and message variables, the rest inferred."""
    roles = dict(protocol.declared_roles) or _inferred_roles(protocol)
    env = getattr(protocol, "environment", None)
    procs = getattr(protocol, getattr(env, "processes", None) or "", None)
    if isinstance(procs, Domain) and all(procs is not d for d in roles.values()):
        roles[_role_name(protocol, procs)] = procs  # the fault environment's processes (2PC's tm)
    lifelines: list[str] = []
    role_of: dict[str, str] = {}
    by_value: dict[tuple[int, Any], str] = {}
    for role, dom in roles.items():
        for value in dom.values():
            name = value if isinstance(value, str) else f"{role} {value}"
            by_value[(id(dom), value)] = name
            if name not in role_of:
                role_of[name] = role
                lifelines.append(name)
    result = Cast(protocol, roles, lifelines, role_of, _by_value=by_value)
    result.messages = _message_vars(protocol, roles)
    return result


def declared_params(protocol: Protocol, action_name: str) -> dict[str, Any]:
    """The domains an action declared for its parameters in @action(...), by name ({} if unknown)."""
    try:
        fn = protocol.action(action_name).fn
    except Exception:  # noqa: BLE001 - unknown action: no declared domains
        return {}
    mark = getattr(fn, "__quorum__", None)
    return dict(mark[1]["params"]) if mark and mark[0] == "action" else {}


def _role_name(protocol: Protocol, dom: Domain) -> str:
    for attr, value in vars(protocol).items():
        if value is dom and not attr.startswith("_"):
            return attr.lower()
    return dom.name


def _inferred_roles(protocol: Protocol) -> dict[str, Domain]:
    roles: dict[str, Domain] = {}
    for var in protocol.variables.values():
        dom = var.domain
        if isinstance(dom, Map) and isinstance(dom.keys, Nodes) and dom.keys not in roles.values():
            roles[_role_name(protocol, dom.keys)] = dom.keys
    return roles


def _record_kinds(dom: Domain) -> list[RecordType]:
    if isinstance(dom, RecordType):
        return [dom]
    if isinstance(dom, Records):
        return list(dom.kinds.values())
    return []


def _per_kind(spec: str | dict[str, str] | None, kinds: list[RecordType]) -> dict[str, str]:
    if isinstance(spec, dict):
        return dict(spec)
    return {k.kind: spec for k in kinds if spec in k.fields} if spec else {}


def _node_field(kinds: list[RecordType], roles: dict[str, Domain], names: tuple[str, ...]) -> dict[str, str]:
    """Per kind, the first conventionally named field ranging over a role."""
    role_domains = {id(d) for d in roles.values()}
    out = {}
    for k in kinds:
        for name in names:
            if id(k.fields.get(name)) in role_domains:
                out[k.kind] = name
                break
    return out


def _message_vars(protocol: Protocol, roles: dict[str, Domain]) -> dict[str, MessageVar]:
    out: dict[str, MessageVar] = {}
    role_ids = {id(d) for d in roles.values()}
    for name, var in protocol.variables.items():
        dom, inbox = var.domain, False
        if isinstance(dom, Map) and isinstance(dom.vals, SetOf) and id(dom.keys) in role_ids:
            dom, inbox = dom.vals, True
        if not isinstance(dom, SetOf):
            continue
        kinds = _record_kinds(dom.of)
        declared = protocol.declared_messages.get(name)
        if declared is not None:
            sender, receiver = _per_kind(declared["sender"], kinds), _per_kind(declared["receiver"], kinds)
        elif any(id(d) in role_ids for k in kinds for d in k.fields.values()):
            sender, receiver = _node_field(kinds, roles, SENDER_FIELDS), _node_field(kinds, roles, RECEIVER_FIELDS)
        else:
            continue
        out[name] = MessageVar(name, {k.kind: k for k in kinds}, sender, receiver, inbox)
    return out
