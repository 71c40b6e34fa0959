"""What the charts show beyond the trace: the legend, the violation's witnesses (Paxos's two
quorums), messages never received, a state graph that keeps a page's width, and a report whose
diagrams zoom and pan without any external resource. Structure of the DOT and SVG, not pixels."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from checker import check as run_check
from checker.core.replay import replay
from checker.core.trace import Step
from checker.render import chart, msc, stategraph
from checker.render.dot import have_dot
from protocols.lease import LeaseLock
from protocols.paxos import Paxos
from protocols.raft import Raft
from tests.toys import Pinger

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"
needs_dot = pytest.mark.skipif(not have_dot(), reason="graphviz is not installed")


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    """``quorum check specs/paxos-phase2a-ignores-1b.toml --out DIR``: the files a user gets."""
    folder = tmp_path_factory.mktemp("paxos")
    cmd = [sys.executable, "-m", "checker", "check", str(ROOT / "specs/paxos-phase2a-ignores-1b.toml"),
           "--out", str(folder), "-q"]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr  # the spec's expectation (violated) is met
    return folder


@pytest.fixture(scope="module")
def paxos():
    protocol = Paxos(ballots=2, variant="phase2a-ignores-1b")
    result = run_check(protocol)
    return protocol, result, chart.build(protocol, result.trace, violation=result.property)


def svg_width(text: str) -> float:
    return float(re.search(r'<svg width="([\d.]+)pt"', text).group(1))


def svg_groups(text: str, cls: str) -> dict[str, ET.Element]:
    """The SVG's node or edge groups by their title (graphviz's node name, or ``a->b``)."""
    root = ET.fromstring(text)
    return {g.find(f"{SVG}title").text: g for g in root.iter(f"{SVG}g") if g.get("class") == cls}


def texts(group: ET.Element) -> str:
    return " ".join("".join(t.itertext()) for t in group.iter(f"{SVG}text"))


# -- the legend ---------------------------------------------------------------------------


def test_msc_legend_names_what_the_chart_shows(out):
    source = (out / "msc.dot").read_text()
    assert '"legend" [shape=box' in source and "<B>Legend</B>" in source
    for entry in ("a process: its initial state", "a step in its actor's column",
                  "a message, sent → received", "a message sent and never received",
                  "step 12: the state after it violates agreement",
                  "not in this run: lost message (✕), duplicated message (×n), fault step"):
        assert entry in source, entry
    if have_dot():
        svg = (out / "msc.svg").read_text()
        legend = " ".join(texts(g) for name, g in svg_groups(svg, "node").items() if name.startswith("legend"))
        assert "Legend" in legend and "a message sent and never received (in flight at the end)" in legend
        assert "the state after it violates agreement" in legend


def pinger_trace(p: Pinger, plan: list[tuple[str, dict]]) -> list[Step]:
    s = p.initial_states()[0]
    steps = [Step("Init", {}, s)]
    for name, params in plan:
        s = p.action(name).fn(s, **params)
        steps.append(Step(name, params, s))
    return replay(p, steps)


def test_legend_lists_a_loss_and_its_fault_step():
    p = Pinger()
    trace = pinger_trace(p, [("send", {"i": "n1", "j": "n2"}), ("drop_message", {"i": "n1"}),
                             ("send", {"i": "n2", "j": "n1"}), ("receive", {"i": "n1"})])
    source = msc.to_dot(chart.build(p, trace))
    assert "a message lost by a fault (✕)" in source and "⚡ loss: a fault step" in source
    assert "a message, sent → received" in source
    absent = re.search(r"not in this run: ([^<]*)<", source).group(1)
    assert absent == "duplicated message (×n)"
    assert "violates" not in source  # no violation: no violating-step entry


# -- the witnesses: Paxos's two quorums ----------------------------------------------------


def test_the_two_deciding_quorums_are_the_charts_witnesses(paxos):
    _protocol, _result, c = paxos
    q1, q2 = c.witnesses
    assert (q1.tag, q1.lifelines, q1.note) == ("Q1", ["a2", "a3"], "chosen_at(b=0, v=v1)")
    assert (q2.tag, q2.lifelines, q2.note) == ("Q2", ["a1", "a2"], "chosen_at(b=1, v=v2)")
    votes = {w.tag: sorted((c.messages[i].sender, c.messages[i].label) for i in w.messages) for w in c.witnesses}
    assert votes == {"Q1": [("a2", "2b(bal=0, val=v1)"), ("a3", "2b(bal=0, val=v1)")],
                     "Q2": [("a1", "2b(bal=1, val=v2)"), ("a2", "2b(bal=1, val=v2)")]}
    assert q1.describe(c) == "Q1 = {a2, a3}: chosen_at(b=0, v=v1) (2b sent at steps 7, 12)"


def test_the_quorums_are_marked_on_lifelines_steps_and_votes(out):
    """On the spec's own counterexample: each quorum's members carry its tag under their name,
    the steps that cast its votes carry the tag and its colour, the votes are highlighted, and
    the legend names both quorums."""
    source = (out / "msc.dot").read_text()
    head = {line: next(x for x in source.splitlines() if x.startswith(f'  "h:{line}" [')) for line in
            ("a1", "a2", "a3", "leader 0")}
    assert "◆Q2" in head["a1"] and "◆Q1" not in head["a1"]
    assert "◆Q1" in head["a2"] and "◆Q2" in head["a2"] and "◆Q1" in head["a3"]
    assert "◆" not in head["leader 0"]
    boxes = {r: next(x for x in source.splitlines() if x.startswith(f'  "n:{a}:{r}" ['))
             for a, r in (("a2", 7), ("a3", 12), ("a1", 10), ("a2", 11), ("a2", 4))}
    assert all("◆Q1" in boxes[r] for r in (7, 12)) and all("◆Q2" in boxes[r] for r in (10, 11))
    assert "◆" not in boxes[4]  # a 1b report is no vote
    assert 'color="#ad1457", penwidth=2.0' in boxes[7]  # the quorum's colour (step 12 stays the violation's red)
    halos = re.findall(r'"p:n:(a\d):(\d+)" -> "f:\d+" \[color="(#\w{6})73"', source)
    assert sorted(halos) == [("a1", "10", "#f9a825"), ("a2", "11", "#f9a825"), ("a2", "7", "#d81b60"),
                             ("a3", "12", "#d81b60")]
    assert "◆Q1 = {a2, a3}: chosen_at(b=0, v=v1) (2b sent at steps 7, 12)" in source
    assert "◆Q2 = {a1, a2}: chosen_at(b=1, v=v2) (2b sent at steps 10, 11)" in source
    if have_dot():
        svg = (out / "msc.svg").read_text()
        nodes, edges = svg_groups(svg, "node"), svg_groups(svg, "edge")
        assert "◆Q1" in texts(nodes["h:a3"]) and "◆Q2" in texts(nodes["n:a1:10"])
        strokes = {el.get("stroke") for el in nodes["n:a2:7"].iter() if el.get("stroke")}
        assert "#ad1457" in strokes
        halo = [g for name, g in edges.items() if name.startswith("p:n:a2:7->")]
        assert halo and any(p.get("stroke") == "#d81b60" and float(p.get("stroke-width")) >= 7
                            for p in halo[0].iter(f"{SVG}path"))
        legend = " ".join(texts(g) for name, g in nodes.items() if name.startswith("legend:w"))
        assert "Q1 = {a2, a3}" in legend and "Q2 = {a1, a2}" in legend


def test_witnesses_from_the_explanation_name_a_locks_two_holders():
    """No hook: the explanation's failing instance ``p = (c1, c2)`` names the two believers."""
    protocol = LeaseLock(ttl=3, pause=4, horizon=5)
    result = run_check(protocol, properties=["single_holder"])
    assert result.violated
    (w,) = chart.build(protocol, result.trace, violation=result.property).witnesses
    assert w.lifelines == ["c1", "c2"] and w.note == "single_holder(): fails for p = (c1, c2)"


