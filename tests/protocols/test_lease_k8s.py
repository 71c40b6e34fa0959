"""Kubernetes Lease leader election: fencing by term keeps the resource safe across GC pauses."""

from __future__ import annotations

import pytest

from checker import QuorumError, check
from protocols.k8s_lease import KubeLeaseElection
from tests.protocols.steps import assert_spec_met


def test_fenced_election_holds_and_leadership_changes():
    assert check(KubeLeaseElection()).holds


def test_paused_leader_without_fencing_writes_after_its_successor():
    result = check(KubeLeaseElection(variant="no-fencing"))
    assert result.violated and result.property == "fenced_resource_safe"
    assert len(result.trace) - 1 == 11
    assert "gc_pause(c=k1)" in [step.label for step in result.trace]
    last = result.trace[-1].state
    assert last.fence == 2 and last.last_write == 1


def test_without_pauses_a_correct_configuration_needs_no_fencing():
    assert check(KubeLeaseElection(variant="no-fencing", pause=9)).holds


def test_renew_deadline_above_lease_duration_breaks_it_without_any_pause():
    result = check(KubeLeaseElection(variant="no-fencing", pause=9, lease_duration=3, renew_deadline=4))
    assert result.violated and len(result.trace) - 1 == 9
    assert not any(step.action == "gc_pause" for step in result.trace)


def test_two_leaders_mid_write_even_with_fencing():
    result = check(KubeLeaseElection(), properties=["one_active_leader"])
    assert result.violated and len(result.trace) - 1 == 8


@pytest.mark.parametrize("variant", ["correct", "no-fencing"])
def test_small_instance_verdicts(variant):
    result = check(KubeLeaseElection(**KubeLeaseElection.small_instance, variant=variant))
    assert result.holds == (variant == "correct")


def test_bad_parameter():
    with pytest.raises(QuorumError, match="lease_duration must be at least 1"):
        KubeLeaseElection(lease_duration=0)


@pytest.mark.parametrize("name", ["k8s-lease", "k8s-lease-no-fencing", "k8s-lease-deadline-too-long"])
def test_specs_meet_their_expectations(name):
    assert_spec_met(name)
