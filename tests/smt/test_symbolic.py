"""The same action code read with Z3 terms: Paxos's Phase2a guard as a formula, checked by a solver."""

from __future__ import annotations

import pytest
import z3

from checker import And, Exists, ForAll, Not, Or
from checker.errors import SymbolicBranchError
from checker.smt.symbolic import SymBool, code, fresh, to_bool
from checker.smt.symexec import paths
from protocols.paxos import Paxos
from tests.toys import PlainIf, Switch


def symbolic_state(proto):
    values, constraints = {}, []
    for name, var in proto.variables.items():
        values[name], cs = fresh(var.domain, name)
        constraints += cs
    return values, constraints


def present(values, record):
    return to_bool(values["msgs"].present[record])


@pytest.fixture
def paxos():
    proto = Paxos(ballots=3)
    values, constraints = symbolic_state(proto)
    return proto, values, constraints


def phase2a_path(proto, values, b, v):
    found = paths(proto, proto.action("phase2a"), values, (b, v))
    assert len(found) == 1, "one path: both guards taken"
    return found[0]


def only_these_messages(proto, values, msgs):
    return z3.And(*(present(values, m) == (m in msgs) for m in values["msgs"].present))


def test_phase2a_guard_is_a_formula_over_z3_variables(paxos):
    proto, values, constraints = paxos
    path = phase2a_path(proto, values, 1, "v1")
    assert isinstance(path.condition, SymBool)
    solver = z3.Solver()
    solver.add(*constraints, path.condition.term)
    assert solver.check() == z3.sat
    model = solver.model()
    reports = [m for m in proto.M1b.values() if m.bal == 1 and z3.is_true(model.eval(present(values, m), True))]
    assert len({m.acc for m in reports}) >= 2, "a satisfying state has 1b reports from a quorum"


def test_phase2a_needs_a_quorum_of_reports(paxos):
    proto, values, constraints = paxos
    guard = phase2a_path(proto, values, 1, "v1").condition.term
    one_report = {proto.M1a(1), proto.M1b("a1", 1, -1, None)}
    solver = z3.Solver()
    solver.add(*constraints, guard, only_these_messages(proto, values, one_report))
    assert solver.check() == z3.unsat
    quorum = one_report | {proto.M1b("a2", 1, -1, None)}
    solver = z3.Solver()
    solver.add(*constraints, guard, only_these_messages(proto, values, quorum))
    assert solver.check() == z3.sat


def test_phase2a_must_propose_the_highest_reported_vote(paxos):
    proto, values, constraints = paxos
    msgs = {proto.M1b("a1", 1, 0, "v2"), proto.M1b("a2", 1, -1, None), proto.M2a(0, "v2"), proto.M2b("a1", 0, "v2")}
    for v, verdict in (("v1", z3.unsat), ("v2", z3.sat)):
        guard = phase2a_path(proto, values, 1, v).condition.term
        solver = z3.Solver()
        solver.add(*constraints, guard, only_these_messages(proto, values, msgs))
        assert solver.check() == verdict, v


def test_phase2a_fires_once_per_ballot(paxos):
    proto, values, constraints = paxos
    guard = phase2a_path(proto, values, 1, "v1").condition.term
    solver = z3.Solver()
    solver.add(*constraints, guard, present(values, proto.M2a(1, "v2")))
    assert solver.check() == z3.unsat


def test_phase2a_update_adds_its_proposal(paxos):
    proto, values, _ = paxos
    update = phase2a_path(proto, values, 1, "v1").update
    assert set(update.changes) == {"msgs"}
    assert update.changes["msgs"].present[proto.M2a(1, "v1")] is True


def test_phase1b_reports_symbolic_votes(paxos):
    proto, values, constraints = paxos
    m = proto.M1a(1)
    (path,) = paths(proto, proto.action("phase1b"), values, ("a1", m))
    new = path.update.changes["msgs"]
    report = proto.M1b("a1", 1, 0, "v2")
    solver = z3.Solver()
    solver.add(*constraints, path.condition.term, values["maxVBal"]["a1"].term == 0, to_bool(new.present[report]))
    solver.add(values["maxVal"]["a1"].term == code("v2"))
    assert solver.check() == z3.sat


def test_plain_if_on_state_fails_loudly_naming_the_action():
    proto = PlainIf()
    values, _ = symbolic_state(proto)
    with pytest.raises(SymbolicBranchError, match=r"action promote\(n1\) of PlainIf: a plain Python `if`"):
        paths(proto, proto.action("promote"), values, ("n1",))


def test_tilde_on_a_condition_is_refused_and_not_is_safe():
    x = SymBool(z3.Bool("x"))
    with pytest.raises(SymbolicBranchError, match="~True == -2"):
        ~x  # noqa: B018
    assert Not(True) is False and Not(False) is True
    assert isinstance(Not(x), SymBool)


def test_helpers_stay_plain_python_on_concrete_values():
    assert And(True, 1 < 2) is True and Or(False, False) is False
    assert Exists([1, 2, 3], lambda x: x > 2) is True
    assert ForAll([1, 2, 3], lambda x: x > 2) is False


def test_guard_forks_into_both_branches():
    proto = Switch()
    values, _ = symbolic_state(proto)
    taken, otherwise = paths(proto, proto.action("flip"), values, ())
    on = values["on"].term
    assert z3.eq(taken.condition.term, on) and taken.update.changes == {"on": False}
    assert z3.eq(otherwise.condition.term, z3.Not(on)) and otherwise.update.changes == {"on": True}
