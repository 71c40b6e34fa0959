"""Bad limits and parameters are bad input naming the fix; the budget watches memory."""

from __future__ import annotations

import importlib
import math
import pkgutil

import pytest

import protocols
from checker import QuorumError, check
from checker.core import budget as budget_module
from checker.core.budget import Budget
from checker.core.engines import ENGINES, check_options
from checker.dsl import Protocol
from protocols.paxos import Paxos


def all_protocols() -> list[type[Protocol]]:
    found = []
    for info in pkgutil.iter_modules(protocols.__path__):
        module = importlib.import_module(f"protocols.{info.name}")
        found += [v for v in vars(module).values()
                  if isinstance(v, type) and issubclass(v, Protocol) and v.__module__ == module.__name__]
    return found


#: Numbers that are not counts or lengths: any value is meaningful.
UNBOUNDED = {"LeaseLock.first_token"}
NUMBERS = [(cls, spec) for cls in all_protocols() for spec in cls.param_specs().values()
           if int in (spec.kind if isinstance(spec.kind, tuple) else (spec.kind,))
           and f"{cls.__name__}.{spec.name}" not in UNBOUNDED]
COUNTS = [(cls, spec) for cls, spec in NUMBERS if spec.min is not None]


def test_every_count_parameter_declares_its_range():
    assert len(NUMBERS) >= 20
    missing = [f"{cls.__name__}.{spec.name}" for cls, spec in NUMBERS if spec.min is None]
    assert not missing


@pytest.mark.parametrize(("cls", "spec"), COUNTS, ids=[f"{c.__name__}.{s.name}" for c, s in COUNTS])
def test_a_count_below_its_range_names_the_parameter_and_the_range(cls, spec):
    for bad in (spec.min - 1, -1):
        with pytest.raises(QuorumError, match=rf"{spec.name}={bad} is out of range: {spec.name} must be at least "
                                              rf"{spec.min}"):
            cls(**{spec.name: bad})


def test_paxos_zero_acceptors_and_ballots_are_rejected_before_setup():
    for name in ("acceptors", "ballots", "values"):
        with pytest.raises(QuorumError, match=f"{name} must be at least 1"):
            Paxos(**{name: 0})
    with pytest.raises(QuorumError, match="leaders must be at least 1"):
        Paxos(leaders=0)
    assert Paxos(leaders=None).leaders is None  # None ("all") is never range-checked


LIMITS = [("max_states", 0), ("max_states", -1), ("max_depth", -1), ("max_seconds", 0), ("max_seconds", -2.5),
          ("max_seconds", math.nan), ("max_seconds", math.inf), ("max_memory", 0), ("max_memory", math.nan)]


@pytest.mark.parametrize(("key", "value"), LIMITS)
def test_bad_limits_are_rejected_by_the_registry(key, value):
    with pytest.raises(QuorumError, match=rf"where: {key}={value!r} (is out of range|is not a limit): {key} takes"):
        check_options(ENGINES["explicit"], {key: value}, "where")


@pytest.mark.parametrize("engine", [name for name, e in ENGINES.items() if "max_seconds" in e.options])
def test_every_engine_gets_the_same_check(engine):
    with pytest.raises(QuorumError, match="max_seconds=nan is not a limit"):
        check(Paxos(ballots=1), engine=engine, max_seconds=math.nan)


def test_the_limits_at_the_edge_are_accepted():
    for key, value in [("max_states", 1), ("max_depth", 0), ("max_seconds", 0.5), ("max_memory", 1)]:
        check_options(ENGINES["explicit"], {key: value}, "where")
    assert check(Paxos(ballots=2), max_depth=0).distinct_states == 1
    assert {"max_memory"} <= set(ENGINES["explicit"].options) & set(ENGINES["liveness"].options)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def perf_counter(self) -> float:
        return self.now


def test_memory_growing_toward_the_limit_is_warned_about_once_then_stops_the_run(monkeypatch):
    clock, rss = FakeClock(), [100.0]
    monkeypatch.setattr(budget_module, "time", clock)
    monkeypatch.setattr(budget_module, "resident_mb", lambda: rss[0])
    lines: list[str] = []
    budget = Budget(max_memory=1000, progress=lines.append)
    reasons = []
    for _ in range(80):  # 0.25 s apart, growing 12.5 MB per reading (50 MB/s)
        clock.now += 0.25
        rss[0] += 12.5
        reasons.append(budget.tick(3, lambda: "status"))
        if reasons[-1]:
            break
    assert len(budget.notes) == 1 and "growing 50 MB/s" in budget.notes[0]
    assert sum(line.startswith("warning: memory:") for line in lines) == 1
    warned_at = next(i for i, line in enumerate(lines) if line.startswith("warning"))
    assert warned_at < len(lines) - 1  # progress lines went on after it
    assert any(line.endswith("MB resident") for line in lines)  # progress lines show memory
    assert reasons[-1] == "memory limit 1,000 MB reached (1,012 MB resident), nothing found up to depth 3"
    assert budget.stopped_by == "memory"


def test_memory_that_levels_off_is_not_warned_about(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(budget_module, "time", clock)
    monkeypatch.setattr(budget_module, "resident_mb", lambda: 500.0)
    budget = Budget(max_memory=1000)
    for _ in range(40):
        clock.now += 0.25
        assert budget.tick(0, lambda: "") is None
    assert not budget.notes
