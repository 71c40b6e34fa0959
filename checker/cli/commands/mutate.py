"""``quorum mutate TARGET``: mutants of a protocol's actions, and which invariants kill them."""

from __future__ import annotations

import json
import sys

import click
from rich.table import Table
from rich.text import Text

from checker.cli.console import make_console
from checker.cli.guards import loading
from checker.cli.params import parse_params
from checker.cli.spec import Spec, load_spec
from checker.coursework.mutate import SECONDS, analyse
from checker.coursework.tasks import load_module
from checker.errors import QuorumError


@click.command(name="mutate")
@click.argument("target")
@click.option("-p", "--param", "params", multiple=True, help="protocol parameter (default: its small_instance)")
@click.option("--properties", "module", type=click.Path(dir_okay=False), default=None,
              help="a Python file of invariants (def name(s) or def name(self, s)): measure these instead of the "
                   "protocol's own")
@click.option("--seconds", type=float, default=SECONDS, show_default=True, help="time cap per check of a mutant")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
def command(target: str, params: tuple[str, ...], module: str | None, seconds: float, as_json: bool) -> None:
    """Mutate TARGET's actions (module:Class or a spec), check every mutant with the invariants, and
    print the kill matrix, the survivors with their diffs and the mutation score."""
    spec = load_spec(target) if target.endswith(".toml") else Spec(path=target, protocol_ref=target)
    with loading(spec.describe_source()):
        protocol = spec.build()
    cls = type(protocol)
    instance = dict(cls.small_instance) if not target.endswith(".toml") else dict(spec.parameters)
    instance.update(parse_params(params))
    extra = None
    if module is not None:
        try:
            loaded = load_module(__import__("pathlib").Path(module))
        except (OSError, SyntaxError) as err:
            raise QuorumError(f"{module}: cannot be loaded: {err}") from None
        extra = {n: f for n, f in vars(loaded).items() if callable(f) and getattr(f, "__module__", None)
                 == loaded.__name__ and not n.startswith("_") and not isinstance(f, type)}
        if not extra:
            raise QuorumError(f"{module}: no invariant functions in it (def name(s): return ...)")
    progress = None if as_json else (lambda line: click.echo(f"  … {line}", err=True))
    result = analyse(cls, instance, extra=extra, seconds=seconds, faults=list(protocol.faults.selected),
                     progress=progress)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
        return
    console = make_console()
    table = Table(title=f"kill matrix: {result.protocol} {instance}")
    table.add_column("mutant")
    columns = result.properties + (["error"] if any("error" in m.killed_by for m in result.mutants) else [])
    for name in columns:
        table.add_column(name, justify="center")
    table.add_column("status")
    for m in result.mutants:
        table.add_row(Text(m.name), *("✗" if c in m.killed_by else "·" for c in columns), m.status)
    console.print(table)
    for m in result.mutants:
        if m.status in ("survived", "unknown"):
            console.print(Text(f"{m.status}: {m.name}" + (f" ({m.note})" if m.note else ""), style="bold yellow"))
            console.print(Text(m.diff, style="dim"), soft_wrap=True)
    counts = result.counts()
    score = "no mutant decided" if result.score is None else f"{result.score:.0%}"
    console.print(f"mutation score {score}: {counts['killed']} killed, {counts['survived']} survived, "
                  f"{counts['equivalent']} equivalent (same reachable states), {counts['unknown']} undecided; "
                  f"{len(result.mutants)} mutants in {result.seconds:.1f}s")
    sys.exit(0)
