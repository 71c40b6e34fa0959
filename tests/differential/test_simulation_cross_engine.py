"""Simulation against the explicit explorer, for every protocol and variant in protocols/.

Protocols are discovered (``checker.cli.discovery.all_protocols``) and checked at their
``small_instance``. Random walks may miss a bug, but what they report must be what exhaustive search
finds: the same property, shrunk to the explorer's shortest length, and nothing where the explorer
finds nothing. A bug at most ``NEAR`` steps deep must be found by the seeded walks."""

from __future__ import annotations

import pytest

from checker.core.replay import confirm_violation
from checker.explicit.bfs import explore
from checker.hyp.simulate import simulate
from tests.cases import PARAMS, build

NEAR = 8
WALKS = 100


@pytest.mark.parametrize(("cls", "variant"), PARAMS)
def test_simulation_reports_only_what_the_explorer_finds(cls, variant):
    exhaustive = explore(build(cls, variant))
    walked = simulate(build(cls, variant), seed=1, walks=WALKS)
    found = exhaustive.verdict == "violated" and exhaustive.trace
    if walked.verdict != "violated":
        assert walked.verdict == "limit", walked.summary()
        assert not (found and len(exhaustive.trace) - 1 <= NEAR), (
            f"{WALKS} walks missed a {len(exhaustive.trace) - 1}-step violation of {exhaustive.property}")
        return
    assert found, walked.summary()
    assert (walked.property, len(walked.trace)) == (exhaustive.property, len(exhaustive.trace))
    if walked.property != "deadlock":
        confirm_violation(build(cls, variant), walked.trace, walked.property)
