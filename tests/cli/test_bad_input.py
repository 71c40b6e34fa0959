"""Bad input and faults, one test per class: every user mistake is exit 2 naming the file and the
fix; Ctrl-C is exit 130 and keeps what was found; --out is checked before the work, and a failure
writing it never loses the verdict. Each test is fast (tiny models, monkeypatched interrupts)."""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker import check
from checker.array.search import ArraySearch
from checker.cli import discovery
from checker.cli.main import main
from checker.core import engines
from checker.explicit import bfs
from protocols.paxos import Paxos

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
BUGGY = str(SPECS / "paxos-phase2a-ignores-1b.toml")


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def module(tmp_path: Path, monkeypatch, name: str, source: str) -> Path:
    """A user's protocol module ``name`` in tmp_path, importable."""
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    return path


COUNTER = """from checker.dsl import *


class Count(Protocol):
    limit = Param(2, "highest value")

    def setup(self):
        self.var("n", Range(0, self.limit), init=0)

    @action
    def inc(self, s):
        if s.guard(s.n < self.limit):
            return s.update(n=s.n + 1)

    @always
    def bounded(self, s):
        return s.n <= self.limit
"""


@pytest.fixture
def counter(tmp_path, monkeypatch) -> str:
    """A tiny model of the test's own, as module:Class."""
    module(tmp_path, monkeypatch, "bad_input_counter", COUNTER)
    return "bad_input_counter:Count"


# 1. A user's model is the user's mistake: exit 2, naming the file, the line and the error.

SETUP_RAISES = """from checker.dsl import *


class Faulty(Protocol):
    def setup(self):
        self.var("n", Range(0, 1), init=0)
        raise KeyError("no such node")
"""


@pytest.mark.parametrize(("name", "source", "ref", "line", "words"), [
    ("model_syntax", "from checker.dsl import *\n\nclass Broken(Protocol)\n    pass\n", "", 3,
     "SyntaxError: expected ':'"),
    ("model_raises", "from checker.dsl import *\nraise RuntimeError('config missing')\n", "", 2,
     "RuntimeError: config missing"),
    ("model_dependency", "import not_installed_anywhere_xyz\n", "", 1, "imports 'not_installed_anywhere_xyz'"),
    ("model_setup", SETUP_RAISES, ":Faulty", 7, "building Faulty() raised KeyError: 'no such node'"),
])
def test_a_broken_protocol_module_is_bad_input_naming_its_file_and_line(tmp_path, monkeypatch, name, source, ref,
                                                                         line, words):
    path = module(tmp_path, monkeypatch, name, source)
    out = invoke("check", name + ref, "-q")
    assert out.exit_code == 2, out.output
    assert f"{path}:{line}" in out.output and words in out.output
    assert "internal error" not in out.output and "Traceback" not in out.output


def test_a_python_file_as_target_says_to_write_module_class():
    out = invoke("check", str(ROOT / "protocols" / "paxos.py"))
    assert out.exit_code == 2 and "module:Class, e.g. quorum check protocols.paxos:Paxos" in out.output


# 1 and 7. quorum show: a trace that does not fit is bad input naming the file and what is wrong.

@pytest.fixture(scope="module")
def trace_doc() -> dict:
    result = check(Paxos(ballots=2, variant="phase2a-ignores-1b"), ["agreement"])
    return result.to_json()


