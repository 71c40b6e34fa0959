"""The counterexamples/ gallery: one folder per buggy variant of every protocol.

Entries are discovered, never listed by hand: every spec in specs/ that expects a violation, plus
every protocol variant no such spec covers (checked at the protocol's ``small_instance``). Each
folder holds trace.json, msc.dot, msc.svg and a README (the bug, the property it breaks, the
shortest trace's length, what to look for); counterexamples/README.md indexes them.

Output is deterministic: the engines meet set elements in a fixed order (``checker.dsl.domains.order``,
not hash order), files carry no timings or timestamps, and ``up_to_date``
re-renders each folder from its stored trace to compare byte for byte — fast, no model checking.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.core.replay import confirm_violation
from checker.core.trace import Step, faults_json, step_from_json, trace_json
from checker.dsl.protocol import Protocol
from checker.render import dot
from checker.render.bundle import msc_source
from checker.render.explain import explain

VARIANT_SECONDS = 60.0
#: A counterexample to induction starts from an arbitrary state, not from a run of the protocol:
#: it is a fact about an invariant, not a buggy variant, so it stays out of the gallery.
NOT_RUNS = {"induction"}
STABLE_KEYS = ("verdict", "property", "engine", "protocol", "parameters", "summary", "message", "distinct_states",
               "depth")


@dataclass
class Entry:
    name: str
    protocol_ref: str
    parameters: dict[str, Any]
    expect: str | None  # "violated: agreement", or None for a variant checked without a spec
    description: str
    spec: str | None
    engine: str = "auto"
    options: dict[str, Any] | None = None
    properties: list[str] | None = None
    faults: list[Any] | None = None
    fairness: dict[str, Any] | None = None  # the spec's [fairness] table (liveness verdicts depend on it)


def discover(spec_dir: Path = Path("specs")) -> list[Entry]:
    """Specs expecting a violation, then protocol variants no spec covers; sorted by name."""
    from checker.cli.discovery import all_protocols
    from checker.cli.spec import load_spec

    entries: list[Entry] = []
    covered: set[tuple[str, str]] = set()
    for path in sorted(spec_dir.glob("*.toml")):
        spec = load_spec(path)
        if not (spec.expect or "").startswith("violated: ") or spec.engine in NOT_RUNS:
            continue
        entries.append(Entry(path.stem, spec.protocol_ref, dict(spec.parameters), spec.expect, spec.description,
                             str(path), spec.engine, dict(spec.options), spec.properties, spec.faults,
                             dict(spec.fairness)))
        covered.add((spec.protocol_ref, str(spec.parameters.get("variant", ""))))
    for cls in all_protocols():
        ref = f"{cls.__module__}:{cls.__name__}"
        for variant, doc in list(cls.variants().items())[1:]:  # the first variant is the correct one
            if (ref, variant) in covered:
                continue
            name = f"{cls.__module__.rsplit('.', 1)[-1]}-{variant}"
            entries.append(Entry(name, ref, {**cls.small_instance, "variant": variant}, None, doc, None))
    return sorted(entries, key=lambda e: e.name)


def build(entry: Entry) -> Protocol:
    """The entry's protocol instance, faults included (as its spec builds it)."""
    from checker.cli.spec import build_protocol, load_protocol
    from checker.dsl import fairness

    params = {**entry.parameters, **({"faults": entry.faults} if entry.faults else {})}
    where = entry.spec or entry.name
    protocol = build_protocol(load_protocol(entry.protocol_ref, where), params, where)
    fairness.apply(protocol, entry.fairness or {}, entry.spec or entry.name)
    return protocol


def run(entry: Entry) -> tuple[Protocol, dict[str, Any], list[Step]]:
    """Check an entry: its protocol, a stable result document and the (replayed) trace."""
    from checker.core import engines

    protocol = build(entry)
    options = dict(entry.options or {})
    if entry.spec is None:
        options.setdefault("max_seconds", VARIANT_SECONDS)
        if protocol.constraint is not None:  # a bounded model's deadlocks are its bounds, not the variant's bug
            options.setdefault("deadlock", False)
    result = engines.run(entry.engine, protocol, entry.properties, options)
    doc = {k: v for k, v in result.to_json().items() if k in STABLE_KEYS}
    doc.update(name=entry.name, description=entry.description, spec=entry.spec, expect=entry.expect,
               loop_start=result.loop_start)
    trace = result.trace
    if result.violated and trace and result.property in protocol.properties:
        if protocol.properties[result.property].kind == "always":
            trace = confirm_violation(protocol, trace, result.property, source=f"gallery {entry.name}")
    return protocol, doc, trace


