import { describe, expect, it } from 'vitest';
import { peekingCost, peekingDesignNames } from '../../src/engine/stats/peekingCost.ts';
import {
  checked,
  checkSampleRatio,
  powerAgainstDuration,
  powerAgainstEffect,
  type SizerInputs,
  sizeABTest,
} from '../../src/ui/sizer/sizerModel.ts';
import { readSizerInputs, sizerSchema } from '../../src/ui/sizer/sizerState.ts';
import { initialState } from '../../src/ui/state/viewState.ts';

// Reference values: scripts/reference/ui_sizer.py (scipy 1.10.1, statsmodels 0.13.5) and
// scripts/reference/ui_sizer.R (R 4.2.2 power.prop.test, mvtnorm pmvnorm, rpact).

const defaults: SizerInputs = readSizerInputs(initialState(sizerSchema));

describe('sizeABTest', () => {
  it('sizes the first-visit test by both methods, with the days at 2,000 users a day', () => {
    expect(defaults).toEqual({
      baseline: 0.1,
      effect: 0.02,
      effectKind: 'absolute',
      alpha: 0.05,
      power: 0.8,
      sides: 2,
      split: 0.5,
      trafficPerDay: 2000,
    });
    const sizing = sizeABTest(defaults);
    expect(sizing.target).toBeCloseTo(0.12, 15);
    const [pooled, arcsine] = sizing.methods;
    // R power.prop.test(p1 = 0.10, p2 = 0.12, power = 0.8)$n = 3840.84748243 → 3,841 per arm.
    expect(pooled).toMatchObject({ method: 'pooled', nControl: 3841, nCandidate: 3841, nTotal: 7682 });
    // statsmodels NormalIndPower().solve_power(proportion_effectsize(0.12, 0.10), power=0.8, alpha=0.05) = 3834.596 → 3,835.
    expect(arcsine).toMatchObject({ method: 'arcsine', nControl: 3835, nCandidate: 3835, nTotal: 7670 });
    // 3,841 users per arm at 1,000 per arm per day: 3.84 → 4 days.
    expect(pooled.days).toBe(4);
    expect(arcsine.days).toBe(4);
  });

  it('takes a relative effect, an uneven split and a one-sided test', () => {
    const sizing = sizeABTest({ ...defaults, effect: 0.2, effectKind: 'relative', split: 0.2, sides: 1, trafficPerDay: 1000 });
    expect(sizing.ratio).toBeCloseTo(0.25, 15);
    const [pooled, arcsine] = sizing.methods;
    // statsmodels samplesize_proportions_2indep_onetail(diff=0.10-0.12, prop2=0.12, power=0.8, ratio=0.25, alpha=0.05,
    // alternative='smaller') = 7440.787515344027 → control 7,441, candidate ⌈0.25 · 7440.79⌉ = 1,861.
    expect(pooled).toMatchObject({ nControl: 7441, nCandidate: 1861 });
    // statsmodels NormalIndPower().solve_power(proportion_effectsize(0.12, 0.10), alpha=0.05, power=0.8, ratio=0.25,
    // alternative='larger') = 7551.289641112679 → 7,552 and ⌈1887.82⌉ = 1,888.
    expect(arcsine).toMatchObject({ nControl: 7552, nCandidate: 1888 });
    // Control gets 800 a day: 7,441 / 800 = 9.30 → 10 days (the candidate's 1,861 / 200 = 9.31 also → 10).
    expect(pooled.days).toBe(10);
  });

  it('explains a bad input in words, naming the field', () => {
    expect(checked(() => sizeABTest({ ...defaults, alpha: 1.5 }))).toEqual({
      ok: false,
      message: 'alpha must be between 0 and 1 (exclusive), got 1.5',
    });
    expect(checked(() => sizeABTest({ ...defaults, split: 1 }))).toMatchObject({ ok: false, message: expect.stringMatching(/^split/) });
    expect(checked(() => sizeABTest({ ...defaults, trafficPerDay: 0 }))).toMatchObject({
      message: 'traffic per day must be a positive number, got 0',
    });
    expect(checked(() => sizeABTest({ ...defaults, effect: 0 }))).toMatchObject({ ok: false });
    expect(checked(() => sizeABTest({ ...defaults, effect: 0.95 }))).toMatchObject({
      message: expect.stringMatching(/^target must be between 0 and 1/),
    });
  });
});

