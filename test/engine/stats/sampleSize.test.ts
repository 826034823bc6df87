import { describe, expect, it } from 'vitest';
import type { SampleSizeMethod, TestSides } from '../../../src/engine/stats/sampleSize.ts';
import { minimumDetectableEffect, powerForSampleSize, requiredSampleSize } from '../../../src/engine/stats/sampleSize.ts';
import fixture from '../../fixtures/proportions.json';
import { expectRelative } from '../../helpers/close.ts';

// Expected values: test/fixtures/proportions.json, written by scripts/reference/proportions.py. Each row
// holds the exact reference call (shown as the test name):
//   arcsine — statsmodels 0.13.5 NormalIndPower().solve_power / .power with proportion_effectsize(target, baseline),
//             and R pwr 1.3.0 pwr.2p2n.test for unequal arms;
//   pooled  — R 4.2.2 power.prop.test(…, tol = 1e-12) for equal arms, statsmodels 0.13.5
//             samplesize_proportions_2indep_onetail / power_proportions_2indep (one tail) for ratio ≠ 1.

interface SizeRow {
  baseline: number;
  target: number;
  alpha: number;
  power: number;
  ratio: number;
  sides: number;
  call: string;
  nPerArmExact: number;
  nPerArm: number;
  nSecondArm: number;
}
interface PowerRow {
  baseline: number;
  target: number;
  nPerArm: number;
  alpha: number;
  ratio: number;
  sides: number;
  call: string;
  power: number;
}

function checkSizes(method: SampleSizeMethod, rows: SizeRow[], tolerance: number): void {
  for (const row of rows) {
    it(row.call, () => {
      const result = requiredSampleSize({
        baseline: row.baseline,
        target: row.target,
        alpha: row.alpha,
        power: row.power,
        ratio: row.ratio,
        sides: row.sides as TestSides,
        method,
      });
      expect(result.method).toBe(method);
      expectRelative(result.nPerArmExact, row.nPerArmExact, tolerance);
      expect(result.nPerArm).toBe(row.nPerArm);
      expect(result.nSecondArm).toBe(row.nSecondArm);
      expect(result.nTotal).toBe(row.nPerArm + row.nSecondArm);
      // The exact n gives exactly the requested power back.
      const back = powerForSampleSize({ ...row, sides: row.sides as TestSides, method, nPerArm: result.nPerArmExact });
      expect(back.power).toBeCloseTo(row.power, 10);
    });
  }
}

function checkPowers(method: SampleSizeMethod, rows: PowerRow[], tolerance: number): void {
  for (const row of rows) {
    it(row.call, () => {
      const result = powerForSampleSize({ ...row, sides: row.sides as TestSides, method });
      expect(result.method).toBe(method);
      expectRelative(result.power, row.power, tolerance);
    });
  }
}

describe('arcsine method (statsmodels NormalIndPower with Cohen’s h)', () => {
  // statsmodels' solve_power stops its root search early (power residual ~1e-9, n off by up to ~1e-8
  // relative): we match it to 1e-7 in n with the same rounded n, and match the same statsmodels power
  // function solved by scipy brentq (xtol 1e-13, the row's tightCall) to 1e-10.
  checkSizes('arcsine', fixture.arcsineSampleSize, 1e-7);
  for (const row of fixture.arcsineSampleSize) {
    it(row.tightCall, () => {
      const result = requiredSampleSize({ ...row, sides: row.sides as TestSides, method: 'arcsine' });
      expectRelative(result.nPerArmExact, row.nPerArmTight, 1e-10);
      // At statsmodels' own (rounded-up) n the power is at least the requested one, as is ours.
      const atCeiling = powerForSampleSize({ ...row, sides: row.sides as TestSides, method: 'arcsine', nPerArm: row.nPerArm });
      expect(atCeiling.power).toBeGreaterThanOrEqual(row.power);
      const atStatsmodels = powerForSampleSize({ ...row, sides: row.sides as TestSides, method: 'arcsine', nPerArm: row.nPerArmExact });
      expect(Math.abs(atStatsmodels.power - row.power)).toBeLessThanOrEqual(1e-6);
    });
  }
  checkPowers('arcsine', fixture.arcsinePower, 1e-12);
  checkPowers('arcsine', fixture.arcsinePowerPwr, 1e-12);

  it('counts both tails of a two-sided test (statsmodels), unlike the one-tail pooled formula', () => {
    // NormalIndPower().power(proportion_effectsize(0.51, 0.5), nobs1=100, alpha=0.05) in the fixture is
    // 0.05229…, whereas the near tail alone is 0.034491338684156145
    // (scipy 1.10.1: norm.sf(norm.isf(0.025) - proportion_effectsize(0.51, 0.5) * sqrt(50))).
    const row = fixture.arcsinePower.find((r) => r.baseline === 0.5 && r.target === 0.51)!;
    expect(row.power).toBeCloseTo(0.05229450199741542, 15);
    const result = powerForSampleSize({ ...row, sides: 2, method: 'arcsine' });
    expectRelative(result.power, row.power, 1e-12);
    expect(result.power - 0.034491338684156145).toBeGreaterThan(0.0177);
  });

  for (const row of fixture.arcsineMinimumDetectableEffect) {
    it(row.call, () => {
      const result = minimumDetectableEffect({
        baseline: row.baseline,
        nPerArm: row.nPerArm,
        alpha: row.alpha,
        power: row.power,
        ratio: row.ratio,
        sides: row.sides as TestSides,
        method: 'arcsine',
      });
      // statsmodels' solve_power for h stops early (target off by up to ~5e-8): 1e-6 against it,
      // 1e-10 against the same power function solved by scipy brentq (tightCall in the fixture row).
      expect(Math.abs(result.target - row.target)).toBeLessThanOrEqual(1e-6);
      expect(Math.abs(result.target - row.targetTight), row.tightCall).toBeLessThanOrEqual(1e-10);
      expect(result.absoluteEffect).toBeCloseTo(row.targetTight - row.baseline, 10);
      expect(result.method).toBe('arcsine');
    });
  }
});

