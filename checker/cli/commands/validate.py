"""``quorum validate PROTOCOL LOG``: check that a log of a real run is a behaviour of the protocol."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.text import Text

from checker.cli.console import make_console
from checker.cli.guards import loading
from checker.cli.params import parse_params
from checker.cli.spec import Spec, load_spec
from checker.conform.validate import Validation, read_log, validate
from checker.core.diff import trace_text
from checker.core.properties import along as properties_along
from checker.core.properties import timeline
from checker.core.trace import trace_json
from checker.dsl.protocol import Protocol
from checker.errors import QuorumError
from checker.render.explain import explain


@click.command(name="validate")
@click.argument("target")
@click.argument("log", type=click.Path(dir_okay=False))
@click.option("-p", "--param", "params", multiple=True, help="protocol parameter, e.g. -p clients=3")
@click.option("--hidden", multiple=True, metavar="ACTION",
              help="an action the log leaves out (e.g. --hidden tick): any number of its steps may come between events")
@click.option("--property", "properties", multiple=True, metavar="NAME",
              help="an invariant to evaluate after every event (default: the protocol's)")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@click.option("--debug", is_flag=True, help="show tracebacks")
def command(target: str, log: str, params: tuple[str, ...], hidden: tuple[str, ...], properties: tuple[str, ...],
            as_json: bool, debug: bool) -> None:
    """Check that LOG (JSON Lines: one {"action", "params", "state"} event per line) is a behaviour
    of TARGET (a spec file or module:Class); report the first event no enabled step explains, and every
    invariant the log breaks. Exit 0: valid and safe; 1: invalid or an invariant broken."""
    if target.endswith(".py"):
        raise QuorumError(f"{target}: a Python file; name the protocol in it as module:Class, "
                          "e.g. quorum validate protocols.lease:LeaseLock LOG")
    if target.endswith(".toml") or Path(target).is_file():
        spec = load_spec(target)
    else:
        spec = Spec(path=target, protocol_ref=target)
    spec.parameters.update(parse_params(params))
    with loading(spec.describe_source()):
        protocol = spec.build()
    events = read_log(log, protocol)
    try:
        outcome = validate(protocol, events, hidden=hidden, properties=list(properties) or None)
    except QuorumError as err:
        text = str(err)
        raise QuorumError(text if text.startswith(log) else f"{log}: {text}") from None
    selected = list(properties) or None
    along = properties_along(protocol, [s.state for s in outcome.trace], selected)
    if as_json:
        doc = {**validation_json(protocol, outcome), "properties": along, "trace": trace_json(protocol, outcome.trace)}
        click.echo(json.dumps(doc, indent=2, default=str))
    else:
        console = make_console()
        console.print(Text(outcome.summary(protocol), style="bold green" if outcome.ok else "bold red"), soft_wrap=True)
        if outcome.trace:
            title = "a behaviour that explains the log" if outcome.ok else "the log up to there, as protocol steps"
            console.print(Text(f"  {title}:\n{trace_text(protocol, outcome.trace)}", style="dim"), soft_wrap=True)
        if outcome.trace:
            console.print(Text("  the properties along that behaviour:", style="dim"))
            for name, values in along.items():
                goal = protocol.properties[name].kind == "sometimes"
                console.print(Text(f"    {name}{' (goal)' if goal else ''}: {timeline(values, goal)}"), soft_wrap=True)
        if outcome.candidates:
            console.print("  closest candidates:")
            for c in outcome.candidates:
                console.print(Text(f"    {c.label}: {'; '.join(c.differences)}"), soft_wrap=True)
        for v in outcome.violations:
            console.print(Text(f"  {v.summary()}: {explain(protocol, v.trace[-1].state, v.name).text}",
                               style="bold red"), soft_wrap=True)
            console.print(Text(trace_text(protocol, v.trace), style="dim"), soft_wrap=True)
    sys.exit(0 if outcome.ok and not outcome.violations else 1)


def validation_json(protocol: Protocol, outcome: Validation) -> dict[str, Any]:
    """The verdict of a validation as JSON (``validate --json`` and ``system ... --json``)."""
    return {
        "valid": outcome.ok,
        "summary": outcome.summary(protocol),
        "matched_events": outcome.matched,
        "possible_states": outcome.possible_states,
        "failed_line": outcome.failed.line if outcome.failed else None,
        "candidates": [{"step": c.label, "differences": c.differences} for c in outcome.candidates],
        "violations": [{"property": v.name, "line": v.event.line if v.event else None,
                        "explanation": explain(protocol, v.trace[-1].state, v.name).text,
                        "trace": trace_json(protocol, v.trace)} for v in outcome.violations],
    }
