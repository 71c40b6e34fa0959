"""Sequences and bags on every engine: the toys ``LogShipping`` and ``EmptyLast`` checked by the
object engine, Z3 (BMC, induction) and Hypothesis's shrinking simulation (the array engine's
agreement is in tests/array/test_differential.py, with the other toys)."""

from __future__ import annotations

from checker.explicit.bfs import explore
from checker.hyp.simulate import simulate
from checker.smt.bmc import bmc
from checker.smt.induction import induction
from tests.toys import EmptyLast, LogShipping


def test_bmc_finds_the_shortest_violation_the_explorer_finds():
    for variant in ("correct", "no-truncate"):
        want = explore(LogShipping(variant=variant), ["ends_agree"])
        got = bmc(LogShipping(variant=variant), ["ends_agree"], max_depth=len(want.trace) - 1, max_seconds=60)
        assert (got.verdict, got.property, len(got.trace)) == ("violated", "ends_agree", len(want.trace)) == (
            want.verdict, want.property, len(want.trace))


def test_bmc_clears_the_depths_where_the_explorer_finds_nothing():
    want = explore(LogShipping(), ["one_copy_each"])
    assert want.verdict == "holds"
    got = bmc(LogShipping(), ["one_copy_each"], max_depth=5, max_seconds=60)
    assert got.verdict == "limit" and got.message.startswith("no violation up to depth 5")


def test_an_index_past_the_end_is_the_same_finding_on_every_engine():
    found = [explore(EmptyLast()), bmc(EmptyLast(), max_depth=3), simulate(EmptyLast(), seed=1, walks=20)]
    for result in found:
        assert result.verdict == "error", result.summary()
        assert "BoundError" in result.message and "last() of an empty sequence" in result.message
        assert "toys.py:" in result.message  # the protocol's own line
    assert {len(r.trace) for r in found} == {len(found[0].trace)}


def test_induction_reads_sequences_and_bags():
    assert induction(LogShipping(), ["one_copy_each"]).verdict == "holds"


def test_simulation_shrinks_to_the_explorer_s_shortest_violation():
    want = explore(LogShipping(), ["ends_agree"])
    got = simulate(LogShipping(), ["ends_agree"], seed=3, walks=200)
    assert (got.verdict, got.property, len(got.trace)) == ("violated", "ends_agree", len(want.trace))
