/**
 * The exact operating curve (src/sim/exact/exactOperatingCurve.ts) on the hand case
 * (test/sim/exact/evaluateExact.test.ts says how it is written as a scenario and policy): at the
 * 0.2% limit the healthy candidate is rolled back with probability 0.960558369954671
 * (scripts/reference/exact_chain.py, scipy 1.10.1; the 0.96056); every point is the
 * evaluator's own answer for that setting, and a policy the evaluator does not cover returns its
 * features instead of a curve.
 */
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/engine/policy/policy.ts';
import { evaluateExact } from '../../../src/sim/exact/evaluateExact.ts';
import { exactOperatingCurve } from '../../../src/sim/exact/exactOperatingCurve.ts';
import { alwaysValidDefaultPolicy } from '../../helpers/alwaysValidDefaultPolicy.ts';
import { curveHandPolicy as handPolicy, curveHandScenario as handScenario } from '../../helpers/exactChainCases.ts';

describe('exactOperatingCurve', () => {
  const healthy = handScenario(0.001);
  const regressed = handScenario(0.003);
  const limits = [0.002, 0.0015, 0.003];
  const result = exactOperatingCurve({ healthy, regressed, settings: limits.map((value) => ({ value, policy: handPolicy(value) })) });

  it('answers the hand case: P(false rollback) = 0.960558369954671 at the 0.2% limit (scipy)', () => {
    expect(result.supported).toBe(true);
    if (!result.supported) return;
    expect(result.points.map((point) => point.value)).toEqual(limits);
    expect(result.points[0].healthy.falseRollbackRate.rate).toBeCloseTo(0.960558369954671, 6);
    expect(result.points[0].healthy.mode).toBe('exact');
  });

  it('gives each setting exactly what evaluateExact gives it alone, in both worlds', () => {
    if (!result.supported) throw new Error('unsupported');
    for (const point of result.points) {
      for (const [scenario, summary] of [
        [healthy, point.healthy],
        [regressed, point.regressed],
      ] as const) {
        // One vector run for all settings: each column's arithmetic and pruning are its own run's
        // (vectorChain.ts) — equal up to the order in which merged states are summed.
        const alone = evaluateExact(scenario, handPolicy(point.value));
        expect(alone.supported).toBe(true);
        if (!alone.supported) return;
        expect(summary.rollbackRate.rate as number).toBeCloseTo(alone.summary.rollbackRate.rate as number, 12);
        expect(summary.falseRollbackRate.rate ?? 0).toBeCloseTo(alone.summary.falseRollbackRate.rate ?? 0, 12);
        expect(summary.exposure.requestsServedWhileWorse).toBeCloseTo(alone.summary.exposure.requestsServedWhileWorse, 6);
      }
      // The point carries the node count the answers used (the larger of the two worlds').
      const nodes = [healthy, regressed].map((scenario) => {
        const alone = evaluateExact(scenario, handPolicy(point.value));
        return alone.supported ? alone.baselineNodes : 0;
      });
      expect(point.baselineNodes).toBe(Math.max(...nodes));
    }
  });

  it('rolls back less often as the limit loosens, in both worlds', () => {
    if (!result.supported) throw new Error('unsupported');
    const byLimit = [...result.points].sort((a, b) => a.value - b.value);
    const healthyRates = byLimit.map((point) => point.healthy.rollbackRate.rate ?? Number.NaN);
    const regressedRates = byLimit.map((point) => point.regressed.rollbackRate.rate ?? Number.NaN);
    expect(healthyRates[0]).toBeGreaterThan(healthyRates[1]);
    expect(healthyRates[1]).toBeGreaterThan(healthyRates[2]);
    expect(regressedRates[0]).toBeGreaterThanOrEqual(regressedRates[2]);
    expect(regressedRates[2]).toBeGreaterThan(healthyRates[2]);
  });

  it('passes its node cap on to the evaluator (an invalid cap is refused by name)', () => {
    expect(() =>
      exactOperatingCurve({ healthy, regressed, settings: [{ value: 0.002, policy: handPolicy(0.002) }], maxBaselineNodes: 2.5 }),
    ).toThrow(/maxBaselineNodes must be an integer of at least 4, got 2.5/);
  });

  it('reports progress after each setting', () => {
    const seen: string[] = [];
    exactOperatingCurve(
      {
        healthy,
        regressed,
        settings: [
          { value: 0.002, policy: handPolicy(0.002) },
          { value: 0.003, policy: handPolicy(0.003) },
        ],
      },
      (done, total) => seen.push(`${done}/${total}`),
    );
    expect(seen).toEqual(['1/2', '2/2']);
  });

  it('returns the features, not a curve, for a policy the evaluator does not cover (the framework default, always-valid A/B)', () => {
    const refused = exactOperatingCurve({ healthy, regressed, settings: [{ value: 2, policy: alwaysValidDefaultPolicy() }] });
    expect(refused.supported).toBe(false);
    if (refused.supported) return;
    expect(refused.features.some((feature) => feature.startsWith('shadow stage'))).toBe(false);
    expect(refused.features.some((feature) => feature.startsWith('always-valid A/B design'))).toBe(true);
  });

  describe('bounded answers (boundedUpTo)', () => {
    // The hand case's answers neglect 1.0018656168168492e-11 (healthy) and 3.2632230562712178e-12
    // (regressed) of probability at the default tolerance (this file's `result`, read back below);
    // at maxNeglected 1e-12 the evaluator refuses both for numerical tolerance alone.
    const setting = [{ value: 0.002, policy: handPolicy(0.002) }];
    const strict = { healthy, regressed, settings: setting, maxNeglected: 1e-12 };

    it('answers a setting refused for numerical tolerance alone, marked bounded with its mass and the refusal', () => {
      if (!result.supported) throw new Error('the hand case is refused');
      const exact = result.points[0];
      expect(exact.healthy.neglectedMass).toBeCloseTo(1.0018656168168492e-11, 20);
      expect(exact.regressed.neglectedMass).toBeCloseTo(3.2632230562712178e-12, 20);
      expect(exact.bounded).toBeUndefined();
      expect(result.boundedBecause).toBeUndefined();

      const bounded = exactOperatingCurve({ ...strict, boundedUpTo: 1e-9 });
      if (!bounded.supported) throw new Error(bounded.features.join('; '));
      const [point] = bounded.points;
      expect(point.bounded).toBe(true);
      expect(point.neglectedMass).toBe(exact.healthy.neglectedMass);
      // The same answer the default tolerance accepts (nothing recomputed differently), the 0.96056 of the hand case.
      expect(point.healthy.falseRollbackRate.rate).toBe(exact.healthy.falseRollbackRate.rate);
      expect(point.healthy.falseRollbackRate.rate).toBeCloseTo(0.960558369954671, 9);
      expect(point.regressed).toEqual(exact.regressed);
      expect(bounded.boundedBecause).toEqual([
        'numerical tolerance (the exact sums neglect 1.00e-11 of probability, above 1e-12)',
        'numerical tolerance (the exact sums neglect 3.26e-12 of probability, above 1e-12)',
      ]);
    });

    it('refuses as before without boundedUpTo (the CLI) or when the mass is above it', () => {
      for (const request of [strict, { ...strict, boundedUpTo: 5e-12 }]) {
        const refused = exactOperatingCurve(request);
        expect(refused).toEqual({
          supported: false,
          features: ['numerical tolerance (the exact sums neglect 1.00e-11 of probability, above 1e-12)'],
        });
      }
    });

    it('never bounds a refusal for a feature, whatever boundedUpTo', () => {
      const statistical = handPolicy(0.002);
      statistical.stages[2] = {
        ...statistical.stages[2],
        rules: [{ type: 'statistical', metric: 'errorRate', minimumEffect: 0.001, method: 'alphaSpending' }],
      } as Policy['stages'][number];
      const refused = exactOperatingCurve({ healthy, regressed, settings: [{ value: 0.002, policy: statistical }], boundedUpTo: 1 });
      expect(refused.supported).toBe(false);
      if (refused.supported) return;
      expect(refused.features).toEqual([expect.stringMatching(/^statistical rule on errorRate \(stage 2 /)]);
    });

    it('checks boundedUpTo is a probability', () => {
      expect(() => exactOperatingCurve({ ...strict, boundedUpTo: 2 })).toThrow(/boundedUpTo must be a probability between 0 and 1, got 2/);
    });
  });
});
