"""Finding the protocols: every ``Protocol`` subclass defined in a module of the ``protocols`` package."""

from __future__ import annotations

import importlib
from pathlib import Path

from checker.dsl.protocol import Protocol


def protocol_modules() -> list[str]:
    import protocols

    return sorted(p.stem for p in Path(protocols.__file__).parent.glob("*.py") if not p.stem.startswith("_"))


def all_protocols() -> list[type[Protocol]]:
    """Every protocol class in the ``protocols`` package."""
    out = []
    for mod in protocol_modules():
        module = importlib.import_module(f"protocols.{mod}")
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Protocol) and obj.__module__ == module.__name__:
                out.append(obj)
    return out
