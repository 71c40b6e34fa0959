"""Every gallery explanation names the instance that failed, with values from the failing state.

A counterexample's "Why it fails" (``counterexamples/*/README.md``; trace.json holds the trace,
not the explanation) must say *which* instance of the property broke — ``for p = (s1, s2)``,
``chosen_at(b=0, v=v1)`` by ``Q = {a2, a3}``, ``for c=c1`` — or, in the protocol's own words,
which values did ("token 33 ... token 34"). "a condition fails" or "the goal is false" alone
names nothing and fails here. And what it names must be real: every value it mentions occurs
in the last state of the trace (or in the range the explanation
says a quantifier ran over), a bound value is one of the values the quantifier ranged over,
the last state really violates the property, and a named liveness instance really is
unsatisfied there.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pytest

from checker.cli import gallery
from checker.core.properties import instances
from checker.core.semantics import violates
from checker.dsl.domains import show

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = sorted(p.name for p in (ROOT / "counterexamples").iterdir() if p.is_dir())

#: Entries whose explanation names no instance today (strict xfail: fixing one makes it XPASS).
NAMES_NOTHING = {
    "k8s-lease-deadline-too-long": "fenced_resource_safe: the explanation says only 'a condition fails'",
    "k8s-lease-no-fencing": "fenced_resource_safe: the explanation says only 'a condition fails'",
    "paxos-liveness-designated-lossy": "eventually_chosen (no parameters): only 'the goal is false'",
    "paxos-liveness-lazy-leaders": "eventually_chosen (no parameters): only 'the goal is false'",
    "raft-liveness-lost-request": "eventually_leader (no parameters): only 'the goal is false'",
    "raft-liveness-split-votes": "eventually_leader (no parameters): only 'the goal is false'",
    "raft-liveness-split-votes-3": "eventually_leader (no parameters): only 'the goal is false'",
    "two-phase-coordinator-crash": "deadlock: only 'no action is enabled in the last state'",
}

BINDING = re.compile(r"(?:^|\s|for |witness )(\w+) = (.+?)(?::|$| and \d+ more)")  # p = (s1, s2)
CALL = re.compile(r"\b(\w+)\((\w+=[^()]*(?:\([^()]*\)[^()]*)*)\)")  # chosen_at(b=0, v=v1)
INSTANCE = re.compile(r"^\s*for ((?:\w+=[^,:]+)(?:, \w+=[^,:]+)*): ")  # liveness: for c=c1:
DOMAIN = re.compile(r"(\w+) in (\{.*?\}) — it (?:fails|holds) for (.+)$")  # p in {...} — it fails for p = ...
ATOM = re.compile(r"[\w.-]+")


def explanation(folder: str) -> str:
    text = (ROOT / "counterexamples" / folder / "README.md").read_text()
    block = re.search(r"## Why it fails\s*```\n(.*?)\n```", text, re.S)
    assert block, f"{folder}/README.md has no 'Why it fails' block"
    return block.group(1)


def document(folder: str) -> dict:
    return json.loads((ROOT / "counterexamples" / folder / "trace.json").read_text())


def leaves(value) -> set[str]:
    """Every value and key in a JSON document, as text."""
    if isinstance(value, dict):
        return {str(k) for k in value} | {x for v in value.values() for x in leaves(v)}
    if isinstance(value, list):
        return {x for v in value for x in leaves(v)}
    return {str(value)}


def atoms(text: str) -> set[str]:
    """The values a piece of explanation mentions: record kinds, field names and helper names left out."""
    text = re.sub(r"\w+\(", "(", text)
    text = re.sub(r"\w+=", "", text)
    return set(ATOM.findall(text))


def named(why: str, prop: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The instances an explanation names: (variable, value) bindings and helper calls with arguments."""
    bindings, calls = [], []
    for line in why.splitlines():
        for m in INSTANCE.finditer(line):
            bindings += [tuple(part.split("=", 1)) for part in m.group(1).split(", ")]
        for m in CALL.finditer(line):
            if m.group(1) != prop:
                calls.append(m.group(2))
        for chunk in re.split(r" — it (?:fails|holds) for |, (?=\w+ = )", line):
            for m in BINDING.finditer(chunk):
                bindings.append((m.group(1), m.group(2).strip()))
    return bindings, calls


