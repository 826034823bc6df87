import { describe, expect, it } from 'vitest';
import { betaSampler } from '../../../src/engine/random/beta.ts';
import { poissonSampler } from '../../../src/engine/random/poisson.ts';
import { streamFor } from '../../../src/engine/random/streams.ts';
import { bivariateMomentsAdd, bivariateMomentsInit, bivariateMomentsOfSamples } from '../../../src/engine/stats/bivariateMoments.ts';
import { meanSampleSize } from '../../../src/engine/stats/meanSampleSize.ts';
import { ratioDifferenceTest, ratioMetricSummary } from '../../../src/engine/stats/ratioMetric.ts';
import { expectRelative } from '../../helpers/close.ts';
import { ratioData } from './designData.ts';

// Reference: scripts/reference/design_ratio_cuped.py — numpy on the per-user data of designData.ts,
// Deng, Knoblich & Lu (KDD 2018) eq. (4): Var = (s_y²/m_x² − 2 m_y s_xy/m_x³ + m_y² s_x²/m_x⁴)/n.

describe('ratioMetricSummary (delta method) against numpy', () => {
  const control = bivariateMomentsOfSamples(ratioData.controlRequests, ratioData.controlErrors);
  const candidate = bivariateMomentsOfSamples(ratioData.candidateRequests, ratioData.candidateErrors);

  it('control ratio = 0.10884353741496598, delta variance = 0.0009452181799501335', () => {
    const summary = ratioMetricSummary(control);
    expectRelative(summary.ratio, 0.10884353741496598, 1e-15);
    expectRelative(summary.variance, 0.0009452181799501335, 1e-12);
    expectRelative(summary.perUnitVariance, 15 * 0.0009452181799501335, 1e-12);
  });

  it('candidate ratio = 0.16666666666666669, delta variance = 0.0032412408357587945', () => {
    const summary = ratioMetricSummary(candidate);
    expectRelative(summary.ratio, 0.16666666666666669, 1e-15);
    expectRelative(summary.variance, 0.0032412408357587945, 1e-12);
  });

  it('z = 0.8936720368431239, two-sided p = 2·norm.sf(|z|) = 0.3714973910637994', () => {
    const test = ratioDifferenceTest(control, candidate);
    expectRelative(test.z, 0.8936720368431239, 1e-12);
    expectRelative(test.pValue, 0.3714973910637994, 1e-12);
    expectRelative(test.estimate, 0.16666666666666669 - 0.10884353741496598, 1e-14);
  });

  it('feeds the sizer: n users per arm from the per-user variance', () => {
    const perUser = ratioMetricSummary(control).perUnitVariance;
    const size = meanSampleSize({ controlVariance: perUser, difference: 0.02, sides: 1 });
    // (norm.ppf(0.95) + norm.ppf(0.8))²·2σ²/Δ², scipy: 1.6448536269514722 + 0.8416212335729143.
    expectRelative(size.nPerArmExact, ((1.6448536269514722 + 0.8416212335729143) ** 2 * 2 * perUser) / 0.02 ** 2, 1e-12);
  });

  it('rejects an arm with fewer than two users or no requests', () => {
    expect(() => ratioMetricSummary(bivariateMomentsOfSamples([3], [1]), 'control')).toThrow(
      /control.count must be at least 2 users, got 1/,
    );
    expect(() => ratioMetricSummary(bivariateMomentsOfSamples([0, 0], [0, 0]), 'control')).toThrow(
      /mean denominator per user must be positive/,
    );
  });
});

describe('the delta method under per-user clustering (seeded simulation)', () => {
  // Users are randomised; each has 1 + Poisson(8) requests and its own error rate ~ Beta(2, 18) (mean 0.1),
  // so one user's requests are correlated. Over R replicates of n users, the delta-method variance must
  // match the replicate variance of Σy/Σx; the per-request binomial variance p(1 − p)/Σx must not.
  const replicates = 2000;
  const usersPerReplicate = 200;
  const random = streamFor('design-ratio-clustering', 0);
  const requests = poissonSampler(random, 8);
  const userRate = betaSampler(random, 2, 18);
  const ratios: number[] = [];
  let deltaVariance = 0;
  let binomialVariance = 0;
  for (let r = 0; r < replicates; r++) {
    const state = bivariateMomentsInit();
    for (let u = 0; u < usersPerReplicate; u++) {
      const x = 1 + requests();
      const rate = userRate();
      let y = 0;
      for (let k = 0; k < x; k++) if (random() < rate) y++;
      bivariateMomentsAdd(state, x, y);
    }
    const summary = ratioMetricSummary(state);
    ratios.push(summary.ratio);
    deltaVariance += summary.variance / replicates;
    const totalRequests = state.meanX * state.count;
    binomialVariance += (summary.ratio * (1 - summary.ratio)) / totalRequests / replicates;
  }
  const mean = ratios.reduce((sum, value) => sum + value, 0) / replicates;
  const empirical = ratios.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (replicates - 1);

  it('delta-method variance = replicate variance within Monte-Carlo error', () => {
    // The sample variance of R near-normal values has relative SE √(2/(R − 1)) ≈ 0.032; allow 4 SE.
    const relativeStandardError = Math.sqrt(2 / (replicates - 1));
    expect(Math.abs(deltaVariance / empirical - 1)).toBeLessThan(4 * relativeStandardError);
  });

  it('the per-request binomial variance is far too small (clustering ignored)', () => {
    // Var of a user's rate 2·18/(20²·21) ≈ 0.0043 inflates the variance by ≈ 1 + (9 − 1)·0.0043/0.09·… ≈ 1.4.
    expect(binomialVariance / empirical).toBeLessThan(0.85);
  });
});
