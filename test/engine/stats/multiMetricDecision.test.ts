import { describe, expect, it } from 'vitest';
import { normalSampler } from '../../../src/engine/random/normal.ts';
import { streamFor } from '../../../src/engine/random/streams.ts';
import { normalSf } from '../../../src/engine/stats/distributions.ts';
import type { MetricDesign, MetricResult } from '../../../src/engine/stats/multiMetricDecision.ts';
import { multiMetricDecision, multiMetricSampleSize } from '../../../src/engine/stats/multiMetricDecision.ts';
import { expectRelative } from '../../helpers/close.ts';

// Reference: scripts/reference/design_multi.py (statsmodels 0.13.5 NormalIndPower / normal_sample_size_one_tail,
// /usr/bin/python3). S = 2 success metrics at one-sided α/S = 0.025, G = 3 guardrails at α = 0.05, every
// test powered at 1 − 0.2/(3 + 1) = 0.95 (Schultzberg, Ankargren & Frånberg 2024).

const metrics: MetricDesign[] = [
  { name: 'conversion', role: 'success', kind: 'proportion', baseline: 0.1, minimumEffect: 0.01 },
  { name: 'tokens', role: 'success', kind: 'mean', baseline: 50, standardDeviation: 30, minimumEffect: 0.02, relative: true },
  { name: 'errors', role: 'guardrail', kind: 'proportion', baseline: 0.02, margin: 0.002, direction: 'lower-is-better' },
  {
    name: 'latency',
    role: 'guardrail',
    kind: 'mean',
    baseline: 300,
    standardDeviation: 120,
    margin: 0.01,
    relative: true,
    direction: 'lower-is-better',
    cupedCorrelation: 0.6,
  },
  { name: 'cost', role: 'guardrail', kind: 'ratio', baseline: 1.2, standardDeviation: 0.8, margin: 0.05, direction: 'lower-is-better' },
];

describe('multiMetricSampleSize', () => {
  const design = multiMetricSampleSize({ metrics });
  const byName = Object.fromEntries(design.metrics.map((metric) => [metric.name, metric]));

  it('levels: success α/S = 0.025, guardrails α = 0.05, power 1 − β/(G + 1) = 0.95', () => {
    expect(design.successCount).toBe(2);
    expect(design.guardrailCount).toBe(3);
    expectRelative(design.perTestBeta, 0.05, 1e-15);
    expect(byName.conversion.alpha).toBe(0.025);
    expect(byName.errors.alpha).toBe(0.05);
    expect(byName.latency.power).toBeCloseTo(0.95, 15);
  });

  it("each metric's n matches statsmodels (values in the script's output)", () => {
    // normal_sample_size_one_tail(0.01, 0.95, 0.025, std=√(.1·.9 + .11·.89)) = 24417.0601127725
    expect(byName.conversion.nPerArm).toBe(24418);
    // NormalIndPower().solve_power(effect_size=1/30, alpha=0.025, power=0.95, ratio=1, 'larger') = 23390.478021611674
    expect(byName.tokens.nPerArm).toBe(23391);
    // normal_sample_size_one_tail(0.002, 0.95, 0.05, std=√(2·.02·.98)) = 106057.30340054023
    expect(byName.errors.nPerArm).toBe(106058);
    // solve_power(effect_size=3/(120·√(1 − 0.36)), alpha=0.05, power=0.95, 'larger') = 22163.81197594986
    expect(byName.latency.nPerArm).toBe(22164);
    // solve_power(effect_size=0.05/0.8, alpha=0.05, power=0.95, 'larger') = 5540.9529939874055
    expect(byName.cost.nPerArm).toBe(5541);
  });

  it('the test needs the maximum over the metrics', () => {
    expect(design.nPerArm).toBe(106058);
    expect(design.limitingMetric).toBe('errors');
    expect(design.nTotal).toBe(2 * 106058);
  });

  it('names bad input', () => {
    expect(() => multiMetricSampleSize({ metrics: [] })).toThrow(/metrics must list at least one metric/);
    expect(() => multiMetricSampleSize({ metrics: [metrics[2]] })).toThrow(/at least one success metric/);
    expect(() => multiMetricSampleSize({ metrics: [{ ...metrics[0], minimumEffect: undefined }] })).toThrow(
      /metrics\[0\].minimumEffect must be a positive number/,
    );
    expect(() => multiMetricSampleSize({ metrics: [metrics[0], { ...metrics[3], margin: undefined }] })).toThrow(
      /metrics\[1\].margin is required for a guardrail/,
    );
    expect(() => multiMetricSampleSize({ metrics: [{ ...metrics[1], standardDeviation: undefined }] })).toThrow(
      /metrics\[0\].standardDeviation must be a positive number for a mean metric/,
    );
  });
});

