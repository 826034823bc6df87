#!/usr/bin/python3
"""Reference values for the exact evaluator's per-check laws (test/sim/exact/healthCheckLaw.test.ts).

Run with Debian's Python (scipy 1.10.1, numpy 1.24.2):

    /usr/bin/python3 scripts/reference/exact_laws.py

Written independently of src/sim/exact/: brute-force sums over scipy's Poisson, binomial and
beta laws, with the expected arrivals integrated numerically (scipy.integrate.quad of the
daily-cycle rate, not its closed form), the joint of two order statistics by the full
multinomial double sum (not the conditional-binomial formula of latencyLimitLaw.ts), and the
controller's comparison `observed > maxRatio * reference` evaluated in IEEE doubles as in
src/engine/controller/step.ts. The realized sticky share f of the test's population is an input
(it is pinned in the test from the engine's Murmur hash, itself pinned against Unleash elsewhere).

The sketch reports a value x as its bucket's representative 2*g**i/(g+1), i = ceil(ln x / ln g),
g = 1.01/0.99 (src/engine/stats/latencySketch.ts); the q-quantile of n values is the order
statistic of rank floor(q*(n-1)) + 1 (src/sim/windowsOrderStatistics.ts).
"""
import math

import numpy as np
from scipy import integrate, stats

G = 1.01 / 0.99
LOG_G = math.log(G)


def rep(i):
    return (2 * math.exp(i * LOG_G)) / (1 + G)


def largest_index_within(limit):
    i = math.floor(math.log(limit * (1 + G) / 2) / LOG_G)
    while rep(i + 1) <= limit:
        i += 1
    while rep(i) > limit:
        i -= 1
    return i


def rank(q, n):
    return math.floor(q * (n - 1)) + 1


def expected_arrivals(rps, amplitude, peak_hour, start, end):
    rate = lambda t: rps * (1 + amplitude * math.cos(2 * math.pi * (t - peak_hour * 3600) / 86400))
    return integrate.quad(rate, start, end, epsabs=1e-12, epsrel=1e-13)[0]


def lognormal(median, p95):
    sigma = math.log(p95 / median) / stats.norm.ppf(0.95)
    return stats.lognorm(s=sigma, scale=median)


def pass_level(limit, multiplier, law):
    """P(reported <= limit) = P(U_(k) <= level)."""
    return law.cdf(math.exp(largest_index_within(limit) * LOG_G) / multiplier)


def largest_passing(n, limit):
    """Largest x with not (x/n > limit), by IEEE doubles."""
    return max([x for x in range(n + 1) if not (x / n > limit)], default=-1)


def joint_pass(n, k1, x, k2, y):
    """P(U_(k1) <= x, U_(k2) <= y) by the multinomial double sum over (#<=x, #in (x, y])."""
    if k1 == k2 or x >= y:
        return stats.beta.cdf(min(x, y), k1, n - k1 + 1)
    total = 0.0
    i = np.arange(0, n + 1)
    for a in range(k1, n + 1):
        b = np.arange(max(0, k2 - a), n - a + 1)
        total += np.sum(np.exp(stats.multinomial.logpmf(np.stack([np.full_like(b, a), b, n - a - b], axis=1), n, [x, y - x, 1 - y])))
    return total


def case_historical():
    """Historical reference; rules: errorRate <= 2x ref, timeoutRate <= 0.1 absolute,
    latencyP50 <= 140 ms absolute, latencyP95 <= 1.05x ref; minRequests 20."""
    f = 0.20300000000000012  # realized share of 1000 users at 20% (flag group 'f'), pinned in the test
    lam = expected_arrivals(2, 0.3, 14, 3600, 3900) * f
    ref = {'errorRate': 0.015, 'latencyP95': 400.0}
    law = lognormal(130, 420)
    pe, timeout = 0.02, 600.0
    pt = 1 - law.cdf(timeout)
    u50 = pass_level(140.0, 1.0, law)
    u95 = pass_level(1.05 * ref['latencyP95'], 1.0, law)
    hold = passing = fail = 0.0
    for n in range(0, int(lam + 20 * math.sqrt(lam)) + 1):
        w = stats.poisson.pmf(n, lam)
        if n < 20:
            hold += w
            continue
        p_err = stats.binom.cdf(largest_passing(n, 2 * ref['errorRate']), n, pe)
        p_to = stats.binom.cdf(largest_passing(n, 0.1), n, pt)
        p_lat = joint_pass(n, rank(0.5, n), min(u50, u95), rank(0.95, n), u95)
        p = p_err * p_to * p_lat
        passing += w * p
        fail += w * (1 - p)
    return lam, hold, passing, fail


