/**
 * Politis–White automatic block length against an independent NumPy implementation written from
 * the papers: test/fixtures/logs/synthetic-replay.json (`politisWhite`), from
 * scripts/reference/synthetic_logs.py (Debian python3, numpy 1.24). The series are deterministic
 * formulas (no random numbers), built here the same way.
 */
import { describe, expect, it } from 'vitest';
import { politisWhiteBlockLength } from '../../../src/sim/replay/politisWhite.ts';
import reference from '../../fixtures/logs/synthetic-replay.json';

function series(kind: string, n: number): number[] {
  const x: number[] = [];
  for (let i = 0; i < n; i++) {
    if (kind === 'ar1') x.push((i > 0 ? 0.7 * x[i - 1] : 0) + ((7919 * i * i + 13 * i) % 1009) / 1009 - 0.5);
    else x.push((i * 37) % 23);
  }
  return x;
}

describe('politisWhiteBlockLength', () => {
  for (const expected of reference.politisWhite) {
    it(`${expected.series} series of ${expected.n}: circular ${expected.circular.toFixed(3)}, stationary ${expected.stationary.toFixed(3)}`, () => {
      const lengths = politisWhiteBlockLength(series(expected.series, expected.n));
      expect(lengths.bandwidth).toBe(expected.bandwidth);
      expect(lengths.circular).toBeCloseTo(expected.circular, 9);
      expect(lengths.stationary).toBeCloseTo(expected.stationary, 9);
    });
  }

  it('a constant series has no dependence to keep: blocks of 1', () => {
    expect(politisWhiteBlockLength([3, 3, 3, 3, 3])).toEqual({ circular: 1, stationary: 1, bandwidth: 0 });
  });

  it('names the problem with a short or non-finite series', () => {
    expect(() => politisWhiteBlockLength([1, 2])).toThrow('series must hold at least 3 values for an automatic block length, got 2');
    expect(() => politisWhiteBlockLength([1, NaN, 2])).toThrow('series[1] must be a finite number, got NaN');
  });
});