def test_a_protocols_hook_names_its_witnesses_raft_voters():
    """Raft's ``witnesses_election_safety``: each of a term's two leaders with its voters and their
    votes; s3, which voted twice, is in both."""
    protocol = Raft(terms=1, variant="votes-twice")
    result = run_check(protocol, deadlock=False)
    assert result.violated and result.property == "election_safety"
    c = chart.build(protocol, result.trace, violation=result.property)
    assert [(w.tag, w.lifelines) for w in c.witnesses] == [("V1", ["s1", "s3"]), ("V2", ["s2", "s3"])]
    for w in c.witnesses:
        (vote,) = [c.messages[i] for i in w.messages]
        assert vote.label.startswith("RequestVoteResponse") and vote.sender == "s3"
    assert "◆V1" in msc.to_dot(c)


class Hooked(Pinger):
    """Pinger with witness hooks: one names a message and a process, one raises."""

    def witnesses_quiet(self, s):
        return [("P", "the pinged", ["n2", self.Ping("n1", "n2"), "nobody"])]

    def witnesses_loud(self, s):
        raise RuntimeError("a bug in the hook")


def test_a_hook_names_processes_and_messages_and_a_broken_one_is_ignored():
    p = Hooked()
    trace = pinger_trace(p, [("send", {"i": "n1", "j": "n2"})])
    (w,) = chart.build(p, trace, violation="quiet").witnesses
    assert (w.tag, w.note, w.lifelines, w.messages) == ("P", "the pinged", ["n1", "n2"], [0])
    assert p.witnesses("quiet", trace[-1].state) is not None and Pinger().witnesses("quiet", None) is None
    assert chart.build(p, trace, violation="loud").witnesses == []  # the chart is still drawn


