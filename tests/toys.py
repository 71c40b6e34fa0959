"""Tiny protocols for testing the engine itself (not course material, so not in protocols/)."""

from __future__ import annotations

from checker.dsl import (
    And,
    Bag,
    Bool,
    Enum,
    ForAll,
    From,
    If,
    Implies,
    IsEmpty,
    Map,
    Nodes,
    Not,
    OneOf,
    Param,
    Protocol,
    Range,
    RecordType,
    Seq,
    SetOf,
    Variant,
    action,
    always,
    sometimes,
)


class Counter(Protocol):
    """A counter that counts up to a limit and then stops (a deadlock at the limit)."""

    limit = Param(3, "highest value")

    def setup(self) -> None:
        self.var("n", Range(0, self.limit), init=0)

    @action
    def inc(self, s):
        if s.guard(s.n < self.limit):
            return s.update(n=s.n + 1)

    @always
    def below_limit(self, s):
        return s.n <= self.limit

    @sometimes
    def reaches_two(self, s):
        return s.n == 2


class Unreachable(Counter):
    """The counter never reaches a goal beyond its limit: vacuity is a finding."""

    @sometimes
    def reaches_ten(self, s):
        return s.n == 10

    @action
    def never(self, s):
        """An action whose guard never holds: coverage must warn about it."""
        if s.guard(s.n > self.limit):
            return s.update(n=0)


class Raises(Protocol):
    """An action raises after two steps: the exception is a finding with its trace."""

    def setup(self) -> None:
        self.var("n", Range(0, 5), init=0)

    @action
    def step(self, s):
        if s.n == 2:
            raise ValueError("boom at two")
        if s.guard(s.n < 5):
            return s.update(n=s.n + 1)


class OutOfDomain(Protocol):
    """An action writes a value outside the declared domain: a type error with its trace."""

    def setup(self) -> None:
        self.var("n", Range(0, 2), init=0)

    @action
    def step(self, s):
        return s.update(n=s.n + 1)


class PlainIf(Protocol):
    """Branches with a plain Python `if` on state: fine concretely, an error under Z3."""

    def setup(self) -> None:
        self.Node = Nodes("n", 2)
        self.var("role", Map(self.Node, Enum("follower", "leader")), init="follower")

    @action(n="Node")
    def promote(self, s, n):
        if s.role[n] == "follower":
            return s.update(role=s.role.set(n, "leader"))


class Switch(Protocol):
    """One action with an if/else on state: the Z3 reading must fork into two paths."""

    def setup(self) -> None:
        from checker import Bool

        self.var("on", Bool(), init=False)

    @action
    def flip(self, s):
        if s.guard(s.on):
            return s.update(on=False)
        return s.update(on=True)


class GoalAtViolation(Protocol):
    """Two counters: ``y_reaches_two`` is first met at the depth where ``x_below_two`` breaks,
    by a different path (so an engine must not confuse the goal's witness with the violation)."""

    def setup(self) -> None:
        self.var("x", Range(0, 3), init=0)
        self.var("y", Range(0, 3), init=0)

    @action
    def inc_x(self, s):
        if s.guard(s.x < 3):
            return s.update(x=s.x + 1)

    @action
    def inc_y(self, s):
        if s.guard(s.y < 3):
            return s.update(y=s.y + 1)

    @always
    def x_below_two(self, s):
        return s.x < 2

    @sometimes
    def y_reaches_two(self, s):
        return s.y == 2


class Stepper(Protocol):
    """A counter with one buggy variant per kind of definition: ``leaps`` overrides an action,
    ``low-ceiling`` a helper read in ``setup``, ``lenient`` a property."""

    variant = Variant(correct="steps by one up to the ceiling")

    def setup(self) -> None:
        self.top = self.ceiling()
        self.var("n", Range(0, 4), init=0)

    def ceiling(self):
        """How high the counter goes."""
        return 4

    @variant("low-ceiling", "the counter stops at 2")
    def ceiling(self):  # noqa: F811 - a variant's version
        return 2

    @action
    def step(self, s):
        """n goes up by one."""
        if s.guard(s.n < self.top):
            return s.update(n=s.n + 1)

    @variant("leaps", "steps by two, skipping the odd numbers")
    def step(self, s):  # noqa: F811 - a variant's version
        if s.guard(s.n + 2 <= self.top):
            return s.update(n=s.n + 2)

    @always
    def below_three(self, s):
        """The counter stays below 3 (false in the correct version: a finding on purpose)."""
        return s.n < 3

    @variant("lenient", "the invariant allows anything")
    def below_three(self, s):  # noqa: F811 - a variant's version
        return True


