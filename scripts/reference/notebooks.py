"""Reference values for the notebook tests (test/notebooks/notebooks.test.ts).

Run with Debian's Python (scipy 1.10.1, statsmodels 0.13.5):
    /usr/bin/python3 scripts/reference/notebooks.py
and, for the pooled sample size and the O'Brien-Fleming boundaries, R (rpact 3.3.4):
    /usr/bin/Rscript -e 'print(power.prop.test(p1 = 0.10, p2 = 0.12, power = 0.8)$n, digits = 15)'
    /usr/bin/Rscript -e 'library(rpact); print(getDesignGroupSequential(kMax = 5, alpha = 0.05,
        sided = 2, typeOfDesign = "asOF")$criticalValues, digits = 10)'
The values printed here are pasted, with these calls, beside the numbers in the test.
"""
import numpy as np
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize, proportions_ztest

# 1. Sizing: arcsine (Cohen's h) sample size per arm for 10% -> 12%, alpha 0.05 two-sided, power 0.8.
h = proportion_effectsize(0.12, 0.10)
n_arcsine = NormalIndPower().solve_power(effect_size=h, nobs1=None, alpha=0.05, power=0.8, ratio=1, alternative='two-sided')
print('arcsine n per arm (10%->12%)', repr(n_arcsine))

# 2. Peeking: P(some |Z_k| > z_.975) over 5 equally spaced looks under H0, Corr(Z_j, Z_k) = sqrt(j/k).
looks = 5
cov = np.array([[np.sqrt(min(i, j) / max(i, j)) for j in range(1, looks + 1)] for i in range(1, looks + 1)])
z = stats.norm.ppf(0.975)
inside = stats.multivariate_normal.cdf(np.full(looks, z), mean=np.zeros(looks), cov=cov, lower_limit=np.full(looks, -z),
                                       abseps=1e-9, releps=1e-9, maxpts=10_000_000)
print('naive 5-look false-positive rate', repr(1 - inside))

# 3. Ratio thresholds: one window, n requests per arm, error rate p in both arms, rule fires when
#    e_cand / n > 2 * e_ctrl / n, i.e. e_cand > 2 e_ctrl. P = sum_k P(e_ctrl = k) P(e_cand > 2k).
def ratio_fires(n, p):
    k = np.arange(n + 1)
    return float(np.sum(stats.binom.pmf(k, n, p) * stats.binom.sf(2 * k, n, p)))

for n, p in [(100, 0.01), (1000, 0.01), (200, 0.02), (5000, 0.01)]:
    print(f'ratio rule fires, n={n}, p={p}', repr(ratio_fires(n, p)))
q = ratio_fires(100, 0.01)
print('over 24 checks, n=100, p=0.01', repr(1 - (1 - q) ** 24))

# 4. Simpson: kidney stones pooled z-test (statsmodels proportions_ztest, pooled variance).
print('kidney pooled z', proportions_ztest([273, 289], [350, 350]))
