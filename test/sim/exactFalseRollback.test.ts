/**
 * Validation (1): an identical candidate under one ratio rule at low traffic. The simulated
 * false-rollback rate must equal the exact probability for that rule and schedule, computed
 * here by summing Poisson and binomial probabilities — no simulation.
 *
 * The policy: concurrent baseline; one canary stage at 10% for K = 12 checks of 5 minutes; one
 * rule, candidate error rate ≤ 2 × control's in the same window; at least m = 100 requests per
 * arm per window (else the check holds); failure limit 1; then promote.
 *
 * The law of one window (no daily cycle, so all windows alike): arrivals Poisson(Λ) thinned by
 * the sticky flag give independent n_cand ~ Poisson(Λf), n_ctrl ~ Poisson(Λ(1 − f)), where f is
 * the share of requests from users whose Unleash bucket is ≤ 10 (users equally likely, so f =
 * #{users with bucket ≤ 10}/#users); errors | n ~ Binomial(n, p) in each arm. A window
 *   holds  when n_cand < m or n_ctrl < m,
 *   fails  when e_cand/n_cand > 2·e_ctrl/n_ctrl  (the engine's strict `observed > maxRatio × reference`),
 *   passes otherwise.
 * The stage promotes after K passing windows (holds do not count, and there is no maximum
 * duration), and rolls back at the first failure, so with a = P(pass), b = P(fail):
 *   P(rollback) = 1 − (a/(a + b))^K        (= 1 − Π_k P(window k passes | not held)).
 * Tolerance: 4 Monte-Carlo standard errors √(P(1 − P)/N).
 */
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../src/engine/policy/policy.ts';
import { normalizedValue } from '../../src/engine/routing/bucketing.ts';
import { logGamma } from '../../src/engine/stats/distributions.ts';
import { simulate } from '../../src/sim/runner.ts';
import { parseScenario } from '../../src/sim/scenario.ts';

const windowSeconds = 300;
const checks = 12;
const requestsPerSecond = 2000 / windowSeconds; // Λ = 2,000 arrivals per window
const errorRate = 0.01;
const maxRatio = 2;
const minRequests = 100;
const users = 5000;
const flagName = 'exact-test';

function policy(): Policy {
  return {
    version: 1,
    baseline: { mode: 'concurrent' },
    guards: { minRequests, failureLimit: 1 },
    flag: { name: flagName },
    stages: [
      {
        kind: 'canary',
        traffic: 0.1,
        minDuration: checks * windowSeconds,
        checkInterval: windowSeconds,
        rules: [{ type: 'ratio', metric: 'errorRate', maxRatio }],
      },
      { kind: 'promote' },
    ],
  };
}

