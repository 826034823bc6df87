/**
 * Human-readable string seeds on the command line and in scenarios (issue 13): a text such as
 * `release-2026-12` is the numeric stream seed `seedFromText` maps it to (pinned in
 * test/engine/random/seedFromText.test.ts against scripts/reference/seed_from_text.py), so it
 * gives exactly the results of that number; a scenario's own `seed` is used when --seed is absent.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import { simulateCommand } from '../../src/cli/commands/simulate.ts';
import { runCommandObject } from '../helpers/cli.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rollout-lab-seeds-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fast policy: one 1-hour canary at 10%. */
const quickPolicy = {
  version: 1,
  baseline: { mode: 'concurrent' },
  stages: [
    { kind: 'canary', traffic: 0.1, minDuration: '1h', checkInterval: '5m', rules: [{ type: 'ratio', metric: 'errorRate', maxRatio: 2 }] },
    { kind: 'promote' },
  ],
};

async function simulate(scenarioFile: string, extra: string[]) {
  const policy = join(dir, 'quick.json');
  writeFileSync(policy, JSON.stringify(quickPolicy));
  const result = await runCommandObject(simulateCommand, [scenarioFile, '--policy', policy, '--replicates', '40', '--json', ...extra]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe('string seeds', () => {
  it('--seed release-2026-12 runs the streams of its 53-bit seed, and says which', async () => {
    const text = await simulate('scenarios/error-regression.json', ['--seed', 'release-2026-12']);
    const number = await simulate('scenarios/error-regression.json', ['--seed', '6579759434890201']);
    expect(text.seed).toBe(6579759434890201);
    expect(text).toEqual(number);
    const other = await simulate('scenarios/error-regression.json', ['--seed', '1']);
    expect(other.seed).toBe(1);
    expect(other).not.toEqual({ ...text, seed: 1 });
  });

  it("a scenario's own seed (number or text) is used when --seed is absent, and --seed overrides it", async () => {
    const scenario = JSON.parse(readFileSync('scenarios/error-regression.json', 'utf8'));
    const withText = join(dir, 'with-text-seed.json');
    writeFileSync(withText, JSON.stringify({ ...scenario, seed: 'release-2026-12' }));
    const withNumber = join(dir, 'with-number-seed.json');
    writeFileSync(withNumber, JSON.stringify({ ...scenario, seed: 7 }));
    expect(await simulate(withText, [])).toEqual(await simulate('scenarios/error-regression.json', ['--seed', 'release-2026-12']));
    expect(await simulate(withNumber, [])).toEqual(await simulate('scenarios/error-regression.json', ['--seed', '7']));
    expect((await simulate(withText, ['--seed', '7'])).seed).toBe(7);
    expect((await simulate('scenarios/error-regression.json', [])).seed).toBe(1);
  });

  it('refuses an empty --seed and a fractional scenario seed, naming them', async () => {
    await expect(runCommandObject(simulateCommand, ['scenarios/error-regression.json', '--seed=', '--replicates', '1'])).rejects.toThrow(
      new UsageError('--seed must be a whole number or a text such as release-2026-12, got an empty text'),
    );
    const scenario = JSON.parse(readFileSync('scenarios/error-regression.json', 'utf8'));
    const fractional = join(dir, 'fractional-seed.json');
    writeFileSync(fractional, JSON.stringify({ ...scenario, seed: 1.5 }));
    const refused = await runCommandObject(simulateCommand, [fractional, '--replicates', '1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('seed: seed must be a whole number, got 1.5');
  });
});
