#!/usr/bin/python3
"""Reference values for test/engine/controller/abMetrics.test.ts: the A/B stage decided on a list
of metrics (src/engine/controller/abMetrics.ts, abMetricEstimate.ts).

Each arm of a check window carries, per metric, the sums n, Sx, Sy, Sxx, Syy, Sxy over its units
(contracts C3). Per-user data are simulated here with numpy (default_rng(2026)) and reduced to
those sums, which are printed for the TypeScript test to paste; every statistic is computed from
the raw per-user arrays with numpy (ddof=1) and scipy.stats.norm:
- mean metric: z = (xbar_t - xbar_c)/sqrt(s_t^2/n_t + s_c^2/n_c) (Welch's statistic, normal reference);
- ratio metric Sx/Sy (x numerator, y denominator): delta-method variance, Deng, Knoblich & Lu (KDD 2018)
  eq. (4), checked against statsmodels-free direct numpy formula;
- CUPED (Deng, Xu, Kohavi & Walker 2013): theta = pooled within-arm cov(pre, x)/var(pre),
  estimate (xbar_t - xbar_c) - theta (prebar_t - prebar_c), each arm's variance
  (s_x^2 - 2 theta s_{x,pre} + theta^2 s_pre^2)/n; the estimate is also checked against statsmodels
  OLS of x on [1, treatment, pre].
One-sided tests on the metric's good scale s*Delta (s = +1 higher is better, -1 lower is better):
superiority z = s Delta/SE, deterioration -s Delta/SE, non-inferiority (s Delta + m)/SE.
Run: /usr/bin/python3 scripts/reference/ab_metrics.py
"""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [entry for entry in sys.path if os.path.abspath(entry or ".") != _HERE]

import numpy as np
import statsmodels.api as sm
from scipy.stats import norm

rng = np.random.default_rng(2026)


def sums(x, y):
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    return dict(count=len(x), sumX=float(x.sum()), sumY=float(y.sum()), sumXSquares=float((x * x).sum()),
                sumYSquares=float((y * y).sum()), sumXY=float((x * y).sum()))


def show(name, value):
    print(f"{name} = {value!r}")


def mean_z(xc, xt):
    se = np.sqrt(np.var(xt, ddof=1) / len(xt) + np.var(xc, ddof=1) / len(xc))
    return (xt.mean() - xc.mean()) / se, xt.mean() - xc.mean(), se


# ---- 1. success mean metric 'tokens' improves: 2 windows of 500 users per arm
print("# 1. tokens (mean, success, higher is better)")
tokens_c = [rng.normal(100, 20, 500) for _ in range(2)]
tokens_t = [rng.normal(104, 20, 500) for _ in range(2)]
for w in range(2):
    show(f"tokens control window {w + 1}", sums(tokens_c[w], np.zeros(500)))
    show(f"tokens candidate window {w + 1}", sums(tokens_t[w], np.zeros(500)))
z1, d1, _ = mean_z(tokens_c[0], tokens_t[0])
show("z after window 1 (500 per arm)", float(z1))
z2, d2, se2 = mean_z(np.concatenate(tokens_c), np.concatenate(tokens_t))
show("z after window 2 (1000 per arm)", float(z2))
show("difference after window 2", float(d2))
show("one-sided p after window 2", float(norm.sf(z2)))

# ---- 2. guardrail ratio metric 'cost' (cost per request, lower is better), 1 % relative margin
print("# 2. cost (ratio, guardrail, lower is better, margin relative 0.01)")


def cost_users(n, scale):
    requests = rng.poisson(6, n) + 1.0
    per_user = rng.lognormal(0, 0.5, n) * scale  # per-user cost level: requests of a user are correlated
    cost = np.array([rng.gamma(4, level / 4, int(r)).sum() for r, level in zip(requests, per_user)])
    return cost, requests


cost_c = cost_users(1000, 1.0)
cost_t = cost_users(1000, 1.0)
show("cost control", sums(*cost_c))
show("cost candidate", sums(*cost_t))


def ratio_and_variance(num, den):
    mx, my = den.mean(), num.mean()
    vx, vy = np.var(den, ddof=1), np.var(num, ddof=1)
    cxy = np.cov(den, num, ddof=1)[0, 1]
    n = len(num)
    return my / mx, (vy / mx**2 - 2 * my * cxy / mx**3 + my**2 * vx / mx**4) / n


