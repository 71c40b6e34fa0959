"""Replaying a trace through the explicit semantics: the soundness gate for every engine.

Every counterexample, whichever engine found it (BMC, simulation, liveness, an imported ITF
file), is replayed here before it is shown: each step must be a real successor of the one before
under the named action and parameters, and the end state must really violate the property.
A mismatch in an engine's own trace is an ``InternalError``; in a user's file, bad input.
"""

from __future__ import annotations

from checker.core import semantics
from checker.core.semantics import fire, is_instance, violates
from checker.core.trace import Step
from checker.dsl.protocol import Protocol
from checker.errors import InternalError


def replay(protocol: Protocol, trace: list[Step], *, source: str = "engine") -> list[Step]:
    """Check ``trace`` step by step; return it with every state recomputed concretely.

    ``source`` names who produced the trace, for the error message.
    """
    if not trace:
        raise InternalError(f"{source} produced an empty trace")
    first = trace[0].state
    if first not in semantics.initial_states(protocol):
        raise InternalError(f"{source}: the first state of its trace is not an initial state: {first}")
    out = [Step("Init", {}, first)]
    cur = first
    for i, step in enumerate(trace[1:], start=1):
        act = protocol.action(step.action)
        try:
            params = tuple(step.params[name] for name in act.param_names)
        except KeyError as err:
            raise InternalError(f"{source}: step {i} ({step.action}) lacks parameter {err}") from None
        why = is_instance(protocol, act, params, cur)
        if why is not None:
            raise InternalError(f"{source}: step {i}, {step.label}, is no step the protocol can take: {why}")
        nxt = fire(act, params, cur)
        if nxt is None:
            raise InternalError(f"{source}: step {i}, {step.label}, is not enabled in the state before it")
        if step.state is not None and nxt != step.state:
            raise InternalError(
                f"{source}: step {i}, {step.label}, leads to {nxt}, not to the state the engine claims: {step.state}"
            )
        out.append(Step(step.action, dict(step.params), nxt))
        cur = nxt
    return out


def confirm_violation(protocol: Protocol, trace: list[Step], prop: str, *, source: str = "engine") -> list[Step]:
    """Replay ``trace`` and check that its last state violates ``prop``; the replayed trace."""
    steps = replay(protocol, trace, source=source)
    if not violates(protocol, steps[-1].state, prop):
        raise InternalError(f"{source}: the last state of its trace does not violate {prop}")
    return steps
