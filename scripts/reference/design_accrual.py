#!/usr/bin/python3
"""Reference values for src/engine/stats/userAccrual.ts (distinct users after d days when users return).

Independent implementation with scipy 1.10.1: under the negative binomial (Poisson-gamma) visit
model each user's number of visits in d days is nbinom(n=k, p=1/(1 + a*d)), a = m/k, so the share
of the population seen is nbinom.sf(0, ...); homogeneous users (k = infinity) have poisson(m*d)
visits. The visit rate is found with brentq from the daily users and the population, or from the
returning share r = (2 U(1) - U(2)) / U(1); the days are found by stepping d = 1, 2, ...
Run: /usr/bin/python3 scripts/reference/design_accrual.py   (prints each call and its value)
"""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [entry for entry in sys.path if os.path.abspath(entry or ".") != _HERE]

from scipy.optimize import brentq
from scipy.stats import nbinom, poisson


def show(call, value):
    print(f"{call} = {value!r}")


def seen(d, m, k):
    """Share of the population with at least one visit in d days."""
    if k == float("inf"):
        return poisson.sf(0, m * d)
    return nbinom.sf(0, k, 1 / (1 + (m / k) * d))


def from_population(D, N, k):
    m = brentq(lambda m: N * seen(1, m, k) - D, 1e-12, 1e6, xtol=1e-15, rtol=1e-15)
    return m, N


def from_returning(D, r, k):
    m = brentq(lambda m: 2 - seen(2, m, k) / seen(1, m, k) - r, 1e-12, 1e6, xtol=1e-15, rtol=1e-15)
    return m, D / seen(1, m, k)


def days_to(n, m, N, k):
    if n >= N:
        return None  # never: fewer eligible users than needed
    d = 1
    while N * seen(d, m, k) < n:
        d += 1
    return d


inf = float("inf")
for label, (m, N), k, days, targets in [
    ("from_population(D=2000, N=20000, k=1)", from_population(2000, 20000, 1), 1, [1, 7, 14, 28], [15100, 19100]),
    ("from_returning(D=2000, r=0.4, k=1)", from_returning(2000, 0.4, 1), 1, [1, 2, 14], [6100, 10000]),
    ("from_population(D=2000, N=10000, k=inf)", from_population(2000, 10000, inf), inf, [3, 10], [9000]),
    ("from_returning(D=5000, r=0.6, k=0.5)", from_returning(5000, 0.6, 0.5), 0.5, [7, 30], [10000, 12000, 20000]),
]:
    show(f"{label}: m", m)
    show(f"{label}: N", N)
    show(f"{label}: returning share", 2 - seen(2, m, k) / seen(1, m, k))
    for d in days:
        show(f"{label}: N * seen({d})", N * seen(d, m, k))
    for n in targets:
        show(f"{label}: days_to({n})", days_to(n, m, N, k))

# The CLI's cases (test/cli/size.test.ts): 7,682 users (R power.prop.test for 0.10 -> 0.12, both arms).
m, N = from_population(2000, 20000, 1)
show("days_to(7682, *from_population(2000, 20000, 1))", days_to(7682, m, N, 1))
m, N = from_returning(2000, 0.4, 1)
show("days_to(7682, *from_returning(2000, 0.4, 1))", days_to(7682, m, N, 1))
m, N = from_returning(2000, 0.5, 0.5)
show("from_returning(2000, 0.5, 0.5): N", N)
show("days_to(7682, *from_returning(2000, 0.5, 0.5))", days_to(7682, m, N, 0.5))
