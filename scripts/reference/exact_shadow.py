#!/usr/bin/env python3
"""Reference values for src/sim/exact/shadowGateLaw.ts (test/sim/exact/shadowGateLaw.test.ts).

The shadow stage's agreement gate on the stage's accumulated comparisons: agreements
A ~ Poisson(mu_a) and disagreements D ~ Poisson(mu_d), independent (Poisson thinning of the
mirrored arrivals). The gate holds when A + D < min_comparisons, passes when A/(A + D) > m,
fails otherwise:
    P(pass) = sum_d P(D = d) * P(A >= a*(d)),  a*(d) = least a with a/(a + d) > m and a + d >= min_c
    P(hold) = P(Poisson(mu_a + mu_d) < min_c).
Run with Debian's python3 (python3-scipy): /usr/bin/python3 scripts/reference/exact_shadow.py
"""
import math

from scipy import stats


def least_agreements(d, m, min_c):
    a = max(1, math.floor(m * d / (1 - m))) if d > 0 else 1
    while a > 1 and (a - 1) / (a - 1 + d) > m:
        a -= 1
    while not (a / (a + d) > m):
        a += 1
    return max(a, min_c - d)


def agreement_gate(mu_a, mu_d, m, min_c):
    d_max = int(mu_d + 40 * math.sqrt(mu_d) + 40)
    passing = 0.0
    for d in range(0, d_max + 1):
        passing += stats.poisson.pmf(d, mu_d) * stats.poisson.sf(least_agreements(d, m, min_c) - 1, mu_a)
    hold = stats.poisson.cdf(min_c - 1, mu_a + mu_d)
    return passing, hold


if __name__ == "__main__":
    import scipy

    print("scipy", scipy.__version__)
    for mu_a, mu_d, m, min_c in [(900.0, 100.0, 0.9, 1000), (1800.0, 200.0, 0.9, 1000), (4275.0, 225.0, 0.95, 1000), (850.0, 150.0, 0.85, 0)]:
        passing, hold = agreement_gate(mu_a, mu_d, m, min_c)
        print(f"mu_a={mu_a} mu_d={mu_d} m={m} min_c={min_c}: P(pass)={passing:.12f} P(hold)={hold:.12f}")
