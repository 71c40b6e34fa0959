"""Diagrams and reports from a trace or a Result: charts, explanations, state graphs, HTML, ITF; imports no engine."""
