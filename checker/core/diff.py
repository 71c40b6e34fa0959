"""What changed between two states: the basis of step tables, chart annotations and reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from checker.core.trace import Step
from checker.dsl.domains import FnMap, show, sort_key
from checker.dsl.protocol import Protocol


@dataclass(frozen=True)
class Change:
    """One changed part of a state: ``maxBal[a1]: -1 -> 0`` or ``msgs: + 1a(bal=0)``."""

    var: str
    key: Any  # map key, or None for a whole variable
    old: Any
    new: Any
    kind: str  # "set" (value replaced), "add" or "remove" (set element)

    def __str__(self) -> str:
        if self.kind == "add":
            return f"{self.var} + {show(self.new)}"
        if self.kind == "remove":
            return f"{self.var} − {show(self.old)}"
        where = self.var if self.key is None else f"{self.var}[{show(self.key)}]"
        return f"{where} = {show(self.new)}"


def changes(before: tuple | None, after: tuple, names: list[str]) -> list[Change]:
    """The changes from ``before`` to ``after`` (every variable, when there is no before)."""
    out: list[Change] = []
    for i, name in enumerate(names):
        new = after[i]
        if before is None:
            out.append(Change(name, None, None, new, "set"))
            continue
        old = before[i]
        if old == new:
            continue
        if isinstance(new, FnMap) and isinstance(old, FnMap):
            out += [Change(name, k, old[k], v, "set") for k, v in new.items() if old[k] != v]
        elif isinstance(new, frozenset) and isinstance(old, frozenset):
            out += [Change(name, None, None, e, "add") for e in sorted(new - old, key=sort_key)]
            out += [Change(name, None, e, None, "remove") for e in sorted(old - new, key=sort_key)]
        else:
            out.append(Change(name, None, old, new, "set"))
    return out


def trace_text(protocol: Protocol, trace: list[Step]) -> str:
    """A trace as numbered lines: the step, then what it changed."""
    names = list(protocol.variables)
    lines, prev = [], None
    for i, step in enumerate(trace):
        diff = "; ".join(str(c) for c in changes(prev, step.state, names)) or "(no change)"
        lines.append(f"  {i:>3}. {step.label:<40} {diff}")
        prev = step.state
    return "\n".join(lines)
