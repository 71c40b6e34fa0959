"""A spec's ``[query]`` on the command line: answered by ``checker.explicit.extremes``, printed
with both witnesses as step tables (the running cost in a column), or as one JSON document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from checker.cli.console import progress_printer
from checker.cli.guards import Interrupted, loading
from checker.cli.report import STYLE, trace_table
from checker.cli.spec import QUERY_OPTIONS, Spec
from checker.core.trace import Step
from checker.errors import QuorumError
from checker.explicit.extremes import Extremes, Query, Witness, extremes, make_query

#: Exit codes of a query without an expected answer (with one: 0 matched, 1 missed).
EXIT = {"answered": 0, "unreachable": 1, "error": 2, "limit": 4}


def run_query(spec: Spec, overrides: dict[str, Any], quiet: bool, engine: str | None = None,
              label: str = "") -> Extremes:
    """Build the spec's protocol and answer its query; command-line limits override the spec's."""
    if engine not in (None, "auto", "explicit"):
        raise QuorumError(f"{spec.path}: --engine {engine} does not apply to a [query] spec: the query is answered "
                          "on the explicit state graph")
    flags = {k: v for k, v in overrides.items() if k != "-o"}
    for name in [*flags, *overrides.get("-o", {})]:
        if name not in QUERY_OPTIONS:
            raise QuorumError(f"{spec.path}: --{name.replace('_', '-')} does not apply to a [query] spec: the query "
                              f"runs the explicit search itself (options: {', '.join(sorted(QUERY_OPTIONS))})")
    with loading(spec.describe_source()):
        protocol = spec.build()
        q = spec.query
        query = make_query(protocol, q.goal, q.cost, q.unit, q.exclude, where=f"{spec.path} [query]")
    options = {**spec.options, **flags, **overrides.get("-o", {})}
    try:
        return extremes(protocol, query, progress=None if quiet else progress_printer(label), **options)
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted while answering the query of {spec.path}: no answer") from None


def query_json(answer: Extremes, spec: Spec) -> dict[str, Any]:
    doc = answer.to_json()
    expected = spec.query.expectation_text()
    if expected is not None:
        doc["expected"] = expected
        doc["matched"] = spec.query.expectation_met(answer)
    return doc


def query_exit(answer: Extremes, spec: Spec) -> int:
    if spec.query.expectation_text() is not None and answer.verdict in ("answered", "unreachable"):
        return 0 if spec.query.expectation_met(answer) else 1
    return EXIT[answer.verdict]


def answer_text(answer: Extremes) -> str:
    """The answer in a few words: "minimum 150 ms, maximum unbounded"."""
    if answer.verdict != "answered":
        return answer.verdict
    q = answer.query
    return f"minimum {q.show(answer.minimum.cost)}, maximum {q.show(answer.maximum.cost)}"


def print_query(answer: Extremes, spec: Spec, console: Console) -> None:
    console.print(Text(answer.summary(), style=STYLE.get({"answered": "holds", "unreachable": "violated"}.get(
        answer.verdict, answer.verdict), "bold")), soft_wrap=True)
    q = answer.query
    console.print(Text(f"  explicit: {answer.distinct_states:,} distinct states, {answer.goal_states:,} where "
                       f"{q.goal} first holds, {answer.elapsed_s:.2f}s", style="dim"), soft_wrap=True)
    costs = ", ".join(f"{action} {q.show(amount)}" for action, amount in q.cost.items())
    console.print(Text(f"  cost of a run: the sum of its steps' costs ({costs}; other steps cost nothing), "
                       f"up to the first state where {q.goal} holds"
                       + (f"; runs through a state where {q.exclude} holds are left out" if q.exclude else ""),
                       style="dim"), soft_wrap=True)
    if answer.trace:
        console.print(trace_table(answer.protocol, answer.trace, "Trace to the exception"))
    if answer.verdict == "answered":
        low, high = answer.minimum, answer.maximum
        _witness(console, answer, low, f"Minimum {q.show(low.cost)}: a shortest run among the cheapest, "
                 f"{len(low.trace) - 1} steps")
        if high.cost is not None:
            _witness(console, answer, high,
                     f"Maximum {q.show(high.cost)}: a run that costs it, {len(high.trace) - 1} steps")
        else:
            last, start = len(high.trace) - 1, high.loop_start
            per_round = q.show(sum(q.step_cost(s.action) for s in high.trace[start + 1:]))
            _witness(console, answer, high, f"Maximum unbounded: the state after step {start} comes back after step "
                     f"{last}, so steps {start + 1}..{last} can repeat for ever, "
                     f"{per_round} a round, and {q.goal} can still be reached after any number of rounds (a lasso)")
    if answer.never is not None:
        _witness(console, answer, Witness(None, answer.never), f"Some runs never reach {q.goal}: from the last state "
                 f"of this trace no run reaches it" + (f" without passing {q.exclude}" if q.exclude else ""))
    expected = spec.query.expectation_text()
    if expected is not None and not answer.interrupted:
        met = spec.query.expectation_met(answer)
        console.print(f"expected {expected}: {'matched' if met else 'MISSED'}", style="green" if met else "bold red")


def _witness(console: Console, answer: Extremes, witness: Witness, title: str) -> None:
    console.print(Text(title, style="bold"), soft_wrap=True)
    console.print(trace_table(answer.protocol, witness.trace, "", loop_start=witness.loop_start,
                              totals=_running(answer.query, witness.trace)))


def _running(query: Query, trace: list[Step]) -> list[str]:
    """The cost of the run so far, at each step."""
    out, total = [], 0
    for step in trace:
        total += query.step_cost(step.action)
        out.append(query.show(total))
    return out


def write_query(answer: Extremes, spec: Spec, out: Path) -> list[Path]:
    """``--out DIR``: the answer as ``query.json``, both witnesses' traces included."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "query.json"
    path.write_text(json.dumps(query_json(answer, spec), indent=2, default=str) + "\n")
    return [path]
