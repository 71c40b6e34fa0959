"""The finite (Boolean) encoding of integer formulas: exact on every assignment of its variables,
and BMC keeps the integer encoding where it does not apply."""

from __future__ import annotations

import itertools

import pytest
import z3

from checker import Map, Nodes, Protocol, Range, action, always
from checker.smt.bmc import bmc
from checker.smt.finite import Finite, Unsupported
from checker.smt.transition import Encoder
from checker.smt.unroll import Unrolling

DOMAINS = {"x": [0, 1, 2, 3], "y": [-1, 0, 2], "c": [1 << 40, (1 << 40) + 7, 5]}
x, y, c = z3.Ints("x y c")
b = z3.Bool("b")
FORMULAS = [
    x + y <= 2,
    z3.If(b, x, y) == 2,
    x * 2 - y > 3,
    -x < y,
    z3.Distinct(x, y),
    z3.Sum(*(z3.If(p, 1, 0) for p in (x == 1, y == 0, b, c == 5))) >= 2,  # a count: summed capped
    3 > z3.Sum(x, y, 1),
    z3.Or(c == 1 << 40, z3.And(b, c != 5)),
    z3.If(x > y, b, z3.Not(b)) == (c == 5),
    z3.Xor(b, x == 3),
    z3.Implies(b, x >= y),
]


@pytest.mark.parametrize("one_hot", [(), ("x", "c")])
@pytest.mark.parametrize("formula", FORMULAS, ids=[str(f)[:40] for f in FORMULAS])
def test_the_encoding_agrees_with_the_integers_on_every_assignment(formula, one_hot):
    fin = Finite(DOMAINS, one_hot=one_hot)
    encoded = fin.encode(formula)
    names = list(DOMAINS)
    for values in itertools.product(*DOMAINS.values(), (False, True)):
        ints = [(z3.Int(n), z3.IntVal(v)) for n, v in zip(names, values, strict=False)]
        expected = z3.simplify(z3.substitute(formula, *ints, (b, z3.BoolVal(values[-1]))))
        bits = [(bit, z3.BoolVal(i == index if n in one_hot else bool(index >> i & 1)))
                for n, v in zip(names, values, strict=False)
                for index in [fin.domains[n].index(v)] for i, bit in enumerate(fin.bits[n])]
        got = z3.simplify(z3.substitute(encoded, *bits, (b, z3.BoolVal(values[-1]))))
        assert z3.is_true(got) == z3.is_true(expected), (formula, values)


def test_bits_that_name_no_value_are_not_well_formed():
    fin = Finite({"y": [-1, 0, 2]})  # three values in two bits: index 3 names none
    solver = z3.Solver()
    solver.add(fin.well_formed("y"), *fin.bits["y"])
    assert solver.check() == z3.unsat


@pytest.mark.parametrize("formula", [z3.Int("unknown") == 1, x * x * x * x * x * c * c > 0, x / 2 == 1])
def test_what_the_encoding_does_not_cover_is_unsupported(formula):
    with pytest.raises(Unsupported):
        Finite({**DOMAINS, "x": list(range(40))}).encode(formula)


class Wide(Protocol):
    """Two counters over 0..99 whose sum is compared with their product: too many value pairs for
    the finite encoding, so BMC keeps the integers, and still finds the smallest violation."""

    def setup(self) -> None:
        self.Node = Nodes("n", 2)
        self.var("count", Map(self.Node, Range(0, 99)), init=0)

    @action(n="Node")
    def tick(self, s, n):
        if s.guard(s.count[n] < 99):
            return s.update(count=s.count.set(n, s.count[n] + 1))

    @always
    def product_small(self, s):
        return s.count["n1"] * s.count["n2"] <= s.count["n1"] + s.count["n2"] + 3


def test_a_model_the_finite_encoding_cannot_cover_keeps_the_integer_encoding():
    assert not Unrolling(Encoder(Wide()), ["product_small"], [], deadlock=False).propositional
    result = bmc(Wide(), max_depth=8, deadlock=False)
    assert result.violated and result.property == "product_small" and len(result.trace) - 1 == 7  # 3 × 4 > 10


def test_raft_and_paxos_use_the_finite_encoding():
    from protocols.paxos import Paxos
    from protocols.raft import Raft

    for protocol in (Raft(), Paxos(ballots=2)):
        invariants = [p for p, prop in protocol.properties.items() if prop.kind == "always"]
        assert Unrolling(Encoder(protocol), invariants, [], deadlock=True).propositional
