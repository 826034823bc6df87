import { describe, expect, it } from 'vitest';
import { mannWhitneyU } from '../../../src/engine/stats/mannWhitney.ts';
import type { Alternative } from '../../../src/engine/stats/welch.ts';
import fixture from '../../fixtures/continuous.json';

// Reference values: test/fixtures/continuous.json, written by scripts/reference/continuous.py with
// scipy 1.10.1 `stats.mannwhitneyu(x, y, use_continuity=True, alternative=…, method='asymptotic')`
// (the exact call is in each case's "call"). scipy returns no z; for one-sided cases the fixture
// derives it from scipy's p-value (norm.isf / norm.ppf, see "zCall").

function expectRelative(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected) + 1e-15);
}

describe('mannWhitneyU matches scipy mannwhitneyu(method="asymptotic", use_continuity=True)', () => {
  for (const c of fixture.mannWhitney) {
    it(`${c.label}, ${c.alternative}`, () => {
      const result = mannWhitneyU(c.x, c.y, c.alternative as Alternative);
      expect(result.u).toBe(c.u); // U of x, exact (sums of half-integers)
      expectRelative(result.pValue, c.pValue, 1e-12);
      if ('z' in c && typeof c.z === 'number') expectRelative(result.z, c.z, 1e-9); // c.zCall
    });
  }
});

describe('mannWhitneyU', () => {
  it('reports a two-sided z whose sign says which sample tends to be larger', () => {
    const slower = mannWhitneyU([10, 11, 12, 13], [1, 2, 3]);
    const faster = mannWhitneyU([1, 2, 3], [10, 11, 12, 13]);
    expect(slower.z).toBeGreaterThan(0);
    expect(faster.z).toBeCloseTo(-slower.z, 14);
    expect(faster.pValue).toBeCloseTo(slower.pValue, 14);
    // U of the first sample: every x beats every y, so U = 4·3 = 12, and 0 the other way round.
    expect(slower.u).toBe(12);
    expect(faster.u).toBe(0);
  });

  it('gives p = 1 and z = 0 when every value is tied (scipy: NaN)', () => {
    expect(mannWhitneyU([5, 5, 5], [5, 5])).toEqual({ u: 3, z: 0, pValue: 1 });
  });

  // Its speed (200,000 per arm against a plain sort of the same values) is measured by `npm run bench`.
  it('handles 200,000 heavily tied values per arm', () => {
    let state = 1;
    const next = () => (state = (state * 16807) % 2147483647) / 2147483647;
    const x = Float64Array.from({ length: 200_000 }, () => Math.round(next() * 1000));
    const y = Float64Array.from({ length: 200_000 }, () => Math.round(next() * 1000));
    const result = mannWhitneyU(x, y);
    // Same law for both arms: U should sit within a few standard errors of n²/2.
    const sd = Math.sqrt((200_000 * 200_000 * 400_001) / 12);
    expect(Math.abs(result.u - 2e10)).toBeLessThan(5 * sd);
  });

  it('rejects empty samples, NaN and unknown alternatives', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(/x must contain/);
    expect(() => mannWhitneyU([1], [])).toThrow(/y must contain/);
    expect(() => mannWhitneyU([1, NaN], [2])).toThrow(/x must contain only numbers/);
    expect(() => mannWhitneyU([1], [2], 'up' as Alternative)).toThrow(/alternative/);
  });
});
