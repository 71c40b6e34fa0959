"""The array engine's own guarantees: exact limits, symmetry (orbit counts, proof, refusal),
checkpoints that resume to the same answer, Ctrl-C, stores, and clear errors."""

from __future__ import annotations

import json

import pytest

import checker.array.search as array_search
from checker.array.engine import array, auto
from checker.array.layout import Layout
from checker.array.program import Program
from checker.core.properties import PropertySet
from checker.errors import QuorumError
from checker.explicit.bfs import explore
from protocols.bully import Bully
from protocols.paxos import Paxos
from protocols.two_phase import TwoPhase


def test_paxos_counts_equal_tlc():
    assert array(Paxos(ballots=2)).distinct_states == 3921
    assert array(Paxos(ballots=3)).distinct_states == 185_369


def test_exact_store_agrees_with_fingerprints():
    exact = array(Paxos(ballots=2), store="states")
    hashed = array(Paxos(ballots=2))
    assert (exact.distinct_states, exact.generated_states) == (hashed.distinct_states, hashed.generated_states)
    assert exact.extra["store"] == "states" and exact.extra["collision_probability"] == 0
    assert 0 < hashed.extra["collision_probability"] < 1e-9
    assert hashed.extra["bytes_per_state"] < exact.extra["bytes_per_state"]


@pytest.mark.parametrize("limit", [1, 2, 100, 3920, 3921])
def test_max_states_is_exact(limit):
    result = array(Paxos(ballots=2), max_states=limit)
    want = explore(Paxos(ballots=2), max_states=limit)
    assert (result.verdict, result.distinct_states, result.message) == (want.verdict, want.distinct_states,
                                                                        want.message)


@pytest.mark.parametrize("depth", [0, 1, 5, 12])
def test_max_depth_matches_the_object_engine(depth):
    result = array(Paxos(ballots=2), max_depth=depth)
    want = explore(Paxos(ballots=2), max_depth=depth)
    assert (result.verdict, result.distinct_states, result.depth, result.message) == (
        want.verdict, want.distinct_states, want.depth, want.message)


def test_packed_rows_round_trip():
    proto = Paxos(ballots=3)
    program = Program(proto, PropertySet(proto, None))
    layout: Layout = program.layout
    states = [s for _, _, s in __import__("checker.core.semantics", fromlist=["moves"]).moves(
        proto, proto.initial_states()[0])]
    import numpy as np

    rows = np.array([layout.encode(s) for s in states])
    packed = layout.pack(rows)
    assert packed.shape[1] == layout.packed_width < layout.width
    assert (layout.unpack(packed) == rows).all()
    assert (layout.chunk(packed).pack() == packed).all()
    assert [layout.decode(r) for r in rows] == states


# -- symmetry -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("ballots", "sets", "orbits"), [
    (2, ["Acceptor", "Value"], 443),
    (3, ["Acceptor", "Value"], 17_153),
    (3, ["Acceptor"], 34_113),
])
def test_symmetry_gives_tlcs_orbit_counts(ballots, sets, orbits):
    result = array(Paxos(ballots=ballots), symmetry=sets)
    assert result.holds and result.distinct_states == orbits
    assert result.extra["symmetry"] == sets


def test_symmetry_finds_the_same_shortest_violation():
    plain = array(Paxos(ballots=2, variant="phase2a-ignores-1b"))
    reduced = array(Paxos(ballots=2, variant="phase2a-ignores-1b"), symmetry=["Acceptor", "Value"])
    assert (reduced.property, len(reduced.trace)) == (plain.property, len(plain.trace)) == ("agreement", 13)
    assert reduced.distinct_states < plain.distinct_states


def test_symmetry_is_refused_where_the_protocol_orders_the_elements():
    with pytest.raises(QuorumError, match=r"symmetry over Process refused for Bully: .*start_election"):
        array(Bully(), symmetry=["Process"])


def test_symmetry_over_integers_or_unknown_sets_is_a_clear_error():
    with pytest.raises(QuorumError, match="not names"):
        array(Paxos(ballots=2), symmetry=["Ballot"])
    with pytest.raises(QuorumError, match="no set 'Acceptors'.*Acceptor"):
        array(Paxos(ballots=2), symmetry=["Acceptors"])


