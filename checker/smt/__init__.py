"""Z3: symbolic values and execution, the transition relation (firings as formulas), BMC, induction."""
