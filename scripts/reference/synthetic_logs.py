"""Reference values for the replay's checks on synthetic logs (issue 12), and for the
Politis-White automatic block length.

Run with Debian's Python (numpy 1.24, scipy 1.10):

    /usr/bin/python3 scripts/reference/synthetic_logs.py

It writes test/fixtures/logs/synthetic-replay.json. Nothing here reads the TypeScript code or
its output: the processes are written out again from their description in
scripts/syntheticLogs.ts, and the policy's rule from DESIGN.md section 2.

The policy checked (test/sim/replay/syntheticReplay.test.ts builds the same one): concurrent
baseline, one canary stage at 50 % for a minimum of 2 h (maximum 3 h), a check every 10 min, the
absolute rule "candidate error rate <= 0.1", at least 10 candidate requests per check, roll back
at the first failing check; then promote. Every process sends 10 requests a minute, so a check
window holds 100 requests. With no failing check the canary passes after 12 windows; the
candidate is identical to control, so every rollback is a false rollback:

    P(false rollback) = 1 - P(12 consecutive windows pass).

A window fails when its candidate requests n >= 10 and its candidate errors E > 0.1 n
(P(n < 10) < 1e-15 and is ignored: such a window would hold).

(a) independent errors, rate p = 0.04, requests routed by a per-request hash (each request to
    the candidate with probability 1/2): windows are independent and
    f = sum_n Binom(n; 100, 1/2) * P(Binom(n, p) > 0.1 n), P = 1 - (1 - f)^12  (exact).
(b) bursts: two-state Markov chain over minutes (P(normal->burst) = 0.005, P(burst->normal) = 0.05,
    error rates 0.005 and 0.2), stationary at the start; simulated directly: RUNS runs of the
    12 windows, per minute c_m ~ Binom(10, 1/2) candidate requests and Binom(c_m, p_state)
    candidate errors.
(c) errors clustered by user: a request's user is the heavy user with probability 0.2 (error
    rate 0.2), else one of 100 light users uniformly (error rate 0.01); routing is sticky by user:
    a user is in the candidate when its bucket, MurmurHash3_x86_32("synthetic:<user>") % 100 + 1
    (DESIGN.md section 3), is <= 50. Given this assignment, a window's heavy requests
    H ~ Binom(100, 0.2) all go to the arm of the heavy user, its light requests to the candidate
    with probability q = (light users in the candidate)/100, errors binomial: exact sum over H,
    the candidate light requests and the heavy errors.
The i.i.d. values (every request failing independently at the process's mean error rate) are
given for (b) and (c) too: the rate the old replay estimates.
"""
import ast
import json
import os

import numpy as np
from scipy.stats import binom

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')
OUT = os.path.join(ROOT, 'test', 'fixtures', 'logs', 'synthetic-replay.json')

# MurmurHash3 x86 32-bit: the transcription in analysis.py (checked there against libmurmurhash),
# loaded without running that script.
with open(os.path.join(os.path.dirname(__file__), 'analysis.py'), encoding='utf-8') as handle:
    tree = ast.parse(handle.read())
namespace = {}
exec(compile(ast.Module(body=[n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == 'murmur3_x86_32'], type_ignores=[]), 'analysis.py', 'exec'), namespace)
murmur3_x86_32 = namespace['murmur3_x86_32']


def bucket(user, group='synthetic'):
    return murmur3_x86_32(f'{group}:{user}'.encode('utf-8'), 0) % 100 + 1


WINDOW = 100
WINDOWS = 12
LIMIT = 0.1
MIN_REQUESTS = 10
RUNS = 400_000
rng = np.random.default_rng(20241204)


def window_fail_independent(p, share=0.5):
    f = 0.0
    for n in range(MIN_REQUESTS, WINDOW + 1):
        f += binom.pmf(n, WINDOW, share) * binom.sf(np.floor(LIMIT * n + 1e-12), n, p)
    return f


def rollback(f):
    return 1 - (1 - f) ** WINDOWS


# (a) independent errors
A = {'errorRate': 0.04}
a_rate = rollback(window_fail_independent(A['errorRate']))

# (b) bursts
B = {'errorRates': [0.005, 0.2], 'toBurst': 0.005, 'toNormal': 0.05}
pi_burst = B['toBurst'] / (B['toBurst'] + B['toNormal'])
minutes = WINDOW // 10 * WINDOWS
state = rng.random(RUNS) < pi_burst
failed = np.zeros(RUNS, dtype=bool)
n_window = np.zeros(RUNS)
e_window = np.zeros(RUNS)
for minute in range(minutes):
    if minute > 0:
        u = rng.random(RUNS)
        state = np.where(state, u >= B['toNormal'], u < B['toBurst'])
    c = rng.binomial(10, 0.5, RUNS)
    e = rng.binomial(c, np.where(state, B['errorRates'][1], B['errorRates'][0]))
    n_window += c
    e_window += e
    if minute % 10 == 9:
        failed |= (n_window >= MIN_REQUESTS) & (e_window > LIMIT * n_window)
        n_window[:] = 0
        e_window[:] = 0
b_rate = failed.mean()
b_se = np.sqrt(b_rate * (1 - b_rate) / RUNS)
b_mean_error = pi_burst * B['errorRates'][1] + (1 - pi_burst) * B['errorRates'][0]
b_iid = rollback(window_fail_independent(b_mean_error))

