"""The Z3 engine: bounded model checking and inductive invariants, read from the protocol's own code.

``transition`` builds symbolic states and the transition relation by running each action on Z3
terms (``checker.symexec``); ``bmc`` unrolls it depth by depth; ``induction`` checks that an
invariant is inductive and explains why not with a counterexample to induction.
"""
