import { describe, expect, it } from 'vitest';
import type { Alternative } from '../../../src/engine/stats/welch.ts';
import {
  momentsAdd,
  momentsFromSums,
  momentsInit,
  momentsMerge,
  momentsOfSamples,
  momentsValue,
  studentTQuantile,
  welchTTest,
  welchTTestFromSamples,
} from '../../../src/engine/stats/welch.ts';
import fixture from '../../fixtures/continuous.json';

// Reference values: test/fixtures/continuous.json, written by scripts/reference/continuous.py
// (scipy 1.10.1, statsmodels 0.13.5, numpy 1.24.2 from Debian's /usr/bin/python3). Each case
// carries the exact call that produced it in its "call" fields.

/** Fixture numbers: ±Infinity are stored as strings to keep the JSON strict. */
function num(value: number | string): number {
  return typeof value === 'string' ? Number(value) : value;
}

/** |actual − expected| ≤ tolerance·|expected| (+ 1e-15 absolute, for values that are 0 up to rounding). */
function expectRelative(actual: number, expected: number, tolerance: number): void {
  if (!Number.isFinite(expected)) {
    expect(actual).toBe(expected);
    return;
  }
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected) + 1e-15);
}

// Quantile and interval tolerance 1e-8: bounded by the REFERENCE, not by us. scipy 1.10's t.ppf is
// itself only good to ~1e-8: scipy's own t.cdf(t.ppf(1e-6, 6.5), 6.5) = 9.99999993807812e-07, not
// 1e-6, while our studentTCdf agrees with scipy's t.cdf to 1e-15 at that point (see
// distributions.test.ts for the CDF's accuracy).
const DISTRIBUTION_TOLERANCE = 1e-8;

describe('moments reducer (Welford, Chan et al. merge)', () => {
  it('matches the two-pass mean and variance', () => {
    const values = [2, 4, 4, 4, 5, 5, 7, 9];
    const state = momentsInit();
    for (const x of values) momentsAdd(state, x);
    // Hand computation: mean 5, Σ(x−5)² = 32, variance 32/7.
    expect(momentsValue(state)).toEqual({ count: 8, mean: 5, variance: 32 / 7 });
  });

  it('merging partial states equals one pass over all values, in any split', () => {
    const values = Array.from({ length: 1000 }, (_, i) => 1e6 + Math.sin(i) * 3 + (i % 7));
    const whole = momentsOfSamples(values);
    for (const cut of [0, 1, 333, 999, 1000]) {
      const left = momentsInit();
      const right = momentsInit();
      values.slice(0, cut).forEach((x) => momentsAdd(left, x));
      values.slice(cut).forEach((x) => momentsAdd(right, x));
      const merged = momentsValue(momentsMerge(left, right));
      expect(merged.count).toBe(1000);
      expectRelative(merged.mean, whole.mean, 1e-14);
      expectRelative(merged.variance, whole.variance, 1e-9);
    }
  });

  it('stays accurate with a huge offset, where Σx² would cancel (R 4.2: var(c(1e9+1, 1e9+2, 1e9+3, 1e9+4)) = 1.6666666666666667)', () => {
    const state = momentsInit();
    for (const x of [1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4]) momentsAdd(state, x);
    expect(momentsValue(state).variance).toBeCloseTo(5 / 3, 12);
  });

  it('reports undefined variance as NaN for fewer than two values', () => {
    expect(momentsValue(momentsInit())).toEqual({ count: 0, mean: NaN, variance: NaN });
    expect(momentsValue(momentsAdd(momentsInit(), 3))).toEqual({ count: 1, mean: 3, variance: NaN });
  });
});

describe('momentsFromSums', () => {
  it('recovers the variance exactly where the naive formula cancels', () => {
    // x = {6e7, 6e7 + 1}: variance 0.5 exactly; Σx² = 7200000120000001 is exact in doubles but
    // (Σx)² = 14400000240000001 is not, so the naive (Σx² − (Σx)²/n)/(n − 1) gives 0 or 1.
    const sums = { count: 2, sum: 120000001, sumOfSquares: 7200000120000001 };
    const naive = (sums.sumOfSquares - (sums.sum * sums.sum) / sums.count) / (sums.count - 1);
    expect(naive).not.toBe(0.5);
    expect(momentsFromSums(sums)).toEqual({ count: 2, mean: 60000000.5, variance: 0.5 });
  });

  it('agrees with the moments of ordinary data', () => {
    const values = [0.12, 0.5, 0.33, 0.91, 0.27];
    const sum = values.reduce((s, x) => s + x, 0);
    const sumOfSquares = values.reduce((s, x) => s + x * x, 0);
    const fromSums = momentsFromSums({ count: 5, sum, sumOfSquares });
    const direct = momentsOfSamples(values);
    expectRelative(fromSums.variance, direct.variance, 1e-13);
    expectRelative(fromSums.mean, direct.mean, 1e-15);
  });

  it('feeds welchTTest with the same result as the raw samples', () => {
    const x = [12.1, 15.3, 11.8, 14.0, 13.2, 16.9];
    const y = [10.2, 9.8, 12.5, 11.1, 10.7];
    const sums = (v: number[]) => ({
      count: v.length,
      sum: v.reduce((s, a) => s + a, 0),
      sumOfSquares: v.reduce((s, a) => s + a * a, 0),
    });
    const fromSums = welchTTest(momentsFromSums(sums(x)), momentsFromSums(sums(y)), 'greater');
    const fromSamples = welchTTestFromSamples(x, y, 'greater');
    expectRelative(fromSums.t, fromSamples.t, 1e-12);
    expectRelative(fromSums.pValue, fromSamples.pValue, 1e-11);
  });

  it('rejects inconsistent sums', () => {
    expect(() => momentsFromSums({ count: 3, sum: 30, sumOfSquares: 10 })).toThrow(/sumOfSquares/);
    expect(() => momentsFromSums({ count: 0, sum: 0, sumOfSquares: 0 })).toThrow(/count/);
  });
});

