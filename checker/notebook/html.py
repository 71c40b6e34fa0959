"""A ``Result`` as one HTML fragment for a notebook cell: the verdict, the figures, why it failed (the
property clause by clause), the step table with what each step changed, and the message sequence
chart as inline SVG (graphviz's ``dot``; without it a note says how to install it).

The fragment's styles are scoped to ``.quorum-result``, so it never restyles the notebook around it.
"""

from __future__ import annotations

from html import escape

from checker.core import result as core_result
from checker.core.result import Result

COLOURS = {"holds": "#2e7d32", "violated": "#c62828", "error": "#8e24aa", "limit": "#b8560b"}

CSS = """
.quorum-result { font-family: Helvetica, Arial, sans-serif; line-height: 1.35; }
.quorum-result .q-verdict { font-weight: bold; font-size: 1.1em; margin: .2em 0 .4em; }
.quorum-result .q-dim { color: #666; margin: .1em 0; }
.quorum-result .q-note { color: #8a5a00; margin: .1em 0; }
.quorum-result summary { font-weight: bold; cursor: pointer; margin: .6em 0 .3em; }
.quorum-result pre.q-why { background: #fafafa; border-left: 4px solid #c62828; padding: .6em;
  white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }
.quorum-result table.q-steps { border-collapse: collapse; font-size: .9em; }
.quorum-result table.q-steps td, .quorum-result table.q-steps th { border: 1px solid #ddd;
  padding: .25em .5em; vertical-align: top; text-align: left; }
.quorum-result tr.q-last td { background: #fde0e0; }
.quorum-result tr.q-loop td:first-child { border-left: 4px solid #8e24aa; }
.quorum-result .q-action { font-family: monospace; font-weight: bold; white-space: nowrap; }
.quorum-result .q-changed { font-family: monospace; display: block; background: #fff3b0; margin: 1px 0;
  padding: 0 .2em; }
.quorum-result .q-chart { overflow-x: auto; }
.quorum-result .q-chart svg { max-width: 100%; height: auto; }
"""

NO_DOT = ("no chart: graphviz's `dot` is not installed (`sudo apt-get install graphviz` on Debian/Ubuntu, "
          "`brew install graphviz` on macOS)")


def install() -> None:
    """Make every ``Result`` display as this HTML in Jupyter (the facade calls it; calling it again is a no-op)."""
    if result_html not in core_result.html_renderers:
        core_result.html_renderers.append(result_html)


def result_html(result: Result) -> str:
    """The HTML of one result (what ``Result._repr_html_`` returns once ``install()`` ran)."""
    colour = COLOURS.get(result.verdict, "#222")
    parts = ['<div class="quorum-result">', f"<style>{CSS}</style>",
             f'<p class="q-verdict" style="color: {colour}">{escape(result.summary())}</p>']
    props = result.protocol.properties
    if result.verdict == "violated" and result.property in props and props[result.property].doc:
        parts.append(f"<p><b>{escape(result.property)}</b>: {escape(props[result.property].doc)}</p>")
    if result.message and result.verdict == "violated":
        parts.append(f"<p>{escape(result.message)}</p>")
    parts += [f'<p class="q-dim">{escape(line)}</p>' for line in result.figure_lines()]
    parts += [f'<p class="q-note">warning: {escape(w)}</p>' for w in result.warnings]
    if result.trace:
        from checker.render.explain import explanation_text

        why = explanation_text(result)
        if why:
            parts.append(f'<details open><summary>Why it failed</summary><pre class="q-why">{escape(why)}</pre>'
                         "</details>")
        steps = len(result.trace) - 1
        title = "Counterexample" if result.verdict != "error" else "Trace to the exception"
        parts.append(f"<details open><summary>{title}: {steps} step{'s' if steps != 1 else ''}</summary>"
                     f"{step_table(result)}</details>")
        parts.append(f"<details open><summary>Message sequence chart</summary>{_chart(result)}</details>")
    parts.append("</div>")
    return "\n".join(parts)


def step_table(result: Result) -> str:
    """One row per step: its number, the action with its parameters, and only what it changed."""
    from checker.render.html import step_table as table

    return table(result.protocol, result.trace, result.loop_start, result.verdict == "violated", prefix="q-")


def _chart(result: Result) -> str:
    """The message sequence chart as inline SVG, or a note saying why there is none."""
    from checker.render import dot
    from checker.render.bundle import msc_source

    if not dot.have_dot():
        return f'<p class="q-note">{escape(NO_DOT)}</p>'
    prop = result.property if result.verdict == "violated" else None
    try:
        svg = dot.to_svg(msc_source(result.protocol, result.trace, prop, result.loop_start), engine="neato",
                         pinned=True)
    except Exception as exc:  # a chart is a courtesy too: the table above already shows every step
        return f'<p class="q-note">no chart: {escape(type(exc).__name__)}: {escape(str(exc))}</p>'
    if not svg:
        return f'<p class="q-note">{escape(NO_DOT)}</p>'
    return f'<div class="q-chart">{dot.inline(svg)}</div>'
