import { describe, expect, it } from 'vitest';
import { meanMinimumDetectableEffect, meanPower, meanSampleSize } from '../../../src/engine/stats/meanSampleSize.ts';
import { expectRelative } from '../../helpers/close.ts';

// Reference values: scripts/reference/design_means.py (statsmodels 0.13.5 NormalIndPower, scipy 1.10.1),
// run with Debian's /usr/bin/python3; each call is quoted beside its number.

describe('meanSampleSize against statsmodels NormalIndPower (equal variances, d = Δ/σ)', () => {
  it("solve_power(effect_size=0.25, alpha=0.05, power=0.8, ratio=1, alternative='two-sided') = 251.16353630180953", () => {
    const result = meanSampleSize({ standardDeviation: 2, difference: 0.5 });
    expectRelative(result.nPerArmExact, 251.16353630180953, 1e-9);
    expect(result.nPerArm).toBe(252);
    expect(result.nTotal).toBe(504);
  });

  it("solve_power(effect_size=0.25, alpha=0.05, power=0.9, ratio=2, alternative='larger') = 205.53233641589756", () => {
    const result = meanSampleSize({ standardDeviation: 2, difference: 0.5, power: 0.9, ratio: 2, sides: 1 });
    expectRelative(result.nPerArmExact, 205.53233641589756, 1e-9);
    expect(result.nSecondArm).toBe(Math.ceil(2 * 205.53233641589756));
  });

  it("power(effect_size=0.25, nobs1=100, alpha=0.05, ratio=0.5, alternative='two-sided') = 0.30305462573834013", () => {
    expectRelative(meanPower({ standardDeviation: 2, difference: -0.5, nPerArm: 100, ratio: 0.5 }).power, 0.30305462573834013, 1e-12);
  });

  it("power(effect_size=0.1, nobs1=40, …, 'two-sided') = 0.07320971273248586 (both tails count)", () => {
    expectRelative(meanPower({ standardDeviation: 1, difference: 0.1, nPerArm: 40 }).power, 0.07320971273248586, 1e-12);
  });

  it("MDE: brentq(lambda d: power(d, nobs1=500, alpha=0.01, ratio=1, 'two-sided') - 0.8, xtol=1e-15) = 0.21613854953312478", () => {
    const result = meanMinimumDetectableEffect({ standardDeviation: 3, nPerArm: 500, alpha: 0.01 });
    expectRelative(result.minimumDetectableEffect, 3 * 0.21613854953312478, 1e-12);
    // solve_power(effect_size=None, …) = 0.21613910783617565 stops its root search 2.5e-6 short in power.
    expectRelative(result.minimumDetectableEffect, 3 * 0.21613910783617565, 3e-6);
  });

  it('CUPED with ρ = 0.7: solve_power(effect_size=0.25/√(1 − 0.49), …) = 128.0934035290254', () => {
    const result = meanSampleSize({ standardDeviation: 2, difference: 0.5, cupedCorrelation: 0.7 });
    expectRelative(result.varianceFactor, 0.51, 1e-15);
    expectRelative(result.nPerArmExact, 128.0934035290254, 1e-9);
  });
});

describe('meanSampleSize with unequal variances (direct normal formula, scipy)', () => {
  const design = { controlVariance: 4, candidateVariance: 9, ratio: 1.5, difference: 0.4 };

  it('((norm.ppf(0.95) + norm.ppf(0.8))·√(4 + 9/1.5)/0.4)² = 386.40982700123544 one-sided', () => {
    expectRelative(meanSampleSize({ ...design, sides: 1 }).nPerArmExact, 386.40982700123544, 1e-12);
  });

  it('two-sided, both tails: brentq root = 490.55378183288724; power at 300 = 0.591330511441939', () => {
    expectRelative(meanSampleSize(design).nPerArmExact, 490.55378183288724, 1e-10);
    expectRelative(meanPower({ ...design, nPerArm: 300 }).power, 0.591330511441939, 1e-12);
  });

  it('size, power and MDE invert each other', () => {
    const size = meanSampleSize({ ...design, power: 0.9, alpha: 0.01 });
    expect(meanPower({ ...design, alpha: 0.01, nPerArm: size.nPerArmExact }).power).toBeCloseTo(0.9, 12);
    const mde = meanMinimumDetectableEffect({ ...design, power: 0.9, alpha: 0.01, nPerArm: size.nPerArmExact });
    expect(mde.minimumDetectableEffect).toBeCloseTo(0.4, 12);
  });

  it('a null difference shifts the hypothesis (non-inferiority margin)', () => {
    const shifted = meanSampleSize({ ...design, difference: 0, nullDifference: -0.4, sides: 1 });
    expectRelative(shifted.nPerArmExact, 386.40982700123544, 1e-12);
  });
});

describe('meanSampleSize input checks', () => {
  it('names the argument and the reason', () => {
    expect(() => meanSampleSize({ difference: 1 })).toThrow(/standardDeviation \(or controlVariance\) is required/);
    expect(() => meanSampleSize({ standardDeviation: -1, difference: 1 })).toThrow(/standardDeviation must be a positive number, got -1/);
    expect(() => meanSampleSize({ standardDeviation: 1, difference: 0 })).toThrow(/difference must differ from the null difference/);
    expect(() => meanSampleSize({ standardDeviation: 1, difference: 1, cupedCorrelation: 1 })).toThrow(
      /cupedCorrelation must be between -1 and 1/,
    );
    expect(() => meanSampleSize({ standardDeviation: 1, controlVariance: 1, difference: 1 })).toThrow(/not both/);
    expect(() => meanSampleSize({ standardDeviation: 1, difference: 1, alpha: 0.5, power: 0.2, sides: 1 })).toThrow(
      /power must be greater than/,
    );
    expect(() => meanPower({ standardDeviation: 1, difference: 1, nPerArm: 0 })).toThrow(/nPerArm must be a positive number, got 0/);
  });
});
