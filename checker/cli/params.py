"""``-p name=value`` on the command line: values read as TOML, so numbers, Booleans and lists keep their type."""

from __future__ import annotations

import tomllib
from typing import Any

from checker.errors import QuorumError


def parse_value(text: str) -> Any:
    """``3`` -> 3, ``true`` -> True, ``[1, 2]`` -> list; anything else stays a string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_params(pairs: tuple[str, ...]) -> dict[str, Any]:
    params = {}
    for pair in pairs:
        name, eq, value = pair.partition("=")
        if not eq or not name:
            raise QuorumError(f"-p {pair!r}: write -p name=value, e.g. -p ballots=3")
        params[name.strip()] = parse_value(value.strip())
    return params
