"""Re-identification risk of tabular (trial) data and anonymization to a target.

Quasi-identifiers are encoded as integers once; equivalence classes, privacy models, risk
measures, population-uniqueness estimators and the optimal lattice search all work on those
codes with vectorized numpy, so a ten-million-row table is assessed without a Python loop over
rows or classes.
"""
