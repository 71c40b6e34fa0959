"""A protocol as a Hypothesis ``RuleBasedStateMachine``, for a user's own test suite::

    from checker.hyp.statemachine import as_state_machine
    TestPaxos = as_state_machine(Paxos(acceptors=5)).TestCase   # pytest collects it

Each action is a rule whose precondition is "the action is enabled somewhere" (its guard holds
for some parameters drawn from their domains) and which then draws one enabled instance; each
invariant (``@always`` property) is a Hypothesis invariant. Two things Hypothesis users miss are
fixed here: a failing run is reported as protocol steps (action, parameters, what changed) and
replayed through ``checker.core.replay`` first, and after the run the rules that never ran, and the
goals never reached, are reported (a warning, or a failure with ``require_all_rules=True``).
"""

from __future__ import annotations

import unittest
import warnings
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from checker.core import semantics
from checker.core.diff import trace_text
from checker.core.properties import select_properties
from checker.core.replay import confirm_violation
from checker.core.shrink import shrink_trace
from checker.core.trace import Step
from checker.dsl.protocol import Protocol


class CoverageWarning(UserWarning):
    """Some rules of a protocol state machine never ran (or goals were never reached)."""


class ProtocolMachine(RuleBasedStateMachine):
    """Base of the generated machines: holds the protocol state and the trace that reached it."""

    protocol: Protocol
    invariant_names: list[str]
    goal_fns: dict[str, Any]
    require_all_rules = False
    deadlock = True
    # Per test run (reset by the TestCase): steps taken / states in which each action was enabled.
    fired: dict[str, int]
    enabled_in: dict[str, int]
    goals_reached: set[str]

    def __init__(self) -> None:
        super().__init__()
        self.trace: list[Step] = []
        self._cache: tuple[Any, dict[str, dict[str, Step]]] | None = None
        initials = semantics.initial_states(self.protocol)
        if len(initials) == 1:
            self._start(initials[0])

    def _start(self, state: tuple) -> None:
        self.trace = [Step("Init", {}, state)]
        self._note_goals(state)

    def _enabled(self) -> dict[str, dict[str, Step]]:
        """Per action, its enabled instances in the current state, by label (computed once per state)."""
        state = self.trace[-1].state
        if self._cache is None or self._cache[0] is not state:
            by_action: dict[str, dict[str, Step]] = {}
            try:
                found = semantics.steps(self.protocol, state)
            except Exception as exc:  # noqa: BLE001 - an exception in a model is a finding
                raise AssertionError(
                    f"an action raised {type(exc).__name__}: {exc} in the state after\n"
                    + trace_text(self.protocol, self.trace)
                ) from exc
            for name, params, nxt in found:
                step = Step(name, params, nxt)
                by_action.setdefault(name, {})[step.label] = step
            for name in by_action:
                self.enabled_in[name] += 1
            self._cache = (state, by_action)
        return self._cache[1]

    def _fire(self, name: str, data: st.DataObject) -> None:
        choices = self._enabled()[name]
        label = data.draw(st.sampled_from(sorted(choices)), label=name)
        self.trace.append(choices[label])
        self.fired[name] += 1
        self._note_goals(choices[label].state)

    def _note_goals(self, state: tuple) -> None:
        for goal, fn in self.goal_fns.items():
            if goal not in self.goals_reached and fn(state):
                self.goals_reached.add(goal)

    @precondition(lambda self: bool(self.trace) and not self._enabled())
    @rule()
    def no_action_enabled(self) -> None:
        """A state without successors: a deadlock (reported, as by the explorer), or the run idles."""
        if self.deadlock:
            confirm_violation(self.protocol, self.trace, "deadlock", source="state machine")
            raise AssertionError(f"deadlock: no action is enabled after {len(self.trace) - 1} steps "
                                 f"({self.protocol.describe()}):\n{trace_text(self.protocol, self.trace)}")

    def _violation(self, prop: str) -> AssertionError:
        """The failure message: the run as protocol steps, replayed, and a shorter trace if there is one."""
        proto = self.protocol
        trace = confirm_violation(proto, self.trace, prop, source="state machine")
        text = f"{prop} violated after {len(trace) - 1} steps ({proto.describe()}):\n{trace_text(proto, trace)}"
        short = shrink_trace(proto, trace, prop)
        if len(short) < len(trace):
            text += f"\nthe same steps reach it in {len(short) - 1} (checker.shrink):\n{trace_text(proto, short)}"
        return AssertionError(text)


