"""checker.testing's assertions: they pass through what they check, and a failure tells the whole story."""

import pytest

from checker.testing import CheckFailed, assert_holds, assert_violated, step_table


def test_passing_assertions_return_the_result(paxos_buggy, paxos_correct):
    assert assert_holds(paxos_correct) is paxos_correct
    assert assert_violated(paxos_buggy) is paxos_buggy
    assert assert_violated(paxos_buggy, "agreement", steps=12) is paxos_buggy


def test_assert_holds_shows_the_step_table_and_why(paxos_buggy):
    with pytest.raises(CheckFailed) as info:
        assert_holds(paxos_buggy, "Paxos must agree")
    text = str(info.value)
    assert info.value.result is paxos_buggy and isinstance(info.value, AssertionError)
    assert text.startswith("Paxos must agree: expected every property to hold\ngot: violated: agreement after 12 steps")
    assert "Counterexample (12 steps):" in text
    assert "   12  phase2b(a=a3, m=2a(bal=0, val=v1))  maxVBal[a3] = 0" in text
    assert "msgs + 2b(acc=a3, bal=0, val=v1)    <- agreement violated" in text
    assert "Why it failed:\nagreement is false in the last state:" in text
    assert "chosen_at(b=1, v=v2)" in text


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"property": "validity"}, "expected validity violated\ngot: violated: agreement"),
    ({"steps": 11}, "expected a property violated in 11 steps, but the counterexample takes 12"),
])
def test_assert_violated_names_what_differs(paxos_buggy, kwargs, expected):
    with pytest.raises(CheckFailed, match=None) as info:
        assert_violated(paxos_buggy, **kwargs)
    assert str(info.value).startswith(expected)


def test_assert_violated_on_a_check_that_holds(paxos_correct):
    with pytest.raises(CheckFailed) as info:
        assert_violated(paxos_correct, "agreement")
    assert str(info.value).startswith("expected agreement violated\ngot: holds: agreement, validity, value_chosen")
    assert "Counterexample" not in str(info.value)


def test_not_a_result_is_a_type_error():
    with pytest.raises(TypeError, match="expected a checker Result"):
        assert_holds(True)


def test_the_step_table_lists_each_change_on_its_own_line(paxos_buggy):
    lines = step_table(paxos_buggy).splitlines()
    assert lines[0].split() == ["#", "action", "changed"]
    assert lines[1].split() == ["0", "Init", "maxBal", "=", "{a1:", "-1,", "a2:", "-1,", "a3:", "-1}"]
    assert lines[2].strip() == "maxVBal = {a1: -1, a2: -1, a3: -1}"
    assert all(line == line.rstrip() for line in lines)
