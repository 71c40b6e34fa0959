"""The state space around a trace as a graph: states as nodes labelled by what differs from their
parent, actions as edges, the counterexample path highlighted.

A space of at most ``FULL_LIMIT`` states is drawn whole; a larger one says so and draws the
trace's neighbourhood (each trace state with its one-step successors) instead of a hairball.

The drawing keeps a page's width: the trace runs top to bottom (each rank holds a trace state
and at most ``MAX_BRANCH`` + 1 of its successors), a whole space is drawn across instead when
that is narrower, labels are cut at ``MAX_LINE`` characters (the full text is the tooltip), and a
legend under the title says what the colours mean.
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
MAX_LINE = 44  # characters of a label line, of an edge label; the rest is in the tooltip
CHAR_W = 5.0  # points per character at 9 pt, for choosing the direction


def _diff(protocol: Protocol, parent: Any, state: Any) -> list[str]:
    return [str(c) for c in changes(parent, state, list(protocol.variables))] if parent is not None else []


def _label(protocol: Protocol, parent: Any, state: Any) -> str:
    diff = _diff(protocol, parent, state)
    if parent is None:
        return "initial state"
    if not diff:
        return "(no change)"
    extra = len(diff) - MAX_LABEL_LINES
    return "\n".join(diff[:MAX_LABEL_LINES] + ([f"… {extra} more"] if extra > 0 else []))


def _cut(text: str, limit: int = MAX_LINE) -> str:
    return "\n".join(x if len(x) <= limit else x[: limit - 1] + "…" for x in text.split("\n"))


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
        before = None if s in roots else parent.get(s)
        g.add_node(i, label=_label(protocol, before, s), on_path=s in on_path, last=s == path[-1],
                   full="\n".join(_diff(protocol, before, s)) or _label(protocol, before, s))
    for a, label, b in edges:
        if a == b:
            continue  # a step that changes nothing (e.g. resending a message already sent)
        g.add_edge(ids[a], ids[b], label=label, on_path=(a, label, b) in path_edges)
    if full is None:
        for s, n in more.items():
            extra = f"more{ids[s]}"
            more_text = f"{n} more successor{'s' if n > 1 else ''}"
            g.add_node(extra, label=f"… {more_text}", on_path=False, last=False, summary=True,
                       full=f"{more_text}, not drawn")
            g.add_edge(ids[s], extra, label="", on_path=False)
    return g


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\l") + ('\\l"' if "\n" in text
                                                                                       else '"')


def _plain(text: str) -> str:
    """A tooltip: one DOT string, lines kept (\\n)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _width(label: str) -> float:
    return CHAR_W * min(MAX_LINE, max((len(x) for x in label.split("\n")), default=0)) + 18


def direction(g: nx.MultiDiGraph) -> str:
    """``TB`` (the trace down the page) unless drawing across is narrower: estimated from the
    nodes per distance from the initial state (a rank) and their labels' widths."""
    roots = [n for n, d in g.nodes(data=True) if d.get("label") == "initial state"] or list(g.nodes)[:1]
    depth: dict[Any, int] = {}
    for r in roots:
        for n, k in nx.single_source_shortest_path_length(g, r).items():
            depth[n] = min(k, depth.get(n, k))
    ranks: dict[int, list[float]] = {}
    for n, d in g.nodes(data=True):
        ranks.setdefault(depth.get(n, 0), []).append(_width(d.get("label", "")))
    edge_w = max((_width(d.get("label", "")) for _a, _b, d in g.edges(data=True)), default=0.0)
    down = max((sum(ws) + 20 * len(ws) + edge_w for ws in ranks.values()), default=0.0)
    across = sum(max(ws) + edge_w for ws in ranks.values())
    return "TB" if down <= max(across, 1200.0) else "LR"


LEGEND = [
    ('BGCOLOR="#dde7f7" COLOR="#1f5fbf"', "a state of the trace (label: what its step changed)"),
    ('BGCOLOR="#fde0e0" COLOR="#c62828"', "the trace's last state"),
    ('BGCOLOR="#ffffff" COLOR="#999999"', "another successor (off the trace)"),
    ('BGCOLOR="#ffffff" COLOR="#bbbbbb" STYLE="dashed"', "successors not drawn"),
]


def _title(title: str, scope: str, rankdir: str) -> str:
    """The graph's label: title, scope and the legend, as an HTML-like table."""
    sample = '<TD {} BORDER="1" FIXEDSIZE="TRUE" WIDTH="26" HEIGHT="14"></TD><TD ALIGN="LEFT">{}</TD>'
    rows = ["".join(sample.format(attrs, _xml(text)) for attrs, text in LEGEND[k:k + 2]) for k in (0, 2)]
    rows.append('<TD><FONT COLOR="#c62828"><B>━━▶</B></FONT></TD><TD ALIGN="LEFT">a step of the trace</TD>'
                '<TD><FONT COLOR="#aaaaaa">──▶</FONT></TD><TD ALIGN="LEFT">another enabled step</TD>')
    how = "the trace runs down the page; " if rankdir == "TB" else ""
    legend = ('<TABLE BORDER="0" CELLSPACING="3" CELLPADDING="1" ALIGN="LEFT">'
              '<TR><TD COLSPAN="4" ALIGN="LEFT"><B>Legend</B></TD></TR>'
              + "".join(f"<TR>{r}</TR>" for r in rows) + "</TABLE>")
    return ('<<TABLE BORDER="0" CELLSPACING="2" CELLPADDING="1">'
            f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="12">{_xml(title)}</FONT></TD></TR>'
            f'<TR><TD ALIGN="LEFT">{_xml(scope)}</TD></TR>'
            f'<TR><TD ALIGN="LEFT">{legend}</TD></TR>'
            f'<TR><TD ALIGN="LEFT"><FONT COLOR="#777777">{how}hover over a state or a step for its full text'
            "</FONT></TD></TR></TABLE>>")


def to_dot(g: nx.MultiDiGraph, *, title: str = "") -> str:
    """DOT source, nodes and edges in a stable order: the legend in the graph's label, labels cut
    to ``MAX_LINE`` characters (the full text as each tooltip), drawn down or across (``direction``)."""
    rankdir = direction(g)
    out = [
        "digraph states {",
        f'  graph [rankdir={rankdir}, fontname="Helvetica", fontsize=9, labelloc=t, labeljust=l, '
        f'label={_title(title, g.graph["scope"], rankdir)}, nodesep=0.25, ranksep=0.35];',
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
        if data["on_path"]:
            style += ", group=trace"  # one straight column (or row) for the trace
        tip = f", tooltip={_plain(data.get('full') or data['label'])}"
        out.append(f'  "s{n}" [label={_q(_cut(data["label"]))}{tip}{style}];')
    for a, b, data in sorted(g.edges(data=True), key=lambda e: (str(e[0]).zfill(8), str(e[1]).zfill(8), e[2]["label"])):
        style = ', color="#c62828", fontcolor="#c62828", penwidth=2.2, weight=20' if data["on_path"] else ""
        tip = f", labeltooltip={_plain(data['label'])}, tooltip={_plain(data['label'])}" if data["label"] else ""
        out.append(f'  "s{a}" -> "s{b}" [label={_q(_cut(data["label"]))}{tip}{style}];')
    out.append("}")
    return "\n".join(out) + "\n"


def write_graphml(g: nx.MultiDiGraph, path: Path) -> None:
    nx.write_graphml(g, path)
