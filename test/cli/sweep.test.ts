import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import { parseParameter, sweepCommand } from '../../src/cli/commands/sweep.ts';
import { runCommandObject } from '../helpers/cli.ts';
import { buildWorkersIfStale } from '../workers/buildWorkers.ts';

function run(argv: string[]) {
  return runCommandObject(sweepCommand, argv);
}

let dir: string;
let policyFile: string;
beforeAll(() => {
  // Sweeps of at least 2,000 replicates simulate on worker threads (compiled JavaScript).
  buildWorkersIfStale();
  dir = mkdtempSync(join(tmpdir(), 'rollout-lab-sweep-'));
  policyFile = join(dir, 'policy.json');
  writeFileSync(
    policyFile,
    JSON.stringify({
      version: 1,
      name: 'one-hour canary',
      baseline: { mode: 'concurrent' },
      stages: [
        {
          kind: 'canary',
          traffic: 0.1,
          minDuration: '1h',
          checkInterval: '5m',
          rules: [{ type: 'ratio', metric: 'errorRate', maxRatio: 2 }],
        },
        { kind: 'promote' },
      ],
    }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scenarios = ['scenarios/identical-candidate.json', 'scenarios/error-regression.json'];

describe('rollout-lab sweep', () => {
  it('parses --param lists', () => {
    expect(parseParameter('errorRatio=1.5,2,3')).toEqual({ name: 'errorRatio', values: [1.5, 2, 3] });
    expect(parseParameter('checkInterval=5m,600')).toEqual({ name: 'checkInterval', values: ['5m', 600] });
    expect(() => parseParameter('colour=1')).toThrow(/unknown parameter/);
    // A knob by the policy's own name is a parameter too; an unknown knob is not.
    expect(parseParameter('latencyP99.maxRatio=1.5,2')).toEqual({ name: 'latencyP99.maxRatio', values: [1.5, 2] });
    expect(() => parseParameter('latencyP99.maxRatoi=1.5')).toThrow(/--param latencyP99.maxRatoi: unknown parameter/);
    expect(() => parseParameter('errorRatio')).toThrow(UsageError);
  });

  it('prints the operating characteristics: a looser threshold trades false rollbacks for missed regressions', async () => {
    const result = await run([
      ...scenarios,
      '--policy',
      policyFile,
      '--param',
      'errorRatio=1.5,2,4',
      '--replicates',
      '300',
      '--seed',
      '5',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const rows = result.json.rows;
    expect(rows.map((row: any) => row.errorRatio)).toEqual([1.5, 2, 4]);
    for (const row of rows) {
      // One healthy and one regression scenario: both rates have a denominator of 300.
      expect(row.falseRollbackRate.total).toBe(300);
      expect(row.missedRegressionRate.total).toBe(300);
    }
    // Common random numbers: the rates are monotone in the threshold, replicate by replicate.
    expect(rows[0].falseRollbackRate.count).toBeGreaterThanOrEqual(rows[1].falseRollbackRate.count);
    expect(rows[1].falseRollbackRate.count).toBeGreaterThanOrEqual(rows[2].falseRollbackRate.count);
    expect(rows[0].missedRegressionRate.count).toBeLessThanOrEqual(rows[1].missedRegressionRate.count);
    expect(rows[1].missedRegressionRate.count).toBeLessThanOrEqual(rows[2].missedRegressionRate.count);
    expect(rows[0].falseRollbackRate.rate).toBeGreaterThan(rows[2].falseRollbackRate.rate);
    expect(rows[2].missedRegressionRate.rate).toBeGreaterThan(rows[0].missedRegressionRate.rate);
  });

  it('gives the same rows on worker threads as in one thread, whatever their number, for a whole run and for a shard', async () => {
    const argv = [...scenarios, '--policy', policyFile, '--param', 'errorRatio=1.5,3', '--replicates', '90', '--seed', '6', '--json'];
    const inProcess = await run([...argv, '--workers', '1']);
    expect(inProcess.json.rows).toHaveLength(2);
    for (const workers of ['2', '3']) expect((await run([...argv, '--workers', workers])).stdout).toBe(inProcess.stdout);
    // A shard's partial result (replicates [45, 90)) is the same too.
    const parts = ['1', '2'].map((workers) => join(dir, `sweep-shard-w${workers}.json`));
    for (const [i, workers] of ['1', '2'].entries()) {
      expect((await run([...argv.filter((a) => a !== '--json'), '--shard', '1/2', '--out', parts[i], '--workers', workers])).code).toBe(0);
    }
    expect(readFileSync(parts[1], 'utf8')).toBe(readFileSync(parts[0], 'utf8'));
    await expect(run([...argv, '--workers', '1.5'])).rejects.toThrow(/--workers must be a whole number/);
  }, 60_000);

  it('sweeps two parameters as a table', async () => {
    const result = await run([
      scenarios[0],
      '--policy',
      policyFile,
      '--param',
      'errorRatio=2,3',
      '--param',
      'checkInterval=5m,10m',
      '--replicates',
      '50',
    ]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toContain("operating characteristics: 'identical candidate'");
    expect(lines[1]).toMatch(/^errorRatio\s+checkInterval\s+false-rollback rate/);
    expect(lines.slice(2).map((line) => line.split(/\s+/).slice(0, 2).join(' '))).toEqual(['2 5m', '2 10m', '3 5m', '3 10m']);
  });

  it('rejects bad input', async () => {
    await expect(run([scenarios[0], '--policy', policyFile])).rejects.toThrow(/--param is required/);
    await expect(run([scenarios[0], '--policy', policyFile, '--param', 'p95Ratio=1.5'])).rejects.toThrow(/no ratio rule on latencyP95/);
    await expect(run([scenarios[0], '--policy', policyFile, '--param', 'errorRatio=-1', '--replicates', '5'])).rejects.toThrow(/invalid/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 2 }));
    const result = await run([bad, '--param', 'errorRatio=2']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('version: version must be 1, got 2');
  });
});
