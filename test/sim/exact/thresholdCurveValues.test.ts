/**
 * A threshold curve's exact answers pinned before speed work on the historical check's laws
 * (baselineLaw.ts `rateBelow`, healthCheckLaw.ts `historicalCurve`): work that changes only how
 * a sum is organised must leave them within 1e-12. The reference values are this evaluator's
 * answers at commit db7957d (printed to 17 digits by the same calls as below, 2026-12-04) — a
 * regression pin, not an independent reference: the laws themselves are checked
 * against scipy and brute force in healthCheckLaw.test.ts and baselineLaw.test.ts. Every
 * threshold of a four-point curve with the historical baseline's noise integrated over (cells),
 * in both worlds, through the lab's path (`exactOperatingCurve`, one vector chain for all
 * settings) and through `evaluateExact` alone.
 */
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/engine/policy/policy.ts';
import { evaluateExact } from '../../../src/sim/exact/evaluateExact.ts';
import { exactOperatingCurve } from '../../../src/sim/exact/exactOperatingCurve.ts';
import type { Scenario } from '../../../src/sim/scenario.ts';
import { parseScenario } from '../../../src/sim/scenario.ts';

function scenario(errorRate: number): Scenario {
  const parsed = parseScenario({
    version: 1,
    name: `shared curve case, candidate errors ${errorRate}`,
    horizon: '2h',
    traffic: { requestsPerSecond: 20, users: { count: 1000 } },
    control: { latency: { kind: 'lognormal', median: 100, sigma: 0.5 }, errorRate: 0.01 },
    candidate: { latency: { kind: 'lognormal', median: 100, sigma: 0.5 }, errorRate },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario;
}

/** A 30-minute historical baseline (its noise integrated over), a canary and a full stage with the error-ratio rule at `maxRatio`. */
function policy(maxRatio: number): Policy {
  return {
    version: 1,
    baseline: { mode: 'historical' },
    guards: { minRequests: 50, failureLimit: 2 },
    flag: { name: 'shared' },
    stages: [
      { kind: 'baseline', minDuration: '30m', minRequests: 1, checkInterval: '5m' },
      { kind: 'canary', traffic: 0.1, minDuration: '30m', checkInterval: '5m', rules: [{ type: 'ratio', metric: 'errorRate', maxRatio }] },
      {
        kind: 'full',
        minDuration: '30m',
        checkInterval: '5m',
        rules: [
          { type: 'ratio', metric: 'errorRate', maxRatio },
          { type: 'absolute', metric: 'errorRate', max: 0.05 },
        ],
      },
      { kind: 'promote' },
    ],
  } as Policy;
}

// [maxRatio, healthy rollback, healthy promote, healthy neglected, regressed rollback, regressed promote, regressed neglected]
// at commit db7957d, maxNeglected 1e-2.
const before = [
  [1.3, 0.2775586971633031, 0.7223883898391938, 0.0008783475621735023, 1, 0, 5.600897622368171e-12],
  [1.5, 0.08742612248596197, 0.9125737767745874, 0.0008405853436797605, 1, 0, 5.631545288949553e-12],
  [2, 0.0018113918482579627, 0.9981886081517417, 0.00008551885774276999, 0.9999999999999998, 0, 5.950595184515648e-12],
  [
    2.7, 0.0000016571383836076417, 0.9999983428616164, 3.299364877023126e-7, 0.9972678577039955, 0.0024440541456163937,
    0.0023278776623511708,
  ],
] as const;

describe('threshold curve values (historical error ratio, baseline cells)', () => {
  const healthy = scenario(0.01);
  const regressed = scenario(0.03);

  it('the lab path (one vector chain for four thresholds, both worlds) gives the pinned answers to 1e-12', () => {
    const result = exactOperatingCurve({
      healthy,
      regressed,
      settings: before.map(([value]) => ({ value, policy: policy(value) })),
      maxNeglected: 1e-2,
    });
    expect(result.supported).toBe(true);
    if (!result.supported) return;
    result.points.forEach((point, i) => {
      const [value, rollback, promote, neglected, regressedRollback, regressedPromote, regressedNeglected] = before[i];
      expect(point.value).toBe(value);
      expect(Math.abs((point.healthy.rollbackRate.rate as number) - rollback), `healthy rollback at ${value}`).toBeLessThan(1e-12);
      expect(Math.abs((point.healthy.promoteRate.rate as number) - promote), `healthy promote at ${value}`).toBeLessThan(1e-12);
      expect(Math.abs(point.healthy.neglectedMass - neglected), `healthy neglected at ${value}`).toBeLessThan(1e-12);
      expect(Math.abs((point.regressed.rollbackRate.rate as number) - regressedRollback), `regressed rollback at ${value}`).toBeLessThan(
        1e-12,
      );
      expect(Math.abs((point.regressed.promoteRate.rate as number) - regressedPromote), `regressed promote at ${value}`).toBeLessThan(
        1e-12,
      );
      expect(Math.abs(point.regressed.neglectedMass - regressedNeglected), `regressed neglected at ${value}`).toBeLessThan(1e-12);
    });
  });

  it('one setting alone gives the same answer to 1e-12', () => {
    const alone = evaluateExact(healthy, policy(2), { maxNeglected: 1e-2 });
    expect(alone.supported).toBe(true);
    if (!alone.supported) return;
    expect(Math.abs((alone.summary.rollbackRate.rate as number) - 0.0018113918482579627)).toBeLessThan(1e-12);
    expect(Math.abs(alone.summary.neglectedMass - 0.00008551885774276999)).toBeLessThan(1e-12);
  });
});
