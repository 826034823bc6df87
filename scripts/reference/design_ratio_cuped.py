#!/usr/bin/python3
"""Reference values for src/engine/stats/{bivariateMoments,ratioMetric,cuped}.ts.

Per-user data are simulated with numpy (default_rng(2026)) and printed, so the TypeScript test
pastes the same data; every statistic is then computed here directly with numpy (ddof=1) and,
for CUPED's estimate, by statsmodels 0.13.5 OLS of y on [1, treatment, x] (whose treatment
coefficient is exactly (ybar_t - ybar_c) - theta (xbar_t - xbar_c) with theta the pooled
within-arm slope).
Ratio variance: Deng, Knoblich & Lu (KDD 2018) eq. (4),
  Var(ybar/xbar) = (1/n) (s_y^2/mx^2 - 2 my s_xy/mx^3 + my^2 s_x^2/mx^4).
Run: /usr/bin/python3 scripts/reference/design_ratio_cuped.py
"""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [entry for entry in sys.path if os.path.abspath(entry or ".") != _HERE]

import numpy as np
import statsmodels.api as sm
from scipy.stats import norm

rng = np.random.default_rng(2026)


def show(name, value):
    if isinstance(value, np.ndarray):
        value = value.tolist()
    print(f"{name} = {value!r}")


# ---- ratio metric: requests per user (x) and errors per user (y), 15 users per arm
def users(n, error_rate):
    requests = rng.poisson(8, n) + 1
    rates = rng.beta(2, 2 / error_rate - 2, n)  # per-user error rate, mean error_rate
    errors = rng.binomial(requests, rates)
    return requests.astype(float), errors.astype(float)


cx, cy = users(15, 0.1)
tx, ty = users(15, 0.15)
show("control requests", cx)
show("control errors", cy)
show("candidate requests", tx)
show("candidate errors", ty)


def delta(x, y):
    n = len(x)
    mx, my = x.mean(), y.mean()
    c = np.cov(x, y, ddof=1)
    var = (c[1, 1] / mx**2 - 2 * my * c[0, 1] / mx**3 + my**2 * c[0, 0] / mx**4) / n
    return my / mx, var


rc, vc = delta(cx, cy)
rt, vt = delta(tx, ty)
show("control ratio", rc)
show("control delta variance", vc)
show("candidate ratio", rt)
show("candidate delta variance", vt)
z = (rt - rc) / np.sqrt(vc + vt)
show("z of candidate - control", z)
show("two-sided p = 2 norm.sf(|z|)", 2 * norm.sf(abs(z)))
show("np.cov(control x, y, ddof=1)", np.cov(cx, cy, ddof=1))
show("np.corrcoef(control x, y)[0, 1]", np.corrcoef(cx, cy)[0, 1])

# ---- CUPED: pre (x) and post (y) per unit, correlated, 12 units per arm, candidate +0.5 on y
def prepost(n, shift):
    x = rng.normal(10, 2, n)
    y = 0.7 * x + rng.normal(3, 1.5, n) + shift
    return x, y


px, py = prepost(12, 0.0)
qx, qy = prepost(12, 0.5)
show("cuped control pre", px)
show("cuped control post", py)
show("cuped candidate pre", qx)
show("cuped candidate post", qy)
dx = np.concatenate([px - px.mean(), qx - qx.mean()])
dy = np.concatenate([py - py.mean(), qy - qy.mean()])
theta = (dx * dy).sum() / (dx * dx).sum()
show("theta (pooled within-arm)", theta)
estimate = (qy.mean() - py.mean()) - theta * (qx.mean() - px.mean())
show("cuped estimate", estimate)
design = sm.add_constant(np.column_stack([np.r_[np.zeros(12), np.ones(12)], np.r_[px, qx]]))
fit = sm.OLS(np.r_[py, qy], design).fit()
show("sm.OLS(y, [1, treatment, x]).fit().params[1]", fit.params[1])
show("sm.OLS(y, [1, treatment, x]).fit().params[2] (= theta)", fit.params[2])


def adjusted_var(x, y):
    c = np.cov(x, y, ddof=1)
    return (c[1, 1] - 2 * theta * c[0, 1] + theta**2 * c[0, 0]) / len(x)


se = np.sqrt(adjusted_var(px, py) + adjusted_var(qx, qy))
show("cuped standard error", se)
show("cuped z", estimate / se)
show("cuped two-sided p", 2 * norm.sf(abs(estimate / se)))
unadjusted = py.var(ddof=1) / 12 + qy.var(ddof=1) / 12
show("variance reduction 1 - se^2/unadjusted", 1 - se**2 / unadjusted)
