"""``quorum gallery``: regenerate counterexamples/ (or, with --check, say whether it is stale)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.command(name="gallery")
@click.option("--out", default="counterexamples", show_default=True, type=click.Path(file_okay=False))
@click.option("--specs", "spec_dir", default="specs", show_default=True, type=click.Path(file_okay=False))
@click.option("--check", "only_check", is_flag=True, help="exit 1 if the gallery is out of date; write nothing")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@click.option("--debug", is_flag=True, help="show tracebacks")
def command(out: str, spec_dir: str, only_check: bool, as_json: bool, debug: bool) -> None:
    """One folder per buggy variant of every protocol: chart, trace, README; plus an index."""
    from checker.cli import gallery
    from checker.cli.guards import check_out_dir

    if only_check:
        problems = gallery.up_to_date(Path(out), Path(spec_dir))
        if as_json:
            click.echo(json.dumps({"gallery": out, "up_to_date": not problems, "problems": problems}, indent=2))
        else:
            for p in problems:
                click.echo(p)
            click.echo("gallery is up to date" if not problems else "run `quorum gallery` (or `make gallery`)")
        sys.exit(1 if problems else 0)
    check_out_dir(out)  # before the gallery's minutes of model checking
    entries = gallery.discover(Path(spec_dir))
    names = gallery.write(Path(out), entries, progress=lambda n: click.echo(f"  … {n}", err=True))
    if as_json:
        click.echo(json.dumps({"gallery": out, "entries": names, "index": f"{out}/README.md"}, indent=2))
    else:
        click.echo(f"wrote {len(names)} entries and {out}/README.md")
