"""Trace validation: valid logs, impossible steps with the closest candidates, malformed lines."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from checker.cli.main import main
from checker.conform.validate import read_log, validate
from checker.errors import QuorumError
from protocols.lease import LeaseLock
from protocols.paxos import Paxos

# The seed's quiz-7 timeline, as a real lease lock without fencing would log it.
STALE_WRITE = [
    {"action": "grant", "params": {"c": "c1"}, "state": {"token": {"c1": 33}}},
    {"action": "check_lease", "params": {"c": "c1"}},
    {"action": "gc_pause", "params": {"c": "c1"}},
    {"action": "tick"}, {"action": "tick"}, {"action": "tick"},
    {"action": "grant", "params": {"c": "c2"}, "state": {"token": {"c2": 34}}},
    {"action": "check_lease", "params": {"c": "c2"}},
    {"action": "write", "params": {"c": "c2"}, "state": {"stored": 34}},
    {"action": "tick"},
    {"action": "write", "params": {"c": "c1"}, "state": {"stored": 33}},
]


def write_log(tmp_path, events, name="run.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(e if isinstance(e, str) else json.dumps(e) for e in events) + "\n")
    return path


def test_a_valid_log_is_a_behaviour(tmp_path):
    protocol = LeaseLock(variant="no-fencing")
    outcome = validate(protocol, read_log(write_log(tmp_path, STALE_WRITE), protocol))
    assert outcome.ok and outcome.matched == len(STALE_WRITE)
    assert [s.action for s in outcome.trace][-1] == "write" and outcome.trace[-1].state.stored == 33


def test_the_same_log_is_impossible_with_fencing(tmp_path):
    protocol = LeaseLock()
    outcome = validate(protocol, read_log(write_log(tmp_path, STALE_WRITE), protocol))
    assert not outcome.ok and outcome.failed.line == len(STALE_WRITE) and outcome.matched == len(STALE_WRITE) - 1
    best = outcome.candidates[0]
    assert best.label == "write(c=c1)" and best.differences == ["stored: the model has 34, the log 33"]
    assert "invalid: line 11, write(c=c1)" in outcome.summary(protocol)


def test_a_disabled_step_is_named_with_its_guard(tmp_path):
    events = [{"action": "phase1a", "params": {"b": 0}}, {"action": "phase2a", "params": {"b": 0, "v": "v1"}}]
    protocol = Paxos(ballots=2)
    outcome = validate(protocol, read_log(write_log(tmp_path, events), protocol))
    assert not outcome.ok and outcome.failed.line == 2
    assert any(c.label == "phase2a(b=0, v=v1)" and "not enabled" in c.differences[0] for c in outcome.candidates)


def test_partial_events_keep_every_consistent_state(tmp_path):
    events = [{"action": "phase1a"}, {"action": "phase1a"}, {"action": "phase1b", "params": {"a": "a1"}}]
    protocol = Paxos(ballots=2)
    outcome = validate(protocol, read_log(write_log(tmp_path, events), protocol))
    assert outcome.ok and outcome.possible_states > 1


def test_init_event_narrows_the_initial_state(tmp_path):
    protocol = LeaseLock()
    good = [{"action": "Init", "state": {"now": 0}}, {"action": "tick"}]
    assert validate(protocol, read_log(write_log(tmp_path, good), protocol)).ok
    bad = [{"action": "Init", "state": {"now": 2}}]
    outcome = validate(protocol, read_log(write_log(tmp_path, bad, "bad.jsonl"), protocol))
    assert not outcome.ok and outcome.failed.line == 1


@pytest.mark.parametrize("line, message", [
    ('{"action": "tick" "x": 1}', r"run.jsonl:2: not valid JSON"),
    ('["tick"]', r"run.jsonl:2: an event is a JSON object"),
    ('{"params": {}}', r'run.jsonl:2: missing "action"'),
    ('{"action": "tock"}', r"run.jsonl:2: LeaseLock has no action 'tock'. Did you mean 'tick'\?"),
    ('{"action": "grant", "params": {"client": "c1"}}', r"run.jsonl:2: action grant has no parameter 'client'"),
    ('{"action": "tick", "state": {"clock": 1}}', r"run.jsonl:2: LeaseLock has no state variable 'clock'"),
    ('{"action": "tick", "paramz": {}}', r"run.jsonl:2: unknown key 'paramz'. Did you mean 'params'\?"),
    ('{"action": "Init", "state": {}}', r'run.jsonl:2: "Init" may only be the first event'),
])
def test_malformed_lines_name_the_line(tmp_path, line, message):
    path = write_log(tmp_path, [{"action": "tick"}, line])
    with pytest.raises(QuorumError, match=message):
        read_log(path, LeaseLock())


def test_cli_exit_codes_and_json(tmp_path):
    runner = CliRunner()
    log = str(write_log(tmp_path, STALE_WRITE))
    prefix = str(write_log(tmp_path, STALE_WRITE[:-1], "prefix.jsonl"))
    ok = runner.invoke(main, ["validate", "protocols.lease:LeaseLock", prefix, "-p", "variant=no-fencing"])
    assert ok.exit_code == 0 and ok.output.startswith("valid: all 10 events")
    two = runner.invoke(main, ["validate", "protocols.lease:LeaseLock", prefix, "--property", "single_holder"])
    assert two.exit_code == 1 and "single_holder is violated after line 7, grant(c=c2)" in two.output
    unsafe = runner.invoke(main, ["validate", "protocols.lease:LeaseLock", log, "-p", "variant=no-fencing", "--json"])
    doc = json.loads(unsafe.output)
    assert unsafe.exit_code == 1 and doc["valid"] and doc["violations"][0]["property"] == "safe_writes"
    assert "token 33" in doc["violations"][0]["explanation"] and doc["violations"][0]["line"] == 11
    bad = runner.invoke(main, ["validate", "protocols.lease:LeaseLock", log, "--json"])
    doc = json.loads(bad.output)
    assert bad.exit_code == 1 and doc["failed_line"] == 11 and doc["candidates"][0]["step"] == "write(c=c1)"
    broken = runner.invoke(main, ["validate", "protocols.lease:LeaseLock", str(write_log(tmp_path, ["{"], "x.jsonl"))])
    assert broken.exit_code == 2 and "x.jsonl:1: not valid JSON" in broken.output
    missing = runner.invoke(main, ["validate", "protocols.lease:LeaseLock", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 2 and "no such log file" in missing.output


def test_the_log_breaks_an_invariant_and_the_behaviour_is_shown(tmp_path):
    protocol = LeaseLock(variant="no-fencing")
    outcome = validate(protocol, read_log(write_log(tmp_path, STALE_WRITE), protocol))
    assert outcome.ok and [v.name for v in outcome.violations] == ["safe_writes"]
    violation = outcome.violations[0]
    assert violation.event.line == len(STALE_WRITE) and len(violation.trace) == len(STALE_WRITE) + 1
    assert "safe_writes is violated after line 11, write(c=c1)" in outcome.summary(protocol)


def test_hidden_ticks_need_not_be_logged(tmp_path):
    untimed = [e for e in STALE_WRITE if e["action"] != "tick"]
    unfenced = LeaseLock(variant="no-fencing")
    outcome = validate(unfenced, read_log(write_log(tmp_path, untimed), unfenced), hidden=("tick",))
    assert outcome.ok and [v.name for v in outcome.violations] == ["safe_writes"]
    # without the hidden ticks c2 cannot be granted the lease: c1's has not expired
    assert not validate(unfenced, read_log(write_log(tmp_path, untimed), unfenced)).ok
    fenced = LeaseLock()
    outcome = validate(fenced, read_log(write_log(tmp_path, untimed), fenced), hidden=("tick",))
    assert not outcome.ok and outcome.failed.line == len(untimed) and not outcome.violations


def test_the_witness_follows_the_log_when_states_recur(tmp_path):
    """On the relative clock states recur; the behaviour shown must still take every event in order."""
    rounds = [{"action": a, "params": {"c": "c1"}} for a in ("grant", "check_lease", "write", "release")] * 3
    protocol = LeaseLock(clock="relative")
    outcome = validate(protocol, read_log(write_log(tmp_path, rounds), protocol), hidden=("tick",))
    assert outcome.ok and not outcome.violations
    assert [s.action for s in outcome.trace if s.action not in ("Init", "tick")] == [e["action"] for e in rounds]


def test_an_unknown_hidden_action_is_bad_input(tmp_path):
    protocol = LeaseLock()
    with pytest.raises(QuorumError, match="no action 'tik'"):
        validate(protocol, read_log(write_log(tmp_path, STALE_WRITE), protocol), hidden=("tik",))
