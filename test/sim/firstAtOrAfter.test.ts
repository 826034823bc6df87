import { describe, expect, it } from 'vitest';
import { firstAtOrAfter } from '../../src/sim/firstAtOrAfter.ts';

describe('firstAtOrAfter', () => {
  it('returns the lower bound: the first index whose time is at or after the one asked', () => {
    const times = [0, 60, 60, 120, 300];
    expect(firstAtOrAfter(times, -1)).toBe(0);
    expect(firstAtOrAfter(times, 0)).toBe(0);
    expect(firstAtOrAfter(times, 30)).toBe(1);
    expect(firstAtOrAfter(times, 60)).toBe(1);
    expect(firstAtOrAfter(times, 61)).toBe(3);
    expect(firstAtOrAfter(times, 300)).toBe(4);
    expect(firstAtOrAfter(times, 301)).toBe(5);
  });

  it('reads typed arrays and the empty array alike', () => {
    expect(firstAtOrAfter(new Float64Array([1.5, 2.5, 3.5]), 2.5)).toBe(1);
    expect(firstAtOrAfter([], 10)).toBe(0);
  });
});
