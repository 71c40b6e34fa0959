"""Every file that explains one trace, written together: trace.json, trace.itf.json, msc.{dot,svg},
states.{dot,svg,graphml} and report.html. Used by ``check --out``, ``show`` and the gallery."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from checker.core.trace import Step, faults_json, trace_json
from checker.dsl.protocol import Protocol
from checker.render import chart as chart_mod
from checker.render import dot, html, itf, msc, stategraph
from checker.render.explain import Explanation, explain


def title_of(protocol: Protocol, prop: str | None) -> str:
    variant = protocol.params.get("variant")
    name = type(protocol).__name__ + (f" ({variant})" if variant else "")
    return f"{name}: {prop} violated" if prop else name


def msc_source(protocol: Protocol, trace: list[Step], prop: str | None, loop_start: int | None = None,
               why: Explanation | None = None) -> str:
    """The message sequence chart of a trace as DOT, titled: what every view of a trace draws
    (``check --out``, the gallery, the explorer, a notebook). ``why``: the violation's explanation,
    when the caller has it already."""
    chart = chart_mod.build(protocol, trace, violation=prop, loop_start=loop_start, why=why)
    return msc.to_dot(chart, title=title_of(protocol, prop))


def render_trace(protocol: Protocol, doc: dict[str, Any], trace: list[Step], out: Path, *,
                 formats: tuple[str, ...] = ("svg",), states: bool = True,
                 space: tuple[list, list] | None = None) -> tuple[list[Path], list[str]]:
    """Write the trace's files into ``out``; the paths written and notes for the user.

    ``space``: the whole reachable space when it is small enough to draw (see ``stategraph.build``)."""
    out.mkdir(parents=True, exist_ok=True)
    prop = doc.get("property") if doc.get("verdict") == "violated" else None
    loop = doc.get("loop_start")
    why: Explanation | None = None
    if prop is not None and (prop in protocol.properties or prop == "deadlock") and trace:
        why = explain(protocol, trace[-1].state, prop)
    full = {**doc, **faults_json(protocol), "trace": trace_json(protocol, trace)}
    if why is not None:
        full["explanation"] = why.to_json()
    written = [out / "trace.json", out / "trace.itf.json"]
    written[0].write_text(json.dumps(full, indent=2, default=str, sort_keys=False) + "\n")
    verdict = {k: doc[k] for k in ("verdict", "message") if doc.get(k)}
    itf_doc = itf.export(protocol, trace, loop_start=loop, meta={**verdict, "property": prop})
    written[1].write_text(json.dumps(itf_doc, indent=2, default=str) + "\n")

    title = title_of(protocol, prop)
    notes: list[str] = []
    msc_src = msc_source(protocol, trace, prop, loop, why)
    paths, note = dot.write(msc_src, out / "msc", formats, engine="neato", pinned=True)
    written += paths
    diagrams: dict[str, str | None] = {"Message sequence chart": _read(out / "msc.svg") if note is None else None}
    if states:
        graph = stategraph.build(protocol, trace, space)
        paths, note2 = dot.write(stategraph.to_dot(graph, title=title), out / "states", formats)
        stategraph.write_graphml(graph, out / "states.graphml")
        written += [*paths, out / "states.graphml"]
        diagrams["State graph"] = _read(out / "states.svg") if note2 is None else None
    if note:
        notes.append(note)
    page = html.report(protocol, full, trace, why, diagrams, notes)
    (out / "report.html").write_text(page)
    written.append(out / "report.html")
    return written, notes


def _read(path: Path) -> str | None:
    return path.read_text() if path.exists() else None
