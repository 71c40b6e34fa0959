"""The model against the outside world: validating recorded traces, model-based tests of real code."""
