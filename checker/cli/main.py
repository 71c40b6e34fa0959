"""The ``quorum`` command line: check specs and protocols, list what there is."""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.text import Text

from checker.cli.console import make_console, progress_printer
from checker.cli.discovery import discover_protocols
from checker.cli.guards import EXIT_INTERRUPTED, Interrupted, check_out_dir, loading, was_interrupted
from checker.cli.params import parse_params
from checker.cli.report import explanation, print_result
from checker.cli.spec import Spec, build_protocol, check_properties, expectation, load_spec, repeated
from checker.core import engines
from checker.core.result import Result
from checker.dsl.faults import hostable
from checker.errors import InternalError, QuorumError

EXIT = {"holds": 0, "violated": 1, "error": 2, "limit": 4}  # and 3: internal error; 130: Ctrl-C


_DEBUG: list[bool] = []


def debug_option(f):
    """``--debug``: show tracebacks instead of the short error message."""

    def remember(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        if value:
            _DEBUG.append(True)

    return click.option("--debug", is_flag=True, expose_value=False, callback=remember, is_eager=True,
                        help="show tracebacks")(f)


class _Group(click.Group):
    """Turns bad input into a short message (exit 2) and bugs into exit 3; --debug shows tracebacks."""

    def invoke(self, ctx: click.Context) -> Any:
        debug = "--debug" in sys.argv
        _DEBUG.clear()
        try:
            return super().invoke(ctx)
        except QuorumError as err:
            if debug or _DEBUG:
                traceback.print_exc()
            click.echo(f"error: {err}", err=True)
            sys.exit(2)
        except InternalError as err:
            if debug or _DEBUG:
                traceback.print_exc()
            click.echo(f"internal error: {err}", err=True)
            sys.exit(3)
        except Interrupted as err:
            click.echo(str(err), err=True)
            sys.exit(EXIT_INTERRUPTED)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as err:  # noqa: BLE001 - the last line of defence
            if debug or _DEBUG:
                traceback.print_exc()
            click.echo(f"internal error: {type(err).__name__}: {err} (run with --debug for the traceback)", err=True)
            sys.exit(3)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="quorum")
def main() -> None:
    """Quorum: model-check consensus protocols written in plain Python."""


def _specs_in(target: Path) -> list[Path]:
    specs = sorted(target.glob("*.toml"))
    if not specs:
        raise QuorumError(f"{target}: no *.toml specs in this directory")
    return specs


@main.command()
@click.argument("target")
@click.option("-p", "--param", "params", multiple=True, help="protocol parameter, e.g. -p ballots=3")
@click.option("--property", "properties", multiple=True, help="property to check (repeatable; default: the protocol's)")
@click.option("--engine", default=None, help="auto (default: the array engine where the protocol encodes, else "
              "explicit), array, explicit, liveness, bmc, induction, simulate")
@click.option("--max-states", type=int, default=None, help="stop after this many distinct states")
@click.option("--max-depth", type=int, default=None, help="steps to search (explicit), unroll (bmc) or walk (simulate)")
@click.option("--depth", type=int, default=None, help="the same as --max-depth (steps to search, unroll or walk)")
@click.option("--k", "k", type=int, default=None, help="induction: k for k-induction")
@click.option("--max-seconds", type=float, default=None, help="stop after this much time")
@click.option("--max-memory", type=float, default=None, help="stop when the process holds this many MB (explicit, "
              "liveness; default: 75% of the machine's memory)")
@click.option("--no-deadlock", is_flag=True, help="do not report states without successors")
@click.option("--fingerprints", is_flag=True, help="store 64-bit fingerprints instead of states (less memory)")
@click.option("--store", type=click.Choice(["fingerprints", "states"]), default=None,
              help="the seen-set: 64-bit fingerprints (the array engine's default) or whole states (the explicit "
              "engine's)")
