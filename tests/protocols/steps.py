"""What protocol tests share: taking named steps by hand, and a spec's run against its expectation."""

from __future__ import annotations

from checker import check
from checker.cli.spec import load_spec


def replay(proto, steps):
    """The state after the steps ``(action, *params)`` from the initial state; each must be enabled."""
    s = proto.initial_states()[0]
    for name, *params in steps:
        s = proto.action(name).fn(s, *params)
        assert s is not None, (name, params)
    return s


def assert_spec_met(name: str) -> None:
    """specs/NAME.toml gives its expected verdict (and trace length), on the default engine."""
    spec = load_spec(f"specs/{name}.toml")
    result = check(spec.build(), properties=spec.properties)
    assert spec.expect == ("holds" if result.holds else f"violated: {result.property}")
    if spec.trace_length is not None:
        assert len(result.trace) - 1 == spec.trace_length
