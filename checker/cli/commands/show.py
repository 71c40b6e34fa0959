"""``quorum show TRACE``: re-render a saved trace (ours or an ITF file from Apalache/Quint).

trace.json records the faults the run was checked under and its verdict; a file from before it
did still shows (its faults are read off its variables and fault steps, or given with
``--fault``). The protocol's invariants and goals are evaluated on every state of the trace and
printed: where each holds and where it fails.

The trace file is the user's input: anything wrong with it (not JSON, not UTF-8, the wrong shape,
an empty trace, a step the protocol cannot take, a trace written for another protocol) is bad
input naming the file and what is wrong, never an internal error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from checker.cli.guards import check_out_dir, loading
from checker.cli.spec import build_protocol, load_protocol
from checker.core.replay import confirm_violation, replay
from checker.core.trace import step_from_json
from checker.dsl.faults import hostable
from checker.errors import InternalError, QuorumError, read_text, suggest


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a Boolean", type(None): "null"}.get(
        type(value), "a number")


def read_trace_file(path: Path) -> dict[str, Any]:
    """The file's JSON object; anything else is a QuorumError naming the file."""
    text = read_text(path, "trace file", "a trace file is UTF-8 JSON")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise QuorumError(f"{path}: not JSON: {err}") from None
    if not isinstance(doc, dict):
        raise QuorumError(
            f"{path}: the file is {_kind(doc)}, not a trace: a trace file is a JSON object, either trace.json "
            "as `quorum check ... --out DIR` writes it (with \"protocol\", \"parameters\" and a \"trace\" list) "
            "or an ITF trace (with \"vars\" and \"states\")"
        )
    return doc


@click.command(name="show")
@click.argument("trace_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", type=click.Path(file_okay=False), default=None, help="directory (default: beside the trace)")
@click.option("--png", is_flag=True, help="also write PNGs")
@click.option("--protocol", "protocol_ref", default=None, help="module:Class, for an ITF file that does not name it")
@click.option("-p", "--param", "params", multiple=True, help="protocol parameter, for an ITF file")
@click.option("--fault", "faults", multiple=True, metavar="NAME",
              help="a fault the run had (e.g. --fault loss), for a file that does not record its faults")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@click.option("--debug", is_flag=True, help="show tracebacks")
def command(trace_file: str, out: str | None, png: bool, protocol_ref: str | None, params: tuple[str, ...],
            faults: tuple[str, ...], as_json: bool, debug: bool) -> None:
    """Re-render trace.json (or an ITF trace) as msc.svg, states.svg and report.html."""
    from checker.explicit.space import small_space
    from checker.render.bundle import render_trace
    from checker.render.stategraph import FULL_LIMIT

    path = Path(trace_file)
    target = check_out_dir(out) if out else path.parent  # before any work
    if not out:
        check_out_dir(target, "the trace's directory")
    protocol, steps, doc, ref = load_saved_trace(path, protocol_ref, params, faults)
    doc = {**doc, "summary": doc.get("summary") or _summary(protocol, doc, steps)}
    lines = property_lines(protocol, steps, doc.get("property"))
    if not as_json:
        for line in lines:
            click.echo(line)
    try:
        written, notes = render_trace(protocol, doc, steps, target, formats=("svg", "png") if png else ("svg",),
                                      space=small_space(protocol, FULL_LIMIT))
    except OSError as err:
        where = f" ({err.filename})" if err.filename else ""
        raise QuorumError(f"{target}: writing the rendered trace failed{where}: {err.strerror or err}") from None
    for note in notes:
        click.echo(f"note: {note}", err=True)
    if as_json:
        click.echo(json.dumps({"trace": str(path), "protocol": ref, "summary": doc["summary"],
                               "verdict": doc.get("verdict"), "property": doc.get("property"),
                               "steps": len(steps) - 1, "faults": list(protocol.faults.selected),
                               "properties": lines, "written": [str(p) for p in written]}, indent=2))
    else:
        click.echo(f"wrote {', '.join(str(p) for p in written)}")


