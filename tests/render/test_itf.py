"""ITF (Apalache's ADR-015) both ways, over every gallery trace: the export uses only ADR-015's
shapes (every integer a ``#bigint``, no null, no ``#unserializable``), itf-py (the Python reader)
parses it, and it imports back to the same steps. A trace written the way Quint writes one
(``quint run --mbt``: qualified names, ``mbt::actionTaken``/``mbt::nondetPicks``, sum-type
messages and enums, its ``Option``) imports to the same steps too, and ``quorum show`` evaluates
the protocol's properties along it. Input that does not fit is exit 2 naming the file and field."""

from __future__ import annotations

import copy
import functools
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import gallery
from checker.cli.main import main
from checker.core.replay import replay
from checker.core.trace import step_from_json
from checker.dsl.domains import Enum, Map, Option, Records, RecordType, SetOf
from checker.render import dot, itf
from tests.gallery_folders import with_counterexample

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = with_counterexample()


@functools.cache
def entries() -> dict[str, gallery.Entry]:
    return {e.name: e for e in gallery.discover(ROOT / "specs")}


@functools.cache
def stored(folder: str):
    """The gallery entry's protocol (its faults included), its trace and trace.json."""
    doc = json.loads((ROOT / "counterexamples" / folder / "trace.json").read_text())
    protocol = gallery.build(entries()[folder])
    path = ROOT / "counterexamples" / folder / "trace.json"
    return protocol, [step_from_json(protocol, s, path, i) for i, s in enumerate(doc["trace"])], doc


def adr_value(value, where: str) -> None:
    """ADR-015's expressions: a string, a Boolean, a list, {"#bigint"}, {"#tup"}, {"#set"}, {"#map"},
    a record (keys not starting with #) or a variant {"tag", "value"}."""
    if isinstance(value, (bool, str)):
        return
    if isinstance(value, list):
        for i, v in enumerate(value):
            adr_value(v, f"{where}[{i}]")
        return
    assert isinstance(value, dict), f"{where}: {value!r} is a bare number or null, which ADR-015 does not allow"
    keys = set(value)
    if keys == {"#bigint"}:
        assert re.fullmatch(r"-?[0-9]+", value["#bigint"]), where
    elif keys in ({"#set"}, {"#tup"}):
        adr_value(next(iter(value.values())), where)
    elif keys == {"#map"}:
        for pair in value["#map"]:
            assert isinstance(pair, list) and len(pair) == 2, f"{where}: a #map entry is a [key, value] pair"
            adr_value(pair, where)
    else:
        assert not any(k.startswith("#") for k in keys), f"{where}: {sorted(keys)} is no ADR-015 form"
        for k, v in value.items():
            adr_value(v, f"{where}.{k}")


@pytest.mark.parametrize("folder", FOLDERS)
def test_the_export_uses_only_adr_015_shapes(folder):
    protocol, trace, doc = stored(folder)
    out = json.loads(json.dumps(itf.export(protocol, trace, loop_start=doc.get("loop_start"))))
    assert out["vars"] == list(protocol.variables) and len(out["states"]) == len(trace)
    assert out["#meta"]["format"] == "ITF" and out["#meta"]["protocol"] == doc["protocol"]
    assert out["#meta"].get("faults", []) == list(protocol.faults.selected)
    for i, state in enumerate(out["states"]):
        assert set(state) == {"#meta", *protocol.variables} and state["#meta"]["index"] == i
        for var in protocol.variables:
            adr_value(state[var], f"{folder}: states[{i}].{var}")
    assert "#unserializable" not in json.dumps(out["states"])


@pytest.mark.parametrize("folder", FOLDERS)
def test_itf_py_reads_the_export(folder):
    itf_py = pytest.importorskip("itf_py")
    protocol, trace, doc = stored(folder)
    out = json.loads(json.dumps(itf.export(protocol, trace, loop_start=doc.get("loop_start"))))
    parsed = itf_py.trace_from_json(out)
    assert parsed.vars == list(protocol.variables) and len(parsed.states) == len(trace)
    assert parsed.loop == doc.get("loop_start")
    for var, value in zip(protocol.variables, trace[-1].state, strict=True):
        if isinstance(value, int) and not isinstance(value, bool):
            assert parsed.states[-1].values[var] == value, f"{folder}: {var}"


@pytest.mark.parametrize("folder", FOLDERS)
def test_the_export_imports_back_to_the_same_steps(folder):
    protocol, trace, doc = stored(folder)
    back = itf.import_trace(protocol, json.loads(json.dumps(itf.export(protocol, trace))))
    assert [s.state for s in replay(protocol, back)] == [s.state for s in trace]
    assert [s.label for s in back] == [s.label for s in trace]


# -- traces written the way Quint writes them --------------------------------------------------------


def quint_value(value, domain):
    """A value as Quint writes it: Option as its variant, messages and enums as sum types."""
    if isinstance(domain, Option):
        if value is None:
            return {"tag": "None", "value": {"#tup": []}}
        return {"tag": "Some", "value": quint_value(value, domain.inner)}
    if isinstance(domain, Map):
        return {"#map": [[quint_value(k, domain.keys), quint_value(v, domain.vals)] for k, v in value.items()]}
    if isinstance(domain, SetOf):
        return {"#set": [quint_value(v, domain.of) for v in value]}
    if isinstance(domain, Records):
        return quint_value(value, domain.kinds[value.kind])
    if isinstance(domain, RecordType):
        fields = {f: quint_value(getattr(value, f), d) for f, d in domain.fields.items()}
        return {"tag": "M" + domain.kind.replace("-", "_").title(), "value": fields}
    if isinstance(domain, Enum):
        return {"tag": value.title(), "value": {"#tup": []}}
    return itf.value_to_itf(value)


