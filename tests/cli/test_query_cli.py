"""``quorum check`` on a spec with a ``[query]``: the answer with both witnesses, JSON, the expected
answer matched or missed, a directory of specs, and every mistake exit 2 naming the key and the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli.main import main

SPECS = Path(__file__).resolve().parents[2] / "specs"
RETRY = """protocol = "tests.toys:Retry"
[query]
goal = "done"
cost = { tick = 50 }
unit = "ms"
"""


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def spec(tmp_path: Path, text: str = RETRY, name: str = "query.toml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_quiz_5_without_split_votes_prints_both_witnesses_with_the_time_so_far():
    out = run("check", str(SPECS / "election-timing-no-split.toml"), "-q")
    assert out.exit_code == 0, out.output
    assert "minimum 150 ms, maximum 300 ms" in out.output
    assert "Minimum 150 ms: a shortest run among the cheapest, 7 steps" in out.output
    assert "Maximum 300 ms: a run that costs it, 10 steps" in out.output
    assert "become_leader(c=s2)" in out.output and "300 ms" in out.output
    assert "expected minimum 150 ms, maximum 300 ms: matched" in out.output


def test_quiz_5_has_no_maximum_and_shows_the_split_votes_as_a_lasso():
    out = run("check", str(SPECS / "election-timing.toml"), "--json", "-q")
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert doc["verdict"] == "answered" and doc["matched"] and doc["unbounded"]
    assert doc["minimum"]["cost"] == 150 and doc["maximum"]["cost"] is None
    lasso, start = doc["maximum"]["trace"], doc["maximum"]["loop_start"]
    assert lasso[start]["state"] == lasso[-1]["state"]
    cycle = [step["action"] for step in lasso[start + 1:]]
    assert cycle.count("timeout") == 2 and cycle.count("vote") == 2 and "become_leader" not in cycle


def test_an_unbounded_maximum_and_a_run_that_never_arrives(tmp_path):
    out = run("check", spec(tmp_path), "-q")
    assert out.exit_code == 0, out.output
    assert "minimum 0 ms, maximum unbounded" in out.output
    assert "Maximum unbounded: the state after step 0 comes back after step 3" in out.output
    assert "⟲ cycle starts" in out.output
    assert "Some runs never reach done" in out.output and "give_up" in out.output


def test_a_missed_expectation_is_exit_1(tmp_path):
    out = run("check", spec(tmp_path, RETRY + "expect_min = 0\nexpect_max = 100\n"), "-q")
    assert out.exit_code == 1 and "expected minimum 0 ms, maximum 100 ms: MISSED" in out.output


def test_a_directory_runs_queries_beside_checks_and_out_writes_the_answer(tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    spec(specs, RETRY + 'expect_max = "unbounded"\n', "retry.toml")
    (specs / "paxos-small.toml").write_text((SPECS / "paxos-small.toml").read_text())
    out = run("check", str(specs), "-q", "--out", str(tmp_path / "out"))
    assert out.exit_code == 0, out.output
    assert "ok  " in out.output and "minimum 0 ms, maximum unbounded (expected maximum unbounded)" in out.output
    assert "2 of 2 specs matched" in out.output
    doc = json.loads((tmp_path / "out" / "retry" / "query.json").read_text())
    assert doc["query"] == "extremes" and doc["never"]


def test_quorum_list_names_a_query_spec():
    doc = json.loads(run("list", "--json", "--specs", str(SPECS)).output)
    entry = next(s for s in doc["specs"] if s["spec"].endswith("election-timing.toml"))
    assert entry["engine"] == "query" and entry["expect"] == "minimum 150 ms, maximum unbounded"


@pytest.mark.parametrize(("text", "says"), [
    (RETRY + "goall = 1\n", "[query]: unknown key 'goall'. Did you mean 'goal'"),
    (RETRY.replace('goal = "done"\n', ""), "[query]: missing key 'goal'"),
    (RETRY.replace('"done"', '"don"'), "goal = 'don': Retry has no state predicate 'don'. Did you mean 'done'"),
    (RETRY.replace("tick = 50", "tack = 50"), "cost: Retry has no action 'tack'. Did you mean 'tick'"),
    (RETRY.replace("tick = 50", 'tick = "tick_ms"'), "Retry has no parameter 'tick_ms'"),
    (RETRY + 'expect_max = "forever"\n', 'expect_max = \'forever\' must be a whole number or "unbounded"'),
    ('expect = "holds"\n' + RETRY, "drop 'expect' from a spec with a [query]"),
    (RETRY + '[engine]\nname = "bmc"\n', "a query is answered on the explicit state graph: drop name = 'bmc'"),
    (RETRY + "[engine]\ndeadlock = false\n", "'deadlock' does not apply to a query"),
])
def test_a_bad_query_spec_is_exit_2_naming_the_key_and_the_fix(tmp_path, text, says):
    out = run("check", spec(tmp_path, text), "-q")
    assert out.exit_code == 2 and says in out.output, out.output


@pytest.mark.parametrize(("flags", "says"), [
    (["--engine", "bmc"], "--engine bmc does not apply to a [query] spec"),
    (["--max-depth", "3"], "--max-depth does not apply to a [query] spec"),
    (["--property", "done"], "--property and --explore do not apply to a [query] spec"),
])
def test_a_flag_a_query_cannot_take_is_exit_2(tmp_path, flags, says):
    out = run("check", spec(tmp_path), "-q", *flags)
    assert out.exit_code == 2 and says in out.output, out.output


def test_the_query_takes_a_state_limit(tmp_path):
    out = run("check", spec(tmp_path), "-q", "--max-states", "2")
    assert out.exit_code == 4 and "state limit" in out.output
