"""``quorum system``: test a real system the way Jepsen does, and check what it did against the models.

    quorum system etcd start                       # a 3-member cluster on 127.0.0.1 until Ctrl-C
    quorum system etcd lease-lock --out runs/a     # clients, faults, history, checks (fencing on)
    quorum system etcd lease-lock --no-fencing --seed 1 --out runs/b   # the stale write, for real
    quorum system check runs/b/history.jsonl       # check a recorded history again

Exit code 0 when the history is a behaviour of the model, is linearizable and no stale write was
accepted; 1 when a check fails (the report says which, with the model's trace); 2 on bad input.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click
from rich.text import Text

from checker.cli.commands.validate import validation_json
from checker.cli.console import make_console
from checker.core.diff import trace_text
from checker.core.trace import Step
from checker.dsl.protocol import Protocol
from checker.errors import QuorumError
from checker.render.bundle import render_trace
from checker.render.explain import explain
from checker.system.etcd import EtcdCluster
from checker.system.faults import KINDS, parse_kinds
from checker.system.lease_history import History, Verdict, check_history, lease_model, read_history
from checker.system.run import RunConfig, execute


@click.group(name="system")
def command() -> None:
    """Real systems under faults, checked against Quorum's models."""


@command.group(name="etcd")
def etcd() -> None:
    """A real etcd cluster (Debian's etcd-server) on 127.0.0.1."""


@etcd.command(name="start")
@click.option("--members", type=int, default=3, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print the cluster as one JSON document (then wait)")
def start(members: int, as_json: bool) -> None:
    """Start a cluster, print its endpoints, and keep it until Ctrl-C (then stop every member)."""
    with EtcdCluster(members) as cluster:
        if as_json:
            click.echo(json.dumps({"members": members, "leader": cluster.leader(), "endpoints": cluster.endpoints,
                                   "workdir": str(cluster.workdir)}))
        else:
            click.echo(f"etcd: {members} members, leader {cluster.leader()}")
            click.echo(f"  endpoints: {','.join(cluster.endpoints)}")
            click.echo(f"  data and logs: {cluster.workdir}")
            click.echo("Ctrl-C stops it.")
        try:
            while all(p.poll() is None for p in cluster.processes.running.values()):
                time.sleep(0.5)
            raise QuorumError("an etcd member exited on its own; see the logs in " + str(cluster.workdir))
        except KeyboardInterrupt:
            click.echo("stopping every member")


@etcd.command(name="lease-lock")
@click.option("--clients", type=int, default=3, show_default=True)
@click.option("--ttl", type=int, default=1, show_default=True, help="lease TTL, seconds")
@click.option("--duration", type=float, default=10.0, show_default=True, help="seconds of client activity")
@click.option("--pause", type=float, default=3.0, show_default=True, help="a client pause (SIGSTOP), seconds")
@click.option("--seed", type=int, default=None, help="the fault schedule's seed (default: from the clock, printed)")
@click.option("--faults", default="pause-client", show_default=True, help=f"comma-separated: {', '.join(KINDS)}")
@click.option("--no-fencing", is_flag=True, help="the storage accepts every token")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="history, logs and the chart go here")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
def lease_lock(clients: int, ttl: int, duration: float, pause: float, seed: int | None, faults: str,
               no_fencing: bool, out: str, as_json: bool) -> None:
    """Lease-lock clients on a real cluster, faults on a seeded schedule, the history checked."""
    config = RunConfig(clients=clients, ttl=ttl, duration=duration, pause=pause,
                       seed=int(time.time()) % 100_000 if seed is None else seed, fencing=not no_fencing,
                       faults=parse_kinds(faults))
    say = (lambda text: click.echo(text, err=True)) if as_json else click.echo
    run = execute(config, Path(out), say=say)
    say(f"history: {run.history}" + (" (interrupted: what was recorded up to Ctrl-C)" if run.interrupted else ""))
    report(read_history(run.history), Path(out), as_json)


