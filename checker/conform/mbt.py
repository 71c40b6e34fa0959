"""Model-based testing: drive a real implementation and the protocol in lockstep.

The user writes an *adapter*: a class built fresh for every run (its ``__init__`` creates the
implementation), with one method per protocol action, named like the action and taking its
parameters, that makes the corresponding call(s) on the implementation, and an ``observe()``
that reports the implementation's state in the protocol's terms: ``{variable: value}`` in the
JSON form of ``quorum validate`` logs (maps as ``{key: value}``, sets as lists), any subset of
the variables and of a map's keys. See ``examples/leaselock/adapter.py``.

Each run, Hypothesis draws one enabled step of the model after another; the adapter performs it
on the implementation, and the observation must equal the model's next state. The first
difference (or an exception from the implementation) is a *divergence*: Hypothesis shrinks the
run, ``checker.shrink.drop_steps`` drops steps and runs of steps while it still diverges, and
the report shows the steps, then what the implementation has that the model does not.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as fix_seed
from hypothesis import strategies as st

from checker.conform.validate import state_differences
from checker.core import semantics
from checker.core.diff import trace_text
from checker.core.replay import replay
from checker.core.shrink import Label, drop_steps, labels_of
from checker.core.trace import Step
from checker.dsl.protocol import Protocol
from checker.errors import QuorumError
from checker.hyp.simulate import BudgetSpent


class Adapter:
    """Base class of adapters: one method per protocol action, plus ``observe``."""

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol

    def observe(self) -> dict[str, Any]:
        """The implementation's state as protocol variables (JSON form; any subset)."""
        raise NotImplementedError(f"{type(self).__name__}.observe()")


class Divergence(AssertionError):
    """The implementation did not do what the model did at the last step of ``trace``."""

    def __init__(self, trace: list[Step], differences: list[str]) -> None:
        super().__init__("; ".join(differences))
        self.trace, self.differences = trace, differences


@dataclass
class Conformance:
    """The outcome of a model-based test run."""

    ok: bool
    protocol: Protocol
    seed: int
    walks: int = 0
    steps: int = 0
    elapsed_s: float = 0.0
    coverage: dict[str, int] = field(default_factory=dict)
    trace: list[Step] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)
    hypothesis_steps: int = 0

    def report(self) -> str:
        head = (f"{self.walks:,} runs, {self.steps:,} steps in {self.elapsed_s:.2f}s (seed {self.seed}) "
                f"against {self.protocol.describe()}")
        if self.ok:
            never = [a for a, c in self.coverage.items() if c == 0]
            return f"conforms: {head}" + (f"; actions never taken: {', '.join(never)}" if never else "")
        return (f"diverges after {len(self.trace) - 1} steps ({self.hypothesis_steps} before the protocol-aware "
                f"pass): {head}\n{trace_text(self.protocol, self.trace)}\n"
                f"after the last step the implementation differs from the model:\n  "
                + "\n  ".join(self.differences))


def _check_adapter(protocol: Protocol, adapter_cls: type) -> None:
    missing = [a.name for a in protocol.actions if not callable(getattr(adapter_cls, a.name, None))]
    if missing:
        raise QuorumError(f"adapter {adapter_cls.__name__} has no method for the actions {', '.join(missing)} of "
                          f"{type(protocol).__name__}: add one per action, taking its parameters")


def run_lockstep(protocol: Protocol, adapter_cls: type[Adapter], init: tuple, labels: list[Label]) -> Divergence | None:
    """Replay ``labels`` on the model and a fresh implementation; the first divergence, if any."""
    adapter = adapter_cls(protocol)
    trace = [Step("Init", {}, init)]
    diff = state_differences(protocol, init, adapter.observe(), "implementation")
    if diff:
        return Divergence(trace, diff)
    for name, values in labels:
        act = protocol.action(name)
        nxt = semantics.fire(act, values, trace[-1].state)
        if nxt is None:
            return None  # not a behaviour of the model: not a counterexample
        trace.append(Step(name, act.params_dict(values), nxt))
        diff = _perform(protocol, adapter, trace[-1])
        if diff:
            return Divergence(trace, diff)
    return None


def _perform(protocol: Protocol, adapter: Adapter, step: Step) -> list[str]:
    """Do the step on the implementation; how its observed state then differs from the model's."""
    try:
        getattr(adapter, step.action)(**step.params)
        observed = adapter.observe()
    except Exception as exc:  # noqa: BLE001 - an implementation that raises has diverged
        return [f"the implementation raised {type(exc).__name__}: {exc}"]
    return state_differences(protocol, step.state, observed, "implementation")


def check_conformance(
    protocol: Protocol,
    adapter_cls: type[Adapter],
    *,
    seed: int | None = None,
    walks: int = 200,
    depth: int = 30,
    max_seconds: float | None = None,
) -> Conformance:
    """Run the implementation against the model for ``walks`` runs of up to ``depth`` steps."""
    _check_adapter(protocol, adapter_cls)
    if seed is None:
        seed = random.SystemRandom().randrange(1 << 32)
    initials = semantics.initial_states(protocol)
    out = Conformance(True, protocol, seed, coverage=dict.fromkeys((a.name for a in protocol.actions), 0))
    start = time.perf_counter()
    searching = [True]

    def test(data: st.DataObject) -> None:
        if searching[0] and max_seconds is not None and time.perf_counter() - start > max_seconds:
            raise BudgetSpent
        init = initials[0] if len(initials) == 1 else data.draw(st.sampled_from(initials), label="Init")
        adapter = adapter_cls(protocol)
        trace = [Step("Init", {}, init)]
        diff = state_differences(protocol, init, adapter.observe(), "implementation")
        if searching[0]:
            out.walks += 1
        for _ in range(depth):
            if diff:
                searching[0] = False
                raise Divergence(trace, diff)
            enabled = semantics.steps(protocol, trace[-1].state)
            if not enabled:
                return
            name, params, nxt = enabled[data.draw(st.integers(0, len(enabled) - 1))]
            trace.append(Step(name, params, nxt))
            if searching[0]:
                out.steps += 1
                out.coverage[name] += 1
            diff = _perform(protocol, adapter, trace[-1])
        if diff:
            searching[0] = False
            raise Divergence(trace, diff)

    run = settings(max_examples=walks, database=None, deadline=None, phases=[Phase.generate, Phase.shrink],
                   suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet)(
        fix_seed(seed)(given(st.data())(test)))
    try:
        run()
    except BudgetSpent:
        pass
    except Divergence as found:
        out.ok = False
        out.hypothesis_steps = len(found.trace) - 1
        init = found.trace[0].state
        replay(protocol, found.trace, source="model-based test")  # the model's side must be a behaviour

        def diverging(labels: list[Label]) -> list[Label] | None:
            d = run_lockstep(protocol, adapter_cls, init, labels)
            return None if d is None else labels_of(protocol, d.trace)

        labels = drop_steps(protocol, init, labels_of(protocol, found.trace), diverging)
        final = run_lockstep(protocol, adapter_cls, init, labels)
        assert final is not None, "the shrunk run no longer diverges"
        out.trace, out.differences = final.trace, final.differences
    out.elapsed_s = time.perf_counter() - start
    return out


def assert_conforms(protocol: Protocol, adapter_cls: type[Adapter], **options: Any) -> Conformance:
    """``check_conformance`` for a test suite: an AssertionError with the report on divergence."""
    result = check_conformance(protocol, adapter_cls, **options)
    if not result.ok:
        raise AssertionError(result.report())
    return result


__all__ = ["Adapter", "Conformance", "Divergence", "assert_conforms", "check_conformance", "run_lockstep"]