@click.option("--symmetry", "symmetry", multiple=True, help="a set of interchangeable elements, e.g. --symmetry "
              "Acceptor (repeatable; array engine): one state per orbit, after a proof that the protocol is symmetric")
@click.option("--checkpoint", type=click.Path(file_okay=False), default=None,
              help="array engine: save the search here every --checkpoint-every seconds and on Ctrl-C")
@click.option("--checkpoint-every", type=float, default=None, help="seconds between checkpoints (default 60)")
@click.option("--resume", type=click.Path(file_okay=False), default=None,
              help="array engine: continue the search saved in this folder")
@click.option("--device", type=click.Choice(["cpu", "gpu"]), default=None, help="array engine: where to compute")
@click.option("--workers", type=int, default=None, help="partition the search (or share simulate's walks) over N "
              "Ray workers on a local Ray instance")
@click.option("--ray-address", default=None, help="join the Ray cluster at this address (`ray start --head` prints "
              "it) instead of starting a local instance")
@click.option("--option", "-o", "extra", multiple=True, help="engine option, e.g. -o seed=3")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@click.option("--out", type=click.Path(file_okay=False), default=None, help="write result/trace files here (for a "
              "directory of specs: one folder per spec)")
@click.option("--quiet", "-q", is_flag=True, help="no progress lines")
@click.option("--explore", is_flag=True, help="then step through the counterexample in the browser (quorum explore)")
@debug_option
def check(target: str, params, properties, engine, max_states, max_depth, depth, k, max_seconds, max_memory,
          no_deadlock, fingerprints, store, symmetry, checkpoint, checkpoint_every, resume, device, workers,
          ray_address, extra, as_json, out, quiet, explore) -> None:
    """Check a spec file, a directory of specs, or a protocol (module:Class)."""
    console = make_console()
    overrides: dict[str, Any] = {name: v for name, v in {
        "max_states": max_states, "max_depth": max_depth if max_depth is not None else depth, "k": k,
        "max_seconds": max_seconds, "max_memory": max_memory, "store": store,
        "symmetry": list(symmetry) or None, "checkpoint": checkpoint, "checkpoint_every": checkpoint_every,
        "resume": resume, "device": device, "workers": workers, "ray_address": ray_address,
    }.items() if v is not None}
    if no_deadlock:
        overrides["deadlock"] = False
    if fingerprints:
        overrides["store"] = "fingerprints"
    overrides["-o"] = parse_params(extra)  # engine options by their exact names
    if properties and (twice := repeated(list(properties))):
        raise QuorumError(f"--property {twice[0]} is given more than once: name each property once")
    out_dir = check_out_dir(out) if out else None  # before any work: a bad --out fails at once
    path = Path(target)
    if path.is_dir():
        if params:
            raise QuorumError("-p applies to one spec or protocol, not a directory of specs")
        if explore:
            raise QuorumError("--explore applies to one spec or protocol, not a directory of specs")
        specs = [load_spec(p) for p in _specs_in(path)]
        _check_many(specs, engine, overrides, list(properties) or None, as_json, console, quiet, out_dir)
        return
    if path.suffix == ".py":
        raise QuorumError(
            f"{target}: a Python file; check the protocol in it as module:Class, "
            "e.g. quorum check protocols.paxos:Paxos"
        )
    if target.endswith(".toml") or path.is_file():
        spec = load_spec(path)
        spec.parameters.update(parse_params(params))
    else:
        spec = Spec(path=target, protocol_ref=target, parameters=parse_params(params))
    if properties:
        spec.properties = list(properties)
    if spec.query is not None:
        _answer_query(spec, engine, overrides, bool(properties) or explore, as_json, quiet, console, out_dir)
    result = _run(spec, engine, overrides, quiet, console)
    stopped = was_interrupted(result)
    met = None if stopped or spec.expect is None else spec.expectation_met(result)
    if as_json:
        doc = result_json(result)
        doc["interrupted"] = stopped
        if spec.expect is not None:
            doc["expected"] = spec.expectation_text()
            doc["matched"] = met
        click.echo(json.dumps(doc, indent=2, default=str))
    else:
        print_result(result, console)
        if stopped:
            console.print("interrupted: no verdict (the figures above are what was explored before Ctrl-C)",
                          style="bold yellow")
        elif spec.expect is not None:
            console.print(f"expected {spec.expectation_text()}: {'matched' if met else 'MISSED'}",
                          style="green" if met else "bold red")
    if out_dir is not None and not _write_outputs(result, out_dir, as_json, console):
        sys.exit(2)
    if explore and not stopped:
        from checker.cli.commands.explore import explore_result

        explore_result(spec, result, to_stderr=as_json)
    if stopped:
        sys.exit(EXIT_INTERRUPTED)
    if spec.expect is not None and path.suffix == ".toml":
        sys.exit(0 if met else 1)
    sys.exit(EXIT[result.verdict])


