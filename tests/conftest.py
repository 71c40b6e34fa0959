"""Fixtures more than one folder of tests uses."""

from __future__ import annotations

import pytest

from checker import check
from protocols.paxos import Paxos


@pytest.fixture(scope="session")
def paxos_buggy():
    """Paxos whose proposer ignores the 1b reports, ballots 0..1: agreement violated after 12 steps."""
    return check(Paxos(ballots=2, variant="phase2a-ignores-1b"), engine="explicit")


@pytest.fixture(scope="session")
def paxos_correct():
    """Paxos, ballots 0..1: every property holds."""
    return check(Paxos(ballots=2), engine="explicit")
