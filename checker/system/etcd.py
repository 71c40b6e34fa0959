"""A real etcd cluster on 127.0.0.1: members from Debian's ``etcd`` binary, free ports, data in a
temporary folder, started until a leader is elected and stopped on every exit path.

Elections are tuned fast (heartbeat 50 ms, election timeout 500 ms) so that a run with a killed
leader takes seconds; etcd then accepts lease TTLs from 1 s.
"""

from __future__ import annotations

import shutil
import signal
import socket
import tempfile
import time
from pathlib import Path

from checker.errors import QuorumError
from checker.system.gateway import Gateway, GatewayError
from checker.system.processes import Processes, tail, wait_until

INSTALL = "apt-get install etcd-server etcd-client (Debian/Ubuntu), or put etcd on PATH"
_PORT_IN_USE = ("address already in use", "bind: address")


def etcd_binary() -> str:
    """The path of ``etcd``; a missing one is bad input that says how to install it."""
    path = shutil.which("etcd")
    if path is None:
        raise QuorumError(f"no etcd binary on PATH; install it: {INSTALL}")
    return path


def free_ports(count: int) -> list[int]:
    """Ports the kernel says are free now (another process may still take one: see start())."""
    socks = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class EtcdCluster:
    """``size`` members named m1..mN. Use as a context manager: every process stops on leaving it."""

    def __init__(self, size: int = 3, workdir: Path | None = None, *, ports: list[int] | None = None,
                 start_timeout: float = 20.0) -> None:
        if size < 1:
            raise QuorumError(f"an etcd cluster needs at least 1 member, not {size}")
        self.size = size
        self.names = [f"m{i}" for i in range(1, size + 1)]
        self._own_dir = workdir is None
        self.workdir = Path(tempfile.mkdtemp(prefix="quorum-etcd-")) if workdir is None else workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._fixed_ports = ports
        self.start_timeout = start_timeout
        self.processes = Processes()
        self.client_ports: dict[str, int] = {}
        self.peer_ports: dict[str, int] = {}

    # -- lifecycle ----------------------------------------------------------------------------------

    def start(self, attempts: int = 3) -> EtcdCluster:
        """Start every member and wait for a leader; ports taken meanwhile are replaced (``attempts``)."""
        binary = etcd_binary()
        for attempt in range(1, attempts + 1):
            ports = self._fixed_ports or free_ports(2 * self.size)
            if len(ports) != 2 * self.size:
                raise QuorumError(f"an etcd cluster of {self.size} needs {2 * self.size} ports, not {len(ports)}")
            self.client_ports = dict(zip(self.names, ports[:self.size], strict=True))
            self.peer_ports = dict(zip(self.names, ports[self.size:], strict=True))
            for name in self.names:
                shutil.rmtree(self.workdir / name, ignore_errors=True)
                self._spawn(binary, name, "new")
            failed = self._wait_for_leader()
            if failed is None:
                return self
            self.processes.stop_all()
            log = self.log(failed)
            if any(m in log.read_text(errors="replace") for m in _PORT_IN_USE) and attempt < attempts \
                    and self._fixed_ports is None:
                continue  # another process took a port between our choice and etcd's bind: choose again
            raise QuorumError(f"etcd member {failed} did not start (attempt {attempt}); the tail of its log "
                              f"{log}:\n{tail(log)}")
        raise AssertionError("unreachable")  # pragma: no cover

    def _spawn(self, binary: str, name: str, state: str) -> None:
        peers = ",".join(f"{n}=http://127.0.0.1:{self.peer_ports[n]}" for n in self.names)
        client = f"http://127.0.0.1:{self.client_ports[name]}"
        peer = f"http://127.0.0.1:{self.peer_ports[name]}"
        argv = [binary, "--name", name, "--data-dir", str(self.workdir / name),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", peers, "--initial-cluster-state", state,
                "--initial-cluster-token", f"quorum-{self.workdir.name}",
                "--heartbeat-interval", "50", "--election-timeout", "500"]
        self.processes.start(name, argv, self.log(name))

    def _wait_for_leader(self) -> str | None:
        """None once a leader is elected; else the member that exited (or the first, on timeout)."""
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            for name in self.names:
                if self.processes.running[name].poll() is not None:
                    return name
            if self.leader(everyone=True) is not None:
                return None
            time.sleep(0.1)
        return next((n for n in self.names if self.processes.running[n].poll() is not None), self.names[0])

    def stop(self) -> None:
        """Stop every member (paused ones are continued first) and remove the data."""
        self.processes.stop_all()
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> EtcdCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what clients and faults need -------------------------------------------------------------

    def log(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    @property
    def endpoints(self) -> list[str]:
        return [f"127.0.0.1:{self.client_ports[n]}" for n in self.names]

    def pids(self) -> list[int]:
        return [p.pid for p in self.processes.running.values()]

    def leader(self, *, everyone: bool = False) -> str | None:
        """The member that the running members agree leads (None: no leader, or no agreement);
        ``everyone``: only once every member answers (a cluster just started)."""
        ids: dict[str, str] = {}
        leaders = set()
        gateway = Gateway(self.endpoints, timeout=0.5)
        for name in self.names:
            if name not in self.processes.running or self.processes.running[name].poll() is not None:
                continue
            try:
                status = gateway.status(f"127.0.0.1:{self.client_ports[name]}")
            except GatewayError:
                continue
            ids[status["header"]["member_id"]] = name
            leaders.add(status.get("leader", "0"))
        if len(leaders) != 1 or "0" in leaders or (everyone and len(ids) < self.size):
            return None
        return ids.get(leaders.pop())

    def pause(self, name: str) -> None:
        self.processes.signal(name, signal.SIGSTOP)

    def resume(self, name: str) -> None:
        self.processes.signal(name, signal.SIGCONT)

    def kill(self, name: str) -> None:
        """kill -9 a member (its data stays: ``restart`` brings it back with its log)."""
        self.processes.kill(name)

    def restart(self, name: str, timeout: float = 10.0) -> None:
        """Start a killed member again from its data, and wait until the cluster has a leader."""
        self._spawn(etcd_binary(), name, "existing")
        if not wait_until(lambda: self.leader() is not None, timeout):
            log = self.log(name)
            raise QuorumError(f"etcd member {name} restarted, but no leader within {timeout:.0f} s; the tail of "
                              f"{log}:\n{tail(log)}")
