"""The teacher's hidden invariants for the two-phase commit exercises (never printed in feedback)."""

from checker.dsl import Count, Implies


def commit_needs_every_prepare(self, s):
    """The TM decides commit only after every RM prepared."""
    return Implies(s.tmState == "committed", Count(s.tmPrepared) == self.rms)
