import { describe, expect, it } from 'vitest';
import { meanSampleSize } from '../../../src/engine/stats/meanSampleSize.ts';
import { noncentralTCdf, noncentralTSf } from '../../../src/engine/stats/noncentralT.ts';
import { tTestPower, tTestSampleSize } from '../../../src/engine/stats/tTestPower.ts';

// Reference values: scripts/reference/design_ttest.py (scipy 1.10.1 stats.nct, statsmodels 0.13.5
// TTestIndPower; the call is beside each number). Powers are compared to 9 decimals: scipy 1.10's
// t.isf, which statsmodels uses for the critical value, is itself off by up to ~2e-10 (t.isf(0.025, 8)
// = 2.306004135033371, where mpmath's root of the incomplete beta gives 2.3060041352041667, as does
// the engine's studentTQuantile), which moves the power by ~1e-10.

describe('noncentralTCdf', () => {
  const cases: [number, number, number, number, number][] = [
    // [t, df, nc, scipy nct.cdf, scipy nct.sf]
    [2.0, 10, 1.5, 0.6591540724421909, 0.340845927557809],
    [-1.0, 25.5, 2.0, 0.0015276076918229187, 0.9984723923081771],
    [1.96, 100, 3.0, 0.15032902591914712, 0.8496709740808529],
    [3.0, 5, -1.0, 0.998566403001123, 0.0014335969988769955],
    [0.5, 3, 0.2, 0.6007719450117566, 0.39922805498824343],
    [10.0, 50, 9.0, 0.7483528745854009, 0.2516471254145991],
    [25.0, 200, 30.0, 0.0009341923528406781, 0.9990658076471594],
  ];
  it.each(cases)('nct.cdf(%s, %s, %s) = %s', (t, df, nc, cdf, sf) => {
    expect(noncentralTCdf(t, df, nc)).toBeCloseTo(cdf, 12);
    expect(noncentralTSf(t, df, nc)).toBeCloseTo(sf, 12);
  });

  it('keeps the relative precision of a small tail', () => {
    // nct.cdf(-1.0, 25.5, 2.0) = 0.0015276076918229187; nct.sf(3.0, 5, -1.0) = 0.0014335969988769955.
    expect(noncentralTCdf(-1, 25.5, 2) / 0.0015276076918229187).toBeCloseTo(1, 10);
    expect(noncentralTSf(3, 5, -1) / 0.0014335969988769955).toBeCloseTo(1, 10);
  });

  it('far tails: a large noncentrality with few degrees of freedom, and 0 or 1 where the series would be long', () => {
    // scipy nct.cdf(2, 3, 40) = 1.503535636336744e-148 (polynomial-like tail of √(χ²₃/3)).
    expect(noncentralTCdf(2, 3, 40) / 1.503535636336744e-148).toBeCloseTo(1, 8);
    // scipy nct.cdf(2, 50, 1000) = 0.0, nct.sf(2, 50, 1000) = 1.0, nct.cdf(-2, 50, 1000) = 0.0.
    expect(noncentralTCdf(2, 50, 1000)).toBe(0);
    expect(noncentralTSf(2, 50, 1000)).toBe(1);
    expect(noncentralTCdf(-2, 50, 1000)).toBe(0);
    expect(noncentralTSf(-2, 50, -1000)).toBe(0);
  });

  it('is Student t at zero noncentrality and rejects bad parameters', () => {
    // scipy t.cdf(2.0, 10) = 0.9633059826146297.
    expect(noncentralTCdf(2, 10, 0)).toBeCloseTo(0.9633059826146297, 14);
    expect(() => noncentralTCdf(1, 0, 1)).toThrow('degrees of freedom must be positive, got 0');
    expect(() => noncentralTCdf(1, 5, Number.NaN)).toThrow('noncentrality must be a finite number, got NaN');
  });
});

describe('tTestPower (equal variances: statsmodels TTestIndPower)', () => {
  it('two-sided, d = 0.5, 20 per arm', () => {
    // TTestIndPower().power(effect_size=0.5, nobs1=20, alpha=0.05, ratio=1, alternative='two-sided') = 0.33793902869253206
    const result = tTestPower({ standardDeviation: 2, difference: 1, nPerArm: 20 });
    expect(result.power).toBeCloseTo(0.33793902869253206, 9);
    expect(result.degreesOfFreedom).toBe(38);
    expect(result.degreesOfFreedomMethod).toBe('pooled');
  });

  it('one-sided with a ratio, and a tiny sample', () => {
    // TTestIndPower().power(effect_size=0.3, nobs1=50, alpha=0.05, ratio=2, alternative='larger') = 0.5315922562239944
    expect(tTestPower({ standardDeviation: 10, difference: 3, nPerArm: 50, ratio: 2, sides: 1 }).power).toBeCloseTo(0.5315922562239944, 9);
    // TTestIndPower().power(effect_size=0.8, nobs1=5, alpha=0.05, ratio=1, alternative='two-sided') = 0.2007394526886641
    expect(tTestPower({ standardDeviation: 1, difference: -0.8, nPerArm: 5 }).power).toBeCloseTo(0.2007394526886641, 9);
  });

  it('refuses a sample without degrees of freedom', () => {
    expect(() => tTestPower({ standardDeviation: 1, difference: 1, nPerArm: 1 })).toThrow(
      'nPerArm must be a number above 1 (the t-test needs a positive degrees of freedom), got 1',
    );
  });
});

