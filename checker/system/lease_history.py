"""A recorded lease-lock history, checked three ways against what Quorum knows:

1. **Against the model.** The clients' calls are mapped onto the actions of
   ``protocols.lease:LeaseLock`` (grant, renew, check_lease, write, lease_expires, release, and a
   pause of a client that holds a lease as gc_pause) and validated with ``checker.conform.validate``.
   Real time is not logged as ticks: ``tick`` is a hidden action, so the question is whether *some*
   timing of the model explains the order of what was observed. The relative clock keeps the states
   consistent with a log few; its pause (``PAUSE`` ticks) stands for any pause longer than the TTL.
   The model's invariants (safe_writes) are evaluated after every event.
2. **For linearizability.** The clients' writes and reads of the storage form a register history
   (``checker.conform.linearizable``, the fenced register when the storage fences).
3. **Against itself.** The storage's own log says whether it accepted a stale token; the model must
   agree: safe_writes is violated exactly when a stale write was accepted.

Where an event sits in the merged order: a storage write at the storage's decision, any other call
at its return — except a call that a pause of its client interrupted, which took effect before the
pause (its request was sent; only the answer waited for the SIGCONT).
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.conform.linearizable import Linearizability, Operation, check, fenced_register
from checker.conform.validate import Event, Validation, validate
from checker.errors import QuorumError, read_text

PROTOCOL = "protocols.lease:LeaseLock"
TTL, PAUSE = 4, 20  # model ticks: a pause is longer than a lease, and time is hidden
ACTIONS = {"grant": "grant", "renew": "renew", "check": "check_lease", "write": "write",
           "expire": "lease_expires", "release": "release"}


@dataclass
class History:
    """A run's history.jsonl: its configuration, the client calls, faults and storage decisions."""

    path: Path
    config: dict[str, Any]
    calls: list[dict[str, Any]]
    faults: list[dict[str, Any]]
    decisions: list[dict[str, Any]]

    @property
    def fencing(self) -> bool:
        return bool(self.config.get("fencing", True))

    def model_params(self) -> dict[str, Any]:
        return {"clients": int(self.config["clients"]), "ttl": TTL, "renew_period": 1, "pause": PAUSE,
                "clock": "relative", "variant": "correct" if self.fencing else "no-fencing"}


def read_history(path: str | Path) -> History:
    """Parse history.jsonl; a line that is not one of its records is bad input naming the line."""
    text = read_text(path, "history file", "a run's history.jsonl (quorum system etcd lease-lock --out DIR)")
    config: dict[str, Any] | None = None
    calls, faults, decisions = [], [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as err:
            raise QuorumError(f"{path}:{number}: not valid JSON ({err.msg} at column {err.colno})") from None
        if not isinstance(record, dict):
            raise QuorumError(f"{path}:{number}: a history record is a JSON object")
        if "run" in record:
            config = record["run"]
        elif "fault" in record:
            faults.append({**record, "line": number})
        elif record.get("storage"):
            decisions.append(record)
        elif record.get("op") in (*ACTIONS, "read"):
            for key in ("client", "call", "ret"):
                if key not in record:
                    raise QuorumError(f"{path}:{number}: a {record['op']} call without {key!r}")
            calls.append({**record, "line": number})
        else:
            raise QuorumError(f"{path}:{number}: not a record of a run (expected one with \"run\", \"fault\", "
                              f"\"storage\" or an \"op\" among {', '.join([*ACTIONS, 'read'])})")
    if config is None or "clients" not in config:
        raise QuorumError(f"{path}: no \"run\" record with the run's configuration (its first line)")
    return History(Path(path), config, calls, faults, decisions)


def model_events(history: History) -> list[Event]:
    """The history as LeaseLock's actions, in order (line numbers are the history's)."""
    pauses = [f for f in history.faults if history_client(f) is not None]
    placed: list[tuple[float, int, Event]] = []
    for call in history.calls:
        if call["op"] == "read":
            continue
        at = call.get("at", call["ret"]) if call["op"] == "write" else call["ret"]
        for p in pauses:
            if history_client(p) == call["client"] and call["call"] < p["start"] < at:
                at = p["start"] - 1e-6  # interrupted by the pause: it took effect before
        state = {}
        if call["op"] == "write":
            state = {"pc": {call["client"]: "holding" if call["output"] == "accepted" else "idle"}}
        placed.append((at, call["line"], Event(call["line"], ACTIONS[call["op"]], {"c": call["client"]}, state)))
    for p in pauses:
        placed.append((p["start"], p["line"], Event(p["line"], "gc_pause", {"c": history_client(p)})))
    placed.sort(key=lambda x: (x[0], x[1]))
    # a pause of a client that holds no lease is not a gc_pause of the model (an idle client is just slow)
    events, holding = [], set()
    for _, _, event in placed:
        c = event.params["c"]
        if event.action == "gc_pause":
            if c not in holding:
                continue
        elif event.action == "grant":
            holding.add(c)
        elif event.action in ("lease_expires", "release") or (event.action == "write" and
                                                             event.state["pc"][c] == "idle"):
            holding.discard(c)
        events.append(event)
    return events


def history_client(fault: dict[str, Any]) -> str | None:
    """The client a fault paused, if it paused one."""
    return next((t for t in fault.get("applied_to", []) if t.startswith("c")), None)


def register_history(history: History) -> list[Operation]:
    return [Operation(c["client"], c["op"], tuple(c["value"]) if c["op"] == "write" else None, c.get("output"),
                      c["call"], c["ret"]) for c in history.calls if c["op"] in ("write", "read")]


@dataclass
class Verdict:
    """The three checks of one history, and whether they agree."""

    history: History
    validation: Validation
    linearizability: Linearizability
    stale_accepted: list[dict[str, Any]] = field(default_factory=list)

    @property
    def model_violation(self) -> bool:
        return any(v.name == "safe_writes" for v in self.validation.violations)

    @property
    def agrees(self) -> bool:
        """The model's verdict on safe_writes matches what the storage observed."""
        return self.validation.ok and self.model_violation == bool(self.stale_accepted)

    @property
    def safe(self) -> bool:
        return self.validation.ok and not self.validation.violations and self.linearizability.ok \
            and not self.stale_accepted


def lease_model(history: History) -> Any:
    """The LeaseLock instance a history is checked against."""
    module, name = PROTOCOL.split(":")
    return getattr(importlib.import_module(module), name)(**history.model_params())


def check_history(history: History) -> Verdict:
    """The three checks (the model is ``lease_model(history)``)."""
    protocol = lease_model(history)
    validation = validate(protocol, model_events(history), hidden=("tick",))
    registers = check(fenced_register(history.fencing), register_history(history))
    stale = [d for d in history.decisions if d["stale"] and d["verdict"] == "accepted"]
    return Verdict(history, validation, registers, stale)
