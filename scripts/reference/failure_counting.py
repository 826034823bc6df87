#!/usr/bin/python3
"""Reference values for the failure-counting modes (test/sim/failureCounting.test.ts).

Run with Debian's Python (python3-scipy 1.10.1):

    /usr/bin/python3 scripts/reference/failure_counting.py

Written from the definitions in src/engine/policy/policy.ts (Guards), independently of the
TypeScript counting (src/engine/controller/failureCount.ts) and chain (src/sim/exact/stageChain.ts).
A stage needs K passing checks; each check independently holds (too little data), passes or
fails with probabilities (h, p, f):
  * 'consecutive' limit L: roll back at L failing checks in a row (a pass resets; a hold neither
    counts nor resets);
  * 'total' limit M: roll back at the M-th failing check; with no holds this is the binomial tail
    P(at least M of the first K + M - 1 checks fail) = binom.sf(M - 1, K + M - 1, q);
  * 'mOfN' M of N: roll back when M of the last N evaluated (pass or fail) checks failed;
  * onNoData: a hold is nothing ('hold'), a failing check ('fail') or an inconclusive one
    ('inconclusive'), and at the inconclusive limit the stage pauses until its maximum duration,
    where it rolls back (onMaxDuration 'rollback').
The Markov chains below step check by check over (checks so far, passes, the counts), exactly.

The hand case (test/sim/exact/evaluateExact.test.ts, scripts/reference/exact_chain.py): the
full stage serves Λ = 5 req/s x 300 s = 1,500 requests per 5-minute check, error rate 0.1% in
both models, absolute limit 0.2% on the window's error rate, minRequests 100, 24 checks (2 h):
q = Σ_n Poisson(n; 1500) · P(Binomial(n, 0.001) > 0.002 n).
"""
import math

import numpy as np
import scipy
from scipy import stats


def hand_check_failure():
    """q of the hand case: Σ_n Poisson(n; 1500) P(Bin(n, 0.001) > 0.002 n), and P(n < 100) (holds)."""
    lam = 1500.0
    sd = math.sqrt(lam)
    ns = np.arange(max(0, int(lam - 14 * sd)), int(lam + 14 * sd) + 1)
    weights = stats.poisson.pmf(ns, lam)
    # errors/n > 0.002  <=>  errors > floor(0.002 n)  (strict >, as the controller).
    fail_given_n = stats.binom.sf(np.floor(0.002 * ns + 1e-12), ns, 0.001)
    q = float(np.sum(weights * fail_given_n))
    hold = float(stats.poisson.cdf(99, lam))
    return q, hold


