"""``quorum quorums``: do the quorums intersect, and which failures leave a live quorum?

    quorum quorums majority --dcs 3-2-2      # the seed's quiz 6: survives any one data centre
    quorum quorums majority --dcs 5-1-1      # losing dc1 leaves 2 of the needed 4
    quorum quorums threshold:2 -n 4          # 2 of 4 is not a majority: a disjoint pair

Exit code 0 when every required pair of quorums intersects, 1 when one does not (a split brain
is possible), 2 on bad input.

Everything is arithmetic on the system's rule (``checker.dsl.quorums``), never a list of its
quorums, so a majority of 40 or 40,000 nodes answers at once. Data-centre losses are listed up to
``MAX_DC_LOSSES`` lines (the verdict covers them all).
"""

from __future__ import annotations

import json
import math
import sys

import click

from checker.dsl.quorums import (
    SYNTAX,
    QuorumSystem,
    dc_losses,
    node_order,
    parse,
    placement,
    show_nodes,
    worst_dc_loss,
)
from checker.errors import QuorumError

#: The most nodes the command takes (a system of more is a typo, and its report would be unreadable).
MAX_NODES = 100_000
#: The most data-centre losses listed one per line (the survival verdict still covers every loss).
MAX_DC_LOSSES = 1_000
#: A grid tries every loss of k data centres (no arithmetic shortcut): at most this many in all.
MAX_GRID_DC_LOSSES = 100_000


def _implied_size(text: str) -> int | None:
    """The node count a system's own arguments fix (weights, grid shape), if any."""
    kind, _, arg = text.partition(":")
    try:
        if kind == "weighted":
            return len(arg.split(","))
        if kind == "grid":
            rows, _, cols = arg.lower().partition("x")
            return int(rows) * int(cols)
    except ValueError:
        raise QuorumError(f"quorum system {text!r}: write {SYNTAX}") from None
    return None


def _node_count(text: str, nodes: int | None, dcs: dict[str, tuple[str, ...]] | None) -> int:
    sizes = {
        "-n": nodes,
        "--dcs": sum(map(len, dcs.values())) if dcs else None,
        text: _implied_size(text),
    }
    given = {k: v for k, v in sizes.items() if v is not None}
    if not given:
        raise QuorumError(f"{text}: how many nodes? give -n N or a placement such as --dcs 3-2-2")
    if len(set(given.values())) > 1:
        raise QuorumError("node counts disagree: " + ", ".join(f"{k} gives {v}" for k, v in given.items()))
    return next(iter(given.values()))


def _weighted(system: QuorumSystem) -> bool:
    return any(w != 1 for w in system.weights.values())


def _left(system: QuorumSystem, loss: dict) -> str:
    """What a loss leaves, next to what a quorum needs: "2 nodes left, 4 needed"."""
    if _weighted(system):
        left = f"weight {loss['live_weight']} left"
    else:
        count = len(loss["live_nodes"])
        left = f"{count} node{'s' if count != 1 else ''} left"
    if system.need is None:
        return left
    one, two = system.need
    return f"{left}, {one} needed" if one == two else f"{left} (phase 1 needs {one}, phase 2 needs {two})"


