"""The `quorum` command line: verdicts, JSON, spec directories, exit codes and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli.main import main

SPECS = Path(__file__).resolve().parents[2] / "specs"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write(tmp_path: Path, text: str, name: str = "spec.toml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_check_spec_prints_a_step_table_and_matches_expectation():
    out = run("check", str(SPECS / "paxos-phase2a-ignores-1b.toml"), "-q")
    assert out.exit_code == 0, out.output
    assert "violated: agreement after 12 steps" in out.output
    assert "phase2a(b=1, v=v2)" in out.output and "msgs + 2b(acc=" in out.output
    assert "expected violated: agreement in 12 steps: matched" in out.output


def test_check_protocol_with_parameters_and_json():
    out = run("check", "protocols.paxos:Paxos", "-p", "ballots=2", "-p", "variant=phase2a-ignores-1b", "--json", "-q")
    assert out.exit_code == 1
    doc = json.loads(out.output)
    for key in ("verdict", "property", "engine", "distinct_states", "generated_states", "depth", "elapsed_s",
                "coverage", "trace"):
        assert key in doc
    assert (doc["verdict"], doc["property"], doc["engine"]) == ("violated", "agreement", "array")  # auto: Paxos encodes
    assert len(doc["trace"]) == 13 and doc["trace"][0]["action"] == "Init"
    assert doc["trace"][1]["params"] == {"b": 0} or doc["trace"][1]["action"] != "phase1a"
    assert doc["trace"][-1]["state"]["maxBal"].keys() == {"a1", "a2", "a3"}


def test_holds_exits_zero():
    out = run("check", "protocols.paxos:Paxos", "-p", "ballots=2", "-q")
    assert out.exit_code == 0 and "holds: agreement, validity, value_chosen" in out.output
    assert "3,921 distinct states" in out.output


def test_directory_of_specs_compares_each_expectation(tmp_path):
    for name in ("paxos-small.toml", "paxos-phase2a-ignores-1b.toml"):
        (tmp_path / name).write_text((SPECS / name).read_text())
    write(tmp_path, 'protocol = "protocols.paxos:Paxos"\nexpect = "violated: agreement"\n[parameters]\nballots = 1\n',
          "wrong.toml")
    out = run("check", str(tmp_path), "--json")
    docs = json.loads(out.output)
    assert out.exit_code == 1
    assert {Path(d["spec"]).name: d["matched"] for d in docs} == {
        "paxos-small.toml": True, "paxos-phase2a-ignores-1b.toml": True, "wrong.toml": False,
    }


def test_limit_exits_four():
    out = run("check", "protocols.paxos:Paxos", "--max-states", "50", "-q")
    assert out.exit_code == 4 and "limit: state limit 50 reached, nothing found up to depth" in out.output


def test_list_json_shows_protocols_variants_and_specs():
    out = run("list", "--json", "--specs", str(SPECS))
    doc = json.loads(out.output)
    paxos = next(p for p in doc["protocols"] if p["protocol"] == "protocols.paxos:Paxos")
    assert paxos["parameters"]["ballots"]["default"] == 3
    assert "phase2a-ignores-1b" in paxos["variants"]
    assert paxos["properties"]["value_chosen"]["kind"] == "sometimes"
    assert any(s["spec"].endswith("paxos.toml") for s in doc["specs"])


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ('protocol = "protocols.paxos:Paxos"\nexpct = "holds"\n', "unknown key 'expct'. Did you mean 'expect'?"),
        ('protocol = "protocols.paxo:Paxos"\n', "cannot import protocol module 'protocols.paxo'"),
        ('protocol = "protocols.paxos:Paxo"\n', "has no protocol 'Paxo'. Did you mean 'Paxos'?"),
        ('protocol = "protocols.paxos:Paxos"\n[parameters]\nballot = 2\n', "Did you mean 'ballots'?"),
        ('protocol = "protocols.paxos:Paxos"\n[parameters]\nballots = "2"\n', "parameter ballots takes a int"),
        ('protocol = "protocols.paxos:Paxos"\n[parameters]\nvariant = "buggy"\n', "variant='buggy' is not one of"),
        ('protocol = "protocols.paxos:Paxos"\nproperties = ["agrement"]\n', "Did you mean 'agreement'?"),
        ('protocol = "protocols.paxos:Paxos"\n[engine]\nmax_state = 5\n', "Did you mean 'max_states'?"),
        ('protocol = "protocols.paxos:Paxos"\n[engine]\nname = "explict"\n', "unknown engine 'explict'"),
        ('protocol = "protocols.paxos:Paxos"\nexpect = "broken"\n', 'write "holds" or "violated: <property>"'),
        ('protocol = "protocols.paxos:Paxos"\nexpect = "violated: agrement"\n', "Did you mean 'agreement'?"),
        ('protocol = "protocols.paxos:Paxos"\n[parameters\n', "not valid TOML"),
    ],
)
def test_bad_input_is_named_with_a_fix_and_exits_two(tmp_path, spec, message):
    path = write(tmp_path, spec)
    out = CliRunner().invoke(main, ["check", path, "-q"])
    assert out.exit_code == 2, out.output
    assert message in out.output
    assert path in out.output or "protocols.paxo" in out.output
    assert "Traceback" not in out.output


def test_debug_shows_the_traceback(tmp_path):
    path = write(tmp_path, 'protocol = "protocols.paxos:Paxos"\nexpct = "holds"\n')
    out = CliRunner().invoke(main, ["check", path, "--debug"])
    assert out.exit_code == 2 and "Traceback" in out.output


def test_action_that_raises_is_reported_with_its_trace():
    out = run("check", "tests.toys:Raises", "-q")
    assert out.exit_code == 2
    assert "error: action step() raised ValueError: boom at two" in out.output
    assert "Trace to the exception" in out.output


def test_plain_if_on_state_is_fine_for_the_explicit_engine():
    out = run("check", "tests.toys:PlainIf", "-q", "--no-deadlock")
    assert out.exit_code == 0


def test_bad_parameter_syntax_on_the_command_line():
    out = CliRunner().invoke(main, ["check", "protocols.paxos:Paxos", "-p", "ballots"])
    assert out.exit_code == 2 and "write -p name=value" in out.output


def test_out_dir_writes_the_trace(tmp_path):
    out = run("check", "protocols.paxos:Paxos", "-p", "ballots=2", "-p", "variant=phase2a-ignores-1b",
              "--out", str(tmp_path / "o"), "-q")
    assert out.exit_code == 1
    doc = json.loads((tmp_path / "o" / "trace.json").read_text())
    assert doc["property"] == "agreement" and len(doc["trace"]) == 13


def test_python_m_checker_is_the_cli():
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "checker", "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "check" in proc.stdout


def test_plain_if_on_state_is_bad_input_for_the_z3_engine():
    out = CliRunner().invoke(main, ["check", "tests.toys:PlainIf", "--engine", "bmc", "-o", "max_depth=2", "-q"])
    assert out.exit_code == 2
    assert "tests/toys.py:" in out.output and "action promote(n1) of PlainIf" in out.output
    assert "'follower' == role" in out.output and "s.guard(cond)" in out.output
    assert "Traceback" not in out.output


def test_depth_flags_reach_each_engine_under_its_own_name():
    bmc = run("check", str(SPECS / "paxos-phase2a-ignores-1b.toml"), "--engine", "bmc", "--depth", "4", "-q")
    assert "no violation up to depth 4" in bmc.output
    explicit = run("check", str(SPECS / "paxos-small.toml"), "--depth", "3", "-q")
    assert "depth limit 3 reached, nothing found up to depth 3" in explicit.output
    simulate = run("check", str(SPECS / "paxos-small.toml"), "--engine", "simulate", "--max-depth", "3",
                   "-o", "walks=5", "-o", "seed=1", "--json", "-q")
    assert json.loads(simulate.output)["engine"] == "simulate"


def test_list_shows_faults_and_engines():
    doc = json.loads(run("list", "--json", "--specs", str(SPECS)).output)
    raft = next(p for p in doc["protocols"] if p["protocol"] == "protocols.raft:Raft")
    assert {"loss", "crash-restart", "partition"} <= set(raft["faults"])
    assert {"explicit", "bmc", "induction", "simulate", "liveness"} <= set(doc["engines"])


def test_counterexample_says_why_it_failed():
    out = run("check", str(SPECS / "paxos-phase2a-ignores-1b.toml"), "-q")
    assert "Why it failed" in out.output
    assert "chosen_at(b=0, v=v1)" in out.output and "chosen_at(b=1, v=v2)" in out.output
    lease = run("check", str(SPECS / "lease-no-fencing.toml"), "-q")
    assert "write made with token 33, yet it had already seen token 34" in lease.output
