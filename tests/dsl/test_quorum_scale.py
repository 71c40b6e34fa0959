"""Quorum systems are rules, not lists: set-up and analysis are arithmetic at any size, listing is
lazy and bounded, and every answer agrees with brute force over all subsets on small systems."""

from __future__ import annotations

import itertools
import time

import pytest
from click.testing import CliRunner

from checker import QuorumError, check
from checker.cli.main import main
from checker.dsl.quorums import MAX_QUORUMS, majority, parse
from protocols.paxos import Paxos


def nodes(n: int) -> list[str]:
    return [f"n{i}" for i in range(1, n + 1)]


def brute(system, ns):
    """The quorum facts by enumerating every subset (what the system used to compute)."""
    subsets = [frozenset(c) for size in range(1, len(ns) + 1) for c in itertools.combinations(ns, size)]

    def minimal(phase):
        found = []
        for q in subsets:
            if system.is_quorum(q, phase) and not any(m <= q for m in found):
                found.append(q)
        return found

    one, two = minimal(1), minimal(2)
    pair = next(((a, b) for a in one for b in two if not a & b), None)
    fatal = next(frozenset(f) for size in range(len(ns) + 1) for f in itertools.combinations(ns, size)
                 if not (any(q <= set(ns) - set(f) for q in one) and any(q <= set(ns) - set(f) for q in two)))
    return one, two, pair, fatal


SMALL = [(text, n) for n in range(1, 7) for text in
         ["majority", *(f"threshold:{k}" for k in range(1, n + 1)),
          *(f"flexible:{a},{b}" for a in range(1, n + 1) for b in range(1, n + 1)),
          *(f"grid:{r}x{n // r}" for r in range(1, n + 1) if n % r == 0)]]
SMALL += [("weighted:3,1,1,1,1", 5), ("weighted:0,2,2,1,1,3", 6), ("weighted:5,0,1,1", 4), ("weighted:1,1,2,2,4", 5)]


@pytest.mark.parametrize(("text", "n"), SMALL)
def test_arithmetic_agrees_with_brute_force(text, n):
    ns = nodes(n)
    system = parse(text, ns)
    one, two, pair, fatal = brute(system, ns)
    if system.shape is None:  # by size, then node order
        assert list(system.phase1) == one and list(system.phase2) == two
    else:  # a grid lists row by row, then column by column
        assert sorted(map(sorted, system.phase1)) == sorted(map(sorted, one)) and system.phase2 == system.phase1
    assert len(system.phase1) == len(one)
    assert system.disjoint_pair() == pair
    assert system.smallest_fatal_failure() == fatal
    for q in itertools.chain(one, [frozenset(ns)]):
        assert (q in system.phase1) == (q in one)


@pytest.mark.parametrize("text", ["majority", "threshold:20", "flexible:21,20", "grid:8x5",
                                  "weighted:" + ",".join(str(i % 7 + 1) for i in range(40))])
def test_forty_nodes_set_up_and_analyse_at_once(text):
    start = time.perf_counter()
    out = CliRunner().invoke(main, ["quorums", text, "-n", "40", "--json"])
    assert out.exit_code in (0, 1), out.output
    assert time.perf_counter() - start < 1.0


def test_majority_of_40_answers_what_enumeration_would():
    out = CliRunner().invoke(main, ["quorums", "majority", "-n", "40", "--dcs", "10-10-10-10"])
    assert out.exit_code == 0, out.output
    assert "survives any 19; losing {n1, n2, n3" in out.output
    assert "lose dc1+dc2: 20 nodes left, 21 needed: NO quorum" in out.output
    assert "survives the loss of any 1 of 4 data centres" in out.output


def test_many_data_centres_are_listed_up_to_a_bound():
    out = CliRunner().invoke(main, ["quorums", "majority", "--dcs", "-".join(["1"] * 30)])
    assert out.exit_code == 0, out.output
    assert "more ways to lose data centres (not listed)" in out.output
    assert "survives the loss of any 14 of 30 data centres" in out.output


def test_listing_a_huge_system_is_bad_input_naming_the_count():
    system = majority(nodes(1000))  # set up at once
    assert system.is_quorum(nodes(501)) and not system.is_quorum(nodes(500))
    assert system.disjoint_pair() is None and len(system.smallest_fatal_failure()) == 500
    with pytest.raises(QuorumError, match=r"about 10\^299 minimal quorums over 1000 nodes, too many to list"):
        list(system.phase1)
    assert len(majority(nodes(19)).phase1) <= MAX_QUORUMS


def test_paxos_with_a_thousand_acceptors_fails_fast_with_the_fix():
    start = time.perf_counter()
    with pytest.raises(QuorumError, match=r"too many to list .* needs fewer nodes \(a majority over 19 nodes"):
        Paxos(acceptors=1000)
    assert time.perf_counter() - start < 1.0


def test_paxos_state_counts_are_unchanged_over_listed_quorums():
    assert check(Paxos(ballots=2)).distinct_states == 3921
    assert check(Paxos(ballots=1, acceptors=4, quorums="flexible:3,2")).holds
