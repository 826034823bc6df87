/**
 * Extreme parameters give a clear error or a correct result, never NaN: zero traffic, 100%
 * errors, huge latencies and counts through the controller (the decision service's core); a
 * zero control error rate, where the export's `clamp_min` must agree with the engine; extreme
 * thresholds through the exports; a million replicates split into shards and merged; absurd
 * replicate counts refused by `simulate`.
 */
import { describe, expect, test } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { mergedOutput } from '../../src/cli/commands/merge.ts';
import { simulateCommand } from '../../src/cli/commands/simulate.ts';
import { mergePartialResults, partialResult, shardRange } from '../../src/cli/shard.ts';
import { initialState } from '../../src/engine/controller/controllerState.ts';
import { step } from '../../src/engine/controller/step.ts';
import { argoRolloutsYaml } from '../../src/engine/export/argoRollouts.ts';
import { flaggerYaml } from '../../src/engine/export/flagger.ts';
import type { ArmWindow } from '../../src/engine/metrics/windowMetrics.ts';
import { absoluteRule, defaultHealthRules, ratioRule } from '../../src/engine/policy/healthRules.ts';
import type { Policy } from '../../src/engine/policy/policy.ts';
import { canaryStage, fullStage, promoteStage } from '../../src/engine/policy/stages.ts';
import { initSummary } from '../../src/sim/summary.ts';
import { hasNonFinite } from './mutate.ts';

const policy: Policy = {
  version: 1,
  baseline: { mode: 'concurrent' },
  guards: { minRequests: 100, failureLimit: 1 },
  stages: [canaryStage({ traffic: 0.05, minDuration: '1h', rules: defaultHealthRules() }), fullStage(), promoteStage()],
};

function decide(control: ArmWindow | undefined, candidate: ArmWindow | undefined) {
  const state = initialState(policy, 0);
  const result = step(state, [{ startTime: 0, duration: 300, control, candidate }], policy);
  expect(hasNonFinite(result.reasons)).toBe(false);
  expect(hasNonFinite(result.state)).toBe(false);
  return result;
}
const arm = (requests: number, errors: number, latency = 100): ArmWindow => ({
  requests,
  errors,
  timeouts: 0,
  latency: { p50: latency, p95: latency * 2, p99: latency * 3 },
});

describe('extreme windows through the controller', () => {
  test('zero traffic holds (missing data never passes)', () => {
    expect(decide(arm(0, 0), arm(0, 0)).decision).toBe('hold');
    expect(decide(undefined, undefined).decision).toBe('hold');
  });
  test('100% errors rolls back at once', () => {
    const result = decide(arm(1000, 10), arm(1000, 1000));
    expect(result.decision).toBe('rollback');
    expect(result.reasons.find((r) => r.metric === 'errorRate')).toMatchObject({ rule: 'ratio', observed: 100, threshold: 2 });
  });
  test('huge latencies (1e12 ms) roll back with finite numbers', () => {
    const result = decide(arm(1000, 10), arm(1000, 10, 1e12));
    expect(result.decision).toBe('rollback');
    expect(result.reasons.find((r) => r.metric === 'latencyP95')?.observed).toBe(1e10);
  });
  test('huge counts (1e15 requests) stay finite', () => {
    expect(decide(arm(1e15, 1e12), arm(1e15, 1e12)).decision).toBe('continue');
  });
  test('a zero control error rate: 0 vs 0 passes, any candidate error fails — the semantics the exports encode with clamp_min', () => {
    expect(decide(arm(1000, 0), arm(1000, 0)).decision).toBe('continue');
    expect(decide(arm(1000, 0), arm(1000, 1)).decision).toBe('rollback');
  });
});

describe('extreme thresholds through the exports', () => {
  test('tiny and huge limits, minRequests 1, a 1-second interval: valid YAML, no NaN or Infinity', () => {
    const extreme: Policy = {
      version: 1,
      baseline: { mode: 'concurrent' },
      guards: { minRequests: 1, failureLimit: 1000 },
      stages: [
        canaryStage({
          traffic: 0.0001,
          minDuration: 1,
          checkInterval: 1,
          rules: [ratioRule('errorRate', 1e-9), ratioRule('latencyP99', 1e9), absoluteRule('errorRate', 0)],
        }),
        fullStage({ minDuration: '1w' }),
        promoteStage(),
      ],
    };
    for (const text of [argoRolloutsYaml(extreme), flaggerYaml(extreme)]) {
      expect(text).not.toMatch(/NaN|Infinity/);
      for (const doc of parseAllDocuments(text)) expect(doc.errors).toEqual([]);
    }
    const rollout = parseAllDocuments(argoRolloutsYaml(extreme)).map((d) => d.toJS());
    expect(rollout.at(-1).spec.strategy.canary.steps[0]).toEqual({ setWeight: 0.01 });
    const template = rollout[0];
    // count = 1 pass + 999 tolerated failures + 1 held check (Argo: count >= failureLimit + consecutiveSuccessLimit).
    expect(template.spec.metrics[0]).toMatchObject({
      interval: '1s',
      count: 1001,
      consecutiveSuccessLimit: 1,
      failureLimit: 999,
      successCondition: 'len(result) > 0 && result[0] <= 1e-9',
    });
    expect(template.spec.metrics[0].provider.prometheus.query).toContain('>= 1');
    expect(parseYaml('x: 1e-9').x).toBe(1e-9);
  });
});

describe('a million replicates', () => {
  test('split into 64 shards and merged: counts exact, rates finite', () => {
    const total = 1_000_000;
    const parts = Array.from({ length: 64 }, (_, index) => {
      const { from, to } = shardRange(total, { index, count: 64 });
      const state = {
        ...initSummary(),
        replicates: to - from,
        rollbacks: Math.floor((to - from) / 10),
        worseCandidates: 0,
        falseRollbacks: Math.floor((to - from) / 10),
      };
      return partialResult(
        'simulate',
        { replicates: total, seed: 1, scenarioHashes: ['a'.repeat(64)], policyHash: 'b'.repeat(64) },
        { scenario: 'x', policy: 'p', mode: 'window', seed: 1 },
        { index, count: 64 },
        [{ key: '', label: {}, state }],
      );
    });
    const output = mergedOutput(mergePartialResults(parts)) as any;
    expect(output.replicates).toBe(total);
    expect(output.rollbackRate.count).toBe(parts.reduce((sum, p) => sum + p.cells[0].state.rollbacks, 0));
    expect(hasNonFinite(output)).toBe(false);
  });
  test('simulate refuses absurd replicate counts with a clear error', async () => {
    const io = { stdout: { write: () => true }, stderr: { write: () => true } };
    await expect(simulateCommand.run(['scenarios/identical-candidate.json', '--replicates', '1000000000000'], io)).rejects.toThrow(
      '--replicates must be at most 1000000000, got 1000000000000',
    );
    await expect(simulateCommand.run(['scenarios/identical-candidate.json', '--replicates', '0'], io)).rejects.toThrow(
      '--replicates must be at least 1, got 0',
    );
  });
});
