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
    ok = runner.invoke(main, ["validate", "protocols.lease:LeaseLock", log, "-p", "variant=no-fencing"])
    assert ok.exit_code == 0 and ok.output.startswith("valid: all 11 events")
    bad = runner.invoke(main, ["validate", "protocols.lease:LeaseLock", log, "--json"])
    doc = json.loads(bad.output)
    assert bad.exit_code == 1 and doc["failed_line"] == 11 and doc["candidates"][0]["step"] == "write(c=c1)"
    broken = runner.invoke(main, ["validate", "protocols.lease:LeaseLock", str(write_log(tmp_path, ["{"], "x.jsonl"))])
    assert broken.exit_code == 2 and "x.jsonl:1: not valid JSON" in broken.output
    missing = runner.invoke(main, ["validate", "protocols.lease:LeaseLock", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 2 and "no such log file" in missing.output