describe('power curves', () => {
  const sizing = sizeABTest(defaults);

  it('reach the target power at the planned effect, for each method at its own n', () => {
    const curve = powerAgainstEffect(defaults, sizing, 40);
    expect(curve).toHaveLength(80);
    const atPlanned = curve.filter((point) => Math.abs(point.x - 0.02) < 1e-12);
    // R power.prop.test(p1 = 0.10, p2 = 0.12, n = 3841)$power = 0.800015577809.
    expect(atPlanned[0]).toMatchObject({ method: 'Pooled variance (R power.prop.test)' });
    expect(atPlanned[0].power).toBeCloseTo(0.800015577809, 9);
    // statsmodels NormalIndPower().power(proportion_effectsize(0.12, 0.10), nobs1=3835, alpha=0.05, ratio=1) = 0.8000413398624785.
    expect(atPlanned[1].power).toBeCloseTo(0.8000413398624785, 9);
    // Power grows with the effect.
    const pooled = curve.filter((point) => point.method === atPlanned[0].method).map((point) => point.power);
    expect(pooled.every((power, i) => i === 0 || power > pooled[i - 1])).toBe(true);
  });

  it('follows the duration: after 2 days each arm has 2,000 users', () => {
    const curve = powerAgainstDuration(defaults, sizing);
    const dayTwo = curve.find((point) => point.x === 2 && point.method.startsWith('Pooled'));
    // R power.prop.test(p1 = 0.10, p2 = 0.12, n = 2000)$power = 0.524481278764.
    expect(dayTwo?.power).toBeCloseTo(0.524481278764, 9);
    // Days 1 … max(14, 2 × 4).
    expect(curve.filter((point) => point.method.startsWith('Pooled')).map((point) => point.x)).toEqual(
      Array.from({ length: 14 }, (_, i) => i + 1),
    );
  });
});

describe('peekingCost', () => {
  const points = peekingCost(0.05, 10, 'obrienFleming');
  const naive = (looks: number) => points.find((p) => p.looks === looks && p.design === peekingDesignNames.naive)!;
  const sequential = (looks: number) => points.find((p) => p.looks === looks && p.design === peekingDesignNames.obrienFleming)!;

  it('gives the exact naive false-positive rate of repeated testing', () => {
    // R mvtnorm: 1 - pmvnorm(-1.96..1.96, corr sqrt(j/k)), GenzBretz abseps 1e-8 (ui_sizer.R).
    expect(naive(1).falsePositiveRate).toBeCloseTo(0.05, 6);
    expect(naive(2).falsePositiveRate).toBeCloseTo(0.0831178, 5);
    expect(naive(3).falsePositiveRate).toBeCloseTo(0.10725638, 5);
    expect(naive(5).falsePositiveRate).toBeCloseTo(0.141689, 5);
    expect(naive(10).falsePositiveRate).toBeCloseTo(0.19335483, 5);
    expect(points.every((p) => p.source === 'exact')).toBe(true);
  });

  it('keeps the group-sequential design at α', () => {
    // rpact getDesignGroupSequential(kMax = 5 / 10, alpha = 0.05, sided = 2, typeOfDesign = 'asOF'), crossing
    // probability under H0 by mvtnorm: 0.05000000 and 0.05000059 (integration error 1e-6).
    expect(sequential(5).falsePositiveRate).toBeCloseTo(0.05, 5);
    expect(sequential(10).falsePositiveRate).toBeCloseTo(0.05, 5);
    const pocock = peekingCost(0.05, 5, 'pocock').filter((p) => p.design === peekingDesignNames.pocock);
    // rpact typeOfDesign = 'asP', kMax = 5: 0.05000049.
    expect(pocock[4].falsePositiveRate).toBeCloseTo(0.05, 5);
  });

  it('rejects a bad number of looks', () => {
    expect(() => peekingCost(0.05, 0, 'pocock')).toThrow(/number of looks must be a whole number from 1 to 50, got 0/);
    expect(() => peekingCost(2, 3, 'pocock')).toThrow(/alpha must be between 0 and 1, got 2/);
  });
});

describe('checkSampleRatio', () => {
  it('is the Pearson χ² test against the planned split', () => {
    // scipy stats.chisquare([50210, 49790], [50000, 50000]) = (1.764, 0.1841263727849757).
    const even = checkSampleRatio(50210, 49790, 0.5);
    expect(even.chiSquare).toBeCloseTo(1.764, 10);
    expect(even.pValue).toBeCloseTo(0.1841263727849757, 10);
    expect(even.mismatch).toBe(false);
    // scipy stats.chisquare([4100, 5900], [4000, 6000]) = (4.1666…, 0.041226833337163815): 60% to the candidate.
    const uneven = checkSampleRatio(4100, 5900, 0.6);
    expect(uneven.pValue).toBeCloseTo(0.041226833337163815, 10);
    expect(uneven.mismatch).toBe(false);
    expect(checkSampleRatio(5300, 4700, 0.5).mismatch).toBe(true);
  });
});
