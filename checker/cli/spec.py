"""Check specs: TOML files naming a protocol, its parameters, properties, engine and expected verdict.

    protocol = "protocols.paxos:Paxos"
    expect = "violated: agreement"        # or "holds"
    properties = ["agreement"]            # optional: default, the protocol's own defaults
    [parameters]
    ballots = 3
    variant = "phase2a-ignores-1b"
    [engine]
    name = "auto"                         # the default; and that engine's options, e.g. max_states

A spec may instead ask a query (``checker.explicit.extremes``), stating its expected answer::

    [query]
    goal = "leader_elected"               # a run ends at the first state where this holds
    cost = { tick = "tick_ms" }           # each step's cost: a number or a parameter's name
    unit = "ms"
    exclude = "competing_candidates"      # optional: runs through such states are left out
    expect_min = 150
    expect_max = "unbounded"              # or a number

Every key is checked: a typo is an error that names the file and suggests the closest key.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from checker.cli.guards import describe, raised_in_user_code, user_frame, where_in
from checker.core import engines
from checker.dsl import fairness
from checker.dsl.protocol import Protocol
from checker.errors import InternalError, QuorumError, read_toml, suggest

TOP_KEYS = {
    "protocol", "description", "expect", "properties", "parameters", "engine", "faults", "trace_length", "fairness",
    "query", "states",
}
QUERY_KEYS = {"goal", "cost", "unit", "exclude", "expect_min", "expect_max"}
#: The engine options a query takes: it runs the explicit search itself, to the end.
QUERY_OPTIONS = {"max_states", "max_seconds", "max_memory"}
#: What a query spec leaves out, and why.
NOT_WITH_QUERY = {
    "expect": "a query states its expected answer as expect_min and expect_max in [query]",
    "trace_length": "a query's witnesses have their own lengths",
    "states": "a query reports the states it explored, with no expectation",
    "properties": "a query checks no property: it names its goal in [query]",
    "fairness": "a query ranges over every run, fair or not",
}


@dataclass
class QuerySpec:
    """A spec's ``[query]`` table, checked for form (names are checked against the protocol when it is built)."""

    goal: str
    cost: dict[str, Any]
    unit: str = ""
    exclude: str | None = None
    expect_min: int | None = None
    expect_max: int | str | None = None  # a number, or "unbounded"

    def expectation_text(self) -> str | None:
        if self.expect_min is None and self.expect_max is None:
            return None
        unit = f" {self.unit}" if self.unit else ""
        parts = [] if self.expect_min is None else [f"minimum {self.expect_min:,}{unit}"]
        if self.expect_max == "unbounded":
            parts.append("maximum unbounded")
        elif self.expect_max is not None:
            parts.append(f"maximum {self.expect_max:,}{unit}")
        return ", ".join(parts)

    def expectation_met(self, answer: Any) -> bool:
        """The answer is the expected one (an unreachable goal never is)."""
        if answer.verdict != "answered":
            return False
        high = None if self.expect_max == "unbounded" else self.expect_max
        return ((self.expect_min is None or answer.minimum.cost == self.expect_min)
                and (self.expect_max is None or answer.maximum.cost == high))


