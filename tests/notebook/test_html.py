"""A Result in Jupyter: ``_repr_html_`` (verdict, why, step table, chart as inline SVG) and a short repr."""


from checker import check
from checker.core import result as core_result
from checker.notebook import result_html
from checker.render import chart, dot
from protocols.paxos import Paxos
from tests.toys import Counter


def test_the_facade_installs_the_renderer_once():
    from checker.notebook import install

    install()
    assert core_result.html_renderers.count(result_html) == 1


def test_a_counterexample_shows_verdict_why_steps_and_chart(paxos_buggy):
    html = paxos_buggy._repr_html_()
    assert html.startswith('<div class="quorum-result">') and html.endswith("</div>")
    assert "violated: agreement after 12 steps" in html
    assert "At most one value is chosen (Consensus.tla: Cardinality(chosen) &lt;= 1)" in html  # escaped
    assert "Why it failed" in html and "chosen_at(b=0, v=v1)" in html
    assert html.count('<td class="q-action">') == len(paxos_buggy.trace) == 13
    assert '<tr class="q-last"><td>12</td><td class="q-action">phase2b(a=a3, m=2a(bal=0, val=v1))' in html
    assert '<span class="q-changed">maxBal[a1] = 1</span>' in html  # what a step changed, not the whole state
    if dot.have_dot():
        assert '<div class="q-chart"><svg' in html and "<?xml" not in html
    assert "<style>" in html and "body {" not in html  # styles scoped to the fragment


def test_without_graphviz_the_chart_is_a_note(paxos_buggy, monkeypatch):
    monkeypatch.setattr(dot, "have_dot", lambda: False)
    html = paxos_buggy._repr_html_()
    assert "<svg" not in html and "graphviz" in html and "apt-get install graphviz" in html
    assert "Why it failed" in html  # the rest is unchanged


def test_a_chart_that_fails_to_draw_is_a_note_not_a_broken_cell(paxos_buggy, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("no lifelines")

    monkeypatch.setattr(chart, "build", boom)
    html = paxos_buggy._repr_html_()
    assert "no chart: RuntimeError: no lifelines" in html and "<table class=\"q-steps\">" in html


def test_a_result_that_holds_shows_its_figures_and_no_trace(paxos_correct):
    html = paxos_correct._repr_html_()
    assert "holds: agreement, validity, value_chosen" in html and "#2e7d32" in html
    assert "3,921 distinct states" in html and "coverage: phase1a" in html
    assert "<table" not in html and "<svg" not in html


def test_without_a_renderer_jupyter_falls_back_to_the_repr(paxos_buggy, monkeypatch):
    monkeypatch.setattr(core_result, "html_renderers", [])
    assert paxos_buggy._repr_html_() is None


def test_the_repr_is_one_short_line(paxos_buggy, paxos_correct):
    assert repr(paxos_buggy) == (
        "<Result violated: agreement after 12 steps | Paxos(ballots=2, variant='phase2a-ignores-1b')"
        f" | explicit: 3,342 states, depth 13, {paxos_buggy.elapsed_s:.2f} s>")
    assert repr(paxos_correct).startswith(
        "<Result holds: agreement, validity, value_chosen | Paxos(ballots=2) | explicit")
    limited = check(Paxos(ballots=2), engine="explicit", max_states=10)
    assert repr(limited).startswith("<Result limit: state limit 10 reached") and "\n" not in repr(limited)
    assert repr(check(Counter())).startswith("<Result violated: deadlock after 3 steps | Counter() |")
    for r in (paxos_buggy, paxos_correct, limited):
        assert len(repr(r)) < 200
