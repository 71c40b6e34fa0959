"""A self-contained HTML report of a finding: the property, why it failed, a step table with the
changed variables highlighted, and the diagrams inlined — it opens from disk with no server.

Each diagram sits in its own scrolling frame with zoom controls (fit to the page's width, actual
size, zoom in and out, drag to pan): a few lines of inline script, no external resource."""

from __future__ import annotations

from html import escape
from typing import Any

from checker.core.diff import changes
from checker.core.trace import Step
from checker.dsl.protocol import Protocol
from checker.render import dot
from checker.render.explain import Explanation

CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 2em; color: #222; max-width: 1400px; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; }
.verdict { color: #c62828; font-weight: bold; }
pre.why { background: #fafafa; border-left: 4px solid #c62828; padding: .8em;
          white-space: pre-wrap; overflow-wrap: anywhere; }
table { border-collapse: collapse; font-size: .9em; }
td, th { border: 1px solid #ddd; padding: .3em .6em; vertical-align: top; text-align: left; }
tr.last td { background: #fde0e0; } tr.loop td:first-child { border-left: 4px solid #8e24aa; }
.changed { background: #fff3b0; font-family: monospace; padding: 0 .2em; display: block; }
.action { font-family: monospace; font-weight: bold; }
.diagram { border: 1px solid #ddd; overflow: auto; max-height: 85vh; cursor: grab; }
.diagram.dragging { cursor: grabbing; user-select: none; }
.diagram svg { display: block; }
.diagram.fit svg { max-width: 100%; height: auto; }
.zoom { margin: .3em 0; font-size: .85em; } .zoom button { margin-right: .3em; }
.note { color: #8a5a00; }
"""


ZOOM_JS = """
document.querySelectorAll('.zoom').forEach(function (bar) {
  var box = bar.nextElementSibling, svg = box.querySelector('svg'), scale = 1;
  if (!svg) return;
  var w = parseFloat(svg.getAttribute('width')), h = parseFloat(svg.getAttribute('height'));
  function size(s) { scale = s; box.classList.remove('fit');
    svg.style.width = (w * s) + 'pt'; svg.style.height = (h * s) + 'pt'; }
  bar.addEventListener('click', function (e) {
    var z = e.target.getAttribute('data-zoom');
    if (z === 'fit') { box.classList.add('fit'); svg.style.width = ''; svg.style.height = ''; scale = 1; }
    else if (z === '1') size(1);
    else if (z === 'in') size(scale * 1.25);
    else if (z === 'out') size(scale / 1.25);
  });
  var drag = null;
  box.addEventListener('mousedown', function (e) {
    drag = {x: e.clientX, y: e.clientY, l: box.scrollLeft, t: box.scrollTop}; box.classList.add('dragging'); });
  window.addEventListener('mousemove', function (e) {
    if (drag) { box.scrollLeft = drag.l - (e.clientX - drag.x); box.scrollTop = drag.t - (e.clientY - drag.y); } });
  window.addEventListener('mouseup', function () { drag = null; box.classList.remove('dragging'); });
});
"""


def report(protocol: Protocol, result_doc: dict[str, Any], trace: list[Step], why: Explanation | None,
           diagrams: dict[str, str | None], notes: list[str]) -> str:
    """The report's HTML. ``diagrams``: title -> inline SVG text (None: not rendered)."""
    prop = result_doc.get("property") or ""
    doc = protocol.properties[prop].doc if prop in protocol.properties else ""
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(result_doc.get('summary', 'Quorum report'))}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(protocol.describe())}</h1>",
        f'<p class="verdict">{escape(result_doc.get("summary", ""))}</p>',
    ]
    if doc:
        parts.append(f"<p><b>{escape(prop)}</b>: {escape(doc)}</p>")
    if result_doc.get("message"):
        parts.append(f"<p>{escape(result_doc['message'])}</p>")
    parts += [f'<p class="note">{escape(n)}</p>' for n in notes]
    if why is not None:
        parts.append("<h2>Why it failed</h2>")
        parts.append(f'<pre class="why">{escape(why.text)}</pre>')
    parts.append("<h2>Steps</h2>")
    parts.append(step_table(protocol, trace, result_doc.get("loop_start"), result_doc.get("verdict") == "violated"))
    for title, svg in diagrams.items():
        parts.append(f"<h2>{escape(title)}</h2>")
        if svg is None:
            parts.append('<p class="note">not rendered: graphviz is not installed (the .dot file is beside '
                         "this report)</p>")
        else:
            parts.append('<div class="zoom"><button data-zoom="fit">fit width</button>'
                         '<button data-zoom="1">actual size</button><button data-zoom="in">zoom in</button>'
                         '<button data-zoom="out">zoom out</button> drag to pan</div>')
            parts.append(f'<div class="diagram fit">{dot.inline(svg)}</div>')
    if any(svg is not None for svg in diagrams.values()):
        parts.append(f"<script>{ZOOM_JS}</script>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def step_table(protocol: Protocol, trace: list[Step], loop: int | None, violated: bool, *, prefix: str = "") -> str:
    """The trace as an HTML table: step number, action with its parameters, and only what it changed.
    ``prefix`` scopes the CSS classes (a notebook cell shares its page with others)."""
    names = list(protocol.variables)
    rows = [f'<table class="{prefix}steps"><tr><th>#</th><th>action</th><th>changed</th></tr>']
    prev = None
    for i, step in enumerate(trace):
        diff = changes(prev, step.state, names)
        cells = "".join(f'<span class="{prefix}changed">{escape(str(c))}</span>' for c in diff) or "(no change)"
        cls = []
        if violated and i == len(trace) - 1:
            cls.append(f"{prefix}last")
        if loop is not None and i == loop:
            cls.append(f"{prefix}loop")
        label = step.label + ("  ⟲ cycle starts" if loop is not None and i == loop else "")
        rows.append(f'<tr class="{" ".join(cls)}"><td>{i}</td><td class="{prefix}action">{escape(label)}</td>'
                    f"<td>{cells}</td></tr>")
        prev = step.state
    rows.append("</table>")
    return "\n".join(rows)
