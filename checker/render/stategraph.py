"""The state space around a trace as a graph: states as nodes labelled by what differs from their
parent, actions as edges, the counterexample path highlighted.

A space of at most ``FULL_LIMIT`` states is drawn whole; a larger one says so and draws the
trace's neighbourhood (each trace state with its one-step successors) instead of a hairball.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx

from checker.core import semantics
from checker.core.diff import changes
from checker.core.trace import Step
from checker.dsl.protocol import Protocol

FULL_LIMIT = 60
MAX_BRANCH = 2  # off-path successors drawn per trace state in a neighbourhood; the rest are counted
MAX_LABEL_LINES = 3


def _label(protocol: Protocol, parent: Any, state: Any) -> str:
    diff = [str(c) for c in changes(parent, state, list(protocol.variables)) if parent is not None]
    if parent is None:
        return "initial state"
    if not diff:
        return "(no change)"
    extra = len(diff) - MAX_LABEL_LINES
    return "\n".join(diff[:MAX_LABEL_LINES] + ([f"… {extra} more"] if extra > 0 else []))


def _edge_label(action: str, params: dict) -> str:
    return Step(action, params).label


def build(protocol: Protocol, trace: list[Step], space: tuple[list, list] | None = None, *,
          limit: int = FULL_LIMIT) -> nx.MultiDiGraph:
    """The graph: node attribute ``label``, ``on_path``; edge attribute ``label``, ``on_path``.

    ``space`` is the whole reachable space (states, and edges as (state, action, parameters,
    next state); ``checker.explicit.space.small_space``) when it has at most ``limit`` states,
    else None: then the trace's neighbourhood is drawn."""
    g = nx.MultiDiGraph()
    path = [s.state for s in trace]
    on_path = set(path)
    path_edges = {(a, step.label, b) for a, b, step in zip(path, path[1:], trace[1:], strict=False)}
    full = space if space is not None and len(space[0]) <= limit else None
    if full is not None:
        ids = {state: i for i, state in enumerate(full[0])}
        edges = [(a, _edge_label(action, params), b) for a, action, params, b in full[1]]
        g.graph["scope"] = f"the whole reachable state space ({len(ids)} states)"
        parent: dict[Any, Any] = {}
        for a, _l, b in edges:
            parent.setdefault(b, a)
        for i, s in enumerate(path[1:], start=1):
            parent[s] = path[i - 1]
    else:
        ids, edges, parent = {}, [], {}
        for s in path:
            ids.setdefault(s, len(ids))
        more: dict[Any, int] = {}
        for i, s in enumerate(path):
            if i:
                parent[s] = path[i - 1]
            off_path = 0
            for action, params, nxt in sorted(semantics.steps(protocol, s), key=lambda t: _edge_label(t[0], t[1])):
                label = _edge_label(action, params)
                if (s, label, nxt) not in path_edges and nxt not in on_path:
                    off_path += 1
                    if off_path > MAX_BRANCH:
                        more[s] = more.get(s, 0) + 1
                        continue
                if nxt not in ids:
                    ids[nxt] = len(ids)
                    parent[nxt] = s
                edges.append((s, label, nxt))
        g.graph["scope"] = (f"more than {limit} reachable states: too many to draw, so this is the trace's "
                            f"neighbourhood ({len(ids)} states: each trace state and its successors)")
    roots = set(semantics.initial_states(protocol))
    for s, i in ids.items():
        g.add_node(i, label=_label(protocol, None if s in roots else parent.get(s), s),
                   on_path=s in on_path, last=s == path[-1])
    for a, label, b in edges:
        if a == b:
            continue  # a step that changes nothing (e.g. resending a message already sent)
        g.add_edge(ids[a], ids[b], label=label, on_path=(a, label, b) in path_edges)
    if full is None:
        for s, n in more.items():
            extra = f"more{ids[s]}"
            g.add_node(extra, label=f"… {n} more successors", on_path=False, last=False, summary=True)
            g.add_edge(ids[s], extra, label="", on_path=False)
    return g


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\l") + ('\\l"' if "\n" in text
                                                                                       else '"')


def to_dot(g: nx.MultiDiGraph, *, title: str = "") -> str:
    """DOT source, nodes and edges in a stable order."""
    out = [
        "digraph states {",
        f'  graph [rankdir=LR, fontname="Helvetica", fontsize=12, labelloc=t, label={_q(title + chr(10) + g.graph["scope"])}, nodesep=0.25, ranksep=0.35];',  # noqa: E501
        '  node [shape=box, style="rounded,filled", fillcolor=white, fontname="Helvetica", fontsize=9, '
        'color="#999999"];',
        '  edge [fontname="Helvetica", fontsize=8, color="#aaaaaa", fontcolor="#777777", arrowsize=0.6];',
    ]
    for n, data in sorted(g.nodes(data=True), key=lambda nd: str(nd[0]).zfill(8)):
        style = ""
        if data.get("summary"):
            style = ', style="dashed", color="#bbbbbb", fontcolor="#888888"'
        elif data["last"]:
            style = ', fillcolor="#fde0e0", color="#c62828", penwidth=2.5'
        elif data["on_path"]:
            style = ', fillcolor="#dde7f7", color="#1f5fbf", penwidth=1.5'
        out.append(f'  "s{n}" [label={_q(data["label"])}{style}];')
    for a, b, data in sorted(g.edges(data=True), key=lambda e: (str(e[0]).zfill(8), str(e[1]).zfill(8), e[2]["label"])):
        style = ', color="#c62828", fontcolor="#c62828", penwidth=2.2' if data["on_path"] else ""
        out.append(f'  "s{a}" -> "s{b}" [label={_q(data["label"])}{style}];')
    out.append("}")
    return "\n".join(out) + "\n"


def write_graphml(g: nx.MultiDiGraph, path: Path) -> None:
    nx.write_graphml(g, path)
