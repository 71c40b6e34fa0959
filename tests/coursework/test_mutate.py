"""Mutation analysis: every operator makes mutants, invariants and goals kill them, equivalent
mutants are told apart from survivors, a user's own invariants get a score."""

from __future__ import annotations

import json

from click.testing import CliRunner

from checker.cli.main import main
from checker.coursework.mutate import analyse, mutants
from protocols.paxos import Paxos
from protocols.raft import Raft
from protocols.two_phase import TwoPhase


def test_every_operator_makes_mutants():
    found = list(mutants(Paxos, Paxos(ballots=2))) + list(mutants(Raft, Raft(**Raft.small_instance)))
    labels = " | ".join(m.operator for m in found)
    for words in ("guard negated", "guard conjunct dropped", "guard conjunct negated", "became", "constant",
                  "update of msgs skipped", "swapped"):
        assert words in labels, words
    for m in found:
        assert m.diff.startswith("---") and m.cls.__mro__[1] in (Paxos, Raft)


def test_two_phase_kill_matrix():
    result = analyse(TwoPhase, {"rms": 3})
    by_name = {m.name: m for m in result.mutants}
    assert result.properties == ["consistent", "all_committed", "aborted_somewhere"]
    statuses = {m.status for m in result.mutants}
    assert statuses <= {"killed", "survived", "equivalent"} and "killed" in statuses
    killed = [m for m in result.mutants if m.status == "killed"]
    assert all(m.killed_by for m in killed)
    assert any("consistent" in m.killed_by for m in killed)  # a safety mutant, caught by the invariant
    assert result.score == sum(m.status == "killed" for m in result.mutants) / sum(
        m.status in ("killed", "survived") for m in result.mutants)
    assert by_name  # every mutant has a name


def test_an_equivalent_mutant_is_not_a_survivor():
    # phase1a's `b < self.leaders` is never evaluated when leaders is None: the same states
    result = analyse(Paxos, {"ballots": 2})
    (m,) = [m for m in result.mutants if m.operator == "b < self.leaders became b <= self.leaders"]
    assert m.status == "equivalent" and not m.killed_by
    assert result.counts()["killed"] >= 10


def test_a_vacuous_invariant_scores_nothing_and_its_own_invariants_get_a_score(tmp_path):
    weak = tmp_path / "weak.py"
    weak.write_text("def always_true(s):\n    return True\n")
    out = CliRunner().invoke(main, ["mutate", "protocols.two_phase:TwoPhase", "--properties", str(weak), "--json"])
    doc = json.loads(out.output)
    assert out.exit_code == 0 and doc["properties"] == ["always_true"] and doc["score"] == 0
    strong = tmp_path / "strong.py"
    strong.write_text("def consistent(self, s):\n    return self.consistent(s)\n")
    doc = json.loads(CliRunner().invoke(main, ["mutate", "protocols.two_phase:TwoPhase", "--properties",
                                               str(strong), "--json"]).output)
    assert doc["score"] > 0 and doc["counts"]["killed"] > 0
    empty = tmp_path / "empty.py"
    empty.write_text("x = 1\n")
    bad = CliRunner().invoke(main, ["mutate", "protocols.two_phase:TwoPhase", "--properties", str(empty)])
    assert bad.exit_code == 2 and "no invariant functions" in bad.output
