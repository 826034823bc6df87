#!/usr/bin/python3
"""Reference values for src/engine/stats/meanSampleSize.ts (difference in means: size, power, MDE).

Independent implementations: statsmodels 0.13.5 NormalIndPower on the standardised effect
d = delta / sigma (equal variances), and the normal-theory formula evaluated directly with
scipy 1.10.1 (norm.ppf / norm.cdf, brentq for the two-sided root) for unequal variances.
Run: /usr/bin/python3 scripts/reference/design_means.py   (prints each call and its value)
"""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [entry for entry in sys.path if os.path.abspath(entry or ".") != _HERE]

from scipy.optimize import brentq
from scipy.stats import norm
from statsmodels.stats.power import NormalIndPower


def show(call, value):
    print(f"{call} = {value!r}")


p = NormalIndPower()
# Equal variances: sigma = 2, delta = 0.5 -> d = 0.25.
show("NormalIndPower().solve_power(effect_size=0.25, alpha=0.05, power=0.8, ratio=1, alternative='two-sided')",
     p.solve_power(effect_size=0.25, alpha=0.05, power=0.8, ratio=1, alternative='two-sided'))
show("NormalIndPower().solve_power(effect_size=0.25, alpha=0.05, power=0.9, ratio=2, alternative='larger')",
     p.solve_power(effect_size=0.25, alpha=0.05, power=0.9, ratio=2, alternative='larger'))
show("NormalIndPower().power(effect_size=0.25, nobs1=100, alpha=0.05, ratio=0.5, alternative='two-sided')",
     p.power(effect_size=0.25, nobs1=100, alpha=0.05, ratio=0.5, alternative='two-sided'))
show("NormalIndPower().power(effect_size=0.1, nobs1=40, alpha=0.05, ratio=1, alternative='two-sided')",
     p.power(effect_size=0.1, nobs1=40, alpha=0.05, ratio=1, alternative='two-sided'))
show("NormalIndPower().solve_power(effect_size=None, nobs1=500, alpha=0.01, power=0.8, ratio=1, alternative='two-sided')",
     p.solve_power(effect_size=None, nobs1=500, alpha=0.01, power=0.8, ratio=1, alternative='two-sided'))
# solve_power stops its own root search at |power - 0.8| ~ 2.5e-6; the tight root of the same power function:
show("brentq(lambda d: NormalIndPower().power(d, nobs1=500, alpha=0.01, ratio=1, alternative='two-sided') - 0.8, 0.01, 1, xtol=1e-15)",
     brentq(lambda d: p.power(d, nobs1=500, alpha=0.01, ratio=1, alternative='two-sided') - 0.8, 0.01, 1, xtol=1e-15))
# CUPED with rho = 0.7: the variance is sigma^2 (1 - 0.49), i.e. d = 0.25 / sqrt(0.51).
show("NormalIndPower().solve_power(effect_size=0.25/sqrt(1-0.7**2), alpha=0.05, power=0.8, ratio=1, alternative='two-sided')",
     p.solve_power(effect_size=0.25 / (1 - 0.7 ** 2) ** 0.5, alpha=0.05, power=0.8, ratio=1, alternative='two-sided'))

# Unequal variances, direct formula: var1 = 4, var2 = 9, ratio r = 1.5, delta = 0.4.
v1, v2, r, delta = 4.0, 9.0, 1.5, 0.4
sd_diff = (v1 + v2 / r) ** 0.5
one = ((norm.ppf(1 - 0.05) + norm.ppf(0.8)) * sd_diff / delta) ** 2
show("((norm.ppf(0.95) + norm.ppf(0.8)) * sqrt(4 + 9/1.5) / 0.4)**2   # one-sided", one)


def two_sided_power(n1, alpha=0.05):
    shift = n1 ** 0.5 * delta / sd_diff
    c = norm.ppf(1 - alpha / 2)
    return norm.cdf(shift - c) + norm.cdf(-shift - c)


two = brentq(lambda n1: two_sided_power(n1) - 0.8, 1, 1e6, xtol=1e-12)
show("brentq(two_sided_power(n1; var 4, 9, r 1.5, delta 0.4) - 0.8)   # two-sided, both tails", two)
show("two_sided_power(300)", two_sided_power(300))
