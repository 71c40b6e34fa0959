"""One explorer session: the path walked so far through a protocol's states, and its views.

The path is a list of steps from an initial state; the cursor is the step on view. Firing an
action at the cursor cuts the path there and appends the step (firing the action the path takes
next only moves the cursor on, so a loaded counterexample is kept); back and forward move the
cursor along the path; restart goes back to an initial state with an empty path; undo reverts the
last of these, whatever it was. Every change bumps ``version``, which a client sends back so that
a click on a view it no longer shows is refused (``Stale``), never applied to another state.

Successors come from the core semantics only: each action instance (``Action.instances``, as the
engines enumerate them) is run by ``checker.core.semantics.fire``, in the engines' order. The
views reuse the renderers: ``checker.core.diff`` for what a step changed, ``checker.render.chart``
and ``msc`` for the message sequence chart (SVG when graphviz is installed, else its DOT source),
``checker.render.explain`` for every invariant's and goal's verdict on the current state.

A session is not thread-safe (``explain`` swaps the DSL's helpers in the protocol's module while
it evaluates): the server serves one request at a time.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from checker.core.diff import Change, changes
from checker.core.semantics import ActionRaised, TypeCheck, fire, initial_states
from checker.core.trace import Step
from checker.dsl.domains import FnMap, order, show
from checker.dsl.protocol import LIVENESS, Property, Protocol
from checker.errors import QuorumError
from checker.render import dot
from checker.render.bundle import msc_source, title_of
from checker.render.explain import explain

MAX_UNDO = 1000  # snapshots kept for undo
KEYED = 9  # actions 1..9 have a number key
CHARTS_CACHED = 64
NO_DOT = ("graphviz's `dot` is not installed, so the chart is shown as its DOT source: install it with "
          "`sudo apt-get install graphviz` (Debian/Ubuntu) or `brew install graphviz` (macOS)")


class SessionError(ValueError):
    """A request the session cannot serve (no such action or step): the client's mistake."""


class Stale(SessionError):  # noqa: N818 - a refusal, named for what the client saw
    """The request was made on a view the session no longer shows (its version is older)."""


@dataclass(frozen=True)
class Loaded:
    """The trace a session was opened on (a counterexample): where it came from and what it shows."""

    source: str
    steps: tuple[Step, ...]
    property: str | None = None
    loop_start: int | None = None
    summary: str = ""


@dataclass
class Move:
    """An enabled action instance in the current state, and the step it makes."""

    step: Step
    warning: str | None = None  # the next state leaves its declared domains


class _AsInvariant:
    """What ``explain`` asks of a protocol, for one property read as an invariant: so a goal, too,
    is traced clause by clause; the protocol's own words only where it is given them."""

    def __init__(self, prop: Property, words: str | None) -> None:
        self.properties = {prop.name: dataclasses.replace(prop, kind="always")}
        self._words = words

    def explanation(self, prop: str, s: Any) -> str | None:
        return self._words


