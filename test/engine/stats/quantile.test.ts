import { describe, expect, it } from 'vitest';
import { quantile, quantileSorted, quantiles } from '../../../src/engine/stats/quantile.ts';
import fixture from '../../fixtures/continuous.json';

// Reference values: test/fixtures/continuous.json, written by scripts/reference/continuous.py with
// numpy 1.24.2 `np.quantile(values, probabilities)` (method='linear', R type 7).

describe('quantiles match numpy.quantile (linear, R type 7) to the last bit', () => {
  for (const c of fixture.quantiles) {
    it(`${c.label}: ${c.call}`, () => {
      expect(quantiles(c.values, c.probabilities)).toEqual(c.quantiles);
    });
  }
});

describe('quantile', () => {
  it('handles n = 1, ties, and the ends q = 0 and 1', () => {
    expect(quantile([42.5], 0)).toBe(42.5);
    expect(quantile([42.5], 0.37)).toBe(42.5);
    expect(quantile([42.5], 1)).toBe(42.5);
    expect(quantile([2, 2, 2, 2], 0.3)).toBe(2);
    expect(quantile([5, 1, 3], 0)).toBe(1);
    expect(quantile([5, 1, 3], 1)).toBe(5);
    // R: quantile(c(1, 3, 5, 7), 0.5, type = 7) = 4; quantile(c(1, 3, 5, 7), 0.1, type = 7) = 1.6
    expect(quantile([7, 1, 5, 3], 0.5)).toBe(4);
    expect(quantile([7, 1, 5, 3], 0.1)).toBeCloseTo(1.6, 14);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    quantile(values, 0.5);
    expect(values).toEqual([3, 1, 2]);
    expect(quantileSorted([1, 2, 3], 0.5)).toBe(2);
  });

  it('rejects empty input, NaN and probabilities outside [0, 1]', () => {
    expect(() => quantile([], 0.5)).toThrow(/at least one/);
    expect(() => quantile([1, NaN], 0.5)).toThrow(/only numbers/);
    expect(() => quantile([1], 1.5)).toThrow(/q must be between 0 and 1, got 1.5/);
    expect(() => quantiles([1], [0.5, -0.1])).toThrow(/probabilities\[1\]/);
  });
});
