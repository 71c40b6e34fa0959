"""Extra ``quorum`` subcommands, one module each: every module here that defines ``command``
(a ``click.Command``) is added to the CLI. Add a command by adding a module."""

from __future__ import annotations

import importlib
import pkgutil

import click


def discover() -> list[click.Command]:
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        cmd = getattr(module, "command", None)
        if isinstance(cmd, click.Command):
            found.append(cmd)
    return found
