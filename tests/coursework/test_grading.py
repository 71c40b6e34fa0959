"""Grading: each task kind with a right, a wrong and a broken submission; every shipped exercise is
sound (its bug is real, its correct side and hidden properties hold); a class gradebook."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker import check
from checker.cli.main import main
from checker.core.trace import trace_json
from checker.coursework.exercise import load_exercise
from checker.coursework.gradebook import grade, grade_class
from checker.coursework.tasks import attach_invariants, hidden_invariants

EXERCISES = sorted(Path("exercises").glob("*.toml"))
#: Exercises whose grading explores a large space (raft.tla, 3 servers): graded in the slow suite.
HEAVY = {"raft-log-votedfor-not-persisted"}


def slow_if_heavy(path: Path):
    return pytest.param(path, id=path.stem, marks=[pytest.mark.slow] if path.stem in HEAVY else [])
PAXOS = Path("exercises/paxos-ignores-reports.toml")

RIGHT_INVARIANT = '''
def invariant(self, s):
    """At most one value is chosen."""
    return self.agreement(s)
'''
RIGHT_FIX = '''
from checker.coursework import starting_point
from protocols.paxos import Paxos

Buggy = starting_point("protocols.paxos:Paxos", "phase2a-ignores-1b")


class Fixed(Buggy):
    may_propose = Paxos.may_propose
'''


def submit(tmp_path: Path, name: str = "student", **files: str) -> Path:
    folder = tmp_path / name
    folder.mkdir(parents=True, exist_ok=True)
    for filename, text in files.items():
        (folder / filename.replace("_", ".", 1) if "_" in filename else folder / filename).write_text(text)
    return folder


def only(ex, kind):
    ex.graded = (kind,)
    return ex


def feedback(ex, folder, **limits):
    report = grade(ex, folder, kinds=ex.graded, **limits)
    (g,) = report.grades
    return g.points, g.max_points, g.feedback


def shortest_trace() -> list[dict]:
    from protocols.paxos import Paxos

    r = check(Paxos(ballots=2, variant="phase2a-ignores-1b"))
    return [{"action": d["action"], "params": d["params"]} for d in trace_json(r.protocol, r.trace)]


@pytest.mark.parametrize("path", [slow_if_heavy(p) for p in EXERCISES])
def test_every_exercise_is_sound(path):
    ex = load_exercise(path)
    buggy, correct = ex.build("buggy"), ex.build("correct")
    hidden = attach_invariants(correct, hidden_invariants(ex))
    assert check(buggy, deadlock=ex.deadlock).violated, "the bug must be real"
    props = [p.name for p in correct.properties.values() if p.default] + hidden
    assert check(correct, props, deadlock=ex.deadlock).holds, "the correct side and the hidden properties hold"
    for task in ex.tasks:
        if task.property:
            assert task.property in buggy.properties
        if task.kind == "fix":
            assert ex.buggy.get("variant"), "a fix task needs a buggy variant to extend"


def test_there_are_enough_exercises_for_every_protocol():
    protocols = {load_exercise(p).protocol_ref.split(":")[0] for p in EXERCISES}
    shipped = {f"protocols.{p.stem}" for p in Path("protocols").glob("*.py") if p.stem != "__init__"}
    assert len(EXERCISES) >= 12 and shipped <= protocols


# -- break it ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "points", "says"), [
    (RIGHT_INVARIANT, 4, "caught"),
    ("def invariant(s):\n    return s.msgs.of('2b') == ()\n", 0, "too strong"),  # wrong: correct Paxos votes
    ("def invariant(s):\n    return False\n", 0, "trivially false"),
    ("def invariant(s):\n    return True\n", 0, "vacuous"),
    ("def invariant(s)\n    return True\n", 0, "invariant.py:1: syntax error"),  # broken
    ("def invariant(s):\n    return s.nothing_here\n", 0, "invariant.py:2: AttributeError"),
])
def test_break_it(tmp_path, text, points, says):
    got, _, said = feedback(only(load_exercise(PAXOS), "break"), submit(tmp_path, **{"invariant.py": text}))
    assert got == points and says in said, said


def test_an_endless_loop_and_a_memory_bomb_are_feedback_not_crashes(tmp_path):
    ex = only(load_exercise(PAXOS), "break")
    loop = submit(tmp_path, "loop", **{"invariant.py": "while True:\n    pass\n"})
    got, _, said = feedback(ex, loop, seconds=8)
    assert got == 0 and "stopped after 8 s" in said
    bomb = submit(tmp_path, "bomb", **{"invariant.py": "x = bytearray(10 ** 11)\n"})
    got, _, said = feedback(ex, bomb, memory_mb=2048)
    assert got == 0 and "memory" in said


# -- explain it and find it ------------------------------------------------------------------------


def test_explain_it(tmp_path):
    ex = only(load_exercise(PAXOS), "explain")
    steps = shortest_trace()
    right = submit(tmp_path, "right", **{"counterexample.json": json.dumps(steps)})
    assert feedback(ex, right)[0] == 3
    longer = steps[:1] + [{"action": "phase1a", "params": {"b": 0}}] + steps[1:]
    got, _, said = feedback(ex, submit(tmp_path, "longer", **{"counterexample.json": json.dumps(longer)}))
    assert got == 1.5 and "the shortest counterexample takes 12" in said
    short = submit(tmp_path, "short", **{"counterexample.json": json.dumps(steps[:6])})
    got, _, said = feedback(ex, short)
    assert got == 0 and "reach no violation" in said and "breaks no agreement" in said
    wrong = [{"action": "phase2b", "params": {"a": "a1", "m": {"type": "2a", "bal": 0, "val": "v1"}}}]
    got, _, said = feedback(ex, submit(tmp_path, "wrong", **{"counterexample.json": json.dumps(wrong)}))
    assert got == 0 and "step 1" in said and "cannot be taken" in said
    broken = submit(tmp_path, "broken", **{"counterexample.json": "[{'action': 'phase1a'"})
    got, _, said = feedback(ex, broken)
    assert got == 0 and "not valid JSON" in said


def test_find_it_by_hand(tmp_path):
    ex = only(load_exercise(PAXOS), "find")
    longer = [{"action": "phase1a", "params": {"b": 1}}] + shortest_trace()[1:]
    assert feedback(ex, submit(tmp_path, "right", **{"trace.json": json.dumps(longer)}))[0] == 2
    got, _, said = feedback(ex, submit(tmp_path, "wrong", **{"trace.json": json.dumps(longer[:3])}))
    assert got == 0 and "reach no violation" in said
    got, _, said = feedback(ex, submit(tmp_path, "broken", **{"trace.json": json.dumps({"steps": 3})}))
    assert got == 0 and "must be a JSON list" in said


# -- fix it ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "points", "says"), [
    (RIGHT_FIX, 5, "fixed"),
    (RIGHT_FIX.replace("    may_propose = Paxos.may_propose", "    pass"), 0, "not fixed: agreement fails"),
    (RIGHT_FIX.replace("    may_propose = Paxos.may_propose", "    def phase2a(self, s, b, v):\n        return None"),
     0, "vacuous fix: the goal value_chosen"),
    ("from protocols.paxos import Paxos\n\nclass Fixed(Paxos):\n    pass\n", 0, "must define a class that extends"),
    (RIGHT_FIX.replace("class Fixed(Buggy):", "class Fixed(Buggy)"), 0, "syntax error"),
])
def test_fix_it(tmp_path, text, points, says):
    got, _, said = feedback(only(load_exercise(PAXOS), "fix"), submit(tmp_path, **{"fix.py": text}))
    assert got == points and says in said, said


def test_a_fix_that_breaks_a_hidden_property_does_not_name_it(tmp_path):
    # proposes twice in a ballot: agreement still holds at this instance, the hidden property does not
    text = RIGHT_FIX.replace("    may_propose = Paxos.may_propose", '''    may_propose = Paxos.may_propose

    def phase2a(self, s, b, v):
        reports = Filter(s.msgs.of("1b"), lambda m: m.bal == b)
        if s.guard(Exists(self.Quorum1, lambda Q: self.may_propose(Q, reports, v))):
            return s.update(msgs=s.msgs | {self.M2a(b, v)})''')
    text = text.replace("from checker.coursework", "from checker.dsl import Exists, Filter\nfrom checker.coursework")
    got, _, said = feedback(only(load_exercise(PAXOS), "fix"), submit(tmp_path, **{"fix.py": text}))
    assert got == 0 and "hidden" in said
    assert "one_proposal_per_ballot" not in said and "votes_follow_proposals" not in said


# -- a class -------------------------------------------------------------------------------------


def test_a_class_gets_a_gradebook(tmp_path):
    ex = only(load_exercise(PAXOS), "break")
    submit(tmp_path / "class", "ada", **{"invariant.py": RIGHT_INVARIANT})
    submit(tmp_path / "class", "bob", **{"invariant.py": "def invariant(s):\n    return True\n"})
    submit(tmp_path / "class", "eve", **{"notes.txt": "forgot"})
    reports = grade_class(ex, tmp_path / "class", tmp_path / "out", kinds=("break",))
    assert [r.points for r in reports] == [4, 0, 0]
    rows = list(csv.reader((tmp_path / "out" / "gradebook.csv").open()))
    assert rows[0] == ["student", "1:break", "total", "max"] and rows[1] == ["ada", "4", "4", "14"]
    doc = json.loads((tmp_path / "out" / "gradebook.json").read_text())
    assert doc[2]["tasks"][0]["feedback"].startswith("no invariant.py")


def test_grade_from_the_command_line(tmp_path):
    folder = submit(tmp_path, **{"invariant.py": RIGHT_INVARIANT, "counterexample.json": json.dumps(shortest_trace())})
    out = CliRunner().invoke(main, ["grade", str(PAXOS), str(folder), "--json"])
    doc = json.loads(out.output)
    assert out.exit_code == 0 and doc["points"] == 7 and doc["max_points"] == 14
    assert [t["points"] for t in doc["tasks"]] == [4, 3, 0, 0]
    bad = CliRunner().invoke(main, ["grade", "exercises/nope.toml", str(folder)])
    assert bad.exit_code == 2 and "no such exercise" in bad.output


FIXABLE = [p for p in EXERCISES if any(t.kind == "fix" for t in load_exercise(p).tasks)]


@pytest.mark.parametrize("path", [slow_if_heavy(p) for p in FIXABLE])
def test_every_fix_exercise_accepts_the_reference_fix(tmp_path, path):
    """The reference fix puts back the correct version of each method the bug changed."""
    ex = load_exercise(path)
    module, name = ex.protocol_ref.split(":")
    variant = ex.buggy["variant"]
    methods = sorted(ex.protocol_class()._variant_versions[variant])
    body = "\n".join(f"    {m} = {name}.{m}" for m in methods)
    text = (f"from checker.coursework import starting_point\nfrom {module} import {name}\n\n"
            f"Buggy = starting_point({ex.protocol_ref!r}, {variant!r})\n\n\nclass Fixed(Buggy):\n{body}\n")
    got, most, said = feedback(only(ex, "fix"), submit(tmp_path, **{"fix.py": text}))
    assert got == most, said
