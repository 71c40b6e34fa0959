"""One Jepsen-style run of lease-lock clients against a real etcd cluster: start the cluster, the
storage and the clients; apply the fault schedule; stop everything; merge what each process
recorded into one history (``history.jsonl``) and check it (``checker.system.lease_history``)."""

from __future__ import annotations

import json
import signal
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from checker.errors import QuorumError
from checker.system.etcd import EtcdCluster
from checker.system.faults import Fault, schedule
from checker.system.gateway import Gateway, GatewayError
from checker.system.processes import Processes, tail, wait_until

LOCK_KEY = "quorum/lock"


@dataclass
class RunConfig:
    """What to run. Durations are seconds; ``ttl`` is whole seconds (etcd's lease TTLs are)."""

    clients: int = 3
    ttl: int = 1
    work: float = 0.25
    rounds: int = 3
    duration: float = 10.0
    pause: float = 3.0
    seed: int = 0
    fencing: bool = True
    faults: tuple[str, ...] = ("pause-client",)
    members: int = 3

    def check(self) -> None:
        for name in ("clients", "ttl", "rounds", "members"):
            if getattr(self, name) < 1:
                raise QuorumError(f"--{name} must be at least 1, not {getattr(self, name)}")
        if self.pause <= self.ttl and "pause-client" in self.faults:
            print(f"note: a client pause of {self.pause} s is not longer than the TTL ({self.ttl} s): "
                  "the lease will not expire during it", file=sys.stderr)


@dataclass
class Run:
    """What happened: the schedule as applied (with real times), and where the history is."""

    config: RunConfig
    out: Path
    faults: list[dict] = field(default_factory=list)
    interrupted: bool = False

    @property
    def history(self) -> Path:
        return self.out / "history.jsonl"


def execute(config: RunConfig, out: Path, say=print) -> Run:  # type: ignore[no-untyped-def]
    """Run it; every process started is stopped on every exit path (Ctrl-C included)."""
    config.check()
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.jsonl"):
        old.unlink()
    run = Run(config, out)
    planned = schedule(config.seed, config.faults, config.duration, pause=config.pause,
                       members=[f"m{i}" for i in range(1, config.members + 1)])
    say(f"seed {config.seed}: {len(planned)} faults scheduled" + "".join(f"\n  {f.describe()}" for f in planned))
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _raise_interrupt)  # a kill of the harness stops its children too
    try:
        with EtcdCluster(config.members, out / "etcd") as cluster, Processes() as procs:
            say(f"etcd: {config.members} members on {', '.join(cluster.endpoints)}, leader {cluster.leader()}")
            storage = _start_storage(procs, out, config.fencing)
            until = time.monotonic() + config.duration
            for i in range(1, config.clients + 1):
                name = f"c{i}"
                procs.start(name, [sys.executable, "-m", "checker.system.lockclient", "--name", name,
                                   "--endpoints", ",".join(cluster.endpoints), "--storage", storage,
                                   "--ttl", str(config.ttl), "--work", str(config.work),
                                   "--rounds", str(config.rounds), "--until", str(until), "--key", LOCK_KEY,
                                   "--history", str(out / f"{name}.jsonl")], out / f"{name}.log")
            started = until - config.duration
            try:
                for fault in planned:
                    _sleep_until(started + fault.at)
                    run.faults.append(_apply(fault, cluster, procs, config))
                    say(f"  applied {fault.describe()}: {run.faults[-1]['applied_to']}")
                _sleep_until(until)
                clients = [f"c{i}" for i in range(1, config.clients + 1)]
                wait_until(lambda: all(procs.running[c].poll() is not None for c in clients),
                           config.rounds * (config.work + 1.5) + config.pause)
                for c in clients:
                    code = procs.running[c].poll()
                    if code not in (None, 0):
                        raise QuorumError(f"client {c} failed (exit {code}); the tail of its log "
                                          f"{out / (c + '.log')}:\n{tail(out / (c + '.log'))}")
            except KeyboardInterrupt:
                run.interrupted = True
                say("interrupted: stopping every process; the history so far is kept")
    except KeyboardInterrupt:
        run.interrupted = True
    finally:
        signal.signal(signal.SIGTERM, previous)
        _merge(run)
    return run


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _sleep_until(t: float) -> None:
    delay = t - time.monotonic()
    if delay > 0:
        time.sleep(delay)


def _start_storage(procs: Processes, out: Path, fencing: bool) -> str:
    port_file = out / "storage.port"
    port_file.unlink(missing_ok=True)
    argv = [sys.executable, "-m", "checker.system.storage", "--log", str(out / "storage.jsonl"),
            "--port-file", str(port_file)] + ([] if fencing else ["--no-fencing"])
    proc = procs.start("storage", argv, out / "storage.log")
    if not wait_until(lambda: port_file.exists() or proc.poll() is not None, 10) or not port_file.exists():
        raise QuorumError(f"the storage service did not start; the tail of {out / 'storage.log'}:\n"
                          f"{tail(out / 'storage.log')}")
    return f"127.0.0.1:{port_file.read_text()}"


def _apply(fault: Fault, cluster: EtcdCluster, procs: Processes, config: RunConfig) -> dict:
    """Apply one fault now and undo it after its duration; the record has the real times."""
    record = {**asdict(fault), "applied_to": []}
    gateway = Gateway(cluster.endpoints, timeout=0.5)
    member = client = None
    if fault.kind in ("pause-member", "kill-member", "combined"):
        member = cluster.leader() if fault.target == "leader" else fault.target
        member = member or cluster.names[0]
    if fault.kind in ("pause-client", "combined"):
        try:
            client = gateway.holder(LOCK_KEY)
        except GatewayError:
            client = None
        client = client or "c1"
    record["start"] = time.monotonic()
    if client:
        procs.signal(client, signal.SIGSTOP)
        record["applied_to"].append(client)
    if member:
        (cluster.kill if fault.kind != "pause-member" else cluster.pause)(member)
        record["applied_to"].append(member)
    time.sleep(fault.duration)
    if member:
        if fault.kind == "pause-member":
            cluster.resume(member)
        else:
            cluster.restart(member)
    if client:
        procs.signal(client, signal.SIGCONT)
    record["end"] = time.monotonic()
    return record


def _merge(run: Run) -> None:
    """history.jsonl: the run's configuration, the faults as applied, every client event, every
    storage decision — each line one JSON object, in order of time."""
    events: list[dict] = []
    for path in sorted(run.out.glob("c*.jsonl")):
        events += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    storage = run.out / "storage.jsonl"
    if storage.exists():
        events += [{"storage": True, **json.loads(line)} for line in storage.read_text().splitlines() if line.strip()]
    events += [{"fault": f["kind"], **f} for f in run.faults]
    events.sort(key=lambda e: e.get("call", e.get("at", e.get("start", 0.0))))
    head = {"run": {**asdict(run.config), "interrupted": run.interrupted}}
    run.history.write_text("\n".join(json.dumps(e) for e in [head, *events]) + "\n")
