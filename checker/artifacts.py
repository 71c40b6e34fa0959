"""Files a check writes with ``--out DIR``: the result and its trace as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from .result import Result


def write_outputs(result: Result, out: str | Path) -> list[Path]:
    """Write ``result.json`` and, for a finding, ``trace.json``; return the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    doc = result.to_json()
    written = [out / "result.json"]
    written[0].write_text(json.dumps(doc, indent=2, default=str) + "\n")
    if result.trace:
        path = out / "trace.json"
        path.write_text(json.dumps(doc, indent=2, default=str) + "\n")
        written.append(path)
    return written