# -- corner cases every engine must read the same way (tests/differential/test_corner_cases.py) ------


class RecordOutOfDomain(Protocol):
    """A message's term is computed from state and leaves the record type's domain (terms 1..2):
    ``dec`` twice, then ``send`` adds ``msg(term=0)`` — a type error after 3 steps."""

    def setup(self) -> None:
        from checker.dsl import SetOf

        self.Msg = RecordType("msg", term=Range(1, 2))
        self.var("term", Range(0, 2), init=2)
        self.var("msgs", SetOf(self.Msg), init=())

    @action
    def dec(self, s):
        if s.guard(s.term > 0):
            return s.update(term=s.term - 1)

    @action
    def send(self, s):
        return s.update(msgs=s.msgs | {self.Msg(term=s.term)})


class ParamRecordOutOfDomain(Protocol):
    """The out-of-domain record comes from a concrete parameter (t = 0, terms are 1..2) and only once
    a flag is set: a type error after 2 steps, never at encoding time."""

    def setup(self) -> None:
        from checker.dsl import Bool, SetOf

        self.Msg = RecordType("msg", term=Range(1, 2))
        self.var("armed", Bool(), init=False)
        self.var("msgs", SetOf(self.Msg), init=())

    @action
    def arm(self, s):
        if s.guard(Not(s.armed)):
            return s.update(armed=True)

    @action(t=Range(0, 2))
    def send(self, s, t):
        if s.guard(s.armed):
            return s.update(msgs=s.msgs | {self.Msg(term=t)})


class InboxOutOfDomain(Protocol):
    """One inbox per node (a map of sets of records); the record's field leaves its domain."""

    def setup(self) -> None:
        from checker.dsl import SetOf

        self.Node = Nodes("n", 2)
        self.Msg = RecordType("msg", term=Range(1, 2))
        self.var("term", Range(0, 2), init=1)
        self.var("inbox", Map(self.Node, SetOf(self.Msg)), init=frozenset())

    @action
    def dec(self, s):
        if s.guard(s.term > 0):
            return s.update(term=s.term - 1)

    @action(n="Node")
    def deliver(self, s, n):
        return s.update(inbox=s.inbox.set(n, s.inbox[n] | {self.Msg(term=s.term)}))


class SetOfScalarsOutOfDomain(Protocol):
    """A set of numbers 0..2 gets a number computed from state: 3 after three steps."""

    def setup(self) -> None:
        from checker.dsl import SetOf

        self.var("n", Range(0, 3), init=0)
        self.var("seen", SetOf(Range(0, 2)), init=())

    @action
    def step(self, s):
        if s.guard(s.n < 3):
            return s.update(n=s.n + 1, seen=s.seen | {s.n + 1})


class MapOutOfDomain(Protocol):
    """A map entry is assigned a value outside its domain (counts are 0..2)."""

    def setup(self) -> None:
        self.Node = Nodes("n", 2)
        self.var("count", Map(self.Node, Range(0, 2)), init=0)

    @action(n="Node")
    def bump(self, s, n):
        return s.update(count=s.count.set(n, s.count[n] + 1))


class SendWhenEmpty(Protocol):
    """A guard on a set being empty, and a ``From`` parameter: one message at a time, received and
    counted; ``received_once`` breaks after send, recv, send, recv (4 steps)."""

    def setup(self) -> None:
        from checker.dsl import SetOf

        self.Msg = RecordType("msg", val=Range(0, 1))
        self.var("msgs", SetOf(self.Msg), init=())
        self.var("got", Range(0, 3), init=0)

    @action(v=Range(0, 1))
    def send(self, s, v):
        if s.guard(IsEmpty(s.msgs)):
            return s.update(msgs=s.msgs | {self.Msg(val=v)})

    @action(m=From("msgs", "msg"))
    def recv(self, s, m):
        if s.guard(s.got < 3):
            return s.update(msgs=s.msgs - {m}, got=s.got + 1)

    @always
    def received_once(self, s):
        return s.got < 2


class EmptyFrom(Protocol):
    """The only action takes a message from a set that is always empty: a deadlock in the initial state."""

    def setup(self) -> None:
        from checker.dsl import SetOf

        self.Msg = RecordType("msg", val=Range(0, 1))
        self.var("msgs", SetOf(self.Msg), init=())
        self.var("got", Range(0, 1), init=0)

    @action(m=From("msgs"))
    def recv(self, s, m):
        return s.update(msgs=s.msgs - {m}, got=1)