# (c) clustered by user
heavy = next(f'heavy-{k}' for k in range(1000) if bucket(f'heavy-{k}') <= 50)
C = {'heavyUser': heavy, 'heavyShare': 0.2, 'heavyErrorRate': 0.2, 'lightUsers': 100, 'lightErrorRate': 0.01}
light_in = sum(1 for i in range(C['lightUsers']) if bucket(f'light-{i}') <= 50)
q = light_in / C['lightUsers']
f = 0.0
for H in range(WINDOW + 1):
    pH = binom.pmf(H, WINDOW, C['heavyShare'])
    for nL in range(WINDOW - H + 1):
        pL = binom.pmf(nL, WINDOW - H, q)
        n = H + nL
        if n < MIN_REQUESTS or pH * pL < 1e-300:
            continue
        eH = np.arange(H + 1)
        # fails when eH + eL > LIMIT n, i.e. eL > LIMIT n - eH
        f += pH * pL * np.sum(binom.pmf(eH, H, C['heavyErrorRate']) * binom.sf(np.floor(LIMIT * n - eH + 1e-12), nL, C['lightErrorRate']))
c_rate = rollback(f)
c_mean_error = C['heavyShare'] * C['heavyErrorRate'] + (1 - C['heavyShare']) * C['lightErrorRate']
c_iid = rollback(window_fail_independent(c_mean_error))


# Politis-White automatic block length, written from Politis & White (2004) section 3.2 and the
# corrected constants of Patton, Politis & White (2009), with the bandwidth M = 2 max(m_hat, 1).
def politis_white(x):
    x = np.asarray(x, dtype=float)
    n = len(x)
    e = x - x.mean()
    kn = max(5, int(np.ceil(np.sqrt(np.log10(n)))))
    m_max = min(n - 1, int(np.ceil(np.sqrt(n))) + kn)
    b_max = np.ceil(min(3 * np.sqrt(n), n / 3))
    R = np.array([e[: n - k] @ e[k:] / n for k in range(m_max + 1)])
    rho = R / R[0]
    crit = 2 * np.sqrt(np.log10(n) / n)
    m_hat = None
    for m in range(0, m_max - kn + 1):
        if np.all(np.abs(rho[m + 1 : m + kn + 1]) < crit):
            m_hat = m
            break
    M = m_max if m_hat is None else min(m_max, 2 * max(m_hat, 1))
    k = np.arange(-M, M + 1)
    t = np.abs(k) / M
    lam = np.where(t <= 0.5, 1.0, 2 * (1 - t))
    Rk = R[np.abs(k)]
    G = np.sum(lam * np.abs(k) * Rk)
    g0 = np.sum(lam * Rk)
    d_cb = 4 / 3 * g0 ** 2
    d_sb = 2 * g0 ** 2
    b_cb = min(b_max, (2 * G ** 2 / d_cb) ** (1 / 3) * n ** (1 / 3))
    b_sb = min(b_max, (2 * G ** 2 / d_sb) ** (1 / 3) * n ** (1 / 3))
    return {'circular': max(1.0, b_cb), 'stationary': max(1.0, b_sb), 'bandwidth': int(M)}


def series(kind, n):
    """Deterministic test series (no random numbers, so TypeScript builds the same ones)."""
    t = np.arange(n)
    if kind == 'ar1':
        # x_t = 0.7 x_{t-1} + ((7919 t^2 + 13 t) mod 1009) / 1009 - 1/2
        x = np.zeros(n)
        for i in range(n):
            x[i] = (0.7 * x[i - 1] if i > 0 else 0.0) + ((7919 * i * i + 13 * i) % 1009) / 1009 - 0.5
        return x
    if kind == 'sawtooth':
        return ((t * 37) % 23).astype(float)
    raise ValueError(kind)


pw = [{'series': kind, 'n': n, **politis_white(series(kind, n))} for kind, n in [('ar1', 500), ('ar1', 5000), ('sawtooth', 800)]]

out = {
    'generatedBy': 'scripts/reference/synthetic_logs.py (numpy %s, scipy binom)' % np.__version__,
    'policy': {'canaryTraffic': 0.5, 'checkIntervalMinutes': 10, 'windows': WINDOWS, 'absoluteErrorRateLimit': LIMIT, 'minRequests': MIN_REQUESTS, 'requestsPerMinute': 10},
    'independent': {'process': {'kind': 'independent', **A}, 'falseRollbackRate': a_rate, 'how': 'exact: binomial sums (scipy.stats.binom)'},
    'bursty': {'process': {'kind': 'bursty', **B}, 'falseRollbackRate': b_rate, 'standardError': b_se, 'runs': RUNS, 'iidFalseRollbackRate': b_iid, 'meanErrorRate': b_mean_error,
               'how': 'the generating process simulated directly (numpy default_rng(20241204)); iid: exact binomial sums at the mean error rate'},
    'clustered': {'process': {'kind': 'clustered', **C}, 'falseRollbackRate': c_rate, 'lightUsersInCandidate': light_in, 'iidFalseRollbackRate': c_iid, 'meanErrorRate': c_mean_error,
                  'how': 'exact: sums over binomial laws given the sticky assignment (MurmurHash3 buckets); iid: exact binomial sums at the mean error rate'},
    'politisWhite': pw,
}
with open(OUT, 'w', encoding='utf-8') as handle:
    json.dump(out, handle, indent=2)
    handle.write('\n')
print(json.dumps(out, indent=2))
