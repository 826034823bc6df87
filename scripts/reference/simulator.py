"""Reference values for test/sim/exactFalseRollback.test.ts, computed with scipy (independently of
the TypeScript exact computation written in that test).

Run: /usr/bin/python3 -P scripts/reference/simulator.py   (scipy 1.10.1; -P because scripts/reference/random_streams.py would shadow the standard library module)

One window: n_cand ~ Poisson(2000 f), n_ctrl ~ Poisson(2000 (1 - f)), errors ~ Binomial(n, 0.01)
in each arm; hold if either n < 100; fail if e_cand/n_cand > 2 e_ctrl/n_ctrl; else pass.
f = 527/5000: the users among user-0 ... user-4999 whose Unleash bucket
(MurmurHash3 of "exact-test:user-i", % 100 + 1) is <= 10, counted with the engine's bucketing
(itself checked against libmurmurhash in scripts/reference/analysis.py).
P(rollback) = 1 - (pass / (pass + fail)) ** 12.
"""
import numpy as np
from scipy import stats

share = 527 / 5000
lam = 2000.0
p = 0.01
ratio = 2
min_requests = 100
checks = 12


def support(mean):
    sd = np.sqrt(mean)
    return np.arange(max(min_requests, int(mean - 12 * sd)), int(mean + 12 * sd) + 1)


cand_n = support(lam * share)
ctrl_n = support(lam * (1 - share))
ctrl_w = stats.poisson.pmf(ctrl_n, lam * (1 - share))
fail = 0.0
both = 0.0
for n in cand_n:
    wn = stats.poisson.pmf(n, lam * share)
    e = np.arange(0, min(n, 60) + 1)
    we = wn * stats.binom.pmf(e, n, p)
    both += we.sum() * ctrl_w.sum()
    for ec, w in zip(e[1:], we[1:]):
        # fail iff e0 < ec * n0 / (ratio * n)  <=>  e0 <= floor((ec * n0 - 1) / (ratio * n))
        largest = np.floor((ec * ctrl_n - 1) / (ratio * n))
        fail += w * np.sum(ctrl_w * stats.binom.cdf(largest, ctrl_n, p))
pass_ = both - fail
print(f"pass={pass_!r} fail={fail!r}")
print(f"P(rollback)={1 - (pass_ / (pass_ + fail)) ** checks!r}")

# --- Latency laws (test/sim/latencyModel.test.ts) -------------------------------------------
# lognormal median 120, sigma 0.7; gamma shape 2.5 scale 40; gamma shape 0.6 scale 100;
# exponential mean 80; mixture 0.9 lognormal(100, 0.3) + 0.1 lognormal(1000, 0.5).
print("latency quantiles:")
for u in (0.001, 0.5, 0.95, 0.99, 0.999999):
    print(f"  u={u}: lognormal={stats.lognorm.ppf(u, 0.7, scale=120)!r} gamma2.5={stats.gamma.ppf(u, 2.5, scale=40)!r} "
          f"gamma0.6={stats.gamma.ppf(u, 0.6, scale=100)!r} exponential={stats.expon.ppf(u, scale=80)!r}")
from scipy.optimize import brentq
def mixture_cdf(x):
    return 0.9 * stats.lognorm.cdf(x, 0.3, scale=100) + 0.1 * stats.lognorm.cdf(x, 0.5, scale=1000)
for u in (0.5, 0.9, 0.95, 0.99):
    print(f"  mixture u={u}: {brentq(lambda x: mixture_cdf(x) - u, 1e-3, 1e6, xtol=1e-12, rtol=1e-14)!r}")
print(f"  cdf: lognormal(300)={stats.lognorm.cdf(300, 0.7, scale=120)!r} gamma2.5(150)={stats.gamma.cdf(150, 2.5, scale=40)!r} mixture(500)={mixture_cdf(500)!r}")
# empirical [10, 20, 30, 50, 100]: numpy type 7
import numpy as np
print(f"  empirical quantiles: {[float(np.quantile([10, 20, 30, 50, 100], q)) for q in (0, 0.1, 0.5, 0.95, 1)]!r}")