class RaisesOnGuard(Protocol):
    """An action raises once the counter is 2, written so that Z3 can read it (``s.guard``, not ``if``)."""

    def setup(self) -> None:
        self.var("n", Range(0, 5), init=0)

    @action
    def step(self, s):
        if s.guard(s.n == 2):
            raise ValueError("boom at two")
        if s.guard(s.n < 5):
            return s.update(n=s.n + 1)


class MapKeyOutside(Protocol):
    """A map is written at a key computed from state that is not one of its keys (keys 0..1, the
    index reaches 2): the concrete map raises KeyError — a finding after two steps."""

    def setup(self) -> None:
        from checker.dsl import Bool

        self.var("i", Range(0, 2), init=0)
        self.var("marked", Map(Range(0, 1), Bool()), init=False)

    @action
    def advance(self, s):
        if s.guard(s.i < 2):
            return s.update(i=s.i + 1)

    @action
    def mark(self, s):
        return s.update(marked=s.marked.set(s.i, True))


class Pigeons(Protocol):
    """n + 1 pigeons moving between n holes: some hole is always shared. Cheap to encode, hard for
    Z3 to prove at each depth (the pigeonhole principle): a solver call long enough to time limits
    and interrupts inside it (pigeons=10: depth 5 alone takes seconds)."""

    holes = Param(10, "number of holes (one pigeon more than holes)")

    def setup(self) -> None:
        self.Pigeon = Range(0, self.holes)
        self.Hole = Range(0, self.holes - 1)
        self.var("hole", Map(self.Pigeon, self.Hole), init=0)

    @action(p="Pigeon", h="Hole")
    def move(self, s, p, h):
        return s.update(hole=s.hole.set(p, h))

    @always
    def some_hole_shared(self, s):
        from checker.dsl import Or

        pigeons = self.Pigeon.values()
        return Or(*(s.hole[a] == s.hole[b] for i, a in enumerate(pigeons) for b in pigeons[i + 1:]))


class BoolGetsNumber(Protocol):
    """A Boolean variable is assigned a number: a type error after one step."""

    def setup(self) -> None:
        from checker.dsl import Bool

        self.var("n", Range(0, 1), init=0)
        self.var("flag", Bool(), init=False)

    @action
    def step(self, s):
        if s.guard(s.n < 1):
            return s.update(n=s.n + 1, flag=2)


class DeadlockBeforeViolation(Protocol):
    """From the initial state, ``a`` leads on to a state that breaks ``not_three`` (2 steps) and ``b``
    to a deadlock (1 step): the shortest finding is the deadlock."""

    def setup(self) -> None:
        self.var("x", Range(0, 3), init=0)

    @action
    def a(self, s):
        if s.guard(s.x == 0):
            return s.update(x=1)

    @action
    def b(self, s):
        if s.guard(s.x == 0):
            return s.update(x=2)

    @action
    def c(self, s):
        if s.guard(s.x == 1):
            return s.update(x=3)

    @always
    def not_three(self, s):
        return s.x != 3


class Pinger(Protocol):
    """Two nodes ping each other over a network that may lose a ping; a toy with no declarations,
    so charts must infer its roles and messages (and one action has no parameter values at all)."""

    def setup(self):
        self.Node = Nodes("n", 2)
        self.Ping = RecordType("ping", src=self.Node, dst=self.Node)
        self.var("got", Map(self.Node, Nodes("c", 2)), init="c1")
        self.var("net", SetOf(self.Ping), init=())

    @action(i="Node", j="Node")
    def send(self, s, i, j):
        if i != j:
            return s.update(net=s.net | {self.Ping(i, j)})

    @action(m=Nodes("x", 0))
    def noop(self, s, m):
        return None

    @action(i="Node")
    def drop_message(self, s, i):
        held = sorted(m for m in s.net if m.src == i)
        if held:
            return s.update(net=s.net - {held[0]})

    @action(i="Node")
    def receive(self, s, i):
        held = sorted(m for m in s.net if m.dst == i)
        if held:
            return s.update(got=s.got.set(i, "c2"), net=s.net - {held[0]})

    @always
    def quiet(self, s):
        return True


class Countdown(Protocol):
    """A timer set to 1..3 ticks fires when it reaches 0; a free ``blink`` loops meanwhile. The
    extremes query's hand-checkable case: 1 to 3 ticks until it fires (a cycle of free steps
    makes no time pass, so the maximum stays 3)."""

    def setup(self) -> None:
        self.var("left", Range(0, 3), init=OneOf([1, 2, 3]))
        self.var("lit", Bool(), init=False)

    @action
    def tick(self, s):
        if s.guard(s.left > 0):
            return s.update(left=s.left - 1)

    @action
    def blink(self, s):
        return s.update(lit=Not(s.lit))

    @sometimes
    def fired(self, s):
        return s.left == 0

    def overdue(self, s):
        """Never true: a goal no run reaches."""
        return s.left > 3


