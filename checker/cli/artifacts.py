"""Files a check writes with ``--out DIR``: the result as JSON and, for a finding, everything that
explains its trace (trace.json, trace.itf.json, msc.svg, states.svg, report.html)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from checker.core.result import Result


def write_outputs(result: Result, out: str | Path, formats: tuple[str, ...] = ("svg",)) -> list[Path]:
    """Write ``result.json`` and, for a trace, its diagrams and report; return the paths written.

    Without graphviz the DOT sources, JSON and HTML are still written, and stderr says how to
    install it."""
    from checker.explicit.space import small_space
    from checker.render.bundle import render_trace
    from checker.render.stategraph import FULL_LIMIT

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    doc = result.to_json()
    written = [out / "result.json"]
    written[0].write_text(json.dumps(doc, indent=2, default=str) + "\n")
    if result.trace:
        space = small_space(result.protocol, FULL_LIMIT)
        paths, notes = render_trace(result.protocol, doc, result.trace, out, formats=formats, space=space)
        written += paths
        for note in notes:
            sys.stderr.write(f"note: {note}\n")
    return written
