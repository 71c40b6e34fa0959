"""Exhaustive search on concrete states: breadth-first search, the seen-store, liveness as an observer."""
