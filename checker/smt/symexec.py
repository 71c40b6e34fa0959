"""Running an action on a symbolic state: once per path through its ``s.guard`` calls.

``s.guard(c)`` with a symbolic ``c`` is a fork: the action is run again with the guard assumed
true, then false, so ``if s.guard(c): ... else: ...`` is read exactly as the explicit engine
reads it. Each run yields one path: the conditions assumed and the update (or none: disabled).

A run that raises is a path too (``Path.raised``): under the conditions assumed so far the action
raises — on concrete states a finding, which the engine shows with its trace once a reachable state
meets the condition (or, if the concrete action does not raise there, an encoding limit it names).
An operation that would raise only for some values of a symbolic operand (a map read with a
state-dependent key outside its keys) records that condition as a hazard: the path splits into
the run without it and a raising path under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from checker.dsl.logic import SYMBOLIC, And, Not
from checker.dsl.params import From
from checker.dsl.protocol import Action, Protocol
from checker.errors import EncodingError, QuorumError, SymbolicBranchError
from checker.smt import symbolic
from checker.smt.symbolic import SymBool

MAX_PATHS = 256


@dataclass
class Update:
    """What a symbolic run of an action assigns (variables not named stay unchanged).

    Like a concrete next state it can be read (``t.seq``: the new value where assigned) and updated
    again (``t.update(pc=...)``), so an action may build its result in steps, through helpers."""

    changes: dict[str, Any]
    base: SymbolicState | None = None

    def __getattr__(self, name: str) -> Any:
        if name in ("changes", "base") or self.base is None:
            raise AttributeError(name)
        return self.changes[name] if name in self.changes else getattr(self.base, name)

    def update(self, **changes: Any) -> Update:
        if self.base is None:
            raise AttributeError("update")
        return self.base.update(**{**self.changes, **changes})


class SymbolicState:
    """The state view an action sees under Z3: variables are symbolic values."""

    def __init__(self, protocol: Protocol, values: dict[str, Any], script: list[bool]) -> None:
        self._protocol = protocol
        self._values = values
        self._script = script
        self._cursor = 0
        self.assumed: list[Any] = []

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            from checker.errors import suggest

            raise AttributeError(f"no state variable {name!r}." + suggest(name, self._values)) from None

    def guard(self, cond: Any) -> bool:
        if not isinstance(cond, SymBool):
            return bool(cond)
        if self._cursor == len(self._script):
            self._script.append(True)
        taken = self._script[self._cursor]
        self._cursor += 1
        self.assumed.append(cond if taken else Not(cond))
        return taken

    def update(self, **changes: Any) -> Update:
        unknown = set(changes) - set(self._values)
        if unknown:
            from checker.errors import suggest

            name = sorted(unknown)[0]
            raise QuorumError(f"update of unknown state variable {name!r}." + suggest(name, self._values))
        return Update(changes, self)


@dataclass
class Path:
    """One way an action can fire: under ``condition`` the state changes by ``update`` — or, when
    ``raised`` is set, the action raises that exception (``update`` is None)."""

    condition: Any  # True | SymBool
    update: Update | None
    raised: BaseException | None = None


def symbolic_instances(protocol: Protocol, act: Action, values: dict[str, Any]) -> list[tuple[tuple, Any]]:
    """Parameter tuples over finite universes, each with the condition that makes it available."""
    import itertools

    lists = []
    for src in act.sources:
        if isinstance(src, From):
            held = values[src.var]
            items = held.present.items() if src.kind is None else held.of(src.kind).present.items()
            lists.append([(e, p) for e, p in items if p is not False])
        else:
            lists.append([(v, True) for v in src])
    out = []
    for combo in itertools.product(*lists):
        params = tuple(v for v, _ in combo)
        out.append((params, And(*(p for _, p in combo))))
    return out


def paths(protocol: Protocol, act: Action, values: dict[str, Any], params: tuple) -> list[Path]:
    """Every enabled path of ``act`` with ``params`` from the symbolic state ``values``."""
    found: list[Path] = []
    script: list[bool] = []
    while True:
        view = SymbolicState(protocol, values, script)
        symbolic.HAZARDS.append([])
        raised: BaseException | None = None
        try:
            with SYMBOLIC:
                result = act.fn(view, *params)
        except SymbolicBranchError as err:
            where = _model_line(err, protocol)
            raise SymbolicBranchError(
                f"{where}action {act.label(params)} of {type(protocol).__name__}: {err}"
            ) from err
        except EncodingError as err:
            raise EncodingError(
                f"{type(protocol).__name__}, action {act.name}: {err}"
            ) from err
        except QuorumError:
            raise
        except Exception as exc:  # noqa: BLE001 - a raising path: a finding where a reachable state meets it
            raised, result = exc, None
        finally:
            hazards = symbolic.HAZARDS.pop()
        del script[view._cursor:]  # guards this run did not reach are not decided
        condition = And(*view.assumed)
        if raised is not None:
            found.append(Path(condition, None, raised))
        elif result is not None and result is not False:
            if not isinstance(result, Update):
                raise QuorumError(
                    f"action {act.name} of {type(protocol).__name__} returned {result!r}; "
                    "return s.update(...) when enabled and None when not"
                )
            condition = _raising(found, condition, hazards)
            found.append(Path(condition, result))
        elif hazards:  # disabled, but an operation on the way raises before it says so
            _raising(found, condition, hazards)
        while script and not script[-1]:
            script.pop()
        if not script:
            return found
        script[-1] = False
        if len(found) > MAX_PATHS:
            raise EncodingError(f"action {act.name} has more than {MAX_PATHS} guard paths; split it into actions")


def _raising(found: list[Path], condition: Any, hazards: list[tuple[Any, BaseException]]) -> Any:
    """A raising path per hazard (where the earlier ones did not raise), and the condition under
    which none raises."""
    for cond, exc in hazards:
        found.append(Path(And(condition, cond), None, exc))
        condition = And(condition, Not(cond))
    return condition


def evaluate_property(protocol: Protocol, prop_fn: Any, values: dict[str, Any]) -> Any:
    """A property's value (True/False/SymBool) on a symbolic state."""
    view = SymbolicState(protocol, values, [])
    try:
        with SYMBOLIC:
            return prop_fn(view)
    except SymbolicBranchError as err:
        where = _model_line(err, protocol)
        raise SymbolicBranchError(
            f"{where}property {prop_fn.__name__} of {type(protocol).__name__}: {err}"
        ) from err


def _model_line(err: BaseException, protocol: Protocol) -> str:
    """``file:line: `` of the innermost frame in the protocol's own source, where the branch is."""
    import inspect
    import os
    import traceback

    try:
        source = inspect.getsourcefile(type(protocol))
    except TypeError:
        return ""
    frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename == source]
    if not frames:
        return ""
    return f"{os.path.relpath(frames[-1].filename)}:{frames[-1].lineno}: "
