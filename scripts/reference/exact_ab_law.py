"""Exact law of the fixed-horizon A/B decision at fixed arm counts, by summing the binomial law
of the successes (for test/sim/exact/abTestLaw.test.ts).

The engine's decideAB (src/engine/stats/abDecision.ts) declares B (candidate) better when the
pooled two-proportion z-test's two-sided p-value is below alpha AND Newcombe's hybrid score
interval for B - A excludes 0; A better symmetrically. The exact evaluator (abTestLaw.ts) uses
the normal law of z instead. This script sums the exact binomial law of (x_A, x_B) over the
decision regions, with x_A ~ Binomial(n_A, p_A), x_B ~ Binomial(n_B, p_B) independent, over the
central range holding all but ~1e-15 of each law.

Run: /usr/bin/python3 scripts/reference/exact_ab_law.py  (Debian python3-scipy, python3-numpy)
"""
import numpy as np
from scipy import stats

ALPHA = 0.05
CRIT = stats.norm.ppf(1 - ALPHA / 2)


def wilson(x, n, z):
    p = x / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return centre - half, centre + half


def decision_probabilities(n_a, p_a, n_b, p_b):
    """P(B better), P(A better) (decideAB's rule), and P(|z| > crit) (the z rule alone)."""
    def support(n, p):
        lo = int(stats.binom.ppf(1e-16, n, p))
        hi = int(stats.binom.isf(1e-16, n, p))
        x = np.arange(max(lo - 1, 0), min(hi + 1, n) + 1)
        return x, stats.binom.pmf(x, n, p)

    xa, wa = support(n_a, p_a)
    xb, wb = support(n_b, p_b)
    XA, XB = np.meshgrid(xa, xb, indexing='ij')
    W = np.outer(wa, wb)
    ra, rb = XA / n_a, XB / n_b
    pooled = (XA + XB) / (n_a + n_b)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    with np.errstate(divide='ignore', invalid='ignore'):
        z = np.where(se > 0, (rb - ra) / se, 0.0)
    pvalue = 2 * stats.norm.sf(np.abs(z))
    la, ua = wilson(XA, n_a, CRIT)
    lb, ub = wilson(XB, n_b, CRIT)
    d = rb - ra
    lower = d - np.hypot(rb - lb, ua - ra)
    upper = d + np.hypot(ub - rb, ra - la)
    significant = (pvalue < ALPHA) & ((lower > 0) | (upper < 0))
    better = W[significant & (d > 0)].sum()
    worse = W[significant & (d < 0)].sum()
    z_rule = W[np.abs(z) > CRIT].sum()
    return better, worse, z_rule, W.sum()


def normal_law(n_a, p_a, n_b, p_b):
    """The evaluator's normal law: Z ~ N(delta * sqrt(I), 1), I = 1 / (p_b q_b / n_b + p_a q_a / n_a)."""
    mean = (p_b - p_a) / np.sqrt(p_b * (1 - p_b) / n_b + p_a * (1 - p_a) / n_a)
    return stats.norm.sf(CRIT - mean), stats.norm.cdf(-CRIT - mean)


CASES = [
    # (label, n_A, p_A, n_B, p_B)
    ('lab window, identical arms', 15000, 0.9, 15000, 0.9),
    ("the lab app's 20 req/s window, identical arms", 3000, 0.9, 3000, 0.9),
    ('small, identical arms', 200, 0.9, 200, 0.9),
    ('regressed candidate', 2000, 0.9, 2000, 0.88),
]

if __name__ == '__main__':
    for label, n_a, p_a, n_b, p_b in CASES:
        better, worse, z_rule, mass = decision_probabilities(n_a, p_a, n_b, p_b)
        normal_better, normal_worse = normal_law(n_a, p_a, n_b, p_b)
        print(f'{label}: n_A={n_a} p_A={p_a} n_B={n_b} p_B={p_b}')
        print(f'  exact  P(better)={better:.10f} P(worse)={worse:.10f} P(|z|>c)={z_rule:.10f} (mass summed {mass:.15f})')
        print(f'  normal P(better)={normal_better:.10f} P(worse)={normal_worse:.10f}')