def _answer_query(spec: Spec, engine: str | None, overrides: dict[str, Any], checks: bool, as_json: bool,
                  quiet: bool, console: Console, out: Path | None) -> None:
    """``quorum check`` on a spec with a ``[query]``: the answer, its witnesses, the exit code."""
    from checker.cli.query import print_query, query_exit, query_json, run_query

    if checks:
        raise QuorumError(f"{spec.path}: --property and --explore do not apply to a [query] spec: it checks no "
                          "property and has two witnesses")
    answer = run_query(spec, overrides, quiet, engine)
    if as_json:
        click.echo(json.dumps(query_json(answer, spec), indent=2, default=str))
    else:
        print_query(answer, spec, console)
    if out is not None and not _write_outputs(answer, out, as_json, console, spec):
        sys.exit(2)
    if answer.interrupted:
        console.print("interrupted: no answer (the figures above are what was explored before Ctrl-C)",
                      style="bold yellow")
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(query_exit(answer, spec))


def _write_outputs(result: Any, out: Path, as_json: bool, console: Console, spec: Spec | None = None) -> bool:
    """Write ``--out`` after the verdict is printed, so that a failure here never loses it (a
    query's answer: ``query.json``)."""
    from checker.cli.artifacts import write_outputs
    from checker.cli.query import write_query

    try:
        written = write_query(result, spec, out) if spec is not None and spec.query else write_outputs(result, out)
    except OSError as err:
        where = f" ({err.filename})" if err.filename else ""
        click.echo(f"error: --out {out}: writing the outputs failed{where}: {err.strerror or err}; "
                   "the verdict above stands", err=True)
        return False
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted while writing --out {out}; the verdict above stands") from None
    if not as_json:
        console.print(f"wrote {', '.join(str(p) for p in written)}", style="dim")
    return True


def result_json(result: Result) -> dict[str, Any]:
    """The result as JSON, with the explanation ``trace.json`` and the terminal show."""
    doc = result.to_json()
    why = explanation(result)
    if why:
        doc["explanation"] = why
    return doc


def _run(spec: Spec, engine: str | None, overrides: dict[str, Any], quiet: bool, console: Console,
         label: str = "") -> Result:
    with loading(spec.describe_source()):
        protocol = spec.build()
        check_properties(spec, protocol)
    name = distributed_name(engine or spec.engine, overrides)
    if name in (spec.engine, distributed_name(spec.engine, overrides)):
        options = dict(spec.options)
    else:  # another engine keeps the spec's options it also takes (deadlock, max_seconds, ...)
        accepted = engines.get(name).options
        options = {k: v for k, v in spec.options.items() if k in accepted}
    flags = {k: v for k, v in overrides.items() if k != "-o"}
    options.update(flags)
    options.update(overrides.get("-o", {}))
    progress = None if quiet else progress_printer(label)
    try:
        return engines.run(name, protocol, spec.properties, options, progress=progress,
                           where=f"{spec.path} (engine {name})")
    except KeyboardInterrupt:  # an engine that does not keep what it found
        raise Interrupted(f"interrupted while checking {spec.path} (engine {name}): no verdict") from None


