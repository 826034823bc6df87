import { describe, expect, it } from 'vitest';
import {
  nonInferiorityHypothesis,
  nonInferiorityMeanTest,
  nonInferiorityProportionTest,
  nonInferioritySampleSize,
} from '../../../src/engine/stats/nonInferiority.ts';
import { expectRelative } from '../../helpers/close.ts';

// Reference: scripts/reference/design_noninferiority.py (statsmodels 0.13.5, scipy 1.10.1, /usr/bin/python3).
// statsmodels' arm 1 is the candidate, arm 2 the control; value = the difference under H0.

describe('nonInferiorityProportionTest against statsmodels test_proportions_2indep', () => {
  const successControl = { successes: 1620, total: 2000 };
  const successCandidate = { successes: 1580, total: 2000 };

  it("(1580, 2000, 1620, 2000, value=-0.05, method='wald', alternative='larger'): z 2.3724497515521312, p 0.0088352832498539", () => {
    const result = nonInferiorityProportionTest(successControl, successCandidate, { margin: 0.05 }, { method: 'wald' });
    expectRelative(result.z, 2.3724497515521312, 1e-13);
    expectRelative(result.pValue, 0.0088352832498539, 1e-11);
    expect(result.nonInferior).toBe(true);
    expect(result.nullDifference).toBe(-0.05);
  });

  it("(…, method='score', alternative='larger'): z 2.364563838096553, p 0.009025658006485733", () => {
    const result = nonInferiorityProportionTest(successControl, successCandidate, { margin: 0.05 });
    expect(result.method).toBe('score');
    expectRelative(result.z, 2.364563838096553, 1e-12);
    expectRelative(result.pValue, 0.009025658006485733, 1e-10);
  });

  const errorControl = { successes: 110, total: 4000 };
  const errorCandidate = { successes: 130, total: 5000 };
  const lower = { margin: 0.005, direction: 'lower-is-better' } as const;

  it("error rate (130, 5000, 110, 4000, value=0.005, method='wald', alternative='smaller'): z -1.8961853824608552, p 0.02896776769497348", () => {
    const result = nonInferiorityProportionTest(errorControl, errorCandidate, lower, { method: 'wald' });
    expectRelative(result.z, -1.8961853824608552, 1e-13);
    expectRelative(result.pValue, 0.02896776769497348, 1e-11);
    expect(result.alternative).toBe('less');
  });

  it("(…, method='score', alternative='smaller'): z -1.911481334396982, p 0.027971376629065556", () => {
    const result = nonInferiorityProportionTest(errorControl, errorCandidate, lower);
    expectRelative(result.z, -1.911481334396982, 1e-12);
    expectRelative(result.pValue, 0.027971376629065556, 1e-10);
  });

  it("relative margin 10 % of the control rate (value=0.1*110/4000, 'score'): p 0.10598594136586847, not shown at 0.05", () => {
    const result = nonInferiorityProportionTest(errorControl, errorCandidate, { ...lower, margin: 0.1, relative: true });
    expectRelative(result.absoluteMargin, 0.00275, 1e-14);
    expectRelative(result.pValue, 0.10598594136586847, 1e-10);
    expect(result.nonInferior).toBe(false);
  });
});

describe('nonInferiorityMeanTest against scipy ttest_ind_from_stats on the shifted mean', () => {
  it("latency: ttest_ind_from_stats(212 − 15, 40, 300, 205, 35, 320, equal_var=False, alternative='less') = (-2.643064013449679, 0.004216186908615166)", () => {
    const result = nonInferiorityMeanTest(
      { count: 320, mean: 205, variance: 35 ** 2 },
      { count: 300, mean: 212, variance: 40 ** 2 },
      { margin: 15, direction: 'lower-is-better' },
    );
    expectRelative(result.welch.t, -2.643064013449679, 1e-12);
    expectRelative(result.pValue, 0.004216186908615166, 1e-9);
    expect(result.welch.meanDifference).toBeCloseTo(7, 12);
    expect(result.welch.confidenceInterval[1]).toBeLessThan(15);
    expect(result.nonInferior).toBe(true);
  });
});

describe('nonInferioritySampleSize against statsmodels normal_sample_size_one_tail (Wald SD under both hypotheses)', () => {
  it('rate 0.8 vs 0.8, margin 0.02: normal_sample_size_one_tail(0.02, 0.8, 0.05, sd, sd) = 4946.045785615818', () => {
    const result = nonInferioritySampleSize({ metric: { kind: 'proportion', controlRate: 0.8 }, margin: 0.02 });
    expectRelative(result.nPerArmExact, 4946.045785615818, 1e-12);
    expect(result.nPerArm).toBe(4947);
  });

  it('rate 0.8 vs 0.81, ratio 2, α 0.025, power 0.9: normal_sample_size_one_tail(0.03, 0.9, 0.025, …) = 2766.370993787062', () => {
    const result = nonInferioritySampleSize({
      metric: { kind: 'proportion', controlRate: 0.8, candidateRate: 0.81 },
      margin: 0.02,
      alpha: 0.025,
      power: 0.9,
      ratio: 2,
    });
    expectRelative(result.nPerArmExact, 2766.370993787062, 1e-12);
  });

  it('mean, lower is better, relative margin 5 % of 200: ((norm.ppf(0.95) + norm.ppf(0.8))·√(40² + 40²)/10)² = 197.84183142463257', () => {
    const result = nonInferioritySampleSize({
      metric: { kind: 'mean', controlMean: 200, standardDeviation: 40 },
      margin: 0.05,
      relative: true,
      direction: 'lower-is-better',
    });
    expectRelative(result.nPerArmExact, 197.84183142463257, 1e-12);
    // CUPED with ρ = 0.7 multiplies it by 0.51.
    const cuped = nonInferioritySampleSize({
      metric: { kind: 'mean', controlMean: 200, standardDeviation: 40 },
      margin: 0.05,
      relative: true,
      direction: 'lower-is-better',
      cupedCorrelation: 0.7,
    });
    expectRelative(cuped.nPerArmExact, 0.51 * 197.84183142463257, 1e-12);
  });
});

describe('non-inferiority input checks', () => {
  it('names the field and the reason', () => {
    expect(() => nonInferiorityHypothesis({ margin: 0 }, 1)).toThrow(/margin must be a positive number, got 0/);
    expect(() => nonInferiorityHypothesis({ margin: 0.1, relative: true }, 0)).toThrow(/relative margin needs a non-zero control value/);
    expect(() => nonInferiorityHypothesis({ margin: 0.1, direction: 'up' as never }, 1)).toThrow(/direction must be/);
    expect(() => nonInferioritySampleSize({ metric: { kind: 'proportion', controlRate: 0.8, candidateRate: 0.7 }, margin: 0.05 })).toThrow(
      /already beyond the margin/,
    );
    expect(() => nonInferiorityProportionTest({ successes: 3, total: 2 }, { successes: 1, total: 2 }, { margin: 0.1 })).toThrow(
      /control.successes must be at most control.total/,
    );
  });
});
