"""Model-based testing of the example lease-lock implementation against protocols/lease.py."""

from __future__ import annotations

import pytest

from checker.conform.mbt import Adapter, assert_conforms, check_conformance, run_lockstep
from checker.errors import QuorumError
from examples.leaselock.adapter import LeaseLockAdapter, OffByOneAdapter
from protocols.lease import LeaseLock


@pytest.mark.parametrize("variant", ["correct", "no-fencing"])
def test_the_implementation_conforms(variant):
    result = assert_conforms(LeaseLock(variant=variant), LeaseLockAdapter, seed=1, walks=60, depth=25)
    assert result.ok and result.walks == 60 and result.steps > 60 * 10
    assert all(count > 0 for count in result.coverage.values()), result.coverage


def test_the_planted_bug_is_found_and_shrunk():
    result = check_conformance(LeaseLock(), OffByOneAdapter, seed=1, walks=200)
    assert not result.ok
    # The shortest divergence: c1 writes twice under one lease and the second write is refused.
    assert [s.label for s in result.trace[1:]] == [
        "grant(c=c1)", "check_lease(c=c1)", "write(c=c1)", "check_lease(c=c1)", "write(c=c1)"]
    assert 'pc[c1]: the model has "holding", the implementation "idle"' in result.differences
    assert result.hypothesis_steps >= len(result.trace) - 1
    report = result.report()
    assert report.startswith("diverges after 5 steps") and "write(c=c1)" in report


def test_the_bug_fails_a_test_suite():
    with pytest.raises(AssertionError, match="diverges after 5 steps"):
        assert_conforms(LeaseLock(), OffByOneAdapter, seed=2, walks=200)


def test_lockstep_replays_a_given_run():
    protocol = LeaseLock()
    init = protocol.initial_states()[0]
    steps = [("grant", ("c1",)), ("check_lease", ("c1",)), ("write", ("c1",))]
    assert run_lockstep(protocol, LeaseLockAdapter, init, steps) is None
    assert run_lockstep(protocol, OffByOneAdapter, init, steps + steps[1:]) is not None


class Incomplete(Adapter):
    def grant(self, c):
        pass


class Crashing(LeaseLockAdapter):
    def tick(self):
        raise RuntimeError("clock broke")


def test_an_adapter_missing_actions_is_bad_input():
    with pytest.raises(QuorumError, match="adapter Incomplete has no method for the actions renew, check_lease"):
        check_conformance(LeaseLock(), Incomplete, seed=0)


def test_an_implementation_that_raises_diverges():
    result = check_conformance(LeaseLock(), Crashing, seed=0, walks=50)
    assert not result.ok and [s.action for s in result.trace[1:]] == ["tick"]
    assert result.differences == ["the implementation raised RuntimeError: clock broke"]
