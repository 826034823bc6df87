import { describe, expect, it } from 'vitest';
import { DEFAULT_SRM_THRESHOLD, sampleRatioMismatch } from '../../../src/engine/stats/sampleRatioMismatch.ts';
import fixture from '../../fixtures/continuous.json';

// Reference values: test/fixtures/continuous.json, written by scripts/reference/continuous.py with
// scipy 1.10.1 `stats.chisquare(counts, f_exp=sum(counts)·w/Σw)` (exact call in each "call").

function expectRelative(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected) + 1e-15);
}

describe('sampleRatioMismatch matches scipy chisquare', () => {
  for (const c of fixture.sampleRatioMismatch) {
    it(c.call, () => {
      const result = sampleRatioMismatch(c.counts, { weights: c.weights });
      expectRelative(result.chiSquare, c.chiSquare, 1e-12);
      // chiSquareSf: upper incomplete gamma by series/continued fraction, ~1e-12 relative vs scipy.
      expectRelative(result.pValue, c.pValue, 1e-11);
      result.expected.forEach((e, i) => expectRelative(e, c.expected[i], 1e-14));
      expect(result.degreesOfFreedom).toBe(c.degreesOfFreedom);
      expect(result.mismatch).toBe(c.pValue < DEFAULT_SRM_THRESHOLD);
    });
  }
});

describe('sampleRatioMismatch', () => {
  it('defaults to an equal split and a 0.001 threshold', () => {
    // scipy chisquare([50500, 49500]) → statistic 10.0, p 0.001565402258002549 (fixture case 1).
    const result = sampleRatioMismatch([50500, 49500]);
    expect(result.expected).toEqual([50000, 50000]);
    expect(result.chiSquare).toBe(10);
    expect(result.threshold).toBe(0.001);
    expect(result.mismatch).toBe(false);
    expect(sampleRatioMismatch([50500, 49500], { threshold: 0.01 }).mismatch).toBe(true);
  });

  it('normalises weights of any scale', () => {
    const a = sampleRatioMismatch([2020, 2950, 5030], { weights: [0.2, 0.3, 0.5] });
    const b = sampleRatioMismatch([2020, 2950, 5030], { weights: [20, 30, 50] });
    expect(b.chiSquare).toBeCloseTo(a.chiSquare, 12);
    expect(b.expected).toEqual([2000, 3000, 5000]);
  });

  it('flags the Fabijan et al. style 50/50 mismatch on 1.6 M users', () => {
    // scipy chisquare([821588, 815482]) → p = 1.8217928726191858e-06 (fixture).
    expect(sampleRatioMismatch([821588, 815482]).mismatch).toBe(true);
  });

  it('rejects bad input with the field named', () => {
    expect(() => sampleRatioMismatch([10])).toThrow(/at least 2 arms/);
    expect(() => sampleRatioMismatch([10, -1])).toThrow(/counts\[1\] must be a non-negative integer/);
    expect(() => sampleRatioMismatch([10, 2.5])).toThrow(/counts\[1\]/);
    expect(() => sampleRatioMismatch([0, 0])).toThrow(/all be zero/);
    expect(() => sampleRatioMismatch([10, 20], { weights: [1] })).toThrow(/one entry per arm/);
    expect(() => sampleRatioMismatch([10, 20], { weights: [1, 0] })).toThrow(/weights\[1\]/);
    expect(() => sampleRatioMismatch([10, 20], { weights: [1, NaN] })).toThrow(/weights\[1\]/);
    expect(() => sampleRatioMismatch([10, 20], { threshold: 0 })).toThrow(/threshold/);
  });
});
