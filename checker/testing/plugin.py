"""The pytest plugin: a failing test shows the counterexample of every check it failed on, and
``--quorum-artifacts DIR`` saves those checks' files.

Enable it with ``-p checker.testing.plugin``, or ``pytest_plugins = ["checker.testing.plugin"]`` in
the root ``conftest.py``; an install of Quorum also registers it through the ``pytest11`` entry point
of the same name (so any of these together load it once).

A failed ``assert result.holds`` (or ``assert check(...).holds``: pytest keeps the value it
asserted on) gets a report section, "Quorum: what the check found", with the verdict, the step
table and why the property failed, for each ``Result`` found among the local variables of the
failing frames (the ``Result`` of a failed ``assert_holds``/``assert_violated`` first, whose own
message already shows it). Results that hold are left out when any result in the failure does not.
``--quorum-artifacts DIR`` writes each of those results into ``DIR/<test id>/`` (with several:
``DIR/<test id>/<n>-<protocol>/``) as ``quorum check --out`` does: result.json, trace.json,
trace.itf.json, msc.svg, states.svg, report.html (``checker.cli.artifacts.write_outputs``).

No pytest import (checker never imports pytest): hooks are plain functions found by name.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

from checker.core.result import Result
from checker.testing.asserts import CheckFailed
from checker.testing.report import describe

SECTION = "Quorum: what the check found"
MAX_RESULTS = 5  # shown per failure


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("quorum", "Quorum model checking")
    group.addoption("--quorum-artifacts", metavar="DIR", default=None,
                    help="save the files of every failing check (result.json, trace.json, msc.svg, report.html, ...) "
                         "into DIR/<test id>/, as `quorum check --out` writes them")


def pytest_configure(config: Any) -> None:
    where = config.getoption("quorum_artifacts", None)
    config.pluginmanager.register(Failures(Path(where).resolve() if where else None), "quorum-failures")


def pytest_unconfigure(config: Any) -> None:
    plugin = config.pluginmanager.get_plugin("quorum-failures")
    if plugin is not None:
        config.pluginmanager.unregister(plugin)


def pytest_assertrepr_compare(op: str, left: Any, right: Any) -> list[str] | None:
    """``assert result == other`` (or any comparison with a Result): the short reprs, then the story."""
    results = [x for x in (left, right) if isinstance(x, Result)]
    if not results:
        return None
    return [f"{left!r} {op} {right!r}", *(line for r in results for line in ["", *describe(r).splitlines()])]


class Failures:
    """Per run: adds the report section to each failure with Results and saves their artefacts."""

    def __init__(self, artifacts: Path | None) -> None:
        self.artifacts = artifacts
        self.written: list[Path] = []

    def pytest_exception_interact(self, node: Any, call: Any, report: Any) -> None:
        exc = call.excinfo.value if call.excinfo is not None else None
        if exc is None:
            return
        results = results_of(exc)
        if not results:
            return
        results = [r for r in results if not r.holds] or results
        told = exc.result if isinstance(exc, CheckFailed) else None  # its message already shows it
        parts = [describe(r) for r in results if r is not told]
        if self.artifacts is not None:
            parts.append(self.save(node.nodeid, results))
        if parts:
            report.sections.append((SECTION, "\n\n".join(parts) + "\n"))

    def save(self, nodeid: str, results: list[Result]) -> str:
        """Write each result's files; what to tell the user."""
        base = self.artifacts / (re.sub(r"[^\w.-]+", "-", nodeid).strip("-") or "test")
        lines = []
        for i, result in enumerate(results, 1):
            out = base if len(results) == 1 else base / f"{i}-{type(result.protocol).__name__}"
            notes = io.StringIO()
            try:
                from checker.cli.artifacts import write_outputs

                with contextlib.redirect_stderr(notes):
                    write_outputs(result, out)
            except Exception as exc:  # saving is a courtesy: the test's own failure is what matters
                lines.append(f"artefacts not saved in {out}: {type(exc).__name__}: {exc}")
                continue
            self.written.append(out)
            lines.append(f"artefacts: {out} (report.html, msc.svg, trace.json, ...)")
            lines += [line.strip() for line in notes.getvalue().splitlines() if line.strip()]
        return "\n".join(lines)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.written:
            terminalreporter.write_sep("-", f"quorum: files of {len(self.written)} failing check(s) in "
                                            f"{self.artifacts}")
            for out in self.written:
                terminalreporter.write_line(str(out))


def results_of(exc: BaseException) -> list[Result]:
    """The Results a failure is about: a CheckFailed's own, then those in the failing frames' locals,
    innermost frame first (directly, or in a list, tuple or dict), each once, at most ``MAX_RESULTS``."""
    found: list[Result] = []
    seen: set[int] = set()

    def add(value: Any) -> None:
        if isinstance(value, Result) and id(value) not in seen:
            seen.add(id(value))
            found.append(value)

    if isinstance(exc, CheckFailed):
        add(exc.result)
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    for frame in reversed(frames):  # the frame that raised first: the test's own, before pytest's
        for value in list(frame.f_locals.values()):
            add(value)
            if isinstance(value, (list, tuple)):
                for item in value[:50]:
                    add(item)
            elif isinstance(value, dict):
                for item in list(value.values())[:50]:
                    add(item)
    return found[:MAX_RESULTS]
