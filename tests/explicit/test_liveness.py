"""Liveness: eventually / leads_to under weak, strong and per-parameter fairness; lassos replayed."""

from __future__ import annotations

import pytest

from checker import Bool, Map, Nodes, Not, Protocol, QuorumError, action, always_eventually, eventually, leads_to
from checker.cli.spec import load_spec, parse_spec
from checker.core.engines import run
from checker.core.trace import Step
from checker.errors import InternalError
from checker.explicit.liveness import Instance, check_liveness, confirm_lasso
from protocols.paxos import Paxos
from tests.toys import Counter


class Toggle(Protocol):
    """A flag flips for ever; `finish` is possible only while the flag is on."""

    def setup(self) -> None:
        self.var("on", Bool(), init=False)
        self.var("done", Bool(), init=False)

    @action(fair="weak")
    def flip(self, s):
        return s.update(on=Not(s.on))

    @action(fair="strong")
    def finish(self, s):
        if s.guard(s.on) and s.guard(Not(s.done)):
            return s.update(done=True)

    @eventually
    def finished(self, s):
        return s.done

    @always_eventually
    def on_again(self, s):
        return s.on


class Workers(Protocol):
    """Two workers share a server; each `serve(w)` serves w and flips the server's phase."""

    def setup(self) -> None:
        self.Worker = Nodes("w", 2)
        self.var("served", Map(self.Worker, Bool()), init=False)
        self.var("phase", Bool(), init=False)

    @action(w="Worker")
    def serve(self, s, w):
        return s.update(served=s.served.set(w, True), phase=Not(s.phase))

    @leads_to(w="Worker")
    def request_served(self, s, w):
        return True, s.served[w]


def test_strong_fairness_makes_a_flickering_action_happen():
    assert check_liveness(Toggle(), ["finished"]).holds


def test_weak_fairness_is_not_enough_for_a_flickering_action_and_the_lasso_is_a_cycle():
    proto = Toggle()
    proto.action("finish").fairness = "weak"
    result = check_liveness(proto, ["finished"])
    assert result.violated and result.property == "finished"
    loop = result.extra["loop_start"]
    assert [s.action for s in result.trace] == ["Init", "flip", "flip"] and loop == 0
    assert result.trace[loop].state == result.trace[-1].state


def test_always_eventually_holds_when_the_flag_keeps_flipping():
    assert check_liveness(Toggle(), ["on_again"]).holds


def test_without_fairness_a_run_may_stop_anywhere():
    proto = Toggle()
    proto.action("flip").fairness = None
    result = check_liveness(proto, ["on_again"])
    assert result.violated and len(result.trace) == 1 and "no fairness assumption forces it" in result.message


@pytest.mark.parametrize(("fair", "verdict"), [("weak", "violated"), ("weak(w)", "holds")])
def test_per_parameter_fairness_serves_each_worker(fair, verdict):
    proto = Workers()
    proto.action("serve").fairness = fair
    result = check_liveness(proto, ["request_served"])
    assert result.verdict == verdict
    if verdict == "violated":  # fair to `serve` as a whole, yet one worker starves
        assert result.extra["instance"] in ("request_served(w=w1)", "request_served(w=w2)")


def test_deadlock_is_its_own_finding_not_a_lasso():
    class Stops(Counter):
        @eventually
        def past_limit(self, s):
            return s.n > self.limit

    result = check_liveness(Stops(), ["past_limit"])
    assert result.violated and result.property == "deadlock" and "loop_start" not in result.extra
    lasso = check_liveness(Stops(), ["past_limit"], deadlock=False)
    assert lasso.property == "past_limit" and lasso.extra["loop_start"] == len(lasso.trace) - 1


def test_the_explicit_engine_hands_liveness_to_the_liveness_engine_and_reports_the_ballot_bound():
    from checker import check

    proto = Paxos(ballots=2)
    for name, fair in {"phase1a": "weak(b)", "phase1b": "weak(a, m)", "phase2b": "weak(a, m)"}.items():
        proto.action(name).fairness = fair
    result = check(proto, properties=["eventually_chosen"])
    assert result.engine == "liveness" and result.violated
    assert "maxBal[a1] = 1" in result.extra["bounds_hit"]
    assert result.distinct_states == 3921


def test_paxos_terminates_within_ballots_0_1_under_full_fairness_with_a_bounds_note():
    spec = load_spec("specs/paxos-liveness-small.toml")
    result = run(spec.engine, spec.build(), spec.properties, spec.options)
    assert result.holds and "maxBal[a1] = 1" in result.extra["bounds_note"]


def test_two_phase_commit_blocks_when_the_coordinator_crashes():
    spec = load_spec("specs/two-phase-liveness-crash.toml")
    result = run(spec.engine, spec.build(), spec.properties, spec.options)
    assert result.violated and result.property == "rm_decides"
    assert result.trace[-1].action == "crash"
    ok = load_spec("specs/two-phase-liveness.toml")
    assert run(ok.engine, ok.build(), ok.properties, ok.options).holds


def test_the_gate_rejects_an_unfair_or_open_cycle():
    proto = Toggle()
    inst = Instance(proto.properties["finished"], {})
    init = proto.initial_states()[0]
    on = init.update(on=True)
    lasso = [Step("Init", {}, init), Step("flip", {}, on), Step("flip", {}, init)]
    with pytest.raises(InternalError, match="not fair to finish"):
        confirm_lasso(proto, lasso, 0, inst)  # finish is strongly fair and enabled at `on`
    with pytest.raises(InternalError, match="does not return"):
        confirm_lasso(proto, lasso[:2], 0, inst)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"flipp": "weak"}, "Did you mean 'flip'"),
        ({"flip": "wek"}, "Did you mean 'weak'"),
        ({"flip": "weak(x)"}, "names parameter 'x'"),
        ({"flip": 3}, "is not one of"),
    ],
)
def test_bad_fairness_in_a_spec_names_the_file_and_the_fix(table, message):
    spec = parse_spec({"protocol": "tests.explicit.test_liveness:Toggle", "fairness": table}, "t.toml")
    with pytest.raises(QuorumError, match=message) as err:
        spec.build()
    assert "t.toml" in str(err.value)


def test_fairness_typo_in_a_decorator_fails_when_the_protocol_is_built():
    class Bad(Toggle):
        @action(fair="strnog")
        def flip(self, s):
            return s.update(on=Not(s.on))

    with pytest.raises(QuorumError, match="Did you mean 'strong'"):
        Bad()


def test_fingerprints_are_refused_for_liveness():
    with pytest.raises(QuorumError, match="fingerprints"):
        check_liveness(Toggle(), ["finished"], store="fingerprints")
