"""What every engine shares: the concrete semantics, properties, budget, traces and results, replay, shrinking."""
