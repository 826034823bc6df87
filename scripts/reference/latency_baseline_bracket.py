"""Exact tail probabilities of the historical baseline's latency reference for
test/sim/exact/latencyBaselineBracket.test.ts (the Chernoff bracket in
src/sim/exact/latencyBaselineBracket.ts must bound them from above).

The reference is L = sum_w n_w q_w / sum_w n_w (src/engine/controller/armTotals.ts): n_w ~ Poisson(50)
control requests in each of 3 independent windows, q_w the window's reported p50 — the order
statistic of rank k = floor(0.5 (n - 1)) + 1 of n lognormal latencies (median 120 ms, p95 400 ms),
rounded to its sketch bucket's representative 2 g^i / (1 + g), g = 1.01 / 0.99, i = ceil(ln x / ln g):
    P(I <= i | n) = I_{F(g^i)}(k, n - k + 1)   (regularised incomplete beta).
A window with n = 0 adds nothing to either sum. With X_w = n_w (q_w - b),
    P(L >= b) = P(X_1 + X_2 + X_3 >= 0),  P(L <= a) = P(X_1 + X_2 + X_3 <= 0) (a in place of b),
enumerated exactly: every (n, bucket) atom of each window with probability above 1e-24 (the rest,
at most `dropped`, is reported), the first two windows' sums paired out, and the third window's
tail read from its sorted cumulative sums.

Run with Debian's python3 (python3-scipy, python3-numpy): python3 scripts/reference/latency_baseline_bracket.py
(about 4 minutes and a few GB: 14,870 atoms per window, their 2.2e8 pairs enumerated).
"""
import math

import numpy as np
from scipy import special, stats

GAMMA = 1.01 / 0.99
LOG_GAMMA = math.log(GAMMA)
SIGMA = math.log(400 / 120) / stats.norm.ppf(0.95)
LATENCY = stats.lognorm(s=SIGMA, scale=120)
MEAN_ARRIVALS = 50.0
Q = 0.5


def representative(i):
    return 2 * math.exp(i * LOG_GAMMA) / (1 + GAMMA)


def window_atoms():
    """(n, representative, probability) of one window's atoms; n = 0 has representative 0 and adds nothing."""
    atoms = []
    dropped = 0.0
    poisson = stats.poisson(MEAN_ARRIVALS)
    top = int(MEAN_ARRIVALS)
    while poisson.sf(top) > 1e-25:
        top += 1
    dropped += poisson.sf(top)
    atoms.append((0, 0.0, poisson.pmf(0)))
    for n in range(1, top + 1):
        pn = poisson.pmf(n)
        k = math.floor(Q * (n - 1)) + 1
        # Buckets over ln 120 +- 12 sigma (the latency law's mass beyond: < 1e-32, in `dropped`).
        low = math.ceil((math.log(120) - 12 * SIGMA) / LOG_GAMMA) - 1
        high = math.ceil((math.log(120) + 12 * SIGMA) / LOG_GAMMA) + 1
        edges = np.arange(low - 1, high + 1)
        levels = LATENCY.cdf(np.exp(edges * LOG_GAMMA))
        cdf = special.betainc(k, n - k + 1, levels)
        masses = np.diff(cdf)
        dropped += pn * (cdf[0] + (1 - cdf[-1]))
        for offset, mass in enumerate(masses):
            p = pn * mass
            if p > 1e-24:
                atoms.append((n, representative(low + offset), p))
            else:
                dropped += max(p, 0.0)
    return atoms, dropped


def tail(atoms, b, upper):
    """P(sum_w n_w (q_w - b) >= 0) (upper) or <= 0, for three independent windows with `atoms`."""
    n = np.array([a[0] for a in atoms], dtype=float)
    r = np.array([a[1] for a in atoms])
    p = np.array([a[2] for a in atoms])
    x = np.where(n > 0, n * (r - b), 0.0)
    if not upper:
        x = -x
    order = np.argsort(x)
    xs = x[order]
    ps = p[order]
    # P(X3 >= -v) = sum of ps over xs >= -v: suffix sums.
    suffix = np.concatenate([np.cumsum(ps[::-1])[::-1], [0.0]])
    pair_x = (x[:, None] + x[None, :]).ravel()
    pair_p = (p[:, None] * p[None, :]).ravel()
    keep = pair_p > 1e-40
    index = np.searchsorted(xs, -pair_x[keep], side="left")
    return float(np.sum(pair_p[keep] * suffix[index]))


def main():
    atoms, dropped = window_atoms()
    print(f"atoms per window {len(atoms)}, mass dropped per window <= {dropped:.3g}")
    for b in [130, 140, 150, 160, 170]:
        print(f"P(L >= {b}) = {tail(atoms, b, True):.10g}")
    for a in [110, 100, 90, 85]:
        print(f"P(L <= {a}) = {tail(atoms, a, False):.10g}")


if __name__ == "__main__":
    main()