# -- messages never received -----------------------------------------------------------------


def test_an_undelivered_message_is_drawn_differently(out, paxos):
    _protocol, _result, c = paxos
    undelivered = c.undelivered()
    assert [c.messages[i].label for i in undelivered] == ["2b(bal=0, val=v1)", "2b(bal=1, val=v2)",
                                                          "2b(bal=1, val=v2)", "2b(bal=0, val=v1)"]
    source = (out / "msc.dot").read_text()
    for i in undelivered:
        assert re.search(rf'"f:{i}" \[shape=circle, [^\n]*fillcolor=white', source)  # an open circle
        assert re.search(rf'-> "f:{i}" \[style=dashed, arrowhead=none', source)  # a dashed arrow to it
    received = re.findall(r'^  "n:leader 0:6" -> "n:a2:7" \[([^\]]*)\]', source, re.M)
    assert received and "dashed" not in received[0]
    if have_dot():
        edges = svg_groups((out / "msc.svg").read_text(), "edge")
        dashed = [name for name, g in edges.items()
                  if any(p.get("stroke-dasharray") for p in g.iter(f"{SVG}path")) and not name.startswith("legend")]
        assert sorted(name.split("->")[1] for name in dashed) == sorted(f"f:{i}" for i in undelivered)


# -- the state graph ---------------------------------------------------------------------------


def test_state_graph_runs_down_the_page_within_a_bounded_width(out):
    """It was 5,195 pt wide (the trace across the page, 13 states side by side); now the trace
    runs down and the width is that of a trace state and its few drawn successors."""
    source = (out / "states.dot").read_text()
    assert "rankdir=TB" in source and "group=trace" in source
    for entry in ("a state of the trace", "the trace&#39;s last state", "another successor (off the trace)",
                  "successors not drawn", "a step of the trace", "another enabled step"):
        assert entry.replace("&#39;", "'") in source, entry
    if have_dot():
        svg = (out / "states.svg").read_text()
        assert svg_width(svg) <= 1200, svg_width(svg)
        assert "Legend" in svg and "a state of the trace" in svg


def test_state_graph_cuts_long_labels_and_keeps_them_as_tooltips():
    import networkx as nx

    long = "msgs + RequestVote(term=1, src=s1, dst=s2, lastLogTerm=0, lastLogIndex=0)"
    g = nx.MultiDiGraph(scope="s")
    g.add_node(0, label="initial state", on_path=True, last=False)
    g.add_node(1, label=long, full=f"currentTerm[s1] = 1\n{long}", on_path=True, last=True)
    g.add_edge(0, 1, label="timeout(i=s1)", on_path=True)
    source = stategraph.to_dot(g, title="t")
    assert long[: stategraph.MAX_LINE - 1] + "…" in source and long + '"' not in source.split("tooltip")[0]
    assert f'tooltip="currentTerm[s1] = 1\\n{long}"' in source


def test_state_graph_of_a_wide_level_is_drawn_across():
    """Direction: down unless drawing across is narrower (here one level of 30 states)."""
    import networkx as nx

    g = nx.MultiDiGraph(scope="s")
    g.add_node(0, label="initial state", on_path=True, last=False)
    for i in range(1, 31):
        g.add_node(i, label=f"x = {i}", on_path=i == 1, last=i == 1)
        g.add_edge(0, i, label=f"set(x={i})", on_path=i == 1)
    assert stategraph.direction(g) == "LR"
    assert "rankdir=LR" in stategraph.to_dot(g)


# -- the report ---------------------------------------------------------------------------------


def test_report_diagrams_zoom_and_pan_with_no_external_resource(out):
    page = (out / "report.html").read_text()
    assert page.count('<div class="zoom">') == 2 and 'data-zoom="fit"' in page and 'data-zoom="in"' in page
    assert "<script>" in page and "scrollLeft" in page
    assert not re.search(r'<script[^>]+src=|<link|@import|url\(', page)
    assert not re.search(r'(src|href)="https?:', page)
