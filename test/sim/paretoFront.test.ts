import { describe, expect, it } from 'vitest';
import { dominates, paretoFront } from '../../src/sim/paretoFront.ts';

describe('paretoFront (all objectives minimised; hand-checked literals)', () => {
  it('keeps the non-dominated points, equal rows included', () => {
    const points = [
      [0.01, 0.2, 600], // 0: front (fewest false rollbacks)
      [0.05, 0.05, 300], // 1: front
      [0.05, 0.1, 300], // 2: dominated by 1
      [0.2, 0.0, 900], // 3: front (best detection)
      [0.05, 0.05, 300], // 4: equal to 1, kept
      [0.3, 0.3, Infinity], // 5: dominated by everything on the front
    ];
    expect(paretoFront(points)).toEqual([0, 1, 3, 4]);
    expect(paretoFront([])).toEqual([]);
    expect(paretoFront([[1, 2]])).toEqual([0]);
  });

  it('dominates needs ≤ everywhere and < somewhere', () => {
    expect(dominates([1, 2], [1, 3])).toBe(true);
    expect(dominates([1, 3], [1, 3])).toBe(false);
    expect(dominates([0, 4], [1, 3])).toBe(false);
    expect(dominates([1, 2], [1, Infinity])).toBe(true);
  });

  it('rejects ragged rows and NaN', () => {
    expect(() => paretoFront([[1, 2], [1]])).toThrow('objectives[1] must have 2 values like objectives[0], got 1');
    expect(() => paretoFront([[1, NaN]])).toThrow('objectives[0][1] must be a number or Infinity, got NaN');
  });
});