def distributed_name(engine: str, overrides: dict[str, Any]) -> str:
    """``--workers``/``--ray-address`` run the search on Ray (``distributed``), or simulate's walks
    (``parallel-simulate``); other engines keep their name (and refuse the option)."""
    if "workers" not in overrides and "ray_address" not in overrides:
        return engine
    return {"auto": "distributed", "array": "distributed", "simulate": "parallel-simulate"}.get(engine, engine)


def _check_many(specs: list[Spec], engine, overrides, properties, as_json: bool, console: Console, quiet: bool,
                out: Path | None) -> None:
    """Every spec against its expectation (a query's against its expected answer), with progress
    lines inside each (unless ``--quiet``) and, with ``--out``, one folder of outputs per spec. A
    spec that cannot be built is reported and the rest still run (exit 2 at the end); one Ctrl-C
    stops the whole run with a summary of what was done."""
    from checker.cli.query import answer_text, query_json, run_query

    docs: list[dict[str, Any]] = []
    matched = missed = broken = 0
    stopped: str | None = None
    for spec in specs:
        if properties:
            spec.properties = properties
        try:
            if spec.query is not None:
                result = run_query(spec, overrides, quiet, engine, label=spec.path)
            else:
                result = _run(spec, engine, overrides, quiet, console, label=spec.path)
        except Interrupted as err:
            stopped = str(err)
            break
        except QuorumError as err:
            broken += 1
            if as_json:
                docs.append({"spec": spec.path, "verdict": "error", "message": str(err),
                             "expected": spec.expectation_text(), "matched": False})
            else:
                console.print(Text.assemble(("ERROR", "bold magenta"), f"  {spec.path}: {err}"), soft_wrap=True)
            continue
        if was_interrupted(result):
            stopped = ""  # said on the spec's own line
            if as_json:
                doc = result.to_json()
                doc.update(spec=spec.path, expected=spec.expectation_text(), matched=None, interrupted=True)
                docs.append(doc)
            else:
                console.print(f"[bold yellow]interrupted[/]  {spec.path}: no verdict (expected "
                              f"{spec.expectation_text()}) — {result.summary()}; {result.distinct_states:,} "
                              f"states, {result.elapsed_s:.2f}s explored before Ctrl-C")
            break
        met = spec.expectation_met(result)
        matched += met
        missed += not met
        if out is not None and not _write_outputs(result, out / Path(spec.path).stem, True, console, spec):
            broken += 1
        if as_json:
            doc = query_json(result, spec) if spec.query else result_json(result)
            doc.update(spec=spec.path, expected=spec.expectation_text(), matched=met)
            docs.append(doc)
        else:
            if spec.query is not None:
                got = answer_text(result)
            else:
                got = expectation(result.verdict, result.property)
            if result.trace and result.verdict == "violated":
                got += f" in {len(result.trace) - 1} steps"
            mark = "[green]ok[/]" if met else "[bold red]MISSED[/]"
            console.print(
                f"{mark}  {spec.path}: {got} (expected {spec.expectation_text()}) — "
                f"{result.distinct_states:,} states, {result.elapsed_s:.2f}s"
            )
    done = matched + missed + broken
    if stopped is not None:
        summary = (f"interrupted during spec {done + 1} of {len(specs)}: {matched} matched, {missed} missed"
                   + (f", {broken} could not be checked" if broken else "")
                   + f"; {len(specs) - done} not checked")
    else:
        summary = f"{matched} of {len(specs)} specs matched their expectation" + (
            f"; {broken} could not be checked (bad input)" if broken else "")
    if as_json:
        click.echo(json.dumps(docs, indent=2, default=str))
        if stopped is not None:
            click.echo(summary, err=True)
    else:
        if stopped:
            console.print(Text(stopped, style="yellow"), soft_wrap=True)
        console.print(summary)
        if out is not None:
            console.print(f"outputs: one folder per spec in {out}/", style="dim")
    if stopped is not None:
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(2 if broken else 1 if missed else 0)


