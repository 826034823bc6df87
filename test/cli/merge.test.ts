/**
 * Sharded runs merge identically: the scenario split into 1, 3 and 7 shards (uneven ranges, one
 * shard may be empty) and merged by `rollout-lab merge` gives exactly the JSON of the unsharded
 * `simulate --json`. The reference is the simulator's own unsharded run (runner.ts), computed
 * independently of the shard code. Also: shard parsing, and every way a merge must refuse.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { mergeCommand } from '../../src/cli/commands/merge.ts';
import { loadPolicy, loadScenario, simulateCommand } from '../../src/cli/commands/simulate.ts';
import { parseShard, partialResult, shardRange } from '../../src/cli/shard.ts';
import type { PartialResult } from '../../src/cli/shard.ts';
import { sweepCommand } from '../../src/cli/commands/sweep.ts';
import { prepareSimulation, runReplicates } from '../../src/sim/runner.ts';
import { withParameter } from '../../src/sim/sweep.ts';
import { initSummary, mergeSummaries } from '../../src/sim/summary.ts';

const directory = mkdtempSync(join(tmpdir(), 'rollout-lab-merge-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function run(command: typeof mergeCommand, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } };
  const code = await command.run(argv, io);
  return { code, stdout, stderr };
}

const scenarioFile = 'scenarios/error-regression.json';
const replicates = 40;
const seed = 7;

/** What `simulate --shard k/N --out PART` must write (the simulate command does not take --shard yet). */
function writeParts(count: number): string[] {
  const scenario = loadScenario(scenarioFile);
  const policy = loadPolicy(undefined, scenario, scenarioFile);
  const simulation = prepareSimulation(scenario, policy, 'window', seed);
  const files: string[] = [];
  for (let index = count - 1; index >= 0; index--) {
    const { from, to } = shardRange(replicates, { index, count });
    const part = partialResult(
      'simulate',
      { scenario: scenarioFile, policy: null, mode: 'window', seed, replicates },
      { scenario: scenario.name, policy: policy.name ?? 'policy', mode: 'window', seed },
      { index, count },
      [{ key: '', label: {}, state: runReplicates(simulation, from, to) }],
    );
    const file = join(directory, `part-${count}-${index}.json`);
    writeFileSync(file, JSON.stringify(part));
    files.push(file);
  }
  return files;
}

describe('sharded simulate + merge', () => {
  test.each([1, 3, 7])('%i shards merge to exactly the unsharded simulate --json', async (count) => {
    const unsharded = await run(simulateCommand, [scenarioFile, '--replicates', String(replicates), '--seed', String(seed), '--json']);
    expect(unsharded.code).toBe(0);
    const merged = await run(mergeCommand, [...writeParts(count), '--json']);
    expect(merged.stderr).toBe('');
    expect(JSON.parse(merged.stdout)).toEqual(JSON.parse(unsharded.stdout));
    expect(JSON.parse(merged.stdout).rollbackRate.total).toBe(replicates);
  }, 60_000);

  test('--out writes the merged JSON atomically', async () => {
    const out = join(directory, 'merged.json');
    const result = await run(mergeCommand, [...writeParts(2), '--out', out]);
    expect(result.stdout).toMatch(/^merged 2 parts of a simulate run: 40 replicates/);
    expect(JSON.parse(readFileSync(out, 'utf8')).replicates).toBe(40);
  }, 60_000);

  test('refuses missing, duplicated and foreign shards, naming them', async () => {
    const parts = writeParts(3);
    await expect(run(mergeCommand, parts.slice(1))).rejects.toThrow('missing shard 2/3');
    await expect(run(mergeCommand, [...parts, parts[0]])).rejects.toThrow(/shard 2\/3 is given twice/);
    const foreign = JSON.parse(readFileSync(parts[0], 'utf8')) as PartialResult;
    foreign.request.seed = 8;
    writeFileSync(join(directory, 'foreign.json'), JSON.stringify(foreign));
    await expect(run(mergeCommand, [join(directory, 'foreign.json'), ...parts.slice(1)])).rejects.toThrow('comes from a different run');
    const tampered = JSON.parse(readFileSync(parts[1], 'utf8'));
    tampered.cells[0].state.replicates += 1;
    writeFileSync(join(directory, 'tampered.json'), JSON.stringify(tampered));
    await expect(run(mergeCommand, [parts[0], join(directory, 'tampered.json'), parts[2]])).rejects.toThrow(/cells\[0\]\.state\.replicates must be/);
    writeFileSync(join(directory, 'garbage.json'), '{"format":');
    await expect(run(mergeCommand, [join(directory, 'garbage.json')])).rejects.toThrow('is not valid JSON');
  }, 60_000);
});

