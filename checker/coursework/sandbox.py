"""Each task is graded in a child process with a time and a memory limit.

A submission is code a student wrote: it may not parse, may raise, loop for ever, or ask for an
instance too big to check. Run here, in its own process under ``RLIMIT_AS`` and a wall-clock
timeout, each of those becomes feedback on that task — never a crash or a hang of the grader.
``python -m checker.coursework.sandbox EXERCISE SUBMISSION TASK`` is the child: it prints the
task's grade as one JSON line.
"""

from __future__ import annotations

import json
import subprocess
import sys
import traceback
from pathlib import Path

from checker.coursework.exercise import Exercise, load_exercise
from checker.coursework.tasks import FILES, Grade, grade_task

SECONDS = 120.0
MEMORY_MB = 4096


def run_task(exercise: Exercise, submission: Path, index: int, *, seconds: float = SECONDS,
             memory_mb: int = MEMORY_MB) -> Grade:
    """Grade task ``index`` of ``exercise`` for ``submission`` in a limited child process."""
    task = exercise.tasks[index]

    def limit() -> None:  # in the child, before it runs anything
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 2**20, memory_mb * 2**20))

    cmd = [sys.executable, "-m", "checker.coursework.sandbox", str(exercise.path), str(submission), str(index)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds, preexec_fn=limit)
    except subprocess.TimeoutExpired:
        return Grade(task.kind, 0, task.points, f"stopped after {seconds:g} s: grading your {FILES[task.kind]} ran "
                     "out of time (an endless loop, or a behaviour too big to check at this instance)")
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if lines:
        doc = json.loads(lines[-1])
        return Grade(doc.pop("kind"), doc.pop("points"), doc.pop("max_points"), doc.pop("feedback"), doc)
    if "MemoryError" in out.stderr or "Cannot allocate memory" in out.stderr or out.returncode in (-9, 137):
        return Grade(task.kind, 0, task.points, f"stopped: grading your {FILES[task.kind]} needed more than "
                     f"{memory_mb:,} MB of memory")
    tail = "\n".join(out.stderr.strip().splitlines()[-4:])
    return Grade(task.kind, 0, task.points, f"grading your {FILES[task.kind]} failed (exit {out.returncode}):\n{tail}")


def main(argv: list[str]) -> None:
    exercise_path, submission, index = argv
    exercise = load_exercise(exercise_path)
    task = exercise.tasks[int(index)]
    folder = Path(submission)
    try:
        grade = grade_task(exercise, task, folder)
    except MemoryError:
        grade = Grade(task.kind, 0, task.points, f"stopped: your {FILES[task.kind]} ran out of memory")
    except Exception as err:  # noqa: BLE001 - the student's code: its error is their feedback
        grade = Grade(task.kind, 0, task.points, _their_error(err, folder / FILES[task.kind]))
    print(json.dumps(grade.to_json(), default=str))


def _their_error(err: BaseException, path: Path) -> str:
    """The error as the student needs it: the line of their file it happened at, when it did."""
    if isinstance(err, SyntaxError) and err.filename == str(path):
        return f"{path.name}:{err.lineno}: syntax error: {err.msg}"
    frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename == str(path)]
    where = f"{path.name}:{frames[-1].lineno}: " if frames else ""
    return f"{where}{type(err).__name__}: {err}"


if __name__ == "__main__":
    main(sys.argv[1:])
