/**
 * The tuner's exact search (issue 16, "`tune` searches on the exact evaluator when it applies and
 * confirms the winner by Monte-Carlo"): on a small case where both are cheap it recommends the
 * policy the Monte-Carlo search recommends; what the exact evaluator refuses is simulated, the
 * features named — the whole search when the base policy is refused, one candidate otherwise.
 *
 * The worlds are test/helpers/tuningWorlds.ts's (20 requests/s with a daily cycle, 1% control
 * errors) with a candidate at 1% (healthy) and 3% (regressed); the policy is one 10% canary for an
 * hour under a concurrent baseline with one error-ratio rule — the control's window counts are
 * random too, and the evaluator integrates over them.
 */
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../src/engine/policy/policy.ts';
import { exactTuningEvaluator, exactTuningFeatures } from '../../src/sim/exactTuningEvaluation.ts';
import { tune } from '../../src/sim/tune.ts';
import { tuningSettingKey } from '../../src/sim/tuningSpace.ts';
import { tuningWorld } from '../helpers/tuningWorlds.ts';

function oneCanary(errorRule: Record<string, unknown> = { type: 'ratio', metric: 'errorRate', maxRatio: 2 }): Policy {
  return {
    version: 1,
    name: 'one canary',
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 100, failureLimit: 1 },
    stages: [{ kind: 'canary', traffic: 0.1, minDuration: '1h', checkInterval: '5m', rules: [errorRule] }, { kind: 'promote' }],
  } as Policy;
}

/** A 30-minute shadow of all traffic at the framework's gates: the stage the exact tuner refuses to time. */
const shadowStage = {
  kind: 'shadow',
  minDuration: '30m',
  checkInterval: '5m',
  traffic: 1,
  comparison: { method: 'exact' },
  gates: { minAgreement: 0.95, maxLatencyRatio: 1.5, maxErrorRatio: 2, minComparisons: 1000 },
};
const healthy = tuningWorld('healthy', 0.01);
const regressed = tuningWorld('regressed (3× errors)', 0.03);
const targets = { maxFalseRollbackRate: 0.1, minDetectionRate: 0.85, detectWithin: 3600 };
const space = {
  errorRule: [1.5, 2, 3, 4].map((maxRatio) => ({ type: 'ratio' as const, maxRatio })),
  failureLimit: [1, 2, 3],
  minRequests: [50, 100],
};

