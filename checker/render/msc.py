"""A chart as a message sequence chart in DOT: one column per lifeline, one row per step.

Positions are computed here and pinned (neato -n2), so the chart reads like a textbook MSC — time
flows down, lifelines never reorder, arrows are straight — and the output is deterministic.
"""

from __future__ import annotations

from .chart import Chart, Message
from .roles import ENVIRONMENT

FONT = "Helvetica"
CHAR_W = 6.3  # points per character at 10 pt, generous so boxes hold their labels
LINE_H = 13.0
PALETTE = ["#1f5fbf", "#b8560b", "#2e7d32", "#8e24aa", "#00838f", "#c62828", "#5d4037", "#455a64"]
FAULT_FILL = {"crash": "#f8d0d0", "restart": "#d6f0d6", "partition": "#fde2c8", "heal": "#d6f0d6",
              "loss": "#fde2c8", "duplicate": "#ead6f5"}
MAX_NOTES = 6


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _lines(label: str) -> list[str]:
    return label.split("\n")


def _box_label(title: str, notes: list[str]) -> str:
    shown = notes[:MAX_NOTES] + ([f"… {len(notes) - MAX_NOTES} more"] if len(notes) > MAX_NOTES else [])
    return "\n".join([title, *shown])


def _html_label(title: str, notes: list[str], *, bold: bool = True) -> str:
    """A box label: the action in bold, then what changed, one per line."""
    shown = notes[:MAX_NOTES] + ([f"… {len(notes) - MAX_NOTES} more"] if len(notes) > MAX_NOTES else [])
    head = f"<B>{_xml(title)}</B>" if bold else _xml(title)
    rows = "".join(f'<BR ALIGN="LEFT"/><FONT POINT-SIZE="9">{_xml(n)}</FONT>' for n in shown)
    tail = '<BR ALIGN="LEFT"/>' if shown else ""
    return f"<{head}{rows}{tail}>"


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _step_title(chart: Chart, index: int) -> str:
    e = chart.events[index]
    if e.fault:
        return f"⚡ {e.label}"
    return e.label


def kind_colors(chart: Chart) -> dict[str, str]:
    """One colour per message kind, in a stable order."""
    kinds = sorted({m.label.split("(")[0] for m in chart.messages})
    return {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(kinds)}


