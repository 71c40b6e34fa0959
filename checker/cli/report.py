"""Terminal output: the verdict, statistics, coverage, and the counterexample as a step table."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from checker.core.diff import changes
from checker.core.result import Result
from checker.core.trace import Step
from checker.dsl.protocol import Protocol
from checker.render.explain import explanation_text as explanation

STYLE = {"holds": "bold green", "violated": "bold red", "error": "bold magenta", "limit": "bold yellow"}


def print_result(result: Result, console: Console, *, title: str | None = None) -> None:
    console.print(Text(result.summary(), style=STYLE.get(result.verdict, "bold")), soft_wrap=True)
    if title:
        console.print(Text(title, style="dim"))
    if result.verdict == "violated" and result.property in result.protocol.properties:
        doc = result.protocol.properties[result.property].doc
        if doc:
            console.print(Text(f"  {result.property}: {doc}"), soft_wrap=True)
    if result.message and result.verdict not in ("error", "limit"):
        console.print(Text(f"  {result.message}"), soft_wrap=True)
    for line in result.figure_lines():  # Text: "maxBal[a1]" is not rich markup
        console.print(Text(f"  {line}", style="dim"), soft_wrap=True)
    for warning in result.warnings:
        console.print(Text(f"  warning: {warning}", style="yellow"), soft_wrap=True)
    if result.trace:
        console.print(step_table(result))
        why = explanation(result)
        if why:
            console.print(Text("Why it failed", style="bold"))
            console.print(Text(why), soft_wrap=True)


def step_table(result: Result) -> Table:
    """One row per step: the action with its parameters, then only what it changed."""
    title = "Counterexample" if result.verdict != "error" else "Trace to the exception"
    return trace_table(result.protocol, result.trace, title, loop_start=result.loop_start,
                       last_red=result.verdict == "violated")


def trace_table(protocol: Protocol, trace: list[Step], title: str, *, loop_start: int | None = None,
                last_red: bool = False, totals: list[str] | None = None) -> Table:
    """A trace as a step table; ``totals``: a column with one entry per step (a query's running cost)."""
    names = list(protocol.variables)
    table = Table(title=title, show_lines=True)
    table.add_column("#", justify="right", style="dim")
    table.add_column("action", style="bold cyan")
    if totals is not None:
        table.add_column("so far", justify="right")
    table.add_column("changed")
    prev = None
    last = len(trace) - 1
    for i, step in enumerate(trace):
        diff = changes(prev, step.state, names)
        text = "\n".join(str(c) for c in diff) if diff else "(no change)"
        label = step.label
        if loop_start is not None and i == loop_start:
            label += "  ⟲ cycle starts"
        style = "red" if i == last and last_red else None
        cells = [str(i), Text(label), *([Text(totals[i])] if totals is not None else []), Text(text)]
        table.add_row(*cells, style=style)
        prev = step.state
    return table