describe('tune: the exact search', () => {
  const options = { targets, seed: 1, searchReplicates: 200, confirmReplicates: 1000, space };
  const exact = tune(oneCanary(), healthy, regressed, { ...options, search: 'exact' });
  const simulated = tune(oneCanary(), healthy, regressed, { ...options, search: 'simulation' });

  it('recommends the same policy as the Monte-Carlo search', () => {
    expect(exact.search).toBe('exact');
    expect(exact.fallback).toEqual([]);
    expect(simulated.search).toBe('window');
    expect(exact.recommended).not.toBeNull();
    expect(simulated.recommended).not.toBeNull();
    expect(tuningSettingKey(exact.recommended!.setting)).toBe(tuningSettingKey(simulated.recommended!.setting));
    expect(exact.recommended!.label).toBe('error ≤ 3×, every 5m, ≥ 100 requests, 1 failure in a row');
  });

  it('searches without sampling (no replicates, zero-width intervals) and confirms the winner on fresh replicates', () => {
    for (const candidate of exact.candidates) {
      expect(candidate.searchedBy).toBe('exact');
      expect(candidate.search.replicates).toBe(0);
      expect(candidate.search.falseRollbackRate.lower).toBe(candidate.search.falseRollbackRate.rate);
      expect(candidate.search.detectionRate.upper).toBe(candidate.search.detectionRate.rate);
    }
    // Only the confirmation was simulated: replicates [200, 1200) of both worlds per finalist.
    expect(exact.replicatesRun).toBe(2 * exact.finalists.length * 1000);
    const winner = exact.recommended!;
    expect(winner.confirmation!.from).toBe(200);
    expect(winner.confirmation!.to).toBe(1200);
    // The confirmation agrees with the exact rates within 4 standard errors of 1,000 replicates.
    for (const key of ['falseRollbackRate', 'detectionRate'] as const) {
      const p = winner.search[key].rate!;
      const se = Math.sqrt((p * (1 - p)) / 1000);
      expect(Math.abs(winner.confirmation![key].rate! - p)).toBeLessThanOrEqual(4 * Math.max(se, 1e-3));
    }
  });

  it('computes "caught within c" from the exact detection-time distribution', () => {
    const evaluator = exactTuningEvaluator(healthy, regressed);
    const policy = exact.recommended!.policy;
    const hour = evaluator.evaluate(policy, 3600);
    const firstWindow = evaluator.evaluate(policy, 300);
    if (!hour.supported || !firstWindow.supported) throw new Error('refused');
    // The regression is there from the start: every detection time is a whole number of 5-minute
    // windows (the first window's rollback is detected at 300 s), and within 299 s nothing is.
    expect(firstWindow.evaluation.detectionRate.rate!).toBeGreaterThan(0);
    expect(firstWindow.evaluation.detectionRate.rate!).toBeLessThan(hour.evaluation.detectionRate.rate!);
    const none = evaluator.evaluate(policy, 299);
    if (!none.supported) throw new Error('refused');
    expect(none.evaluation.detectionRate.rate).toBe(0);
    expect(none.evaluation.missedDetectionRate.rate).toBe(1);
    expect(hour.evaluation.falseRollbackRate).toEqual(firstWindow.evaluation.falseRollbackRate);
  });
});

