"""Worked examples of testing real code against a Quorum protocol (see the README's simulation section)."""
