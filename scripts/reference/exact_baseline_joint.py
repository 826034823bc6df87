#!/usr/bin/python3
"""Reference values for the joint law of the historical baseline's error and timeout rates
(src/sim/exact/baselineLaw.ts `jointRateNodes`, src/sim/exact/jointBaselineRates.ts), pinned in
test/sim/exact/baselineLaw.test.ts.

Run with Debian's Python (python3-scipy):

    /usr/bin/python3 scripts/reference/exact_baseline_joint.py

Written independently of src/sim/exact/: the four thinned classes of the baseline's requests —
error and timeout (B), error only (Eo), timeout only (To), neither (Ne) — are enumerated as
independent Poissons (scipy.stats.poisson.pmf) over ranges holding all but ~1e-16 of each, and
the joint law of (E/N, T/N) = ((B + Eo)/N, (B + To)/N) is accumulated over every (B, Eo, To, Ne)
with N ≥ 1 — no conditional-binomial formula, no recurrence. Rates are exact fractions
(fractions.Fraction), so the cells are cut exactly:
- each rate's cuts are its marginal quantiles F⁻¹(i/m) = min{r : F(r) ≥ i/m}, i = 1 … m − 1,
  and cell i is (cutᵢ, cutᵢ₊₁];
- each rate's node values are its marginal midpoint quantiles F⁻¹((i + ½)/m);
- a cell's weight is P(E/N in error cell i, T/N in timeout cell j, N ≥ 1).
The marginals are normalised to P(N ≥ 1) (the TypeScript quantiles are of the law given N ≥ 1
up to ~e⁻⁴⁰, negligible here).
"""
from collections import defaultdict
from fractions import Fraction

import numpy as np
from scipy import stats


def joint_law(both, error_only, timeout_only, neither):
    """{(E/N, T/N): probability} over N ≥ 1, by enumerating the four independent Poissons."""
    def support(mean):
        top = int(mean + 12 * mean**0.5 + 25)  # P(beyond) < 1e-17 for these means
        ks = np.arange(top + 1)
        return ks, stats.poisson.pmf(ks, mean)

    b_k, b_p = support(both)
    eo_k, eo_p = support(error_only)
    to_k, to_p = support(timeout_only)
    ne_k, ne_p = support(neither)
    law = defaultdict(float)
    for b, pb in zip(b_k, b_p):
        for eo, peo in zip(eo_k, eo_p):
            for to, pto in zip(to_k, to_p):
                base = pb * peo * pto
                if base < 1e-30:
                    continue
                e = int(b + eo)
                t = int(b + to)
                for ne, pne in zip(ne_k, ne_p):
                    n = e + int(to) + int(ne)
                    if n == 0:
                        continue
                    law[(Fraction(e, n), Fraction(t, n))] += base * pne
    return law


def quantile(marginal, u):
    """min{r : F(r) ≥ u} for a {rate: probability} law normalised to 1."""
    running = 0.0
    for r in sorted(marginal):
        running += marginal[r]
        if running >= u * (1 - 1e-15):
            return r
    return max(marginal)


def cells(law, error_cells, timeout_cells):
    total = sum(law.values())
    error_marginal = defaultdict(float)
    timeout_marginal = defaultdict(float)
    for (re, rt), p in law.items():
        error_marginal[re] += p / total
        timeout_marginal[rt] += p / total
    error_cuts = [quantile(error_marginal, i / error_cells) for i in range(1, error_cells)]
    timeout_cuts = [quantile(timeout_marginal, j / timeout_cells) for j in range(1, timeout_cells)]
    error_nodes = [quantile(error_marginal, (i + 0.5) / error_cells) for i in range(error_cells)]
    timeout_nodes = [quantile(timeout_marginal, (j + 0.5) / timeout_cells) for j in range(timeout_cells)]

    def cell(cuts, r):
        return sum(1 for c in cuts if r > c)

    weights = np.zeros((error_cells, timeout_cells))
    for (re, rt), p in law.items():
        weights[cell(error_cuts, re), cell(timeout_cuts, rt)] += p
    return error_nodes, timeout_nodes, weights


def main():
    # Total mean 40, P(error) = 0.25 and P(timeout) = 0.15 per request, independent:
    # both = 40·0.25·0.15, error only = 40·0.25·0.85, timeout only = 40·0.75·0.15, neither = 40·0.75·0.85.
    means = (1.5, 8.5, 4.5, 25.5)
    law = joint_law(*means)
    print('means (both, errorOnly, timeoutOnly, neither) =', means, ' P(N ≥ 1) =', repr(sum(law.values())))
    for error_cells, timeout_cells in ((4, 4), (8, 4)):
        error_nodes, timeout_nodes, weights = cells(law, error_cells, timeout_cells)
        print(f'{error_cells} x {timeout_cells} cells')
        print('  error nodes  ', [f'{float(r):.17g}' for r in error_nodes])
        print('  timeout nodes', [f'{float(r):.17g}' for r in timeout_nodes])
        print('  weights (row = error cell):')
        for row in weights:
            print('   ', '[' + ', '.join(f'{w:.15g}' for w in row) + '],')


if __name__ == '__main__':
    main()
