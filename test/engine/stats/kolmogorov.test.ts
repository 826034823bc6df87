import { describe, expect, it } from 'vitest';
import { normalCdf } from '../../../src/engine/stats/distributions.ts';
import {
  kolmogorovLimitSf,
  kolmogorovSmirnovSf,
  oneSampleKsTest,
  smirnovSf,
  twoSampleKsTest,
} from '../../../src/engine/stats/kolmogorov.ts';
import fixture from '../../fixtures/analysis.json';

// Every expected value: scipy 1.10.1 (Debian python3-scipy), computed by
// scripts/reference/analysis.py into test/fixtures/analysis.json; each entry carries its call.

function close(actual: number, expected: number, relative: number, absolute = 0, label = ''): void {
  const error = Math.abs(actual - expected);
  expect(error, `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(Math.max(relative * Math.abs(expected), absolute));
}

describe('Kolmogorov distributions', () => {
  it('kolmogorovSmirnovSf matches scipy kstwo.sf across every branch', () => {
    for (const { call, value } of fixture.kstwoSf) {
      // Observed agreement ≤ 6e-13 relative (the Durbin-matrix branch replaces scipy's Pomeranz
      // recursion for n ≤ 140, 0.75 < n·d² ≤ 4; both exact up to rounding).
      close(kolmogorovSmirnovSf(call.n, call.d), value, 2e-12, 1e-15, call.call);
    }
  });

  it('smirnovSf matches scipy ksone.sf', () => {
    for (const { call, value } of fixture.ksoneSf) close(smirnovSf(call.n, call.d), value, 1e-12, 0, call.call);
  });

  it('kolmogorovLimitSf matches scipy kstwobign.sf on both series', () => {
    for (const { call, value } of fixture.kstwobignSf) close(kolmogorovLimitSf(call.z), value, 1e-12, 0, call.call);
  });

  it('handles the ends and rejects bad input', () => {
    expect(kolmogorovSmirnovSf(10, 0)).toBe(1);
    expect(kolmogorovSmirnovSf(10, 1)).toBe(0);
    expect(kolmogorovSmirnovSf(10, 0.05)).toBe(1); // n·d ≤ 1/2: D_n ≥ 1/(2n) always
    expect(kolmogorovLimitSf(0)).toBe(1);
    expect(() => kolmogorovSmirnovSf(0, 0.1)).toThrow('n must be a whole number of at least 1, got 0');
    expect(() => smirnovSf(10, NaN)).toThrow(/statistic/);
  });
});

describe('oneSampleKsTest', () => {
  const sample = fixture.ksSampleNormal40;
  it('matches scipy ks_1samp against the standard normal, exact and asymptotic', () => {
    for (const { call, value } of fixture.ks1samp) {
      const result = oneSampleKsTest(sample, normalCdf, call.method as 'exact' | 'asymp');
      close(result.statistic, value.statistic, 1e-12, 0, call.call);
      close(result.pValue, value.pValue, 1e-10, 0, call.call);
    }
  });

  it('rejects an empty sample and a bad cdf', () => {
    expect(() => oneSampleKsTest([], normalCdf)).toThrow('sample must not be empty');
    expect(() => oneSampleKsTest([1], () => 2)).toThrow(/cdf must return a probability/);
  });
});

describe('twoSampleKsTest', () => {
  it('matches scipy ks_2samp (two-sided), exact and asymptotic, with ties and unequal sizes', () => {
    expect(fixture.ks2samp.length).toBe(10);
    for (const { call, value } of fixture.ks2samp) {
      const samples = (fixture.ksTwoSamples as Record<string, { reference: number[]; current: number[] }>)[call.samples];
      const result = twoSampleKsTest(samples.reference, samples.current, { method: call.method as 'exact' | 'asymp' });
      close(result.statistic, value.statistic, 1e-12, 0, call.call);
      // Observed agreement ≤ 1e-13 relative; exact p-values for unequal sizes are 1 − P(inside)
      // in both implementations, so tiny p-values can only be trusted to ~1e-15 absolute.
      close(result.pValue, value.pValue, 1e-12, 1e-15, call.call);
      expect(result.method).toBe(call.method);
    }
  });

  it("picks 'exact' under 'auto' for samples up to 10 000 and is symmetric in its arguments", () => {
    const { reference, current } = fixture.ksTwoSamples.unequal40x25;
    const forward = twoSampleKsTest(reference, current);
    const backward = twoSampleKsTest(current, reference);
    expect(forward.method).toBe('exact');
    expect(backward.pValue).toBeCloseTo(forward.pValue, 14);
    expect(twoSampleKsTest([1, 2, 3], [1, 2, 3])).toEqual({ statistic: 0, pValue: 1, method: 'exact' });
  });

  it('rejects empty or non-finite samples', () => {
    expect(() => twoSampleKsTest([], [1])).toThrow('reference must not be empty');
    expect(() => twoSampleKsTest([1], [NaN])).toThrow('current must hold finite numbers, got NaN');
    expect(() => twoSampleKsTest([1], [2], { method: 'fast' as never })).toThrow(/method must be/);
  });
});