@dataclass
class Spec:
    """A parsed, validated check spec."""

    path: str
    protocol_ref: str
    parameters: dict[str, Any] = field(default_factory=dict)
    properties: list[str] | None = None
    engine: str = "auto"
    options: dict[str, Any] = field(default_factory=dict)
    expect: str | None = None
    description: str = ""
    faults: list[Any] = field(default_factory=list)
    trace_length: int | None = None
    states: int | None = None  # distinct states a check that holds must count (TLC's figure, where an issue gives it)
    fairness: dict[str, Any] = field(default_factory=dict)  # action -> "weak" | "strong(a)" | "none"
    query: QuerySpec | None = None

    def build(self) -> Protocol:
        cls = load_protocol(self.protocol_ref, self.path)
        params = dict(self.parameters)
        if self.faults:
            params["faults"] = self.faults
        protocol = build_protocol(cls, params, self.path)
        fairness.apply(protocol, self.fairness, self.path)
        return protocol

    def expectation_met(self, result: Any) -> bool:
        """The verdict is the expected one (and, if given, so is the counterexample's length); a
        query's answer is the expected one, or, with none stated, an answer at all."""
        if self.query is not None:
            if self.query.expectation_text() is None:
                return result.verdict == "answered"
            return self.query.expectation_met(result)
        if self.states is not None and result.verdict == "holds" and result.distinct_states != self.states:
            return False
        if self.expect is None:
            return result.verdict == "holds"
        if self.expect != expectation(result.verdict, result.property):
            return False
        return self.trace_length is None or not result.trace or len(result.trace) - 1 == self.trace_length

    def describe_source(self) -> str:
        """The spec file and the protocol it names (or just the protocol, for a module:Class target)."""
        return self.path if self.path == self.protocol_ref else f"{self.path} (protocol {self.protocol_ref})"

    def expectation_text(self) -> str:
        if self.query is not None:
            return self.query.expectation_text() or "an answer"
        text = self.expect or "holds"
        if self.states is not None:
            text += f" over {self.states:,} distinct states"
        return f"{text} in {self.trace_length} steps" if self.trace_length is not None else text


def expectation(verdict: str, prop: str | None) -> str:
    return f"violated: {prop}" if verdict == "violated" else verdict


def load_protocol(ref: str, where: str = "") -> type[Protocol]:
    """``module:Class`` (or a bare module with exactly one protocol class) to the class.

    The user's module failing to import (a syntax error, an exception at import time, a missing
    dependency) is bad input naming the module's file and line and the error."""
    prefix = f"{where}: " if where else ""
    module_name, _, cls_name = ref.partition(":")
    if not module_name or module_name.startswith(".") or "/" in module_name or module_name.endswith(".py"):
        raise QuorumError(
            f"{prefix}{ref!r} is not a protocol reference: write module:Class with the module's dotted "
            "import name, e.g. protocols.paxos:Paxos"
        )
    module = import_protocol_module(module_name, prefix)
    classes = {
        n: c
        for n, c in vars(module).items()
        if isinstance(c, type) and issubclass(c, Protocol) and c.__module__ == module.__name__
    }
    if not cls_name:
        if len(classes) != 1:
            raise QuorumError(f"{prefix}{module_name!r} defines {sorted(classes)}: name one as {module_name}:Class")
        return next(iter(classes.values()))
    cls = getattr(module, cls_name, None)
    if not (isinstance(cls, type) and issubclass(cls, Protocol)):
        raise QuorumError(f"{prefix}{module_name} has no protocol {cls_name!r}." + suggest(cls_name, classes))
    return cls


