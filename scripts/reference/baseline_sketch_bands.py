"""Reference numbers for test/sim/baselineSketchBands.test.ts (scipy 1.10, Debian's python3).

Run: /usr/bin/python3 scripts/reference/baseline_sketch_bands.py
"""
import math

from scipy import stats

DELTA = 1e-15


def poisson_lower_bound(mean, delta):
    """max{n : P(Poisson(mean) < n) <= delta} = max{n : cdf(n - 1) <= delta}."""
    n = int(mean)
    while n > 0 and stats.poisson.cdf(n - 1, mean) > delta:
        n -= 1
    while stats.poisson.cdf(n, mean) <= delta:
        n += 1
    return n


for mean in (6000.0, 86400.0 * 100):
    print(f"poisson lower bound mean={mean}: {poisson_lower_bound(mean, DELTA)}")

# The DKW epsilon sqrt(ln(2/delta) / (2 N)) at N = 5000.
print(f"epsilon(N=5000) = {math.sqrt(math.log(2 / DELTA) / (2 * 5000)):.17g}")

# Bucket probabilities of a lognormal (median 120 ms, p95 400 ms) at alpha = 1%:
# bucket i holds (gamma^(i-1), gamma^i], gamma = 1.01/0.99.
gamma = 1.01 / 0.99
mu = math.log(120)
sigma = math.log(400 / 120) / stats.norm.ppf(0.95)
for i in (241, 300, 325):
    lower = stats.norm.cdf(((i - 1) * math.log(gamma) - mu) / sigma)
    upper = stats.norm.cdf((i * math.log(gamma) - mu) / sigma)
    print(f"P(bucket {i}) = {upper - lower:.17g}")
# The bucket of the mixture's 0.95-quantile, multipliers 1 and 1.5 with weights 2/3 and 1/3.
def mix_cdf(x):
    return 2 / 3 * stats.norm.cdf((math.log(x) - mu) / sigma) + 1 / 3 * stats.norm.cdf((math.log(x / 1.5) - mu) / sigma)
from scipy.optimize import brentq
x95 = brentq(lambda x: mix_cdf(x) - 0.95, 1, 1e5, xtol=1e-12)
print(f"mixture q95 = {x95:.17g}, bucket {math.ceil(math.log(x95) / math.log(gamma))}")
