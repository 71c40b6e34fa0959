"""Assertions on a ``Result`` whose failure message is the whole story: what was expected, the verdict,
the counterexample's step table and why the property failed."""

from __future__ import annotations

from checker.core.result import Result
from checker.testing.report import describe


class CheckFailed(AssertionError):
    """A check did not end as a test expected. ``result`` is the check's Result (the pytest plugin
    saves its artefacts with ``--quorum-artifacts``)."""

    def __init__(self, message: str, result: Result) -> None:
        super().__init__(message)
        self.result = result


def assert_holds(result: Result, msg: str | None = None) -> Result:
    """Fail unless every checked property holds; returns ``result``."""
    __tracebackhide__ = True  # pytest shows the test's line, not this helper's
    _is_result(result)
    if not result.holds:
        _fail("expected every property to hold", result, msg)
    return result


def assert_violated(result: Result, property: str | None = None, *, steps: int | None = None,
                    msg: str | None = None) -> Result:
    """Fail unless the check found a violation — of ``property`` if given, with a counterexample of
    exactly ``steps`` steps (transitions after the initial state: ``len(result.trace) - 1``) if given;
    returns ``result``."""
    __tracebackhide__ = True
    _is_result(result)
    expected = f"{property or 'a property'} violated" + (f" in {steps} steps" if steps is not None else "")
    if not result.violated or (property is not None and result.property != property):
        _fail(f"expected {expected}", result, msg)
    if steps is not None and len(result.trace) - 1 != steps:
        _fail(f"expected {expected}, but the counterexample takes {len(result.trace) - 1}", result, msg)
    return result


def _is_result(result: object) -> None:
    __tracebackhide__ = True
    if not isinstance(result, Result):
        raise TypeError(f"expected a checker Result (what checker.check returns), got {type(result).__name__}")


def _fail(expected: str, result: Result, msg: str | None) -> None:
    __tracebackhide__ = True
    head = f"{msg}: {expected}" if msg else expected
    raise CheckFailed(f"{head}\ngot: {describe(result)}", result)
