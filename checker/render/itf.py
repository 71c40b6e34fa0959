r"""Traces in the Informal Trace Format (ITF, Apalache's ADR-015) used by Apalache and Quint, both ways.

Export follows ADR-015 (revision 2023-09) value by value, guided by each variable's domain: every
integer is ``{"#bigint": "3"}`` (never a JSON number), strings and Booleans are JSON's, a set is
``{"#set": [...]}`` (in a fixed order), a map ``{"#map": [[key, value], ...]}``, a tuple
``{"#tup": [...]}`` and a record (a message: its ``type`` and fields) a JSON object. An ``Option``
domain is TLA+'s ``Value \cup {None}``, and is written so: a value as itself, ``None`` as the
constant ``"None"`` (as ADR-015 writes a TLA+ model value, ``"c1_OF_PERSON"``: ITF has no null,
and ``#unserializable`` is for values no tool can read back). Quint's ``Option`` variant,
``{"tag": "None", "value": {"#tup": []}}``, is read but not written: itf-py, the Python reader,
cannot decode it (a variant becomes a namedtuple, and ``None`` is a Python keyword), and is used
only where the inner domain itself has a value ``"None"``. The action that led to each state is in
the state's ``#meta``; the trace's ``#meta`` names the protocol, its parameters and faults, and the
verdict.

Import reads traces from Quorum, Apalache and Quint through the protocol's domains: JSON numbers
and ``#bigint`` alike, qualified names (``Paxos::maxBal``), Quint's ``--mbt`` fields
(``mbt::actionTaken``, ``mbt::nondetPicks``), sum types (a message ``{"tag": "M1b", "value":
{...}}``, an enum ``{"tag": "Leader", "value": {"#tup": []}}``), Quint's ``Option`` and, for older
files, a bare value or null. A state without an action (from Apalache, or Quint without ``--mbt``)
gets the step found by trying every enabled one. Anything that does not fit is a ``QuorumError``
naming the state and the field. Either way the trace is then replayed through
``checker.core.replay`` before anything is shown.
"""

from __future__ import annotations

import json
import re
from typing import Any

from checker.core import semantics
from checker.core.trace import Step, faults_json, param_json
from checker.dsl.domains import (
    Bool,
    Domain,
    Enum,
    FnMap,
    Map,
    Nodes,
    Option,
    Range,
    Records,
    RecordType,
    SetOf,
    ValueSet,
    show,
    sort_key,
)
from checker.dsl.params import From
from checker.dsl.protocol import Protocol
from checker.dsl.sequences import Bag, BagValue, Seq, SeqValue
from checker.errors import QuorumError

ADR = "https://apalache-mc.org/docs/adr/015adr-trace.html"
UNIT = {"#tup": []}  # Quint's unit: the payload of a variant that carries nothing
NONE = "None"  # an Option's None, as the TLA+ constant of ``Value \cup {None}``
ACTION_TAKEN, NONDET_PICKS = "mbt::actionTaken", "mbt::nondetPicks"
LISTED = (Nodes, Enum, Range, Bool)  # domains given by their list of values


# -- export -------------------------------------------------------------------------------------


def to_itf(value: Any, domain: Domain | None = None) -> Any:
    """One value as ITF, guided by its domain (an ``Option``'s values become variants)."""
    if isinstance(domain, Option):
        if NONE in domain.inner.values():  # the constant would be ambiguous: Quint's variant
            return {"tag": "None", "value": dict(UNIT)} if value is None else \
                {"tag": "Some", "value": to_itf(value, domain.inner)}
        return NONE if value is None else to_itf(value, domain.inner)
    if isinstance(domain, Map) and isinstance(value, FnMap):
        return {"#map": [[to_itf(k, domain.keys), to_itf(v, domain.vals)] for k, v in value.items()]}
    if isinstance(domain, SetOf) and isinstance(value, frozenset):
        return {"#set": [to_itf(v, domain.of) for v in sorted(value, key=sort_key)]}
    if isinstance(domain, Seq) and isinstance(value, SeqValue):  # a TLA+ sequence: a JSON array
        return [to_itf(v, domain.of) for v in tuple.__iter__(value)]
    if isinstance(domain, Bag) and isinstance(value, BagValue):  # raft.tla's bag: message -> count
        return {"#map": [[to_itf(v, domain.of), to_itf(c)] for v, c in value.items()]}
    if isinstance(domain, Records) and getattr(value, "kind", None) in domain.kinds:
        return to_itf(value, domain.kinds[value.kind])
    if isinstance(domain, RecordType) and isinstance(value, domain.cls):
        return {"type": domain.kind, **{f: to_itf(getattr(value, f), d) for f, d in domain.fields.items()}}
    return value_to_itf(value)


