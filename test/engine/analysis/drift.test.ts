import { describe, expect, it } from 'vitest';
import { analyzeDrift, categoricalChiSquare, categoricalPsi, driftReport, numericPsi } from '../../../src/engine/analysis/drift.ts';
import fixture from '../../fixtures/analysis.json';

// References from scripts/reference/analysis.py: PSI by an independent numpy implementation of the
// documented binning (np.quantile type 7 deciles, np.unique, np.searchsorted side='left', ε = 1e-4);
// KS by scipy 1.10.1 stats.ks_2samp(method='exact'); χ² by stats.chi2_contingency(correction=False).

const numeric = fixture.driftNumericData as Record<string, { reference: number[]; current: number[] }>;
const categorical = fixture.driftCategoricalData as Record<string, { reference: string[]; current: string[] }>;

describe('population stability index', () => {
  it('matches the numpy reference on numeric data, including ties', () => {
    for (const { call, value } of fixture.driftNumeric) {
      const { reference, current } = numeric[call.data];
      const result = numericPsi(reference, current);
      expect(Math.abs(result.psi - value.psi), call.call).toBeLessThan(1e-12);
      expect(result.bins.map((b) => b.referenceCount)).toEqual(value.referenceCounts);
      expect(result.bins.map((b) => b.currentCount)).toEqual(value.currentCounts);
    }
  });

  it('matches the reference on categorical data, with a category new in the current window', () => {
    for (const { call, value } of fixture.driftCategorical) {
      const { reference, current } = categorical[call.data];
      const result = categoricalPsi(reference, current);
      expect(Math.abs(result.psi - value.psi), call.call).toBeLessThan(1e-12);
      expect(result.bins.map((b) => b.category)).toEqual(value.categories);
    }
    const fresh = categoricalPsi(categorical.newCategory.reference, categorical.newCategory.current);
    const bird = fresh.bins.find((b) => b.category === 'bird')!;
    expect(bird.referenceCount).toBe(0);
    expect(bird.referenceShare).toBe(1e-4); // the documented ε floor
  });

  it('is 0 for identical windows and puts out-of-range values in the end bins', () => {
    const data = Array.from({ length: 100 }, (_, i) => i);
    expect(numericPsi(data, data).psi).toBe(0);
    const beyond = numericPsi(data, [-50, 500]);
    expect(beyond.bins[0].currentCount).toBe(1);
    expect(beyond.bins.at(-1)!.currentCount).toBe(1);
    expect(beyond.bins[0].lower).toBe(-Infinity);
  });

  it('rejects bad input naming the field', () => {
    expect(() => numericPsi([], [1])).toThrow('reference must not be empty');
    expect(() => numericPsi([1, NaN], [1])).toThrow('reference[1] must be a finite number, got NaN');
    expect(() => numericPsi([1], [1], { bins: 1 })).toThrow('bins must be a whole number of at least 2, got 1');
    expect(() => categoricalPsi(['a'], ['b'], { epsilon: 0 })).toThrow(/epsilon must be/);
  });
});

describe('categoricalChiSquare', () => {
  it('matches scipy chi2_contingency without correction', () => {
    for (const { call, value } of fixture.driftCategorical) {
      const { reference, current } = categorical[call.data];
      const result = categoricalChiSquare(reference, current);
      expect(result.degreesOfFreedom).toBe(value.degreesOfFreedom);
      expect(Math.abs(result.statistic - value.chiSquare) / value.chiSquare, call.call).toBeLessThan(1e-12);
      expect(Math.abs(result.pValue - value.pValue) / value.pValue, call.call).toBeLessThan(1e-8);
    }
    expect(categoricalChiSquare(['a', 'a'], ['a'])).toEqual({ statistic: 0, degreesOfFreedom: 0, pValue: 1 });
  });
});

describe('analyzeDrift', () => {
  it('reports KS as scipy, including a p-value far below 1e-16', () => {
    for (const { call, value } of fixture.driftNumeric) {
      const { reference, current } = numeric[call.data];
      const result = analyzeDrift({ name: call.data, reference, current });
      expect(result.ks!.statistic).toBeCloseTo(value.ksStatistic, 14);
      expect(Math.abs(result.ks!.pValue - value.ksPValue) / value.ksPValue, call.call).toBeLessThan(1e-10);
    }
  });

  it('recommends by PSI thresholds and the test', () => {
    const get = (name: string) => analyzeDrift({ name, ...numeric[name] });
    // stable: PSI 0.020, KS p 0.81 → NONE
    expect(get('stable').recommendation).toBe('NONE');
    expect(get('stable').reasons).toEqual(['stable: PSI 0.0203 < 0.1 and KS D = 0.0342, p = 0.807 ≥ α = 0.01']);
    // shifted: PSI 0.114 ≥ 0.1 and KS p 9.4e-5 → INVESTIGATE with both reasons
    const shifted = get('shifted');
    expect(shifted.recommendation).toBe('INVESTIGATE');
    expect(shifted.reasons).toEqual([
      'shifted: PSI 0.114 ≥ 0.1 (moderate shift)',
      'shifted: KS D = 0.120, p = 9.44e-5 < α = 0.01 (distribution changed)',
    ]);
    // ties: PSI 0.098 < 0.1 but KS p 4.3e-4 → INVESTIGATE from the test alone
    expect(get('ties').recommendation).toBe('INVESTIGATE');
    // large: PSI 0.73 ≥ 0.25 → RETRAIN
    expect(get('large').recommendation).toBe('RETRAIN');
    expect(get('large').reasons[0]).toBe('large: PSI 0.732 ≥ 0.25 (significant shift)');
    const newCategory = analyzeDrift({ name: 'pet', kind: 'categorical', ...categorical.newCategory });
    expect(newCategory.recommendation).toBe('RETRAIN');
    expect(newCategory.chiSquare?.degreesOfFreedom).toBe(3);
    expect(analyzeDrift({ name: 'pet', kind: 'categorical', ...categorical.stable }).recommendation).toBe('NONE');
  });

  it('checks its thresholds', () => {
    const data = numeric.stable;
    expect(() => analyzeDrift({ name: 'x', ...data }, { psiRetrain: 0.05 })).toThrow(
      'psiRetrain must be at least psiInvestigate (0.1), got 0.05',
    );
    expect(() => analyzeDrift({ name: 'x', ...data }, { alpha: 0 })).toThrow('alpha must be between 0 and 1, got 0');
  });
});

describe('driftReport', () => {
  it('takes the most severe recommendation over inputs and the prediction distribution', () => {
    const report = driftReport({
      features: [
        { name: 'age', ...numeric.stable },
        { name: 'pet', kind: 'categorical', ...categorical.stable },
      ],
      prediction: { name: 'score', ...numeric.shifted },
    });
    expect(report.features.map((f) => f.recommendation)).toEqual(['NONE', 'NONE']);
    expect(report.prediction?.recommendation).toBe('INVESTIGATE');
    expect(report.recommendation).toBe('INVESTIGATE');
    expect(report.reasons).toEqual(report.prediction!.reasons);
    const calm = driftReport({ features: [{ name: 'age', ...numeric.stable }] });
    expect(calm.recommendation).toBe('NONE');
    expect(calm.reasons).toHaveLength(1);
    expect(() => driftReport({ features: [] })).toThrow(/at least one feature/);
  });
});
