import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binomialSampler } from '../../../src/engine/random/binomial.ts';
import { streamFor } from '../../../src/engine/random/streams.ts';
import { sampleRatioMismatch } from '../../../src/engine/stats/sampleRatioMismatch.ts';
import {
  sequentialSampleRatioMismatch,
  sequentialSrmInit,
  sequentialSrmUpdate,
  srmLogBayesFactor,
} from '../../../src/engine/stats/sequentialSampleRatioMismatch.ts';
import { expectRelative } from '../../helpers/close.ts';

// Reference: scripts/reference/design_srm.py — the one-shot Dirichlet–multinomial Bayes factor with scipy 1.10.1
// special.gammaln (prior α = concentration·θ₀), /usr/bin/python3.

describe('srmLogBayesFactor against scipy gammaln', () => {
  it('log_bf([5050, 4950], [1, 1]) = -1.8149288503118441', () => {
    expectRelative(srmLogBayesFactor([5050, 4950], { weights: [1, 1] }), -1.8149288503118441, 1e-9);
  });
  it('log_bf([10300, 9700], [1, 1]) = 6.3028600780671695', () => {
    expectRelative(srmLogBayesFactor([10300, 9700], { weights: [1, 1] }), 6.3028600780671695, 1e-9);
  });
  it('log_bf([2100, 2950, 5100], [1, 1, 2]) = 66.66617118535214', () => {
    expectRelative(srmLogBayesFactor([2100, 2950, 5100], { weights: [1, 1, 2] }), 66.66617118535214, 1e-10);
  });
  it('log_bf([980, 1020], [1, 1], concentration=10) = -2.2782525500033444', () => {
    expectRelative(srmLogBayesFactor([980, 1020], { weights: [1, 1], concentration: 10 }), -2.2782525500033444, 1e-10);
  });
});

describe('sequentialSampleRatioMismatch over days', () => {
  const days = [
    [1000, 1010],
    [990, 1003],
    [1021, 985],
    [1040, 975],
    [1035, 968],
    [1050, 990],
    [1046, 975],
    [1030, 1001],
    [1000, 1045],
  ];

  it('ln BF and p after each day match the one-shot scipy values on the cumulative counts', () => {
    const result = sequentialSampleRatioMismatch(days, { weights: [1, 1] });
    const logBayesFactors = [
      -1.5033099896672866, -1.7951097028389995, -2.0447988024843653, -1.8266751176497564, -1.2731658318280097, -0.6759044718710356,
      0.20490757320658304, 0.321255644723351, -0.7554457897604152,
    ];
    const pValues = [1, 1, 1, 1, 1, 1, 0.8147226151303921, 0.7252378240665467, 0.7252378240665467];
    result.series.forEach((step, i) => {
      expect(Math.abs(step.logBayesFactor - logBayesFactors[i])).toBeLessThan(1e-8);
      expectRelative(step.pValue, pValues[i], 1e-8);
    });
    expect(result.series[8].counts).toEqual([9212, 8952]);
    expect(result.mismatch).toBe(false);
    expect(result.firstMismatchPeriod).toBeNull();
  });

  it('flags a gross mismatch at the first period where p < threshold', () => {
    const result = sequentialSampleRatioMismatch(
      [
        [1000, 1000],
        [1000, 700],
        [1000, 700],
      ],
      { weights: [1, 1] },
    );
    expect(result.firstMismatchPeriod).toBe(1);
    expect(result.series[0].mismatch).toBe(false);
    expect(result.mismatch).toBe(true);
  });

  it('names bad input', () => {
    expect(() => sequentialSrmInit({ weights: [1] })).toThrow(/weights must list at least 2 arms, got 1/);
    expect(() => sequentialSrmInit({ weights: [1, 0] })).toThrow(/weights\[1\] must be a positive finite number, got 0/);
    expect(() => sequentialSrmInit({ weights: [1, 1], concentration: 0 })).toThrow(/concentration must be a positive number/);
    expect(() => sequentialSampleRatioMismatch([[1, 2], [3]], { weights: [1, 1] })).toThrow(
      /periods\[1\]: batch must list one count per arm \(2\), got 1/,
    );
    expect(() => sequentialSampleRatioMismatch([[1, 2.5]], { weights: [1, 1] })).toThrow(
      /batch\[1\] must be a non-negative integer, got 2.5/,
    );
  });
});

describe('properties (fast-check)', () => {
  const batches = fc.array(
    fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 3000 })),
    {
      minLength: 1,
      maxLength: 12,
    },
  );
  const weights = fc.tuple(
    fc.double({ min: 0.1, max: 5, noNaN: true }),
    fc.double({ min: 0.1, max: 5, noNaN: true }),
    fc.double({ min: 0.1, max: 5, noNaN: true }),
  );

  it('p is non-increasing and stays in [0, 1] (0 when the Bayes factor overflows)', () => {
    fc.assert(
      fc.property(batches, weights, (periods, w) => {
        const result = sequentialSampleRatioMismatch(periods, { weights: w });
        let previous = 1;
        for (const step of result.series) {
          if (!(step.pValue <= previous && step.pValue >= 0 && step.pValue <= 1)) return false;
          previous = step.pValue;
        }
        return true;
      }),
      { numRuns: 200, seed: 20260415 },
    );
  });

  it('batching-invariant: the product of the per-batch ratios equals the one-shot Bayes factor of the totals', () => {
    fc.assert(
      fc.property(batches, weights, fc.double({ min: 1, max: 1000, noNaN: true }), (periods, w, concentration) => {
        let state = sequentialSrmInit({ weights: w, concentration });
        for (const batch of periods) state = sequentialSrmUpdate(state, batch);
        const oneShot = srmLogBayesFactor(state.counts, { weights: w, concentration });
        // ln Γ of arguments up to ~4·10⁴ is accurate to ~1e-15 relative, i.e. ≲ 1e-9 absolute on these sums.
        return Math.abs(state.logBayesFactor - oneShot) <= 1e-8 * Math.max(1, Math.abs(oneShot));
      }),
      { numRuns: 200, seed: 20260416 },
    );
  });
});

describe('anytime-valid under the planned split (seeded simulation)', () => {
  it('P(p ever < 0.05 over 60 daily looks) ≤ 0.05 within Monte-Carlo error', () => {
    // 2000 replicates of 60 days of Binomial(1000, 0.5) splits; Ville's inequality bounds the rate of ever
    // crossing by α. The naive χ² looked at daily would exceed α many times over. Binomial SE at 0.05: 0.0049.
    const replicates = 2000;
    let alarms = 0;
    let naiveAlarms = 0;
    for (let r = 0; r < replicates; r++) {
      const split = binomialSampler(streamFor('design-sequential-srm', r), 1000, 0.5);
      let state = sequentialSrmInit({ weights: [1, 1] });
      let naive = false;
      for (let day = 0; day < 60; day++) {
        const first = split();
        state = sequentialSrmUpdate(state, [first, 1000 - first]);
        naive ||= sampleRatioMismatch(state.counts).pValue < 0.05;
      }
      if (state.pValue < 0.05) alarms++;
      if (naive) naiveAlarms++;
    }
    expect(alarms / replicates).toBeLessThan(0.05 + 3 * 0.0049);
    // Pearson's χ² on the cumulative counts, looked at daily, alarms far more often than α.
    expect(naiveAlarms / replicates).toBeGreaterThan(0.2);
  });
});
