"""The protocol contract: every hook a protocol may define is declared on ``Protocol``, and a buggy
variant is a ``@variant`` version of exactly the definitions it changes."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from checker import check
from checker.dsl import Environment, Protocol, QuorumError, Range, Variant, action, always, variant
from protocols.lease import LeaseLock
from protocols.paxos import Paxos
from tests.toys import Stepper

HOOKS = ["small_instance", "environment", "not_bounds", "INV", "components", "setup", "bounds", "explanation",
         "witnesses"]
PROTOCOLS = Path(__file__).resolve().parents[2] / "protocols"


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_has_a_default_and_a_docstring(name):
    member = vars(Protocol).get(name)
    assert member is not None, f"Protocol declares no default for the hook {name}"
    assert (member.__doc__ or "").strip(), f"the hook {name} has no docstring"
    getattr(Protocol, name)  # readable on the class: the default


def test_data_hooks_read_their_defaults():
    p = Stepper()
    assert (dict(Stepper.small_instance), p.environment, p.not_bounds, p.INV) == ({}, None, (), ())
    assert Paxos.INV[0] == "type_ok" and isinstance(Paxos(ballots=2).not_bounds, tuple)
    assert isinstance(LeaseLock(clock="relative").not_bounds, tuple) and LeaseLock(clock="relative").not_bounds


def test_the_unused_extend_hook_is_gone():
    assert not hasattr(Protocol, "extend")


def test_explanation_reads_explain_property():
    p = LeaseLock()
    s = p.initial_states()[0].update(stored=33, fence=34)
    assert p.explanation("safe_writes", s) == p.explain_safe_writes(s)
    assert "token 33" in p.explanation("safe_writes", s)
    assert p.explanation("handover", s) is None


@pytest.mark.parametrize(
    ("chosen", "after_one_step", "top", "holds"),
    [("correct", 1, 4, False), ("leaps", 2, 4, False), ("low-ceiling", 1, 2, True), ("lenient", 1, 4, True)],
)
def test_a_variant_replaces_exactly_its_definition(chosen, after_one_step, top, holds):
    p = Stepper(variant=chosen)
    s = p.initial_states()[0]
    step = p.action("step")
    assert step.fn(s).n == after_one_step  # the action: its variant's code, else the correct code
    assert p.top == top  # a helper read in setup
    assert check(p, deadlock=False).holds is holds  # the property (and everything else) as the variant defines it
    # the declaration stays the correct one's: same parameters, same description, same kind
    assert (step.param_names, step.doc) == ((), "n goes up by one.")
    assert p.properties["below_three"].kind == "always"


def test_the_class_keeps_the_correct_definitions():
    assert Stepper.ceiling(Stepper()) == 4
    assert inspect.getdoc(Stepper.step) == "n goes up by one."
    assert Stepper.step.__quorum__[0] == "action"


def test_a_variant_changes_the_state_space_and_the_correct_one_does_not():
    assert check(Stepper(), properties=[], deadlock=False).distinct_states == 5
    assert check(Stepper(variant="leaps"), properties=[], deadlock=False).distinct_states == 3
    assert check(Stepper(variant="low-ceiling"), properties=[], deadlock=False).distinct_states == 3


def test_variants_lists_the_decorated_variants_in_order():
    assert Stepper.variants() == {
        "correct": "steps by one up to the ceiling",
        "low-ceiling": "the counter stops at 2",
        "leaps": "steps by two, skipping the odd numbers",
        "lenient": "the invariant allows anything",
    }
    assert Stepper.param_specs()["variant"].default == "correct"
    assert set(Paxos.variants()) == {"correct", "phase2a-ignores-1b", "minority-quorums", "invents-value"}


def test_an_unknown_variant_is_an_error_with_a_suggestion():
    with pytest.raises(QuorumError, match="Did you mean 'leaps'"):
        Stepper(variant="leap")
    with pytest.raises(QuorumError, match="Did you mean 'phase2a-ignores-1b'"):
        Paxos(variant="phase2a-ignore-1b")


def test_variant_without_a_variant_parameter_gets_one():
    class Toggle(Protocol):
        def setup(self):
            self.var("n", Range(0, 1), init=0)

        @action
        def flip(self, s):
            return s.update(n=1 - s.n)

        def target(self):
            return 1

        @variant("stuck", "the target is 0")
        def target(self):  # noqa: F811 - a variant's version
            return 0

    assert list(Toggle.variants()) == ["correct", "stuck"]
    assert (Toggle().target(), Toggle(variant="stuck").target()) == (1, 0)


def test_a_subclass_adds_a_variant_of_an_inherited_method():
    class Careless(Stepper):
        @variant("careless", "steps by three")
        def step(self, s):
            return s.update(n=min(s.n + 3, 4))

    assert list(Careless.variants())[-1] == "careless" and "careless" not in Stepper.variants()
    assert Careless(variant="careless").action("step").fn(Careless().initial_states()[0]).n == 3
    assert Careless(variant="leaps").action("step").fn(Careless().initial_states()[0]).n == 2


def test_variant_mistakes_are_named():
    with pytest.raises(QuorumError, match="has no correct missing"):
        class NoCorrect(Protocol):
            @variant("x", "doc")
            def missing(self):
                return 0

    with pytest.raises(QuorumError, match="needs a description"):
        class NoDoc(Protocol):
            def f(self):
                return 0

            @variant("x")
            def f(self):  # noqa: F811
                return 1

    with pytest.raises(QuorumError, match="same parameters"):
        class Mismatch(Protocol):
            def f(self, s):
                return 0

            @variant("x", "doc")
            def f(self):  # noqa: F811
                return 1

    with pytest.raises(QuorumError, match="decorate only the correct one"):
        class Redeclared(Protocol):
            @always
            def p(self, s):
                return True

            @variant("x", "doc")
            @always
            def p(self, s):  # noqa: F811
                return False

    with pytest.raises(QuorumError, match="names the correct version"):
        class Correct(Protocol):
            variant = Variant(correct="as written")

            def f(self):
                return 0

            @variant("correct", "doc")
            def f(self):  # noqa: F811
                return 1

    with pytest.raises(QuorumError, match="defined twice"):
        class Twice(Protocol):
            def f(self):
                return 0

            def f(self):  # noqa: F811
                return 1


def test_variant_docs_may_be_listed_in_variant_to_fix_their_order():
    class Listed(Protocol):
        variant = Variant(correct="as written", b="the b bug", a="the a bug")

        def setup(self):
            self.var("n", Range(0, 1), init=0)

        def f(self):
            return 0

        @variant("a")
        def f(self):  # noqa: F811
            return 1

        @variant("b")
        def f(self):  # noqa: F811
            return 2

    assert list(Listed.variants()) == ["correct", "b", "a"]
    assert [Listed(variant=v).f() for v in Listed.variants()] == [0, 2, 1]


def test_environment_is_a_plain_attribute():
    class Networked(Protocol):
        def setup(self):
            self.var("msgs", Range(0, 1), init=0)
            self.environment = Environment(processes=None)

    assert Networked().environment == Environment(processes=None)


@pytest.mark.parametrize("path", sorted(PROTOCOLS.glob("[!_]*.py")), ids=lambda p: p.name)
def test_protocols_start_with_the_one_dsl_import_and_never_test_the_variant(path):
    text = path.read_text()
    checker_imports = [line for line in text.splitlines() if line.startswith(("from checker", "import checker"))]
    assert checker_imports == ["from checker.dsl import *"], path
    assert "self.variant" not in text, f"{path.name}: a variant is a @variant version, not an `if`"
