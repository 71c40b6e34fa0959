"""The linearizability checker on histories whose verdict is known by hand."""

from __future__ import annotations

import json

import pytest

from checker.conform.linearizable import Operation, check, fenced_register, read_history, register
from checker.errors import QuorumError


def op(client, kind, value, output, call, ret):
    return Operation(client, kind, value, output, call, ret)


def test_sequential_and_concurrent_histories_are_linearizable():
    sequential = [op("a", "write", 1, None, 0, 1), op("b", "read", None, 1, 2, 3)]
    assert check(register(), sequential).ok
    # the read overlaps the write: it may see the old value or the new one
    for seen in (None, 1):
        result = check(register(), [op("a", "write", 1, None, 0, 4), op("b", "read", None, seen, 1, 2)])
        assert result.ok and len(result.order) == 2


def test_a_stale_read_is_not_linearizable_and_its_window_is_small():
    history = [
        op("a", "write", 1, None, 0, 1),
        op("c", "read", None, 1, 1.5, 1.8),
        op("b", "write", 2, None, 2, 3),
        op("a", "read", None, 1, 4, 5),   # 2 was written before this read began
        op("b", "read", None, 2, 6, 7),
    ]
    result = check(register(), history)
    assert not result.ok
    assert [(o.kind, o.value, o.output) for o in result.window] == [("write", 2, None), ("read", None, 1)]
    assert "not linearizable" in result.summary() and "a: read(null) -> 1" in result.summary()


def test_an_operation_without_response_may_or_may_not_take_effect():
    lost = op("a", "write", 1, None, 0, None)
    assert check(register(), [lost, op("b", "read", None, 1, 5, 6)]).ok
    assert check(register(), [lost, op("b", "read", None, None, 5, 6)]).ok
    # but it cannot take effect before it was called
    assert not check(register(), [op("b", "read", None, 1, 0, 1), op("a", "write", 1, None, 2, None)]).ok


def test_the_fenced_register_rejects_stale_tokens_and_only_those():
    fenced = fenced_register(fencing=True)
    history = [
        op("c2", "write", ["x", 34], "accepted", 0, 1),
        op("c1", "write", ["y", 33], "rejected", 2, 3),
        op("c1", "read", None, "x", 4, 5),
    ]
    assert check(fenced, history).ok
    accepted_stale = [history[0], op("c1", "write", ["y", 33], "accepted", 2, 3)]
    assert not check(fenced, accepted_stale).ok
    assert check(fenced_register(fencing=False), accepted_stale + [op("c2", "read", None, "y", 4, 5)]).ok
    wrongly_rejected = [op("c1", "write", ["y", 33], "rejected", 0, 1)]
    assert not check(fenced, wrongly_rejected).ok


def test_histories_are_read_from_json_lines(tmp_path):
    path = tmp_path / "h.jsonl"
    path.write_text(json.dumps({"client": "a", "kind": "write", "value": ["x", 1], "output": "accepted",
                                "call": 0.5, "ret": 0.7}) + "\n\n")
    [only] = read_history(path)
    assert only.value == ("x", 1) and only.ret == 0.7
    path.write_text('{"client": "a"}\n')
    with pytest.raises(QuorumError, match=r"h.jsonl:1: not an operation"):
        read_history(path)