def analyse(system: QuorumSystem, dcs: dict[str, tuple[str, ...]] | None) -> dict:
    """Everything the command reports, as a JSON-ready document."""
    pair = system.disjoint_pair()
    fatal = system.smallest_fatal_failure()
    doc: dict = {
        "system": system.name,
        "nodes": list(system.nodes),
        "intersect": pair is None,
        "disjoint_pair": None if pair is None else [sorted(q, key=node_order) for q in pair],
        "tolerates_node_failures": len(fatal) - 1,
        "fatal_node_failure": sorted(fatal, key=node_order),
        "needed": system.need,
    }
    if dcs:
        doc["placement"] = {dc: list(ns) for dc, ns in dcs.items()}
        if system.shape is not None and 2 ** len(dcs) > MAX_GRID_DC_LOSSES:
            raise QuorumError(f"--dcs with {len(dcs)} data centres: a grid is checked against every loss of whole "
                              f"data centres, at most {MAX_GRID_DC_LOSSES:,} of them; use fewer data centres")
        losses, survives, omitted = [], 0, 0
        for count in range(1, len(dcs)):
            ways = math.comb(len(dcs), count)
            if len(losses) + ways <= MAX_DC_LOSSES:
                losses += [
                    {"lost": list(o.lost), "live_nodes": list(o.live_nodes), "live_weight": o.live_weight,
                     "live": o.live}
                    for o in dc_losses(system, dcs, count)
                ]
            else:
                omitted += ways
            if survives == count - 1 and worst_dc_loss(system, dcs, count) is None:
                survives = count
        doc["dc_losses"] = losses
        doc["survives_dc_losses"] = survives
        if omitted:
            doc["dc_losses_not_listed"] = omitted
    return doc


def _print(system: QuorumSystem, doc: dict) -> None:
    first, last = doc["nodes"][0], doc["nodes"][-1]
    click.echo(f"quorum system: {doc['system']} over {first}..{last}")
    if "placement" in doc:
        click.echo("placement: " + ", ".join(f"{dc} {show_nodes(ns)}" for dc, ns in doc["placement"].items()))
    if doc["intersect"]:
        pairs = "every phase-1 quorum meets every phase-2 quorum" if system.flexible else "any two quorums share a node"
        click.echo(f"intersection: {pairs}")
    else:
        a, b = doc["disjoint_pair"]
        click.echo(f"intersection: NO — {show_nodes(a)} and {show_nodes(b)} are both quorums and share no node:")
        click.echo("  two leaders can each believe they have a quorum (split brain)")
    f = doc["tolerates_node_failures"]
    click.echo(
        f"node failures: survives any {f}; losing {show_nodes(doc['fatal_node_failure'])} leaves no quorum"
    )
    if "placement" in doc:
        click.echo("data-centre failures:")
        for loss in doc["dc_losses"]:
            verdict = "quorum" if loss["live"] else "NO quorum"
            click.echo(f"  lose {'+'.join(loss['lost'])}: {_left(system, loss)}: {verdict}")
        if doc.get("dc_losses_not_listed"):
            click.echo(f"  … and {doc['dc_losses_not_listed']:,} more ways to lose data centres (not listed)")
        k, total = doc["survives_dc_losses"], len(doc["placement"])
        if k:
            click.echo(f"survives the loss of any {k} of {total} data centres")
        else:
            fatal = next(dc for dc, ns in doc["placement"].items() if not system.live(ns))
            click.echo(f"does not survive the loss of one data centre: losing {fatal} leaves no quorum")


@click.command(name="quorums")
@click.argument("system", default="majority")
@click.option("-n", "--nodes", type=int, default=None, help="number of nodes n1..nN")
@click.option("--dcs", default=None, help="nodes per data centre, in order, e.g. 3-2-2")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
def command(system: str, nodes: int | None, dcs: str | None, as_json: bool) -> None:
    """Check a quorum system: intersection, and which node or data-centre failures it survives.

    SYSTEM is majority, threshold:K, weighted:W1,W2,..., grid:RxC or flexible:Q1,Q2.
    """
    where = placement(dcs) if dcs else None
    count = _node_count(system, nodes, where)
    if count < 1:
        raise QuorumError(f"-n {count}: a quorum system needs at least one node")
    if count > MAX_NODES:
        raise QuorumError(f"-n {count}: at most {MAX_NODES:,} nodes")
    qs = parse(system, [f"n{i}" for i in range(1, count + 1)])
    doc = analyse(qs, where)
    if as_json:
        click.echo(json.dumps(doc, indent=2))
    else:
        _print(qs, doc)
    sys.exit(0 if doc["intersect"] else 1)
