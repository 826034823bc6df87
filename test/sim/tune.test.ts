import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/engine/policy/parsePolicy.ts';
import type { Policy } from '../../src/engine/policy/policy.ts';
import { simulate } from '../../src/sim/runner.ts';
import type { TuneProgress } from '../../src/sim/tune.ts';
import { tune } from '../../src/sim/tune.ts';
import { evaluateCandidate, prepareCandidate } from '../../src/sim/tuningEvaluation.ts';
import { applyTuningSetting, baseTuningSetting, defaultTuningSpace, tuningSettingKey } from '../../src/sim/tuningSpace.ts';
import { checkTuningTargets, meetsTargets, targetShortfall } from '../../src/sim/tuningTargets.ts';
import { tuningWorld } from '../helpers/tuningWorlds.ts';

/** A small but realistic pair of worlds (test/helpers/tuningWorlds.ts): healthy = identical candidate, regressed = 2% errors. */
const world = tuningWorld;

const rules = [
  { type: 'ratio', metric: 'errorRate', maxRatio: 2 },
  { type: 'ratio', metric: 'latencyP95', maxRatio: 1.5 },
];

/** Concurrent baseline, canary 10% for 1 h then 50% for 2 h, framework ratio rules, promote. */
function twoCanaries(): Policy {
  const parsed = parsePolicy({
    version: 1,
    name: 'two canaries',
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 100, failureLimit: 1 },
    stages: [
      { kind: 'canary', traffic: 0.1, minDuration: '1h', checkInterval: '5m', rules },
      { kind: 'canary', traffic: 0.5, minDuration: '2h', checkInterval: '5m', rules },
      { kind: 'promote' },
    ],
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.policy;
}

const healthy = world('healthy', 0.01);
const regressed = world('regressed (2× errors)', 0.02);

describe('tune: recommended policy re-simulated with a fresh seed', () => {
  const targets = { maxFalseRollbackRate: 0.05, minDetectionRate: 0.9, detectWithin: 3600 };
  const progress: TuneProgress[] = [];
  const result = tune(twoCanaries(), healthy, regressed, {
    targets,
    seed: 1,
    searchReplicates: 100,
    confirmReplicates: 400,
    maxEvaluations: 40,
    onProgress: (step) => progress.push(step),
  });

  it('recommends a policy that meets the targets on its confirmation bounds', () => {
    expect(result.recommended).not.toBeNull();
    const recommended = result.recommended!;
    const confirmation = recommended.confirmation!;
    expect(recommended.meetsTargets).toBe(true);
    expect(confirmation.from).toBe(100);
    expect(confirmation.to).toBe(500);
    expect(confirmation.falseRollbackRate.upper!).toBeLessThanOrEqual(targets.maxFalseRollbackRate);
    expect(confirmation.detectionRate.lower!).toBeGreaterThanOrEqual(targets.minDetectionRate);
    // The framework's own setting (error ≤ 2×, 5-minute checks) misses the targets here: a 10%
    // canary at 20 requests/s sees ~3 errors per window, and the 2× ratio fires on noise in
    // about 2 of 3 healthy rollouts. The tuner must have moved away from it.
    expect(result.candidates[0].search.falseRollbackRate.rate!).toBeGreaterThan(0.3);
    expect(tuningSettingKey(recommended.setting)).not.toBe(tuningSettingKey(result.candidates[0].setting));
    expect(result.message).toMatch(/^Recommended: /);
  });

  it('meets the targets again on a fresh seed with 5× more replicates, within Monte-Carlo error', () => {
    const policy = result.recommended!.policy;
    const n = 2000;
    const fresh = evaluateCandidate(
      prepareCandidate(policy, { healthy, regressed, mode: 'window', seed: 'fresh seed 2026' }),
      0,
      n,
      targets.detectWithin,
    );
    // The runner's own false-rollback rate (an independent code path) agrees exactly.
    const runner = simulate(healthy, policy, { replicates: n, seed: 'fresh seed 2026' });
    expect(runner.falseRollbackRate.count).toBe(fresh.falseRollbackRate.count);
    // Tolerance: the fresh estimate may fall short of a target by at most 2 standard errors of
    // a rate sitting exactly at the target (SE = √(t(1−t)/n): 0.0049 for t = 0.05, 0.0067 for
    // t = 0.9 at n = 2000) — i.e. a one-sided z-test at level 2.3% does not reject "the target
    // holds". A policy truly violating the targets by more than 2 SE fails this test.
    const se = (t: number) => Math.sqrt((t * (1 - t)) / n);
    expect(fresh.falseRollbackRate.rate!).toBeLessThanOrEqual(targets.maxFalseRollbackRate + 2 * se(targets.maxFalseRollbackRate));
    expect(fresh.detectionRate.rate!).toBeGreaterThanOrEqual(targets.minDetectionRate - 2 * se(targets.minDetectionRate));
    // And it agrees with the tuner's confirmation within 4 combined standard errors.
    const confirmation = result.recommended!.confirmation!;
    for (const key of ['falseRollbackRate', 'detectionRate'] as const) {
      const p1 = fresh[key].rate!;
      const p2 = confirmation[key].rate!;
      const pooled = (fresh[key].count + confirmation[key].count) / (fresh[key].total + confirmation[key].total);
      const combined = Math.sqrt(pooled * (1 - pooled) * (1 / fresh[key].total + 1 / confirmation[key].total));
      expect(Math.abs(p1 - p2)).toBeLessThanOrEqual(4 * Math.max(combined, 1e-3));
    }
  });

  it('returns every candidate with Wilson intervals, a Pareto front, and stays in its budget', () => {
    expect(result.candidates.length).toBeGreaterThan(10);
    expect(result.candidates.length).toBeLessThanOrEqual(40);
    expect(result.replicatesRun).toBe(2 * (result.candidates.length * 100 + result.finalists.length * 400));
    for (const candidate of result.candidates) {
      expect(candidate.search.replicates).toBe(100);
      const rate = candidate.search.falseRollbackRate;
      // (wilsonInterval returns ~3e-18 rather than 0 as the lower bound of 0/n: allow rounding.)
      expect(rate.lower!).toBeLessThanOrEqual(rate.rate! + 1e-12);
      expect(rate.upper!).toBeGreaterThanOrEqual(rate.rate!);
      expect(candidate.search.detectionRate.count + candidate.search.missedDetectionRate.count).toBe(candidate.search.detectionRate.total);
    }
    // No candidate off the front dominates a front member; every off-front candidate is dominated.
    const objectives = (id: number) => {
      const s = result.candidates[id].search;
      return [s.falseRollbackRate.rate!, s.missedDetectionRate.rate!, s.timeToDetect.median ?? Infinity];
    };
    const dominated = (a: number[], b: number[]) => a.every((v, k) => v <= b[k]) && a.some((v, k) => v < b[k]);
    expect(result.paretoFront.length).toBeGreaterThan(0);
    for (const candidate of result.candidates) {
      const someoneDominates = result.candidates.some(
        (other) => other.id !== candidate.id && dominated(objectives(other.id), objectives(candidate.id)),
      );
      expect(candidate.pareto).toBe(!someoneDominates);
      expect(result.paretoFront.includes(candidate.id)).toBe(candidate.pareto);
    }
    // Progress ran through both phases and never overshot the plan.
    expect(progress.filter((step) => step.phase === 'search').length).toBe(result.candidates.length);
    expect(progress.filter((step) => step.phase === 'confirm').length).toBe(result.finalists.length);
    expect(progress.at(-1)!.replicatesDone).toBe(result.replicatesRun);
    expect(progress.every((step) => step.replicatesDone <= step.replicatesPlanned)).toBe(true);
  });

  it('is reproducible: the same seed gives the same recommendation', () => {
    const again = tune(twoCanaries(), healthy, regressed, {
      targets,
      seed: 1,
      searchReplicates: 100,
      confirmReplicates: 400,
      maxEvaluations: 40,
    });
    expect(tuningSettingKey(again.recommended!.setting)).toBe(tuningSettingKey(result.recommended!.setting));
    expect(again.recommended!.confirmation).toEqual(result.recommended!.confirmation);
  });
});

describe('tune: impossible targets', () => {
  it('says that no policy meets the targets and lists the closest ones', () => {
    const targets = { maxFalseRollbackRate: 0.001, minDetectionRate: 0.999, detectWithin: 300 };
    const result = tune(twoCanaries(), healthy, regressed, {
      targets,
      seed: 3,
      searchReplicates: 50,
      confirmReplicates: 100,
      maxEvaluations: 12,
      finalists: 3,
    });
    expect(result.recommended).toBeNull();
    expect(result.message).toMatch(/^No policy meets the targets/);
    expect(result.finalists.length).toBe(3);
    for (const finalist of result.finalists) {
      expect(finalist.meetsTargets).toBe(false);
      expect(finalist.shortfall).toBeGreaterThan(0);
    }
    // Closest first.
    const shortfalls = result.finalists.map((finalist) => finalist.shortfall);
    expect([...shortfalls].sort((a, b) => a - b)).toEqual(shortfalls);
    // With 100 replicates the upper Wilson bound of 0/100 is 3.7% > 0.1%: the bound, not the
    // point estimate, decides (statsmodels proportion_confint(0, 100, method='wilson') → (0, 0.0370)).
    expect(result.finalists[0].confirmation!.falseRollbackRate.upper!).toBeGreaterThan(0.001);
  });
});

describe('tuning evaluation: detection is timed from the first window serving the worse candidate', () => {
  // A candidate that fails every request: the first canary window (5 min) always fails the ratio rule.
  const broken = world('broken', 1);
  const policy = twoCanaries();
  it('rolls back at the end of the first 5-minute window: time to detect exactly 300 s', () => {
    const prepared = prepareCandidate(policy, { healthy, regressed: broken, mode: 'window', seed: 9 });
    const within = evaluateCandidate(prepared, 0, 40, 300);
    expect(within.detectionRate.count).toBe(40);
    expect(within.timeToDetect.median).toBe(300);
    expect(within.timeToDetect.p90).toBe(300);
    const tooShort = evaluateCandidate(prepared, 0, 40, 299);
    expect(tooShort.detectionRate.count).toBe(0);
    expect(tooShort.missedDetectionRate.rate).toBe(1);
  });

  it('rejects worlds that cannot measure what they should', () => {
    expect(() =>
      evaluateCandidate(prepareCandidate(policy, { healthy: regressed, regressed, mode: 'window', seed: 1 }), 0, 10, 3600),
    ).toThrow(/healthy scenario/);
    expect(() =>
      evaluateCandidate(prepareCandidate(policy, { healthy, regressed: healthy, mode: 'window', seed: 1 }), 0, 10, 3600),
    ).toThrow(/regressed scenario/);
  });
});

describe('tuning space and targets', () => {
  it('reads the base setting and applies a statistical error rule in place of the ratio rule', () => {
    const policy = twoCanaries();
    expect(baseTuningSetting(policy)).toEqual({
      errorRule: { type: 'ratio', maxRatio: 2 },
      p95Ratio: 1.5,
      checkInterval: 300,
      minRequests: 100,
      failureLimit: 1,
    });
    const tuned = applyTuningSetting(policy, {
      errorRule: { type: 'statistical', minimumEffect: 0.0025, alpha: 0.05 },
      checkInterval: 600,
      failureLimit: 2,
    });
    for (const stage of tuned.stages) {
      if (stage.kind !== 'canary') continue;
      expect(stage.rules).toEqual([
        { type: 'statistical', metric: 'errorRate', minimumEffect: 0.0025, alpha: 0.05, method: 'alwaysValid' },
        { type: 'ratio', metric: 'latencyP95', maxRatio: 1.5 },
      ]);
      expect(stage.checkInterval).toBe('10m');
    }
    expect(tuned.guards).toEqual({ minRequests: 100, failureLimit: 2 });
    expect(baseTuningSetting(tuned).errorRule).toEqual({ type: 'statistical', minimumEffect: 0.0025, alpha: 0.05 });
    // The base policy is not changed.
    expect(baseTuningSetting(policy).errorRule).toEqual({ type: 'ratio', maxRatio: 2 });
    expect(() => applyTuningSetting(policy, { checkInterval: 7200 })).toThrow(/checkInterval/);
  });

  it('builds the default space from the policy: no p50 or timeout coordinates without such rules', () => {
    const space = defaultTuningSpace(twoCanaries(), healthy);
    expect(space.p50Ratio).toBeUndefined();
    expect(space.timeoutRatio).toBeUndefined();
    expect(space.p95Ratio).toEqual([1.1, 1.25, 1.5, 2, 3]);
    // Statistical effects 0, p0/4, p0/2 of the healthy control's 1% error rate, at α 0.01 and 0.05.
    expect(space.errorRule!.filter((rule) => rule.type === 'statistical')).toHaveLength(6);
    expect(defaultTuningSpace(twoCanaries(), healthy, { allowStatistical: false }).errorRule!.every((rule) => rule.type === 'ratio')).toBe(
      true,
    );
  });

  it('checks targets and judges on the Wilson bounds', () => {
    expect(() => checkTuningTargets({ maxFalseRollbackRate: 1.5, minDetectionRate: 0.9, detectWithin: 60 })).toThrow(
      'maxFalseRollbackRate must be between 0 and 1 (exclusive), got 1.5',
    );
    expect(() => checkTuningTargets({ maxFalseRollbackRate: 0.05, minDetectionRate: 0, detectWithin: 60 })).toThrow(/minDetectionRate/);
    expect(() => checkTuningTargets({ maxFalseRollbackRate: 0.05, minDetectionRate: 0.9, detectWithin: -1 })).toThrow(/detectWithin/);
    const targets = { maxFalseRollbackRate: 0.05, minDetectionRate: 0.9, detectWithin: 60 };
    // Wilson 95% bounds: statsmodels 0.13.5 proportion_confint(2, 100, method='wilson') → (0.0055020, 0.0700118);
    // proportion_confint(95, 100, method='wilson') → (0.8882495, 0.9784563).
    const rates = {
      falseRollbackRate: { rate: 0.02, lower: 0.005502, upper: 0.0700118, count: 2, total: 100 },
      detectionRate: { rate: 0.95, lower: 0.8882495, upper: 0.9784563, count: 95, total: 100 },
    };
    expect(meetsTargets(rates, targets)).toBe(false);
    expect(targetShortfall(rates, targets)).toBeCloseTo(0.0700118 - 0.05 + (0.9 - 0.8882495), 12);
    expect(() => tune(twoCanaries(), healthy, regressed, { targets, seed: 1, searchReplicates: 5 })).toThrow(
      'searchReplicates must be a whole number of at least 10, got 5',
    );
  });
});