@command.command(name="check")
@click.argument("history", type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(file_okay=False), default=None, help="write the chart of the model's trace here")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
def check(history: str, out: str | None, as_json: bool) -> None:
    """Check a recorded HISTORY (a run's history.jsonl) again."""
    report(read_history(history), Path(out) if out else None, as_json)


def report(history: History, out: Path | None, as_json: bool) -> None:
    verdict = check_history(history)
    protocol = lease_model(history)
    violation = next((v for v in verdict.validation.violations if v.name == "safe_writes"), None)
    trace = story(violation.trace) if violation else verdict.validation.trace
    chart = None
    if out is not None and trace:
        doc = {"verdict": "violated" if violation else "holds", "property": "safe_writes" if violation else None,
               "spec": str(history.path), "engine": "trace validation of a real run"}
        render_trace(protocol, doc, trace, out / "model-trace", states=False)
        chart = out / "model-trace" / "msc.svg"
    if as_json:
        click.echo(json.dumps(_json(verdict, protocol, chart), indent=2, default=str))
    else:
        _print(verdict, protocol, chart)
    sys.exit(0 if verdict.safe else 1)


def story(trace: list[Step]) -> list[Step]:
    """The end of a violating trace that tells the story: from the last grant to the client whose
    write breaks the invariant, started in the state before it (the chart of the whole run is long)."""
    victim = trace[-1].params.get("c")
    start = max((i for i, s in enumerate(trace) if s.action == "grant" and s.params.get("c") == victim), default=1)
    return [Step("Init", {}, trace[start - 1].state), *trace[start:]]


def _json(verdict: Verdict, protocol: Protocol, chart: Path | None) -> dict:
    return {
        "history": str(verdict.history.path),
        "model": protocol.describe(),
        **validation_json(protocol, verdict.validation),
        "linearizable": verdict.linearizability.ok, "linearizability": verdict.linearizability.summary(),
        "window": [op.describe() for op in verdict.linearizability.window],
        "stale_writes_accepted": verdict.stale_accepted,
        "model_agrees_with_storage": verdict.agrees,
        "chart": str(chart) if chart else None,
    }


def _print(verdict: Verdict, protocol: Protocol, chart: Path | None) -> None:
    console = make_console()
    v = verdict.validation
    calls = len(verdict.history.calls)
    console.print(Text(f"model: {v.summary(protocol)}", style="green" if v.ok and not v.violations else "red"),
                  soft_wrap=True)
    console.print(f"  ({calls} client calls and {len(verdict.history.faults)} faults; hidden action: tick)")
    for c in v.candidates:
        console.print(Text(f"    closest: {c.label}: {'; '.join(c.differences)}"), soft_wrap=True)
    for x in v.violations:
        console.print(Text(f"  {x.name}: {explain(protocol, x.trace[-1].state, x.name).text}", style="red"),
                      soft_wrap=True)
        steps = story(x.trace)
        head = f"  the model's behaviour, from {steps[1].label} ({len(steps) - 1} of its {len(x.trace) - 1} steps):"
        console.print(Text(head + "\n" + trace_text(protocol, steps), style="dim"), soft_wrap=True)
    lin = verdict.linearizability
    console.print(Text(f"storage: {lin.summary()}", style="green" if lin.ok else "red"), soft_wrap=True)
    if verdict.stale_accepted:
        for d in verdict.stale_accepted:
            console.print(Text(f"storage: accepted a stale write: {d['client']} wrote {d['data']!r} with token "
                               f"{d['token']} after token {d['highest']}", style="red"), soft_wrap=True)
    else:
        console.print(Text("storage: no stale write was accepted", style="green"))
    agree = "agree" if verdict.agrees else "DISAGREE"
    console.print(f"model and storage {agree}: the model says safe_writes "
                  f"{'fails' if verdict.model_violation else 'holds'}, the storage saw "
                  f"{len(verdict.stale_accepted)} stale write(s) accepted", soft_wrap=True)
    if chart:
        console.print(f"chart of the model's trace: {chart}")


