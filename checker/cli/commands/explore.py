"""``quorum explore TARGET``: step through a protocol in the browser (``checker.explore``).

TARGET is a spec (``specs/x.toml``), a protocol (``protocols.paxos:Paxos`` with ``-p name=value``),
or a saved trace (``trace.json`` as ``quorum check --out`` writes it, a gallery folder holding one,
or an ITF trace): the explorer opens on its first state and steps through it.
``quorum check SPEC --explore`` opens it on the counterexample the check found (``explore_result``).

Everything about the target is the user's input: an unknown target, a spec or trace that does not
load, a trace for another protocol or one with a step the protocol cannot take, a port in use — all
bad input (exit 2) naming what is wrong, before anything is served. Ctrl-C stops the server and
exits 0, nothing left running.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import webbrowser
from pathlib import Path
from typing import Any

import click

from checker.cli.commands.show import load_saved_trace
from checker.cli.guards import loading
from checker.cli.params import parse_params
from checker.cli.spec import Spec, check_properties, load_spec
from checker.core.replay import replay
from checker.core.result import Result
from checker.core.trace import Step
from checker.dsl.protocol import Protocol
from checker.errors import QuorumError
from checker.explore.session import Session

TARGETS = "give a spec (specs/x.toml), a trace (trace.json) or a protocol as module:Class, e.g. protocols.paxos:Paxos"


@click.command(name="explore")
@click.argument("target")
@click.option("-p", "--param", "params", multiple=True, help="protocol parameter, e.g. -p ballots=3")
@click.option("--protocol", "protocol_ref", default=None,
              help="module:Class, for a trace that does not name its protocol (an ITF file)")
@click.option("--port", type=int, default=0, help="the port on 127.0.0.1 (default: a free one)")
@click.option("--open", "open_browser", is_flag=True, help="open the page in the default web browser")
@click.option("--log", is_flag=True, help="print every request the server answers")
@click.option("--json", "as_json", is_flag=True, help="announce the server as one JSON line (url, port, protocol)")
@click.option("--debug", is_flag=True, help="show tracebacks")
def command(target: str, params: tuple[str, ...], protocol_ref: str | None, port: int, open_browser: bool,
            log: bool, as_json: bool, debug: bool) -> None:
    """Step through a spec, a protocol (module:Class) or a saved trace in the browser."""
    check_port(port)
    with loading(target):
        session = session_for(target, params, protocol_ref)
    serve(session, port, open_browser=open_browser, quiet=not log, as_json=as_json)


def check_port(port: int) -> None:
    if not 0 <= port <= 65535:
        raise QuorumError(f"--port {port}: a port is 1..65535 (or 0, the default, for a free one)")


def serve(session: Session, port: int = 0, *, open_browser: bool = False, quiet: bool = True,
          to_stderr: bool = False, as_json: bool = False) -> None:
    """Serve ``session`` on 127.0.0.1 until Ctrl-C (or SIGTERM); the port in use is refused first."""
    from checker.explore.server import ExplorerServer

    server = ExplorerServer(session, port, quiet=quiet)
    try:
        if as_json:
            click.echo(json.dumps({"url": server.url, "port": server.port,
                                   "protocol": session.protocol.describe()}), err=to_stderr)
        else:
            click.echo(f"Quorum explorer: {session.protocol.describe()} at {server.url} (Ctrl-C stops it)",
                       err=to_stderr)
        sys.stdout.flush()
        if open_browser:
            webbrowser.open(server.url)
        _serve_until_stopped(server)
    finally:
        server.server_close()
    if not as_json:
        click.echo("explorer stopped", err=to_stderr)


def _serve_until_stopped(server: Any) -> None:
    """``serve_forever`` until Ctrl-C; SIGTERM stops it the same way (in the main thread)."""
    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    main_thread = threading.current_thread() is threading.main_thread()
    saved = signal.signal(signal.SIGTERM, stop) if main_thread else None
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, saved)


def explore_result(spec: Spec, result: Result, port: int = 0, *, to_stderr: bool = False) -> None:
    """``quorum check ... --explore``: the explorer on the check's counterexample (replayed through
    the semantics once more), or on the initial state when there is none."""
    protocol = result.protocol
    trace: list[Step] | None = None
    if result.trace:
        trace = replay(protocol, result.trace, source=f"the counterexample of {spec.path}")
    violated = result.property if result.verdict == "violated" else None
    selected = _selected(protocol, spec.properties, violated)
    session = Session(protocol, trace=trace, source=spec.path, violated=violated, loop_start=result.loop_start,
                      summary=result.summary(), selected=selected, deadlock=spec.options.get("deadlock", True))
    if trace is None:
        click.echo(f"no counterexample to explore ({result.verdict}): the explorer starts at the initial state",
                   err=True)
    serve(session, port, to_stderr=to_stderr)


def session_for(target: str, params: tuple[str, ...], protocol_ref: str | None) -> Session:
    """The session TARGET names (a spec, a trace, a folder with trace.json, or module:Class)."""
    path = Path(target)
    if path.is_dir():
        if not (path / "trace.json").is_file():
            raise QuorumError(f"{target}: a directory without a trace.json; {TARGETS}")
        path = path / "trace.json"
    if path.suffix == ".py":
        raise QuorumError(f"{target}: a Python file; explore the protocol in it as module:Class, "
                          "e.g. quorum explore protocols.paxos:Paxos")
    kind = path.suffix if path.suffix in (".toml", ".json") else None
    if kind is None and path.is_file():
        head = path.read_bytes()[:4096].lstrip()
        kind = ".json" if head.startswith(b"{") else ".toml"
    if kind == ".json":
        return trace_session(path, params, protocol_ref)
    if protocol_ref:
        raise QuorumError(f"--protocol names the protocol of a trace file; {target} is not one (a spec names its "
                          "protocol, and a protocol is given as TARGET)")
    if kind == ".toml":
        spec = load_spec(path)
        spec.parameters.update(parse_params(params))
    else:
        spec = Spec(path=target, protocol_ref=target, parameters=parse_params(params))
    try:
        protocol = spec.build()
    except QuorumError as err:
        if kind is None and ":" not in target:
            raise QuorumError(f"{target}: no such spec or trace file, and no protocol module:Class: {TARGETS} "
                              f"({err})") from None
        raise
    check_properties(spec, protocol)
    return Session(protocol, source=spec.path if kind else "", selected=spec.properties,
                   deadlock=spec.options.get("deadlock", True))


def _selected(protocol: Protocol, names: list[str] | None, violated: str | None) -> list[str]:
    """The properties a check would check, and the one the trace violates."""
    chosen = list(names) if names else [p.name for p in protocol.properties.values() if p.default]
    if violated in protocol.properties and violated not in chosen:
        chosen.append(violated)
    return chosen


def trace_session(path: Path, params: tuple[str, ...], protocol_ref: str | None) -> Session:
    """A session on a saved trace, read and replayed as ``quorum show`` reads it."""
    protocol, steps, doc, ref = load_saved_trace(path, protocol_ref, params)
    prop = doc.get("property") if doc.get("verdict") == "violated" else None
    loop = doc.get("loop_start")
    loop = loop if isinstance(loop, int) and not isinstance(loop, bool) and 0 <= loop < len(steps) else None
    summary = f"{len(steps) - 1} steps"
    if prop:
        summary = f"{prop} violated after {len(steps) - 1} steps"
        if loop is not None:
            summary += f", then steps {loop + 1}–{len(steps) - 1} repeat for ever" if loop < len(steps) - 1 else \
                ", then the run stays in the last state for ever"
    spec = _spec_of(doc, ref)
    deadlock = True if spec is None else spec.options.get("deadlock", True)
    return Session(protocol, trace=steps, source=str(path), violated=prop, loop_start=loop, summary=summary,
                   selected=_selected(protocol, spec.properties if spec else None, prop), deadlock=deadlock)


def _spec_of(doc: dict[str, Any], ref: str) -> Spec | None:
    """The spec a gallery trace names (for its properties and deadlock rule), when it is there and names the
    same protocol."""
    name = doc.get("spec")
    if not isinstance(name, str) or not Path(name).is_file():
        return None
    try:
        spec = load_spec(name)
    except QuorumError:
        return None
    return spec if spec.protocol_ref == ref else None
