"""Finding the protocols: every ``Protocol`` subclass defined in a module of the ``protocols`` package.

One broken module (a syntax error, an exception on import) does not hide the others:
``discover_protocols`` returns the classes it could load and, apart, each broken module with its
error; ``all_protocols`` (for code that needs every protocol) fails naming the first broken one."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from checker.cli.spec import import_protocol_module
from checker.dsl.protocol import Protocol
from checker.errors import QuorumError

#: The package whose modules are the protocols (a test may point it elsewhere).
PACKAGE = "protocols"


@dataclass
class Broken:
    """A protocol module that could not be loaded, and why (the message names its file and line)."""

    module: str
    error: str


def protocol_modules() -> list[str]:
    package = importlib.import_module(PACKAGE)
    return sorted(p.stem for p in Path(package.__file__).parent.glob("*.py") if not p.stem.startswith("_"))


def discover_protocols() -> tuple[list[type[Protocol]], list[Broken]]:
    """Every protocol class that loads, and every module that does not."""
    out, broken = [], []
    for mod in protocol_modules():
        name = f"{PACKAGE}.{mod}"
        try:
            module = import_protocol_module(name)
        except QuorumError as err:
            broken.append(Broken(name, str(err)))
            continue
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Protocol) and obj.__module__ == module.__name__:
                out.append(obj)
    return out, broken


def all_protocols() -> list[type[Protocol]]:
    """Every protocol class in the ``protocols`` package; a broken module is a QuorumError."""
    found, broken = discover_protocols()
    if broken:
        raise QuorumError(broken[0].error)
    return found
