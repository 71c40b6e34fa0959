"""The shared fault vocabulary: network and process faults as building blocks, selected per spec.

A protocol says what the building blocks act on with an ``Environment`` (its network variable,
its crashable processes, what survives a restart); a spec then picks faults by name::

    faults = ["loss", "duplication", "reordering", "crash-restart", "partition", "link-cut"]

Each fault is ordinary protocol state and ordinary actions (``lose``, ``crash``, ``restart``,
``partition``, ``heal``, ``cut_link``, ``heal_link``), written with the DSL helpers, so every
engine reads them, coverage counts them and traces show them. The protocol's own actions consult
the fault state through ``self.faults``: ``up(s, n)`` (n has not crashed), ``connected(s, a, b)``
(a and b can talk), ``deliverable(s, m)`` (m may be received now) and ``receive(s, m)`` (the
network once m is taken: with duplication the message stays).

``partition`` cuts the processes into groups: reachability stays transitive. ``link-cut`` cuts
single links, so a–b and b–c may work while a–c is cut: the *non-transitive* partition, in which
two processes that cannot see each other both see a third (a network misconfiguration, one
broken switch port). ``Environment.cuts`` bounds how many links are cut at once.

Without faults the network delivers every message exactly once, never out of the order the
protocol declares (``Environment.order``), between processes that never crash.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from checker.dsl.domains import Bool, Enum, Map, Range, SetOf
from checker.dsl.logic import And, Count, Exists, ForAll, Implies, Member, Not, Term
from checker.dsl.params import From
from checker.errors import QuorumError, suggest

if TYPE_CHECKING:
    from checker.dsl.protocol import Protocol

FAULTS = {
    "loss": "the network may drop any message in flight",
    "duplication": "a received message stays in the network and may be received again, later (implies reordering)",
    "reordering": "messages on a channel may overtake each other",
    "crash": "a process may stop for good; it takes no step and receives nothing",
    "crash-restart": "a process may crash and later restart with only its durable variables",
    "partition": "the network may cut the processes into groups that cannot talk, and later heal",
    "link-cut": "the network may cut the link between two processes, and later heal it: a partition that need "
                "not be transitive",
}

NEEDS = {
    "loss": "network",
    "duplication": "network",
    "reordering": "network",
    "crash": "processes",
    "crash-restart": "processes",
    "partition": "processes",
    "link-cut": "processes",
}


@dataclass(frozen=True)
class Environment:
    """What a protocol exposes to the fault building blocks.

    - ``network``: the ``SetOf`` state variable of messages in flight;
    - ``sender``/``receiver``: the message fields naming the two ends of a channel;
    - ``order``: a message field that grows along a channel (e.g. Raft's term), so that without
      ``reordering`` no message overtakes an earlier one; ``None``: the network is unordered;
    - ``processes``: the protocol attribute (a domain) of the processes that can crash or be cut off;
    - ``durable``: the variables that survive a crash-restart (everything else a process owns
      goes back to its initial value);
    - ``owned``: scalar variables owned by one process (``{"tmState": "tm"}``); a ``Map`` keyed by
      the processes is owned entry by entry;
    - ``cuts``: under ``link-cut``, the most links cut at once (``None``: any number). Five
      processes have ten links, 1,024 ways to cut them; a bound keeps the product with the
      protocol's own state small while every pattern up to that many cuts is still met.
    """

    network: str | None = None
    sender: str = "src"
    receiver: str = "dst"
    order: str | None = None
    processes: str | None = None
    durable: tuple[str, ...] = ()
    owned: dict[str, Any] = field(default_factory=dict)
    cuts: int | None = None


def hostable(protocol: Protocol) -> list[str]:
    """The faults a protocol's ``environment`` can host (what ``quorum list`` shows)."""
    env = protocol.environment
    if env is None:
        return []
    return [name for name, need in NEEDS.items()
            if getattr(env, need) is not None and (name != "reordering" or env.order is not None)]


def select(protocol_name: str, names: Iterable[Any]) -> tuple[str, ...]:
    """Validated fault names, in vocabulary order (``faults = [...]`` of a spec)."""
    if isinstance(names, str):
        names = [names]
    chosen = []
    for name in names:
        if name not in FAULTS:
            raise QuorumError(
                f"{protocol_name}: unknown fault {name!r}." + suggest(str(name), FAULTS)
                + f" The faults are: {', '.join(FAULTS)}."
            )
        chosen.append(name)
    return tuple(f for f in FAULTS if f in chosen)


class Faults:
    """The faults selected for one protocol instance: their state variables, actions and helpers."""

    def __init__(self, protocol: Protocol, names: Iterable[Any]) -> None:
        self.protocol = protocol
        self.name = type(protocol).__name__
        self.selected = select(self.name, names)
        self.env: Environment = protocol.environment or Environment()
        self._check_environment()
        self.crash = "crash" in self.selected or "crash-restart" in self.selected
        self.restart = "crash-restart" in self.selected
        self.partition = "partition" in self.selected
        self.duplication = "duplication" in self.selected
        self.ordered = self.env.order is not None and not (
            "reordering" in self.selected or self.duplication
        )
        self.nodes = getattr(protocol, self.env.processes) if self.env.processes else None
        self.link_cut = "link-cut" in self.selected
        self.links: dict[tuple[Any, Any], str] = {}  # (a, b) and (b, a) -> the link's name, "a-b"
        if self.link_cut:
            for a, b in itertools.combinations(self.nodes.values(), 2):
                self.links[a, b] = self.links[b, a] = f"{a}-{b}"

    def __contains__(self, name: str) -> bool:
        return name in self.selected

    def _check_environment(self) -> None:
        env, where = self.env, f"{self.name}.environment"
        for fault in self.selected:
            need = NEEDS[fault]
            if getattr(env, need) is None:
                raise QuorumError(
                    f"{self.name}: fault {fault!r} needs the protocol to declare its {need} "
                    f"(set self.environment = Environment({need}=...) in setup())"
                )
        if "reordering" in self.selected and env.order is None:
            raise QuorumError(
                f"{self.name}: its network already delivers in any order (no Environment.order), "
                "so 'reordering' adds nothing: drop it from faults"
            )
        if env.network is not None:
            var = self.protocol.variables.get(env.network)
            if var is None or not isinstance(var.domain, SetOf):
                raise QuorumError(
                    f"{where}: network={env.network!r} must name a SetOf state variable."
                    + suggest(env.network, self.protocol.variables)
                )
        if env.processes is not None and not hasattr(self.protocol, env.processes):
            raise QuorumError(f"{where}: processes={env.processes!r} is no domain that setup() defines")
        if env.cuts is not None and (isinstance(env.cuts, bool) or not isinstance(env.cuts, int) or env.cuts < 1):
            raise QuorumError(f"{where}: cuts={env.cuts!r} must be a number of links of at least 1, or None for any")
        for var in (*env.durable, *env.owned):
            if var not in self.protocol.variables:
                raise QuorumError(f"{where}: {var!r} is no state variable." + suggest(var, self.protocol.variables))

    # -- state -------------------------------------------------------------------------------

    def declare_variables(self) -> None:
        """The fault state: which processes are up, which group each process is in, which links are cut."""
        if self.crash:
            self.protocol.var("up", Map(self.nodes, Bool()), init=True)
        if self.partition:
            self.protocol.var("group", Map(self.nodes, Range(0, len(self.nodes) - 1)), init=0)
        if self.link_cut:
            self.protocol.var("cut", SetOf(Enum(*self.link_names())), init=())

    def link_names(self) -> list[str]:
        """Every link between two processes, "a-b" with a before b in the processes' order."""
        return list(dict.fromkeys(self.links.values()))

    # -- helpers for the protocol's actions --------------------------------------------------

    def up(self, s: Any, node: Any) -> Any:
        """``node`` has not crashed (always, without a crash fault)."""
        return s.up[node] if self.crash else True

    def connected(self, s: Any, a: Any, b: Any) -> Any:
        """``a`` and ``b`` can talk: on the same side of any partition, and the link between them not cut."""
        return And(s.group[a] == s.group[b] if self.partition else True,
                   self._link_up(s, a, b) if self.link_cut else True)

    def _link_up(self, s: Any, a: Any, b: Any) -> Any:
        """The link a-b is not cut (a process always reaches itself). Concrete ends, the common
        case (action parameters, message fields), look the link up; a symbolic end ranges over the links."""
        if isinstance(a, Term) or isinstance(b, Term):
            return ForAll(self.links.items(), lambda item: Implies(
                And(a == item[0][0], b == item[0][1]), Not(Member(item[1], s.cut))))
        return a == b or Not(Member(self.links[a, b], s.cut))

    def deliverable(self, s: Any, m: Any) -> Any:
        """Message ``m`` may be received now: its receiver is up and reachable, and (on an ordered
        network) no message sent earlier on the same channel is still in flight."""
        src, dst = getattr(m, self.env.sender), getattr(m, self.env.receiver)
        conds = [self.up(s, dst), self.connected(s, src, dst)]
        if self.ordered:
            key = self.env.order
            network = getattr(s, self.env.network)
            conds.append(Not(Exists(network, lambda x: And(
                getattr(x, self.env.sender) == src,
                getattr(x, self.env.receiver) == dst,
                getattr(x, key) < getattr(m, key),
            ))))
        return And(*conds)

    def receive(self, s: Any, m: Any) -> Any:
        """The network once ``m`` is received: without it, unless messages can be duplicated."""
        network = getattr(s, self.env.network)
        return network if self.duplication else network - {m}

    # -- actions -----------------------------------------------------------------------------

    def add_actions(self) -> None:
        p = self.protocol
        if "loss" in self.selected:
            p.add_action("lose", self._lose, FAULTS["loss"], m=_from(self.env.network))
        if self.crash:
            p.add_action("crash", self._crash, "process n crashes", n=self.nodes)
        if self.restart:
            p.add_action("restart", self._restart, "process n restarts with only its durable state", n=self.nodes)
        if self.partition:
            p.add_action("partition", self._partition, "the network splits into groups", groups=self._splits())
            p.add_action("heal", self._heal, "the partition heals")
        if self.link_cut:
            names = self.link_names()
            p.add_action("cut_link", _drawn_as("partition", self._cut_link), "the link between two processes is cut",
                         link=names)
            p.add_action("heal_link", self._heal_link, "a cut link works again", link=names)

    def _lose(self, s: Any, m: Any) -> Any:
        return s.update(**{self.env.network: getattr(s, self.env.network) - {m}})

    def _crash(self, s: Any, n: Any) -> Any:
        if s.guard(s.up[n]):
            return s.update(up=s.up.set(n, False))
        return None

    def _restart(self, s: Any, n: Any) -> Any:
        if s.guard(Not(s.up[n])):
            changes: dict[str, Any] = {"up": s.up.set(n, True)}
            for name, var in self.protocol.variables.items():
                if name in self.env.durable:
                    continue
                if self.env.owned.get(name) == n:
                    changes[name] = var.init
                elif isinstance(var.domain, Map) and var.domain.keys is self.nodes:
                    changes[name] = getattr(s, name).set(n, var.init[n])
            return s.update(**changes)
        return None

    def _splits(self) -> list:
        """Every way to cut the processes into two or more groups, as a map process -> group."""
        nodes = list(self.nodes.values())
        domain = self.protocol.variables["group"].domain
        cuts = []
        for labels in itertools.product(range(len(nodes)), repeat=len(nodes)):
            canonical = labels[0] == 0 and all(
                lab <= max(labels[:i], default=-1) + 1 for i, lab in enumerate(labels)
            )
            if canonical and max(labels) > 0:
                cuts.append(domain.make(dict(zip(nodes, labels, strict=True))))
        return cuts

    def _healed(self, s: Any) -> Any:
        return ForAll(self.nodes, lambda n: s.group[n] == 0)

    def _partition(self, s: Any, groups: Any) -> Any:
        if s.guard(self._healed(s)):
            return s.update(group=groups)
        return None

    def _heal(self, s: Any) -> Any:
        if s.guard(Not(self._healed(s))):
            return s.update(group=self.protocol.variables["group"].init)
        return None

    def _cut_link(self, s: Any, link: str) -> Any:
        room = True if self.env.cuts is None else Count(s.cut) < self.env.cuts
        if s.guard(And(Not(Member(link, s.cut)), room)):
            return s.update(cut=s.cut | {link})
        return None

    def _heal_link(self, s: Any, link: str) -> Any:
        if s.guard(Member(link, s.cut)):
            return s.update(cut=s.cut - {link})
        return None


def _drawn_as(kind: str, fn: Any) -> Any:
    """``fn`` marked as a fault of ``kind`` for diagrams (``checker.render.roles.fault_kind``): a cut
    link is drawn as the partition it is part of."""

    def step(s: Any, *params: Any) -> Any:
        return fn(s, *params)

    step.fault = kind
    return step


def _from(var: str) -> Any:

    return From(var)
