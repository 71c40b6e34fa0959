"""The coordination-service layer on concrete states: what each call does to the store, the
sessions and the watches, and what it refuses — the semantics every recipe in protocols/ relies on."""

from __future__ import annotations

import pytest

from checker import check
from checker.dsl import And, CoordinationService, Map, Nodes, Not, Or, Protocol, QuorumError, Range, action, always


class Store(Protocol):
    """Two clients, one plain path, two sequential slots, versions and one kind of watch."""

    watches = None

    def setup(self) -> None:
        self.Client = Nodes("c", 2)
        self.zk = CoordinationService(self, self.Client, paths=["/config"], sequential=("/q/", 2), ttl=2,
                                      pause=3, tokens=True, max_version=2, values=Range(0, 3),
                                      watches=type(self).watches, max_revision=5)
        self.components = (self.zk,)
        self.var("steps", Map(self.Client, Range(0, 1)), init=0)

    @action(c="Client")
    def noop(self, s, c):
        """Nothing (a protocol needs an action of its own)."""
        return None


class OnceStore(Store):
    watches = "once"


class StreamStore(Store):
    watches = "stream"


def start(cls=Store):
    p = cls()
    return p, p.zk, p.initial_states()[0]


def test_create_fails_where_the_node_exists_and_set_needs_the_expected_version():
    p, zk, s = start()
    s = zk.create(s, "c1", "/config", 1)
    assert (s.data["/config"], s.owner["/config"], s.created["/config"], s.revision) == (1, None, 1, 1)
    assert zk.create(s, "c2", "/config", 2) is None  # NodeExists
    assert zk.set(s, "c2", "/config", 2, expect=1) is None  # the version is 0: compare-and-set fails
    s = zk.set(s, "c2", "/config", 2, expect=0)
    assert (s.data["/config"], s.version["/config"], s.revision, s.created["/config"]) == (2, 1, 2, 1)
    s = zk.delete(s, "c1", "/config")
    assert (s.data["/config"], s.revision) == (None, 3)
    assert zk.delete(s, "c1", "/config") is None


def test_sequential_nodes_take_the_next_number_until_the_slots_run_out():
    p, zk, s = start()
    s = zk.create_sequential(s, "c2")
    s = zk.create_sequential(s, "c1")
    assert (s.owner["/q/0"], s.owner["/q/1"], s.seq) == ("c2", "c1", 2)
    assert zk.create_sequential(s, "c1") is None  # the bound: two slots
    s = zk.delete(s, "c2", "/q/0")
    assert zk.create_sequential(s, "c2") is None  # numbers are never reused


def test_a_running_client_keeps_its_session_and_a_paused_one_loses_it_after_ttl_ticks():
    p, zk, s = start()
    tick, expire, pause = (p.action(n).fn for n in ("tick", "expire", "gc_pause"))
    s = zk.create_sequential(s, "c1")
    s = zk.create(s, "c2", "/config", 0, ephemeral=True)
    for _ in range(5):
        s = tick(s)
    assert s.session == p.variables["session"].init  # heartbeats: both still at the full TTL
    s = pause(s, "c1")
    s = tick(tick(s))
    assert (s.session["c1"], s.paused["c1"], s.data["/q/0"]) == (0, 1, "set")  # expired, node not yet deleted
    assert expire(s, "c2") is None  # c2's session is live
    assert zk.create(s, "c1", "/config", 1) is None  # and c1 cannot call the service any more
    s = expire(s, "c1")
    assert (s.data["/q/0"], s.owner["/q/0"], s.data["/config"]) == (None, None, 0)  # only c1's ephemerals go
    assert zk.reconnect(s, "c1") is None  # still frozen
    s = tick(s)
    s = zk.reconnect(s, "c1")
    assert s.session["c1"] == 2


def test_a_one_time_watch_fires_once_so_a_change_before_it_is_set_again_is_missed():
    p, zk, s = start(OnceStore)
    s = zk.create(s, "c1", "/config", 0)
    s = zk.watch_once(s, "c2", "/config")
    s = zk.set(s, "c1", "/config", 1)
    (e,) = s.events
    assert (e.dst, e.path, s.watch["c2"]) == ("c2", "/config", None)
    assert zk.notified(s, e)
    s = s.update(events=zk.take(s, e))
    s = zk.set(s, "c1", "/config", 2)  # between the notification and the next watch: never notified
    assert not s.events
    s = zk.watch_once(s, "c2", "/config")
    s = zk.delete(s, "c1", "/config")
    assert [ev.path for ev in s.events] == ["/config"]


