"""A ``Result`` as plain text for a failing test: the verdict, the figures, the counterexample as a
step table (each step's action, then only what it changed) and why the property failed.

Plain text, not rich's tables: pytest prints an assertion's message line by line after ``E``, and
a report section as it is, on any terminal or CI log.
"""

from __future__ import annotations

from checker.core.diff import changes
from checker.core.result import Result
from checker.render.explain import explanation_text as explanation

ACTION_WIDTH = 44  # the action column; a longer label gets a line of its own


def describe(result: Result) -> str:
    """Everything a test failure should show about ``result``, one item a line."""
    lines = [result.summary()]
    props = result.protocol.properties
    if result.verdict == "violated" and result.property in props and props[result.property].doc:
        lines.append(f"  {result.property}: {props[result.property].doc}")
    if result.message and result.verdict == "violated":
        lines.append(f"  {result.message}")
    lines += [f"  {line}" for line in result.figure_lines()]
    lines += [f"  warning: {w}" for w in result.warnings]
    if result.trace:
        steps = len(result.trace) - 1
        title = "Counterexample" if result.verdict != "error" else "Trace to the exception"
        lines += ["", f"{title} ({steps} step{'s' if steps != 1 else ''}):", step_table(result)]
        why = explanation(result)
        if why:
            lines += ["", "Why it failed:", why]
    return "\n".join(lines)


def step_table(result: Result) -> str:
    """The trace as a table: step number, action with its parameters, and what it changed (one change
    a line); the violating step is marked."""
    names = list(result.protocol.variables)
    width = min(ACTION_WIDTH, max(len(s.label) for s in result.trace) + 2) if result.trace else 8
    out = [f"  {'#':>3}  {'action':<{width}}changed"]
    prev = None
    last, loop = len(result.trace) - 1, result.loop_start
    for i, step in enumerate(result.trace):
        diff = [str(c) for c in changes(prev, step.state, names)] or ["(no change)"]
        if i == last and result.verdict == "violated" and result.property:
            diff[-1] += f"    <- {result.property} violated"
        label = step.label + ("  (cycle starts)" if i == loop else "")
        if len(label) + 2 > width:
            out.append(f"  {i:>3}  {label}")
            out += [f"  {'':>3}  {'':<{width}}{d}" for d in diff]
        else:
            out.append(f"  {i:>3}  {label:<{width}}{diff[0]}")
            out += [f"  {'':>3}  {'':<{width}}{d}" for d in diff[1:]]
        prev = step.state
    return "\n".join(line.rstrip() for line in out)
