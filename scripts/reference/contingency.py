#!/usr/bin/python3
"""Reference values of test/engine/stats/contingency.test.ts: Pearson's chi-square test of
homogeneity of a 2 x k table, scipy.stats.chi2_contingency(table, correction=False).
Run with Debian's python3 (python3-scipy): /usr/bin/python3 scripts/reference/contingency.py"""
import scipy
from scipy.stats import chi2_contingency

print("scipy", scipy.__version__)
for table in ([[87, 263], [270, 80]], [[4369, 17395], [4063, 16252]], [[10, 20, 30], [30, 20, 10]]):
    chi2, p, dof, _ = chi2_contingency(table, correction=False)
    print(table, repr(chi2), repr(p), dof)