function scenario() {
  const model = { latency: { kind: 'lognormal', median: 100, sigma: 0.5 }, errorRate };
  const parsed = parseScenario({
    version: 1,
    name: 'identical candidate, exact check',
    horizon: '30d',
    traffic: { requestsPerSecond, users: { count: users } },
    control: model,
    candidate: model,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario;
}

/** log pmf of Poisson(mean) at k. */
function logPoisson(k: number, mean: number): number {
  return k * Math.log(mean) - mean - logGamma(k + 1);
}

/** The pmf of Binomial(n, p) over 0…n, by the recurrence from P(0) = (1 − p)^n. */
function binomialPmf(n: number, p: number): Float64Array {
  const pmf = new Float64Array(n + 1);
  pmf[0] = Math.exp(n * Math.log1p(-p));
  for (let k = 1; k <= n; k++) pmf[k] = (pmf[k - 1] * (n - k + 1) * p) / (k * (1 - p));
  return pmf;
}

/** Exact P(pass) and P(fail) of one window. */
function windowProbabilities(candidateMean: number, controlMean: number): { pass: number; fail: number } {
  const range = (mean: number) => [Math.max(0, Math.floor(mean - 12 * Math.sqrt(mean))), Math.ceil(mean + 12 * Math.sqrt(mean))];
  const [cLow, cHigh] = range(candidateMean);
  const [kLow, kHigh] = range(controlMean);
  // Control: for each n, the cumulative error distribution P(e ≤ j | n), weighted by P(n).
  const controlN: number[] = [];
  const controlWeight: number[] = [];
  const controlCdf: Float64Array[] = [];
  for (let n = Math.max(kLow, minRequests); n <= kHigh; n++) {
    const pmf = binomialPmf(n, errorRate);
    for (let j = 1; j <= n; j++) pmf[j] += pmf[j - 1];
    controlN.push(n);
    controlWeight.push(Math.exp(logPoisson(n, controlMean)));
    controlCdf.push(pmf);
  }
  let pass = 0;
  let fail = 0;
  for (let n = Math.max(cLow, minRequests); n <= cHigh; n++) {
    const weightN = Math.exp(logPoisson(n, candidateMean));
    const pmf = binomialPmf(n, errorRate);
    for (let e = 0; e <= n && e <= 60; e++) {
      const weight = weightN * pmf[e];
      if (weight < 1e-300) continue;
      // Fails iff e/n > 2·e0/n0  ⇔  2·e0·n < e·n0  ⇔  e0 ≤ ⌊(e·n0 − 1)/(2n)⌋ (integers).
      let failGivenCandidate = 0;
      let bothEnough = 0;
      for (let i = 0; i < controlN.length; i++) {
        const n0 = controlN[i];
        bothEnough += controlWeight[i];
        if (e === 0) continue;
        const largest = Math.floor((e * n0 - 1) / (maxRatio * n));
        failGivenCandidate += controlWeight[i] * controlCdf[i][Math.min(n0, largest)];
      }
      fail += weight * failGivenCandidate;
      pass += weight * (bothEnough - failGivenCandidate);
    }
  }
  return { pass, fail };
}

describe('validation: identical candidate under a ratio rule', () => {
  // Exposed share f, from the engine's Unleash bucketing of the scenario's user ids.
  let inside = 0;
  for (let i = 0; i < users; i++) if (normalizedValue(`user-${i}`, flagName) <= 10) inside++;
  const share = inside / users;
  const { pass, fail } = windowProbabilities(2000 * share, 2000 * (1 - share));
  const exact = 1 - (pass / (pass + fail)) ** checks;

  it('has a sensible exact value (sanity of the computation itself)', () => {
    expect(share).toBeGreaterThan(0.09);
    expect(share).toBeLessThan(0.11);
    // Holds are negligible at these means (P(Poisson(≈200) < 100) ≈ 1e-14).
    expect(pass + fail).toBeCloseTo(1, 9);
    expect(inside).toBe(527);
    // The same exact computation done independently with scipy 1.10.1 (poisson.pmf, binom.pmf,
    // binom.cdf): scripts/reference/simulator.py prints P(rollback)=0.7778155343495369.
    expect(exact).toBeCloseTo(0.7778155343495369, 10);
  });

  it.each([
    ['window', 20_000],
    ['request', 2_000],
  ] as const)(
    '%s mode matches the exact false-rollback rate within 4 standard errors',
    (mode, replicates) => {
      const summary = simulate(scenario(), policy(), { replicates, seed: 20261129, mode });
      const standardError = Math.sqrt((exact * (1 - exact)) / replicates);
      expect(summary.missedRegressionRate.total).toBe(0); // the candidate is never worse
      expect(summary.undecidedRate.rate).toBe(0);
      const rate = summary.falseRollbackRate.rate as number;
      expect(Math.abs(rate - exact), `simulated ${rate} vs exact ${exact} (SE ${standardError})`).toBeLessThan(4 * standardError);
      // Every replicate is a rollback or a promotion.
      expect(summary.rollbackRate.count + summary.promoteRate.count).toBe(replicates);
    },
    120_000,
  );
});
