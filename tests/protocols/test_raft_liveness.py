"""Raft's eventually_leader: which timing and fairness assumptions make it hold (issue 7)."""

from __future__ import annotations

import pytest

from checker.cli.spec import load_spec
from checker.core.engines import run
from checker.explicit.bfs import explore
from checker.explicit.liveness import check_liveness
from checker.smt.bmc import bmc
from protocols.raft import Raft

FAIR = {"timeout": "weak(i)", "handle_request_vote": "weak(m)", "handle_vote_response": "weak(m)",
        "become_leader": "weak(i)"}
SERVERS = ("s1", "s2", "s3")


def run_spec(name: str):
    spec = load_spec(f"specs/{name}.toml")
    result = run(spec.engine, spec.build(), spec.properties, spec.options)
    assert spec.expectation_met(result), (name, result.verdict, result.property, len(result.trace) - 1)
    return result


def raft(timeouts: str, servers: int = 3, **fair: str | None) -> Raft:
    proto = Raft(servers=servers, terms=2, log_length=0, timeouts=timeouts)
    for name, decl in {**FAIR, **fair}.items():
        proto.action(name).fairness = decl
    return proto


def test_staggered_timeouts_elect_a_leader_without_reaching_the_term_bound():
    result = run_spec("raft-liveness")
    assert result.holds and result.distinct_states == 5029
    assert "bounds_note" not in result.extra  # no run reaches term 2: true for every term bound
    assert result.coverage["become_leader"] > 0


@pytest.mark.parametrize("action", sorted(FAIR))
def test_each_fairness_assumption_is_needed(action):
    result = check_liveness(raft("staggered", **{action: None}), ["eventually_leader"], deadlock=False)
    assert result.violated and result.property == "eventually_leader"
    assert result.extra["loop_start"] == len(result.trace) - 1  # the run stops ...
    assert action in result.message  # ... where only the unfair action could move it
    assert "bounds_hit" not in result.extra


def test_an_undelivered_request_blocks_every_other_timer():
    result = run_spec("raft-liveness-lost-request")
    assert [s.label for s in result.trace[1:]] == ["timeout(i=s1)"]
    proto = load_spec("specs/raft-liveness-lost-request.toml").build()
    last = result.trace[-1].state
    assert proto.may_win(last, "s1")
    assert not any(proto.action("timeout").fn(last, i) for i in SERVERS)


def test_any_timeouts_split_votes_at_every_server_count():
    result = check_liveness(raft("any", servers=2), ["eventually_leader"], deadlock=False)
    assert result.violated and result.extra["loop_start"] == len(result.trace) - 1
    last = result.trace[-1].state
    assert all(last.role[i] == "candidate" and last.currentTerm[i] == 2 for i in ("s1", "s2"))
    assert {"currentTerm[s1] = 2", "currentTerm[s2] = 2"} <= set(result.extra["bounds_hit"])


@pytest.mark.slow
def test_three_servers_split_votes_to_the_term_bound():
    result = run_spec("raft-liveness-split-votes-3")
    last = result.trace[-1].state
    assert all(last.role[i] != "leader" for i in SERVERS)
    assert {f"currentTerm[{i}] = 2" for i in SERVERS} <= set(result.extra["bounds_hit"])


def test_eventually_staggered_holds_only_within_the_term_bound():
    result = check_liveness(raft("eventually-staggered", servers=2), ["eventually_leader"], deadlock=False)
    assert result.holds and "currentTerm[s1] = 2" in result.extra["bounds_note"]
    # it allows split votes below the bound, which "staggered" excludes
    split = explore(Raft(servers=2, terms=2, log_length=0, timeouts="eventually-staggered"),
                    ["election_safety"], deadlock=False)
    assert split.distinct_states > explore(Raft(servers=2, terms=2, log_length=0, timeouts="staggered"),
                                           ["election_safety"], deadlock=False).distinct_states


@pytest.mark.slow
def test_eventually_staggered_three_servers():
    result = run_spec("raft-liveness-eventually-staggered")
    assert result.holds and result.distinct_states == 18944 and "bounds_note" in result.extra


def test_the_default_model_is_unchanged():
    assert Raft().timeouts == "any"
    assert explore(Raft(terms=1), deadlock=False).distinct_states == 2297


@pytest.mark.parametrize(("timeouts", "verdict"), [("any", "violated"), ("staggered", "limit")])
def test_z3_reads_the_timing_guard(timeouts, verdict):
    """votes-twice needs two candidates at once: staggered timeouts hide it, in both engines."""
    def proto():
        return Raft(servers=2, terms=1, log_length=0, variant="votes-twice", timeouts=timeouts)

    explicit = explore(proto(), ["election_safety"], deadlock=False)
    found = bmc(proto(), ["election_safety"], max_depth=8, deadlock=False, max_seconds=60)
    assert found.verdict == verdict
    assert explicit.verdict == ("violated" if verdict == "violated" else "holds")
    if verdict == "violated":
        assert len(found.trace) == len(explicit.trace) == 9
