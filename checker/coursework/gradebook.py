"""Grading a submission, or a whole class: one folder per student, a gradebook in CSV and JSON."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.coursework.exercise import Exercise
from checker.coursework.sandbox import MEMORY_MB, SECONDS, run_task
from checker.coursework.tasks import Grade
from checker.errors import QuorumError


@dataclass
class Report:
    """One submission's grades."""

    student: str
    exercise: Exercise
    grades: list[Grade]

    @property
    def points(self) -> float:
        return sum(g.points for g in self.grades)

    def to_json(self) -> dict[str, Any]:
        return {"student": self.student, "exercise": self.exercise.name, "title": self.exercise.title,
                "points": self.points, "max_points": self.exercise.max_points(),
                "tasks": [g.to_json() for g in self.grades]}


def grade(exercise: Exercise, submission: Path, *, seconds: float = SECONDS, memory_mb: int = MEMORY_MB,
          kinds: tuple[str, ...] | None = None) -> Report:
    """Every task (or those of ``kinds``) of ``exercise``, each in its own limited child process."""
    if not submission.is_dir():
        raise QuorumError(f"{submission}: a submission is a folder (invariant.py, counterexample.json, trace.json, "
                          "fix.py: the files of the tasks it answers)")
    grades = [run_task(exercise, submission, i, seconds=seconds, memory_mb=memory_mb)
              for i, task in enumerate(exercise.tasks) if kinds is None or task.kind in kinds]
    return Report(submission.name, exercise, grades)


def grade_class(exercise: Exercise, folder: Path, out: Path, **limits: Any) -> list[Report]:
    """Every subfolder of ``folder`` is one student's submission; writes ``gradebook.csv`` and
    ``gradebook.json`` into ``out``."""
    students = sorted(p for p in folder.iterdir() if p.is_dir())
    if not students:
        raise QuorumError(f"{folder}: no submissions (one folder per student)")
    reports = [grade(exercise, s, **limits) for s in students]
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "gradebook.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        graded = [(i, t) for i, t in enumerate(exercise.tasks) if limits.get("kinds") is None
                  or t.kind in limits["kinds"]]
        writer.writerow(["student", *(f"{i + 1}:{t.kind}" for i, t in graded), "total", "max"])
        for r in reports:
            writer.writerow([r.student, *(f"{g.points:g}" for g in r.grades), f"{r.points:g}",
                             f"{exercise.max_points():g}"])
    (out / "gradebook.json").write_text(json.dumps([r.to_json() for r in reports], indent=1), encoding="utf-8")
    return reports
