"""The ``explicit`` engine: breadth-first search, handing liveness properties to the liveness checker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from checker.core.properties import select_properties
from checker.core.result import Result
from checker.dsl.protocol import LIVENESS, Protocol
from checker.explicit.bfs import explore
from checker.explicit.liveness import check_liveness


def explicit(protocol: Protocol, properties: list[str] | None = None, *,
             progress: Callable[[str], None] | None = None, **options: Any) -> Result:
    """Safety properties by ``explore``; any liveness property selected needs the whole graph."""
    if any(p.kind in LIVENESS for p in select_properties(protocol, properties)):
        return check_liveness(protocol, properties, progress=progress, **options)
    return explore(protocol, properties, progress=progress, **options)
