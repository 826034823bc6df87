import { describe, expect, it } from 'vitest';
import { homogeneityTest } from '../../../src/engine/stats/contingency.ts';
import { expectRelative } from '../../helpers/close.ts';

// Reference: scipy 1.10.1 (Debian), scipy.stats.chi2_contingency(table, correction=False), printed by
// scripts/reference/contingency.py (the table's rows are the two groups):
//   [[87, 263], [270, 80]] → 191.44229120219518, p 1.539983728314052e-43, dof 1
//   [[4369, 17395], [4063, 16252]] → 0.03633261047980542, p 0.8488302539757886, dof 1
//   [[10, 20, 30], [30, 20, 10]] → 20.0, p 4.539992976248486e-05, dof 2
describe('homogeneityTest (Pearson χ², 2 × k)', () => {
  it('matches scipy on the kidney-stone mix (treatment by stone size) and on a balanced A/B mix', () => {
    const kidney = homogeneityTest([87, 263], [270, 80]);
    expectRelative(kidney.chiSquare, 191.44229120219518, 1e-12);
    expectRelative(kidney.pValue, 1.539983728314052e-43, 1e-9);
    expect(kidney.degreesOfFreedom).toBe(1);
    const balanced = homogeneityTest([4369, 17395], [4063, 16252]);
    expectRelative(balanced.chiSquare, 0.03633261047980542, 1e-10);
    expectRelative(balanced.pValue, 0.8488302539757886, 1e-10);
  });

  it('matches scipy with three categories, and drops empty ones', () => {
    const three = homogeneityTest([10, 20, 30], [30, 20, 10]);
    expectRelative(three.chiSquare, 20, 1e-12);
    expectRelative(three.pValue, 4.539992976248486e-5, 1e-9);
    expect(three.degreesOfFreedom).toBe(2);
    expect(homogeneityTest([10, 0, 20, 30], [30, 0, 20, 10])).toEqual(three);
  });

  it('rejects what it cannot test, naming the problem', () => {
    expect(() => homogeneityTest([1, 2], [1])).toThrow('the two groups must have the same categories, got 2 and 1');
    expect(() => homogeneityTest([1, -2], [1, 2])).toThrow('group 1, category 2: count must be a finite number ≥ 0, got -2');
    expect(() => homogeneityTest([1, NaN], [1, 2])).toThrow('got NaN');
    expect(() => homogeneityTest([5, 0], [3, 0])).toThrow('at least two categories must have observations, got 1');
    expect(() => homogeneityTest([0, 0], [3, 4])).toThrow('each group must have at least one observation');
  });
});