describe('pooled method (R power.prop.test, generalised to ratio ≠ 1 as statsmodels)', () => {
  checkSizes('pooled', fixture.pooledSampleSize, 1e-10);
  checkPowers('pooled', fixture.pooledPower, 1e-11);

  for (const row of fixture.pooledMinimumDetectableEffect) {
    it(row.call, () => {
      const result = minimumDetectableEffect({
        baseline: row.baseline,
        nPerArm: row.nPerArm,
        alpha: row.alpha,
        power: row.power,
        ratio: row.ratio,
        sides: row.sides as TestSides,
        method: 'pooled',
        direction: row.direction as 'increase' | 'decrease',
      });
      expect(Math.abs(result.target - row.target)).toBeLessThanOrEqual(1e-9);
    });
  }

  it('the classic: power.prop.test(p1 = 0.10, p2 = 0.12, power = 0.8) → n = 3840.847, 3841 per arm', () => {
    // R 4.2.2: power.prop.test(p1 = 0.10, p2 = 0.12, power = 0.8, tol = 1e-12)$n = 3840.8474824362756
    const result = requiredSampleSize({ baseline: 0.1, target: 0.12, alpha: 0.05, power: 0.8, method: 'pooled' });
    expectRelative(result.nPerArmExact, 3840.8474824362756, 1e-12);
    expect(result).toMatchObject({ method: 'pooled', nPerArm: 3841, nSecondArm: 3841, nTotal: 7682 });
  });

  it('is the default method', () => {
    expect(requiredSampleSize({ baseline: 0.1, target: 0.12 }).method).toBe('pooled');
  });
});

describe('effect given as a relative lift', () => {
  it('lift 0.2 on 0.10 is the same design as target 0.12', () => {
    const byLift = requiredSampleSize({ baseline: 0.1, lift: 0.2 });
    const byTarget = requiredSampleSize({ baseline: 0.1, target: 0.12 });
    expect(byLift.target).toBeCloseTo(0.12, 15);
    expect(byLift.relativeEffect).toBeCloseTo(0.2, 14);
    expect(byLift.nPerArm).toBe(byTarget.nPerArm);
  });

  it('a negative lift is a decrease', () => {
    const result = powerForSampleSize({ baseline: 0.5, lift: -0.1, nPerArm: 500, sides: 1 });
    // R: power.prop.test(n = 500, p1 = 0.5, p2 = 0.45, alternative = "one.sided")$power (fixture pooledPower row 3)
    const row = fixture.pooledPower.find((r) => r.baseline === 0.5 && r.target === 0.45)!;
    expectRelative(result.power, row.power, 1e-11);
  });
});

describe('input checks', () => {
  it('throws RangeErrors naming the field', () => {
    expect(() => requiredSampleSize({ baseline: 1.5, target: 0.1 })).toThrow('baseline must be between 0 and 1, got 1.5');
    expect(() => requiredSampleSize({ baseline: 0.1 })).toThrow(/target \(or lift\) is required/);
    expect(() => requiredSampleSize({ baseline: 0.1, target: 0.12, lift: 0.2 })).toThrow(/either target or lift/);
    expect(() => requiredSampleSize({ baseline: 0.1, target: 0.1 })).toThrow(/target must differ from baseline/);
    expect(() => requiredSampleSize({ baseline: 0.5, lift: 1.5 })).toThrow(/lift must keep the target rate between 0 and 1/);
    expect(() => requiredSampleSize({ baseline: 0.1, target: 0.12, alpha: 2 })).toThrow(/alpha must be between 0 and 1/);
    expect(() => requiredSampleSize({ baseline: 0.1, target: 0.12, power: 1 })).toThrow(/power must be between 0 and 1/);
    expect(() => requiredSampleSize({ baseline: 0.1, target: 0.12, power: 0.01 })).toThrow(/power must be greater than alpha/);
    expect(() => requiredSampleSize({ baseline: 0.1, target: 0.12, ratio: 0 })).toThrow(/ratio must be a positive number/);
    expect(() => requiredSampleSize({ baseline: 0.1, target: 0.12, sides: 3 as TestSides })).toThrow(/sides must be 1 or 2/);
    expect(() => requiredSampleSize({ baseline: 0.1, target: 0.12, method: 'exact' as SampleSizeMethod })).toThrow(/method must be/);
    expect(() => powerForSampleSize({ baseline: 0.1, target: 0.12, nPerArm: -3 })).toThrow(/nPerArm must be a positive number/);
  });

  it('says when no effect is detectable with so few units', () => {
    // 2 per arm, 0.5 → 1 (pooled): √2·0.5 − 1.96·√(2·0.75·0.25) < 0, so even a target of 1 has power < 0.5.
    expect(() => minimumDetectableEffect({ baseline: 0.5, nPerArm: 2, power: 0.99 })).toThrow(/too small/);
    expect(() => minimumDetectableEffect({ baseline: 1, nPerArm: 100 })).toThrow(/no room for an increase/);
  });
});
