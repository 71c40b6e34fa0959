"""The protocol DSL: parameters, state variables, actions and properties in plain Python.

A protocol is a subclass of ``Protocol``. Its parameters are ``Param`` class attributes; its
``setup`` declares domains and state variables from them; its actions and properties are methods
marked ``@action``, ``@always`` and ``@sometimes``. Every engine interprets the same methods:
the explicit explorer on concrete states, the Z3 engine on symbolic ones.
A buggy variant is written beside the correct code, as a ``@variant`` version of each method it
changes (``checker.dsl.params.variant``); the correct methods never test which variant is running.

An action receives the state ``s`` and its parameters and returns the next state or ``None``::

    @action(a="Acceptor", m=From("msgs", "1a"))
    def phase1b(self, s, a, m):
        if s.guard(m.bal > s.maxBal[a]):
            return s.update(maxBal=s.maxBal.set(a, m.bal), msgs=s.msgs | {...})
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import FunctionType, MappingProxyType
from typing import Any

from checker.dsl import fairness
from checker.dsl.domains import Domain, FnMap, Map, SetOf, ValueSet, show
from checker.dsl.faults import Faults
from checker.dsl.params import From, OneOf, Param, Variant, VariantVersion
from checker.dsl.sequences import Bag
from checker.errors import QuorumError, suggest

RESERVED = {"guard", "update", "as_dict", "protocol"}


@dataclass
class Action:
    """One action of a compiled protocol."""

    name: str
    doc: str
    fn: Callable
    param_names: tuple[str, ...]
    sources: tuple[Any, ...]  # per parameter: a list of values, or a From
    fairness: str | None = None
    within: Callable | None = field(default=None, repr=False)  # the protocol's ``constraint`` on successors

    def __post_init__(self) -> None:
        fairness.parse(self.fairness, self.name, self.param_names)  # a bad declaration fails early
        self.dynamic = any(isinstance(s, From) for s in self.sources)
        self.static = [] if self.dynamic else list(itertools.product(*self.sources))
        if self.dynamic:
            self._getters = [
                (operator.attrgetter(s.var), s.kind) if isinstance(s, From) else (None, s) for s in self.sources
            ]

    def instances(self, state: Any) -> Iterable[tuple]:
        """Every parameter tuple worth trying in a concrete state."""
        if not self.dynamic:
            return self.static
        lists = []
        for get, arg in self._getters:
            if get is None:
                lists.append(arg)
            else:
                held = get(state)
                lists.append(held.ordered() if arg is None else held.of(arg))
        return itertools.product(*lists)

    def params_dict(self, params: tuple) -> dict[str, Any]:
        return dict(zip(self.param_names, params, strict=True))

    def label(self, params: tuple) -> str:
        args = ", ".join(f"{show(v)}" for v in params)
        return f"{self.name}({args})"


@dataclass
class Property:
    """A named property: an invariant (``always``) or a reachability goal (``sometimes``)."""

    name: str
    kind: str
    fn: Callable
    doc: str
    default: bool = True
    over: dict[str, Any] = field(default_factory=dict)  # liveness: checked for each value of these


@dataclass
class Variable:
    name: str
    domain: Domain
    init: Any
    choices: list | None = None


def action(fn: Callable | None = None, /, *, fair: str | None = None, **params: Any) -> Any:
    """Mark a method as an action. Keyword arguments give each parameter's domain: a ``Domain``,
    a list, the name of a protocol attribute (``"Acceptor"``), or ``From(var, kind)``."""

    def mark(f: Callable) -> Callable:
        f.__quorum__ = ("action", {"params": params, "fair": fair})
        return f

    return mark(fn) if fn is not None else mark


def always(fn: Callable | None = None, /, *, default: bool = True) -> Any:
    """Mark a method as an invariant: it must hold in every reachable state.

    ``default=False`` ships it with the protocol (e.g. a lemma of an inductive invariant) without
    checking it unless a spec names it."""

    def mark(f: Callable) -> Callable:
        f.__quorum__ = ("always", {"default": default})
        return f

    return mark(fn) if fn is not None else mark


def sometimes(fn: Callable | None = None, /, *, default: bool = True) -> Any:
    """Mark a method as a reachability goal: some reachable state must satisfy it.

    A goal that no state reaches is a finding (vacuity): the model can never, e.g., decide."""

    def mark(f: Callable) -> Callable:
        f.__quorum__ = ("sometimes", {"default": default})
        return f

    return mark(fn) if fn is not None else mark


#: Property kinds checked over infinite behaviours (``checker.explicit.liveness``), not state by state.
LIVENESS = ("eventually", "always_eventually", "leads_to")


def _liveness(kind: str, fn: Callable | None, default: bool, over: dict[str, Any]) -> Any:
    def mark(f: Callable) -> Callable:
        f.__quorum__ = (kind, {"default": default, "over": over})
        return f

    return mark(fn) if fn is not None else mark


def eventually(fn: Callable | None = None, /, *, default: bool = False, **over: Any) -> Any:
    """Mark a method as a liveness property: every fair behaviour reaches a state satisfying it.

    Keyword arguments name domains, like ``@action``: ``@eventually(p="Participant")`` checks
    "every participant p eventually ...", one property per p. Not checked by default
    (``default=False``): whether it holds depends on the fairness a spec assumes."""
    return _liveness("eventually", fn, default, over)


def always_eventually(fn: Callable | None = None, /, *, default: bool = False, **over: Any) -> Any:
    """Mark a method as a liveness property: every fair behaviour satisfies it again and again."""
    return _liveness("always_eventually", fn, default, over)


def leads_to(fn: Callable | None = None, /, *, default: bool = False, **over: Any) -> Any:
    """Mark a method returning a pair ``(P, Q)``: whenever P holds, Q holds then or later (TLA+'s P ~> Q).

    E.g. ``return s.waiting[c], s.holder == c``: a waiting client eventually holds the lock."""
    return _liveness("leads_to", fn, default, over)


# -- variants: a buggy variant is an override of the one definition that differs ----------------


class _ClassBody(dict):
    """The namespace a ``Protocol`` subclass's body runs in: a ``@variant`` version is set aside
    instead of rebinding its name, which keeps the correct definition. A method defined twice
    without ``@variant`` is refused (Python would silently keep only the second)."""

    def __init__(self) -> None:
        super().__init__()
        self.versions: list[tuple[str, VariantVersion]] = []

    def __setitem__(self, key: str, value: Any) -> None:
        if isinstance(value, VariantVersion):
            self.versions.append((key, value))
            return
        if isinstance(value, FunctionType) and isinstance(self.get(key), FunctionType):
            raise QuorumError(
                f"{self.get('__qualname__', 'the protocol')}.{key} is defined twice; a buggy variant's version "
                f"of {key} needs @variant('name', 'what it gets wrong') above it"
            )
        super().__setitem__(key, value)


class _ProtocolType(type):
    """The metaclass of ``Protocol``: it files each class's ``@variant`` versions by variant and adds
    their names to the ``variant`` parameter."""

    @classmethod
    def __prepare__(mcls, name: str, bases: tuple, **kwargs: Any) -> dict:
        return _ClassBody()

    def __new__(mcls, name: str, bases: tuple, body: dict, **kwargs: Any) -> type:
        versions = body.versions if isinstance(body, _ClassBody) else []
        cls = super().__new__(mcls, name, bases, dict(body), **kwargs)
        _declare_variants(cls, versions)
        return cls


def _declare_variants(cls: Any, versions: list[tuple[str, VariantVersion]]) -> None:
    """``cls._variant_versions`` (variant name -> {method name: function}, inherited ones included)
    and, when ``cls`` declares versions, a ``variant`` parameter that lists them."""
    import inspect

    table: dict[str, dict[str, Callable]] = {}
    for base in reversed(cls.__mro__[1:]):
        for name, methods in vars(base).get("_variant_versions", {}).items():
            table.setdefault(name, {}).update(methods)
    cls._variant_versions = table
    if not versions:
        return
    spec = cls.param_specs().get("variant")
    choices: dict[str, str | None] = dict(spec.choices) if spec is not None and spec.choices else {}
    if not choices:
        choices = {"correct": "the protocol as written"}
    correct = next(iter(choices))
    declared: list[str] = []
    filed: set[tuple[str, str]] = set()
    for method, version in versions:
        where = f"{cls.__name__}.{method}"
        first = next(iter(version.docs))
        base = inspect.getattr_static(cls, method, None)
        if base is None:
            raise QuorumError(
                f"{where}: @variant({first!r}) is a variant's version of {method}, but {cls.__name__} has no "
                f"correct {method}: define it (without @variant) beside the variant's version"
            )
        if isinstance(base, property) or not hasattr(base, "__get__"):
            raise QuorumError(f"{where}: @variant({first!r}) replaces methods, and {method} is not one")
        if getattr(version, "__quorum__", None) is not None or getattr(version.fn, "__quorum__", None) is not None:
            raise QuorumError(
                f"{where}: variant {first!r}'s version takes its declaration (@action, @always, ...) from the "
                f"correct {method}; decorate only the correct one"
            )
        if inspect.isfunction(base) and inspect.isfunction(version.fn):
            want, got = list(inspect.signature(base).parameters), list(inspect.signature(version.fn).parameters)
            if want != got:
                raise QuorumError(
                    f"{where}: variant {first!r}'s version takes ({', '.join(got)}) but the correct {method} "
                    f"takes ({', '.join(want)}); give it the same parameters"
                )
        for name, doc in version.docs.items():
            if name == correct:
                raise QuorumError(
                    f"{where}: @variant({name!r}) names the correct version, which is the definition without "
                    "@variant; name the buggy variant this version belongs to"
                )
            if (name, method) in filed:
                raise QuorumError(f"{where}: variant {name!r} has two versions of {method}; keep one")
            filed.add((name, method))
            table.setdefault(name, {})[method] = version.fn
            known = choices.get(name)
            if doc is not None:
                if known and known != doc:
                    raise QuorumError(
                        f"{where}: variant {name!r} is described twice ({known!r}, {doc!r}); describe it once"
                    )
                choices[name] = doc
            else:
                choices.setdefault(name, None)
            declared.append(name)
    for name in declared:
        if not choices[name]:
            raise QuorumError(
                f"{cls.__name__}: variant {name!r} needs a description: @variant({name!r}, \"what it gets wrong\") "
                "on one of its versions"
            )
    param = Variant(**choices)
    param.__set_name__(cls, "variant")
    cls.variant = param


class _Hook:
    """A hook that is data: its default on ``Protocol``, with a docstring. A protocol overrides it
    with a class attribute, or an instance attribute set in ``setup``."""

    def __init__(self, default: Any, doc: str) -> None:
        self.default = default
        self.__doc__ = doc
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        return self.default

    def __repr__(self) -> str:
        return f"<Protocol hook {self.name}: default {self.default!r}>"


def _identity(cond: Any) -> Any:
    return cond


def _state_class(protocol: Protocol) -> type:
    """A tuple subclass with one named field per state variable, plus ``guard`` and ``update``."""
    names = list(protocol.variables)
    ns: dict[str, Any] = {"_tnew": tuple.__new__, "_K": object(), "_VS": ValueSet}
    parts = []
    for i, (name, var) in enumerate(protocol.variables.items()):
        if isinstance(var.domain, SetOf):
            parts.append(f"(self[{i}] if {name} is _K else ({name} if type({name}) is _VS else _VS({name})))")
        else:
            parts.append(f"(self[{i}] if {name} is _K else {name})")
    src = (
        f"def update(self, *, {', '.join(n + '=_K' for n in names)}):\n"
        f"    return _tnew(type(self), ({', '.join(parts)},))\n"
    )
    exec(src, ns)  # noqa: S102 - generated for speed: one tuple allocation per successor
    body: dict[str, Any] = {
        "__slots__": (),
        "_fields": tuple(names),
        "update": ns["update"],
        "guard": staticmethod(_identity),
        "protocol": protocol,
        "__repr__": lambda self: "State(" + ", ".join(f"{n}={show(v)}" for n, v in zip(names, self, strict=True)) + ")",
        "as_dict": lambda self: dict(zip(names, self, strict=True)),
    }
    body["update"].__doc__ = "The next state: the given variables changed, all others unchanged."
    for i, name in enumerate(names):
        body[name] = property(operator.itemgetter(i))
    return type(f"{type(protocol).__name__}State", (tuple,), body)


class Protocol(metaclass=_ProtocolType):
    """Base class of every protocol. Subclasses declare ``Param``s, ``setup`` and methods.

    The contract: a protocol may define exactly the hooks below, each declared here with its
    default: ``small_instance``, ``environment``, ``not_bounds``, ``INV``, ``components`` (data: a class
    attribute, or set in ``setup``), ``constraint`` (a method, or None), ``setup``, ``bounds``,
    ``explain_<property>`` (read through ``explanation``) and ``witnesses_<property>`` (read through
    ``witnesses``). A buggy variant is a ``@variant`` version of each definition it changes."""

    small_instance = _Hook(
        MappingProxyType({}),
        "Parameters of an instance small enough for cross-engine tests (every variant is tried with them).",
    )
    environment = _Hook(
        None, "The faults this protocol can host: an ``Environment`` (set in ``setup``), or None for none."
    )
    not_bounds = _Hook(
        (), "Range variables whose maximum is a value the protocol sets, not a bound a run can saturate."
    )
    INV = _Hook((), "The names of the properties whose conjunction is the protocol's inductive invariant.")
    constraint = _Hook(
        None,
        "TLC's state CONSTRAINT: a method ``constraint(self, s)`` giving the condition a state must meet to be "
        "in the model. A successor that fails it is discarded (not counted, not explored, not checked), so a "
        "bound on terms or log lengths cuts the state space without being a finding. The initial states must "
        "meet it. A state whose every successor is discarded counts as a deadlock: bounded models usually "
        "check with ``deadlock = false``.",
    )
    components = _Hook(
        (),
        "Building blocks with state and actions of their own (``checker.dsl.coordination.CoordinationService``), "
        "set in ``setup``: each declares its variables there and adds its actions after the protocol's own.",
    )

    def __init__(self, *, faults: Iterable[str] = (), **params: Any) -> None:
        cls = type(self)
        known = self.param_specs()
        for name in params:
            if name not in known:
                raise QuorumError(f"{cls.__name__} has no parameter {name!r}." + suggest(name, known))
        self.params = {}
        for name, spec in known.items():
            value = spec.check(cls.__name__, params[name]) if name in params else spec.default
            self.params[name] = value
            setattr(self, name, value)
        for method, fn in cls._variant_versions.get(self.params.get("variant"), {}).items():
            setattr(self, method, fn.__get__(self, cls))  # this variant's versions replace the correct ones
        self.variables: dict[str, Variable] = {}
        self.declared_roles: dict[str, Domain] = {}
        self.declared_messages: dict[str, dict[str, Any]] = {}
        self.setup()
        if not self.variables:
            raise QuorumError(f"{cls.__name__}.setup() declares no state variable: call self.var(name, domain, init)")
        self.faults = Faults(self, faults)
        self.faults.declare_variables()
        self.State = _state_class(self)
        self.actions: list[Action] = []
        self.properties: dict[str, Property] = {}
        self._compile()
        for part in self.components:
            part.add_actions()
        self.faults.add_actions()
        if self.constraint is not None:
            self._check_constraint()

    def _check_constraint(self) -> None:
        """Every action discards successors outside ``constraint``; the initial states must meet it."""
        if not callable(self.constraint):
            raise QuorumError(f"{type(self).__name__}.constraint must be a method constraint(self, s), "
                              f"not {self.constraint!r}")
        for act in self.actions:
            act.within = self.constraint
        for init in self.initial_states():
            if not self.constraint(init):
                raise QuorumError(f"{type(self).__name__}: an initial state is outside constraint(): "
                                  f"{show(init)}; the bound must admit the start of every run")

    # -- declaration -------------------------------------------------------------------------

    @classmethod
    def param_specs(cls) -> dict[str, Param]:
        specs: dict[str, Param] = {}
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, Param):
                    specs[name] = value
        return specs

    @classmethod
    def variants(cls) -> dict[str, str]:
        spec = cls.param_specs().get("variant")
        return dict(spec.choices) if spec is not None and spec.choices else {}

    def setup(self) -> None:
        """Declare domains (as attributes) and state variables (with ``self.var``)."""

    def var(self, name: str, domain: Domain, init: Any) -> None:
        """Declare a state variable with its domain and initial value (or ``OneOf`` choices)."""
        where = f"{type(self).__name__}.setup()"
        if name in RESERVED or name.startswith("_"):
            raise QuorumError(f"{where}: {name!r} cannot name a state variable (reserved); choose another name")
        if name in self.variables:
            raise QuorumError(f"{where}: state variable {name!r} is declared twice")
        if not isinstance(domain, Domain):
            raise QuorumError(f"{where}: variable {name!r} needs a domain such as Map(...), SetOf(...), Range(...)")
        choices = init.choices if isinstance(init, OneOf) else [init]
        made = [self._make(domain, c) for c in choices]
        bad = [value for value in made if not domain.contains(value)]
        if bad:
            raise QuorumError(f"{where}: initial value {show(bad[0])} of {name!r} is not in {domain!r}")
        self.variables[name] = Variable(name, domain, made[0], made if isinstance(init, OneOf) else None)

    def declare_role(self, name: str, domain: Domain) -> None:
        """Declare that the values of ``domain`` are processes (one lifeline each in diagrams), e.g.
        ``declare_role("leader", self.Ballot)``. Undeclared, every node domain keying a Map is one."""
        if not isinstance(domain, Domain):
            raise QuorumError(
                f"{type(self).__name__}.setup(): declare_role({name!r}, ...) needs a domain, e.g. Nodes(...)"
            )
        self.declared_roles[name] = domain

    def declare_messages(self, var: str, *, sender: str | dict[str, str] | None = None,
                         receiver: str | dict[str, str] | None = None) -> None:
        """Declare that state variable ``var`` holds messages. ``sender``/``receiver`` name the record
        field holding that process, for every kind or per kind (``receiver={"1b": "bal"}``); with
        none, the sender is the sending step's actor and a receiver whoever takes the message as an
        action parameter."""
        if var not in self.variables:
            raise QuorumError(
                f"{type(self).__name__}.setup(): declare_messages({var!r}) names no state variable "
                "(declare it with self.var first)." + suggest(var, self.variables)
            )
        self.declared_messages[var] = {"sender": sender, "receiver": receiver}

    @staticmethod
    def _make(domain: Domain, init: Any) -> Any:
        if isinstance(domain, Map) and not isinstance(init, FnMap):
            return domain.make(init)
        if isinstance(domain, SetOf):
            return domain.make(init)
        return domain.coerce(init)

    # -- compilation -------------------------------------------------------------------------

    def _compile(self) -> None:
        cls = type(self)
        seen: set[str] = set()
        for klass in cls.__mro__:
            for name, member in vars(klass).items():
                mark = getattr(member, "__quorum__", None)
                if mark is None or name in seen:
                    continue
                seen.add(name)
                kind, opts = mark
                bound = getattr(self, name)
                doc = (member.__doc__ or "").strip()
                if kind == "action":
                    self._add_action(name, bound, doc, opts)
                else:
                    self.properties[name] = Property(
                        name, kind, bound, doc, opts.get("default", True), opts.get("over", {})
                    )
        order = {n: i for i, n in enumerate(_definition_order(cls))}
        self.actions.sort(key=lambda a: order.get(a.name, 1 << 30))
        self.properties = dict(sorted(self.properties.items(), key=lambda kv: order.get(kv[0], 1 << 30)))

    def _add_action(self, name: str, fn: Callable, doc: str, opts: dict) -> None:
        import inspect

        sig = list(inspect.signature(fn).parameters)
        declared = opts["params"]
        if not sig or sig[0] != "s":
            raise QuorumError(f"action {name}: its first argument must be the state `s`, e.g. def {name}(self, s, ...)")
        wanted = sig[1:]
        missing = [p for p in wanted if p not in declared]
        extra = [p for p in declared if p not in wanted]
        if missing or extra:
            raise QuorumError(
                f"action {name}: parameters {wanted} need a domain each in @action(...)"
                + (f"; missing: {missing}" if missing else "")
                + (f"; not parameters of the function: {extra}" if extra else "")
            )
        sources = tuple(self.source(name, p, declared[p]) for p in wanted)
        self.actions.append(Action(name, doc, fn, tuple(wanted), sources, opts.get("fair")))

    def add_action(self, name: str, fn: Callable, doc: str = "", fair: str | None = None, **params: Any) -> None:
        """Add an action built outside the class (faults, environment)."""
        sources = tuple(self.source(name, p, d) for p, d in params.items())
        self.actions.append(Action(name, doc, fn, tuple(params), sources, fair))

    def source(self, action_name: str, param: str, spec: Any) -> Any:
        """What parameter ``param`` of ``action_name`` ranges over: a list of values, or a ``From``."""
        if isinstance(spec, From):
            var = self.variables.get(spec.var)
            if var is None or not isinstance(var.domain, (SetOf, Bag)):
                raise QuorumError(
                    f"action {action_name}: From({spec.var!r}) needs a SetOf or Bag state variable."
                    + suggest(spec.var, [n for n, v in self.variables.items() if isinstance(v.domain, (SetOf, Bag))])
                )
            return spec
        if isinstance(spec, str):
            if not hasattr(self, spec):
                raise QuorumError(
                    f"action {action_name}: parameter {param} ranges over {spec!r}, which setup() does not define."
                    + suggest(spec, [n for n in vars(self) if not n.startswith("_")])
                )
            spec = getattr(self, spec)
        if isinstance(spec, Domain):
            return list(spec.values())
        if isinstance(spec, Iterable):
            return list(spec)
        raise QuorumError(f"action {action_name}: parameter {param} needs a domain, a list or From(...), not {spec!r}")

    # -- use ---------------------------------------------------------------------------------

    def initial_states(self) -> list:
        names = list(self.variables)
        options = [v.choices or [v.init] for v in self.variables.values()]
        return [tuple.__new__(self.State, combo) for combo in itertools.product(*options)] if names else []

    def action(self, name: str) -> Action:
        for a in self.actions:
            if a.name == name:
                return a
        known = [a.name for a in self.actions]
        raise QuorumError(f"{type(self).__name__} has no action {name!r}." + suggest(name, known))

    def describe(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        if self.faults.selected:
            args += f", faults={list(self.faults.selected)!r}"
        return f"{type(self).__name__}({args})"

    def bounds(self) -> str:
        """The instance size in words, for stating what a proof covers (protocols override this to
        say it their way, e.g. Paxos's "3 acceptors, 2 values, ballots 0..2")."""
        return ", ".join(f"{k}={v}" for k, v in self.params.items())

    def explanation(self, prop: str, s: Any) -> str | None:
        """Words beside a violation of ``prop`` in state ``s``: ``explain_<prop>(s)`` where the protocol defines it."""
        fn = getattr(self, f"explain_{prop}", None)
        return str(fn(s)) if callable(fn) else None

    def witnesses(self, prop: str, s: Any) -> list[tuple[str, str, Any]] | None:
        """Who makes a violation of ``prop`` in state ``s``, for diagrams to highlight:
        ``witnesses_<prop>(s)`` where the protocol defines it, a list of ``(tag, note, members)`` —
        a short tag (``"V1"``), what the group is (``"s1's voters in term 1"``) and its members:
        process names and messages. None without one: diagrams then highlight the processes the
        explanation's witnesses bind (Paxos's two quorums ``Q = {a2, a3}``, ``Q = {a1, a2}``)."""
        fn = getattr(self, f"witnesses_{prop}", None)
        return list(fn(s)) if callable(fn) else None

    def state_json(self, state: Any) -> dict:
        return {n: v.domain.to_json(val) for (n, v), val in zip(self.variables.items(), state, strict=True)}

    def state_from_json(self, data: dict) -> Any:
        unknown = set(data) - set(self.variables)
        if unknown:
            raise QuorumError(f"state has unknown variables {sorted(unknown)} for {type(self).__name__}")
        return tuple.__new__(self.State, [v.domain.from_json(data[n]) for n, v in self.variables.items()])


def _definition_order(cls: type) -> list[str]:
    names: list[str] = []
    for klass in reversed(cls.__mro__):
        for name in vars(klass):
            if name not in names:
                names.append(name)
    return names
