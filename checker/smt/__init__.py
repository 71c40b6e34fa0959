"""Z3, and the only package that imports it: symbolic values and execution, the transition relation, BMC, induction."""