class Retry(Protocol):
    """A request that fails and is retried after ``backoff`` ticks, or given up: sent at once at
    best (0 ticks), unbounded at worst (it may fail every time: a lasso), and never done once
    given up."""

    backoff = Param(2, "ticks to wait after a failure", min=1)

    def setup(self) -> None:
        self.var("phase", Enum("sending", "waiting", "done", "gave_up"), init="sending")
        self.var("wait", Range(0, self.backoff), init=0)

    @action
    def succeed(self, s):
        if s.guard(s.phase == "sending"):
            return s.update(phase="done")

    @action
    def fail(self, s):
        if s.guard(s.phase == "sending"):
            return s.update(phase="waiting", wait=self.backoff)

    @action
    def tick(self, s):
        if s.guard(s.phase == "waiting"):
            return s.update(wait=s.wait - 1, phase=If(s.wait == 1, "sending", "waiting"))

    @action
    def give_up(self, s):
        if s.guard(s.phase == "waiting"):
            return s.update(phase="gave_up", wait=0)

    @sometimes
    def done(self, s):
        return s.phase == "done"

    def failed(self, s):
        """The request has failed once: excluding it leaves the runs without a failure."""
        return s.phase == "waiting"


class LogShipping(Protocol):
    """A leader appends values to its log (and may rewrite its last entry, as a new leader would);
    each entry is shipped in a bag of messages; a follower appends an entry that extends its log,
    truncates on a conflict and drops what it has. Sequences and bags on every engine."""

    values = Param(2, "values 1..values")
    length = Param(2, "longest log")
    variant = Variant(correct="truncate on a conflict")

    def setup(self) -> None:
        self.Value = Range(1, self.values)
        self.Index = Range(1, self.length)
        self.Ship = RecordType("ship", index=self.Index, value=self.Value)
        self.var("leader", Seq(self.Value, self.length), init=())
        self.var("follower", Seq(self.Value, self.length), init=())
        self.var("net", Bag(self.Ship, max_count=2), init=())

    @action(v="Value")
    def append(self, s, v):
        if s.guard(s.leader.length < self.length):
            return s.update(leader=s.leader.append(v))

    @action(v="Value")
    def rewrite(self, s, v):
        if s.guard(s.leader.length > 0):
            return s.update(leader=s.leader.prefix(s.leader.length - 1).append(v))

    @action(k="Index")
    def ship(self, s, k):
        msg = self.Ship(index=k, value=s.leader.at(k, 1))
        if s.guard(And(k <= s.leader.length, s.net.count(msg) < 2)):
            return s.update(net=s.net.add(msg))

    @action(m=From("net"))
    def receive(self, s, m):
        log = s.follower
        if s.guard(m.index == log.length + 1):
            return s.update(follower=log.append(m.value), net=s.net.remove(m))
        if s.guard(And(m.index <= log.length, log.at(m.index, m.value) != m.value)):
            return self.conflict(s, m)
        return s.update(net=s.net.remove(m))

    def conflict(self, s, m):
        return s.update(follower=s.follower.prefix(m.index - 1))

    @variant("no-truncate", "the follower keeps a conflicting entry and drops the message")
    def conflict(self, s, m):  # noqa: F811 - the variant's version
        return s.update(net=s.net.remove(m))

    @always(default=False)
    def ends_agree(self, s):
        """Logs of one length end alike once nothing is in flight."""
        return Implies(And(IsEmpty(s.net), s.follower.length == s.leader.length),
                       s.follower.last(0) == s.leader.last(0))

    @always
    def one_copy_each(self, s):
        return ForAll(s.net, lambda m: s.net.count(m) <= 2)

    @sometimes
    def converged(self, s):
        return And(s.follower.length == self.length, s.follower == s.leader)


class EmptyLast(Protocol):
    """``last()`` of an empty sequence without a default: a BoundError, a finding on every engine."""

    def setup(self) -> None:
        self.var("log", Seq(Range(1, 2), 2), init=())
        self.var("seen", Range(0, 2), init=0)

    @action
    def grow(self, s):
        if s.guard(s.log.length < 1):
            return s.update(log=s.log.append(1))

    @action
    def shrink(self, s):
        if s.guard(s.log.length > 0):
            return s.update(log=s.log.prefix(0))

    @action
    def peek(self, s):
        if s.guard(s.seen == 0):
            return s.update(seen=s.log.last())