def value_to_itf(value: Any) -> Any:
    """One value as ITF without its domain (a parameter, a value of a domain this module does not know)."""
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, int):
        return {"#bigint": str(value)}
    if value is None:
        return NONE  # None is an Option's: ITF has no null
    if isinstance(value, frozenset):
        return {"#set": [value_to_itf(v) for v in sorted(value, key=sort_key)]}
    if isinstance(value, FnMap):
        return {"#map": [[value_to_itf(k), value_to_itf(v)] for k, v in value.items()]}
    if isinstance(value, SeqValue):
        return [value_to_itf(v) for v in tuple.__iter__(value)]
    if isinstance(value, BagValue):
        return {"#map": [[value_to_itf(v), value_to_itf(c)] for v, c in value.items()]}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return {f: value_to_itf(v) for f, v in zip(value._fields, value, strict=True)}
    if isinstance(value, tuple):
        return {"#tup": [value_to_itf(v) for v in value]}
    if isinstance(value, list):
        return [value_to_itf(v) for v in value]
    return {"#unserializable": show(value)}


def export(protocol: Protocol, trace: list[Step], *, loop_start: int | None = None,
           meta: dict[str, Any] | None = None) -> dict[str, Any]:
    cls = type(protocol)
    doc: dict[str, Any] = {
        "#meta": {"format": "ITF", "format-description": ADR, "source": "quorum",
                  "protocol": f"{cls.__module__}:{cls.__name__}", "parameters": protocol.params,
                  **faults_json(protocol), **(meta or {})},
        "vars": list(protocol.variables),
        "states": [],
    }
    for i, step in enumerate(trace):
        state: dict[str, Any] = {"#meta": {"index": i, "action": step.action,
                                           "params": {k: param_json(v) for k, v in step.params.items()}}}
        state.update({n: to_itf(v, var.domain)
                      for (n, var), v in zip(protocol.variables.items(), step.state, strict=True)})
        doc["states"].append(state)
    if loop_start is not None:
        doc["loop"] = loop_start
    return doc


# -- import -------------------------------------------------------------------------------------


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a Boolean", type(None): "null"}.get(
        type(value), "a number")


