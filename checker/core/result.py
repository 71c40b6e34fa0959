"""What a check returns: the verdict, statistics and, for a finding, the trace that shows it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from checker.core.trace import Step, trace_json
from checker.dsl.protocol import Protocol

VERDICTS = ("holds", "violated", "error", "limit")
_derived = property  # the dataclass below has a field named `property`

#: What ``Result._repr_html_`` calls (the last one registered). Core cannot import ``checker.render``,
#: which draws the chart and explains the failure, so the renderer is handed down from above:
#: ``checker.notebook.install()`` registers it, and the facade (``checker/__init__.py``, which runs
#: before any ``checker.*`` module) calls that. Empty: Jupyter shows the short ``repr``.
html_renderers: list[Callable[[Result], str]] = []


@dataclass
class Details:
    """An engine's own figures on a ``Result`` (a store, a lasso, simulation or solver statistics).

    Each engine subclasses this as a dataclass in its own package: its fields are the JSON
    fields it adds (``to_json``, None fields left out) and it says itself what the terminal shows
    (``report_lines``) and, where it words the verdict its own way, the summary line."""

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}

    def report_lines(self) -> list[str]:
        return []

    def summary(self) -> str | None:
        return None


@dataclass
class Result:
    """The outcome of one check. ``verdict`` is holds | violated | error | limit."""

    verdict: str
    engine: str
    protocol: Protocol
    property: str | None = None
    trace: list[Step] = field(default_factory=list)
    distinct_states: int = 0
    generated_states: int = 0
    depth: int = 0
    elapsed_s: float = 0.0
    coverage: dict[str, int] = field(default_factory=dict)
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    goals: dict[str, int | None] = field(default_factory=dict)
    checked: list[str] = field(default_factory=list)
    loop_start: int | None = None  # a lasso: the trace's steps from here on repeat for ever
    interrupted: bool = False  # stopped by Ctrl-C: what was found so far, never a verdict on the whole
    details: list[Details] = field(default_factory=list)

    @_derived
    def extra(self) -> dict[str, Any]:
        """The JSON fields the engine's details add (what ``--json`` prints beyond the common ones)."""
        doc: dict[str, Any] = {} if self.loop_start is None else {"loop_start": self.loop_start}
        for d in self.details:
            doc.update(d.to_json())
        return doc

    def detail(self, kind: type) -> Any:
        """The engine's details of this type, or None."""
        return next((d for d in self.details if isinstance(d, kind)), None)

    @_derived
    def holds(self) -> bool:
        return self.verdict == "holds"

    @_derived
    def violated(self) -> bool:
        return self.verdict == "violated"

    @_derived
    def states_per_second(self) -> float:
        return self.distinct_states / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def __repr__(self) -> str:
        """One short line: the verdict, the instance (parameters off their defaults) and the figures.
        The whole record is ``to_json()``; in Jupyter ``_repr_html_`` draws the counterexample."""
        proto = self.protocol
        specs = type(proto).param_specs()
        args = ", ".join(f"{k}={v!r}" for k, v in proto.params.items() if k not in specs or v != specs[k].default)
        if self.verdict == "holds":
            what = f"holds: {', '.join(self.checked) or 'no property'}"
        elif self.verdict == "violated":
            what = f"violated: {self.property}" + (f" after {len(self.trace) - 1} steps" if self.trace else "")
        else:
            message = self.message.splitlines()[0] if self.message else ""
            what = f"{self.verdict}: {message[:80]}{'…' if len(message) > 80 else ''}"
        stats = f"{self.engine}: {self.distinct_states:,} states, depth {self.depth}, {self.elapsed_s:.2f} s"
        what += " (interrupted)" if self.interrupted else ""
        return f"<Result {what} | {type(proto).__name__}({args}) | {stats}>"

    def _repr_html_(self) -> str | None:
        """Jupyter's rich display: the registered renderer's HTML (None: Jupyter shows the repr)."""
        return html_renderers[-1](self) if html_renderers else None

    def summary(self) -> str:
        """One line: the verdict in words, with the bounds it covers."""
        for d in self.details:  # an engine's own wording, e.g. "inductive: ... for <bounds>"
            own = d.summary()
            if own is not None:
                return own
        p = self.protocol.describe()
        if self.verdict == "holds":
            return f"holds: {', '.join(self.checked) or 'no property'} for {p}"
        if self.verdict == "violated":
            if self.property == "deadlock":
                return f"violated: deadlock — a reachable state has no successor ({p})"
            if not self.trace:
                return f"violated: {self.property} — {self.message or 'never satisfied'} ({p})"
            return f"violated: {self.property} after {len(self.trace) - 1} steps ({p})"
        if self.verdict == "error":
            return f"error: {self.message}"
        return f"limit: {self.message}"

    def figure_lines(self) -> list[str]:
        """The run's figures, a line each: states, depth, time and rate; each engine detail's lines;
        coverage; the goals reached (what the terminal, a notebook and a test failure print)."""
        lines = []
        if self.distinct_states or self.generated_states:
            lines.append(f"{self.engine}: {self.distinct_states:,} distinct states, {self.generated_states:,} "
                         f"generated, depth {self.depth}, {self.elapsed_s:.2f}s "
                         f"({self.states_per_second:,.0f} states/s)")
        for detail in self.details:
            lines += detail.report_lines()
        if self.coverage:
            lines.append("coverage: " + ", ".join(f"{name} {count:,}" for name, count in self.coverage.items()))
        lines += [f"goal {goal} reached at depth {depth}" for goal, depth in self.goals.items() if depth is not None]
        return lines

    def to_json(self) -> dict[str, Any]:
        proto = self.protocol
        doc = {
            "verdict": self.verdict,
            "property": self.property,
            "engine": self.engine,
            "protocol": f"{type(proto).__module__}:{type(proto).__name__}",
            "parameters": proto.params,
            "summary": self.summary(),
            "distinct_states": self.distinct_states,
            "generated_states": self.generated_states,
            "depth": self.depth,
            "elapsed_s": round(self.elapsed_s, 4),
            "states_per_second": round(self.states_per_second, 1),
            "coverage": self.coverage,
            "checked": self.checked,
            "goals": self.goals,
            "message": self.message,
            "interrupted": self.interrupted,
            "warnings": self.warnings,
            "trace": trace_json(proto, self.trace),
        }
        doc.update(self.extra)
        return doc


@dataclass
class Raised(Details):
    """An action raised: the exception itself (the trace that reached it is the Result's)."""

    exception: BaseException

    def to_json(self) -> dict[str, Any]:
        return {"exception": f"{type(self.exception).__name__}: {self.exception}"}
