import { describe, expect, it } from 'vitest';
import { designExperiment, experimentPowerAt } from '../../../src/engine/stats/experimentDesign.ts';
import { meanPower } from '../../../src/engine/stats/meanSampleSize.ts';
import { multiArmSampleSize } from '../../../src/engine/stats/multiArmDesign.ts';
import type { MetricDesign } from '../../../src/engine/stats/multiMetricDecision.ts';
import { multiMetricSampleSize } from '../../../src/engine/stats/multiMetricDecision.ts';

// Reference values: scripts/reference/design_ttest.py (statsmodels 0.13.5 NormalIndPower / TTestIndPower),
// and the engine's own multiMetricSampleSize and multiArmSampleSize, each pinned to statsmodels in its tests.

const success: MetricDesign = {
  name: 'tokens',
  role: 'success',
  kind: 'mean',
  baseline: 10,
  standardDeviation: 2,
  minimumEffect: 0.25,
  cupedCorrelation: 0.7,
};
const latency: MetricDesign = {
  name: 'latency',
  role: 'guardrail',
  kind: 'mean',
  baseline: 300,
  standardDeviation: 120,
  margin: 0.01,
  relative: true,
  direction: 'lower-is-better',
};
const errors: MetricDesign = {
  name: 'errors',
  role: 'guardrail',
  kind: 'proportion',
  baseline: 0.02,
  margin: 0.002,
  direction: 'lower-is-better',
};

describe('designExperiment', () => {
  it('with two arms and one-sided tests is multiMetricSampleSize', () => {
    const metrics = [success, latency, errors];
    const expected = multiMetricSampleSize({ metrics, alpha: 0.05, power: 0.8 });
    const result = designExperiment({ metrics });
    expect(result.metrics.map((m) => [m.nPerArm, m.nSecondArm])).toEqual(expected.metrics.map((m) => [m.nPerArm, m.nSecondArm]));
    expect(result).toMatchObject({
      nPerArm: expected.nPerArm,
      nSecondArm: expected.nSecondArm,
      nTotal: expected.nTotal,
      limitingMetric: expected.limitingMetric,
      perTestBeta: expected.perTestBeta,
      shares: [0.5, 0.5],
    });
  });

  it('a single success metric over 4 arms is the square-root allocation of multiArmSampleSize', () => {
    const plain = { ...success, cupedCorrelation: 0 };
    const result = designExperiment({ metrics: [plain], arms: 4, sides: 2 });
    const expected = multiArmSampleSize({ controlVariance: 4, candidates: 3, difference: 0.25, alpha: 0.05, power: 0.8, sides: 2 });
    expect(result.nPerArm).toBe(expected.nControl);
    expect(result.nSecondArm).toBe(expected.nCandidates[0]);
    expect(result.comparisonAlpha).toBeCloseTo(0.05 / 3, 15);
    expect(result.ratio).toBeCloseTo(1 / Math.sqrt(3), 15);
    expect(result.shares[0]).toBeCloseTo(Math.sqrt(3) / (Math.sqrt(3) + 3), 15);
  });

  it('a single rate over 3 arms takes its own optimal split, as multiArmSampleSize (the candidate variance moves with the effect)', () => {
    const rate: MetricDesign = { name: 'conversion', role: 'success', kind: 'proportion', baseline: 0.1, minimumEffect: 0.02 };
    const result = designExperiment({ metrics: [rate], arms: 3, sides: 2 });
    const expected = multiArmSampleSize({
      controlVariance: 0.1 * 0.9,
      candidateVariances: [0.12 * 0.88, 0.12 * 0.88],
      difference: 0.02,
      alpha: 0.05,
      power: 0.8,
      sides: 2,
    });
    expect([result.nPerArm, result.nSecondArm]).toEqual([expected.nControl, expected.nCandidates[0]]);
    expect(result.shares[0]).toBeCloseTo(expected.allocation.control, 14);
    expect(result.ratio).toBeCloseTo(Math.sqrt((0.12 * 0.88) / (0.1 * 0.9)) / Math.SQRT2, 14);
  });

  it('mean success (ρ 0.7) with a latency guardrail over 3 arms: α/2 each, power 0.9, ratio 1/√2', () => {
    const result = designExperiment({ metrics: [success, { ...latency, margin: 3, relative: false }], arms: 3 });
    // NormalIndPower().solve_power(effect_size=0.25/2/sqrt(0.51), alpha=0.025, power=0.9, ratio=1/sqrt(2), 'larger') = 827.9842113138874
    // NormalIndPower().solve_power(effect_size=3/120, alpha=0.025, power=0.9, ratio=1/sqrt(2), 'larger') = 40587.46121683486
    expect(result.metrics.map((m) => m.nPerArm)).toEqual([828, 40588]);
    expect(result.metrics[1].nSecondArm).toBe(Math.ceil(40587.46121683486 / Math.sqrt(2)));
    expect(result).toMatchObject({ nPerArm: 40588, nSecondArm: 28700, nTotal: 40588 + 2 * 28700, limitingMetric: 'latency' });
    expect(result.metrics[0]).toMatchObject({ alpha: 0.025, sides: 1 });
    expect(result.metrics[0].power).toBeCloseTo(0.9, 15);
  });

  it('the t-test sizes mean metrics with estimated variances', () => {
    const result = designExperiment({ metrics: [success, { ...latency, margin: 3, relative: false }, errors], arms: 3, test: 't' });
    // With one guardrail each test has power 0.9:
    // brentq(… TTestIndPower().power(0.25/2/sqrt(0.51), n, 0.025, ratio=1/sqrt(2), 'larger') - 0.9 …) = 829.1109603470009
    const one = designExperiment({ metrics: [success, { ...latency, margin: 3, relative: false }], arms: 3, test: 't' });
    expect(one.metrics[0].nPerArm).toBe(830);
    expect(one.test).toBe('t');
    expect(result.metrics.map((m) => m.test)).toEqual(['t', 't', 'z']);
  });

  it('power curves: each metric reaches its power at its own n', () => {
    const options = { metrics: [success, latency], arms: 3 };
    const result = designExperiment(options);
    const [first] = experimentPowerAt(options, result.metrics[0].nPerArm);
    expect(first.power).toBeGreaterThanOrEqual(0.9);
    const settings = result.metrics[0];
    expect(first.power).toBeCloseTo(
      meanPower({
        standardDeviation: 2,
        cupedCorrelation: 0.7,
        difference: 0.25,
        nPerArm: settings.nPerArm,
        alpha: 0.025,
        sides: 1,
        ratio: 1 / Math.sqrt(2),
      }).power,
      15,
    );
    expect(experimentPowerAt({ ...options, test: 't' }, 1)[0].power).toBe(0);
  });

  it('names the input that is wrong', () => {
    expect(() => designExperiment({ metrics: [latency] })).toThrow('metrics must include at least one success metric');
    expect(() => designExperiment({ metrics: [success], arms: 1 })).toThrow('arms must be a whole number of at least 2, got 1');
    expect(() => designExperiment({ metrics: [success], arms: 3, ratio: 2 })).toThrow(/ratio applies to two arms/);
    expect(() => designExperiment({ metrics: [{ ...latency, standardDeviation: undefined }, success] })).toThrow(
      'metrics[0].standardDeviation must be a positive number for a mean metric, got undefined',
    );
  });
});
