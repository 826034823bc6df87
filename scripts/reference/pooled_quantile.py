"""Reference probabilities for test/sim/exact/pooledQuantileLaw.test.ts: the law of the q-quantile
the engine reads from the POOLED latency sketch of a historical baseline
(src/sim/exact/pooledQuantileLaw.ts computes it by Poisson thinning, as a sum over the count at or
below a bucket edge; this script takes a different route: it conditions on the pooled total N).

Windows w serve N_w ~ Poisson(L_w) requests with latencies of CDF F(x / m_w), F lognormal with
median 120 ms and p95 400 ms (scenarios/identical-candidate.json). Given N = sum N_w ~ Poisson(L),
L = sum L_w, the N latencies are i.i.d. from the mixture G(x) = sum_w L_w F(x / m_w) / L (a
Poisson process's points given their number), so the count at or below the upper edge
e_i = g^i (g = 1.01 / 0.99) of sketch bucket i is Binomial(N, u_i), u_i = G(e_i). The sketch
(src/engine/stats/latencySketch.ts) reports the bucket holding 0-based rank q (N - 1): the first
bucket whose running count exceeds it, so
    P(reported bucket <= i) = sum_{N >= 1} Poisson(N; L) * P(Binomial(N, u_i) >= floor(q (N - 1)) + 1),
with q (N - 1) rounded as the engine rounds it (float64, as here). N is summed over
L +- (12 sqrt(L) + 30) (the Poisson mass outside is below 1e-30). scipy's binom.sf (Boost's
incomplete beta) and the Poisson pmf in mpmath at 40 digits.

Printed per case: P(reported bucket <= i) for the buckets i where it lies strictly between 1e-13
and P(N >= 1) - 1e-13 (at most 14 of them, evenly spaced, when there are more); for the day and
edge cases, the five buckets around the centre whatever their value.

Run with Debian's python3 (python3-scipy): python3 scripts/reference/pooled_quantile.py (about a minute: mpmath).
"""
import math

import mpmath
import numpy as np
from scipy import stats

mpmath.mp.dps = 40

GAMMA = 1.01 / 0.99
LOG_GAMMA = math.log(GAMMA)
Z95 = 1.6448536269514722  # src/sim/latencyModel.ts, Phi^-1(0.95)
SIGMA = math.log(400 / 120) / Z95
MU = math.log(120)


def base_cdf(x):
    return stats.norm.cdf((np.log(x) - MU) / SIGMA)


def edge(i):
    return math.exp(i * LOG_GAMMA)


def at_most(q, groups, i):
    """P(reported bucket <= i) given groups [(L_w, m_w)]."""
    total = sum(l for l, _ in groups)
    u = sum(l * float(base_cdf(edge(i) / m)) for l, m in groups) / total
    spread = 12 * math.sqrt(total) + 30
    n = np.arange(max(1, math.floor(total - spread)), math.ceil(total + spread) + 1)
    k = np.floor(q * (n.astype(np.float64) - 1)) + 1
    return float(np.sum(poisson_pmf(total, n[0], n[-1]) * stats.binom.sf(k - 1, n, u)))


_pmf_cache = {}


def poisson_pmf(mean, first, last):
    """Poisson(mean) pmf at first..last with mpmath at 40 digits (scipy's poisson.pmf subtracts
    ln k! from k ln mean and keeps only ~1e-8 relative precision at mean ~ 1e7)."""
    key = (mean, first, last)
    if key not in _pmf_cache:
        m = mpmath.mpf(mean)
        log_m = mpmath.log(m)
        _pmf_cache[key] = np.array([float(mpmath.exp(k * log_m - m - mpmath.loggamma(k + 1))) for k in range(first, last + 1)])
    return _pmf_cache[key]


def case(name, q, groups, span, keep_all=False):
    total = sum(l for l, _ in groups)
    mass = -math.expm1(-total)
    centre = math.ceil((math.log(groups[0][1]) + MU + SIGMA * stats.norm.ppf(q)) / LOG_GAMMA)
    rows = []
    for i in range(centre - span, centre + span + 1):
        p = at_most(q, groups, i)
        if keep_all or 1e-13 < p < mass - 1e-13:
            rows.append((i, p))
    if len(rows) > 14:
        picks = np.linspace(0, len(rows) - 1, 14).round().astype(int)
        rows = [rows[j] for j in picks]
    print(f"// {name}: q = {q}, groups (expected, multiplier) = {groups}, P(N >= 1) = {mass!r}")
    print("[" + ", ".join(f"[{i}, {p!r}]" for i, p in rows) + "],")


def day_groups():
    """The lab's 24 h baseline at 100 req/s: 288 five-minute windows under a +-30% daily cycle,
    one multiplier (no faults). Only the total matters (one multiplier): the cycle integrates to 0
    over a whole day, so L = 100 * 86400."""
    return [(100.0 * 86400, 1.0)]


if __name__ == "__main__":
    case("single window, tiny", 0.5, [(5.0, 1.0)], 500)
    case("single window", 0.95, [(50.0, 1.0)], 300)
    case("single window", 0.99, [(500.0, 1.0)], 200)
    case("single window", 0.95, [(5000.0, 1.0)], 80)
    case("two multipliers", 0.95, [(2000.0, 1.0), (1000.0, 1.3)], 120)
    case("two multipliers", 0.5, [(2000.0, 1.0), (1000.0, 1.3)], 80)
    case("single window, another level", 0.25, [(300.0, 1.0)], 120)
    case("single window, a high level", 0.999, [(2000.0, 0.8)], 120)
    for q in (0.5, 0.95, 0.99):
        case("day", q, day_groups(), 2, keep_all=True)
    # A multiplier putting m F^-1(0.95) at 1 + 5e-7 times the upper edge of bucket 372: the two
    # buckets around that edge share the mass.
    m = edge(372) * (1 + 5e-7) / math.exp(MU + SIGMA * Z95)
    print(f"// edge multiplier {m!r}")
    case("edge", 0.95, [(1.0e6, m)], 2, keep_all=True)
    # The Poisson pmf that src/sim/exact/pooledQuantileLaw.ts computes by Loader's saddle-point
    # form (poissonPmf), at 40 digits.
    pairs = [(0, 5.0), (3, 5.0), (17, 5.0), (49, 50.0), (900, 1000.0), (8640000, 8640000.0),
             (8643000, 8640000.0), (8630000, 8640000.5), (1000000, 1000000.25), (420000, 432000.0)]
    print("// poisson pmf (k, mean, pmf)")
    print("[" + ", ".join(
        f"[{k}, {mean!r}, {float(mpmath.exp(k * mpmath.log(mpmath.mpf(mean)) - mpmath.mpf(mean) - mpmath.loggamma(k + 1)))!r}]"
        for k, mean in pairs) + "],")