describe('tune: what the exact evaluator refuses is simulated, the features named', () => {
  const options = { targets, seed: 2, searchReplicates: 50, confirmReplicates: 100, finalists: 2, search: 'exact' as const };

  it('falls back for the whole search when the base policy has no exact form', () => {
    const base = oneCanary({ type: 'statistical', metric: 'errorRate', minimumEffect: 0.005, alpha: 0.05 });
    const result = tune(base, healthy, regressed, { ...options, maxEvaluations: 3, space: { failureLimit: [1, 2] } });
    expect(result.search).toBe('window');
    expect(result.fallback).toHaveLength(1);
    expect(result.fallback[0]).toMatch(/^statistical rule on errorRate \(stage 0 /);
    for (const candidate of result.candidates) {
      expect(candidate.searchedBy).toBe('window');
      expect(candidate.search.replicates).toBe(50);
    }
    expect(result.replicatesRun).toBe(2 * (result.candidates.length * 50 + result.finalists.length * 100));
  });

  it('simulates only the candidate the exact evaluator refuses mid-search, saying why', () => {
    const errorRule = [
      { type: 'ratio' as const, maxRatio: 3 },
      { type: 'statistical' as const, minimumEffect: 0.005, alpha: 0.05 },
    ];
    const result = tune(oneCanary(), healthy, regressed, { ...options, maxEvaluations: 3, space: { errorRule } });
    expect(result.search).toBe('exact');
    expect(result.candidates.map((candidate) => candidate.searchedBy)).toEqual(['exact', 'exact', 'window']);
    const refused = result.candidates[2];
    expect(refused.setting.errorRule?.type).toBe('statistical');
    expect(refused.search.replicates).toBe(50);
    expect(refused.searchFallback[0]).toMatch(/^statistical rule on errorRate/);
    expect(result.candidates[0].searchFallback).toEqual([]);
    expect(result.replicatesRun).toBe(2 * (1 * 50 + result.finalists.length * 100));
  });

  it('refuses a policy with a shadow stage: the exact clock would start at the first mirrored window', () => {
    const policy = {
      version: 1,
      baseline: { mode: 'concurrent' },
      stages: [
        shadowStage,
        {
          kind: 'canary',
          traffic: 0.1,
          minDuration: '1h',
          checkInterval: '5m',
          rules: [{ type: 'ratio', metric: 'errorRate', maxRatio: 3 }],
        },
        { kind: 'promote' },
      ],
    } as Policy;
    expect(exactTuningFeatures(policy)).toEqual([
      "detection time through a shadow stage (stage 0 'shadow': the exact clock starts at the first mirrored window, the tuner's at the first served one)",
    ]);
    expect(exactTuningFeatures(oneCanary())).toEqual([]);
  });
});

describe('exactTuningEvaluator.evaluateAll: a search round as one vector run per chain structure', () => {
  const evaluator = exactTuningEvaluator(healthy, regressed);
  const withCheckInterval = (policy: Policy, checkInterval: string): Policy =>
    ({ ...policy, stages: [{ ...policy.stages[0], checkInterval }, policy.stages[1]] }) as Policy;
  const shadowFirst = {
    ...oneCanary(),
    stages: [shadowStage, ...oneCanary().stages],
  } as Policy;
  // Three ratios and a failure limit share one chain structure (one run per world); the 10-minute
  // check interval is a second structure; the statistical rule and the shadow stage are refused.
  const policies: Policy[] = [
    oneCanary({ type: 'ratio', metric: 'errorRate', maxRatio: 1.5 }),
    oneCanary({ type: 'ratio', metric: 'errorRate', maxRatio: 3 }),
    oneCanary({ type: 'statistical', metric: 'errorRate', method: 'alwaysValid', minimumEffect: 0.005, alpha: 0.05 }),
    withCheckInterval(oneCanary(), '10m'),
    { ...oneCanary(), guards: { minRequests: 100, failureLimit: 2 } } as Policy,
    shadowFirst,
    oneCanary(),
  ];
  const together = evaluator.evaluateAll(policies, 3600);
  const alone = policies.map((policy) => evaluator.evaluate(policy, 3600));

  it('answers every candidate, in order, as evaluate answers it alone (to summing-order rounding)', () => {
    expect(together.map((answer) => answer.supported)).toEqual([true, true, false, true, true, false, true]);
    for (const [index, answer] of together.entries()) {
      const single = alone[index];
      if (!answer.supported || !single.supported) {
        expect(answer).toEqual(single);
        continue;
      }
      const [a, b] = [answer.evaluation, single.evaluation];
      for (const key of ['falseRollbackRate', 'detectionRate', 'missedDetectionRate', 'missedRegressionRate'] as const)
        expect(Math.abs((a[key].rate as number) - (b[key].rate as number))).toBeLessThan(1e-12);
      expect(Math.abs((a.timeToDetect.mean as number) - (b.timeToDetect.mean as number))).toBeLessThan(1e-9);
      expect(a.timeToDetect.median).toBe(b.timeToDetect.median);
      expect(Math.abs(a.exposure.requestsServedWhileWorse - b.exposure.requestsServedWhileWorse)).toBeLessThan(
        1e-12 * Math.max(1, b.exposure.requestsServedWhileWorse),
      );
    }
  });

  it('keeps the candidates apart: a looser ratio rolls back a healthy candidate less often, the refusals say why', () => {
    const rate = (index: number) => {
      const answer = together[index];
      if (!answer.supported) throw new Error('refused');
      return answer.evaluation.falseRollbackRate.rate as number;
    };
    // error ≤ 1.5× < 2× (the base, last) < 3×, in false rollbacks of the healthy world.
    expect(rate(0)).toBeGreaterThan(rate(6));
    expect(rate(6)).toBeGreaterThan(rate(1));
    // Two failures in a row roll back less often than one.
    expect(rate(4)).toBeLessThan(rate(6));
    const statistical = together[2];
    const shadow = together[5];
    if (statistical.supported || shadow.supported) throw new Error('answered');
    expect(statistical.features[0]).toMatch(/^statistical rule on errorRate \(stage 0 /);
    expect(shadow.features[0]).toMatch(/^detection time through a shadow stage \(stage 0 'shadow'/);
  });
});