def import_protocol_module(module_name: str, prefix: str = "") -> ModuleType:
    """Import the user's module; every way it can fail is a QuorumError naming its file and line."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        missing = err.name or ""
        if missing == module_name or module_name.startswith(missing + "."):
            raise QuorumError(
                f"{prefix}cannot import protocol module {module_name!r} ({err.msg}). "
                "Write protocol = \"package.module:Class\", e.g. \"protocols.paxos:Paxos\"."
            ) from None
        at = _import_site(err, module_name)
        raise QuorumError(
            f"{prefix}protocol module {module_name!r} imports {missing!r}, which cannot be found ({err.msg}){at}. "
            "Install it, or fix the import."
        ) from None
    except SyntaxError as err:  # IndentationError and TabError too
        line = f"\n    {err.text.strip()}" if err.text and err.text.strip() else ""
        raise QuorumError(
            f"{prefix}protocol module {module_name!r} does not compile: {err.filename}:{err.lineno}: "
            f"{type(err).__name__}: {err.msg}{line}"
        ) from None
    except (QuorumError, InternalError):
        raise
    except Exception as err:  # noqa: BLE001 - whatever the user's module raises on import is the user's
        at = _import_site(err, module_name)
        raise QuorumError(f"{prefix}importing protocol module {module_name!r} raised {describe(err)}{at}") from None


def _import_site(err: BaseException, module_name: str) -> str:
    """' at file:line (in f): source' for the user's frame, else the module's file."""
    frame = user_frame(err)
    if frame is not None:
        return f" at {where_in(frame)}"
    try:
        spec = importlib.util.find_spec(module_name)
    except (ImportError, ValueError):
        spec = None
    return f" (in {spec.origin})" if spec is not None and spec.origin else ""


def build_protocol(cls: type[Protocol], params: dict[str, Any], where: str = "") -> Protocol:
    """``cls(**params)``: a bad parameter, or an exception the user's own ``setup`` (or other code)
    raises, is bad input naming ``where`` and the user's file and line; one that ends inside Quorum
    stays a bug in Quorum."""
    prefix = f"{where}: " if where else ""
    try:
        return cls(**params)
    except QuorumError as err:
        raise QuorumError(f"{prefix}{err}") from err
    except InternalError:
        raise
    except Exception as err:
        frame = raised_in_user_code(err)
        if frame is None:
            raise
        args = ", ".join(f"{k}={v!r}" for k, v in params.items())
        raise QuorumError(
            f"{prefix}building {cls.__name__}({args}) raised {describe(err)} at {where_in(frame)}"
        ) from err


def load_spec(path: str | Path) -> Spec:
    path = str(path)
    return parse_spec(read_toml(path, "spec file", "a spec is UTF-8 TOML"), path)


def parse_spec(data: dict[str, Any], path: str = "<spec>") -> Spec:
    for key in data:
        if key not in TOP_KEYS:
            raise QuorumError(f"{path}: unknown key {key!r}." + suggest(key, TOP_KEYS))
    if "protocol" not in data:
        raise QuorumError(f'{path}: missing key "protocol", e.g. protocol = "protocols.paxos:Paxos"')
    params = data.get("parameters", {})
    if not isinstance(params, dict):
        raise QuorumError(f"{path}: [parameters] must be a table of name = value")
    engine_table = data.get("engine", {})
    if isinstance(engine_table, str):
        engine_table = {"name": engine_table}
    if not isinstance(engine_table, dict):
        raise QuorumError(f'{path}: [engine] must be a table, e.g. [engine] name = "explicit"')
    options = dict(engine_table)
    engine_name = options.pop("name", "auto")
    try:
        engine = engines.get(engine_name)
    except QuorumError as err:
        raise QuorumError(f"{path} [engine]: {err}") from None
    engines.check_options(engine, options, f"{path} [engine]")
    expect = data.get("expect")
    if expect is not None:
        expect = " ".join(str(expect).split())
        verdict, _, prop = expect.partition(":")
        if verdict not in ("holds", "violated", "limit", "error") or (verdict == "violated") != bool(prop.strip()):
            raise QuorumError(
                f"{path}: expect = {data['expect']!r}: write \"holds\" or \"violated: <property>\""
            )
        expect = f"violated: {prop.strip()}" if verdict == "violated" else verdict
    trace_length = data.get("trace_length")
    if trace_length is not None and (isinstance(trace_length, bool) or not isinstance(trace_length, int)):
        raise QuorumError(f"{path}: trace_length must be a number of steps, e.g. trace_length = 12")
    states = data.get("states")
    if states is not None and (isinstance(states, bool) or not isinstance(states, int) or states < 1):
        raise QuorumError(f"{path}: states must be a number of distinct states, e.g. states = 344111")
    props = data.get("properties")
    if props is not None and not (isinstance(props, list) and all(isinstance(p, str) for p in props)):
        raise QuorumError(f'{path}: properties must be a list of names, e.g. properties = ["agreement"]')
    if twice := repeated(props or []):
        raise QuorumError(f"{path}: properties lists {twice[0]!r} more than once: name each property once")
    faults = data.get("faults", [])
    if not (isinstance(faults, list) and all(isinstance(f, str) for f in faults)):
        raise QuorumError(f'{path}: faults must be a list of fault names, e.g. faults = ["loss", "crash-restart"]')
    if twice := repeated(faults):
        raise QuorumError(f"{path}: faults lists {twice[0]!r} more than once: name each fault once")
    query = parse_query(data, path, engine_name, options)
    return Spec(
        path=path,
        protocol_ref=str(data["protocol"]),
        parameters=params,
        properties=props,
        engine=engine_name,
        options=options,
        expect=expect,
        description=str(data.get("description", "")),
        faults=list(faults),
        trace_length=trace_length,
        states=states,
        fairness=data.get("fairness", {}),
        query=query,
    )


def parse_query(data: dict[str, Any], path: str, engine: str, options: dict[str, Any]) -> QuerySpec | None:
    """The ``[query]`` table, or None; every mistake names the key and the fix."""
    if "query" not in data:
        return None
    table = data["query"]
    if not isinstance(table, dict):
        raise QuorumError(f'{path}: [query] must be a table, e.g. [query] goal = "leader_elected"')
    for key in table:
        if key not in QUERY_KEYS:
            raise QuorumError(f"{path} [query]: unknown key {key!r}." + suggest(key, QUERY_KEYS))
    for key, why in NOT_WITH_QUERY.items():
        if key in data:
            raise QuorumError(f"{path}: drop {key!r} from a spec with a [query]: {why}")
    if engine not in ("auto", "explicit"):
        raise QuorumError(f"{path} [engine]: a query is answered on the explicit state graph: drop name = {engine!r}")
    for option in options:
        if option not in QUERY_OPTIONS:
            raise QuorumError(f"{path} [engine]: {option!r} does not apply to a query; it takes "
                              f"{', '.join(sorted(QUERY_OPTIONS))}")
    for key in ("goal", "cost"):
        if key not in table:
            raise QuorumError(f'{path} [query]: missing key {key!r}, e.g. goal = "leader_elected", '
                              'cost = { tick = 50 }')
    goal, cost, unit, exclude = table["goal"], table["cost"], table.get("unit", ""), table.get("exclude")
    for key, value in (("goal", goal), ("exclude", exclude), ("unit", unit)):
        if value is not None and not isinstance(value, str):
            raise QuorumError(f"{path} [query]: {key} = {value!r} must be a string")
    if not isinstance(cost, dict) or not cost:
        raise QuorumError(f"{path} [query]: cost must be a table of action = cost, e.g. cost = {{ tick = 50 }}")
    low, high = table.get("expect_min"), table.get("expect_max")
    if low is not None and (isinstance(low, bool) or not isinstance(low, int) or low < 0):
        raise QuorumError(f"{path} [query]: expect_min = {low!r} must be a whole number, e.g. expect_min = 150")
    if high is not None and high != "unbounded" and (isinstance(high, bool) or not isinstance(high, int) or high < 0):
        raise QuorumError(f'{path} [query]: expect_max = {high!r} must be a whole number or "unbounded"')
    return QuerySpec(goal, dict(cost), unit, exclude, low, high)


def repeated(names: list[str]) -> list[str]:
    """The names that occur more than once, in order of their second occurrence."""
    seen: set[str] = set()
    out = []
    for name in names:
        if name in seen and name not in out:
            out.append(name)
        seen.add(name)
    return out


def check_properties(spec: Spec, protocol: Protocol) -> None:
    for name in spec.properties or []:
        if name not in protocol.properties:
            raise QuorumError(
                f"{spec.path}: {type(protocol).__name__} has no property {name!r}." + suggest(name, protocol.properties)
            )
    if spec.expect and spec.expect.startswith("violated: "):
        prop = spec.expect.removeprefix("violated: ")
        if prop not in protocol.properties and prop != "deadlock":
            raise QuorumError(
                f"{spec.path}: expect names property {prop!r}, which {type(protocol).__name__} lacks."
                + suggest(prop, [*protocol.properties, "deadlock"])
            )