def case_concurrent():
    """Concurrent control; rules: errorRate <= 1.5x control, latencyP95 <= 1.2x control; minRequests 30;
    candidate latency x1.1 (a step fault), both lognormal(120, 400)."""
    f = 0.2920000000000002  # realized share of 1000 users at 30% (flag group 'f'), pinned in the test
    total = expected_arrivals(1, 0.3, 14, 7200, 7500)
    lam, lam0 = total * f, total * (1 - f)
    law = lognormal(120, 400)
    pe, pe0 = 0.03, 0.02
    m, m0 = 1.1, 1.0
    hold = passing = fail = 0.0
    n_range = range(0, int(lam + 15 * math.sqrt(lam)) + 1)
    n0_range = range(0, int(lam0 + 15 * math.sqrt(lam0)) + 1)
    bucket_cache = {}
    level_cache = {}

    def candidate_level(i):
        # the candidate passes when its p95 <= 1.2 x the control's reported p95 rep(i)
        if i not in level_cache:
            level_cache[i] = pass_level(1.2 * rep(i), m, law)
        return level_cache[i]

    def control_buckets(n0):
        if n0 in bucket_cache:
            return bucket_cache[n0]
        k0 = rank(0.95, n0)
        centre = math.ceil(math.log(m0 * law.ppf(k0 / (n0 + 1))) / LOG_G)
        idx = np.arange(centre - 400, centre + 401)  # wide enough that the masses sum to 1 within 1e-15 for n0 >= 30
        cdf = stats.beta.cdf(law.cdf(np.exp(idx * LOG_G) / m0), k0, n0 - k0 + 1)
        lower = stats.beta.cdf(law.cdf(np.exp((idx - 1) * LOG_G) / m0), k0, n0 - k0 + 1)
        out = [(int(i), float(h - l)) for i, h, l in zip(idx, cdf, lower) if h - l > 0]
        bucket_cache[n0] = out
        return out

    for n in n_range:
        w = stats.poisson.pmf(n, lam)
        if w < 1e-16:
            continue
        if n < 30:
            hold += w
            continue
        x = np.arange(0, n + 1)
        px = stats.binom.pmf(x, n, pe)
        k = rank(0.95, n)
        for n0 in n0_range:
            w0 = stats.poisson.pmf(n0, lam0)
            if w * w0 < 1e-18:
                continue
            if n0 < 30:
                hold += w * w0
                continue
            x0 = np.arange(0, n0 + 1)
            px0 = stats.binom.pmf(x0, n0, pe0)
            # error rule passes when not (x/n > 1.5 * (x0/n0)), in doubles
            # IEEE doubles elementwise, as the controller's JavaScript comparison
            fails = (x[:, None] / n) > 1.5 * (x0[None, :] / n0)
            p_err = float(px @ np.where(fails, 0.0, 1.0) @ px0)
            buckets = control_buckets(n0)
            masses = np.array([pi for _, pi in buckets])
            levels = np.array([candidate_level(i) for i, _ in buckets])
            p_lat = float(np.sum(masses * stats.beta.cdf(levels, k, n - k + 1)))
            p = p_err * p_lat
            passing += w * w0 * p
            fail += w * w0 * (1 - p)
    return lam, lam0, hold, passing, fail


if __name__ == '__main__':
    print(f'poisson.pmf(1000, 1000)={stats.poisson.pmf(1000, 1000)!r} binom.pmf(30, 1500, 0.02)={stats.binom.pmf(30, 1500, 0.02)!r}')
    print(f'joint_pass(40, 20, 0.55, 38, 0.97)={joint_pass(40, 20, 0.55, 38, 0.97)!r}')
    lam, hold, passing, fail = case_historical()
    print(f'historical: lambda_candidate={lam!r} hold={hold!r} pass={passing!r} fail={fail!r}')
    lam, lam0, hold, passing, fail = case_concurrent()
    print(f'concurrent: lambda_candidate={lam!r} lambda_control={lam0!r} hold={hold!r} pass={passing!r} fail={fail!r}')
