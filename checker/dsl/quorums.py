"""Quorum systems: which sets of nodes may act for the whole cluster, and what that costs.

Consensus is safe because any two quorums that must agree share a node: the node that voted in
both remembers the first decision. A majority of 7 is 4, and two sets of 4 out of 7 always meet.
"2 of 4" is not a majority: {n1, n2} and {n3, n4} are both quorums and share nobody — two leaders
can each believe they have a quorum (the seed's opening story).

Systems here:
  majority          more than half the nodes
  threshold:K       any K nodes (a majority only when 2K > N)
  weighted:w1,...   more than half the total weight (w1 for n1, ...)
  grid:RxC          the nodes in an R x C grid; a quorum is one full row plus one full column
  flexible:Q1,Q2    Flexible Paxos: phase-1 quorums of Q1 nodes, phase-2 quorums of Q2 nodes;
                    only phase-1 and phase-2 quorums must meet, so Q1 + Q2 > N suffices

Each system lists its *minimal* quorums per phase (supersets of a quorum are quorums too, and a
pair of minimal quorums meets whenever all larger ones do). Liveness is the other side: a set of
failed nodes (or whole data centres) is survivable when the nodes left still contain a phase-1 and
a phase-2 quorum.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from checker.errors import QuorumError

#: Enumerating subsets is exponential; weighted and grid systems are for small clusters.
MAX_NODES = 16

SYNTAX = "majority, threshold:K, weighted:W1,W2,..., grid:RxC or flexible:Q1,Q2"


@dataclass(frozen=True)
class QuorumSystem:
    """Minimal phase-1 and phase-2 quorums over named nodes (the same sets unless flexible)."""

    name: str
    nodes: tuple[str, ...]
    phase1: tuple[frozenset, ...]
    phase2: tuple[frozenset, ...]
    weights: dict[str, int] = field(default_factory=dict)
    #: weight a quorum needs in phase 1 and phase 2, when quorums are "enough weight" (not grid)
    need: tuple[int, int] | None = None

    @property
    def flexible(self) -> bool:
        return self.phase1 != self.phase2

    def weight(self, nodes: Iterable[str]) -> int:
        return sum(self.weights.get(n, 1) for n in nodes)

    def disjoint_pair(self) -> tuple[frozenset, frozenset] | None:
        """A phase-1 and a phase-2 quorum with no node in common, or None when all pairs meet."""
        for q1 in self.phase1:
            for q2 in self.phase2:
                if not q1 & q2:
                    return q1, q2
        return None

    def live(self, failed: Iterable[str]) -> bool:
        """The nodes left after ``failed`` still hold a phase-1 and a phase-2 quorum."""
        up = frozenset(self.nodes) - frozenset(failed)
        return any(q <= up for q in self.phase1) and any(q <= up for q in self.phase2)

    def smallest_fatal_failure(self) -> frozenset:
        """A smallest set of nodes whose failure leaves no quorum (tolerance is its size - 1)."""
        sizes = range(len(self.nodes) + 1)  # failing every node always leaves no quorum
        return next(
            frozenset(failed)
            for size in sizes
            for failed in itertools.combinations(self.nodes, size)
            if not self.live(failed)
        )


@dataclass(frozen=True)
class DCLoss:
    """What is left after losing some data centres."""

    lost: tuple[str, ...]
    live_nodes: tuple[str, ...]
    live_weight: int
    live: bool


def node_order(node: str) -> tuple[str, int]:
    """Sort key: n2 before n10."""
    head = node.rstrip("0123456789")
    return head, int(node[len(head):] or 0)


def show_nodes(nodes: Iterable[str]) -> str:
    return "{" + ", ".join(sorted(nodes, key=node_order)) + "}"


def placement(spec: str, prefix: str = "n") -> dict[str, tuple[str, ...]]:
    """``"3-2-2"`` -> dc1: n1 n2 n3, dc2: n4 n5, dc3: n6 n7 (nodes numbered in order)."""
    try:
        sizes = [int(part) for part in spec.split("-")]
    except ValueError:
        raise QuorumError(f"placement {spec!r}: write the nodes per data centre, e.g. --dcs 3-2-2") from None
    if not sizes or any(k < 1 for k in sizes):
        raise QuorumError(f"placement {spec!r}: every data centre needs at least one node, e.g. --dcs 3-2-2")
    dcs, start = {}, 1
    for i, k in enumerate(sizes, 1):
        dcs[f"dc{i}"] = tuple(f"{prefix}{j}" for j in range(start, start + k))
        start += k
    return dcs


def dc_losses(system: QuorumSystem, dcs: dict[str, Sequence[str]], count: int) -> list[DCLoss]:
    """Every way of losing ``count`` whole data centres, with what survives."""
    out = []
    for lost in itertools.combinations(dcs, count):
        failed = {n for dc in lost for n in dcs[dc]}
        up = tuple(n for n in system.nodes if n not in failed)
        out.append(DCLoss(lost, up, system.weight(up), system.live(failed)))
    return out


# -- building systems ----------------------------------------------------------------------------


def _minimal(nodes: Sequence[str], is_quorum) -> tuple[frozenset, ...]:
    """The minimal sets satisfying a monotone ``is_quorum``, by enumerating subsets."""
    if len(nodes) > MAX_NODES:
        raise QuorumError(f"{len(nodes)} nodes: this quorum system is enumerated, so at most {MAX_NODES}")
    found: list[frozenset] = []
    for size in range(1, len(nodes) + 1):
        for combo in itertools.combinations(nodes, size):
            q = frozenset(combo)
            if is_quorum(q) and not any(m <= q for m in found):
                found.append(q)
    return tuple(found)


def _any_k(nodes: Sequence[str], k: int, what: str) -> tuple[frozenset, ...]:
    if not 1 <= k <= len(nodes):
        raise QuorumError(f"{what}: a quorum of {k} is impossible with {len(nodes)} nodes; use 1..{len(nodes)}")
    return tuple(frozenset(c) for c in itertools.combinations(nodes, k))


def majority(nodes: Sequence[str]) -> QuorumSystem:
    k = len(nodes) // 2 + 1
    qs = _any_k(nodes, k, "majority")
    return QuorumSystem(f"majority ({k} of {len(nodes)})", tuple(nodes), qs, qs, need=(k, k))


def threshold(nodes: Sequence[str], k: int) -> QuorumSystem:
    qs = _any_k(nodes, k, f"threshold:{k}")
    return QuorumSystem(f"any {k} of {len(nodes)}", tuple(nodes), qs, qs, need=(k, k))


def weighted(nodes: Sequence[str], weights: Sequence[int]) -> QuorumSystem:
    if len(weights) != len(nodes) or any(w < 0 for w in weights) or not any(weights):
        raise QuorumError(
            f"weighted:{','.join(map(str, weights))}: give one non-negative weight per node "
            f"({len(nodes)} nodes), not all zero"
        )
    w = dict(zip(nodes, weights, strict=True))
    need = sum(weights) // 2 + 1
    qs = _minimal(nodes, lambda q: sum(w[n] for n in q) >= need)
    return QuorumSystem(f"weighted (weight {need} of {sum(weights)})", tuple(nodes), qs, qs, w, (need, need))


def grid(nodes: Sequence[str], rows: int, cols: int) -> QuorumSystem:
    if rows < 1 or cols < 1 or rows * cols != len(nodes):
        raise QuorumError(f"grid:{rows}x{cols} needs {rows * cols} nodes, not {len(nodes)}")
    cell = [[nodes[r * cols + c] for c in range(cols)] for r in range(rows)]
    qs = tuple(
        frozenset(cell[r]) | frozenset(cell[i][c] for i in range(rows)) for r in range(rows) for c in range(cols)
    )
    return QuorumSystem(f"grid {rows}x{cols} (a full row and a full column)", tuple(nodes), qs, qs)


def flexible(nodes: Sequence[str], q1: int, q2: int) -> QuorumSystem:
    one = _any_k(nodes, q1, f"flexible:{q1},{q2} phase 1")
    two = _any_k(nodes, q2, f"flexible:{q1},{q2} phase 2")
    name = f"flexible (phase 1: {q1} of {len(nodes)}, phase 2: {q2} of {len(nodes)})"
    return QuorumSystem(name, tuple(nodes), one, two, need=(q1, q2))


def parse(text: str, nodes: Sequence[str]) -> QuorumSystem:
    """A quorum system from its short form (see ``SYNTAX``) over the given nodes."""
    kind, _, arg = text.strip().partition(":")
    try:
        if kind == "majority" and not arg:
            return majority(nodes)
        if kind == "threshold":
            return threshold(nodes, int(arg))
        if kind == "weighted":
            return weighted(nodes, [int(w) for w in arg.split(",")])
        if kind == "grid":
            rows, _, cols = arg.lower().partition("x")
            return grid(nodes, int(rows), int(cols))
        if kind == "flexible":
            q1, _, q2 = arg.partition(",")
            return flexible(nodes, int(q1), int(q2))
    except ValueError:
        pass
    raise QuorumError(f"quorum system {text!r}: write {SYNTAX}")
