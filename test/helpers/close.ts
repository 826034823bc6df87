import { expect } from 'vitest';

/** Asserts |actual − expected| ≤ tolerance·|expected| (relative error), with a readable message. */
export function expectRelative(actual: number, expected: number, tolerance: number): void {
  const error = Math.abs(actual - expected) / Math.abs(expected);
  expect(error, `${actual} vs ${expected}: relative error ${error.toExponential(2)} > ${tolerance}`).toBeLessThanOrEqual(tolerance);
}
