"""``quorum show TRACE``: re-render a saved trace (ours or an ITF file from Apalache/Quint)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from checker.cli.spec import load_protocol
from checker.core.replay import confirm_violation, replay
from checker.core.trace import step_from_json
from checker.errors import QuorumError


@click.command(name="show")
@click.argument("trace_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", type=click.Path(file_okay=False), default=None, help="directory (default: beside the trace)")
@click.option("--png", is_flag=True, help="also write PNGs")
@click.option("--protocol", "protocol_ref", default=None, help="module:Class, for an ITF file that does not name it")
@click.option("-p", "--param", "params", multiple=True, help="protocol parameter, for an ITF file")
@click.option("--debug", is_flag=True, help="show tracebacks")
def command(trace_file: str, out: str | None, png: bool, protocol_ref: str | None, params: tuple[str, ...],
            debug: bool) -> None:
    """Re-render trace.json (or an ITF trace) as msc.svg, states.svg and report.html."""
    from checker.cli.params import parse_params
    from checker.explicit.space import small_space
    from checker.render import itf
    from checker.render.bundle import render_trace
    from checker.render.stategraph import FULL_LIMIT

    path = Path(trace_file)
    try:
        doc = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise QuorumError(f"{path}: not JSON: {err}") from None
    is_itf = "states" in doc and "vars" in doc
    meta = doc.get("#meta", {}) if is_itf else doc
    ref = protocol_ref or meta.get("protocol")
    if not ref:
        raise QuorumError(f"{path}: names no protocol: pass --protocol module:Class (and -p name=value)")
    cls = load_protocol(ref, str(path))
    parameters = {**meta.get("parameters", {}), **parse_params(params)}
    protocol = cls(**parameters)
    if is_itf:
        steps = itf.import_trace(protocol, doc, str(path))
        prop = meta.get("property")
        doc = {"verdict": "violated" if prop else "trace", "property": prop, "loop_start": doc.get("loop"),
               "summary": f"{prop} violated after {len(steps) - 1} steps" if prop else f"{len(steps) - 1} steps"}
    else:
        if "trace" not in doc:
            raise QuorumError(f"{path}: no \"trace\": write one with quorum check ... --out DIR")
        steps = [step_from_json(protocol, s, path, i) for i, s in enumerate(doc["trace"])]
    prop = doc.get("property") if doc.get("verdict") == "violated" else None
    source = f"trace file {path}"
    if prop in protocol.properties and protocol.properties[prop].kind == "always" or prop == "deadlock":
        steps = confirm_violation(protocol, steps, prop, source=source)
    else:
        steps = replay(protocol, steps, source=source)
    target = Path(out) if out else path.parent
    written, notes = render_trace(protocol, doc, steps, target, formats=("svg", "png") if png else ("svg",),
                                  space=small_space(protocol, FULL_LIMIT))
    for note in notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"wrote {', '.join(str(p) for p in written)}")


