"""The terminal the CLI writes to: rich output at the terminal's width, and no hard wrap when piped."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable

import click
from rich.console import Console

#: Piped or redirected output is not wrapped: a line is as long as it is (tables as wide as their cells).
UNWRAPPED = 10_000
_OWN_CLOCK = re.compile(r"^[\d,]+s, ")


def make_console(*, stderr: bool = False) -> Console:
    """A console for one command: on a terminal, its width; piped, lines are never broken at 80 columns."""
    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty():
        return Console(stderr=stderr, highlight=False)
    return Console(file=stream, highlight=False, width=UNWRAPPED, soft_wrap=True)


def progress_printer(label: str = "") -> Callable[[str], None]:
    """Engine progress lines on stderr, each with the time since the command started this check
    (engines add their own rates: states/s, walks/s) and, inside ``check DIR/``, the spec's name."""
    start = time.perf_counter()
    prefix = f"{label}: " if label else ""

    def say(line: str) -> None:
        line = _OWN_CLOCK.sub("", line)  # the search's own "12s, " (its Budget's clock): one clock per line
        click.echo(f"  … [{time.perf_counter() - start:6.1f}s] {prefix}{line}", err=True)

    return say
