/**
 * The auto-tuner on worker threads: a tuning batch spread over shards and workers gives exactly
 * the in-thread evaluations, and `tuneWith` on the pool gives exactly `tune`'s result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/engine/policy/parsePolicy.ts';
import type { Policy } from '../../src/engine/policy/policy.ts';
import type { TuningBatch } from '../../src/sim/tune.ts';
import { tune, tuneWith } from '../../src/sim/tune.ts';
import type { TuningWorlds } from '../../src/sim/tuningEvaluation.ts';
import {
  addTuningReplicate,
  evaluateCandidate,
  initTuningTally,
  mergeTuningTallies,
  prepareCandidate,
  tuningEvaluationOf,
} from '../../src/sim/tuningEvaluation.ts';
import type { NodeTuningEvaluator } from '../../workers/nodePool.ts';
import { createNodeTuningEvaluator } from '../../workers/nodePool.ts';
import { tuningWorld } from '../helpers/tuningWorlds.ts';
import { buildWorkersIfStale } from './buildWorkers.ts';

const world = tuningWorld;

function canary(maxRatio: number): Policy {
  const parsed = parsePolicy({
    version: 1,
    name: `canary ${maxRatio}×`,
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 100, failureLimit: 1 },
    stages: [
      { kind: 'canary', traffic: 0.1, minDuration: '1h', checkInterval: '5m', rules: [{ type: 'ratio', metric: 'errorRate', maxRatio }] },
      { kind: 'promote' },
    ],
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.policy;
}

const worlds: TuningWorlds = { healthy: world('healthy', 0.01), regressed: world('regressed', 0.02), mode: 'window', seed: 'pool' };

describe('tuning tallies', () => {
  it('merged in replicate order, any split gives the evaluation of the whole range', () => {
    const candidate = prepareCandidate(canary(2), worlds);
    const whole = evaluateCandidate(candidate, 10, 70, 1800);
    for (const cuts of [
      [10, 70],
      [10, 11, 70],
      [10, 33, 34, 69, 70],
    ]) {
      const merged = initTuningTally(0);
      for (let k = 0; k + 1 < cuts.length; k++) {
        const part = initTuningTally(0);
        for (let i = cuts[k]; i < cuts[k + 1]; i++) addTuningReplicate(part, candidate, i, 1800);
        mergeTuningTallies(merged, part);
      }
      expect(tuningEvaluationOf(merged, { healthy: 'healthy', regressed: 'regressed' })).toEqual(whole);
    }
    const tally = initTuningTally(0);
    addTuningReplicate(tally, candidate, 5, 1800);
    expect(() => addTuningReplicate(tally, candidate, 7, 1800)).toThrow('replicates must be added in order: expected 6, got 7');
    const later = initTuningTally(0);
    addTuningReplicate(later, candidate, 9, 1800);
    expect(() => mergeTuningTallies(tally, later)).toThrow('tallies must be merged in replicate order: [5, 6) then [9, 10)');
  });
});

describe('tuning on worker threads', () => {
  let evaluator: NodeTuningEvaluator;
  beforeAll(() => {
    buildWorkersIfStale();
    evaluator = createNodeTuningEvaluator(2);
  }, 120_000);
  afterAll(() => evaluator?.terminate());

  it('evaluates a batch of policies exactly as in one thread, calling back once per policy', async () => {
    const policies = [canary(1.5), canary(2), canary(3)];
    let evaluated = 0;
    const batch: TuningBatch = { policies, from: 20, to: 57, worlds, detectWithin: 1800, evaluated: () => (evaluated += 1) };
    const onPool = await evaluator.evaluate(batch);
    expect(onPool).toEqual(policies.map((policy) => evaluateCandidate(prepareCandidate(policy, worlds), 20, 57, 1800)));
    expect(evaluated).toBe(3);
    // The thresholds matter: looser ratio, fewer false rollbacks.
    expect(onPool[0].falseRollbackRate.count).toBeGreaterThan(onPool[2].falseRollbackRate.count);
  });

  it('tuneWith on the pool returns exactly what tune returns in one thread', async () => {
    const targets = { maxFalseRollbackRate: 0.05, minDetectionRate: 0.9, detectWithin: 3600 };
    const options = { targets, seed: 5, searchReplicates: 30, confirmReplicates: 60, maxEvaluations: 9 };
    const inThread = tune(canary(2), worlds.healthy, worlds.regressed, options);
    const onPool = await tuneWith(canary(2), worlds.healthy, worlds.regressed, options, (batch) => evaluator.evaluate(batch));
    expect(onPool).toEqual(inThread);
    expect(inThread.candidates.length).toBe(9);
  }, 60_000);

  it('rejects a batch whose worlds cannot measure what they should, with the RangeError', async () => {
    const batch: TuningBatch = {
      policies: [canary(2)],
      from: 0,
      to: 10,
      worlds: { ...worlds, healthy: worlds.regressed },
      detectWithin: 1800,
      evaluated: () => undefined,
    };
    await expect(evaluator.evaluate(batch)).rejects.toThrow(
      new RangeError(
        "the healthy scenario 'regressed' has a candidate worse than its truth tolerance in every replicate: it cannot measure false rollbacks",
      ),
    );
  });
});