def _short(data: Any) -> str:
    text = json.dumps(data, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _bad(field: str, data: Any, want: str) -> QuorumError:
    return QuorumError(f"{field}: {_short(data)} is not {want}")


def _variant(data: Any) -> tuple[str, Any] | None:
    """(tag, payload) of a sum-type value ``{"tag": ..., "value": ...}`` (Quint, Apalache's Variants)."""
    if isinstance(data, dict) and set(data) == {"tag", "value"} and isinstance(data["tag"], str):
        return data["tag"], data["value"]
    return None


def _is_unit(data: Any) -> bool:
    return data in ({"#tup": []}, {}, None, [], "U_OF_UNIT", "UNIT")


def _int(data: Any, field: str) -> int:
    if isinstance(data, dict) and set(data) == {"#bigint"}:
        text = data["#bigint"]
        if isinstance(text, str) and re.fullmatch(r"-?[0-9]+", text):
            return int(text)
        raise _bad(field, data, 'an integer: write {"#bigint": "-?[0-9]+"}')
    if isinstance(data, int) and not isinstance(data, bool):
        return data
    raise _bad(field, data, "an integer")


def _scalar(data: Any, field: str) -> Any:
    """A string, Boolean or integer in any of ITF's spellings (an enum as a variant with no payload)."""
    tagged = _variant(data)
    if tagged is not None and _is_unit(tagged[1]):
        return tagged[0]
    if isinstance(data, (str, bool)):
        return data
    if isinstance(data, dict) and "#unserializable" in data:
        raise QuorumError(f"{field}: {_short(data)} is a value the writer could not serialize (ITF's "
                          "#unserializable): the trace does not say what it was")
    return _int(data, field)


def _norm(text: str) -> str:
    """A name as tools spell it differently: Apalache's ``a1_OF_ACCEPTOR``, Quint's ``Leader``, ``M1b``."""
    text = re.sub(r"_OF_[A-Z0-9_]+$", "", text)
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _listed(data: Any, domain: Domain, field: str) -> Any:
    values = domain.values()
    value = _scalar(data, field)
    for v in values:
        if v == value and type(v) is type(value):  # True is not the integer 1 here
            return v
    if isinstance(value, str):
        matches = [v for v in values if isinstance(v, str) and _norm(v) == _norm(value)]
        if len(matches) == 1:
            return matches[0]
    listed = ", ".join(show(v) for v in values[:8]) + (", …" if len(values) > 8 else "")
    raise QuorumError(f"{field}: {_short(data)} is not in the domain {domain.name} ({listed})")


def _kind_of(tag: str, kinds: dict[str, RecordType], field: str) -> RecordType:
    if tag in kinds:
        return kinds[tag]
    matches = [k for name, k in kinds.items() if _norm(name) == _norm(tag)]
    if not matches:  # Quint's constructors often carry a prefix: M1b, Msg1b, Phase1b for kind 1b
        ends = sorted((k for name, k in kinds.items() if _norm(tag).endswith(_norm(name))), key=lambda k: -len(k.kind))
        matches = [k for k in ends if len(k.kind) == len(ends[0].kind)] if ends else []
    if len(matches) == 1:
        return matches[0]
    raise QuorumError(f"{field}: no message kind {tag!r}; the kinds are {', '.join(kinds)}")


def _record(data: Any, domain: RecordType, field: str) -> Any:
    tagged = _variant(data)
    if tagged is not None:
        data = tagged[1]
    if not isinstance(data, dict):
        raise _bad(field, data, f"a {domain.kind} record (an object of its fields)")
    missing = [f for f in domain.fields if f not in data]
    if missing:
        raise QuorumError(f"{field}: the {domain.kind} record lacks field(s) {', '.join(missing)}")
    return domain.cls(**{f: decode(data[f], d, f"{field}.{f}") for f, d in domain.fields.items()})


def _records(data: Any, domain: Records, field: str) -> Any:
    tagged = _variant(data)
    if tagged is not None:
        return _record(tagged[1], _kind_of(tagged[0], domain.kinds, field), field)
    if isinstance(data, dict) and isinstance(data.get("type"), str):
        return _record(data, _kind_of(data["type"], domain.kinds, f"{field}.type"), field)
    raise _bad(field, data, f"a message: an object with a \"type\" ({', '.join(domain.kinds)}) or a variant "
                            '{"tag": kind, "value": {fields}}')


def _elements(data: Any, field: str) -> list:
    if isinstance(data, dict) and set(data) == {"#set"} and isinstance(data["#set"], list):
        return data["#set"]
    if isinstance(data, list):
        return data
    raise _bad(field, data, 'a set: write {"#set": [...]}')


def _map(data: Any, domain: Map, field: str) -> Any:
    if isinstance(data, dict) and set(data) == {"#map"}:
        pairs = data["#map"]
        if not (isinstance(pairs, list) and all(isinstance(p, list) and len(p) == 2 for p in pairs)):
            raise _bad(field, data, 'a map: write {"#map": [[key, value], ...]}')
    elif isinstance(data, dict) and not any(k.startswith("#") for k in data):
        pairs = [[k, v] for k, v in data.items()]  # a function with string keys, written as a record
    else:
        raise _bad(field, data, 'a map: write {"#map": [[key, value], ...]}')
    out = {}
    for k, v in pairs:
        key = decode(k, domain.keys, f"{field} key")
        out[key] = decode(v, domain.vals, f"{field}[{show(key)}]")
    missing = [show(k) for k in domain.keys.values() if k not in out]
    if missing:
        raise QuorumError(f"{field}: the map lacks key(s) {', '.join(missing)}")
    return domain.make(out)


def decode(data: Any, domain: Domain | None, field: str) -> Any:
    """An ITF value as the protocol's value of ``domain`` (``field`` names it in errors)."""
    if isinstance(domain, Option):
        tagged = _variant(data)
        if tagged is not None and tagged[0] in ("None", "none") and _is_unit(tagged[1]):
            return None
        if tagged is not None and tagged[0] in ("Some", "some"):
            return decode(tagged[1], domain.inner, field)
        if data is None or data == {"#unserializable": "None"} or data == NONE and NONE not in domain.inner.values():
            return None  # null, Quorum's exports before this one, and the TLA+ constant
        return decode(data, domain.inner, field)
    if isinstance(domain, Map):
        return _map(data, domain, field)
    if isinstance(domain, SetOf):
        return ValueSet(decode(e, domain.of, f"{field} element") for e in _elements(data, field))
    if isinstance(domain, Seq):
        if not isinstance(data, list):
            raise QuorumError(f"{field}: a sequence is a JSON array, not {data!r}")
        return domain.make(decode(e, domain.of, f"{field}[{i}]") for i, e in enumerate(data, start=1))
    if isinstance(domain, Bag):
        pairs = data.get("#map") if isinstance(data, dict) else None
        if not isinstance(pairs, list):
            raise QuorumError(f'{field}: a bag is {{"#map": [[element, count], ...]}}, not {data!r}')
        return domain.make({decode(e, domain.of, f"{field} element"): decode(c, None, f"{field} count")
                            for e, c in pairs})
    if isinstance(domain, Records):
        return _records(data, domain, field)
    if isinstance(domain, RecordType):
        return _record(data, domain, field)
    if isinstance(domain, LISTED):
        return _listed(data, domain, field)
    if domain is not None:
        return domain.from_json(value_from_itf(data))
    return value_from_itf(data)


def value_from_itf(data: Any) -> Any:
    """ITF to plain JSON shapes (ints, lists, dicts keyed by name; an Option's None as None), without a domain."""
    if isinstance(data, dict):
        tagged = _variant(data)
        if tagged is not None:
            tag, payload = tagged
            if _is_unit(payload):
                return None if tag == "None" else tag  # an Option's None, or an enum's constant
            if tag == "Some":
                return value_from_itf(payload)
            fields = value_from_itf(payload) if isinstance(payload, dict) else {"value": value_from_itf(payload)}
            return {"type": tag, **fields}  # a message of a sum type
        if "#bigint" in data:
            return int(data["#bigint"])
        if "#unserializable" in data:
            return None if data["#unserializable"] == "None" else data["#unserializable"]
        if "#set" in data:
            return [value_from_itf(v) for v in data["#set"]]
        if "#tup" in data:
            return [value_from_itf(v) for v in data["#tup"]]
        if "#map" in data:
            return {str(value_from_itf(k)): value_from_itf(v) for k, v in data["#map"]}
        return {k: value_from_itf(v) for k, v in data.items()}
    if isinstance(data, list):
        return [value_from_itf(v) for v in data]
    return data


def _split(raw: dict[str, Any], field: str) -> tuple[dict[str, tuple[str, Any]], Any, Any]:
    """A state's variables by their short names (``Paxos::maxBal`` is ``maxBal``), its action and picks."""
    values: dict[str, tuple[str, Any]] = {}
    action = picks = None
    for key, data in raw.items():
        if key == ACTION_TAKEN:
            action = data
        elif key == NONDET_PICKS:
            picks = data
        elif key.startswith("#") or key.startswith("mbt::"):
            continue
        else:
            short = key.rsplit("::", 1)[-1]
            if short in values:
                raise QuorumError(f"{field}: both {values[short][0]!r} and {key!r} name the variable {short!r}")
            values[short] = (key, data)
    return values, action, picks


def import_trace(protocol: Protocol, doc: dict[str, Any], where: str = "ITF trace") -> list[Step]:
    """The steps of an ITF trace (not yet replayed: pass them to checker.core.replay)."""
    name = type(protocol).__name__
    states = doc.get("states")
    if not isinstance(states, list) or not states:
        raise QuorumError(f"{where}: no \"states\" list: not an ITF trace")
    names = doc.get("vars")
    if names is not None and not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
        raise QuorumError(f"{where}: \"vars\" is {_kind(names)}; an ITF trace lists its variables' names")
    steps: list[Step] = []
    for i, raw in enumerate(states):
        field = f"{where}: \"states\"[{i}]"
        if not isinstance(raw, dict):
            raise QuorumError(f"{field} is {_kind(raw)}; each ITF state is an object")
        values, action, picks = _split(raw, field)
        missing = [v for v in protocol.variables if v not in values]
        if missing:
            raise QuorumError(f"{field} lacks variable(s) {', '.join(missing)} of {name}"
                              + (f" (it has {', '.join(sorted(values))})" if values else ""))
        state = tuple.__new__(protocol.State, [
            decode(values[v][1], var.domain, f"{field}.{values[v][0]}") for v, var in protocol.variables.items()])
        meta = raw.get("#meta") if isinstance(raw.get("#meta"), dict) else {}
        named = action if action is not None else meta.get("action")
        if named is not None and not isinstance(named, str):
            key = ACTION_TAKEN if action is not None else "#meta.action"
            raise QuorumError(f"{field}.{key} is {_kind(named)}; it names the action taken, a string")
        if i == 0:  # whatever the trace calls it (Quint: "init"), the first state is the initial one
            steps.append(Step("Init", {}, state))
            continue
        if picks is not None and not isinstance(picks, dict):
            raise QuorumError(f"{field}.{NONDET_PICKS} is {_kind(picks)}; Quint writes a record of the "
                              "nondeterministic choices")
        given = picks if picks is not None else meta.get("params") if isinstance(meta.get("params"), dict) else None
        steps.append(_step_to(protocol, steps[-1].state, state, named, given, field, i))
    loop = doc.get("loop")
    if loop is not None and not (isinstance(loop, int) and not isinstance(loop, bool) and 0 <= loop < len(states)):
        raise QuorumError(f"{where}: \"loop\" is {_short(loop)}; it is the index of a state, 0..{len(states) - 1}")
    return steps


def _resolve_action(protocol: Protocol, named: str | None) -> str | None:
    """The protocol's action a trace names (``phase1b``, Quint's ``Phase1b`` or ``phase_1b``); None
    when it names none of them (Quint's ``step``, say): then any action may have been taken."""
    if named is None:
        return None
    names = [a.name for a in protocol.actions]
    if named in names:
        return named
    matches = [n for n in names if _norm(n) == _norm(named)]
    return matches[0] if len(matches) == 1 else None


def _picks_fit(protocol: Protocol, action: str, params: dict[str, Any], picks: dict[str, Any] | None) -> bool:
    """The step's parameters agree with the trace's picks (those whose names match a parameter)."""
    if not picks:
        return True
    act = protocol.action(action)
    sources = dict(zip(act.param_names, act.sources, strict=True))
    by_norm = {_norm(p): p for p in act.param_names}
    for key, raw in picks.items():
        param = key if key in params else by_norm.get(_norm(key))
        if param is None:
            continue
        tagged = _variant(raw)
        if tagged is not None and tagged[0] == "None" and _is_unit(tagged[1]):
            continue  # Quint: this action did not pick it
        if tagged is not None and tagged[0] == "Some":
            raw = tagged[1]
        mine, source = params[param], sources[param]
        if isinstance(source, From):
            try:
                if decode(raw, protocol.variables[source.var].domain.of, key) != mine:
                    return False
            except QuorumError:
                return False
            continue
        theirs = value_from_itf(raw)
        if _canon(param_json(mine)) != _canon(theirs) and not (isinstance(mine, str) and isinstance(theirs, str)
                                                               and _norm(mine) == _norm(theirs)):
            return False
    return True


def _canon(value: Any) -> Any:
    """A JSON value with its lists in a fixed order (a set may be listed in any)."""
    if isinstance(value, dict):
        return {k: _canon(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((_canon(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, default=str))
    return value


def _step_to(protocol: Protocol, before: Any, after: Any, named: str | None, picks: dict[str, Any] | None,
             field: str, i: int) -> Step:
    """The action (and parameters) that leads from ``before`` to ``after``."""
    action = _resolve_action(protocol, named)
    candidates = [(a, p) for a, p, nxt in semantics.steps(protocol, before) if nxt == after]
    fitting = [(a, p) for a, p in candidates if (action is None or a == action) and _picks_fit(protocol, a, p, picks)]
    if fitting:
        return Step(fitting[0][0], fitting[0][1], after)
    said = f" (the trace says {named}" + ("" if action else f", which is no action of {type(protocol).__name__}") \
        + ")" if named else ""
    if candidates:
        labels = ", ".join(Step(a, p).label for a, p in candidates[:3])
        raise QuorumError(f"{field}: the step from state {i - 1} is {labels}, not what the trace names{said}")
    raise QuorumError(f"{field}: no action of {type(protocol).__name__} leads from state {i - 1} to state {i}{said}")
