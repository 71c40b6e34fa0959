"""Tiny protocols for testing the engine itself (not course material, so not in protocols/)."""

from __future__ import annotations

from checker.dsl import Enum, Map, Nodes, Param, Protocol, Range, Variant, action, always, sometimes


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
