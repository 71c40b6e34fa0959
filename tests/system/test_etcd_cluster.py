"""The etcd cluster harness: start, elect, kill and restart a leader, stop everything; and its own
faults (a missing binary, ports in use, a member that will not start) as clear errors."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner

from checker.cli.main import main
from checker.errors import QuorumError
from checker.system import etcd as etcd_mod
from checker.system.etcd import EtcdCluster
from checker.system.gateway import Gateway
from checker.system.processes import wait_until
from tests.system.conftest import needs_etcd, processes_mentioning

pytestmark = needs_etcd


def test_a_cluster_elects_a_leader_survives_a_killed_leader_and_stops_every_member(tmp_path):
    workdir = tmp_path / "cluster"
    with EtcdCluster(3, workdir) as cluster:
        leader = cluster.leader()
        assert leader in cluster.names and all(e.startswith("127.0.0.1:") for e in cluster.endpoints)
        gateway = Gateway(cluster.endpoints)
        lease = gateway.grant(5)
        assert gateway.acquire("k", "c1", lease).succeeded and not gateway.acquire("k", "c2", lease).succeeded
        assert gateway.holder("k") == "c1"
        cluster.kill(leader)
        assert wait_until(lambda: cluster.leader() not in (None, leader), 10)
        assert gateway.holder("k") == "c1"  # the write survived the leader
        cluster.restart(leader)
        assert len(processes_mentioning(str(workdir))) == 3
    assert processes_mentioning(str(workdir)) == []


def test_ports_taken_meanwhile_are_replaced(tmp_path, monkeypatch):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    real = etcd_mod.free_ports
    calls = []

    def first_one_taken(count):
        ports = real(count)
        if not calls:
            ports[0] = taken.getsockname()[1]
        calls.append(ports)
        return ports

    monkeypatch.setattr(etcd_mod, "free_ports", first_one_taken)
    try:
        with EtcdCluster(3, tmp_path / "c") as cluster:
            assert len(calls) == 2 and cluster.leader() is not None
    finally:
        taken.close()
    assert processes_mentioning(str(tmp_path / "c")) == []


def test_a_member_that_will_not_start_is_named_with_its_log(tmp_path):
    workdir = tmp_path / "c"
    workdir.mkdir()
    (workdir / "m2").write_text("a file where m2's data folder should be")
    with pytest.raises(QuorumError, match=r"etcd member m2 did not start.*the tail of its log") as err:
        EtcdCluster(3, workdir).start()
    assert "m2" in str(err.value).split("log")[-1] or "data" in str(err.value)
    assert processes_mentioning(str(workdir)) == []


def test_a_missing_etcd_binary_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = CliRunner().invoke(main, ["system", "etcd", "lease-lock", "--out", str(tmp_path / "run")])
    assert result.exit_code == 2 and "apt-get install etcd-server" in result.output
