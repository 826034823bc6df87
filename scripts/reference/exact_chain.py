#!/usr/bin/python3
"""Reference values for the exact evaluator's chain over checks (test/sim/exact/chain.test.ts).

Run with Debian's Python (scipy 1.10.1):

    /usr/bin/python3 scripts/reference/exact_chain.py

Every number is computed here from scipy's Poisson and binomial laws and a dynamic programme
written independently of the TypeScript chain (src/sim/exact/), following the controller's
semantics as documented in src/engine/controller/step.ts:
  * a check fails when the candidate's window error rate errors/n is ABOVE the limit (strict >);
  * a check with n < minRequests holds: it neither passes nor fails, and does not count toward
    the minimum duration;
  * a failing check adds one to the consecutive failures (rollback at the failure limit) and,
    below the limit, holds; a passing check resets the count and adds the window to the passed time;
  * the stage advances when the passed time reaches its minimum duration; a stage reaching its
    maximum duration without advancing applies onMaxDuration ('rollback');
  * the run ends undecided when the horizon passes.

Windowed arrivals: the candidate's count n ~ Poisson(Λ) with Λ = rate × share × window, and
errors | n ~ Binomial(n, p) (Poisson thinning; src/sim/windowsOrderStatistics.ts).
"""
import math

import numpy as np
import scipy
from scipy import stats


def check_probabilities(lam, p, limit, min_requests, fixed_n=None):
    """(P(hold), P(pass), P(fail)) of one check: errors/n > limit fails, n < min_requests holds."""
    if fixed_n is not None:
        ns = np.array([fixed_n])
        weights = np.array([1.0])
    else:
        sd = math.sqrt(lam)
        lo = max(0, int(lam - 14 * sd) - 5)
        hi = int(lam + 14 * sd) + 5
        ns = np.arange(lo, hi + 1)
        weights = stats.poisson.pmf(ns, lam)
        # Neglected Poisson mass outside [lo, hi]: bounded here and printed.
        neglected = stats.poisson.cdf(lo - 1, lam) + stats.poisson.sf(hi, lam)
        assert neglected < 1e-13, neglected
    hold = passed = failed = 0.0
    for n, w in zip(ns, weights):
        if n < min_requests:
            hold += w
            continue
        # Smallest error count e with e/n > limit, found with the same floating-point comparison.
        e = math.floor(limit * n)
        while e > 0 and (e - 1) / n > limit:
            e -= 1
        while e / n <= limit:
            e += 1
        f = stats.binom.sf(e - 1, n, p)
        failed += w * f
        passed += w * (1 - f)
    return hold, passed, failed


def stage_outcome(probabilities, checks_to_pass, failure_limit, max_checks, horizon_checks):
    """P(rollback), P(advance), P(undecided) of one stage of identical checks (DP over checks).

    State: (passed checks, consecutive failures). The stage rolls back at the failure limit or,
    when `max_checks` windows have elapsed without advancing (onMaxDuration 'rollback'); it is
    undecided when the horizon (`horizon_checks` windows) passes first.
    """
    hold, passed, failed = probabilities
    states = {(0, 0): 1.0}
    rollback = advance = 0.0
    for window in range(1, horizon_checks + 1):
        following = {}
        for (k, c), mass in states.items():
            # pass
            if k + 1 >= checks_to_pass:
                advance += mass * passed
            else:
                following[(k + 1, 0)] = following.get((k + 1, 0), 0.0) + mass * passed
            # fail
            if c + 1 >= failure_limit:
                rollback += mass * failed
            else:
                following[(k, c + 1)] = following.get((k, c + 1), 0.0) + mass * failed
            # hold
            following[(k, c)] = following.get((k, c), 0.0) + mass * hold
        if window >= max_checks:
            rollback += sum(following.values())
            following = {}
        states = following
    undecided = sum(states.values())
    return rollback, advance, undecided


def main():
    print(f"scipy {scipy.__version__}")
    # The hand-checkable cases: 5% of 100 req/s, 5-minute checks, 0.1% errors, limit 2 x 0.1%.
    lam = 100 * 0.05 * 300
    poisson = check_probabilities(lam, 0.001, 0.002, 100)
    fixed = check_probabilities(None, 0.001, 0.002, 100, fixed_n=1500)
    print("per-check fail, Poisson arrivals:", repr(poisson[2]))
    print("per-check fail, 1500 requests:", repr(fixed[2]))
    print("A. Poisson, failure limit 1:", repr(stage_outcome(poisson, 24, 1, 10**9, 10**4)))
    print("   closed form 1 - (1 - q)^24:", repr(1 - (1 - poisson[2]) ** 24))
    print("B. 1500 requests, failure limit 1:", repr(stage_outcome(fixed, 24, 1, 10**9, 10**4)))
    print("C. Poisson, two consecutive failures, horizon 2 h (24 checks):", repr(stage_outcome(poisson, 24, 2, 10**9, 24)))
    print("C'. Poisson, two consecutive failures, long horizon (failing checks hold and do not count):", repr(stage_outcome(poisson, 24, 2, 10**9, 10**4)))
    # Own case D: low traffic, holds and a maximum duration: 0.4 req/s x 5% x 300 s = Λ 6 per
    # window... use 2 req/s: Λ = 30, minRequests 30 (holds ~ 47% of windows), error rate 2%,
    # absolute limit 5%, failure limit 2, 2 h minimum, 4 h maximum with rollback, horizon 10 h.
    d = check_probabilities(2 * 0.05 * 300, 0.02, 0.05, 30)
    print("D. per-check (hold, pass, fail):", repr(d))
    print("D. (rollback, advance, undecided):", repr(stage_outcome(d, 24, 2, 48, 120)))


if __name__ == "__main__":
    main()