def test_symmetry_with_liveness_is_refused_as_unsound():
    with pytest.raises(QuorumError, match="unsound"):
        auto(Paxos(ballots=2, leaders=1), ["eventually_chosen"], symmetry=["Acceptor"])


# -- checkpoints and Ctrl-C -----------------------------------------------------------------------


def interrupt_at(monkeypatch, call: int) -> None:
    expand = array_search.ArraySearch._expand
    calls = [0]

    def interrupted(self, level, lo, hi):
        calls[0] += 1
        if calls[0] == call:
            raise KeyboardInterrupt
        return expand(self, level, lo, hi)

    monkeypatch.setattr(array_search.ArraySearch, "_expand", interrupted)


@pytest.mark.parametrize("variant", ["correct", "phase2a-ignores-1b"])
def test_a_run_interrupted_and_resumed_gives_the_uninterrupted_answer(tmp_path, monkeypatch, variant):
    monkeypatch.setattr(array_search, "CHUNK", 500)
    whole = array(Paxos(ballots=3, variant=variant))
    interrupt_at(monkeypatch, 40)
    stopped = array(Paxos(ballots=3, variant=variant), checkpoint=str(tmp_path))
    assert stopped.verdict == "limit" and stopped.interrupted and 0 < stopped.distinct_states
    saved = json.loads((tmp_path / "checkpoint.json").read_text())
    assert saved["level"] > 1 and saved["parameters"]["variant"] == variant
    monkeypatch.undo()
    monkeypatch.setattr(array_search, "CHUNK", 500)
    resumed = array(Paxos(ballots=3, variant=variant), resume=str(tmp_path))
    assert (resumed.verdict, resumed.property, resumed.distinct_states, resumed.generated_states, resumed.depth,
            len(resumed.trace), resumed.goals) == (whole.verdict, whole.property, whole.distinct_states,
                                                   whole.generated_states, whole.depth, len(whole.trace),
                                                   whole.goals)
    assert [s.action for s in resumed.trace] == [s.action for s in whole.trace]


def test_periodic_checkpoints_resume_after_a_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(array_search, "CHUNK", 2000)
    cut = array(Paxos(ballots=3), max_depth=12, checkpoint=str(tmp_path), checkpoint_every=0)
    assert cut.verdict == "limit"
    resumed = array(Paxos(ballots=3), resume=str(tmp_path))
    assert resumed.holds and resumed.distinct_states == 185_369
    assert not (tmp_path / "checkpoint.json").exists()  # a finished run leaves no checkpoint behind


def test_resuming_a_different_check_is_refused(tmp_path):
    array(Paxos(ballots=2), max_depth=3, checkpoint=str(tmp_path), checkpoint_every=0)
    with pytest.raises(QuorumError, match="parameters"):
        array(Paxos(ballots=3), resume=str(tmp_path))
    with pytest.raises(QuorumError, match="no checkpoint here"):
        array(Paxos(ballots=2), resume=str(tmp_path / "nothing"))


def test_ctrl_c_keeps_what_was_found(monkeypatch):
    monkeypatch.setattr(array_search, "CHUNK", 500)
    interrupt_at(monkeypatch, 10)
    result = array(Paxos(ballots=3))
    assert result.verdict == "limit" and result.interrupted and "interrupted" in result.message
    assert result.distinct_states > 0


# -- the rest -------------------------------------------------------------------------------------


def test_liveness_and_bad_options_are_clear_errors():
    with pytest.raises(QuorumError, match="liveness"):
        array(Paxos(ballots=2), ["eventually_chosen"])
    with pytest.raises(QuorumError, match="unknown store"):
        array(Paxos(ballots=2), store="disk")
    with pytest.raises(QuorumError, match="CuPy|GPU"):
        array(Paxos(ballots=2), device="gpu")


def test_auto_says_why_it_uses_the_object_engine():
    from tests import toys

    result = auto(toys.Raises())
    assert result.engine == "explicit"
    assert result.warnings[0].startswith("object engine: the array engine cannot run this check (tests/toys.py:")
    assert auto(TwoPhase()).engine == "array"