def render_entry(protocol: Protocol, doc: dict[str, Any], trace: list[Step], folder: Path) -> dict[str, str]:
    """The entry's files as {name: text} (written by the caller, compared by the test)."""
    prop = doc.get("property") if doc.get("verdict") == "violated" else None
    files: dict[str, str] = {}
    full = {**doc, **faults_json(protocol), "trace": trace_json(protocol, trace)}
    files["trace.json"] = json.dumps(full, indent=2, default=str) + "\n"
    why = explain(protocol, trace[-1].state, prop) if prop and trace else None
    if trace:
        source = msc_source(protocol, trace, prop, doc.get("loop_start"), why)
        files["msc.dot"] = source
        svg = dot.to_svg(source, engine="neato", pinned=True)
        if svg is not None:
            files["msc.svg"] = svg
    files["README.md"] = _readme(protocol, doc, trace, why.text if why else "")
    return files


def _readme(protocol: Protocol, doc: dict[str, Any], trace: list[Step], why: str) -> str:
    prop = doc.get("property")
    lines = [f"# {doc['name']}", "", doc.get("description") or "", ""]
    lines.append(f"- protocol: `{doc['protocol']}` with {_params(doc['parameters'])}")
    if doc.get("spec"):
        lines.append(f"- spec: `{doc['spec']}` (`quorum check {doc['spec']} --out DIR`)")
    if doc["verdict"] != "violated" or not trace:
        lines += [f"- verdict: {doc['verdict']} — no counterexample found at this size", ""]
        return "\n".join(lines) + "\n"
    pdoc = protocol.properties[prop].doc if prop in protocol.properties else ""
    steps = len(trace) - 1
    lines += [
        f"- property broken: **{prop}**" + (f" — {pdoc}" if pdoc else ""),
        f"- shortest trace: {steps} steps ({doc['engine']} engine)",
        "",
        "![message sequence chart](msc.svg)",
        "",
        "## What to look for",
        "",
        f"Time runs down; one column per process. The red box, step {steps}, is the step after which "
        f"{prop} is false. Follow the arrows into it back to the messages that made it possible; "
        "each box lists only what that step changed.",
        "",
        "## Why it fails",
        "",
        "```",
        why,
        "```",
    ]
    return "\n".join(lines) + "\n"


def _params(params: dict[str, Any]) -> str:
    return ", ".join(f"`{k}={v}`" for k, v in params.items()) or "its defaults"


def index(docs: list[dict[str, Any]]) -> str:
    lines = ["# Counterexamples", "",
             "One folder per buggy variant of every protocol, generated by `quorum gallery` (do not edit: "
             "regenerate). Each has the message sequence chart, the trace as JSON and a README.", "",
             "| variant | protocol | property broken | steps | bug |", "|---|---|---|---|---|"]
    for d in docs:
        steps = str(d["steps"]) if d["verdict"] == "violated" else f"— ({d['verdict']})"
        if d.get("loop_start") is not None:
            steps += f" (cycle from step {d['loop_start']})"
        lines.append(f"| [{d['name']}]({d['name']}/) | `{d['protocol']}` | {d.get('property') or '—'} | {steps} | "
                     f"{d.get('description', '').replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def write(root: Path, entries: list[Entry], progress: Any = None) -> list[str]:
    """Regenerate the gallery under ``root``; the entry names written."""
    root.mkdir(parents=True, exist_ok=True)
    docs = []
    for entry in entries:
        if progress:
            progress(entry.name)
        protocol, doc, trace = run(entry)
        folder = root / entry.name
        folder.mkdir(exist_ok=True)
        for stale in folder.iterdir():
            stale.unlink()
        for name, text in render_entry(protocol, doc, trace, folder).items():
            (folder / name).write_text(text)
        docs.append({**doc, "steps": len(trace) - 1})
    (root / "README.md").write_text(index(docs))
    return [e.name for e in entries]


def up_to_date(root: Path, spec_dir: Path = Path("specs")) -> list[str]:
    """What is stale: missing or extra folders, and files that re-render differently."""
    problems = []
    entries = {e.name: e for e in discover(spec_dir)}
    wanted = set(entries)
    have = {p.name for p in root.iterdir() if p.is_dir()} if root.is_dir() else set()
    problems += [f"missing: {n}" for n in sorted(wanted - have)]
    problems += [f"no longer a buggy variant: {n}" for n in sorted(have - wanted)]
    for name in sorted(wanted & have):
        doc = json.loads((root / name / "trace.json").read_text())
        doc.pop("faults", None)  # render_entry writes them from the protocol
        protocol = build(entries[name])
        trace = [step_from_json(protocol, s, root / name / "trace.json", i) for i, s in enumerate(doc.pop("trace"))]
        for fname, text in render_entry(protocol, doc, trace, root / name).items():
            path = root / name / fname
            if not path.exists() or path.read_text() != text:
                problems.append(f"out of date: {name}/{fname}")
    return problems
