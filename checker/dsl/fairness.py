"""Fairness declarations: which actions a liveness check may assume eventually happen.

An action is declared fair with ``@action(..., fair=...)`` or in a spec's ``[fairness]`` table:

- ``"weak"``: if the action stays enabled forever, it eventually happens (TLA+'s WF);
- ``"strong"``: if it is enabled again and again, it eventually happens (SF);
- ``"weak(a)"``, ``"strong(a, m)"``: the same, separately for each value of the named parameters —
  "each acceptor's Phase2b is weakly fair" is ``fair="weak(a)"`` on ``phase2b(a, m)``;
- ``"none"`` (spec only): remove the action's fairness.

Fairness is about steps that change the state (TLA+'s ``<<A>>_vars``): an action that could only
re-send a message already sent is not enabled in this sense.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from checker.errors import QuorumError, suggest

KINDS = ("weak", "strong")
_SYNTAX = re.compile(r"^\s*(\w+)\s*(?:\(\s*([\w\s,]*)\))?\s*$")
EXAMPLES = '"weak", "strong", "weak(a)" (one constraint per value of parameter a) or "none"'


@dataclass(frozen=True)
class Fairness:
    """A parsed declaration: ``kind`` weak/strong, ``per`` the parameters it is separate for."""

    kind: str
    per: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.kind}({', '.join(self.per)})" if self.per else self.kind


def parse(text: Any, action: str, params: tuple[str, ...]) -> Fairness | None:
    """``"weak(a)"`` for action ``phase2b(a, m)`` -> Fairness("weak", ("a",)); errors name the action."""
    if text is None:
        return None
    match = _SYNTAX.match(text) if isinstance(text, str) else None
    if match is None:
        raise QuorumError(f"action {action}: fairness {text!r} is not one of {EXAMPLES}")
    kind, args = match.group(1), match.group(2)
    if kind == "none" and args is None:
        return None
    if kind not in KINDS:
        raise QuorumError(f"action {action}: fairness kind {kind!r} is unknown." + suggest(kind, [*KINDS, "none"]))
    per = tuple(p.strip() for p in (args or "").split(",") if p.strip())
    for p in per:
        if p not in params:
            raise QuorumError(
                f"action {action}: fairness {text!r} names parameter {p!r}, which {action} lacks."
                + suggest(p, params)
            )
    return Fairness(kind, per)


def apply(protocol: Any, table: dict[str, Any], where: str) -> None:
    """Override actions' fairness from a spec's ``[fairness]`` table (action name -> declaration)."""
    if not isinstance(table, dict):
        raise QuorumError(f'{where}: [fairness] must be a table of action = "weak" | "strong" | "weak(a)" | "none"')
    by_name = {a.name: a for a in protocol.actions}
    for name, text in table.items():
        act = by_name.get(name)
        if act is None:
            raise QuorumError(f"{where}: [fairness] names action {name!r}, which {type(protocol).__name__} lacks."
                              + suggest(name, by_name))
        try:
            parse(text, name, act.param_names)
        except QuorumError as err:
            raise QuorumError(f"{where}: [fairness] {err}") from None
        act.fairness = None if str(text).strip() == "none" else text
