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

A system is its rule, not a list: ``is_quorum(nodes)`` tests a set, and intersection, failure
tolerance and liveness are computed by arithmetic — counts and weights against what a quorum
needs (two quorums of K1 and K2 out of N meet when K1 + K2 > N; two sets each over half the
weight always meet; a row meets every column), and the smallest fatal failure by sorting
weights — so setting a system up costs nothing however many nodes it has. Its *minimal* quorums
per phase (``phase1``, ``phase2``; supersets of a quorum are quorums too) are listed only when
asked, lazily and in a fixed order (by size, then node order), and at most ``MAX_QUORUMS`` of
them: a model that ranges over every quorum (Paxos's ``Exists(Quorum, ...)``) gets bad input
naming the count instead of an enumeration that never ends. Liveness is the other side: a set of
failed nodes (or whole data centres) is survivable when the nodes left still contain a phase-1
and a phase-2 quorum.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from checker.errors import QuorumError

#: Weighted systems list their minimal quorums by enumerating subsets: at most this many nodes.
MAX_NODES = 16
#: The most minimal quorums one phase may list (a majority of 19 nodes has 92,378).
MAX_QUORUMS = 100_000

SYNTAX = "majority, threshold:K, weighted:W1,W2,..., grid:RxC or flexible:Q1,Q2"


def _count_words(count: int) -> str:
    return f"{count:,}" if count < 10**12 else f"about 10^{int(math.log10(count))}"


class Quorums(Sequence):
    """The minimal quorums of one phase of a system: a membership test, a count, and a list made on
    first use (by size, then node order) that refuses to hold more than ``MAX_QUORUMS``."""

    def __init__(self, system: QuorumSystem, phase: int) -> None:
        self.system, self.phase = system, phase
        self._listed: tuple[frozenset, ...] | None = None

    def __contains__(self, q: object) -> bool:
        return isinstance(q, (set, frozenset)) and self.system.is_minimal(q, self.phase)

    def __len__(self) -> int:
        return self._bounded()

    def __iter__(self) -> Iterator[frozenset]:
        return iter(self._list())

    def __getitem__(self, index):  # an int or a slice, as Sequence has it
        return self._list()[index]

    def _list(self) -> tuple[frozenset, ...]:
        """Listed once, on first use (a model iterates its quorums in every state)."""
        if self._listed is None:
            self._bounded()
            self._listed = tuple(self.system._enumerate(self.phase))
        return self._listed

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Quorums):
            return NotImplemented
        return self.system.rule(self.phase) == other.system.rule(other.phase)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<phase-{self.phase} quorums of {self.system.name}>"

    def _bounded(self) -> int:
        count = self.system.count(self.phase)
        if count > MAX_QUORUMS:
            raise QuorumError(
                f"{self.system.name}: {_count_words(count)} minimal quorums over {len(self.system.nodes)} nodes, too "
                f"many to list (at most {MAX_QUORUMS:,}): a model that ranges over every quorum needs fewer nodes"
                f"{self.system.fewer_nodes(self.phase)}"
            )
        return count