def _show(tmp_path: Path, content, *extra: str, name: str = "trace.json"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return path, invoke("show", str(path), *extra)


def test_show_rejects_a_json_list(tmp_path, trace_doc):
    path, out = _show(tmp_path, trace_doc["trace"])
    assert out.exit_code == 2 and f"{path}: the file is a list, not a trace" in out.output


def test_show_rejects_an_empty_trace(tmp_path, trace_doc):
    path, out = _show(tmp_path, {**trace_doc, "trace": []})
    assert out.exit_code == 2 and f"{path}: the trace is empty" in out.output


def test_show_names_the_step_that_is_not_enabled(tmp_path, trace_doc):
    steps = list(trace_doc["trace"])
    steps[1], steps[2] = steps[2], steps[1]
    path, out = _show(tmp_path, {**trace_doc, "trace": steps})
    assert out.exit_code == 2, out.output
    assert f"trace file {path}: step 1," in out.output and "not to the state the file records" in out.output
    assert "internal error" not in out.output


def test_show_names_the_protocol_a_trace_was_written_for(tmp_path, trace_doc):
    path, out = _show(tmp_path, trace_doc, "--protocol", "protocols.lease:LeaseLock")
    assert out.exit_code == 2, out.output
    assert str(path) in out.output
    assert "written for protocols.paxos:Paxos, not for protocols.lease:LeaseLock given with --protocol" in out.output


def test_show_names_a_byte_that_is_not_utf8(tmp_path):
    path, out = _show(tmp_path, b'{"protocol": "caf\xe9"}')
    assert out.exit_code == 2 and f"{path}: line 1, byte 18 of the line (byte 0xe9" in out.output


# 1. quorum list: one broken module is named with its error; the rest are still listed.

def test_list_shows_the_rest_and_names_the_broken_module(tmp_path, monkeypatch):
    pkg = tmp_path / "user_protocols_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "broken.py").write_text("from checker.dsl import *\n\nclass Broken(Protocol)\n    pass\n")
    (pkg / "good.py").write_text(
        "from checker.dsl import *\n\n\nclass Good(Protocol):\n    def setup(self):\n"
        "        self.var('n', Range(0, 1), init=0)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    monkeypatch.setattr(discovery, "PACKAGE", "user_protocols_pkg")
    out = invoke("list", "--specs", str(tmp_path / "none"))
    assert out.exit_code == 2, out.output
    assert "user_protocols_pkg.good:Good" in out.output
    assert "user_protocols_pkg.broken:" in out.output and f"{pkg / 'broken.py'}:3" in out.output
    doc = json.loads(invoke("list", "--json", "--specs", str(tmp_path / "none")).stdout)
    assert [p["protocol"] for p in doc["protocols"]] == ["user_protocols_pkg.good:Good"]
    assert doc["broken"][0]["module"] == "user_protocols_pkg.broken"


# 4. Ctrl-C keeps what was found: "interrupted: no verdict", exit 130, never MISSED.

def _interrupt_search(monkeypatch, after: int = 0):
    """Ctrl-C after ``after`` states expanded (explicit engine) or at the first chunk (array engine)."""
    calls = [0]
    expand = bfs.Search.expand

    def interrupted(self, state):
        calls[0] += 1
        if calls[0] > after:
            raise KeyboardInterrupt
        return expand(self, state)

    def interrupted_chunk(self, level, lo, hi):
        raise KeyboardInterrupt

    monkeypatch.setattr(bfs.Search, "expand", interrupted)
    monkeypatch.setattr(ArraySearch, "_expand", interrupted_chunk)


def test_ctrl_c_during_a_spec_is_interrupted_not_missed(monkeypatch):
    _interrupt_search(monkeypatch, after=20)
    out = invoke("check", BUGGY, "-q")
    assert out.exit_code == 130, out.output
    assert "interrupted: no verdict" in out.output and "MISSED" not in out.output
    assert "distinct states" in out.output  # what was found is kept
    doc = json.loads(invoke("check", BUGGY, "-q", "--json").stdout)
    assert doc["interrupted"] is True and doc["matched"] is None


def test_one_ctrl_c_stops_a_directory_run_with_a_summary(tmp_path, monkeypatch):
    for name in ("a.toml", "b.toml", "c.toml"):
        (tmp_path / name).write_text((SPECS / "paxos-small.toml").read_text())
    runs = []
    run = engines.run

    def second_interrupted(*args, **kwargs):
        runs.append(1)
        if len(runs) == 2:
            _interrupt_search(monkeypatch)
        return run(*args, **kwargs)

    monkeypatch.setattr(engines, "run", second_interrupted)
    out = invoke("check", str(tmp_path))
    assert out.exit_code == 130, out.output
    assert len(runs) == 2  # c.toml never started
    assert "interrupted during spec 2 of 3: 1 matched, 0 missed; 2 not checked" in out.output
    assert "MISSED" not in out.output


def test_ctrl_c_while_loading_says_so(monkeypatch):
    from checker.cli.spec import Spec

    def slow_build(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(Spec, "build", slow_build)
    out = invoke("check", BUGGY)
    assert out.exit_code == 130, out.output
    assert f"interrupted while loading {BUGGY}" in out.output and "Aborted" not in out.output


def test_ctrl_c_through_an_engine_that_keeps_nothing_is_still_130(monkeypatch):
    def engine_without_a_handler(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(engines, "run", engine_without_a_handler)
    out = invoke("check", BUGGY, "--engine", "induction")
    assert out.exit_code == 130, out.output
    assert f"interrupted while checking {BUGGY} (engine induction): no verdict" in out.output


def test_sigint_while_importing_a_model_exits_130(tmp_path):
    marker = tmp_path / "importing"
    (tmp_path / "sleepy_model.py").write_text(
        f"import pathlib, time\npathlib.Path({str(marker)!r}).write_text('x')\ntime.sleep(20)\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    proc = subprocess.Popen([sys.executable, "-m", "checker", "check", "sleepy_model"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 15
    while not marker.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 130, out + err
    assert "interrupted while loading sleepy_model" in err and "Aborted" not in out + err


# 5. --out is checked before the work; a failure writing it keeps the verdict.

def test_out_to_dev_null_fails_at_once():
    out = invoke("check", BUGGY, "--out", os.devnull)
    assert out.exit_code == 2 and f"--out {os.devnull}: {os.devnull} is not a directory" in out.output
    assert "violated" not in out.output  # nothing was checked


def test_out_below_a_file_fails_at_once(tmp_path):
    afile = tmp_path / "file"
    afile.write_text("x")
    out = invoke("check", BUGGY, "--out", str(afile / "sub"))
    assert out.exit_code == 2 and f"{afile} is a file, so nothing can be created below it" in out.output


def test_out_where_nothing_can_be_created_fails_at_once(tmp_path):
    import tempfile

    where = tmp_path / "locked"
    where.mkdir(mode=0o500)
    if os.geteuid() == 0:  # root may write anywhere, except in a pseudo file system
        where = Path("/sys")
    try:
        os.close(tempfile.mkstemp(dir=where)[0])
        pytest.skip(f"this user can create files in {where}")
    except OSError:
        pass
    out = invoke("check", BUGGY, "--out", str(where / "out"))
    assert out.exit_code == 2, out.output
    assert f"cannot create files in {where}" in out.output


def test_a_failure_writing_outputs_keeps_the_verdict(tmp_path, counter):
    (tmp_path / "out" / "result.json").mkdir(parents=True)  # writing result.json fails after the check
    out = invoke("check", counter, "--no-deadlock", "-q", "--out", str(tmp_path / "out"))
    assert out.exit_code == 2, out.output
    assert out.stdout.startswith("holds: bounded")
    assert f"--out {tmp_path / 'out'}: writing the outputs failed" in out.stderr
    assert "the verdict above stands" in out.stderr


# 7. Hostile inputs in files.

def test_a_log_that_is_not_utf8_names_the_line_and_byte(tmp_path):
    log = tmp_path / "run.jsonl"
    log.write_bytes(b'{"action": "tick"}\n{"action": "tick", "note": "caf\xe9"}\n')
    out = invoke("validate", "protocols.lease:LeaseLock", str(log))
    assert out.exit_code == 2, out.output
    assert f"{log}: line 2, byte 32 of the line (byte 0xe9" in out.output and "not UTF-8" in out.output


def test_a_spec_that_repeats_a_property_names_it(tmp_path, counter):
    spec = tmp_path / "twice.toml"
    spec.write_text('protocol = "protocols.paxos:Paxos"\nproperties = ["agreement", "validity", "agreement"]\n')
    out = invoke("check", str(spec))
    assert out.exit_code == 2 and f"{spec}: properties lists 'agreement' more than once" in out.output
    out = invoke("check", counter, "--property", "bounded", "--property", "bounded")
    assert out.exit_code == 2 and "--property bounded is given more than once" in out.output


def test_a_spec_that_cannot_be_built_does_not_stop_a_directory_run(tmp_path, counter):
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "a.toml").write_text(f'protocol = "{counter}"\nexpect = "violated: deadlock"\n')
    (specs / "b.toml").write_text(f'protocol = "{counter}"\n[parameters]\nlimit = "three"\n')
    out = invoke("check", str(specs))
    assert out.exit_code == 2, out.output
    assert "ok  " in out.output and f"ERROR  {specs / 'b.toml'}" in out.output
    assert "1 of 2 specs matched their expectation; 1 could not be checked (bad input)" in out.output