def load_saved_trace(path: Path, protocol_ref: str | None = None, params: tuple[str, ...] = (),
                     faults: tuple[str, ...] = ()) -> tuple[Any, list, dict[str, Any], str]:
    """A saved trace (trace.json or ITF) decoded and replayed through the semantics: the protocol it
    was written for (with its faults, recorded or read off the trace), its steps, the document to
    render (verdict, property, message, loop_start) and the protocol reference. Whatever does not fit
    is bad input naming the file (``show`` and ``explore`` both read traces through this)."""
    from checker.cli.params import parse_params
    from checker.render import itf

    doc = read_trace_file(path)
    is_itf = "states" in doc and "vars" in doc
    meta = doc.get("#meta", {}) if is_itf else doc
    if not isinstance(meta, dict):
        raise QuorumError(f"{path}: \"#meta\" is {_kind(meta)}; it must be an object")
    written_for = meta.get("protocol")
    if written_for is not None and not isinstance(written_for, str):
        raise QuorumError(f"{path}: \"protocol\" is {_kind(written_for)}; write it as \"module:Class\"")
    ref = protocol_ref or written_for
    if not ref:
        raise QuorumError(f"{path}: names no protocol: pass --protocol module:Class (and -p name=value)")
    # A trace written for one protocol and shown with another: every failure below says so.
    other = (f" (the trace was written for {written_for}, not for {protocol_ref} given with --protocol)"
             if written_for and protocol_ref and written_for != protocol_ref else "")
    stored = meta.get("parameters", {})
    if not isinstance(stored, dict):
        raise QuorumError(f"{path}: \"parameters\" is {_kind(stored)}; it must be an object of name: value")
    recorded = _recorded_faults(path, meta)
    try:
        with loading(f"{ref} for {path}"):
            cls = load_protocol(ref, str(path))
            given = {**stored, **parse_params(params)}
            chosen = list(faults) or recorded
            if chosen is None:  # a file from before trace.json recorded faults: read them off the trace
                chosen = _inferred_faults(build_protocol(cls, given, str(path)), doc, is_itf)
            protocol = build_protocol(cls, {**given, **({"faults": chosen} if chosen else {})}, str(path))
    except QuorumError as err:
        raise QuorumError(f"{err}{other}") from None
    try:
        steps, doc = _steps(protocol, doc, path, is_itf, itf)
        steps = _replay(protocol, doc, steps, path)
    except QuorumError as err:
        hint = ("; if the run had faults, name them with --fault (the file records none)"
                if recorded is None and not faults and hostable(protocol) else "")
        raise QuorumError(f"{err}{other}{hint}") from None
    return protocol, steps, doc, ref


def _recorded_faults(path: Path, meta: dict[str, Any]) -> list[str] | None:
    """The faults the file records (``"faults": ["partition"]``); None when it records none."""
    if "faults" not in meta:
        return None
    faults = meta["faults"]
    if not (isinstance(faults, list) and all(isinstance(f, str) for f in faults)):
        raise QuorumError(f"{path}: \"faults\" is {_kind(faults)}; write it as a list of fault names, "
                          "e.g. \"faults\": [\"loss\", \"crash-restart\"]")
    return faults


#: What a fault leaves in a trace: its state variable, or its action.
FAULT_VARIABLES = {"group": "partition"}
FAULT_ACTIONS = {"lose": "loss", "restart": "crash-restart", "crash": "crash", "partition": "partition",
                 "heal": "partition"}


def _inferred_faults(protocol: Any, doc: dict[str, Any], is_itf: bool) -> list[str]:
    """The faults an older file's trace shows (trace.json before it recorded them): the fault
    variables in its first state (``up``, ``group``) and the fault actions it takes (``lose``, ...).
    Faults that leave no trace of their own (duplication, reordering) cannot be read off."""
    raw = doc.get("states") if is_itf else doc.get("trace")
    if not (isinstance(raw, list) and raw and isinstance(raw[0], dict)):
        return []
    first = raw[0] if is_itf else raw[0].get("state", {})
    names = {k.rsplit("::", 1)[-1] for k in first if isinstance(k, str)} if isinstance(first, dict) else set()
    names -= set(protocol.variables)
    actions = {a for step in raw if isinstance(step, dict)
               for a in [step.get("action") if not is_itf else (step.get("#meta") or {}).get("action")]
               if isinstance(a, str)} - {a.name for a in protocol.actions}
    found = {FAULT_VARIABLES[n] for n in names if n in FAULT_VARIABLES}
    found |= {FAULT_ACTIONS[a] for a in actions if a in FAULT_ACTIONS}
    if "up" in names and not found & {"crash", "crash-restart"}:
        found.add("crash")
    if "crash-restart" in found:
        found.discard("crash")
    return sorted(found)


def _summary(protocol: Any, doc: dict[str, Any], steps: list) -> str:
    """The verdict line for a file that does not carry one (older trace.json, an ITF trace)."""
    from checker.core.result import Result

    verdict = doc.get("verdict")
    if verdict not in ("holds", "violated", "error", "limit"):
        return f"a trace of {len(steps) - 1} steps ({protocol.describe()})"
    return Result(verdict, str(doc.get("engine") or "trace"), protocol, doc.get("property"), steps,
                  message=str(doc.get("message") or "")).summary()


