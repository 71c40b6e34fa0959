"""A chart as a message sequence chart in DOT: one column per lifeline, one row per step.

Positions are computed here and pinned (neato -n2), so the chart reads like a textbook MSC — time
flows down, lifelines never reorder, arrows are straight — and the output is deterministic.
"""

from __future__ import annotations

from checker.render.chart import Chart, Message
from checker.render.roles import ENVIRONMENT

FONT = "Helvetica"
CHAR_W = 6.3  # points per character at 10 pt, generous so boxes hold their labels
LINE_H = 13.0
PALETTE = ["#1f5fbf", "#b8560b", "#2e7d32", "#8e24aa", "#00838f", "#c62828", "#5d4037", "#455a64"]
FAULT_FILL = {"crash": "#f8d0d0", "restart": "#d6f0d6", "partition": "#fde2c8", "heal": "#d6f0d6",
              "loss": "#fde2c8", "duplicate": "#ead6f5"}
MAX_NOTES = 6
LABEL_H = 13.0  # one message label's line in the gap under its sending row
LABEL_CHAR_W = 5.4  # points per character at 9 pt


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
    # Each message's label sits in the gap under the row that sent it, one label per line, so no
    # label lands on a box or on another label.
    sent: dict[int, list[int]] = {}
    for i, m in enumerate(chart.messages):
        sent.setdefault(m.sent_at, []).append(i)
    ys = []
    label_y: dict[int, float] = {}
    y = 0.0
    for r, h in enumerate(heights):
        ys.append(-(y + h / 2))
        y += h
        for k, i in enumerate(sent.get(r, [])):
            label_y[i] = -(y + 10 + k * LABEL_H)
        y += 22 + LABEL_H * len(sent.get(r, []))
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
                # A little see-through: an arrow passing behind a box shows it passes, not ends.
                out.append(f"  {name} [shape=box, style=\"{style}\", fillcolor=\"{fill}d9\", color=\"{border}\", "
                           f"penwidth={pen}, label={label}, {pos(xs[c], ys[r])}];")
            elif (c, r) in cell:
                label = _html_label("", e.notes.get(c, []), bold=False)
                # What a fault did to another process (a partition's groups) in the fault's colour.
                note = FAULT_FILL.get(e.fault or "", "#fffbe6")
                out.append(f'  {name} [shape=note, style=filled, fillcolor="{note}", label={label}, '
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
        out += _message_edges(chart, m, i, xs, ys, width, colors, label_y[i])
    if violating:
        note = f"{chart.violation} violated in the state after step {last}"
        if chart.loop_start is not None and chart.loop_start >= last:
            note = f"{chart.violation} violated: the run stays in the state after step {last} for ever"
        elif chart.loop_start is not None:
            note = (f"{chart.violation} violated: after step {last} the run is back in the state after step "
                    f"{chart.loop_start} and repeats steps {chart.loop_start + 1}–{last} for ever")
        out.append(f'  "violation" [shape=plaintext, fontcolor="#c62828", fontsize=11, label="{_esc(note)}", '
                   f"{pos(total_w / 2, bottom - 16)}];")
    if chart.loop_start is not None and 0 < chart.loop_start < last:
        out.append(f'  "g:{last}" -> "g:{chart.loop_start}" [color="#8e24aa", style=bold, label="cycle", '
                   f'fontcolor="#8e24aa", constraint=false];')
    out.append("}")
    return "\n".join(out) + "\n"


def _node(chart: Chart, line: str, row: int) -> str:
    return f'"h:{_esc(line)}"' if row == 0 else f'"n:{_esc(line)}:{row}"'


def _message_edges(chart: Chart, m: Message, i: int, xs: dict, ys: list, width: dict, colors: dict,
                   ly: float) -> list[str]:
    """The arrows of one message, its label on the first of them at height ``ly`` (in the gap
    under the sending row), on a white ground so a crossing arrow never runs through its text."""
    color = colors.get(m.label.split("(")[0], "#333333")
    src = _node(chart, m.sender, m.sent_at)
    sx, sy = xs[m.sender], ys[m.sent_at]
    steps = ", ".join(map(str, m.duplicated_at))
    text = m.label + (f" ×{len(m.duplicated_at) + 1} (duplicated at step {steps})" if m.duplicated_at else "")
    out = []
    anchor: tuple[float, float] | None = None  # a point of the labelled arrow
    for line, row in m.receipts:
        if line not in xs:
            continue
        anchor = anchor or (xs[line], ys[row])
        out.append(f'  {src} -> {_node(chart, line, row)} [color="{color}", '
                   f"penwidth={2.0 if m.duplicated_at else 1.2}];")
    if m.lost_at is not None:
        target = m.receiver if m.receiver in xs else None
        x = xs[target] if target else sx + width[m.sender] / 2 + 14
        text += " (lost)"
        anchor = anchor or (x, ys[m.lost_at])
        out.append(f'  "x:{i}" [shape=plaintext, label="✕", fontcolor="#c62828", fontsize=16, '
                   f'pos="{x:.1f},{ys[m.lost_at]:.1f}!"];')
        out.append(f'  {src} -> "x:{i}" [color="{color}", style=dashed, arrowhead=none];')
    elif not m.receipts:
        # Sent, never received in the trace: a short dashed arrow under the box, towards its
        # receiver when it has one, the label beside its end.
        toward = 1.0 if m.receiver not in xs or xs[m.receiver] >= sx else -1.0
        reach = width[m.sender] / 2 + 22
        if m.receiver in xs and m.receiver != m.sender:
            reach = min(reach + 40, abs(xs[m.receiver] - sx) - 6)
            text += f" → {m.receiver}, not received"
        x = sx + toward * reach
        out.append(f'  "f:{i}" [shape=point, width=0.05, color="{color}", pos="{x:.1f},{ly:.1f}!"];')
        out.append(f'  {src} -> "f:{i}" [color="{color}", style=dashed, arrowsize=0.5];')
        w = LABEL_CHAR_W * len(text) + 6
        lx = x + toward * (6 + w / 2)
        out.append(_label_node(i, text, color, lx, ly))
        return out
    if anchor is None:
        return out
    ax, ay = anchor
    t = (ly - sy) / (ay - sy) if ay != sy else 0.5
    out.append(_label_node(i, text, color, sx + (ax - sx) * t, ly))
    return out


def _label_node(i: int, text: str, color: str, x: float, y: float) -> str:
    return (f'  "l:{i}" [shape=box, style=filled, fillcolor="#ffffffe6", penwidth=0, fontsize=9, '
            f'fontcolor="{color}", margin="0.03,0.01", width=0, height=0, label="{_esc(text)}", '
            f'pos="{x:.1f},{y:.1f}!"];')