@main.command(name="list")
@click.option("--json", "as_json", is_flag=True)
@click.option("--specs", "spec_dir", default="specs", show_default=True, type=click.Path())
def list_(as_json: bool, spec_dir: str) -> None:
    """Show protocols with their parameters, variants and properties, and the specs.

    A protocol module or spec that cannot be loaded is named with its error, after the rest
    (exit 2)."""
    protos = []
    classes, broken_modules = discover_protocols()
    broken = [{"module": b.module, "error": b.error} for b in broken_modules]
    for cls in classes:
        ref = f"{cls.__module__}:{cls.__name__}"
        try:
            specs = cls.param_specs()
            inst = build_protocol(cls, {})
        except QuorumError as err:
            broken.append({"module": ref, "error": str(err)})
            continue
        protos.append({
            "protocol": ref,
            "doc": (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else "",
            "parameters": {n: {"default": p.default, "doc": p.doc} for n, p in specs.items() if n != "variant"},
            "variants": cls.variants(),
            "actions": [a.name for a in inst.actions],
            "properties": {n: {"kind": p.kind, "doc": p.doc, "default": p.default} for n, p in inst.properties.items()},
            "faults": hostable(inst),
        })
    spec_docs = []
    if Path(spec_dir).is_dir():
        for p in sorted(Path(spec_dir).glob("*.toml")):
            try:
                s = load_spec(p)
            except QuorumError as err:
                broken.append({"spec": str(p), "error": str(err)})
                continue
            expect = s.expectation_text() if s.query else s.expect or "holds"
            spec_docs.append({"spec": str(p), "protocol": s.protocol_ref, "expect": expect,
                              "engine": "query" if s.query else s.engine, "description": s.description})
    engine_docs = {name: {"options": sorted(e.options), "doc": e.doc} for name, e in engines.ENGINES.items()}
    if as_json:
        doc = {"protocols": protos, "specs": spec_docs, "engines": engine_docs}
        if broken:
            doc["broken"] = broken
        click.echo(json.dumps(doc, indent=2, default=str))
        if broken:
            sys.exit(2)
        return
    console = make_console()
    for p in protos:
        console.print(f"[bold]{p['protocol']}[/]  {p['doc']}")
        params = ", ".join(f"{n}={v['default']!r}" for n, v in p["parameters"].items())
        console.print(f"  parameters: {params}")
        for name, doc in p["variants"].items():
            console.print(f"  variant [cyan]{name}[/]: {doc}")
        props = ", ".join(f"{n} ({v['kind']})" for n, v in p["properties"].items())
        console.print(f"  properties: {props}")
        if p["faults"]:
            console.print(f"  faults a spec may select: {', '.join(p['faults'])}")
    console.print("[bold]engines[/] (quorum check --engine NAME; options with -o name=value)")
    for name, e in engine_docs.items():
        console.print(f"  {name}: {e['doc']} — options: {', '.join(e['options'])}", highlight=False)
    if spec_docs:
        console.print("[bold]specs[/]")
        for s in spec_docs:
            console.print(f"  {s['spec']}: {s['expect']} ({s['engine']})")
    if broken:
        console.print("[bold red]could not be loaded[/] (the rest are listed above)")
        for b in broken:
            console.print(Text(f"  {b.get('module') or b.get('spec')}: {b['error']}", style="red"), soft_wrap=True)
        sys.exit(2)


def entry() -> None:
    """The ``quorum`` console script. Runs are reproducible without help from the environment:
    every engine meets the elements of a set in ``checker.dsl.domains.order``, not hash order."""
    main(prog_name="quorum")


def _add_commands() -> None:
    from checker.cli.commands import discover

    for cmd in discover():
        main.add_command(cmd)


_add_commands()

if __name__ == "__main__":
    main()
