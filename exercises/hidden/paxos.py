"""The teacher's hidden invariants for the Paxos exercises (never printed in feedback)."""

from checker.dsl import ForAll, Implies


def one_proposal_per_ballot(s):
    """A ballot's leader proposes one value: at most one 2a message per ballot."""
    props = s.msgs.of("2a")
    return ForAll(props, lambda m: ForAll(props, lambda mm: Implies(m.bal == mm.bal, m.val == mm.val)))


def votes_follow_proposals(s):
    """An acceptor votes only for what was proposed in that ballot."""
    return ForAll(s.msgs.of("2b"), lambda m: ForAll(s.msgs.of("2a"), lambda p: Implies(p.bal == m.bal,
                                                                                          p.val == m.val)))