def property_lines(protocol: Any, steps: list, violated: str | None = None) -> list[str]:
    """The protocol's invariants and goals (and the property the file says is violated, checked by
    default or not) evaluated on every state of the trace: where each holds."""
    from checker.core.properties import along, timeline

    names = [n for n, p in protocol.properties.items() if p.default or n == violated]
    found = along(protocol, [s.state for s in steps], names)
    return [f"{name}{' (goal)' if protocol.properties[name].kind == 'sometimes' else ''}: "
            f"{timeline(values, protocol.properties[name].kind == 'sometimes')}" for name, values in found.items()]


def _steps(protocol: Any, doc: dict[str, Any], path: Path, is_itf: bool, itf: Any) -> tuple[list, dict[str, Any]]:
    """The trace's steps decoded through the protocol's domains (not yet replayed), and the doc to render."""
    name = type(protocol).__name__
    if is_itf:
        if not isinstance(doc.get("states"), list):
            raise QuorumError(f"{path}: \"states\" is {_kind(doc.get('states'))}; an ITF trace has a list of states")
        for i, raw in enumerate(doc["states"]):
            if not isinstance(raw, dict):
                raise QuorumError(f"{path}: \"states\"[{i}] is {_kind(raw)}; each ITF state is an object")
        try:
            steps = itf.import_trace(protocol, doc, str(path))
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise QuorumError(f"{path}: the ITF trace does not fit {name}: {type(err).__name__}: {err}") from None
        meta = doc.get("#meta", {})
        prop = meta.get("property")
        verdict = meta.get("verdict") or ("violated" if prop else "trace")
        return steps, {"verdict": verdict, "property": prop, "message": meta.get("message") or "",
                       "loop_start": doc.get("loop")}
    if "trace" not in doc:
        raise QuorumError(f"{path}: no \"trace\": write one with quorum check ... --out DIR")
    trace = doc["trace"]
    if not isinstance(trace, list):
        raise QuorumError(f"{path}: \"trace\" is {_kind(trace)}; it must be a list of steps")
    if not trace:
        raise QuorumError(f"{path}: the trace is empty: it has no steps, not even the initial state")
    steps = []
    for i, raw in enumerate(trace):
        if not (isinstance(raw, dict) and isinstance(raw.get("action"), str) and isinstance(raw.get("state"), dict)):
            raise QuorumError(f"{path}: step {i} is not a step: write {{\"action\": ..., \"params\": {{...}}, "
                              "\"state\": {...}}")
        if i == 0 and raw["action"] != "Init":
            raise QuorumError(f"{path}: step 0 is {raw['action']}; a trace starts with its initial state, "
                              "action \"Init\"")
        if i > 0 and raw["action"] not in {a.name for a in protocol.actions}:
            raise QuorumError(f"{path}: step {i}: {name} has no action {raw['action']!r}."
                              + suggest(raw["action"], [a.name for a in protocol.actions]))
        if "params" in raw and not isinstance(raw["params"], dict):
            raise QuorumError(f"{path}: step {i}: \"params\" is {_kind(raw['params'])}; it must be an object")
        if i > 0:
            known = protocol.action(raw["action"]).param_names
            for p in raw.get("params", {}):
                if p not in known:
                    raise QuorumError(f"{path}: step {i}: action {raw['action']} has no parameter {p!r}; its "
                                      f"parameters: {', '.join(known) or '(none)'}")
        try:
            steps.append(step_from_json(protocol, raw, path, i))
        except QuorumError as err:
            text = str(err)
            raise QuorumError(text if str(path) in text else f"{path}: step {i}: {text}") from None
        except AttributeError as err:  # a value of the wrong shape deep in a state
            raise QuorumError(f"{path}: step {i} does not fit {name}: {err}") from None
    return steps, doc


def _replay(protocol: Any, doc: dict[str, Any], steps: list, path: Path) -> list:
    """Replay the file's steps; a step the protocol cannot take is the file's fault (bad input)."""
    prop = doc.get("property") if doc.get("verdict") == "violated" else None
    source = f"trace file {path}"
    try:
        if prop in protocol.properties and protocol.properties[prop].kind == "always" or prop == "deadlock":
            return confirm_violation(protocol, steps, prop, source=source)
        return replay(protocol, steps, source=source)
    except InternalError as err:  # the replay's words are for an engine's trace; this is a user's file
        text = str(err).replace("the state the engine claims", "the state the file records")
        text = text.replace("the last state of its trace", "the trace's last state")
        raise QuorumError(f"{text} (the file does not fit {protocol.describe()})") from None