describe('Student t quantile', () => {
  for (const c of fixture.studentTQuantiles) {
    it(`${c.call} = ${c.value}`, () => {
      expectRelative(studentTQuantile(c.p, c.df), num(c.value), DISTRIBUTION_TOLERANCE);
    });
  }
});

describe('Welch t-test from samples matches scipy ttest_ind(equal_var=False) and statsmodels', () => {
  for (const c of fixture.welchSamples) {
    it(`${c.label}, ${c.alternative}`, () => {
      const result = welchTTestFromSamples(c.x, c.y, c.alternative as Alternative);
      expectRelative(result.t, c.t, 1e-12); // c.call
      expectRelative(result.pValue, c.pValue, DISTRIBUTION_TOLERANCE); // c.call
      expectRelative(result.degreesOfFreedom, c.degreesOfFreedom, 1e-12); // c.dfCall
      expectRelative(result.meanDifference, c.meanDifference, 1e-12); // c.meanDifferenceCall
      // c.ciCall; bounds near 0 are compared relative to the interval's margin, not to themselves.
      for (const side of [0, 1]) {
        const expected = num(c.confidenceInterval[side]);
        if (!Number.isFinite(expected)) {
          expect(result.confidenceInterval[side]).toBe(expected);
          continue;
        }
        const scale = Math.abs(expected) + Math.abs(expected - c.meanDifference);
        expect(Math.abs(result.confidenceInterval[side] - expected)).toBeLessThanOrEqual(DISTRIBUTION_TOLERANCE * scale);
      }
    });
  }
});

describe('Welch t-test from summaries matches scipy ttest_ind_from_stats(equal_var=False)', () => {
  for (const c of fixture.welchSummaries) {
    it(c.call, () => {
      const result = welchTTest(c.a, c.b, { alternative: c.alternative as Alternative });
      expectRelative(result.t, c.t, 1e-12);
      expectRelative(result.pValue, c.pValue, DISTRIBUTION_TOLERANCE);
    });
  }

  it('takes the alternative as a bare string and a confidence level', () => {
    const a = { count: 1000, mean: 100, variance: 225 };
    const b = { count: 800, mean: 102, variance: 625 };
    const ninety = welchTTest(a, b, { confidenceLevel: 0.9 });
    const ninetyFive = welchTTest(a, b, 'two-sided');
    expect(ninety.pValue).toBe(ninetyFive.pValue);
    expect(ninety.confidenceInterval[1] - ninety.confidenceInterval[0]).toBeLessThan(
      ninetyFive.confidenceInterval[1] - ninetyFive.confidenceInterval[0],
    );
  });

  it('rejects summaries it cannot test, naming the field', () => {
    const ok = { count: 10, mean: 1, variance: 1 };
    expect(() => welchTTest({ count: 1, mean: 1, variance: 1 }, ok)).toThrow(/a\.count/);
    expect(() => welchTTest(ok, { count: 10, mean: 1, variance: NaN })).toThrow(/b\.variance/);
    expect(() => welchTTest(ok, { count: 10, mean: Infinity, variance: 1 })).toThrow(/b\.mean/);
    expect(() => welchTTest({ ...ok, variance: 0 }, { ...ok, variance: 0 })).toThrow(/zero variance/);
    expect(() => welchTTest(ok, ok, { alternative: 'bigger' as Alternative })).toThrow(/alternative/);
    expect(() => welchTTest(ok, ok, { confidenceLevel: 1.5 })).toThrow(/confidenceLevel/);
    expect(() => welchTTestFromSamples([1], [1, 2])).toThrow(/a must have at least 2/);
    expect(() => welchTTestFromSamples([1, NaN], [1, 2])).toThrow(/finite/);
  });
});
