"""Explanations with values: a comparison shows both operands, a ``Count`` the members it counted,
an ``Exists`` its witness and a ``ForAll`` its counterexample, a deadlock each action's failing
guard, a liveness instance its trigger and response; and the watched evaluation never changes
what the property says (a property written for concrete values only falls back to plain words)."""

from __future__ import annotations

import pytest

from checker import Count, Exists, ForAll, Map, Nodes, Not, Option, Protocol, Range, action, always, leads_to
from checker.render.explain import evaluate, explain


class Counters(Protocol):
    """Three counters that may be bumped up to 3."""

    def setup(self):
        self.Node = Nodes("n", 3)
        self.var("x", Map(self.Node, Range(0, 3)), init=0)
        self.var("limit", Range(0, 3), init=2)
        self.var("last", Option(self.Node), init=None)

    @action(n="Node")
    def bump(self, s, n):
        """n counts one more."""
        if s.guard(s.x[n] < 3):
            return s.update(x=s.x.set(n, s.x[n] + 1), last=n)

    @always
    def under_limit(self, s):
        return ForAll(self.Node, lambda n: s.x[n] <= s.limit)

    @always
    def one_busy(self, s):
        return Count(self.Node, lambda n: s.x[n] > 0) <= 1

    @always
    def someone_idle(self, s):
        return Exists(self.Node, lambda n: s.x[n] == 0)

    @always
    def small_total(self, s):
        return sum(s.x[n] for n in self.Node) + 1 <= s.limit * 2

    @always(default=False)
    def bumped(self, s):
        """Written for concrete values only (``is``): the explanation must not be wrong about it."""
        return Not(s.last is None)

    @leads_to(n="Node")
    def finishes(self, s, n):
        return s.x[n] == 1, s.x[n] == 3


@pytest.fixture(scope="module")
def protocol():
    return Counters()


def state(protocol, x, limit=2, last=None):
    s0 = protocol.initial_states()[0]
    return s0.update(x=protocol.variables["x"].domain.make(dict(zip(["n1", "n2", "n3"], x, strict=True))),
                     limit=limit, last=last)


def test_a_failing_comparison_shows_both_operands(protocol):
    why = explain(protocol, state(protocol, [1, 3, 0]), "under_limit").text
    assert "false: n in {n1, n2, n3} — it fails for n = n2" in why
    assert why.splitlines()[-1].strip() == "x[n2] = 3 > 2 = limit"


def test_count_shows_the_members_it_counted(protocol):
    why = explain(protocol, state(protocol, [1, 3, 0]), "one_busy").text
    assert "one_busy(): |{n1, n2}| = 2 > 1" in why
    assert "counted: n in {n1, n2, n3} — it holds for n = n1, n = n2" in why
    assert "x[n1] = 1 > 0" in why and "x[n2] = 3 > 0" in why


def test_exists_without_a_witness_shows_each_candidate(protocol):
    why = explain(protocol, state(protocol, [1, 3, 2]), "someone_idle").text
    assert "no n in {n1, n2, n3} satisfies it" in why
    assert "n = n1: x[n1] = 1 ≠ 0" in why and "n = n3: x[n3] = 2 ≠ 0" in why


def test_arithmetic_keeps_its_expression(protocol):
    why = explain(protocol, state(protocol, [1, 3, 0]), "small_total").text
    assert why.splitlines()[-1].strip() == "small_total(): x[n1] + x[n2] + x[n3] + 1 = 5 > 4 = limit * 2"


def test_a_property_for_concrete_values_only_falls_back_to_plain_words(protocol):
    s = state(protocol, [0, 0, 0])
    why = explain(protocol, s, "bumped")
    assert why.text.splitlines()[1:] == ["  bumped(): not: the negated condition holds", "    a condition holds"]


@pytest.mark.parametrize("x", [[0, 0, 0], [1, 3, 0], [3, 3, 3], [1, 2, 2]])
def test_the_watched_evaluation_agrees_with_the_plain_one(protocol, x):
    s = state(protocol, x, last="n1" if x[0] else None)
    for name, prop in protocol.properties.items():
        if prop.kind == "always":
            assert bool(evaluate(protocol, prop.fn, s)) == bool(prop.fn(s)), name


def test_a_deadlock_names_each_failing_guard_with_values(protocol):
    why = explain(protocol, state(protocol, [3, 3, 3]), "deadlock").text
    assert why.splitlines() == ["no action is enabled in the last state:", "  bump(n=n1): x[n1] = 3 ≥ 3"]


def test_a_liveness_instance_shows_its_trigger_and_response(protocol):
    why = explain(protocol, state(protocol, [1, 3, 0]), "finishes").text
    assert "  for n=n1: the trigger holds and the response does not" in why
    assert "trigger: finishes(n=n1): x[n1] = 1" in why and "response: finishes(n=n1): x[n1] = 1 ≠ 3" in why
    assert "n=n2" not in why  # x[n2] = 3: its response holds