describe('tTestSampleSize', () => {
  it('d = 0.5, two-sided, power 0.8: 63.77 per arm (the textbook 64)', () => {
    // brentq on TTestIndPower().power(0.5, n, 0.05, ratio=1, 'two-sided') - 0.8 = 63.76561018989458
    // (solve_power itself stops at 63.765610587854056).
    const result = tTestSampleSize({ standardDeviation: 2, difference: 1 });
    expect(result.nPerArmExact).toBeCloseTo(63.76561018989458, 7);
    expect(result).toMatchObject({ nPerArm: 64, nSecondArm: 64, nTotal: 128, degreesOfFreedomMethod: 'pooled' });
    // More than the z-test's 62.79 (design_means.py: NormalIndPower d = 0.5 → 62.7912…).
    expect(result.nPerArmExact).toBeGreaterThan(meanSampleSize({ standardDeviation: 2, difference: 1 }).nPerArmExact);
  });

  it('one-sided, ratio 2, power 0.9; a very large effect; CUPED ρ = 0.7', () => {
    // brentq(… TTestIndPower().power(0.25, n, 0.05, ratio=2, 'larger') - 0.9 …) = 205.98483436935922
    const larger = tTestSampleSize({ standardDeviation: 4, difference: 1, ratio: 2, sides: 1, power: 0.9 });
    expect(larger.nPerArmExact).toBeCloseTo(205.98483436935922, 7);
    expect(larger).toMatchObject({ nPerArm: 206, nSecondArm: 412 });
    // brentq(… TTestIndPower().power(1.5, n, 0.05, ratio=1, 'two-sided') - 0.8 …) = 8.060294277968083
    expect(tTestSampleSize({ standardDeviation: 1, difference: 1.5 }).nPerArmExact).toBeCloseTo(8.060294277968083, 7);
    // brentq(… TTestIndPower().power(0.25/sqrt(0.51), n, …) - 0.8 …) = 129.0608215209339
    expect(tTestSampleSize({ standardDeviation: 4, difference: 1, cupedCorrelation: 0.7 }).nPerArmExact).toBeCloseTo(129.0608215209339, 7);
  });

  it('non-inferiority of a mean: margin 3, σ 120, one-sided, power 0.9', () => {
    // brentq(… TTestIndPower().power(0.025, n, 0.05, ratio=1, 'larger') - 0.9 …) = 27404.98793453916
    const result = tTestSampleSize({ standardDeviation: 120, difference: 0, nullDifference: -3, sides: 1, power: 0.9 });
    expect(result.nPerArmExact).toBeCloseTo(27404.98793453916, 5);
    expect(result.nPerArm).toBe(27405);
  });

  it('unequal variances use Welch–Satterthwaite degrees of freedom', () => {
    // welch_power(delta=1.5, v1=4, v2=9, n1=30, ratio=1.5, alpha=0.05, sides=2) = (72.99771167048056, 0.7270145540359544)
    const power = tTestPower({ controlVariance: 4, candidateVariance: 9, difference: 1.5, nPerArm: 30, ratio: 1.5 });
    expect(power.degreesOfFreedomMethod).toBe('welch');
    expect(power.degreesOfFreedom).toBeCloseTo(72.99771167048056, 11);
    expect(power.power).toBeCloseTo(0.7270145540359544, 9);
    // brentq(lambda n: welch_power(1.5, 4, 9, n, 1.5, 0.05, 2)[1] - 0.8, …) = 35.66864868166095
    const size = tTestSampleSize({ controlVariance: 4, candidateVariance: 9, difference: 1.5, ratio: 1.5 });
    expect(size.nPerArmExact).toBeCloseTo(35.66864868166095, 7);
    expect(size).toMatchObject({ nPerArm: 36, nSecondArm: 54 });
  });

  it('checks its inputs like meanSampleSize', () => {
    expect(() => tTestSampleSize({ standardDeviation: 1, difference: 0 })).toThrow('difference must differ from the null difference');
    expect(() => tTestSampleSize({ standardDeviation: -1, difference: 1 })).toThrow('standardDeviation must be a positive number, got -1');
  });
});