class Session:
    """The explorer's state: a protocol, the path walked so far, the cursor and the undo history."""

    def __init__(self, protocol: Protocol, *, trace: list[Step] | None = None, source: str = "",
                 violated: str | None = None, loop_start: int | None = None, summary: str = "",
                 selected: list[str] | None = None, deadlock: bool = True) -> None:
        """``trace``: a replayed trace to open on (its states computed by the semantics);
        ``violated``/``loop_start``/``summary``: what it shows; ``selected``: the properties a
        check would check (default: the protocol's defaults), listed first; ``deadlock``: whether
        a state without successors counts as a violation (a spec's ``deadlock = false``)."""
        self.protocol = protocol
        self.source = source
        self.names = list(protocol.variables)
        self.inits = list(initial_states(protocol))
        if not self.inits:
            raise QuorumError(f"{protocol.describe()} has no initial state: there is nothing to explore")
        if selected is None:
            selected = [p.name for p in protocol.properties.values() if p.default]
        self.selected = list(selected)
        self.deadlock = deadlock
        self.typecheck = TypeCheck(protocol)
        self.loaded: Loaded | None = None
        if trace:
            if trace[0].state not in self.inits:
                raise QuorumError(f"{source or 'the trace'}: its first state is not an initial state of "
                                  f"{protocol.describe()}")
            self.loaded = Loaded(source, tuple(trace), violated, loop_start, summary)
            self.path: tuple[Step, ...] = tuple(trace)
        else:
            self.path = (Step("Init", {}, self.inits[0]),)
        self.cursor = 0
        self.version = 0
        self.history: list[tuple[tuple[Step, ...], int]] = []
        self._moves: tuple[int, list[Move], list[str]] | None = None
        self._charts: OrderedDict[tuple, dict[str, Any]] = OrderedDict()

    # -- where we are ------------------------------------------------------------------------

    @property
    def state(self) -> Any:
        return self.path[self.cursor].state

    def moves(self) -> tuple[list[Move], list[str]]:
        """The enabled moves in the current state, in the engines' order, and the action instances
        that raised (as sentences): an action that raises is a finding, not the end of the session."""
        if self._moves is not None and self._moves[0] == self.version:
            return self._moves[1], self._moves[2]
        state = self.state
        found: list[Move] = []
        raised: list[str] = []
        for act in self.protocol.actions:
            for params in act.instances(state):
                try:
                    nxt = fire(act, params, state)
                except ActionRaised as err:
                    raised.append(str(err))
                    continue
                if nxt is None:
                    continue
                bad = self.typecheck.first_bad(nxt)
                found.append(Move(Step(act.name, act.params_dict(params), nxt),
                                  f"the next state leaves its domain: {bad}" if bad else None))
        self._moves = (self.version, found, raised)
        return found, raised

    # -- what the user does ------------------------------------------------------------------

    def fire(self, index: int, version: int | None = None) -> None:
        """Take enabled move number ``index`` (0-based, as the view lists them)."""
        self._fresh(version)
        found, _ = self.moves()
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(found):
            raise SessionError(f"no enabled action number {index!r} in step {self.cursor} "
                               f"(there are {len(found)}: 0..{len(found) - 1})")
        step = found[index].step
        nxt = self.path[self.cursor + 1] if self.cursor + 1 < len(self.path) else None
        if nxt is not None and nxt.label == step.label:
            self._go(self.path, self.cursor + 1)  # the path's own next step: keep the rest of it
        else:
            self._go(self.path[: self.cursor + 1] + (step,), self.cursor + 1)

    def back(self, version: int | None = None) -> None:
        self._fresh(version)
        if self.cursor > 0:
            self._go(self.path, self.cursor - 1)

    def forward(self, version: int | None = None) -> None:
        self._fresh(version)
        if self.cursor + 1 < len(self.path):
            self._go(self.path, self.cursor + 1)

    def goto(self, step: int, version: int | None = None) -> None:
        """Show step ``step`` of the path (0: its initial state)."""
        self._fresh(version)
        if not isinstance(step, int) or isinstance(step, bool) or not 0 <= step < len(self.path):
            raise SessionError(f"no step {step!r} on the path (it has steps 0..{len(self.path) - 1})")
        self._go(self.path, step)

    def restart(self, version: int | None = None) -> None:
        """Back to the path's initial state, with nothing walked."""
        self._fresh(version)
        self._go(self.path[:1], 0)

    def choose_initial(self, index: int, version: int | None = None) -> None:
        """Start again from initial state number ``index``."""
        self._fresh(version)
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(self.inits):
            raise SessionError(f"no initial state {index!r} (there are {len(self.inits)}: 0..{len(self.inits) - 1})")
        self._go((Step("Init", {}, self.inits[index]),), 0)

    def reload(self, version: int | None = None) -> None:
        """Back to the start of the trace the session was opened on."""
        self._fresh(version)
        if self.loaded is None:
            raise SessionError("no trace was loaded: there is nothing to reload")
        self._go(self.loaded.steps, 0)

    def undo(self, version: int | None = None) -> None:
        """Revert the last change (a step, back, forward, restart, ...); nothing when there is none."""
        self._fresh(version)
        if self.history:
            self.path, self.cursor = self.history.pop()
            self.version += 1

    def _fresh(self, version: int | None) -> None:
        if version is not None and version != self.version:
            raise Stale(f"the page showed version {version}, the session is at version {self.version}: "
                        "nothing was done (the page now shows the current state)")

    def _go(self, path: tuple[Step, ...], cursor: int) -> None:
        if path == self.path and cursor == self.cursor:
            return
        self.history.append((self.path, self.cursor))
        del self.history[:-MAX_UNDO]
        self.path, self.cursor = path, cursor
        self.version += 1

    # -- the view ----------------------------------------------------------------------------

    def view(self) -> dict[str, Any]:
        """Everything the page shows, as JSON."""
        state = self.state
        prev = self.path[self.cursor - 1].state if self.cursor else None
        diff = changes(prev, state, self.names) if prev is not None else []
        found, raised = self.moves()
        props = self._properties(state, deadlocked=not found and not raised)
        following = self._following()
        loaded = None
        if self.loaded is not None:
            loaded = {"source": self.loaded.source, "property": self.loaded.property,
                      "summary": self.loaded.summary, "steps": len(self.loaded.steps) - 1,
                      "loop_start": self.loaded.loop_start, "following": self.cursor < following,
                      "at_end": self.cursor == len(self.loaded.steps) - 1 and self.cursor < following,
                      "whole": following == len(self.path) == len(self.loaded.steps)}
        nxt = self.path[self.cursor + 1].label if self.cursor + 1 < len(self.path) else None
        fired = {m.step.action for m in found}
        return {
            "version": self.version,
            "protocol": self.protocol.describe(),
            "title": title_of(self.protocol, None),
            "source": self.source,
            "step": self.cursor,
            "steps": len(self.path) - 1,
            "last": self.path[self.cursor].label,
            "changes": [str(c) for c in diff],
            "state": self._table(state, prev, diff),
            "raw": self.protocol.state_json(state),
            "actions": [{
                "index": i, "key": str(i + 1) if i < KEYED else None, "action": m.step.action,
                "params": {k: show(v) for k, v in m.step.params.items()}, "label": m.step.label,
                "changes": [str(c) for c in changes(state, m.step.state, self.names)],
                "warning": m.warning, "next": m.step.label == nxt,
            } for i, m in enumerate(found)],
            "disabled": [a.name for a in self.protocol.actions if a.name not in fired],
            "raised": raised,
            "deadlock": not found and not raised,
            "properties": props,
            "path": [{"index": i, "label": s.label, "current": i == self.cursor, "future": i > self.cursor,
                      "on_trace": i < following} for i, s in enumerate(self.path)],
            "initial": {"count": len(self.inits), "index": self.inits.index(self.path[0].state)},
            "loaded": loaded,
            "can": {"back": self.cursor > 0, "forward": self.cursor + 1 < len(self.path),
                    "undo": bool(self.history), "reload": self.loaded is not None},
            "chart": self._chart(props, loaded),
        }

    def _following(self) -> int:
        """How many steps of the path are the loaded trace's own (0 when none was loaded)."""
        if self.loaded is None:
            return 0
        n = 0
        for mine, theirs in zip(self.path, self.loaded.steps, strict=False):
            if mine.label != theirs.label or (n == 0 and mine.state != theirs.state):
                break
            n += 1
        return n

    def _table(self, state: Any, prev: Any, diff: list[Change]) -> list[dict[str, Any]]:
        """One row per variable: a map by key, a set by element; what the last step changed marked."""
        replaced = {(c.var, c.key) for c in diff if c.kind == "set"}
        added = {(c.var, c.new) for c in diff if c.kind == "add"}
        rows = []
        for i, (name, value) in enumerate(zip(self.names, state, strict=True)):
            old = prev[i] if prev is not None else None
            row: dict[str, Any] = {"var": name, "changed": any(c.var == name for c in diff)}
            if isinstance(value, FnMap) and (name, None) not in replaced:
                row["kind"] = "map"
                row["entries"] = [{
                    "key": show(k), "value": show(v), "changed": (name, k) in replaced,
                    "old": show(old[k]) if (name, k) in replaced else None,
                } for k, v in value.items()]
            elif isinstance(value, frozenset) and (name, None) not in replaced:
                row["kind"] = "set"
                row["elements"] = [{"value": show(e), "added": (name, e) in added}
                                   for e in sorted(value, key=order)]
                row["removed"] = [show(c.old) for c in diff if c.var == name and c.kind == "remove"]
            else:
                row["kind"] = "value"
                row["value"] = show(value)
                row["old"] = show(old) if (name, None) in replaced and old is not None else None
            rows.append(row)
        return rows

    def _properties(self, state: Any, *, deadlocked: bool) -> list[dict[str, Any]]:
        """Every invariant and goal on the current state, with its explanation; the selected first."""
        out = []
        for prop in self.protocol.properties.values():
            row: dict[str, Any] = {"name": prop.name, "kind": prop.kind, "doc": prop.doc,
                                   "selected": prop.name in self.selected}
            if prop.kind in LIVENESS:
                row.update(verdict="liveness", custom="", explanation=[
                    "a liveness property is judged on whole runs (quorum check), not on one state"])
            else:
                row.update(self._evaluate(prop, state))
            out.append(row)
        out.append({"name": "deadlock", "kind": "deadlock", "doc": "a state with no enabled action",
                    "selected": self.deadlock, "verdict": "violated" if deadlocked else "holds", "custom": "",
                    "explanation": ["no action is enabled in this state"] if deadlocked else
                    ["some action is enabled in this state"]})
        return sorted(out, key=lambda r: not r["selected"])

    def _evaluate(self, prop: Property, state: Any) -> dict[str, Any]:
        try:
            value = bool(prop.fn(state))
        except Exception as err:  # noqa: BLE001 - a property that raises is a finding to show
            return {"verdict": "raised", "custom": "",
                    "explanation": [f"{prop.name} raised {type(err).__name__}: {err}"]}
        invariant = prop.kind == "always"
        verdict = ("holds" if value else "violated") if invariant else ("reached" if value else "not reached")
        words = None
        if invariant and not value:
            try:
                words = self.protocol.explanation(prop.name, state)
            except Exception as err:  # noqa: BLE001 - the protocol's own words failed; the clauses remain
                words = f"(explain_{prop.name} raised {type(err).__name__}: {err})"
        why = explain(_AsInvariant(prop, words), state, prop.name)  # type: ignore[arg-type]
        lines = why.lines[1:] if why.tree is not None else why.lines
        head = f"{prop.name} is {'true' if value else 'false'} in this state" + (":" if lines else "")
        return {"verdict": verdict, "custom": words or "", "explanation": [head, *lines]}

    def _chart(self, props: list[dict[str, Any]], loaded: dict[str, Any] | None) -> dict[str, Any]:
        """The message sequence chart of the path up to the cursor: SVG, or its DOT source without graphviz."""
        path = list(self.path[: self.cursor + 1])
        violation = next((p["name"] for p in props if p["selected"] and p["kind"] == "always"
                          and p["verdict"] == "violated"), None)
        loop = None
        if loaded is not None and loaded["at_end"]:
            violation = violation or loaded["property"]
            loop = loaded["loop_start"]
        key = (self.inits.index(path[0].state), tuple(s.label for s in path), violation, loop)
        if key in self._charts:
            self._charts.move_to_end(key)
            return self._charts[key]
        source = msc_source(self.protocol, path, violation, loop)
        svg = dot.to_svg(source, engine="neato", pinned=True)
        if svg is not None:
            drawn: dict[str, Any] = {"svg": dot.inline(svg), "dot": None, "note": None}
        else:
            drawn = {"svg": None, "dot": source, "note": NO_DOT}
        self._charts[key] = drawn
        while len(self._charts) > CHARTS_CACHED:
            self._charts.popitem(last=False)
        return drawn
