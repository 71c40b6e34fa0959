"""Hypothesis drivers over the core semantics: random walks that shrink, protocols as state machines."""
