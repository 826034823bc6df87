/**
 * Issue 15, checks (a) and (b), by seeded simulation of one A/B window per replicate (users
 * randomised, requests measured), in both fidelity modes:
 *
 * (a) Under per-user clustering (userEffectSigma 0.8: a user's requests are correlated, ICC ≈ 0.62
 *     for these laws) the delta method's variance of the ratio difference (Deng, Knoblich & Lu,
 *     KDD 2018, eq. 4, `ratioDifferenceTest`) matches the empirical variance of the difference across
 *     replicates, and the naive per-request variance Var(v)·(1/N_c + 1/N_t) does not: it is too small
 *     by about the design effect 1 + (E[m²]/E[m] − 1)·ICC (≈ 4.7 at ~6 requests per user).
 * (b) CUPED (Deng, Xu, Kohavi & Walker, WSDM 2013) with ρ = 0.7 on a per-user normal metric leaves
 *     1 − ρ² = 0.51 of the variance of the difference: the empirical variance of the adjusted
 *     difference over the unadjusted one, and each replicate's estimated reduction.
 *
 * Tolerances: the relative standard error of a variance estimated from R replicates is √(2/(R − 1))
 * for normal differences (Cramér 1946, §27.7); each bound is 4 of them.
 */
import { describe, expect, it } from 'vitest';
import type { BivariateSums } from '../../src/engine/stats/bivariateMoments.ts';
import { bivariateMomentsFromSums, swappedSums } from '../../src/engine/stats/bivariateMoments.ts';
import { cupedTest } from '../../src/engine/stats/cuped.ts';
import { ratioDifferenceTest } from '../../src/engine/stats/ratioMetric.ts';
import { valueLawMean, valueLawSecondMoment } from '../../src/sim/metricValues.ts';
import { abWindows, valuesOf, valuesWorld } from './metricValuesHarness.ts';

/** The window's sums (x = metric, y = denominator or covariate, C3) as the stats functions' moments (x = denominator or covariate). */
function swapped(sums: BivariateSums) {
  return bivariateMomentsFromSums(swappedSums(sums));
}

function variance(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
}

const tokensLaw = { kind: 'lognormal' as const, median: 300, sigma: 0.5 };
const userEffectSigma = 0.8;

describe('(a) the delta method under per-user clustering', () => {
  const world = valuesWorld(
    { tokens: { kind: 'perRequest', value: tokensLaw, userEffectSigma } },
    { tokens: { kind: 'perRequest', value: tokensLaw, userEffectSigma } },
    { requestsPerSecond: 20, users: { count: 2000 } },
  );
  // Per-request variance of v = f·L: E[f²]·E[L²] − E[L]², E[f²] = e^{σ_u²}.
  const perRequestVariance = Math.exp(userEffectSigma ** 2) * valueLawSecondMoment(tokensLaw) - valueLawMean(tokensLaw) ** 2;

  it.each(['window', 'request'] as const)(
    'matches the empirical variance; the naive per-request variance is far too small (%s mode)',
    (mode) => {
      const replicates = 300;
      const differences: number[] = [];
      let deltaVariance = 0;
      let naiveVariance = 0;
      for (let r = 0; r < replicates; r++) {
        const [window] = abWindows(world, mode, 31, r, 1, 600);
        const control = valuesOf(window.control).tokens;
        const candidate = valuesOf(window.candidate).tokens;
        const test = ratioDifferenceTest(swapped(control), swapped(candidate));
        differences.push(test.estimate);
        deltaVariance += test.standardError ** 2 / replicates;
        naiveVariance += (perRequestVariance * (1 / control.sumY + 1 / candidate.sumY)) / replicates;
      }
      const empirical = variance(differences);
      const tolerance = 4 * Math.sqrt(2 / (replicates - 1));
      expect(Math.abs(deltaVariance / empirical - 1)).toBeLessThanOrEqual(tolerance);
      // The naive variance misses the clustering: it is below a third of the truth here.
      expect(naiveVariance / empirical).toBeLessThan(1 / 3);
    },
  );
});

describe('(b) CUPED with ρ = 0.7', () => {
  const revenue = { kind: 'perUser', value: { kind: 'normal', mean: 50, sd: 20 }, preCorrelation: 0.7 };
  const world = valuesWorld({ revenue }, { revenue }, { requestsPerSecond: 5, users: { count: 3000 } });

  it.each(['window', 'request'] as const)('leaves 1 − ρ² = 0.51 of the variance of the difference (%s mode)', (mode) => {
    const replicates = 500;
    const unadjusted: number[] = [];
    const adjusted: number[] = [];
    let reduction = 0;
    for (let r = 0; r < replicates; r++) {
      const [window] = abWindows(world, mode, 37, r, 1, 600);
      const test = cupedTest(swapped(valuesOf(window.control).revenue), swapped(valuesOf(window.candidate).revenue));
      unadjusted.push(test.unadjustedEstimate);
      adjusted.push(test.estimate);
      reduction += test.varianceReduction / replicates;
    }
    const remaining = variance(adjusted) / variance(unadjusted);
    // log(s²_adj/s²_unadj) of two correlated normal-sample variances (correlation² of the two
    // differences = 1 − ρ² = 0.51) has variance ≈ 4(1 − 0.51)/R; 4 standard errors on the log scale.
    const logError = Math.sqrt((4 * (1 - 0.51)) / replicates);
    expect(Math.abs(Math.log(remaining / 0.51))).toBeLessThanOrEqual(4 * logError);
    // Each replicate's own estimate of the reduction (≈ ρ̂², from ~1,000 users per arm) averages 0.49.
    expect(reduction).toBeCloseTo(0.49, 2);
  });
});