rc, vc = ratio_and_variance(*cost_c)
rt, vt = ratio_and_variance(*cost_t)
se = np.sqrt(vc + vt)
margin = 0.01 * rc
show("cost ratio control", float(rc))
show("cost ratio candidate", float(rt))
show("cost SE", float(se))
z_ni = (-(rt - rc) + margin) / se
show("cost non-inferiority z", float(z_ni))
show("cost non-inferiority p", float(norm.sf(z_ni)))
show("cost deterioration z", float((rt - rc) / se))

# ---- 3. guardrail mean 'latency' (lower is better, margin 5 ms) deteriorates
print("# 3. latency (mean, guardrail, lower is better, margin absolute 5)")
lat_c = rng.normal(200, 50, 1000)
lat_t = rng.normal(215, 50, 1000)
show("latency control", sums(lat_c, np.zeros(1000)))
show("latency candidate", sums(lat_t, np.zeros(1000)))
z, d, se = mean_z(lat_c, lat_t)
show("latency deterioration z", float(z))
show("latency deterioration p", float(norm.sf(z)))

# ---- 4. CUPED on 'revenue' (mean, success): pre-period correlated 0.8
print("# 4. revenue (mean, success, CUPED)")


def revenue_users(n, effect):
    pre = rng.normal(50, 10, n)
    x = 0.8 * (pre - 50) + rng.normal(0, 6, n) + 50 + effect
    return x, pre


rev_c = revenue_users(400, 0.0)
rev_t = revenue_users(400, 0.9)
show("revenue control", sums(*rev_c))
show("revenue candidate", sums(*rev_t))
z_plain, d_plain, se_plain = mean_z(rev_c[0], rev_t[0])
show("revenue unadjusted z", float(z_plain))
show("revenue unadjusted p", float(norm.sf(z_plain)))
(xc, pc), (xt, pt) = rev_c, rev_t
mxy = ((pc - pc.mean()) * (xc - xc.mean())).sum() + ((pt - pt.mean()) * (xt - xt.mean())).sum()
mxx = ((pc - pc.mean()) ** 2).sum() + ((pt - pt.mean()) ** 2).sum()
theta = mxy / mxx
estimate = (xt.mean() - xc.mean()) - theta * (pt.mean() - pc.mean())


def arm_var(x, p):
    return (np.var(x, ddof=1) - 2 * theta * np.cov(p, x, ddof=1)[0, 1] + theta**2 * np.var(p, ddof=1)) / len(x)


se_cuped = np.sqrt(arm_var(xc, pc) + arm_var(xt, pt))
show("revenue CUPED theta", float(theta))
show("revenue CUPED estimate", float(estimate))
show("revenue CUPED z", float(estimate / se_cuped))
show("revenue CUPED p", float(norm.sf(estimate / se_cuped)))
design = np.column_stack([np.ones(800), np.r_[np.zeros(400), np.ones(400)], np.r_[pc, pt]])
ols = sm.OLS(np.r_[xc, xt], design).fit()
show("revenue CUPED estimate by statsmodels OLS", float(ols.params[1]))

# ---- 5. always-valid: one-sided mSPRT on tokens (section 1's windows), tau = minimum effect 4
# Johari, Koomen, Pekelis & Walsh (2022) eq. for the normal mixture:
#   Lambda = sqrt(V/(V + tau^2)) exp(tau^2 (est - theta0)^2 / (2 V (V + tau^2))), p = min(1, min_n 1/Lambda)
print("# 5. tokens, always-valid mSPRT p after windows 1 and 2 (tau = 4)")
tau2 = 4.0**2
running = 1.0
for w in range(2):
    xc = np.concatenate(tokens_c[: w + 1])
    xt = np.concatenate(tokens_t[: w + 1])
    est = xt.mean() - xc.mean()
    V = np.var(xt, ddof=1) / len(xt) + np.var(xc, ddof=1) / len(xc)
    lam = np.sqrt(V / (V + tau2)) * np.exp(tau2 * est**2 / (2 * V * (V + tau2)))
    if est > 0:
        running = min(running, 1 / lam)
    show(f"always-valid p after window {w + 1}", float(running))

# ---- 6. successRate as a guardrail (higher is better), margin absolute 0.02: statsmodels Wald test
print("# 6. successRate guardrail, margin 0.02: statsmodels 0.13.5 test_proportions_2indep")
from statsmodels.stats.proportion import test_proportions_2indep

res = test_proportions_2indep(1790, 2000, 1800, 2000, value=-0.02, method="wald", compare="diff", alternative="larger")
show("successRate non-inferiority z (candidate 1790/2000 vs control 1800/2000)", float(res.statistic))
show("successRate non-inferiority p", float(res.pvalue))