describe('sharded sweep + merge', () => {
  test('a two-scenario sweep in 3 shards merges to exactly sweep --json', async () => {
    const files = ['scenarios/error-regression.json', 'scenarios/identical-candidate.json'];
    const unsharded = await run(sweepCommand, [...files, '--param', 'errorRatio=1.5,3', '--replicates', '12', '--seed', '5', '--json']);
    expect(unsharded.code).toBe(0);
    const scenarios = files.map(loadScenario);
    const policy = loadPolicy(undefined, scenarios[0], files[0]);
    const settings = [1.5, 3];
    const parts = [0, 1, 2].map((index) => {
      const { from, to } = shardRange(12, { index, count: 3 });
      // what `sweep --shard k/N` must do: per setting, replicates [from, to) of every scenario, pooled
      const cells = settings.map((value) => {
        const state = initSummary();
        for (const scenario of scenarios) mergeSummaries(state, runReplicates(prepareSimulation(scenario, withParameter(policy, 'errorRatio', value), 'window', 5), from, to));
        return { key: `errorRatio=${value}`, label: { errorRatio: value }, state };
      });
      const file = join(directory, `sweep-${index}.json`);
      const output = { scenarios: scenarios.map((s) => s.name), policy: policy.name ?? null, parameters: ['errorRatio'], mode: 'window', seed: 5, replicates: 12 };
      writeFileSync(file, JSON.stringify(partialResult('sweep', { files, params: ['errorRatio=1.5,3'], seed: 5, replicates: 12, scenariosPerCell: 2 }, output, { index, count: 3 }, cells)));
      return file;
    });
    const merged = await run(mergeCommand, [...parts, '--json']);
    expect(JSON.parse(merged.stdout)).toEqual(JSON.parse(unsharded.stdout));
  }, 60_000);
});

describe('shards', () => {
  test('parseShard accepts k/N numbered from 0 and names the problem otherwise', () => {
    expect(parseShard('0/8')).toEqual({ index: 0, count: 8 });
    expect(parseShard(' 7 / 8 ')).toEqual({ index: 7, count: 8 });
    expect(() => parseShard('8/8')).toThrow('--shard: k must be between 0 and N−1 = 7 (shards are numbered from 0), got 8');
    expect(() => parseShard('1/0')).toThrow('--shard: N must be between 1 and 100000, got 0');
    expect(() => parseShard('a/b')).toThrow("--shard must be k/N with shards numbered from 0 (e.g. 0/8), got 'a/b'");
    expect(() => parseShard('-1/3')).toThrow('--shard must be k/N');
  });
  test('shardRange splits into contiguous ranges whose sizes differ by at most one and cover everything', () => {
    for (const [total, count] of [[10, 3], [3, 7], [1_000_000, 64], [0, 2], [2 ** 53 - 1, 3]]) {
      let next = 0;
      const sizes: number[] = [];
      for (let index = 0; index < count; index++) {
        const { from, to } = shardRange(total, { index, count });
        expect(from).toBe(next);
        sizes.push(to - from);
        next = to;
      }
      expect(next).toBe(total);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    expect(shardRange(10, { index: 1, count: 3 })).toEqual({ from: 3, to: 6 });
  });
});
