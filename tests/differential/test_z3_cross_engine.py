"""BMC against the explicit explorer, for every protocol and variant in protocols/.

New protocols are picked up from ``checker.cli.discovery.all_protocols()`` with their ``small_instance``:
the smallest violation depth BMC finds must be the explorer's shortest counterexample length, and
where the explorer finds nothing, BMC must find nothing up to the same depth. The default suite
compares both engines up to ``BOUND`` steps (the explorer is bounded too, so each side stays
cheap); the ``slow`` test compares them up to the explorer's full depth.
"""

from __future__ import annotations

import pytest

from checker.explicit.bfs import explore
from checker.smt.bmc import bmc
from tests.cases import CASES, IDS, PARAMS, build

BOUND = 6
SECONDS = 20  # per BMC run: a case over budget fails with a time-limit message instead of stalling


def agree(cls, variant, max_depth: int | None) -> None:
    explicit = explore(build(cls, variant), max_depth=max_depth)
    if explicit.trace and explicit.verdict in ("violated", "error"):
        steps = len(explicit.trace) - 1
        found = bmc(build(cls, variant), max_depth=steps, max_seconds=SECONDS)
        got = (found.verdict, found.depth, len(found.trace) - 1)
        assert got == (explicit.verdict, explicit.depth, steps), found.summary()
        return
    # nothing found: the space is exhausted (or only a goal was never reached), or the bound hit
    assert explicit.verdict in ("holds", "violated", "limit"), explicit.summary()
    deepest = max_depth if explicit.verdict == "limit" else explicit.depth - 1
    found = bmc(build(cls, variant), max_depth=deepest, max_seconds=SECONDS)
    assert found.verdict == "limit" and found.message.startswith(f"no violation up to depth {deepest}"), found.summary()


@pytest.mark.parametrize(("cls", "variant"), PARAMS)
def test_bmc_agrees_with_explicit_up_to_the_bound(cls, variant):
    agree(cls, variant, BOUND)


@pytest.mark.slow
@pytest.mark.parametrize(("cls", "variant"), CASES, ids=IDS)
def test_bmc_agrees_with_explicit_at_full_depth(cls, variant):
    agree(cls, variant, None)
