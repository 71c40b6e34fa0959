"""Coursework: exercises graded automatically (break, explain, find, fix it) and mutation analysis.

A *fix it* submission extends ``starting_point(protocol, variant)``: the protocol with the bug."""

from checker.coursework.exercise import starting_point

__all__ = ["starting_point"]
