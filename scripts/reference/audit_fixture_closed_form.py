"""Closed form of the exact audit of test/fixtures/import/argo/canary-inline-analysis.yaml
(test/sim/audit/fixturePipeline.test.ts, last test), computed independently of the exact
evaluator's chain with scipy.

World: 5 requests/s, 1-minute checks (Poisson mean 300 × share per check), the candidate's
realized sticky share 1,946/10,000 at 20 % and 4,917/10,000 at 50 %; the analysis fails a check
when errors/requests > 0.05, or when the check has no requests. A stage rolls back when 2 checks
fail (Argo failureLimit 1, counted in total); only passing checks count towards the stage's
minimum duration, so a stage with at most one failure runs 11 (20 %) and 16 (50 %) checks.
p = 0.02 is the healthy world (false rollback), p = 0.06 the regressed one (1 − P(rollback) is the
missed regression).

Run with Debian's Python: /usr/bin/python3 scripts/reference/audit_fixture_closed_form.py
"""
import math

from scipy import stats


def check_fails(mean, p, limit=0.05):
    total = stats.poisson.pmf(0, mean)
    for n in range(1, 2000):
        k = math.floor(limit * n + 1e-12)
        total += stats.poisson.pmf(n, mean) * stats.binom.sf(k, n, p)
    return total


for p in (0.02, 0.06):
    q1 = check_fails(300 * 0.1946, p)
    q2 = check_fails(300 * 0.4917, p)
    survive1 = stats.binom.cdf(1, 11, q1)
    survive2 = stats.binom.cdf(1, 16, q2)
    print(f"p={p}: P(rollback) = {1 - survive1 * survive2!r}, P(no rollback) = {survive1 * survive2!r}")
