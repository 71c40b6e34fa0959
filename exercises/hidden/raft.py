"""The teacher's hidden invariants for the Raft exercises (never printed in feedback)."""

from checker.dsl import ForAll


def terms_in_range(self, s):
    """No server's term goes past the instance's last term."""
    return ForAll(self.Server, lambda i: s.currentTerm[i] <= self.terms)