def test_a_stream_watch_from_a_revision_sees_every_later_change():
    p, zk, s = start(StreamStore)
    s = zk.create(s, "c1", "/config", 0)
    s = zk.watch_from(s, "c2", "/config", s.revision)
    assert not zk.stream_pending(s, "c2", "/config")
    s = zk.set(s, "c1", "/config", 1)
    s = zk.set(s, "c1", "/config", 2)
    assert zk.stream_pending(s, "c2", "/config")
    s = s.update(**zk.stream_next(s, "c2", "/config"))
    assert (s.seen["c2"], zk.stream_pending(s, "c2", "/config")) == (3, False)


def test_writes_stop_at_the_revision_bound():
    p, zk, s = start()
    s = zk.create(s, "c1", "/config", 0)
    for v in (1, 2):
        s = zk.set(s, "c1", "/config", v)
    assert zk.set(s, "c1", "/config", 3) is None  # max_version 2
    s = zk.create_sequential(zk.delete(s, "c1", "/config"), "c1")
    assert s.revision == 5 and zk.create(s, "c1", "/config", 0) is None  # max_revision 5


def test_the_service_adds_its_actions_after_the_protocols_own():
    assert [a.name for a in Store().actions] == ["noop", "tick", "expire", "gc_pause"]


@pytest.mark.parametrize("bad", [{"watches": "twice"}, {"ttl": 0}, {"paths": ["/a", "/a"]}])
def test_a_bad_declaration_is_a_clear_error(bad):
    class Bad(Protocol):
        def setup(self) -> None:
            self.Client = Nodes("c", 1)
            CoordinationService(self, self.Client, **{"paths": ["/a"], **bad})

    with pytest.raises(QuorumError, match="Bad: CoordinationService"):
        Bad()


class Counter(Protocol):
    """Clients add one to /n with compare-and-set: no increment is lost, on every engine."""

    small_instance = {}

    def setup(self) -> None:
        self.Client = Nodes("c", 2)
        self.zk = CoordinationService(self, self.Client, paths=["/n"], values=Range(0, 2), max_version=2,
                                      max_revision=3)
        self.components = (self.zk,)
        self.var("read", Map(self.Client, Range(-1, 2)), init=-1)
        self.var("done", Map(self.Client, Range(0, 1)), init=0)

    @action(c="Client")
    def start(self, s, c):
        """The first client creates /n = 0."""
        t = self.zk.create(s, c, "/n", 0)
        if t is not None:
            return t

    @action(c="Client", v=Range(0, 2))
    def read_version(self, s, c, v):
        """c reads the version v of /n."""
        if s.guard(self.zk.exists(s, "/n")) and s.guard(And(s.done[c] == 0, s.version["/n"] == v)):
            return s.update(read=s.read.set(c, v))

    @action(c="Client")
    def increment(self, s, c):
        """c writes /n + 1 if its version is still the one c read."""
        if s.guard(And(s.read[c] >= 0, s.done[c] == 0)):
            t = self.zk.set(s, c, "/n", s.data["/n"] + 1, expect=s.read[c])
            if t is not None:
                return t.update(done=s.done.set(c, 1))

    @always
    def no_lost_update(self, s):
        """/n counts the completed increments."""
        return Or(Not(self.zk.exists(s, "/n")), s.data["/n"] == s.done["c1"] + s.done["c2"])




@pytest.mark.parametrize("engine", ["explicit", "array"])
def test_compare_and_set_keeps_every_increment_on_every_engine(engine):
    r = check(Counter(), engine=engine)
    assert (r.verdict, r.distinct_states) == ("holds", check(Counter(), engine="explicit").distinct_states)


def test_bmc_reads_the_layer_too():
    r = check(Counter(), engine="bmc", max_depth=5)
    assert r.verdict == "limit" and "no violation up to depth 5" in r.message
