"""Protocol models: one module per protocol, each with its buggy variants."""
