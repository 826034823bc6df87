import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import { simulateCommand } from '../../src/cli/commands/simulate.ts';
import { arrivalTimesFromCsv } from '../../src/sim/arrivalTrace.ts';
import { runCommandObject } from '../helpers/cli.ts';
import { buildWorkersIfStale } from '../workers/buildWorkers.ts';

function run(argv: string[]) {
  return runCommandObject(simulateCommand, argv);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollout-lab-simulate-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** A fast policy: concurrent baseline, one 1-hour canary at 10% with the framework ratio rules. */
const quickPolicy = {
  version: 1,
  name: 'quick canary',
  baseline: { mode: 'concurrent' },
  stages: [
    { kind: 'canary', traffic: 0.1, minDuration: '1h', checkInterval: '5m', rules: [{ type: 'ratio', metric: 'errorRate', maxRatio: 2 }] },
    { kind: 'promote' },
  ],
};

describe('rollout-lab simulate', () => {
  it('prints every rate with a Wilson interval as one JSON object', async () => {
    const result = await run([
      'scenarios/error-regression.json',
      '--policy',
      file('quick.json', quickPolicy),
      '--replicates',
      '200',
      '--seed',
      '7',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const json = result.json;
    expect(json.replicates).toBe(200);
    expect(json.mode).toBe('window');
    for (const key of ['falseRollbackRate', 'missedRegressionRate', 'rollbackRate', 'promoteRate']) {
      expect(json[key]).toHaveProperty('rate');
      expect(json[key]).toHaveProperty('lower');
      expect(json[key]).toHaveProperty('upper');
    }
    // Every candidate is worse (3× errors): no false rollbacks are possible, every promotion is missed.
    expect(json.falseRollbackRate.total).toBe(0);
    expect(json.falseRollbackRate.rate).toBeNull();
    expect(json.missedRegressionRate.total).toBe(200);
    expect(json.missedRegressionRate.count).toBe(json.promoteRate.count);
    expect(json.rollbackRate.count + json.promoteRate.count + json.undecidedRate.count).toBe(200);
    // At 20 rps × 10% and 3× the errors, a 2× ratio rule over 12 checks catches most regressions.
    expect(json.rollbackRate.rate).toBeGreaterThan(0.8);
    expect(json.rollbackRate.lower).toBeLessThan(json.rollbackRate.rate);
    expect(json.rollbackRate.upper).toBeGreaterThanOrEqual(json.rollbackRate.rate);
    expect(json.rollbackRate.upper).toBeLessThanOrEqual(1);
    expect(json.detectionTime.count).toBe(json.rollbackRate.count);
  });

  it('is reproducible: the same seed gives the same result, another seed another', async () => {
    const args = ['scenarios/identical-candidate.json', '--policy', file('quick2.json', quickPolicy), '--replicates', '100', '--json'];
    const first = await run([...args, '--seed', '3']);
    const again = await run([...args, '--seed', '3']);
    const other = await run([...args, '--seed', '4']);
    expect(again.stdout).toBe(first.stdout);
    expect(other.stdout).not.toBe(first.stdout);
  });

  it('prints a readable table by default, and runs the per-request mode', async () => {
    const result = await run([
      'scenarios/identical-candidate.json',
      '--policy',
      file('quick3.json', quickPolicy),
      '--replicates',
      '20',
      '--mode',
      'request',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("scenario 'identical candidate', policy 'quick canary', request mode, 20 replicates, seed 1");
    expect(result.stdout).toMatch(/false-rollback rate\s+0?\.?\d.*\(95% CI .*; \d+ of 20\)/);
    expect(result.stderr).toBe('');
  });

  it('runs the default policy when none is given (scenario without its own policy)', async () => {
    const result = await run(['scenarios/identical-candidate.json', '--replicates', '5', '--json']);
    expect(result.code).toBe(0);
    expect(result.json.policy).toBe('framework default');
    expect(result.json.replicates).toBe(5);
  });

  it('writes progress on stderr with --progress', async () => {
    const result = await run([
      'scenarios/identical-candidate.json',
      '--policy',
      file('quick4.json', quickPolicy),
      '--replicates',
      '10',
      '--progress',
      '--json',
    ]);
    expect(result.stderr).toContain('10/10 replicates');
    expect(result.json.replicates).toBe(10);
  });

  it('rejects an invalid scenario with exit code 2, listing every problem by path', async () => {
    const bad = file('bad.json', {
      version: 1,
      name: 'bad',
      traffic: { requestsPerSecond: -1, users: { count: 2.5 } },
      control: { latency: { kind: 'lognormal', median: 100 }, errorRate: 1.5 },
      candidate: { latency: { kind: 'weibull' }, errorRate: 0.01, colour: 'red' },
    });
    const result = await run([bad, '--replicates', '10']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('traffic.requestsPerSecond: traffic.requestsPerSecond must be greater than 0, got -1');
    expect(result.stderr).toContain('traffic.users.count: traffic.users.count must be a whole number, got 2.5');
    expect(result.stderr).toContain('control.latency: control.latency must give exactly one of sigma or p95');
    expect(result.stderr).toContain('control.errorRate: control.errorRate must be between 0 and 1, got 1.5');
    expect(result.stderr).toContain(
      `candidate.latency.kind: candidate.latency.kind must be one of 'lognormal', 'gamma', 'exponential', 'mixture', 'empirical', got "weibull"`,
    );
    expect(result.stderr).toContain(
      "candidate.colour: candidate.colour unknown field 'colour' (allowed: latency, errorRate, timeout, accuracy, agreement, values)",
    );
  });

  it('rejects an invalid policy with exit code 2, listing its problems', async () => {
    const result = await run([
      'scenarios/identical-candidate.json',
      '--policy',
      file('badpolicy.json', { version: 1, baseline: { mode: 'concurrent' }, stages: [{ kind: 'canary', traffic: 1.5 }] }),
      '--replicates',
      '10',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('stages[0].traffic');
  });

  it('turns bad arguments into usage errors (exit 2 in main)', async () => {
    await expect(run(['scenarios/identical-candidate.json', '--mode', 'fast'])).rejects.toThrow(UsageError);
    await expect(run(['scenarios/identical-candidate.json', '--replicates', '0'])).rejects.toThrow(/--replicates must be at least 1/);
    await expect(run([])).rejects.toThrow(/scenario file is required/);
    await expect(run([join(dir, 'missing.json')])).rejects.toThrow(/cannot read scenario file/);
    await expect(run([file('notjson.json', '{ nope')])).rejects.toThrow(/is not valid JSON/);
  });

  it('loads replayed arrival times from a CSV trace named in the scenario', async () => {
    const trace = file(
      'trace.csv',
      'TIMESTAMP,ContextTokens\n2023-11-16 18:17:03.5000000,10\n2023-11-16 18:17:03.0000000,5\n2023-11-16 18:17:05.2500000,7\n',
    );
    expect(
      arrivalTimesFromCsv(
        'TIMESTAMP,x\n2023-11-16 18:17:03.5000000,1\n2023-11-16 18:17:03.0000000,2\n2023-11-16 18:17:05.2500000,3\n',
        't',
      ),
    ).toEqual([0, 0.5, 2.25]);
    const scenario = file('replay.json', {
      version: 1,
      name: 'replay',
      horizon: '2h',
      traffic: { requestsPerSecond: 1, arrivals: { kind: 'replay', file: trace } },
      control: { latency: { kind: 'exponential', mean: 100 }, errorRate: 0.01 },
      candidate: { latency: { kind: 'exponential', mean: 100 }, errorRate: 0.01 },
    });
    const result = await run([scenario, '--policy', file('quick5.json', quickPolicy), '--replicates', '3', '--json']);
    expect(result.code).toBe(0);
    expect(result.json.replicates).toBe(3);
  });
});

describe('rollout-lab simulate --workers N (worker_threads)', () => {
  beforeAll(() => buildWorkersIfStale());

  it('gives exactly the in-process result on 2 and 3 worker threads, with progress', async () => {
    const argv = ['scenarios/error-regression.json', '--replicates', '240', '--seed', '9', '--json'];
    const inProcess = await run([...argv, '--workers', '1']);
    const two = await run([...argv, '--workers', '2', '--progress']);
    const three = await run([...argv, '--workers', '3']);
    expect(inProcess.code).toBe(0);
    expect(two.code).toBe(0);
    expect(two.json).toEqual(inProcess.json);
    expect(three.json).toEqual(inProcess.json);
    expect(inProcess.json.replicates).toBe(240);
    expect(two.stderr).toContain('240/240 replicates');
  });
});

describe('rollout-lab simulate/sweep --shard k/N --out PART.json', () => {
  it('shards merge (rollout-lab merge) to exactly the unsharded --json output', async () => {
    const { mergeCommand } = await import('../../src/cli/commands/merge.ts');
    const { sweepCommand } = await import('../../src/cli/commands/sweep.ts');
    const policyFile = file('shard-policy.json', quickPolicy);
    const common = ['scenarios/error-regression.json', '--policy', policyFile, '--replicates', '37', '--seed', '11'];
    const unsharded = await run([...common, '--json']);
    const parts = [0, 1, 2].map((k) => join(dir, `simulate-part-${k}.json`));
    for (const [k, part] of parts.entries()) {
      const result = await run([...common, '--shard', `${k}/3`, '--out', part]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^shard ${k}/3: replicates \\[\\d+, \\d+\\) of 37`));
    }
    let merged = '';
    const io = { stdout: { write: (t: string) => (merged += t) }, stderr: { write: () => true } };
    expect(await mergeCommand.run([...parts.reverse(), '--json'], io)).toBe(0);
    expect(JSON.parse(merged)).toEqual(unsharded.json);

    // The same for a sweep with two scenarios per cell.
    const sweepArgs = [
      'scenarios/identical-candidate.json',
      'scenarios/error-regression.json',
      '--policy',
      policyFile,
      '--param',
      'errorRatio=1.5,3',
      '--replicates',
      '20',
      '--seed',
      '4',
    ];
    const capture = async (argv: string[]) => {
      let out = '';
      const code = await sweepCommand.run(argv, { stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true } });
      return { code, out };
    };
    const whole = await capture([...sweepArgs, '--json']);
    const sweepParts = [0, 1].map((k) => join(dir, `sweep-part-${k}.json`));
    for (const [k, part] of sweepParts.entries()) expect((await capture([...sweepArgs, '--shard', `${k}/2`, '--out', part])).code).toBe(0);
    let mergedSweep = '';
    expect(
      await mergeCommand.run([...sweepParts, '--json'], {
        stdout: { write: (t: string) => (mergedSweep += t) },
        stderr: { write: () => true },
      }),
    ).toBe(0);
    expect(JSON.parse(mergedSweep)).toEqual(JSON.parse(whole.out));
  }, 60_000);

  it('needs --shard and --out together', async () => {
    await expect(run(['scenarios/identical-candidate.json', '--shard', '0/2'])).rejects.toThrow(/--shard needs --out/);
    await expect(run(['scenarios/identical-candidate.json', '--out', join(dir, 'x.json')])).rejects.toThrow(/needs --shard/);
    await expect(run(['scenarios/identical-candidate.json', '--shard', '2/2', '--out', join(dir, 'x.json')])).rejects.toThrow(
      /k must be between 0 and N−1/,
    );
  });
});
