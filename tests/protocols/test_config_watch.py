"""Configuration distribution on ZooKeeper and etcd watches: the one-time watch re-registered with
the read, the ``no-reread`` variant's lost change (safety trace and liveness lasso), and etcd
streams, which lose nothing in either code order."""

from __future__ import annotations

import pytest

from checker import check
from checker.cli.spec import load_spec
from checker.core.engines import run
from checker.explicit.liveness import check_liveness
from checker.smt.bmc import bmc
from protocols.config_watch import ConfigWatch

FAIR = {"read": "weak(n)", "register": "weak(n)", "changed": "weak(n)"}


def run_spec(name: str):
    spec = load_spec(f"specs/{name}.toml")
    result = run(spec.engine, spec.build(), spec.properties, spec.options)
    assert spec.expectation_met(result), (name, result.verdict, result.property, len(result.trace) - 1)
    return result


def fair(proto: ConfigWatch, **changes: str | None) -> ConfigWatch:
    for name, decl in {**FAIR, **changes}.items():
        proto.action(name).fairness = decl
    return proto


def labels(result) -> list[str]:
    return [s.label for s in result.trace[1:]]


# -- safety ----------------------------------------------------------------------------------------


def test_re_registering_before_reading_never_leaves_a_node_silently_stale():
    result = run_spec("config-watch")
    assert result.holds and result.distinct_states == 217
    assert result.goals["all_current"] == 6
    assert not result.warnings  # every step of the recipe fires: register, read, changed
    assert min(result.coverage[a] for a in ("register", "read", "changed")) > 0


def test_re_registering_after_the_read_misses_the_change_in_between():
    result = run_spec("config-watch-no-reread")
    assert result.property == "never_silently_stale" and len(result.trace) - 1 == 3
    assert labels(result) == ["read(n=n1)", "publish", "register(n=n1)"]
    last = result.trace[-1].state
    assert (last.applied["n1"], last.data["/config"], last.pc["n1"]) == (0, 1, "watching")
    assert last.watch["n1"] == "/config" and not last.events  # watching, and nothing will ever fire


@pytest.mark.parametrize(("variant", "states", "goal"), [("correct", 145, 6), ("no-reread", 145, 4)])
def test_etcd_streams_miss_nothing_in_either_code_order(variant, states, goal):
    result = check(ConfigWatch(watches="stream", variant=variant))
    assert result.holds and result.distinct_states == states and result.goals["all_current"] == goal


def test_a_lost_notification_leaves_even_the_correct_recipe_stale():
    result = check(ConfigWatch(faults=["loss"]))
    assert result.property == "never_silently_stale" and len(result.trace) - 1 == 4
    assert result.trace[-1].action == "lose"


def test_bmc_finds_the_same_three_step_trace():
    found = bmc(ConfigWatch(variant="no-reread"), max_depth=3)
    assert found.verdict == "violated" and found.property == "never_silently_stale" and len(found.trace) - 1 == 3
    assert bmc(ConfigWatch(), max_depth=7).verdict == "limit"  # the correct recipe: nothing up to depth 7


# -- liveness ------------------------------------------------------------------------------------


def test_once_the_admin_stops_every_node_converges_with_one_time_watches():
    result = run_spec("config-watch-liveness")
    assert result.holds and result.distinct_states == 217
    assert "bounds_note" not in result.extra


def test_no_reread_leaves_a_node_on_a_stale_config_for_ever():
    result = run_spec("config-watch-liveness-no-reread")
    assert result.property == "converges" and len(result.trace) - 1 == 6
    assert result.extra["instance"] == "converges(n=n1)" and result.extra["loop_start"] == 6
    assert labels(result) == ["publish", "read(n=n1)", "publish", "register(n=n1)", "read(n=n2)", "register(n=n2)"]
    last = result.trace[-1].state
    assert (last.applied["n1"], last.applied["n2"], last.data["/config"]) == (1, 2, 2)
    assert "bounds_hit" not in result.extra  # the admin stopping is the scenario, not a bound
    assert "no action can change the state" in result.message


@pytest.mark.parametrize(("variant", "states"), [("correct", 145), ("no-reread", 145)])
def test_with_etcd_streams_every_node_converges_in_either_code_order(variant, states):
    result = run_spec("config-watch-liveness-stream" + ("" if variant == "correct" else "-no-reread"))
    assert result.holds and result.distinct_states == states


@pytest.mark.parametrize("dropped", ["read", "changed"])
def test_each_fairness_assumption_is_needed(dropped):
    result = check_liveness(fair(ConfigWatch(), **{dropped: None}), ["converges"])
    assert result.violated and result.property == "converges"


def test_the_admin_need_not_be_fair_the_property_starts_when_it_stops():
    assert check_liveness(fair(ConfigWatch(), publish="weak"), ["converges"]).holds
    assert check_liveness(fair(ConfigWatch(variant="no-reread"), publish="weak"), ["converges"]).violated


def test_stream_no_reread_needs_the_late_registration_to_happen():
    result = check_liveness(fair(ConfigWatch(watches="stream", variant="no-reread"), register=None), ["converges"])
    assert result.violated and "registering" in result.trace[-1].state.pc.values()