@dataclass(frozen=True)
class QuorumSystem:
    """A quorum rule over named nodes: enough weight per phase (every node weighs 1 unless weighted),
    or, for a grid, a full row plus a full column."""

    name: str
    nodes: tuple[str, ...]
    weights: dict[str, int] = field(default_factory=dict)
    #: weight a quorum needs in phase 1 and phase 2, when quorums are "enough weight" (not grid)
    need: tuple[int, int] | None = None
    #: rows and columns, for a grid
    shape: tuple[int, int] | None = None
    kind: str = "threshold"  # majority | threshold | weighted | grid | flexible

    # -- the rule --------------------------------------------------------------------------

    def rule(self, phase: int) -> tuple:
        """What decides a phase's quorums (two phases with the same rule have the same quorums)."""
        need = None if self.need is None else self.need[phase - 1]
        return self.nodes, tuple(sorted(self.weights.items())), need, self.shape

    @property
    def flexible(self) -> bool:
        return self.need is not None and self.need[0] != self.need[1]

    @cached_property
    def phase1(self) -> Quorums:
        """The minimal phase-1 quorums (listed lazily, at most ``MAX_QUORUMS``)."""
        return Quorums(self, 1)

    @cached_property
    def phase2(self) -> Quorums:
        """The minimal phase-2 quorums (the same as phase 1 unless flexible)."""
        return Quorums(self, 2) if self.flexible else self.phase1

    @cached_property
    def _weight_of(self) -> dict[str, int]:
        return {n: self.weights.get(n, 1) for n in self.nodes}

    @cached_property
    def _total(self) -> int:
        return sum(self._weight_of.values())

    @cached_property
    def _unit(self) -> bool:
        return all(w == 1 for w in self._weight_of.values())

    def weight(self, nodes: Iterable[str]) -> int:
        return sum(self.weights.get(n, 1) for n in nodes)

    def is_quorum(self, nodes: Iterable[str], phase: int = 2) -> bool:
        """Whether ``nodes`` contain a quorum of ``phase`` (membership by arithmetic, no listing)."""
        have = {n for n in nodes if n in self._weight_of}
        if self.shape is not None:
            return self._full_row(have) and self._full_column(have)
        return self.weight(have) >= self.need[phase - 1]

    def is_minimal(self, q: Iterable[str], phase: int = 2) -> bool:
        """Whether ``q`` is a quorum of ``phase`` none of whose proper subsets is one."""
        q = set(q)
        if not q <= self._weight_of.keys() or not self.is_quorum(q, phase):
            return False
        if self.shape is not None:
            rows, cols = self.shape
            return len(q) == rows + cols - 1  # one row and one column, nothing else
        return self.weight(q) - min(self._weight_of[n] for n in q) < self.need[phase - 1]

    def _cells(self) -> list[list[str]]:
        rows, cols = self.shape
        return [[self.nodes[r * cols + c] for c in range(cols)] for r in range(rows)]

    def _full_row(self, up: set) -> bool:
        return any(all(n in up for n in row) for row in self._cells())

    def _full_column(self, up: set) -> bool:
        return any(all(n in up for n in col) for col in zip(*self._cells(), strict=True))

    # -- listing (only when asked) ---------------------------------------------------------

    def count(self, phase: int = 2) -> int:
        """How many minimal quorums ``phase`` has (by arithmetic, except for weighted systems)."""
        if self.shape is not None:
            rows, cols = self.shape
            return rows * cols if rows > 1 and cols > 1 else 1  # one row (or column): every quorum is all nodes
        if self._unit:
            return math.comb(len(self.nodes), self.need[phase - 1])
        if len(self.nodes) > MAX_NODES:
            raise QuorumError(
                f"{self.name}: {len(self.nodes)} nodes; the minimal quorums of a weighted system are found by "
                f"enumerating subsets, so it lists them for at most {MAX_NODES} nodes"
            )
        return sum(1 for _ in self._enumerate(phase))

    def _enumerate(self, phase: int) -> Iterator[frozenset]:
        if self.shape is not None:
            cells = self._cells()
            rows, cols = self.shape
            if rows == 1 or cols == 1:
                yield frozenset(self.nodes)
                return
            for r in range(rows):  # row by row, then column by column
                for c in range(cols):
                    yield frozenset(cells[r]) | frozenset(cells[i][c] for i in range(rows))
            return
        need = self.need[phase - 1]
        if self._unit:
            for combo in itertools.combinations(self.nodes, need):
                yield frozenset(combo)
            return
        w = self._weight_of
        for size in range(1, len(self.nodes) + 1):
            for combo in itertools.combinations(self.nodes, size):
                total = sum(w[n] for n in combo)
                if total >= need and total - min(w[n] for n in combo) < need:
                    yield frozenset(combo)

    def fewer_nodes(self, phase: int) -> str:
        """Advice for a system too large to list: the most nodes of its kind that list few enough."""
        if self.shape is not None or not self._unit:
            return ""
        k = self.need[phase - 1]
        n = len(self.nodes)
        while n > 1:
            n -= 1
            size = n // 2 + 1 if self.kind == "majority" else k
            if size <= n and math.comb(n, size) <= MAX_QUORUMS:
                return f" (a {self.kind} over {n} nodes has {math.comb(n, size):,})"
        return ""

    # -- intersection and failures, by arithmetic ------------------------------------------

    def disjoint_pair(self) -> tuple[frozenset, frozenset] | None:
        """A phase-1 and a phase-2 quorum with no node in common, or None when all pairs meet.

        The pair is the first one in listing order: the first phase-1 quorum that misses some
        phase-2 quorum, and the first phase-2 quorum it misses."""
        if self.shape is not None:
            return None  # a full row meets every full column
        one, two = self.need
        if one + two > self._total:
            return None  # two disjoint sets would need more weight than there is
        if self._unit:
            return frozenset(self.nodes[:one]), frozenset(self.nodes[one:one + two])
        for q1 in self.phase1:  # weighted systems need over half the weight: not reached by ``weighted``
            for q2 in self.phase2:
                if not q1 & q2:
                    return q1, q2
        return None

    def live(self, failed: Iterable[str]) -> bool:
        """The nodes left after ``failed`` still hold a phase-1 and a phase-2 quorum."""
        down = set(failed)
        up = {n for n in self.nodes if n not in down}
        if self.shape is not None:
            return self._full_row(up) and self._full_column(up)
        return self.weight(up) >= max(self.need)

    def smallest_fatal_failure(self) -> frozenset:
        """A smallest set of nodes whose failure leaves no quorum (tolerance is its size - 1): the
        first such set in node order, found by arithmetic (a grid: a node in every row, or in every
        column; otherwise the fewest heaviest nodes, then the earliest nodes that weigh enough)."""
        if self.shape is not None:
            rows, cols = self.shape
            cells = self._cells()
            # fewer rows: one node per row (the first column) kills every row; else the first row every column
            return frozenset(cells[r][0] for r in range(rows)) if rows < cols else frozenset(cells[0])
        w = [self._weight_of[n] for n in self.nodes]
        needed = self._total - max(self.need) + 1  # the weight a fatal failure takes away
        heaviest = itertools.accumulate(sorted(w, reverse=True))
        size = next(i for i, taken in enumerate(heaviest, 1) if taken >= needed)
        if self._unit:
            return frozenset(self.nodes[:size])
        return frozenset(self.nodes[i] for i in _first_heavy_combination(w, size, needed))


