"""Histories mapped onto protocols.lease without a cluster: the order of events, a history the model
cannot explain (the line and why), and malformed files as clear errors (exit 2)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from checker.cli.main import main
from checker.errors import QuorumError
from checker.system.lease_history import check_history, model_events, read_history

RUN = {"run": {"clients": 2, "fencing": True}}


def call(client, op, t, **extra):
    return {"client": client, "op": op, "call": t, "ret": t + 0.01, **extra}


def write(client, t, token, output="accepted"):
    return call(client, "write", t, at=t + 0.005, value=[f"{client}@{t}", token], output=output, stale=False)


def history_file(tmp_path, records):
    path = tmp_path / "history.jsonl"
    path.write_text("\n".join(json.dumps(r) if isinstance(r, dict) else r for r in records) + "\n")
    return path


def test_a_pause_interrupting_a_call_comes_after_it_and_an_idle_clients_pause_is_no_step(tmp_path):
    records = [RUN, call("c1", "grant", 1.0, token=5), call("c1", "check", 1.1),
               {"fault": "pause-client", "kind": "pause-client", "applied_to": ["c1"], "start": 1.105, "end": 4.0},
               {"fault": "pause-client", "kind": "pause-client", "applied_to": ["c2"], "start": 0.5, "end": 0.9},
               write("c1", 1.101, 5)]  # the write's decision came after the pause began: it was sent before
    records[-1]["ret"] = 4.01
    events = model_events(read_history(history_file(tmp_path, records)))
    assert [(e.action, e.params["c"]) for e in events] == [
        ("grant", "c1"), ("check_lease", "c1"), ("write", "c1"), ("gc_pause", "c1")]


def test_a_renewal_after_another_client_was_granted_the_lock_does_not_map(tmp_path):
    records = [RUN, call("c1", "grant", 1.0, token=5), call("c1", "check", 1.1), write("c1", 1.2, 5),
               call("c2", "grant", 1.5, token=7), call("c1", "renew", 1.6)]
    path = history_file(tmp_path, records)
    verdict = check_history(read_history(path))
    assert not verdict.validation.ok and verdict.validation.failed.line == 6
    assert verdict.validation.failed.action == "renew"
    result = CliRunner().invoke(main, ["system", "check", str(path)])
    assert result.exit_code == 1 and "invalid: line 6, renew(c=c1)" in result.output
    assert "not enabled" in result.output


def test_a_history_without_stale_writes_is_safe(tmp_path):
    records = [RUN, call("c1", "grant", 1.0, token=5), call("c1", "check", 1.1), write("c1", 1.2, 5),
               call("c1", "read", 1.3, output="c1@1.2"), call("c1", "release", 1.4),
               call("c2", "grant", 1.5, token=7), call("c2", "check", 1.6), write("c2", 1.7, 7)]
    verdict = check_history(read_history(history_file(tmp_path, records)))
    assert verdict.safe and verdict.agrees and verdict.linearizability.operations == 3


@pytest.mark.parametrize(("records", "message"), [
    ([RUN, "{"], r"history.jsonl:2: not valid JSON"),
    ([RUN, {"op": "grant", "client": "c1", "call": 1}], r"history.jsonl:2: a grant call without 'ret'"),
    ([RUN, {"op": "teleport"}], r"history.jsonl:2: not a record of a run"),
    ([call("c1", "grant", 1.0)], r"no \"run\" record"),
])
def test_malformed_histories_are_bad_input(tmp_path, records, message):
    path = history_file(tmp_path, records)
    with pytest.raises(QuorumError, match=message):
        read_history(path)
    result = CliRunner().invoke(main, ["system", "check", str(path)])
    assert result.exit_code == 2 and "error:" in result.output