@functools.cache
def entries() -> dict[str, gallery.Entry]:
    return {e.name: e for e in gallery.discover(ROOT / "specs")}


def own_sentence(why: str, prop: str) -> str:
    """The protocol's own words, printed above the clause-by-clause part (empty if none)."""
    first = why.splitlines()[0]
    return "" if first.startswith((f"{prop} is false", f"{prop} fails", "no action is enabled")) else first


@pytest.mark.parametrize("folder", [
    pytest.param(f, marks=pytest.mark.xfail(strict=True, reason=f"{f} names no instance: {NAMES_NOTHING[f]}"))
    if f in NAMES_NOTHING else f
    for f in FOLDERS
])
def test_the_explanation_names_the_failing_instance(folder):
    doc, why = document(folder), explanation(folder)
    prop, last = doc["property"], doc["trace"][-1]["state"]
    in_state = leaves(last)
    ranged = {a for m in re.finditer(r"\w+ in (\{.*?\})(?: —| satisfies)", why) for a in atoms(m.group(1))}
    known = in_state | ranged  # a bound value may come from the quantifier's range: "no v in {v1, v2}"
    bindings, calls = named(why, prop)
    sentence = own_sentence(why, prop)
    from_sentence = {a for a in atoms(sentence) if any(c.isdigit() for c in a)} & in_state
    assert bindings or calls or from_sentence, f"{folder}: the explanation names no instance:\n{why}"
    for var, value in bindings:
        missing = atoms(value) - known
        assert not missing, f"{folder}: {var} = {value} mentions {sorted(missing)}: not in the last state"
    for args in calls:
        missing = atoms(args) - known
        assert not missing, f"{folder}: ({args}) mentions {sorted(missing)}: not in the last state"
    for line in why.splitlines():
        m = DOMAIN.search(line)
        if m and "…" not in m.group(2):
            listed = m.group(2)
            for chosen in re.findall(rf"{m.group(1)} = (.+?)(?:, {m.group(1)} = |$| and \d+ more)", m.group(3)):
                assert chosen in listed, f"{folder}: {m.group(1)} = {chosen} is not one of {listed}"


@pytest.mark.parametrize("folder", FOLDERS)
def test_what_it_names_fails_in_the_last_state(folder):
    """The last state of the trace violates the property; each liveness instance the explanation
    names is unsatisfied there (goal false, or trigger without response)."""
    doc, why = document(folder), explanation(folder)
    entry = entries().get(folder)
    assert entry is not None, f"{folder}: no spec or variant produces this gallery entry"
    protocol = gallery.build(entry)
    prop = doc["property"]
    state = protocol.state_from_json(doc["trace"][-1]["state"])
    if prop == "deadlock" or protocol.properties[prop].kind == "always":
        assert violates(protocol, state, prop), f"{folder}: the last state does not violate {prop}"
        return
    spec = protocol.properties[prop]
    by_label = {", ".join(f"{k}={show(v)}" for k, v in inst.args.items()): inst for inst in instances(protocol, spec)}
    shown = [m.group(1) for line in why.splitlines() for m in [INSTANCE.match(line)] if m]
    assert bool(shown) == bool(spec.over), f"{folder}: {prop} ranges over {list(spec.over)}, the text names {shown}"
    for label in shown:
        assert label in by_label, f"{folder}: {label} is no instance of {prop} (they are {list(by_label)})"
        trigger, response = by_label[label].pair(state)
        assert trigger and not response, f"{folder}: {prop}({label}) is satisfied in the last state"
