"""The explorer's session without a browser: successors from the core semantics, the path and its
undo history, the state table's highlights, every property's verdict, a loaded counterexample."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.cli.commands.explore import session_for
from checker.core import semantics
from checker.explore.session import Session, SessionError, Stale
from checker.render import dot
from protocols.paxos import Paxos

ROOT = Path(__file__).resolve().parents[2]
GALLERY = ROOT / "counterexamples" / "paxos-phase2a-ignores-1b" / "trace.json"


def labels(view: dict) -> list[str]:
    return [a["label"] for a in view["actions"]]


def row(view: dict, var: str) -> dict:
    return next(r for r in view["state"] if r["var"] == var)


def prop(view: dict, name: str) -> dict:
    return next(p for p in view["properties"] if p["name"] == name)


def test_moves_are_the_semantics_successors_in_their_order():
    protocol = Paxos(ballots=2)
    session = Session(protocol)
    for _ in range(4):
        expected = semantics.steps(protocol, session.state)
        moves, raised = session.moves()
        assert not raised
        assert [(m.step.action, m.step.params, m.step.state) for m in moves] == expected
        session.fire(len(moves) - 1)


def test_fire_back_forward_undo_restart():
    session = Session(Paxos(ballots=2))
    assert labels(session.view()) == ["phase1a(b=0)", "phase1a(b=1)"]
    session.fire(0)
    view = session.view()
    assert view["step"] == 1 and view["last"] == "phase1a(b=0)"
    assert view["changes"] == ["msgs + 1a(bal=0)"]
    assert row(view, "msgs")["changed"] and row(view, "msgs")["elements"] == [{"value": "1a(bal=0)", "added": True}]
    session.fire(labels(view).index("phase1b(a=a1, m=1a(bal=0))"))
    view = session.view()
    entry = next(e for e in row(view, "maxBal")["entries"] if e["key"] == "a1")
    assert entry == {"key": "a1", "value": "0", "changed": True, "old": "-1"}
    session.back()
    assert session.view()["step"] == 1 and session.view()["steps"] == 2  # the path is kept
    assert session.view()["path"][2]["future"]
    session.fire(labels(session.view()).index("phase1a(b=1)"))  # a branch: the old step 2 is cut
    assert [s["label"] for s in session.view()["path"]] == ["Init", "phase1a(b=0)", "phase1a(b=1)"]
    session.undo()  # the branch is undone: the old path is back, at step 1
    view = session.view()
    assert view["step"] == 1 and view["path"][2]["label"] == "phase1b(a=a1, m=1a(bal=0))"
    session.forward()
    assert session.view()["step"] == 2
    session.restart()
    assert session.view()["step"] == 0 and session.view()["steps"] == 0
    session.undo()
    assert session.view()["step"] == 2


def test_bounds_and_bad_requests():
    session = Session(Paxos(ballots=2))
    session.back()
    session.forward()
    session.undo()
    assert session.version == 0  # nothing to do: nothing done
    with pytest.raises(SessionError, match="no enabled action number 7"):
        session.fire(7)
    with pytest.raises(SessionError, match="no step 3"):
        session.goto(3)
    session.fire(0, version=0)
    with pytest.raises(Stale):
        session.fire(0, version=0)  # made on the view before: refused, nothing done
    assert session.view()["step"] == 1


def test_every_invariant_and_goal_is_evaluated_with_its_explanation():
    session = Session(Paxos(ballots=2))
    view = session.view()
    assert prop(view, "agreement")["verdict"] == "holds"
    assert prop(view, "agreement")["explanation"][0] == "agreement is true in this state:"
    goal = prop(view, "value_chosen")
    assert goal["verdict"] == "not reached" and "no v in {v1, v2} satisfies it" in "\n".join(goal["explanation"])
    assert prop(view, "eventually_chosen")["verdict"] == "liveness"
    assert not prop(view, "inductive_invariant")["selected"]  # shipped, not checked by default: listed after
    names = [p["name"] for p in view["properties"]]
    assert names.index("agreement") < names.index("inductive_invariant")
    assert prop(view, "deadlock")["verdict"] == "holds"


def test_a_gallery_counterexample_steps_to_its_violation():
    session = session_for(str(GALLERY), (), None)
    view = session.view()
    assert view["steps"] == 12 and view["step"] == 0 and view["loaded"]["following"]
    assert prop(view, "agreement")["verdict"] == "holds"
    assert [a["next"] for a in view["actions"]].count(True) == 1
    for _ in range(12):
        nxt = next(a for a in session.view()["actions"] if a["next"])
        session.fire(nxt["index"])  # the trace's own next step: the rest of the trace is kept
    view = session.view()
    assert view["step"] == 12 and view["steps"] == 12 and view["loaded"]["at_end"]
    why = "\n".join(prop(view, "agreement")["explanation"])
    assert prop(view, "agreement")["verdict"] == "violated" and "chosen_at(b=0, v=v1)" in why
    assert "agreement violated" in view["chart"]["svg"]
    session.fire(0)  # off the end: a step of one's own
    assert not session.view()["loaded"]["following"]
    session.reload()
    assert session.view()["step"] == 0 and session.view()["steps"] == 12


def test_the_chart_is_its_dot_source_without_graphviz(monkeypatch):
    monkeypatch.setattr(dot, "have_dot", lambda: False)
    session = Session(Paxos(ballots=2))
    session.fire(0)
    chart = session.view()["chart"]
    assert chart["svg"] is None and chart["dot"].startswith("digraph msc") and "graphviz" in chart["note"]
