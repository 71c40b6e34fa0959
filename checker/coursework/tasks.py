"""Grading one task of an exercise: a score and feedback a student can act on.

- *break it* (``invariant.py``: ``def invariant(s)``, or ``(self, s)`` for the protocol's sets): the
  invariant must hold on the correct protocol and be violated by the buggy one, at the exercise's
  instance. False in an initial state scores nothing (trivially false); violated by the correct
  protocol scores nothing and shows the trace that breaks it; holding on the buggy one scores
  nothing (it does not catch the bug).
- *explain it* (``counterexample.json``): the student's trace must replay through the concrete
  semantics on the buggy protocol, end in a state that breaks the property, and be as short as
  the shortest (longer: half the points, with the shortest length said).
- *find it by hand* (``trace.json``): a trace written by hand that replays and reaches a violation.
- *fix it* (``fix.py``): a class extending ``starting_point(...)`` must satisfy every property —
  the protocol's and the teacher's hidden ones, whose names are never printed —, still reach every
  goal and fire every action the correct protocol fires (no vacuous fix, such as disabling an
  action), and keep the exercise's liveness under its fairness.

A trace file is a JSON list of steps ``{"action": "phase1a", "params": {"b": 0}}`` (an ``"Init"``
step, and states, may be included: ``quorum check --out`` writes this form).
"""

from __future__ import annotations

import inspect
import json
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.core import engines
from checker.core.diff import trace_text
from checker.core.semantics import fire, initial_states, is_instance, violates
from checker.core.trace import Step, params_from_json
from checker.coursework.exercise import Exercise, Task
from checker.dsl import fairness
from checker.dsl.protocol import Property, Protocol
from checker.errors import QuorumError

FILES = {"break": "invariant.py", "explain": "counterexample.json", "find": "trace.json", "fix": "fix.py"}
STUDENT = "student_invariant"


@dataclass
class Grade:
    """One task's score and the feedback that explains it."""

    kind: str
    points: float
    max_points: float
    feedback: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "points": self.points, "max_points": self.max_points, "feedback": self.feedback,
                **self.details}


def grade_task(exercise: Exercise, task: Task, submission: Path) -> Grade:
    """The grade of one task (run in a sandbox by ``checker.coursework.sandbox``)."""
    path = submission / FILES[task.kind]
    if not path.is_file():
        return Grade(task.kind, 0, task.points, f"no {FILES[task.kind]} in the submission: write one to answer "
                     "this task")
    return {"break": grade_break, "explain": grade_explain, "find": grade_find, "fix": grade_fix}[task.kind](
        exercise, task, path)


# -- loading a student's files ---------------------------------------------------------------------


def load_module(path: Path) -> types.ModuleType:
    """A student's Python file as a module (its own errors are the student's: the sandbox reports them)."""
    module = types.ModuleType(path.stem)
    module.__file__ = str(path)
    code = compile(path.read_text(encoding="utf-8"), str(path), "exec")
    exec(code, module.__dict__)  # noqa: S102 - a submission, run inside the sandbox's limits
    return module


def attach_invariants(protocol: Protocol, functions: dict[str, Any]) -> list[str]:
    """Add invariants written outside the protocol (``def f(s)`` or ``def f(self, s)``)."""
    for name, fn in functions.items():
        params = list(inspect.signature(fn).parameters)
        bound = (lambda f: lambda s: f(protocol, s))(fn) if len(params) == 2 else fn
        protocol.properties[name] = Property(name, "always", bound, (fn.__doc__ or "").strip(), True)
    return list(functions)


def hidden_invariants(exercise: Exercise) -> dict[str, Any]:
    if exercise.hidden is None:
        return {}
    module = load_module(exercise.hidden)
    return {n: f for n, f in vars(module).items() if inspect.isfunction(f) and not n.startswith("_")
            and f.__module__ == module.__name__}