def rollback_probability(h, p, f, passes_needed, mode, limit, window=0, on_no_data='hold',
                         inconclusive_limit=math.inf, max_checks=None, stages=None, scope='stage'):
    """P(rollback) of one stage (or of `stages` passes-needed list in sequence), checks i.i.d. (h, p, f).

    State per stage: (passes, consecutive, total, last-N outcomes tuple, inconclusive). With
    `max_checks` (the stage's maximum duration in checks) the stage rolls back when it has run that
    many checks without advancing; a paused stage (inconclusive limit reached) only waits for it.
    """
    stage_list = stages if stages is not None else [passes_needed]
    total_rollback = 0.0
    # Start of stage 0 with empty counts.
    entering = {((), 0, 0, 0): 1.0}  # (recent, consecutive, total, inconclusive) -> mass
    for needed in stage_list:
        # state: (checks, passes, recent, consecutive, total, inconclusive) -> mass
        states = {(0, 0) + key: mass for key, mass in entering.items()}
        advanced = {}
        horizon = max_checks if max_checks is not None else 100000
        for _ in range(horizon):
            nxt = {}
            for (checks, passes, recent, consecutive, total, inconclusive), mass in states.items():
                def add(target, m, key):
                    target[key] = target.get(key, 0.0) + m

                if inconclusive >= inconclusive_limit:
                    add(nxt, mass, (checks + 1, passes, recent, consecutive, total, inconclusive))
                    continue
                fail_mass = mass * (f + (h if on_no_data == 'fail' else 0.0))
                # fail
                r = (recent + (1,))[-window:] if window else ()
                c, t = consecutive + 1, total + 1
                counted = c if mode == 'consecutive' else t if mode == 'total' else sum(r)
                if counted >= limit:
                    total_rollback += fail_mass
                else:
                    add(nxt, fail_mass, (checks + 1, passes, r, c, t, inconclusive))
                # hold
                if on_no_data == 'hold':
                    add(nxt, mass * h, (checks + 1, passes, recent, consecutive, total, inconclusive))
                elif on_no_data == 'inconclusive':
                    add(nxt, mass * h, (checks + 1, passes, recent, consecutive, total, inconclusive + 1))
                # pass
                r = (recent + (0,))[-window:] if window else ()
                if passes + 1 >= needed:
                    add(advanced, mass * p, (r, 0, total, inconclusive))
                else:
                    add(nxt, mass * p, (checks + 1, passes + 1, r, 0, total, inconclusive))
            states = {k: v for k, v in nxt.items() if v > 1e-18}
            if not states:
                break
        if max_checks is not None:
            total_rollback += sum(states.values())  # onMaxDuration 'rollback'
        entering = advanced if scope == 'rollout' else {((), 0, 0, 0): sum(advanced.values())}
    return total_rollback


def main():
    print(f'scipy {scipy.__version__}')
    q, hold = hand_check_failure()
    print(f'hand case: q = {q!r}, P(hold) = {hold!r} (negligible)')
    K = 24
    total3 = float(stats.binom.sf(2, K + 2, q))
    print(f"total, limit 3: binom.sf(2, 26, q) = {total3!r}")
    print(f"total, limit 3 (chain): {rollback_probability(0, 1 - q, q, K, 'total', 3)!r}")
    print(f"consecutive, limit 3: {rollback_probability(0, 1 - q, q, K, 'consecutive', 3)!r}")
    print(f"mOfN, 3 of 5: {rollback_probability(0, 1 - q, q, K, 'mOfN', 3, window=5)!r}")
    print(f"mOfN, 2 of 4: {rollback_probability(0, 1 - q, q, K, 'mOfN', 2, window=4)!r}")

    # Chain-level cases with held checks (constant per-check laws, as stageChain.test.ts case D):
    h, p, f = 0.4757169861063216, 0.45315642107582066, 0.07112659281786392
    print(f'case D laws: (h, p, f) = ({h}, {p}, {f})')
    # Two canary stages of 12 passes each (1 h of 5-minute checks), total limit 2, no maximum.
    print(f"two stages, total 2, scope stage: {rollback_probability(h, p, f, None, 'total', 2, stages=[12, 12])!r}")
    print(f"two stages, total 2, scope rollout: {rollback_probability(h, p, f, None, 'total', 2, stages=[12, 12], scope='rollout')!r}")
    # One stage of 12 passes, consecutive limit 2, onNoData fail.
    print(f"onNoData fail, consecutive 2: {rollback_probability(h, p, f, 12, 'consecutive', 2, on_no_data='fail')!r}")
    # One stage of 12 passes, consecutive limit 2, onNoData inconclusive, limit 5, maximum 36 checks (3 h), rollback there.
    print(
        "onNoData inconclusive (limit 5), consecutive 2, max 36 checks: "
        f"{rollback_probability(h, p, f, 12, 'consecutive', 2, on_no_data='inconclusive', inconclusive_limit=5, max_checks=36)!r}"
    )
    print(
        "onNoData hold, consecutive 2, max 36 checks: "
        f"{rollback_probability(h, p, f, 12, 'consecutive', 2, max_checks=36)!r}"
    )
    print(f"mOfN 2 of 3, onNoData hold: {rollback_probability(h, p, f, 12, 'mOfN', 2, window=3)!r}")


if __name__ == '__main__':
    main()
