#!/usr/bin/python3
"""Reference values for src/engine/stats/noncentralT.ts and src/engine/stats/tTestPower.ts
(t-test power and sample size with estimated variances).

Independent implementations: scipy 1.10.1 stats.nct (Boost's noncentral t) for the law itself;
statsmodels 0.13.5 TTestIndPower on the standardised effect d = delta / sigma for equal
variances (pooled df = n1 + n2 - 2); for unequal variances the Welch-Satterthwaite df and
stats.nct evaluated directly (statsmodels has no Welch power). solve_power stops its own root
search early (its result is printed for the record), so the tests pin the tight root of the
same power function found by brentq (xtol 1e-12).
Run: /usr/bin/python3 scripts/reference/design_ttest.py   (prints each call and its value)
"""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [entry for entry in sys.path if os.path.abspath(entry or ".") != _HERE]

from math import sqrt

from scipy.optimize import brentq
from scipy.stats import nct, t
from statsmodels.stats.power import TTestIndPower


def show(call, value):
    print(f"{call} = {value!r}")


# The law.
for args in [(2.0, 10, 1.5), (-1.0, 25.5, 2.0), (1.96, 100, 3.0), (3.0, 5, -1.0), (0.5, 3, 0.2), (10.0, 50, 9.0), (25.0, 200, 30.0)]:
    show(f"nct.cdf{args}", nct.cdf(*args))
    show(f"nct.sf{args}", nct.sf(*args))

p = TTestIndPower()
show("TTestIndPower().power(effect_size=0.5, nobs1=20, alpha=0.05, ratio=1, alternative='two-sided')",
     p.power(effect_size=0.5, nobs1=20, alpha=0.05, ratio=1, alternative='two-sided'))
show("TTestIndPower().power(effect_size=0.3, nobs1=50, alpha=0.05, ratio=2, alternative='larger')",
     p.power(effect_size=0.3, nobs1=50, alpha=0.05, ratio=2, alternative='larger'))
show("TTestIndPower().power(effect_size=0.8, nobs1=5, alpha=0.05, ratio=1, alternative='two-sided')",
     p.power(effect_size=0.8, nobs1=5, alpha=0.05, ratio=1, alternative='two-sided'))
show("TTestIndPower().solve_power(effect_size=0.5, alpha=0.05, power=0.8, ratio=1, alternative='two-sided')",
     p.solve_power(effect_size=0.5, alpha=0.05, power=0.8, ratio=1, alternative='two-sided'))
show("brentq(lambda n: TTestIndPower().power(0.5, n, 0.05, ratio=1, alternative='two-sided') - 0.8, 2, 1000, xtol=1e-12)",
     brentq(lambda n: p.power(0.5, n, 0.05, ratio=1, alternative='two-sided') - 0.8, 2, 1000, xtol=1e-12))
show("TTestIndPower().solve_power(effect_size=0.25, alpha=0.05, power=0.9, ratio=2, alternative='larger')",
     p.solve_power(effect_size=0.25, alpha=0.05, power=0.9, ratio=2, alternative='larger'))
show("brentq(lambda n: TTestIndPower().power(0.25, n, 0.05, ratio=2, alternative='larger') - 0.9, 2, 10000, xtol=1e-12)",
     brentq(lambda n: p.power(0.25, n, 0.05, ratio=2, alternative='larger') - 0.9, 2, 10000, xtol=1e-12))
show("brentq(lambda n: TTestIndPower().power(1.5, n, 0.05, ratio=1, alternative='two-sided') - 0.8, 1.01, 1000, xtol=1e-12)",
     brentq(lambda n: p.power(1.5, n, 0.05, ratio=1, alternative='two-sided') - 0.8, 1.01, 1000, xtol=1e-12))
# CUPED with rho = 0.7: d = 0.25 / sqrt(1 - 0.49).
show("brentq(lambda n: TTestIndPower().power(0.25/sqrt(0.51), n, 0.05, ratio=1, alternative='two-sided') - 0.8, 2, 10000, xtol=1e-12)",
     brentq(lambda n: p.power(0.25 / sqrt(0.51), n, 0.05, ratio=1, alternative='two-sided') - 0.8, 2, 10000, xtol=1e-12))
# Non-inferiority of a mean: sigma 120, margin 3 (null difference -3), true difference 0, one-sided at 0.05,
# power 0.9: d = 3 / 120 = 0.025.
show("brentq(lambda n: TTestIndPower().power(0.025, n, 0.05, ratio=1, alternative='larger') - 0.9, 2, 1e6, xtol=1e-12)",
     brentq(lambda n: p.power(0.025, n, 0.05, ratio=1, alternative='larger') - 0.9, 2, 1e6, xtol=1e-12))


def welch_power(delta, v1, v2, n1, ratio, alpha, sides):
    n2 = ratio * n1
    a, b = v1 / n1, v2 / n2
    df = (a + b) ** 2 / (a ** 2 / (n1 - 1) + b ** 2 / (n2 - 1))
    nc = abs(delta) / sqrt(a + b)
    crit = t.isf(alpha / sides, df)
    power = nct.sf(crit, df, nc)
    if sides == 2:
        power += nct.cdf(-crit, df, nc)
    return df, power


# Unequal variances 4 and 9, ratio 1.5, difference 1.5.
show("welch_power(delta=1.5, v1=4, v2=9, n1=30, ratio=1.5, alpha=0.05, sides=2)", welch_power(1.5, 4, 9, 30, 1.5, 0.05, 2))
show("brentq(lambda n: welch_power(1.5, 4, 9, n, 1.5, 0.05, 2)[1] - 0.8, 2, 1000, xtol=1e-12)",
     brentq(lambda n: welch_power(1.5, 4, 9, n, 1.5, 0.05, 2)[1] - 0.8, 2, 1000, xtol=1e-12))

# The experiment design (src/engine/stats/experimentDesign.ts): a mean success metric (sd 2, effect 0.25,
# CUPED rho 0.7) and a mean guardrail (sd 120, margin 3, lower is better), 3 arms: k = 2 candidates,
# each test one-sided at alpha / k = 0.025, power 1 - 0.2 / 2 = 0.9, ratio n_candidate / n_control = 1 / sqrt(2).
from statsmodels.stats.power import NormalIndPower
z = NormalIndPower()
show("NormalIndPower().solve_power(effect_size=0.25/2/sqrt(0.51), alpha=0.025, power=0.9, ratio=1/sqrt(2), alternative='larger')",
     z.solve_power(effect_size=0.25 / 2 / sqrt(0.51), alpha=0.025, power=0.9, ratio=1 / sqrt(2), alternative='larger'))
show("NormalIndPower().solve_power(effect_size=3/120, alpha=0.025, power=0.9, ratio=1/sqrt(2), alternative='larger')",
     z.solve_power(effect_size=3 / 120, alpha=0.025, power=0.9, ratio=1 / sqrt(2), alternative='larger'))
show("brentq(lambda n: TTestIndPower().power(0.25/2/sqrt(0.51), n, 0.025, ratio=1/sqrt(2), alternative='larger') - 0.9, 2, 1e6, xtol=1e-12)",
     brentq(lambda n: p.power(0.25 / 2 / sqrt(0.51), n, 0.025, ratio=1 / sqrt(2), alternative='larger') - 0.9, 2, 1e6, xtol=1e-12))

# Far tails (test/engine/stats/tTestPower.test.ts).
for args in [(2.0, 3, 40.0), (2.0, 50, 1000.0), (-2.0, 50, 1000.0)]:
    show(f"nct.cdf{args}", nct.cdf(*args))
    show(f"nct.sf{args}", nct.sf(*args))
