"""``quorum grade EXERCISE SUBMISSION``: score a student's answers, or a whole class with --class-dir."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from checker.cli.console import make_console
from checker.coursework.exercise import load_exercise
from checker.coursework.gradebook import Report, grade, grade_class
from checker.coursework.sandbox import MEMORY_MB, SECONDS


@click.command(name="grade")
@click.argument("exercise", type=click.Path(dir_okay=False))
@click.argument("submission", type=click.Path(file_okay=False))
@click.option("--class", "whole_class", is_flag=True, help="SUBMISSION is a folder of submissions, one per student")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="with --class: write gradebook.csv and gradebook.json here (default: SUBMISSION)")
@click.option("--seconds", type=float, default=SECONDS, show_default=True, help="time limit per task")
@click.option("--memory", "memory_mb", type=int, default=MEMORY_MB, show_default=True, help="memory limit per task, MB")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
def command(exercise: str, submission: str, whole_class: bool, out: str | None, seconds: float, memory_mb: int,
            as_json: bool) -> None:
    """Grade SUBMISSION (a folder: invariant.py, counterexample.json, trace.json, fix.py) against
    EXERCISE; each task runs in a child process with a time and a memory limit."""
    ex = load_exercise(exercise)
    limits = {"seconds": seconds, "memory_mb": memory_mb}
    if whole_class:
        folder = Path(submission)
        reports = grade_class(ex, folder, Path(out) if out else folder, **limits)
    else:
        reports = [grade(ex, Path(submission), **limits)]
    if as_json:
        doc = [r.to_json() for r in reports]
        click.echo(json.dumps(doc if whole_class else doc[0], indent=2))
        return
    console = make_console()
    for r in reports:
        show(console, r)
    if whole_class:
        where = Path(out) if out else Path(submission)
        console.print(f"wrote {where / 'gradebook.csv'} and {where / 'gradebook.json'}")


def show(console: Console, report: Report) -> None:
    ex = report.exercise
    console.print(Text(f"{report.student}: {report.points:g} of {ex.max_points():g} points — {ex.title}",
                       style="bold"), soft_wrap=True)
    for i, (task, g) in enumerate(zip(ex.tasks, report.grades, strict=True), start=1):
        mark = "green" if g.points == g.max_points else "yellow" if g.points else "red"
        console.print(Text(f"  {i}. {task.kind} it: {g.points:g}/{g.max_points:g}", style=mark))
        console.print(Text("     " + g.feedback.replace("\n", "\n     ")), soft_wrap=True)
