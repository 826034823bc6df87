/**
 * The audit's stage-by-stage numbers (src/sim/audit/auditRollout.ts) on the hand case,
 * whose false-rollback rate is known in closed form (test/sim/exact/evaluateExact.test.ts, case A;
 * scripts/reference/exact_chain.py, scipy 1.10.1): 1,500 expected requests per 5-minute check to
 * an identical candidate with 0.1% errors, a limit of 0.2% on the window's error rate, 24 checks
 * of a 2-hour full stage after a 5-minute baseline and a 5-minute canary whose rule cannot fail:
 * P(rollback) = 1 − (1 − q)^24 = 0.960558369954671, all of it in the full stage.
 */
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/engine/policy/policy.ts';
import { auditRollout } from '../../../src/sim/audit/auditRollout.ts';
import { evaluateExact } from '../../../src/sim/exact/evaluateExact.ts';
import type { Scenario } from '../../../src/sim/scenario.ts';
import { parseScenario } from '../../../src/sim/scenario.ts';

const handRate = 0.960558369954671;

function handScenario(errorRate: number): Scenario {
  const model = { latency: { kind: 'lognormal', median: 100, sigma: 0.5 }, errorRate: 0.001 };
  const parsed = parseScenario({
    version: 1,
    name: errorRate === 0.001 ? 'hand case' : 'hand case, 3× errors',
    horizon: '7d',
    traffic: { requestsPerSecond: 5, users: { count: 1000 } },
    control: model,
    candidate: { ...model, errorRate },
    truth: { errorRateRatio: 1, p95Ratio: 1 },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario;
}

const handPolicy = {
  version: 1,
  baseline: { mode: 'historical' },
  guards: { minRequests: 100, failureLimit: 1 },
  flag: { name: 'hand' },
  stages: [
    { kind: 'baseline', minDuration: '5m', minRequests: 1, checkInterval: '5m' },
    {
      kind: 'canary',
      traffic: 0.05,
      minDuration: '5m',
      checkInterval: '5m',
      guards: { minRequests: 1 },
      rules: [{ type: 'absolute', metric: 'errorRate', max: 1 }],
    },
    { kind: 'full', minDuration: '2h', checkInterval: '5m', rules: [{ type: 'absolute', metric: 'errorRate', max: 0.002 }] },
    { kind: 'promote' },
  ],
} as Policy;

const healthy = handScenario(0.001);
const regressed = handScenario(0.003);

describe('auditRollout, exact', () => {
  const audit = auditRollout(handPolicy, healthy, regressed, { detectWithin: 3600 });

  it('says it is exact, and puts the closed-form false-rollback rate 0.960558369954671 in the full stage', () => {
    expect(audit.method).toBe('exact');
    expect(audit.fallback).toEqual([]);
    expect(audit.neglectedMass).toBeLessThan(1e-8);
    expect(audit.stages.map((stage) => [stage.kind, stage.traffic])).toEqual([
      ['baseline', 0],
      ['canary', 0.05],
      ['full', 1],
    ]);
    expect(audit.falseRollbackRate.rate).toBeCloseTo(handRate, 9);
    const [baseline, canary, full] = audit.stages;
    expect(baseline.falseRollback.rate).toBeCloseTo(0, 12);
    expect(canary.falseRollback.rate).toBeCloseTo(0, 12);
    expect(full.falseRollback.rate).toBeCloseTo(handRate, 9);
    // Nothing can stop the rollout before the full stage: every stage is reached.
    for (const stage of audit.stages) {
      expect(stage.reachedHealthy.rate).toBeCloseTo(1, 12);
      expect(stage.reachedRegressed.rate).toBeCloseTo(1, 12);
    }
  });

  it('the regressed world: every rollback in the full stage, the stages’ numbers add up to the totals', () => {
    const [baseline, canary, full] = audit.stages;
    expect(baseline.regressionRollback.rate).toBeCloseTo(0, 12);
    expect(canary.regressionRollback.rate).toBeCloseTo(0, 12);
    expect(full.regressionRollback.rate as number).toBeGreaterThan(handRate);
    expect((full.regressionRollback.rate as number) + (audit.missedRegressionRate.rate as number)).toBeCloseTo(1, 9);
    expect(canary.timeToDetect.mean).toBeNull();
    expect(full.timeToDetect).toEqual(audit.timeToDetect);
    // The worse candidate first serves in the canary's window [300, 600); the full stage's j-th
    // check ends at 600 + 300j, so the earliest detection is 600 s after it first served.
    expect(full.timeToDetect.median as number).toBeGreaterThanOrEqual(600);
    const served = audit.stages.reduce((sum, stage) => sum + stage.requestsServedWhileWorse, 0);
    expect(served).toBeCloseTo(audit.exposure.requestsServedWhileWorse, 6);
    expect(baseline.requestsServedWhileWorse).toBe(0);
    const users = audit.stages.reduce((sum, stage) => sum + (stage.usersServedWhileWorse as number), 0);
    expect(users).toBeCloseTo(audit.exposure.usersServedWhileWorse, 6);
    expect(baseline.usersServedWhileWorse).toBe(0);
    // Within an hour: detected ⇔ rolled back by the 11th full check (600 + 300·11 − 300 = 3600 s).
    expect(audit.detectionRate.rate as number).toBeLessThanOrEqual(full.regressionRollback.rate as number);
    expect(audit.detectionRate.rate as number).toBeGreaterThan(0.9);
  });
});

describe('auditRollout, exact stage breakdown from one evaluation per world', () => {
  // Rollbacks in both serving stages: a 30-minute canary with the full stage's 0.2% limit.
  const twoStages = {
    ...handPolicy,
    stages: handPolicy.stages.map((stage) =>
      stage.kind === 'canary'
        ? { ...stage, minDuration: '30m', guards: { minRequests: 10 }, rules: [{ type: 'absolute', metric: 'errorRate', max: 0.002 }] }
        : stage,
    ),
  } as Policy;

  /** The policy cut after stage `last` and promoted there (the breakdown's method before the per-stage tally). */
  function prefix(last: number): Policy {
    return { ...twoStages, stages: [...twoStages.stages.slice(0, last + 1), { kind: 'promote' }] } as Policy;
  }

  it('equals the differences of the policy’s prefixes, stage by stage (within 1e-9)', () => {
    const audit = auditRollout(twoStages, healthy, regressed);
    expect(audit.method).toBe('exact');
    const tallies = (scenario: Scenario) =>
      [0, 1, 2].map((last) => {
        const result = last === 2 ? evaluateExact(scenario, twoStages) : evaluateExact(scenario, prefix(last));
        if (!result.supported) throw new Error(result.features.join('; '));
        return result.tally;
      });
    const [h, r] = [tallies(healthy), tallies(regressed)];
    for (const [k, stage] of audit.stages.entries()) {
      const rollback = (list: typeof h) => list[k].rollback - (k > 0 ? list[k - 1].rollback : 0);
      expect(stage.falseRollback.rate as number).toBeCloseTo(rollback(h), 9);
      expect(stage.regressionRollback.rate as number).toBeCloseTo(rollback(r), 9);
      expect(stage.reachedRegressed.rate as number).toBeCloseTo(k > 0 ? r[k - 1].promote : 1, 9);
      const served = r[k].requestsServedWhileWorse - (k > 0 ? r[k - 1].requestsServedWhileWorse : 0);
      expect(stage.requestsServedWhileWorse).toBeCloseTo(served, 6);
      const users = r[k].usersServedWhileWorse - (k > 0 ? r[k - 1].usersServedWhileWorse : 0);
      expect(stage.usersServedWhileWorse as number).toBeCloseTo(users, 6);
    }
    const [, canary, full] = audit.stages;
    expect(canary.regressionRollback.rate as number).toBeGreaterThan(0.01);
    expect(full.regressionRollback.rate as number).toBeGreaterThan(0.01);
    expect(canary.usersServedWhileWorse as number).toBeGreaterThan(0);
    expect(full.usersServedWhileWorse as number).toBeGreaterThan(0);
  });
});

describe('auditRollout, Monte-Carlo', () => {
  it('agrees with the exact stage numbers within 4 standard errors, each rate with its Wilson interval', () => {
    const replicates = 1000;
    const exact = auditRollout(handPolicy, healthy, regressed);
    const simulated = auditRollout(handPolicy, healthy, regressed, { method: 'monteCarlo', replicates, seed: 'audit-hand' });
    expect(simulated.method).toBe('monteCarlo');
    expect(simulated.replicates).toBe(replicates);
    for (const [index, stage] of simulated.stages.entries()) {
      for (const field of ['falseRollback', 'regressionRollback', 'reachedHealthy', 'reachedRegressed'] as const) {
        const p = exact.stages[index][field].rate as number;
        const standardError = Math.sqrt(Math.max(p * (1 - p), 1e-4) / replicates);
        expect(Math.abs((stage[field].rate as number) - p)).toBeLessThan(4 * standardError);
        expect(stage[field].lower as number).toBeLessThanOrEqual(stage[field].rate as number);
        expect(stage[field].upper as number).toBeGreaterThanOrEqual(stage[field].rate as number);
      }
    }
    const p = handRate;
    expect(Math.abs((simulated.falseRollbackRate.rate as number) - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / replicates));
    const served = simulated.stages.reduce((sum, stage) => sum + stage.requestsServedWhileWorse, 0);
    expect(served).toBeCloseTo(simulated.exposure.requestsServedWhileWorse, 6);
  });

  it('falls back to Monte-Carlo and names the feature when the evaluator has no exact form', () => {
    const statistical = {
      ...handPolicy,
      stages: handPolicy.stages.map((stage) =>
        stage.kind === 'full'
          ? { ...stage, rules: [{ type: 'statistical', metric: 'errorRate', minimumEffect: 0.001, method: 'alwaysValid' }] }
          : stage,
      ),
    } as Policy;
    const audit = auditRollout(statistical, healthy, regressed, { replicates: 50 });
    expect(audit.method).toBe('monteCarlo');
    expect(audit.fallback.join('; ')).toMatch(/statistical rule on errorRate/);
  });

  it('checks its options at the edge', () => {
    expect(() => auditRollout(handPolicy, healthy, regressed, { replicates: 0 })).toThrow(
      'replicates must be a whole number of at least 1, got 0',
    );
    expect(() => auditRollout(handPolicy, healthy, regressed, { detectWithin: -1 })).toThrow(/detectWithin must be a positive/);
  });
});
