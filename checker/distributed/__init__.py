"""Distribution on Ray: the array engine's search partitioned over workers, and parallel simulation."""