def to_dot(chart: Chart, *, title: str = "") -> str:
    """The DOT source of the chart (positions pinned: render with neato -n2)."""
    cols = chart.lifelines
    rows = len(chart.events)
    cell: dict[tuple[str, int], list[str]] = {}  # (lifeline, row) -> label lines
    for e in chart.events:
        if e.index == 0:
            continue
        for line, notes in e.notes.items():
            if line != e.actor:
                cell[(line, e.index)] = _lines(_box_label("", notes))[1:]
        cell[(e.actor, e.index)] = _lines(_box_label(_step_title(chart, e.index), e.notes.get(e.actor, [])))
    init = chart.events[0].notes if chart.events else {}
    heads = {c: _lines(_box_label(c, init.get(c, []))) for c in cols}

    width = {c: max(100.0, CHAR_W * max(len(x) for x in heads[c]) + 24) for c in cols}
    for (c, _r), lines in cell.items():
        width[c] = max(width[c], CHAR_W * max((len(x) for x in lines), default=0) + 24)
    gutter = 46.0
    xs: dict[str, float] = {}
    x = gutter + 20
    for c in cols:
        xs[c] = x + width[c] / 2
        x += width[c] + 36
    total_w = x

    heights = [max(len(v) for v in heads.values()) * LINE_H + 20 if heads else 30.0]
    for r in range(1, rows):
        n = max((len(cell.get((c, r), [])) for c in cols), default=0)
        heights.append(max(34.0, n * LINE_H + 22))
    ys = []
    y = 0.0
    for h in heights:
        ys.append(-(y + h / 2))
        y += h + 22
    bottom = -(y + 10)

    out = [
        "digraph msc {",
        f'  graph [splines=line, outputorder=edgesfirst, fontname="{FONT}", fontsize=12, labelloc=t, '
        f'label="{_esc(title)}", bgcolor=white, pad=0.3];',
        f'  node [fontname="{FONT}", fontsize=10, margin="0.08,0.04"];',
        f'  edge [fontname="{FONT}", fontsize=9, arrowsize=0.7];',
    ]

    def pos(xv: float, yv: float) -> str:
        return f'pos="{xv:.1f},{yv:.1f}!"'

    last = rows - 1
    violating = chart.violation is not None
    for c in cols:
        fill = "#eeeeee" if c == ENVIRONMENT else "#dde7f7"
        out.append(
            f'  "h:{_esc(c)}" [shape=box, style="filled,bold", fillcolor="{fill}", '
            f"label={_html_label(c, init.get(c, []))}, {pos(xs[c], ys[0])}];"
        )
    for r in range(1, rows):
        e = chart.events[r]
        gut = str(r)
        if violating and r == last:
            gut += " ✗"
        if chart.loop_start == r:
            gut += " ⟲"
        color = "#c62828" if violating and r == last else "#555555"
        out.append(f'  "g:{r}" [shape=plaintext, label="{gut}", fontcolor="{color}", {pos(gutter / 2, ys[r])}];')
        for c in cols:
            name = f'"n:{_esc(c)}:{r}"'
            if c == e.actor:
                fill = FAULT_FILL.get(e.fault or "", "#ffffff")
                style, pen, border = "rounded,filled", 1.0, "#333333"
                if violating and r == last:
                    fill, pen, border = "#fde0e0", 2.5, "#c62828"
                label = _html_label(_step_title(chart, r), e.notes.get(c, []))
                out.append(f"  {name} [shape=box, style=\"{style}\", fillcolor=\"{fill}\", color=\"{border}\", "
                           f"penwidth={pen}, label={label}, {pos(xs[c], ys[r])}];")
            elif (c, r) in cell:
                label = _html_label("", e.notes.get(c, []), bold=False)
                out.append(f'  {name} [shape=note, style=filled, fillcolor="#fffbe6", label={label}, '
                           f"{pos(xs[c], ys[r])}];")
            else:
                out.append(f'  {name} [shape=point, width=0.02, color="#bbbbbb", {pos(xs[c], ys[r])}];')
    for c in cols:
        out.append(f'  "t:{_esc(c)}" [shape=point, width=0.02, color="#bbbbbb", {pos(xs[c], bottom)}];')
        chain = [f'"h:{_esc(c)}"', *[f'"n:{_esc(c)}:{r}"' for r in range(1, rows)], f'"t:{_esc(c)}"']
        for r, (a, b) in enumerate(zip(chain, chain[1:], strict=False)):
            down = any(lo <= r < hi for lo, hi in chart.down.get(c, []))
            style = 'style=dotted, color="#c62828", penwidth=1.5' if down else 'style=solid, color="#bbbbbb"'
            out.append(f"  {a} -> {b} [{style}, arrowhead=none];")
    colors = kind_colors(chart)
    for i, m in enumerate(chart.messages):
        out += _message_edges(chart, m, i, xs, ys, width, colors)
    if violating:
        note = f"{chart.violation} violated in the state after step {last}"
        out.append(f'  "violation" [shape=plaintext, fontcolor="#c62828", fontsize=11, label="{_esc(note)}", '
                   f"{pos(total_w / 2, bottom - 16)}];")
    if chart.loop_start is not None and rows > 1:
        out.append(f'  "g:{last}" -> "g:{chart.loop_start}" [color="#8e24aa", style=bold, label="cycle", '
                   f'fontcolor="#8e24aa", constraint=false];')
    out.append("}")
    return "\n".join(out) + "\n"


def _node(chart: Chart, line: str, row: int) -> str:
    return f'"h:{_esc(line)}"' if row == 0 else f'"n:{_esc(line)}:{row}"'


def _message_edges(chart: Chart, m: Message, i: int, xs: dict, ys: list, width: dict, colors: dict) -> list[str]:
    color = colors.get(m.label.split("(")[0], "#333333")
    src = _node(chart, m.sender, m.sent_at)
    label = _esc(m.label)
    steps = ", ".join(map(str, m.duplicated_at))
    dup = f" ×{len(m.duplicated_at) + 1} (duplicated at step {steps})" if m.duplicated_at else ""
    out = []
    for k, (line, row) in enumerate(m.receipts):
        if line not in xs:
            continue
        shown = f'label="{label}{_esc(dup)}", ' if k == 0 else ""
        out.append(f'  {src} -> {_node(chart, line, row)} [color="{color}", fontcolor="{color}", {shown}'
                   f'penwidth={2.0 if m.duplicated_at else 1.2}];')
    if m.lost_at is not None:
        target = m.receiver if m.receiver in xs else None
        x = xs[target] if target else xs[m.sender] + width[m.sender] / 2 + 14
        out.append(f'  "x:{i}" [shape=plaintext, label="✕", fontcolor="#c62828", fontsize=16, '
                   f'pos="{x:.1f},{ys[m.lost_at]:.1f}!"];')
        out.append(f'  {src} -> "x:{i}" [color="{color}", fontcolor="{color}", style=dashed, arrowhead=none, '
                   f'label="{label} (lost)"];')
    elif not m.receipts:
        row = min(m.sent_at + 1, len(ys) - 1) if m.sent_at + 1 < len(ys) else m.sent_at
        y = (ys[m.sent_at] + ys[row]) / 2 if row != m.sent_at else ys[m.sent_at] - 20
        x = xs[m.sender] + width[m.sender] / 2 + 12
        out.append(f'  "f:{i}" [shape=point, width=0.05, color="{color}", pos="{x:.1f},{y:.1f}!"];')
        out.append(f'  {src} -> "f:{i}" [color="{color}", style=dashed, arrowsize=0.5, xlabel="{label}", '
                   f'fontcolor="{color}"];')
    return out
