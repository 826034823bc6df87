import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayCommand } from '../../src/cli/commands/replay.ts';
import { streamFor } from '../../src/engine/random/streams.ts';
import { runCommandObject } from '../helpers/cli.ts';

function run(argv: string[], stdinText?: string) {
  return runCommandObject(replayCommand, argv, stdinText);
}

/** One day of requests at 1.5/s, 1% errors (as "ERROR"/"OK"), latencies in seconds; versions v1 (70%) and v2. */
function logText(): string {
  const random = streamFor(4, 0, 'cli-log');
  const start = Date.UTC(2024, 2, 4);
  const lines = ['When,Took (s),Result,Version'];
  let t = start;
  for (;;) {
    t += (-Math.log(1 - random()) / 1.5) * 1000;
    if (t >= start + 86_400_000) break;
    const latency = 0.12 * Math.exp(0.4 * (random() + random() + random() - 1.5));
    lines.push(`${new Date(Math.round(t)).toISOString()},${latency.toFixed(4)},${random() < 0.01 ? 'ERROR' : 'OK'},${random() < 0.7 ? 'v1' : 'v2'}`);
  }
  return lines.join('\r\n');
}

const directory = mkdtempSync(join(tmpdir(), 'rollout-lab-replay-'));
const policyFile = join(directory, 'policy.json');
writeFileSync(
  policyFile,
  JSON.stringify({
    version: 1,
    name: 'short canary',
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 200, failureLimit: 2 },
    stages: [
      { kind: 'canary', traffic: 0.25, minDuration: '6h', checkInterval: '30m', rules: [{ type: 'ratio', metric: 'errorRate', maxRatio: 2 }] },
      { kind: 'promote' },
    ],
  }),
);
const text = logText();
const map = 'timestamp=when,latency=took (s),status=result';

describe('rollout-lab replay', () => {
  it('measures detection power of an injected regression, as one JSON object', async () => {
    const result = await run(['-', '--map', map, '--latency-unit', 's', '--policy', policyFile, '--inject', 'errors*4', '--replicates', '20', '--seed', '3', '--json'], text);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    const json = result.json;
    expect(json.policy).toBe('short canary');
    expect(json.roles.mode).toBe('single');
    expect(json.replicates).toBe(20);
    expect(json.resamples).toBe(20);
    expect(json.blockMinutes).toBe(11);
    expect(json.injections).toEqual([{ kind: 'errorScale', factor: 4 }]);
    // Every candidate is worse (4× the error rate > the 1.2× tolerance); all are rolled back.
    expect(json.detectionPower).toMatchObject({ rate: 1, count: 20, total: 20 });
    expect(json.missedRegressionRate.total).toBe(20);
    expect(json.falseRollbackRate.total).toBe(0);
    expect(json.parse.rowsRejected).toBe(0);
  });

  it('replays two versions as an A/B comparison and prints a readable summary', async () => {
    const result = await run(['-', '--map', `${map},model=version`, '--latency-unit', 's', '--policy', policyFile, '--replicates', '10'], text);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/A\/B replay: control 'v1' \(\d+ requests, error rate 0\.0\d+\) vs candidate 'v2'/);
    expect(result.stdout).toMatch(/false-rollback rate\s+/);
    expect(result.stdout).toMatch(/detection power\s+/);
    expect(result.stdout).toContain('10 replicates over 10 bootstrap series of the arrivals (blocks of 11 min), seed 1, window mode');
  });

  it('is reproducible for a seed', async () => {
    const argv = ['-', '--map', map, '--latency-unit', 's', '--policy', policyFile, '--replicates', '8', '--seed', 'abc', '--json'];
    const first = await run(argv, text);
    const second = await run(argv, text);
    expect(second.json).toEqual(first.json);
  });

  it('names the argument on bad input', async () => {
    await expect(run(['-', '--map', map, '--inject', 'latency^2'], text)).rejects.toThrow("--inject: injection 'latency^2' must look like");
    await expect(run(['-', '--map', map, '--replicates', '0'], text)).rejects.toThrow('--replicates must be at least 1, got 0');
    await expect(run(['-', '--map', map, '--replicates', '5', '--resamples', '6'], text)).rejects.toThrow('--resamples must be at most 5, got 6');
    await expect(run(['-', '--map', map, '--policy', join(directory, 'missing.json')], text)).rejects.toThrow("cannot read policy file");
    await expect(run(['-', '--map', map, '--latency-unit', 's', '--control', 'v9', '--replicates', '2'], text)).rejects.toThrow(
      'control and candidate versions can only be chosen when the log maps a model column',
    );
    await expect(run(['--map', map])).rejects.toThrow('LOG is required');
  });

  it('lists the problems of an invalid policy file with exit code 2', async () => {
    const bad = join(directory, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, name: 'bad', stages: 'no' }));
    const result = await run(['-', '--map', map, '--policy', bad], text);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`rollout-lab replay: ${bad} is not valid`);
  });
});
