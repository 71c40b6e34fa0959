"""The pytest plugin, run inside pytest with ``pytester``: a failing ``assert result.holds`` shows the
counterexample, and ``--quorum-artifacts DIR`` saves the failing check's files."""

import json

import pytest

from checker.render.dot import have_dot

pytest_plugins = ["pytester"]

#: every inner run: no cache folder, and no Hypothesis plugin (its summary imports Hypothesis, 1.5 s a run)
QUIET = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")

TESTS = '''
import functools

from checker import check
from checker.testing import assert_violated
from protocols.paxos import Paxos


@functools.cache
def buggy():
    return check(Paxos(ballots=2, variant="phase2a-ignores-1b"), engine="explicit")


def test_bare_assert():
    result = buggy()
    assert result.holds


def test_inline_assert():
    assert buggy().holds


def test_helper():
    assert_violated(buggy(), "agreement", steps=11)


def test_passes():
    assert buggy().violated
'''


@pytest.fixture(autouse=True)
def not_in_ci(monkeypatch):
    """The inner pytest writes what a developer sees: under CI (``CI``, ``BUILD_NUMBER``) pytest prints
    whole failure messages in its short summary too, which would count a section twice."""
    for name in ("CI", "BUILD_NUMBER"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def run(pytester):
    pytester.makepyfile(test_protocol=TESTS)

    def run(*args):
        return pytester.runpytest("-p", "checker.testing.plugin", *QUIET, *args)

    return run


def test_a_failing_assert_shows_the_step_table_and_why(run):
    result = run("-k", "bare_assert")
    result.assert_outcomes(failed=1, deselected=3)
    out = result.stdout.str()
    assert "where False = <Result violated: agreement after 12 steps | Paxos(ballots=2, " in out  # short repr
    result.stdout.fnmatch_lines([
        "*- Quorum: what the check found -*",
        "violated: agreement after 12 steps (Paxos(*",
        "Counterexample (12 steps):",
        "*#  action*changed",
        "*12  phase2b(a=a3, m=2a(bal=0, val=v1))  maxVBal[[]a3] = 0",  # [[] is fnmatch for [
        "*msgs + 2b(acc=a3, bal=0, val=v1)    <- agreement violated",
        "Why it failed:",
        "agreement is false in the last state:",
    ])
    assert "artefacts:" not in out  # only with --quorum-artifacts


def test_artifacts_of_every_failing_check_are_written(run, pytester):
    result = run("--quorum-artifacts", "qa")
    result.assert_outcomes(failed=3, passed=1)
    folders = sorted(p.name for p in (pytester.path / "qa").iterdir())
    assert folders == ["test_protocol.py-test_bare_assert", "test_protocol.py-test_helper",
                       "test_protocol.py-test_inline_assert"]  # not the passing test's
    for name in folders:
        out = pytester.path / "qa" / name
        files = {p.name for p in out.iterdir()}
        assert {"result.json", "trace.json", "trace.itf.json", "msc.dot", "report.html"} <= files
        if have_dot():
            assert {"msc.svg", "states.svg"} <= files
        doc = json.loads((out / "trace.json").read_text())
        assert doc["property"] == "agreement" and len(doc["trace"]) == 13 and "explanation" in doc
    result.stdout.fnmatch_lines(["artefacts: */qa/test_protocol.py-test_bare_assert (report.html*",
                                 "*quorum: files of 3 failing check(s) in */qa*"])


def test_a_failed_helper_is_told_once(run):
    result = run("-k", "helper")
    result.assert_outcomes(failed=1, deselected=3)
    out = result.stdout.str()
    assert "E       checker.testing.asserts.CheckFailed: expected agreement violated in 11 steps" in out
    assert out.count("Counterexample (12 steps):") == 1  # the message shows it; no section repeats it
    assert "asserts.py" not in out  # the helper's own frames are hidden


def test_disabled_the_plugin_adds_nothing(pytester):
    pytester.makepyfile(test_protocol=TESTS)
    result = pytester.runpytest("-p", "no:checker.testing.plugin", *QUIET, "-k", "bare_assert")
    result.assert_outcomes(failed=1, deselected=3)
    assert "Quorum: what the check found" not in result.stdout.str()


@pytest.mark.parametrize("also", [[], ["-p", "checker.testing.plugin"]], ids=["entry point", "entry point and -p"])
def test_installed_through_its_entry_point_it_loads_once(pytester, monkeypatch, also):
    """pyproject's pytest11 entry point, as an install registers it (a dist-info on sys.path here):
    named as the module, so -p (or pytest_plugins) beside it is not a second registration."""
    site = pytester.mkdir("site")
    info = site / "quorum_probe-0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: quorum-probe\nVersion: 0\n")
    (info / "entry_points.txt").write_text("[pytest11]\nchecker.testing.plugin = checker.testing.plugin\n")
    monkeypatch.syspath_prepend(str(site))
    pytester.makepyfile(test_protocol=TESTS)
    result = pytester.runpytest(*QUIET, "-k", "bare_assert", *also)
    result.assert_outcomes(failed=1, deselected=3)
    assert result.stdout.str().count("Quorum: what the check found") == 1


def test_a_comparison_with_a_result_explains_it(pytester):
    pytester.makepyfile(test_compare=TESTS + '''

def test_compare():
    assert buggy() == "holds"
''')
    result = pytester.runpytest("-p", "checker.testing.plugin", *QUIET, "test_compare.py::test_compare")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "E       AssertionError: assert <Result violated: agreement after 12 steps * == 'holds'",
        "E         violated: agreement after 12 steps (Paxos(*",
        "*- Quorum: what the check found -*",  # pytest cuts the explanation above at 8 lines
        "Why it failed:",
    ])
