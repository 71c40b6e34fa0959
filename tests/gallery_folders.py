"""The gallery's folders that hold a counterexample (an entry whose variant holds at its size has
no trace to re-render, export or explain)."""

from __future__ import annotations

import json
from pathlib import Path

GALLERY = Path(__file__).resolve().parents[1] / "counterexamples"


def with_counterexample() -> list[str]:
    return sorted(p.name for p in GALLERY.iterdir()
                  if p.is_dir() and json.loads((p / "trace.json").read_text()).get("verdict") == "violated")
