"""Exercise files: a protocol, an instance, its buggy version, the tasks and their points.

    title = "Paxos: the proposer that ignores what it was told"
    protocol = "protocols.paxos:Paxos"
    story = "..."                      # what the student reads
    deadlock = false                   # optional: a state without successors is no finding here
    [parameters]                       # the instance every task is graded at
    ballots = 2
    [buggy]                            # what is wrong: a variant and/or faults
    variant = "phase2a-ignores-1b"
    [correct]                          # optional: the correct version (default: variant "correct")
    hidden = "hidden/paxos.py"         # optional: the teacher's hidden invariants (never printed)
    [fix]                              # optional: liveness a fix must keep, under this fairness
    liveness = ["eventually_chosen"]
    fairness = { phase1b = "weak" }
    [[tasks]]
    kind = "break"                     # break | explain | find | fix
    points = 4
    property = "agreement"             # explain / find: the property the trace must break

``starting_point(protocol, variant)`` is the class a *fix it* submission extends: the protocol
with the variant's buggy methods as its own, so a fix is a subclass that overrides them.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.dsl.protocol import Protocol
from checker.errors import QuorumError, read_toml, suggest

KINDS = ("break", "explain", "find", "fix")
KEYS = ("title", "protocol", "story", "parameters", "buggy", "correct", "fix", "tasks", "deadlock")


@dataclass
class Task:
    kind: str
    points: float
    property: str | None = None
    prompt: str = ""


@dataclass
class Exercise:
    path: Path
    title: str
    protocol_ref: str
    story: str
    parameters: dict[str, Any]
    buggy: dict[str, Any]
    correct: dict[str, Any]
    hidden: Path | None
    fix: dict[str, Any] = field(default_factory=dict)
    tasks: list[Task] = field(default_factory=list)
    deadlock: bool = True  # false where a final state is no deadlock (an election that ended)

    @property
    def name(self) -> str:
        return self.path.stem

    def protocol_class(self) -> type[Protocol]:
        module, _, name = self.protocol_ref.partition(":")
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError) as err:
            raise QuorumError(f"{self.path}: protocol {self.protocol_ref!r} cannot be loaded ({err})") from None

    def build(self, which: str) -> Protocol:
        """The buggy or the correct protocol at the exercise's instance."""
        side = self.buggy if which == "buggy" else self.correct
        params = dict(self.parameters)
        if "variant" in side or "variant" in self.protocol_class().param_specs():
            params["variant"] = side.get("variant", "correct")
        faults = side.get("faults", self.buggy.get("faults", []))  # the correct one meets the same faults
        try:
            return self.protocol_class()(faults=faults, **params)
        except QuorumError as err:
            raise QuorumError(f"{self.path} [{which}]: {err}") from None

    def max_points(self) -> float:
        return sum(t.points for t in self.tasks)


def starting_point(protocol: str | type[Protocol], variant: str) -> type[Protocol]:
    """The protocol with ``variant``'s versions of its methods as its own: the class a fix extends."""
    if isinstance(protocol, str):
        module, _, name = protocol.partition(":")
        protocol = getattr(importlib.import_module(module), name)
    versions = protocol._variant_versions.get(variant)
    if versions is None:
        raise QuorumError(f"{protocol.__name__} has no variant {variant!r}." + suggest(variant, protocol.variants()))
    body = {**versions, "__quorum_bug__": (f"{protocol.__module__}:{protocol.__name__}", variant),
            "__doc__": f"{protocol.__name__} with the {variant!r} bug: extend it and fix the bug."}
    return type(f"{protocol.__name__}WithBug", (protocol,), body)


def load_exercise(path: str | Path) -> Exercise:
    """An exercise file, every key checked (a mistake names the file, the key and the fix)."""
    path = Path(path)
    data = read_toml(path, "exercise", "an exercise is UTF-8 TOML")
    for key in data:
        if key not in KEYS:
            raise QuorumError(f"{path}: unknown key {key!r}." + suggest(key, KEYS))
    for key in ("title", "protocol", "buggy", "tasks"):
        if key not in data:
            raise QuorumError(f"{path}: missing {key!r} (an exercise names its protocol, its buggy version and "
                              "its tasks)")
    tasks = []
    for i, t in enumerate(data["tasks"], start=1):
        kind = t.get("kind")
        if kind not in KINDS:
            raise QuorumError(f"{path}: task {i} has kind {kind!r}; the kinds are {', '.join(KINDS)}."
                              + suggest(str(kind), KINDS))
        points = t.get("points", 1)
        if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
            raise QuorumError(f"{path}: task {i}: points must be a positive number, not {points!r}")
        tasks.append(Task(kind, float(points), t.get("property"), t.get("prompt", "")))
    correct = dict(data.get("correct", {}))
    hidden = correct.pop("hidden", None)
    exercise = Exercise(path, data["title"], data["protocol"], data.get("story", ""), dict(data.get("parameters", {})),
                        dict(data["buggy"]), correct, None if hidden is None else path.parent / hidden,
                        dict(data.get("fix", {})), tasks, bool(data.get("deadlock", True)))
    if exercise.hidden is not None and not exercise.hidden.is_file():
        raise QuorumError(f"{path}: [correct] hidden = {hidden!r}: no such file next to the exercise")
    exercise.build("buggy"), exercise.build("correct")  # a bad parameter or variant fails here, named
    return exercise