def _first_heavy_combination(w: list[int], size: int, needed: int) -> list[int]:
    """The first ``size``-combination of indices (in ``itertools.combinations`` order) whose weights
    sum to at least ``needed``: at each position the earliest index that can still be completed,
    judged by the heaviest weights after it."""
    chosen: list[int] = []
    acc, start, n = 0, 0, len(w)
    for pos in range(size):
        left = size - pos - 1  # indices still to choose after this one
        best_after = [0] * (n + 1)  # best_after[i]: the sum of the `left` largest weights in w[i:]
        heap: list[int] = []
        running = 0
        for i in range(n - 1, -1, -1):
            if left:
                if len(heap) < left:
                    heapq.heappush(heap, w[i])
                    running += w[i]
                elif w[i] > heap[0]:
                    running += w[i] - heapq.heapreplace(heap, w[i])
            best_after[i] = running
        for i in range(start, n - left):
            if acc + w[i] + best_after[i + 1] >= needed:
                chosen.append(i)
                acc += w[i]
                start = i + 1
                break
    return chosen


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


def dc_losses(system: QuorumSystem, dcs: dict[str, Sequence[str]], count: int) -> Iterator[DCLoss]:
    """Every way of losing ``count`` whole data centres, with what survives (lazily, in order)."""
    for lost in itertools.combinations(dcs, count):
        failed = {n for dc in lost for n in dcs[dc]}
        up = tuple(n for n in system.nodes if n not in failed)
        yield DCLoss(lost, up, system.weight(up), system.live(failed))


def worst_dc_loss(system: QuorumSystem, dcs: dict[str, Sequence[str]], count: int) -> DCLoss | None:
    """A loss of ``count`` data centres that leaves no quorum, or None if every such loss leaves one.

    By arithmetic where quorums are "enough weight" (the heaviest data centres are the worst to
    lose); a grid tries every loss."""
    if system.shape is not None:
        return next((o for o in dc_losses(system, dcs, count) if not o.live), None)
    heaviest = sorted(dcs, key=lambda dc: (-system.weight(dcs[dc]), list(dcs).index(dc)))[:count]
    lost = tuple(dc for dc in dcs if dc in heaviest)
    failed = {n for dc in lost for n in dcs[dc]}
    up = tuple(n for n in system.nodes if n not in failed)
    loss = DCLoss(lost, up, system.weight(up), system.live(failed))
    return None if loss.live else loss


# -- building systems ----------------------------------------------------------------------------


def _check_k(nodes: Sequence[str], k: int, what: str) -> None:
    if not nodes:
        raise QuorumError(f"{what}: a quorum system needs at least one node")
    if not 1 <= k <= len(nodes):
        raise QuorumError(f"{what}: a quorum of {k} is impossible with {len(nodes)} nodes; use 1..{len(nodes)}")


def majority(nodes: Sequence[str]) -> QuorumSystem:
    k = len(nodes) // 2 + 1
    _check_k(nodes, k, "majority")
    return QuorumSystem(f"majority ({k} of {len(nodes)})", tuple(nodes), need=(k, k), kind="majority")


def threshold(nodes: Sequence[str], k: int) -> QuorumSystem:
    _check_k(nodes, k, f"threshold:{k}")
    return QuorumSystem(f"any {k} of {len(nodes)}", tuple(nodes), need=(k, k), kind="threshold")


def weighted(nodes: Sequence[str], weights: Sequence[int]) -> QuorumSystem:
    if len(weights) != len(nodes) or any(w < 0 for w in weights) or not any(weights):
        raise QuorumError(
            f"weighted:{','.join(map(str, weights))}: give one non-negative weight per node "
            f"({len(nodes)} nodes), not all zero"
        )
    w = dict(zip(nodes, weights, strict=True))
    need = sum(weights) // 2 + 1
    return QuorumSystem(f"weighted (weight {need} of {sum(weights)})", tuple(nodes), w, (need, need), kind="weighted")


def grid(nodes: Sequence[str], rows: int, cols: int) -> QuorumSystem:
    if rows < 1 or cols < 1 or rows * cols != len(nodes):
        raise QuorumError(f"grid:{rows}x{cols} needs {rows * cols} nodes, not {len(nodes)}")
    return QuorumSystem(f"grid {rows}x{cols} (a full row and a full column)", tuple(nodes), shape=(rows, cols),
                        kind="grid")


def flexible(nodes: Sequence[str], q1: int, q2: int) -> QuorumSystem:
    _check_k(nodes, q1, f"flexible:{q1},{q2} phase 1")
    _check_k(nodes, q2, f"flexible:{q1},{q2} phase 2")
    name = f"flexible (phase 1: {q1} of {len(nodes)}, phase 2: {q2} of {len(nodes)})"
    return QuorumSystem(name, tuple(nodes), need=(q1, q2), kind="flexible")


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
