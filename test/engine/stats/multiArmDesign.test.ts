import { describe, expect, it } from 'vitest';
import { multiArmDecision, multiArmSampleSize, optimalAllocation } from '../../../src/engine/stats/multiArmDesign.ts';
import { expectRelative } from '../../helpers/close.ts';

// Reference: scripts/reference/design_multi.py (statsmodels 0.13.5 NormalIndPower, scipy 1.10.1 optimize.minimize
// SLSQP on the allocation problem itself), /usr/bin/python3.

describe('optimalAllocation', () => {
  it('equal variances: the square-root rule n_c/n_t = √k', () => {
    const allocation = optimalAllocation(1, [1, 1, 1, 1]);
    expect(allocation.controlToCandidate).toEqual([2, 2, 2, 2]);
    expectRelative(allocation.control, 2 / 6, 1e-15);
    expectRelative(allocation.candidates[0], 1 / 6, 1e-15);
  });

  it('unequal variances (1; 1.5, 2, 4): the numerical optimum of scipy', () => {
    const allocation = optimalAllocation(1, [1.5, 2, 4]);
    // minimize_scalar(n_c + Σ v_i/(V − v_c/n_c), bounded, xatol=1e-10) shares
    // = [0.2674788903021697, 0.14650422193956605, 0.19533896258608807, 0.39067792517217614];
    // SLSQP on the 4-dimensional problem agrees to 3e-7 ([0.2674789681737598, 0.14650420636524805, …]).
    expectRelative(allocation.control, 0.2674788903021697, 1e-9);
    expectRelative(allocation.candidates[0], 0.14650422193956605, 1e-9);
    expectRelative(allocation.candidates[1], 0.19533896258608807, 1e-9);
    expectRelative(allocation.candidates[2], 0.39067792517217614, 1e-9);
  });
});

describe('multiArmSampleSize', () => {
  it("k = 3, d = 0.1: NormalIndPower().solve_power(effect_size=0.1, alpha=0.05/3, power=0.8, ratio=1/√3, 'two-sided') = 2860.215090733092", () => {
    const result = multiArmSampleSize({ candidates: 3, controlVariance: 1, difference: 0.1 });
    expectRelative(result.comparisonAlpha, 0.05 / 3, 1e-15);
    // statsmodels' solve_power stops its root search near 1e-6 relative.
    expect(result.nControl).toBe(2861);
    // ratio 1/√3: each candidate 2860.215090733092/√3 = 1651.34 → 1652.
    expect(result.nCandidates).toEqual([1652, 1652, 1652]);
  });

  it('unequal variances, one-sided: scipy optimum n = [824.263, 451.467, 601.957, 1203.913] with V = 0.004535703334926143', () => {
    const result = multiArmSampleSize({ controlVariance: 1, candidateVariances: [1.5, 2, 4], difference: 0.2, sides: 1 });
    // minimize_scalar: [824.2630768043391, 451.4674806834763, 601.9566409113017, 1203.9132818226035]
    expect(result.nControl).toBe(825);
    expect(result.nCandidates).toEqual([452, 602, 1204]);
  });

  it('the optimal allocation needs fewer units than equal arms', () => {
    const optimal = multiArmSampleSize({ candidates: 3, controlVariance: 1, difference: 0.1 });
    const equal = multiArmSampleSize({ candidates: 3, controlVariance: 1, difference: 0.1, allocation: 'equal' });
    expect(optimal.nTotal).toBeLessThan(equal.nTotal);
    // Equal arms: every comparison's n from the same formula, 2(z_{1−α/6} + z_{0.8})²/d² rounded up.
    expect(equal.nControl).toBe(equal.nCandidates[0]);
  });

  it('names bad input', () => {
    expect(() => multiArmSampleSize({ candidates: 0, controlVariance: 1, difference: 0.1 })).toThrow(
      /candidates must be a positive integer, got 0/,
    );
    expect(() => multiArmSampleSize({ candidates: 2, controlVariance: 1, candidateVariances: [1], difference: 0.1 })).toThrow(
      /candidates \(2\) must equal the length of candidateVariances \(1\)/,
    );
    expect(() => optimalAllocation(1, [1, -2])).toThrow(/candidateVariances\[1\] must be a positive number, got -2/);
  });
});

describe('multiArmDecision', () => {
  it('Bonferroni: only comparisons with k·p < α count; the winner has the largest estimate among them', () => {
    const decision = multiArmDecision([
      { name: 'b', estimate: 0.02, pValue: 0.01 },
      { name: 'c', estimate: 0.05, pValue: 0.02 },
      { name: 'd', estimate: 0.01, pValue: 0.001 },
    ]);
    // adjusted: 0.03, 0.06, 0.003 → b and d better; c not.
    expect(decision.comparisons.map((row) => row.adjustedPValue)).toEqual([0.03, 0.06, 0.003]);
    expect(decision.comparisons.map((row) => row.better)).toEqual([true, false, true]);
    expect(decision.winner).toBe('b');
  });

  it('no winner when no candidate is significantly better; a worse one is flagged', () => {
    const decision = multiArmDecision([
      { name: 'b', estimate: -0.03, pValue: 0.001 },
      { name: 'c', estimate: 0.05, pValue: 0.2 },
    ]);
    expect(decision.winner).toBeNull();
    expect(decision.comparisons[0].worse).toBe(true);
  });
});