class _CoverageTestCase:
    """``Machine.TestCase``: runs the machine, then reports rules that never ran and goals never reached."""

    def __init__(self) -> None:
        self._made: dict[type, type] = {}

    def __get__(self, obj: Any, machine: type) -> type:
        if machine not in self._made:
            self._made[machine] = _test_case_for(machine)
        return self._made[machine]


def _test_case_for(machine: type) -> type:
    class ProtocolTestCase(unittest.TestCase):
        settings = settings(deadline=None, suppress_health_check=list(HealthCheck))

        def runTest(self) -> None:  # noqa: N802 - unittest's name
            machine.fired = dict.fromkeys(machine.fired, 0)
            machine.enabled_in = dict.fromkeys(machine.enabled_in, 0)
            machine.goals_reached = set()
            run_state_machine_as_test(machine, settings=self.settings)
            report = coverage_report(machine)
            if report and machine.require_all_rules:
                raise AssertionError(report)
            if report:
                warnings.warn(report, CoverageWarning, stacklevel=2)

    ProtocolTestCase.__name__ = ProtocolTestCase.__qualname__ = f"{machine.__name__}.TestCase"
    return ProtocolTestCase


def coverage_report(machine: type) -> str:
    """What the last run never exercised, in words; empty if every rule ran and every goal was reached."""
    lines = []
    for name, count in machine.fired.items():
        if count == 0:
            enabled = machine.enabled_in[name]
            why = "its guard never held" if enabled == 0 else f"enabled in {enabled} states but never chosen"
            lines.append(f"rule {name} never ran ({why})")
    lines += [f"goal {g} was never reached" for g in machine.goal_fns if g not in machine.goals_reached]
    if not lines:
        return ""
    return f"{machine.protocol.describe()}: " + "; ".join(lines)


def as_state_machine(protocol: Protocol, properties: list[str] | None = None, *,
                     require_all_rules: bool = False, deadlock: bool = True) -> type[ProtocolMachine]:
    """A ``RuleBasedStateMachine`` subclass for ``protocol``: one rule per action, one invariant per
    ``@always`` property (``properties`` names them; default: the protocol's own). A state with no
    enabled action fails the test unless ``deadlock=False``."""
    selected = select_properties(protocol, properties)
    names = [a.name for a in protocol.actions]
    body: dict[str, Any] = {
        "protocol": protocol,
        "invariant_names": [p.name for p in selected if p.kind == "always"],
        "goal_fns": {p.name: p.fn for p in selected if p.kind == "sometimes"},
        "require_all_rules": require_all_rules,
        "deadlock": deadlock,
        "fired": dict.fromkeys(names, 0),
        "enabled_in": dict.fromkeys(names, 0),
        "goals_reached": set(),
        "TestCase": _CoverageTestCase(),
    }
    initials = semantics.initial_states(protocol)
    if len(initials) > 1:
        body["init"] = initialize(index=st.sampled_from(range(len(initials))))(
            lambda self, index: self._start(initials[index])
        )
    for name in names:
        body[_free_name(name)] = _rule_for(name)
    for prop in selected:
        if prop.kind == "always":
            body[_free_name(prop.name)] = _invariant_for(prop.name, prop.fn)
    return type(f"{type(protocol).__name__}Machine", (ProtocolMachine,), body)


def _free_name(name: str) -> str:
    """The attribute name for a rule or invariant, avoiding Hypothesis's own (``teardown``...)."""
    return f"{name}_" if hasattr(ProtocolMachine, name) else name


def _rule_for(name: str) -> Any:
    def fire(self: ProtocolMachine, data: st.DataObject) -> None:
        self._fire(name, data)

    fire.__name__ = fire.__qualname__ = _free_name(name)
    return precondition(lambda self: bool(self.trace) and name in self._enabled())(rule(data=st.data())(fire))


def _invariant_for(prop: str, fn: Any) -> Any:
    def holds(self: ProtocolMachine) -> None:
        if self.trace and not fn(self.trace[-1].state):
            raise self._violation(prop)

    holds.__name__ = holds.__qualname__ = _free_name(prop)
    return invariant()(holds)
