import { describe, expect, it } from 'vitest';
import type { MultipleComparisonMethod } from '../../../src/engine/stats/multipleComparisons.ts';
import { adjustPValues } from '../../../src/engine/stats/multipleComparisons.ts';
import fixture from '../../fixtures/continuous.json';

// Reference values: test/fixtures/continuous.json, written by scripts/reference/continuous.py with
// statsmodels 0.13.5 `stats.multitest.multipletests(p, alpha, method)` (exact call in each "call").

const METHOD: Record<string, MultipleComparisonMethod> = {
  bonferroni: 'bonferroni',
  holm: 'holm',
  fdr_bh: 'benjamini-hochberg',
};

describe('adjustPValues matches statsmodels multipletests', () => {
  for (const c of fixture.multipleComparisons) {
    it(c.call, () => {
      const result = adjustPValues(c.pValues, METHOD[c.method], c.alpha);
      expect(result.reject).toEqual(c.reject);
      result.adjustedPValues.forEach((p, i) => expect(p).toBeCloseTo(c.adjustedPValues[i], 15));
    });
  }
});

describe('adjustPValues', () => {
  it('keeps adjusted p-values monotone in the raw p-values and capped at 1', () => {
    const raw = [0.3, 0.001, 0.04, 0.2, 0.9, 0.0105, 0.5];
    for (const method of ['bonferroni', 'holm', 'benjamini-hochberg'] as const) {
      const { adjustedPValues } = adjustPValues(raw, method);
      const order = raw.map((_, i) => i).sort((a, b) => raw[a] - raw[b]);
      for (let k = 1; k < order.length; k++) {
        expect(adjustedPValues[order[k]]).toBeGreaterThanOrEqual(adjustedPValues[order[k - 1]]);
      }
      adjustedPValues.forEach((p, i) => {
        expect(p).toBeLessThanOrEqual(1);
        expect(p).toBeGreaterThanOrEqual(raw[i]);
      });
    }
  });

  it('rejects bad input', () => {
    expect(() => adjustPValues([], 'holm')).toThrow(/at least one/);
    expect(() => adjustPValues([0.1, 1.2], 'holm')).toThrow(/pValues\[1\]/);
    expect(() => adjustPValues([0.1, NaN], 'holm')).toThrow(/pValues\[1\]/);
    expect(() => adjustPValues([0.1], 'holm', 0)).toThrow(/alpha/);
    expect(() => adjustPValues([0.1], 'fdr' as MultipleComparisonMethod)).toThrow(/method/);
  });
});
