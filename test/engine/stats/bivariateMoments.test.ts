import { describe, expect, it } from 'vitest';
import {
  bivariateMomentsAdd,
  bivariateMomentsFromSums,
  bivariateMomentsInit,
  bivariateMomentsMerge,
  bivariateMomentsOfSamples,
  bivariateMomentsValue,
  swappedSums,
} from '../../../src/engine/stats/bivariateMoments.ts';
import { expectRelative } from '../../helpers/close.ts';
import { ratioData } from './designData.ts';

// Reference: scripts/reference/design_ratio_cuped.py, np.cov(control requests, control errors, ddof=1)
// = [[9.742857142857142, 1.8], [1.8, 1.6380952380952385]] and np.corrcoef(…)[0, 1] on the data in designData.ts.

describe('bivariateMoments', () => {
  const { controlRequests: x, controlErrors: y } = ratioData;

  it('matches np.cov(x, y, ddof=1) and the means', () => {
    const value = bivariateMomentsValue(bivariateMomentsOfSamples(x, y));
    expect(value.count).toBe(15);
    expectRelative(value.meanX, 147 / 15, 1e-15);
    expectRelative(value.meanY, 16 / 15, 1e-15);
    expectRelative(value.varianceX, 9.742857142857142, 1e-14);
    expectRelative(value.varianceY, 1.6380952380952385, 1e-14);
    expectRelative(value.covariance, 1.8, 1e-14);
    // np.corrcoef(control x, y)[0, 1] = 0.45056739786377314: the ρ CUPED's sizer takes, estimated from a log.
    expectRelative(value.correlation, 0.45056739786377314, 1e-14);
  });

  it('merging partial states equals adding everything to one state', () => {
    const whole = bivariateMomentsOfSamples(x, y);
    const left = bivariateMomentsOfSamples(x.slice(0, 6), y.slice(0, 6));
    const right = bivariateMomentsOfSamples(x.slice(6), y.slice(6));
    const merged = bivariateMomentsMerge(left, right);
    for (const key of ['meanX', 'meanY', 'm2X', 'm2Y', 'coMoment'] as const) expectRelative(merged[key], whole[key], 1e-13);
    expect(bivariateMomentsMerge(bivariateMomentsInit(), whole)).toEqual(whole);
  });

  it('running sums give the same state', () => {
    const sums = { count: 15, sumX: 0, sumY: 0, sumXSquares: 0, sumYSquares: 0, sumXY: 0 };
    x.forEach((value, i) => {
      sums.sumX += value;
      sums.sumY += y[i];
      sums.sumXSquares += value * value;
      sums.sumYSquares += y[i] * y[i];
      sums.sumXY += value * y[i];
    });
    const fromSums = bivariateMomentsValue(bivariateMomentsFromSums(sums));
    expectRelative(fromSums.covariance, 1.8, 1e-13);
    expectRelative(fromSums.varianceX, 9.742857142857142, 1e-13);
    // Read the other way round (a store's x = metric, y = denominator): the same np.cov with the axes exchanged.
    const exchanged = bivariateMomentsValue(bivariateMomentsFromSums(swappedSums(sums)));
    const expected = {
      count: 15,
      meanX: 16 / 15,
      meanY: 147 / 15,
      varianceX: 1.6380952380952385,
      varianceY: 9.742857142857142,
      covariance: 1.8,
    };
    for (const [key, value] of Object.entries(expected)) expectRelative(exchanged[key as keyof typeof expected], value, 1e-13);
  });

  it('is stable for large offsets (Welford), where Σx² would lose everything', () => {
    const state = bivariateMomentsInit();
    for (let i = 0; i < 1000; i++) bivariateMomentsAdd(state, 1e9 + (i % 2), 1e9 + (i % 2));
    const value = bivariateMomentsValue(state);
    // Alternating 0/1 offsets: variance = covariance = 1000·0.25/999.
    expectRelative(value.varianceX, 250 / 999, 1e-9);
    expectRelative(value.covariance, 250 / 999, 1e-9);
  });

  it('rejects bad input naming the field', () => {
    expect(() => bivariateMomentsOfSamples([1, 2], [1])).toThrow(/x and y must have the same length, got 2 and 1/);
    expect(() => bivariateMomentsOfSamples([1, Number.NaN], [1, 2])).toThrow(/x\[1\] must be a finite number/);
    expect(() => bivariateMomentsFromSums({ count: 2, sumX: 4, sumY: 0, sumXSquares: 1, sumYSquares: 0, sumXY: 0 })).toThrow(
      /sumXSquares is smaller than its sum²\/count/,
    );
    expect(() => bivariateMomentsFromSums({ count: 0, sumX: 0, sumY: 0, sumXSquares: 0, sumYSquares: 0, sumXY: 0 })).toThrow(
      /count must be a positive integer, got 0/,
    );
  });
});
