/**
 * Tuning within what the user's files can express (src/sim/audit/auditTuning.ts): the search
 * space keeps only expressible values and says what it left out; the answer is the imported policy
 * itself when the tuner's answer is its own setting.
 */
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/engine/policy/policy.ts';
import { parseRegression } from '../../../src/sim/audit/auditInputs.ts';
import { auditScenario } from '../../../src/sim/audit/auditScenario.ts';
import { auditTune, auditTuningSpace, defaultAuditTargets } from '../../../src/sim/audit/auditTuning.ts';

const rules = [{ type: 'ratio', metric: 'errorRate', maxRatio: 2 }];
const policy = {
  version: 1,
  name: 'two canaries',
  baseline: { mode: 'concurrent' },
  guards: { failureLimit: 2 },
  stages: [
    { kind: 'canary', traffic: 0.2, minDuration: '20m', checkInterval: '5m', rules },
    { kind: 'canary', traffic: 0.5, minDuration: '20m', checkInterval: '2m', rules },
    { kind: 'promote' },
  ],
} as Policy;
const worlds = auditScenario({ requestsPerSecond: 40, errorRate: 0.002, p95: 350, regression: [parseRegression('errors*3')] });

describe('auditTuningSpace', () => {
  it('offers ratio rules only (a condition in Argo or Flagger compares with a number: no sequential test)', () => {
    const { space, excluded } = auditTuningSpace(policy, worlds.healthy);
    expect(space.errorRule?.every((rule) => rule.type === 'ratio')).toBe(true);
    expect(space.errorRule?.map((rule) => (rule.type === 'ratio' ? rule.maxRatio : null))).toEqual([1.25, 1.5, 2, 3, 4]);
    expect(space.failureLimit).toEqual([1, 2, 3]);
    // 15 minutes is longer than no stage: every interval is valid.
    expect(excluded).toEqual([]);
  });

  it('keeps only the values the files can express, and says which it left out and why', () => {
    // A file that cannot change the minimum request count (the engine's default, 100).
    const expressible = (tuned: Policy) =>
      (tuned.guards?.minRequests ?? 100) !== 100 ? ['guards.minRequests: no field of the files maps to it'] : [];
    const { space, excluded } = auditTuningSpace(policy, worlds.healthy, expressible);
    expect(space.minRequests).toBeUndefined();
    expect(excluded).toEqual([
      { coordinate: 'minRequests', values: [25, 50, 200, 500], reason: 'guards.minRequests: no field of the files maps to it' },
    ]);
    expect(space.errorRule).toHaveLength(5);
  });
});

describe('auditTune', () => {
  it('the tuner’s base setting stands for the policy itself, not its copy flattened to one interval', async () => {
    // One evaluation: only the base setting is simulated, so it is the answer (met or closest).
    const result = await auditTune(policy, worlds.healthy, worlds.regressed, {
      targets: defaultAuditTargets,
      seed: 3,
      searchReplicates: 10,
      confirmReplicates: 10,
      maxEvaluations: 1,
      audit: { method: 'monteCarlo', replicates: 20 },
    });
    expect(result.tune.candidates).toHaveLength(1);
    // The base candidate sets both stages to the first stage's 5-minute interval ...
    expect((result.tune.candidates[0].policy.stages[1] as { checkInterval: string }).checkInterval).toBe('5m');
    // ... but the answer is the policy as it was.
    expect(result.recommended ?? result.closest).toBe(policy);
    expect(result.audit?.method).toBe('monteCarlo');
    expect(result.targets).toEqual({ maxFalseRollbackRate: 0.05, minDetectionRate: 0.9, detectWithin: 7200 });
  });
});
