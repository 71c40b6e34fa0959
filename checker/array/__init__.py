"""The array engine: the protocol's own actions, compiled from their Z3 encoding, run on whole frontiers."""