def read_trace(protocol: Protocol, path: Path) -> tuple[list[Step] | None, str]:
    """A student's trace replayed through the concrete semantics: the steps, or why it does not replay."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        return None, f"{path.name} is not valid JSON: {err}"
    if isinstance(data, dict) and "trace" in data:
        data = data["trace"]
    if not isinstance(data, list) or not all(isinstance(s, dict) and "action" in s for s in data):
        example = '{"action": "phase1a", "params": {"b": 0}}'
        return None, f"{path.name} must be a JSON list of steps like {example}"
    if data and data[0]["action"] == "Init":
        data = data[1:]
    cur = initial_states(protocol)[0]
    steps = [Step("Init", {}, cur)]
    for i, raw in enumerate(data, start=1):
        try:
            act = protocol.action(raw["action"])
            params = params_from_json(protocol, raw["action"], raw.get("params", {}))
            values = tuple(params[n] for n in act.param_names)
        except (QuorumError, KeyError, ValueError, TypeError) as err:
            return None, f"step {i} ({raw.get('action')}): {err}"
        why = is_instance(protocol, act, values, cur)
        nxt = None if why else fire(act, values, cur)
        if nxt is None:
            label = act.label(values)
            return None, (f"step {i}, {label}, cannot be taken: {why or 'it is not enabled in the state before it'}"
                          f"\nthe trace up to it:\n{trace_text(protocol, steps)}")
        cur = nxt
        steps.append(Step(act.name, act.params_dict(values), cur))
    return steps, ""


def check(protocol: Protocol, properties: list[str] | None, **options: Any) -> Any:
    return engines.run("auto", protocol, properties, {"max_seconds": options.pop("max_seconds", 120), **options})


# -- the task kinds --------------------------------------------------------------------------------


def grade_break(exercise: Exercise, task: Task, path: Path) -> Grade:
    module = load_module(path)
    fn = getattr(module, "invariant", None)
    if not callable(fn):
        return Grade("break", 0, task.points, "invariant.py must define a function invariant(s) that returns "
                     "True when the state is good")
    correct, buggy = exercise.build("correct"), exercise.build("buggy")
    attach_invariants(correct, {STUDENT: fn})
    attach_invariants(buggy, {STUDENT: fn})
    for init in initial_states(correct):
        if not correct.properties[STUDENT].fn(init):
            return Grade("break", 0, task.points, f"trivially false: your invariant is false in the initial state "
                         f"{init}, so it rejects every behaviour, correct ones included")
    on_correct = check(correct, [STUDENT], deadlock=False)
    if on_correct.verdict != "holds":
        return Grade("break", 0, task.points, _wrong_on_correct(on_correct), {"correct_verdict": on_correct.verdict})
    on_buggy = check(buggy, [STUDENT], deadlock=False)
    if on_buggy.verdict == "holds":
        return Grade("break", 0, task.points, "vacuous for this bug: your invariant holds on the buggy protocol "
                     f"too ({on_buggy.distinct_states:,} states), so it does not catch the bug; what goes wrong "
                     "in the buggy version that never goes wrong in the correct one?")
    if on_buggy.verdict != "violated":
        return Grade("break", 0, task.points, f"on the buggy protocol: {on_buggy.summary()}")
    steps = len(on_buggy.trace) - 1
    return Grade("break", task.points, task.points, f"caught: your invariant holds on the correct protocol and the "
                 f"buggy one breaks it after {steps} steps:\n{trace_text(buggy, on_buggy.trace)}", {"steps": steps})


def _wrong_on_correct(result: Any) -> str:
    if result.verdict == "violated" and result.trace:
        return ("too strong: the correct protocol breaks your invariant after "
                f"{len(result.trace) - 1} steps, so it rejects a correct behaviour:\n"
                f"{trace_text(result.protocol, result.trace)}")
    return f"on the correct protocol: {result.summary()}"


def _target(exercise: Exercise, task: Task, protocol: Protocol) -> list[str]:
    if task.property:
        return [task.property]
    return [p.name for p in protocol.properties.values() if p.default and p.kind == "always"]


def _replayed(exercise: Exercise, task: Task, path: Path, what: str) -> tuple[Any, list[str], Grade | None]:
    """A student's trace on the buggy protocol: its steps and the properties its last state breaks,
    or the grade (nothing) that says why it does not count."""
    buggy = exercise.build("buggy")
    steps, why = read_trace(buggy, path)
    if steps is None:
        return None, [], Grade(task.kind, 0, task.points, f"your {what} does not replay: {why}")
    wanted = _target(exercise, task, buggy)
    broken = [p for p in wanted if violates(buggy, steps[-1].state, p)]
    if not broken:
        return None, [], Grade(task.kind, 0, task.points, f"your {len(steps) - 1} steps replay but reach no "
                               f"violation: the last state breaks no {' or '.join(wanted)}: {steps[-1].state}")
    return steps, broken, None


def grade_explain(exercise: Exercise, task: Task, path: Path) -> Grade:
    steps, broken, refused = _replayed(exercise, task, path, "counterexample")
    if refused is not None:
        return refused
    shortest = check(exercise.build("buggy"), broken[:1], deadlock=False)
    best = len(shortest.trace) - 1
    mine = len(steps) - 1
    if mine <= best:
        return Grade("explain", task.points, task.points, f"right: {broken[0]} breaks after {mine} steps, as "
                     "short as it gets", {"steps": mine, "shortest": best})
    return Grade("explain", task.points / 2, task.points, f"it replays and breaks {broken[0]} after {mine} steps; "
                 f"the shortest counterexample takes {best}: which of your steps are not needed?",
                 {"steps": mine, "shortest": best})


def grade_find(exercise: Exercise, task: Task, path: Path) -> Grade:
    steps, broken, refused = _replayed(exercise, task, path, "trace")
    if refused is not None:
        return refused
    return Grade("find", task.points, task.points, f"found: {broken[0]} breaks after {len(steps) - 1} steps",
                 {"steps": len(steps) - 1})


def grade_fix(exercise: Exercise, task: Task, path: Path) -> Grade:
    module = load_module(path)
    bug = (exercise.protocol_ref, exercise.buggy.get("variant"))
    classes = [c for c in vars(module).values() if isinstance(c, type) and issubclass(c, Protocol)
               and getattr(c, "__quorum_bug__", None) == bug and "__quorum_bug__" not in vars(c)]
    if not classes:
        return Grade("fix", 0, task.points, "fix.py must define a class that extends "
                     f"starting_point({bug[0]!r}, {bug[1]!r}) (from checker.coursework) and fixes the bug")
    cls = classes[-1]
    params = {k: v for k, v in exercise.parameters.items()}
    fixed = cls(faults=exercise.buggy.get("faults", []), **params)
    correct = exercise.build("correct")
    hidden = attach_invariants(fixed, hidden_invariants(exercise))
    props = [p.name for p in fixed.properties.values() if p.default and p.kind in ("always", "sometimes")] + hidden
    result = check(fixed, props, deadlock=exercise.deadlock)
    goals = [p.name for p in fixed.properties.values() if p.kind == "sometimes"]
    if result.verdict == "violated" and result.property in goals and not result.trace:
        return Grade("fix", 0, task.points, f"vacuous fix: the goal {result.property} is never reached any more, so "
                     "the protocol no longer does its job (a fix must not just disable steps)")
    if result.verdict != "holds":
        hidden_hit = result.property in hidden
        what = "one of the teacher's hidden properties" if hidden_hit else (result.property or "a check")
        trace = f":\n{trace_text(fixed, result.trace)}" if result.trace else f": {result.message}"
        return Grade("fix", 0, task.points, f"not fixed: {what} fails{trace}")
    reference = check(correct, [p.name for p in correct.properties.values() if p.default
                                and p.kind in ("always", "sometimes")], deadlock=exercise.deadlock)
    lost = [a for a, n in reference.coverage.items() if n and not result.coverage.get(a)]
    if lost:
        return Grade("fix", 0, task.points, f"vacuous fix: {', '.join(lost)} never fires any more, though it does "
                     "in the correct protocol; a fix must keep the protocol doing its job")
    liveness = exercise.fix.get("liveness", [])
    if liveness:
        fairness.apply(fixed, exercise.fix.get("fairness", {}), str(exercise.path))
        live = engines.run("explicit", fixed, liveness, {"max_seconds": 120, "deadlock": exercise.deadlock})
        if live.verdict != "holds":
            return Grade("fix", 0, task.points, f"safe, but {live.property or 'liveness'} no longer holds under the "
                         f"exercise's fairness:\n{trace_text(fixed, live.trace)}")
    return Grade("fix", task.points, task.points, f"fixed: every property holds ({result.distinct_states:,} "
                 "states), every goal is reached and every action still fires")
