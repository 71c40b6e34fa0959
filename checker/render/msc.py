"""A chart as a message sequence chart in DOT: one column per lifeline, one row per step.

Positions are computed here and pinned (neato -n2), so the chart reads like a textbook MSC — time
flows down, lifelines never reorder, arrows are straight — and the output is deterministic.

Under the chart a legend says what each mark means, drawn with the chart's own marks: a message
received, one never received by the end of the trace (a dashed arrow to an open circle), lost
(✕) or duplicated (×n), a step, a fault step (⚡, filled by kind), a crashed lifeline, the
violating step. The violation's witnesses (``chart.witnesses``: Paxos's two quorums) are tagged
(◆Q1) on their lifelines and on the steps that sent their messages, those messages are
highlighted, and the legend names each group.
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
#: Per witness group: the highlighter's colour (drawn see-through) and a dark one for its text.
WITNESS_COLORS = [("#d81b60", "#ad1457"), ("#f9a825", "#a06a00"), ("#00acc1", "#00727f"), ("#7cb342", "#4e7a23")]
TAG = "◆"
LEGEND_ROW = 22.0
SAMPLE_W = 56.0


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _lines(label: str) -> list[str]:
    return label.split("\n")


def _box_label(title: str, notes: list[str]) -> str:
    shown = notes[:MAX_NOTES] + ([f"… {len(notes) - MAX_NOTES} more"] if len(notes) > MAX_NOTES else [])
    return "\n".join([title, *shown])


def _html_label(title: str, notes: list[str], *, bold: bool = True,
                tags: list[tuple[str, str]] = ()) -> str:
    """A box label: the action in bold (with its witness tags), then what changed, one per line."""
    shown = notes[:MAX_NOTES] + ([f"… {len(notes) - MAX_NOTES} more"] if len(notes) > MAX_NOTES else [])
    head = f"<B>{_xml(title)}</B>" if bold else _xml(title)
    head += "".join(f' <FONT COLOR="{color}"><B>{_xml(TAG + tag)}</B></FONT>' for tag, color in tags)
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
    halo, head_tags, box_tags = _witness_marks(chart)
    for c, tags in head_tags.items():
        heads[c][0] += "".join(f" {TAG}{t}" for t, _ in tags)
    for key, tags in box_tags.items():
        if key in cell:
            cell[key][0] += "".join(f" {TAG}{t}" for t, _ in tags)

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
            f"label={_html_label(c, init.get(c, []), tags=head_tags.get(c, []))}, {pos(xs[c], ys[0])}];"
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
                tags = box_tags.get((c, r), [])
                if tags:
                    pen, border = 2.0, tags[0][1]
                if violating and r == last:
                    fill, pen, border = "#fde0e0", 2.5, "#c62828"
                label = _html_label(_step_title(chart, r), e.notes.get(c, []), tags=tags)
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
    # A highlighter leaves from an invisible copy of its sending box: an arrow and its highlighter
    # between the same two nodes would be drawn apart, as parallel edges are.
    sources = {_node(chart, chart.messages[i].sender, chart.messages[i].sent_at) for i in halo}
    for line in [x for x in out if any(x.startswith(f"  {n} [") for n in sources)]:
        name = line.split(" [", 1)[0].strip()
        out.append(line.replace(name, _proxy(name), 1)[:-2] + ", style=invis];")
    colors = kind_colors(chart)
    for i, m in enumerate(chart.messages):
        out += _message_edges(chart, m, i, xs, ys, width, colors, label_y[i], halo.get(i, []))
    foot = bottom - 16
    if violating:
        note = f"{chart.violation} violated in the state after step {last}"
        if chart.loop_start is not None and chart.loop_start >= last:
            note = f"{chart.violation} violated: the run stays in the state after step {last} for ever"
        elif chart.loop_start is not None:
            note = (f"{chart.violation} violated: after step {last} the run is back in the state after step "
                    f"{chart.loop_start} and repeats steps {chart.loop_start + 1}–{last} for ever")
        out.append(f'  "violation" [shape=plaintext, fontcolor="#c62828", fontsize=11, label="{_esc(note)}", '
                   f"{pos(total_w / 2, foot)}];")
    if chart.loop_start is not None and 0 < chart.loop_start < last:
        out.append(f'  "g:{last}" -> "g:{chart.loop_start}" [color="#8e24aa", style=bold, label="cycle", '
                   f'fontcolor="#8e24aa", constraint=false];')
    out += _legend(chart, cell, gutter, total_w, foot - 26)
    out.append("}")
    return "\n".join(out) + "\n"


def _proxy(node: str) -> str:
    return '"p:' + node[1:]


def _node(chart: Chart, line: str, row: int) -> str:
    return f'"h:{_esc(line)}"' if row == 0 else f'"n:{_esc(line)}:{row}"'


def _witness_marks(chart: Chart) -> tuple[dict[int, list[str]], dict[str, list[tuple[str, str]]],
                                          dict[tuple[str, int], list[tuple[str, str]]]]:
    """Per message its highlighter colours; per lifeline and per (lifeline, row) of a sending step
    the witness tags (tag, dark colour)."""
    halo: dict[int, list[str]] = {}
    heads: dict[str, list[tuple[str, str]]] = {}
    boxes: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for k, w in enumerate(chart.witnesses):
        light, dark = WITNESS_COLORS[k % len(WITNESS_COLORS)]
        for line in w.lifelines:
            heads.setdefault(line, []).append((w.tag, dark))
        for i in w.messages:
            m = chart.messages[i]
            halo.setdefault(i, []).append(light)
            tags = boxes.setdefault((m.sender, m.sent_at), [])
            if (w.tag, dark) not in tags and m.sent_at > 0:
                tags.append((w.tag, dark))
    return halo, heads, boxes


def _halo(a: str, b: str, colors: list[str]) -> list[str]:
    """A see-through highlighter under an arrow, one band per witness group (widest first)."""
    return [f'  {a} -> {b} [color="{c}73", penwidth={7 + 5 * (len(colors) - 1 - k)}, arrowhead=none];'
            for k, c in enumerate(colors)]


def _message_edges(chart: Chart, m: Message, i: int, xs: dict, ys: list, width: dict, colors: dict,
                   ly: float, halo: list[str] = ()) -> list[str]:
    """The arrows of one message, its label on the first of them at height ``ly`` (in the gap
    under the sending row), on a white ground so a crossing arrow never runs through its text.
    ``halo``: the colours of the witness groups the message belongs to (highlighted under it)."""
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
        out += _halo(_proxy(src), _node(chart, line, row), list(halo))
        out.append(f'  {src} -> {_node(chart, line, row)} [color="{color}", '
                   f"penwidth={2.0 if m.duplicated_at else 1.2}];")
    if m.lost_at is not None:
        target = m.receiver if m.receiver in xs else None
        x = xs[target] if target else sx + width[m.sender] / 2 + 14
        if target and chart.events[m.lost_at].actor == target:  # beside the loss's box, not on its text
            x -= (1 if x >= sx else -1) * (width[target] / 2 + 10)
        text += " (lost)"
        anchor = anchor or (x, ys[m.lost_at])
        out.append(f'  "x:{i}" [shape=plaintext, label="✕", fontcolor="#c62828", fontsize=16, '
                   f'pos="{x:.1f},{ys[m.lost_at]:.1f}!"];')
        out += _halo(_proxy(src), f'"x:{i}"', list(halo))
        out.append(f'  {src} -> "x:{i}" [color="{color}", style=dashed, arrowhead=none];')
    elif not m.receipts:
        # Sent, never received in the trace: a short dashed arrow under the box to an open circle
        # (still in flight), towards its receiver when it has one, the label beside its end.
        toward = 1.0 if m.receiver not in xs or xs[m.receiver] >= sx else -1.0
        reach = width[m.sender] / 2 + 22
        if m.receiver in xs and m.receiver != m.sender:
            reach = min(reach + 40, abs(xs[m.receiver] - sx) - 6)
            text += f" → {m.receiver}, not received"
        x = sx + toward * reach
        out.append(f'  "f:{i}" [{_in_flight(color)}, pos="{x:.1f},{ly:.1f}!"];')
        out += _halo(_proxy(src), f'"f:{i}"', list(halo))
        out.append(f'  {src} -> "f:{i}" [{UNDELIVERED}, color="{color}"];')
        w = LABEL_CHAR_W * len(text) + 6
        lx = x + toward * (8 + w / 2)
        out.append(_label_node(i, text, color, lx, ly))
        return out
    if anchor is None:
        return out
    ax, ay = anchor
    t = (ly - sy) / (ay - sy) if ay != sy else 0.5
    out.append(_label_node(i, text, color, sx + (ax - sx) * t, ly))
    return out


UNDELIVERED = "style=dashed, arrowhead=none, penwidth=1.2"


def _in_flight(color: str) -> str:
    """The open circle that ends the arrow of a message nobody received."""
    return f'shape=circle, width=0.09, height=0.09, fixedsize=true, label="", style=filled, fillcolor=white, ' \
           f'color="{color}", penwidth=1.3'


def _label_node(i: int, text: str, color: str, x: float, y: float) -> str:
    return (f'  "l:{i}" [shape=box, style=filled, fillcolor="#ffffffe6", penwidth=0, fontsize=9, '
            f'fontcolor="{color}", margin="0.03,0.01", width=0, height=0, label="{_esc(text)}", '
            f'pos="{x:.1f},{y:.1f}!"];')


def _legend(chart: Chart, cell: dict, left: float, total_w: float, top: float) -> list[str]:
    """What the marks mean, drawn with the chart's own marks under it: entries for what this chart
    shows, one line naming what it does not (no loss, no fault), then one row per witness group."""
    last = len(chart.events) - 1
    faults = [k for k in FAULT_FILL if any(e.fault == k for e in chart.events)]
    entries: list[tuple[str, dict, str]] = [
        ("head", {}, "a process: its initial state"),
        ("box", {}, "a step in its actor's column: the action, then what it changed"),
    ]
    if any(e.notes.get(c) for e in chart.events[1:] for c in e.notes if c != e.actor):
        entries.append(("note", {}, "what a step changed at another process"))
    if any(m.receipts for m in chart.messages):
        entries.append(("arrow", {}, "a message, sent → received (colour: its kind)"))
    if chart.undelivered():
        entries.append(("undelivered", {}, "a message sent and never received (in flight at the end)"))
    if any(m.lost_at is not None for m in chart.messages):
        entries.append(("lost", {}, "a message lost by a fault (✕)"))
    if any(m.duplicated_at for m in chart.messages):
        entries.append(("duplicated", {}, "a message duplicated by a fault (×n)"))
    entries += [("fault", {"kind": k}, f"⚡ {k}: a fault step") for k in faults]
    if chart.down:
        entries.append(("down", {}, "a crashed process, down until it restarts"))
    if chart.violation is not None and chart.loop_start is None:
        entries.append(("violating", {}, f"✗ step {last}: the state after it violates {chart.violation}"))
    elif chart.violation is not None:
        entries.append(("violating", {}, f"✗ step {last}: the run's last step; from there it repeats for ever"))
    if chart.loop_start is not None:
        entries.append(("cycle", {}, "the step the run's cycle goes back to (⟲ in the margin)"))
    absent = []
    if not any(m.lost_at is not None for m in chart.messages):
        absent.append("lost message (✕)")
    if not any(m.duplicated_at for m in chart.messages):
        absent.append("duplicated message (×n)")
    if not faults:
        absent.append("fault step (⚡ crash, restart, partition, heal)")

    text_w = max(LABEL_CHAR_W * len(t) for _, _, t in entries)
    cell_w = SAMPLE_W + 10 + text_w + 24
    width = max(total_w - left - 20, cell_w)
    ncols = max(1, int(width // cell_w))
    nrows = -(-len(entries) // ncols)
    rows_w = [f"{TAG}{w.describe(chart)}" for w in chart.witnesses]
    height = 24 + LEGEND_ROW * (nrows + bool(absent) + len(rows_w) + bool(rows_w)) + 8
    real_w = max(width, *(SAMPLE_W + 40 + LABEL_CHAR_W * len(t) for t in rows_w)) if rows_w else width
    out = [
        f'  "legend" [shape=box, style=rounded, color="#bbbbbb", label="", width={real_w / 72:.2f}, '
        f'height={height / 72:.2f}, fixedsize=true, pos="{left + real_w / 2:.1f},{top - height / 2:.1f}!"];',
        f'  "legend:title" [shape=plaintext, fontsize=10, label=<<B>Legend</B>>, '
        f'pos="{left + 30:.1f},{top - 12:.1f}!"];',
    ]
    for k, (kind, args, text) in enumerate(entries):
        x = left + 12 + (k % ncols) * cell_w
        y = top - 24 - LEGEND_ROW * (k // ncols) - LEGEND_ROW / 2
        out += _sample(f"legend:{k}", kind, args, x, y)
        out.append(_legend_text(f"legend:{k}:t", text, x + SAMPLE_W + 10, y))
    y = top - 24 - LEGEND_ROW * nrows - LEGEND_ROW / 2
    if absent:
        out.append(_legend_text("legend:absent", "not in this run: " + ", ".join(absent), left + 12, y,
                                color="#888888"))
        y -= LEGEND_ROW
    if rows_w:
        out.append(_legend_text("legend:witnesses", f"witnesses of the violation, tagged {TAG} on their lifelines and "
                                "steps, their messages highlighted:", left + 12, y, bold=True))
        y -= LEGEND_ROW
    for k, text in enumerate(rows_w):
        light, dark = WITNESS_COLORS[k % len(WITNESS_COLORS)]
        out += _sample(f"legend:w{k}", "witness", {"light": light}, left + 12, y)
        out.append(_legend_text(f"legend:w{k}:t", text, left + 12 + SAMPLE_W + 10, y, color=dark, bold=True))
        y -= LEGEND_ROW
    return out


def _legend_text(name: str, text: str, x: float, y: float, *, color: str = "#333333", bold: bool = False) -> str:
    """Left-aligned text starting at x (a node as wide as the text is estimated, its label justified left)."""
    w = LABEL_CHAR_W * len(text) + 4
    body = f"<B>{_xml(text)}</B>" if bold else _xml(text)
    return (f'  "{_esc(name)}" [shape=plaintext, fontsize=9, fontcolor="{color}", margin=0, width={w / 72:.2f}, '
            f'height=0.2, label=<<TABLE BORDER="0" CELLPADDING="0" CELLSPACING="0"><TR>'
            f'<TD WIDTH="{w:.0f}" ALIGN="LEFT">{body}</TD></TR></TABLE>>, pos="{x + w / 2:.1f},{y:.1f}!"];')


def _sample(name: str, kind: str, args: dict, x: float, y: float) -> list[str]:
    """One legend sample, SAMPLE_W wide, centred on row y, made like the chart's own mark."""
    a, b = f'"{name}:a"', f'"{name}:b"'
    x2 = x + SAMPLE_W
    ends = [f'  {a} [shape=point, width=0.03, color="#777777", pos="{x:.1f},{y:.1f}!"];']

    def box(style: str, fill: str, border: str, pen: float, label: str, shape: str = "box") -> list[str]:
        return [f'  "{name}" [shape={shape}, style="{style}", fillcolor="{fill}", color="{border}", penwidth={pen}, '
                f'fontsize=8, label="{_esc(label)}", width={SAMPLE_W / 72:.2f}, height=0.22, fixedsize=true, '
                f'pos="{x + SAMPLE_W / 2:.1f},{y:.1f}!"];']

    grey = "#555555"
    if kind == "head":
        return box("filled,bold", "#dde7f7", "#000000", 1.0, "a1")
    if kind == "box":
        return box("rounded,filled", "#ffffffd9", "#333333", 1.0, "step")
    if kind == "note":
        return box("filled", "#fffbe6", "#000000", 1.0, "x = 1", shape="note")
    if kind == "fault":
        return box("rounded,filled", FAULT_FILL[args["kind"]] + "d9", "#333333", 1.0, f"⚡ {args['kind']}")
    if kind == "violating":
        return box("rounded,filled", "#fde0e0d9", "#c62828", 2.5, "step")
    if kind == "cycle":
        return [f'  "{name}" [shape=plaintext, fontsize=10, fontcolor="#8e24aa", label="⟲", '
                f'pos="{x + SAMPLE_W / 2:.1f},{y:.1f}!"];']
    if kind == "arrow":
        return ends + [f'  {b} [shape=point, width=0.01, color="{grey}", pos="{x2:.1f},{y:.1f}!"];',
                       f'  {a} -> {b} [color="{grey}", penwidth=1.2];']
    if kind == "undelivered":
        return ends + [f'  {b} [{_in_flight(grey)}, pos="{x2:.1f},{y:.1f}!"];',
                       f'  {a} -> {b} [{UNDELIVERED}, color="{grey}"];']
    if kind == "lost":
        return ends + [f'  {b} [shape=plaintext, label="✕", fontcolor="#c62828", fontsize=14, '
                       f'pos="{x2:.1f},{y:.1f}!"];',
                       f'  {a} -> {b} [color="{grey}", style=dashed, arrowhead=none];']
    if kind == "duplicated":
        return ends + [f'  {b} [shape=point, width=0.01, color="{grey}", pos="{x2:.1f},{y:.1f}!"];',
                       f'  {a} -> {b} [color="{grey}", penwidth=2.0];']
    if kind == "down":
        return ends + [f'  {b} [shape=point, width=0.03, color="#777777", pos="{x2:.1f},{y:.1f}!"];',
                       f'  {a} -> {b} [style=dotted, color="#c62828", penwidth=1.5, arrowhead=none];']
    if kind == "witness":
        c = f'"{name}:c"'
        return ends + [f'  {b} [shape=point, width=0.01, color="{grey}", pos="{x2:.1f},{y:.1f}!"];',
                       f'  {c} [shape=point, style=invis, pos="{x:.1f},{y:.1f}!"];',
                       *_halo(c, b, [args["light"]]), f'  {a} -> {b} [color="{grey}", penwidth=1.2];']
    raise ValueError(kind)