def quint_trace(protocol, trace, module: str = "spec") -> dict:
    """The trace as ``quint run --mbt`` writes it: no Quorum #meta, qualified names, mbt:: fields."""
    states = []
    for i, step in enumerate(trace):
        state = {"#meta": {"index": i}}
        for (name, var), value in zip(protocol.variables.items(), step.state, strict=True):
            state[f"{module}::{name}"] = quint_value(value, var.domain)
        state["mbt::actionTaken"] = "init" if i == 0 else step.action.title().replace("_", "")
        picks = {k: {"tag": "Some", "value": itf.value_to_itf(v)} for k, v in step.params.items()
                 if not isinstance(v, tuple)}
        state["mbt::nondetPicks"] = {**picks, "unused": {"tag": "None", "value": {"#tup": []}}}
        states.append(state)
    names = [f"{module}::{n}" for n in protocol.variables]
    return {"#meta": {"format": "ITF", "source": f"{module}.qnt", "status": "violation"},
            "vars": [*names, "mbt::actionTaken", "mbt::nondetPicks"], "states": states}


@pytest.mark.parametrize("folder", FOLDERS)
def test_a_quint_mbt_trace_imports_to_the_same_steps(folder):
    protocol, trace, _ = stored(folder)
    back = itf.import_trace(protocol, json.loads(json.dumps(quint_trace(protocol, trace))))
    assert [s.state for s in back] == [s.state for s in trace]
    assert [s.label for s in replay(protocol, back)] == [s.label for s in trace]


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr(dot, "have_dot", lambda: False)  # no Graphviz runs: the files, not the pictures


def test_show_reads_a_quint_trace_and_evaluates_the_properties_along_it(tmp_path, fast):
    protocol, trace, doc = stored("paxos-phase2a-ignores-1b")
    path = tmp_path / "paxos.itf.json"
    path.write_text(json.dumps(quint_trace(protocol, trace, "paxos")))
    args = ["-p", "ballots=2", "-p", "variant=phase2a-ignores-1b"]
    out = CliRunner().invoke(main, ["show", str(path), "--protocol", "protocols.paxos:Paxos", *args,
                                    "--out", str(tmp_path / "out")])
    assert out.exit_code == 0, out.output
    steps = len(trace) - 1
    assert f"agreement: holds in states 0–{steps - 1}, fails in state {steps}" in out.output
    assert "value_chosen (goal): not reached in states 0–" in out.output
    shown = json.loads((tmp_path / "out" / "trace.json").read_text())
    assert [s["action"] for s in shown["trace"]] == [s["action"] for s in doc["trace"]]


# -- bad input: exit 2, naming the file and the field ------------------------------------------------


def broken(change) -> dict:
    protocol, trace, _ = stored("paxos-phase2a-ignores-1b")
    doc = quint_trace(protocol, trace, "paxos")
    change(doc)
    return doc


def _set(path, value):
    def change(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


@pytest.mark.parametrize("change, words", [
    (_set(["states", 2, "paxos::maxBal", "#map", 0, 1], {"#bigint": "two"}),
     '"states"[2].paxos::maxBal[a1]: {"#bigint": "two"} is not an integer'),
    (_set(["states", 2, "paxos::maxBal", "#map", 0, 1], {"#unserializable": "Int"}),
     '"states"[2].paxos::maxBal[a1]: {"#unserializable": "Int"} is a value the writer could not serialize'),
    (lambda doc: doc["states"][0].pop("paxos::msgs"), '"states"[0] lacks variable(s) msgs of Paxos'),
    (_set(["states", 1, "paxos::msgs", "#set", 0, "tag"], "Hello"), "no message kind 'Hello'"),
    (_set(["states", 1, "paxos::maxVBal"], [1, 2]), '"states"[1].paxos::maxVBal: [1, 2] is not a map'),
    (_set(["states", 1, "mbt::actionTaken"], 7), '"states"[1].mbt::actionTaken is a number'),
    (_set(["states", 1, "mbt::actionTaken"], "Phase2b"), "the trace says Phase2b"),
    (_set(["vars"], "maxBal"), '"vars" is a string'),
    (_set(["loop"], 99), '"loop" is 99'),
    (_set(["states", 3], [1]), '"states"[3] is a list'),
])
def test_bad_itf_input_names_the_file_and_the_field(tmp_path, change, words):
    path = tmp_path / "bad.itf.json"
    path.write_text(json.dumps(broken(change)))
    out = CliRunner().invoke(main, ["show", str(path), "--protocol", "protocols.paxos:Paxos", "-p", "ballots=2",
                                    "-p", "variant=phase2a-ignores-1b", "--out", str(tmp_path / "out")])
    assert out.exit_code == 2, out.output
    assert str(path) in out.output and words in out.output, out.output
    assert "internal error" not in out.output and "Traceback" not in out.output


def test_none_reads_in_every_spelling():
    """Quint's variant (old and new unit), null, Quorum's old #unserializable and the TLA+ constant."""
    domain = Option(Enum("v1", "v2"))
    for spelling in ({"tag": "None", "value": {"#tup": []}}, {"tag": "None", "value": {}}, None, "None",
                     {"#unserializable": "None"}):
        assert itf.decode(copy.deepcopy(spelling), domain, "x") is None
    assert itf.decode({"tag": "Some", "value": "v2"}, domain, "x") == "v2"
    assert itf.decode("V1", domain, "x") == "v1"  # Quint's capitalised constant, Apalache's v1_OF_VALUE too
    assert itf.decode("v1_OF_VALUE", domain, "x") == "v1"
    assert itf.to_itf(None, domain) == "None" and itf.to_itf("v1", domain) == "v1"
