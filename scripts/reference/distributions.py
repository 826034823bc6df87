#!/usr/bin/env python3
"""Reference values for test/engine/stats/distributions.test.ts.

Run with Debian's Python (python3-scipy): /usr/bin/python3 scripts/reference/distributions.py
"""
import scipy
from scipy import special, stats

print("# scipy", scipy.__version__)
cases = [
    ("special.erfc(0.3)", special.erfc(0.3)),
    ("special.erfc(2.4)", special.erfc(2.4)),
    ("special.erfc(2.6)", special.erfc(2.6)),
    ("special.erfc(10)", special.erfc(10)),
    ("special.erfc(-1.5)", special.erfc(-1.5)),
    ("norm.cdf(1.959963984540054)", stats.norm.cdf(1.959963984540054)),
    ("norm.sf(8)", stats.norm.sf(8)),
    ("norm.cdf(-20)", stats.norm.cdf(-20)),
    ("norm.ppf(0.975)", stats.norm.ppf(0.975)),
    ("norm.ppf(0.8)", stats.norm.ppf(0.8)),
    ("norm.ppf(1e-10)", stats.norm.ppf(1e-10)),
    ("norm.ppf(0.3)", stats.norm.ppf(0.3)),
    ("norm.ppf(1e-300)", stats.norm.ppf(1e-300)),
    ("special.gammaln(0.1)", special.gammaln(0.1)),
    ("special.gammaln(7.5)", special.gammaln(7.5)),
    ("special.gammaln(123.4)", special.gammaln(123.4)),
    ("special.gammaln(1e6)", special.gammaln(1e6)),
    ("special.betainc(2.5, 7, 0.2)", special.betainc(2.5, 7, 0.2)),
    ("special.betainc(0.5, 0.5, 0.999)", special.betainc(0.5, 0.5, 0.999)),
    ("special.betainc(200, 300, 0.42)", special.betainc(200, 300, 0.42)),
    ("t.cdf(2.1, 7.3)", stats.t.cdf(2.1, 7.3)),
    ("t.cdf(-3.5, 2.5)", stats.t.cdf(-3.5, 2.5)),
    ("t.sf(12, 40)", stats.t.sf(12, 40)),
    ("t.cdf(0.1, 1e5)", stats.t.cdf(0.1, 1e5)),
    ("chi2.sf(3.2, 2)", stats.chi2.sf(3.2, 2)),
    ("chi2.sf(30, 3)", stats.chi2.sf(30, 3)),
    ("chi2.sf(0.5, 7)", stats.chi2.sf(0.5, 7)),
    ("chi2.sf(400, 300)", stats.chi2.sf(400, 300)),
    ("beta.ppf(0.95, 2, 5)", stats.beta.ppf(0.95, 2, 5)),
    ("beta.ppf(0.001, 0.5, 0.5)", stats.beta.ppf(0.001, 0.5, 0.5)),
    ("beta.ppf(0.5, 950, 51)", stats.beta.ppf(0.5, 950, 51)),
]
for label, value in cases:
    print(f"{label} = {value!r}")
