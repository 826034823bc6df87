/**
 * `--mode exact` of `rollout-lab simulate` and `sweep`: the exact evaluator's record in the same
 * JSON shape, `"mode": "exact"`, no interval width, `"fallback": []`; and the fall back to the
 * windowed Monte-Carlo mode, naming the features, when the policy has no exact form.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import { simulateCommand } from '../../src/cli/commands/simulate.ts';
import { sweepCommand } from '../../src/cli/commands/sweep.ts';
import { loadPolicy, loadScenario } from '../../src/cli/files.ts';
import { evaluateExact } from '../../src/sim/exact/evaluateExact.ts';
import { alwaysValidDefaultPolicy } from '../helpers/alwaysValidDefaultPolicy.ts';
import { runCommandObject } from '../helpers/cli.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollout-lab-exact-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

/** Two small worlds without a daily cycle (every window of a stage has one law: quick to evaluate). */
const model = { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: 0.01 };
const world = (name: string, candidateErrorRate: number) => ({
  version: 1,
  name,
  horizon: '1d',
  traffic: { requestsPerSecond: 20, users: { count: 2000 } },
  control: model,
  candidate: { ...model, errorRate: candidateErrorRate },
  truth: { errorRateRatio: 1.2, p95Ratio: 1.1 },
});
let healthy: string;
let regressed: string;
beforeAll(() => {
  healthy = file('healthy.json', world('healthy', 0.01));
  regressed = file('regressed.json', world('regressed', 0.03));
});

/** A canary-only policy the exact evaluator covers: concurrent baseline, 1 hour at 10%, error ratio 2. */
const quickPolicy = {
  version: 1,
  name: 'quick canary',
  baseline: { mode: 'concurrent' },
  stages: [
    { kind: 'canary', traffic: 0.1, minDuration: '1h', checkInterval: '5m', rules: [{ type: 'ratio', metric: 'errorRate', maxRatio: 2 }] },
    { kind: 'promote' },
  ],
};

describe('rollout-lab simulate --mode exact', () => {
  it('prints the exact record in simulate’s JSON shape, with mode exact, zero-width intervals and no fallback', async () => {
    const policyFile = file('quick.json', quickPolicy);
    const result = await runCommandObject(simulateCommand, [regressed, '--policy', policyFile, '--mode', 'exact', '--json']);
    expect(result.code).toBe(0);
    const json = result.json;
    expect(json.mode).toBe('exact');
    expect(json.fallback).toEqual([]);
    expect(json.seed).toBeUndefined();
    const expected = evaluateExact(loadScenario(regressed), loadPolicy(policyFile, loadScenario(regressed), regressed));
    if (!expected.supported) throw new Error('expected an exact answer');
    expect(json.rollbackRate.rate).toBe(expected.summary.rollbackRate.rate);
    for (const key of ['falseRollbackRate', 'missedRegressionRate', 'rollbackRate', 'promoteRate', 'undecidedRate']) {
      expect(json[key].lower, key).toBe(json[key].rate);
      expect(json[key].upper, key).toBe(json[key].rate);
    }
    // The same keys as a Monte-Carlo run's record.
    const simulated = await runCommandObject(simulateCommand, [regressed, '--policy', policyFile, '--replicates', '20', '--json']);
    for (const key of Object.keys(simulated.json)) if (key !== 'seed') expect(json, key).toHaveProperty(key);
  });

  it('prints exact rates without intervals in the text form', async () => {
    const result = await runCommandObject(simulateCommand, [regressed, '--policy', file('quick2.json', quickPolicy), '--mode', 'exact']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/exact mode \(no sampling; neglected probability/);
    expect(result.stdout).toMatch(/missed-regression rate +[\d.e-]+ +\(exact\)/);
    expect(result.stdout).not.toMatch(/CI/);
  });

  it('falls back to the windowed Monte-Carlo mode for the default policy with an always-valid A/B design, naming the features', async () => {
    const policy = file('always-valid.json', alwaysValidDefaultPolicy());
    const result = await runCommandObject(simulateCommand, [healthy, '--policy', policy, '--mode', 'exact', '--replicates', '3', '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/no exact answer \(.*always-valid A\/B design.*\): falling back to the windowed Monte-Carlo mode/);
    expect(result.json.mode).toBe('window');
    expect(result.json.replicates).toBe(3);
    expect(result.json.fallback.some((feature: string) => feature.startsWith('always-valid A/B design'))).toBe(true);
  });

  it('names the approximation an A/B stage makes, in the text form and in --json', async () => {
    const model = { latency: { kind: 'exponential', mean: 100 }, errorRate: 0, accuracy: 0.9 };
    const scenarioFile = file('ab-world.json', {
      version: 1,
      name: 'A/B arms',
      horizon: 1800,
      traffic: { requestsPerSecond: 4000 / 300, users: { count: 100000 } },
      control: model,
      candidate: model,
    });
    const policyFile = file('ab-only.json', {
      version: 1,
      baseline: { mode: 'concurrent' },
      flag: { name: 'ab-exact' },
      skipCanary: { reason: 'CLI test of the A/B stage alone' },
      stages: [
        {
          kind: 'ab',
          traffic: 0.5,
          minDuration: 300,
          maxDuration: 1200,
          checkInterval: 300,
          test: { metric: 'successRate', minimumEffect: 0.05, design: { type: 'fixed' }, sampleSize: 1500 },
          guardrails: [{ type: 'ratio', metric: 'errorRate', maxRatio: 2 }],
        },
        { kind: 'promote' },
      ],
    });
    const text = await runCommandObject(simulateCommand, [scenarioFile, '--policy', policyFile, '--mode', 'exact']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/\n {2}approximation: A\/B test of stage 0 .* by the normal law of its z statistic/);
    const json = await runCommandObject(simulateCommand, [scenarioFile, '--policy', policyFile, '--mode', 'exact', '--json']);
    expect(json.json.mode).toBe('exact');
    expect(json.json.approximations).toHaveLength(1);
    expect(json.json.controlWinRate.rate).toBeCloseTo(0.025, 9);
  });

  it('refuses --shard with --mode exact (nothing to split)', async () => {
    await expect(
      runCommandObject(simulateCommand, [regressed, '--mode', 'exact', '--shard', '1/2', '--out', join(dir, 'part.json')]),
    ).rejects.toThrow(UsageError);
  });
});

describe('rollout-lab sweep --mode exact', () => {
  it('gives each setting the exact record of its scenarios merged, as one JSON table', async () => {
    const policyFile = file('quick3.json', quickPolicy);
    const result = await runCommandObject(sweepCommand, [
      healthy,
      regressed,
      '--policy',
      policyFile,
      '--param',
      'errorRatio=1.5,3',
      '--mode',
      'exact',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(result.json.mode).toBe('exact');
    expect(result.json.fallback).toEqual([]);
    expect(result.json.rows).toHaveLength(2);
    // A looser threshold rolls back less.
    expect(result.json.rows[1].rollbackRate.rate).toBeLessThan(result.json.rows[0].rollbackRate.rate);
    expect(result.json.rows[0].errorRatio).toBe(1.5);
  });

  it('falls back to Monte-Carlo for the whole sweep when a setting has no exact form', async () => {
    const result = await runCommandObject(sweepCommand, [
      healthy,
      '--policy',
      file('always-valid-sweep.json', alwaysValidDefaultPolicy()),
      '--param',
      'errorRatio=2',
      '--mode',
      'exact',
      '--replicates',
      '2',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/no exact answer/);
    expect(result.json.mode).toBe('window');
    expect(result.json.fallback.length).toBeGreaterThan(0);
  });
});