describe('multiMetricDecision', () => {
  const base: MetricResult[] = [
    { name: 'conversion', role: 'success', pValue: 0.02 },
    { name: 'tokens', role: 'success', pValue: 0.4 },
    { name: 'errors', role: 'guardrail', pValue: 0.01 },
    { name: 'latency', role: 'guardrail', pValue: 0.049 },
  ];

  it('ships when one success metric beats α/S and every guardrail is non-inferior at α', () => {
    const decision = multiMetricDecision(base);
    expect(decision.ship).toBe(true);
    expect(decision.metrics.map((metric) => metric.verdict)).toEqual(['improved', 'not-improved', 'non-inferior', 'non-inferior']);
    expect(decision.metrics[0].threshold).toBe(0.025);
    expect(decision.metrics[3].threshold).toBe(0.05);
  });

  it('does not ship when the success p-value passes α but not α/S', () => {
    const decision = multiMetricDecision([{ ...base[0], pValue: 0.03 }, ...base.slice(1)]);
    expect(decision.ship).toBe(false);
    expect(decision.reason).toBe('no success metric improved significantly');
  });

  it('does not ship when a guardrail fails to show non-inferiority, naming it', () => {
    const decision = multiMetricDecision([...base.slice(0, 3), { ...base[3], pValue: 0.2 }]);
    expect(decision.ship).toBe(false);
    expect(decision.reason).toBe('non-inferiority not shown for guardrail(s): latency');
  });

  it('does not ship when a metric is significantly worse', () => {
    const decision = multiMetricDecision([{ ...base[1], deteriorationPValue: 0.001 }, ...base.slice(0, 1), ...base.slice(2)]);
    expect(decision.ship).toBe(false);
    expect(decision.metrics[0].verdict).toBe('deteriorated');
  });

  it('names bad input', () => {
    expect(() => multiMetricDecision([{ ...base[0], pValue: 2 }])).toThrow(/results\[0\].pValue must be between 0 and 1, got 2/);
    expect(() => multiMetricDecision([base[2]])).toThrow(/at least one success metric/);
  });
});

describe('the rule keeps its error rates (seeded simulation of the test statistics)', () => {
  // With n from multiMetricSampleSize, each metric's z statistic is normal with mean √n₁·(Δ − Δ₀)/σ_d;
  // drawing the z's directly (independent metrics) checks the α/S and β/(G + 1) bookkeeping of the rule.
  const replicates = 20000;
  const design = multiMetricSampleSize({ metrics });
  const shifts = (successEffects: boolean): number[] =>
    design.metrics.map((metric, i) => {
      const spec = metrics[i];
      const variance =
        spec.kind === 'proportion'
          ? spec.baseline * (1 - spec.baseline) + (spec.baseline + metric.difference) * (1 - spec.baseline - metric.difference)
          : 2 * (spec.standardDeviation ?? 0) ** 2 * (1 - (spec.cupedCorrelation ?? 0) ** 2);
      const difference = metric.role === 'success' && !successEffects ? 0 : metric.difference;
      // Oriented so that "better" is positive: z for H1 of the rule's one-sided test.
      const sign = (spec.direction ?? 'higher-is-better') === 'higher-is-better' ? 1 : -1;
      return (sign * Math.sqrt(design.nPerArm) * (difference - metric.nullDifference)) / Math.sqrt(variance);
    });
  const shipRate = (successEffects: boolean, seed: string): number => {
    const normal = normalSampler(streamFor(seed, 0));
    const means = shifts(successEffects);
    let shipped = 0;
    for (let r = 0; r < replicates; r++) {
      const results = design.metrics.map((metric, i) => ({ name: metric.name, role: metric.role, pValue: normalSf(means[i] + normal()) }));
      if (multiMetricDecision(results).ship) shipped++;
    }
    return shipped / replicates;
  };

  it('ships with probability ≥ 1 − β = 0.8 when every metric is at its planned effect', () => {
    // The union bound is conservative; the binomial SE at 0.8 is 0.0028.
    expect(shipRate(true, 'design-multi-metric-power')).toBeGreaterThan(0.8 - 3 * 0.0028);
  });

  it('ships with probability ≤ α = 0.05 when no success metric moves (guardrails fine)', () => {
    // Worst case for the success family, Bonferroni: ≤ 0.05; SE at 0.05 is 0.0015.
    expect(shipRate(false, 'design-multi-metric-size')).toBeLessThan(0.05 + 3 * 0.0015);
  });
});
