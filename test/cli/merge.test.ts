/**
 * Sharded runs merge identically: the scenario split into 1, 3 and 7 shards (uneven ranges, one
 * shard may be empty) by `simulate --shard k/N --out PART` and merged by `rollout-lab merge`
 * gives exactly the JSON of the unsharded `simulate --json` — and exactly its text without
 * `--json` (one formatter). The unsharded run is also checked against the simulator's own run
 * (runner.ts), computed independently of the shard code.
 *
 * And merge trusts nothing it cannot check (issue 11): negative or inconsistent counts, edited
 * parts, parts of another scenario, policy, seed or engine version, the same shard under two
 * names, two shards claiming one index, a missing shard, parts of the old format, and an `--out`
 * that cannot be written are each refused with one line naming the file, exit 2.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { UsageError } from '../../src/cli/args.ts';
import { mergeCommand } from '../../src/cli/commands/merge.ts';
import { simulateCommand } from '../../src/cli/commands/simulate.ts';
import { sweepCommand } from '../../src/cli/commands/sweep.ts';
import { loadPolicy, loadScenario } from '../../src/cli/files.ts';
import type { PartialResult } from '../../src/cli/shard.ts';
import { contentHash, parseShard, partialResult, shardRange, writePartialResult } from '../../src/cli/shard.ts';
import { prepareSimulation, runReplicates } from '../../src/sim/runner.ts';
import { initSummary, summaryValue } from '../../src/sim/summary.ts';
import { runCommand } from './commandHarness.ts';

const directory = mkdtempSync(join(tmpdir(), 'rollout-lab-merge-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const scenarioFile = 'scenarios/error-regression.json';
const replicates = 40;
const seed = 7;

/** Runs `simulate --shard k/N` for every k (in reverse order: merge must not rely on file order). */
async function writeParts(count: number, extra: string[] = [], scenario = scenarioFile, prefix = `part-${count}`): Promise<string[]> {
  const files: string[] = [];
  for (let index = count - 1; index >= 0; index--) {
    const file = join(directory, `${prefix}-${index}.json`);
    const result = await runCommand(simulateCommand, [
      scenario,
      '--replicates',
      String(replicates),
      '--seed',
      String(seed),
      '--shard',
      `${index}/${count}`,
      '--out',
      file,
      ...extra,
    ]);
    expect(result.stderr).toBe('');
    files.push(file);
  }
  return files;
}

function readPart(file: string): PartialResult {
  return JSON.parse(readFileSync(file, 'utf8')) as PartialResult;
}

/** Writes `part` as `name`, re-signing its hashes when `resign` (a forgery that knows the format). */
function writePart(name: string, part: PartialResult, resign = false): string {
  if (resign) {
    part.requestHash = contentHash({ command: part.command, engineVersion: part.engineVersion, request: part.request });
    const { contentHash: _old, ...rest } = part;
    part.contentHash = contentHash(rest);
  }
  const file = join(directory, name);
  writeFileSync(file, JSON.stringify(part));
  return file;
}

/** `merge` must refuse with exit 2 and exactly one line on stderr matching `message`. */
async function expectRefused(argv: string[], message: string | RegExp) {
  const result = await runCommand(mergeCommand, argv);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr.split('\n')).toHaveLength(2); // one line and its newline
  expect(result.stderr).toMatch(message);
  return result.stderr;
}

describe('sharded simulate + merge', () => {
  test.each([1, 3, 7])(
    '%i shards merge to exactly the unsharded simulate --json',
    async (count) => {
      const unsharded = await runCommand(simulateCommand, [
        scenarioFile,
        '--replicates',
        String(replicates),
        '--seed',
        String(seed),
        '--json',
      ]);
      expect(unsharded.code).toBe(0);
      // The reference, independent of the shard code: the simulator's own run of replicates 0…n−1.
      const scenario = loadScenario(scenarioFile);
      const reference = summaryValue(
        runReplicates(prepareSimulation(scenario, loadPolicy(undefined, scenario, scenarioFile), 'window', seed), 0, replicates),
      );
      expect(JSON.parse(unsharded.stdout)).toMatchObject(JSON.parse(JSON.stringify(reference)));
      const merged = await runCommand(mergeCommand, [...(await writeParts(count)), '--json']);
      expect(merged.code).toBe(0);
      expect(JSON.parse(merged.stdout)).toEqual(JSON.parse(unsharded.stdout));
      expect(JSON.parse(merged.stdout).rollbackRate.total).toBe(replicates);
    },
    60_000,
  );

  test('merge prints the same text as the unsharded simulate (one formatter)', async () => {
    const unsharded = await runCommand(simulateCommand, [scenarioFile, '--replicates', String(replicates), '--seed', String(seed)]);
    const merged = await runCommand(mergeCommand, await writeParts(3, [], scenarioFile, 'text'));
    expect(merged.code).toBe(0);
    expect(merged.stdout).toBe(unsharded.stdout);
    expect(merged.stdout).toMatch(/^scenario '.*', policy '.*', window mode, 40 replicates, seed 7\n {2}false-rollback rate/);
    expect(merged.stderr).toMatch(/^rollout-lab merge: merged 3 parts of a simulate run: 40 replicates\n$/);
  }, 60_000);

  test('--out writes the merged JSON atomically', async () => {
    const out = join(directory, 'merged.json');
    const result = await runCommand(mergeCommand, [...(await writeParts(2)), '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/merged 2 parts of a simulate run: 40 replicates → .*merged\.json/);
    expect(JSON.parse(readFileSync(out, 'utf8')).replicates).toBe(40);
  }, 60_000);

  test('a part names the engine version and the content hashes of its scenario and policy, not their paths', async () => {
    const [part] = await writeParts(1, [], scenarioFile, 'identity');
    const json = readPart(part);
    expect(json.version).toBe(2);
    expect(json.engineVersion).toBe(`rollout-lab ${JSON.parse(readFileSync('package.json', 'utf8')).version}`);
    const scenario = loadScenario(scenarioFile);
    expect(json.request.scenarioHashes).toEqual([contentHash(scenario)]);
    expect(json.request.policyHash).toBe(contentHash(loadPolicy(undefined, scenario, scenarioFile)));
    expect(JSON.stringify(json.request)).not.toContain('error-regression.json');
    expect(json.contentHash).toMatch(/^[0-9a-f]{64}$/);
  }, 60_000);
});

describe('merge refuses what it cannot trust', () => {
  test('a missing shard (a gap) and the same shard under two names', async () => {
    const parts = await writeParts(3, [], scenarioFile, 'gap');
    await expectRefused(parts.slice(1), /^rollout-lab merge: missing shard 2\/3 \(2 of 3 parts given\)\n$/);
    await expectRefused([parts[0], parts[2]], /missing shard 1\/3/);
    const copy = join(directory, 'copy-of-shard-2.json');
    copyFileSync(parts[0], copy);
    const message = await expectRefused(
      [...parts, copy],
      /shard 2\/3 is given twice: .*gap-2\.json and .*copy-of-shard-2\.json are the same part \(content hash [0-9a-f]{12}\)/,
    );
    expect(message).toContain(copy);
  }, 60_000);

  test('two different parts claiming one shard index', async () => {
    const parts = await writeParts(3, [], scenarioFile, 'claim');
    const forged = readPart(parts[1]);
    forged.cells[0].state.failedRequests += 1; // consistent counts, re-signed: only the index is shared
    const file = writePart('claim-forged.json', forged, true);
    await expectRefused([...parts, file], /shard 1\/3 is given twice with different contents: .*claim-1\.json and .*claim-forged\.json/);
  }, 60_000);

  test('negative counts, counts that do not add up, and an edit that keeps them consistent', async () => {
    const parts = await writeParts(3, [], scenarioFile, 'counts');
    const negative = readPart(parts[1]);
    negative.cells[0].state.rollbacks = -3;
    const negativeFile = writePart('negative.json', negative, true);
    await expectRefused(
      [parts[0], negativeFile, parts[2]],
      /^rollout-lab merge: .*negative\.json: cells\[0\]\.state\.rollbacks must be a whole number ≥ 0, got -3\n$/,
    );
    const fraction = readPart(parts[1]);
    fraction.cells[0].state.rollbacks += 0.5;
    await expectRefused(
      [writePart('fraction.json', fraction, true)],
      /fraction\.json: cells\[0\]\.state\.rollbacks must be a whole number ≥ 0, got \d+\.5/,
    );
    const unbalanced = readPart(parts[1]);
    unbalanced.cells[0].state.rollbacks += 5;
    await expectRefused(
      [writePart('unbalanced.json', unbalanced, true)],
      /unbalanced\.json: cells\[0\]\.state: rollbacks \+ promotions \+ undecided \(\d+ \+ \d+ \+ \d+\) must equal replicates \(13\)/,
    );
    const detections = readPart(parts[1]);
    detections.cells[0].state.detectionTimes['60'] = (detections.cells[0].state.detectionTimes['60'] ?? 0) + 1;
    await expectRefused(
      [writePart('detections.json', detections, true)],
      /detections\.json: cells\[0\]\.state: detectionTimes count \d+ rollbacks of worse candidates, but rollbacks − falseRollbacks is \d+/,
    );
    const falseRollbacks = readPart(parts[1]);
    falseRollbacks.cells[0].state.falseRollbacks = falseRollbacks.cells[0].state.rollbacks + 1;
    await expectRefused(
      [writePart('false-rollbacks.json', falseRollbacks, true)],
      /false-rollbacks\.json: cells\[0\]\.state: falseRollbacks \(\d+\) is more than rollbacks/,
    );
    // Consistent counts, but not what the shard simulated: the content hash gives the edit away.
    const edited = readPart(parts[1]);
    edited.cells[0].state.failedRequests += 1;
    await expectRefused(
      [writePart('edited.json', edited)],
      /edited\.json: contentHash does not match the content \(the part was edited or damaged\)/,
    );
    const editedRequest = readPart(parts[1]);
    editedRequest.request.replicates = 41;
    await expectRefused([writePart('edited-request.json', editedRequest)], /edited-request\.json: requestHash does not match the request/);
  }, 60_000);

  test('parts of another scenario, policy, seed or engine version', async () => {
    const parts = await writeParts(2, [], scenarioFile, 'mine');
    // The same file name, different content: a scenario edited between two shards.
    const scenario = JSON.parse(readFileSync(scenarioFile, 'utf8'));
    const editedScenario = join(directory, 'error-regression.json');
    writeFileSync(editedScenario, JSON.stringify({ ...scenario, horizon: '2d' }));
    const otherScenario = join(directory, 'other-scenario-0.json');
    await runCommand(simulateCommand, [
      editedScenario,
      '--replicates',
      String(replicates),
      '--seed',
      String(seed),
      '--shard',
      '0/2',
      '--out',
      otherScenario,
    ]);
    await expectRefused(
      [parts[0], otherScenario],
      /other-scenario-0\.json simulated a different scenario than .*mine-1\.json \(scenario content hash [0-9a-f]{12} vs [0-9a-f]{12}\)/,
    );
    const policy = join(directory, 'policy.json');
    writeFileSync(policy, JSON.stringify({ ...JSON.parse(readFileSync('scenarios/default-policy.json', 'utf8')), name: 'renamed' }));
    const [otherPolicy] = await writeParts(2, ['--policy', policy], scenarioFile, 'other-policy');
    await expectRefused([parts[1], otherPolicy], /other-policy-1\.json simulated a different policy than .*mine-0\.json/);
    const [otherSeed] = await writeParts(2, ['--seed', '8'], scenarioFile, 'other-seed');
    await expectRefused(
      [parts[1], otherSeed],
      /other-seed-1\.json comes from a different run than .*mine-0\.json \(request differs in seed\)/,
    );
    const older = readPart(parts[0]);
    older.engineVersion = 'rollout-lab 0.0.1';
    await expectRefused(
      [parts[1], writePart('older-engine.json', older, true)],
      /older-engine\.json was simulated by rollout-lab 0\.0\.1, .*mine-0\.json by rollout-lab \d/,
    );
  }, 60_000);

  test('a part of the old format (no content hashes) gets a clear error', async () => {
    const [part] = await writeParts(1, [], scenarioFile, 'v1');
    const old = readPart(part) as unknown as Record<string, unknown>;
    old.version = 1;
    delete old.contentHash;
    delete old.requestHash;
    delete old.engineVersion;
    await expectRefused(
      [writePart('old.json', old as unknown as PartialResult)],
      /old\.json: written by an older rollout-lab \(partial result version 1, without content hashes\), which merge can no longer check; run its shard again with this version/,
    );
  }, 60_000);

  test('a part nested 100,000 deep is refused in one line, not a stack overflow', async () => {
    const deep = join(directory, 'deep.json');
    writeFileSync(deep, `{"cells":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    await expectRefused(
      [deep],
      /^rollout-lab merge: partial result '.*deep\.json' nests arrays and objects more than 100 deep \(line 1, column 109\); refusing to read it\n$/,
    );
  });

  test('a part with a UTF-8 byte-order mark is read', async () => {
    const [part] = await writeParts(1, [], scenarioFile, 'bom');
    const withMark = join(directory, 'bom-marked.json');
    writeFileSync(withMark, `\ufeff${readFileSync(part, 'utf8')}`);
    const result = await runCommand(mergeCommand, [withMark, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).replicates).toBe(replicates);
  }, 60_000);

  test('an --out that cannot be written is refused before any part is read', async () => {
    const out = join(directory, 'no-such-folder', 'merged.json');
    await expectRefused(
      ['does-not-exist.json', '--out', out],
      `rollout-lab merge: --out '${out}': the folder '${join(directory, 'no-such-folder')}' does not exist\n`,
    );
    await expectRefused(
      ['does-not-exist.json', '--out', directory],
      `rollout-lab merge: --out '${directory}' is a folder; give a file path inside it\n`,
    );
  });
});

describe('sharded sweep + merge', () => {
  test('a two-scenario sweep in 3 shards merges to exactly sweep --json, and to its text', async () => {
    const files = ['scenarios/error-regression.json', 'scenarios/identical-candidate.json'];
    const common = [...files, '--param', 'errorRatio=1.5,3', '--replicates', '12', '--seed', '5'];
    const unsharded = await runCommand(sweepCommand, [...common, '--json']);
    expect(unsharded.code).toBe(0);
    const unshardedText = await runCommand(sweepCommand, common);
    const parts: string[] = [];
    for (const index of [2, 0, 1]) {
      const file = join(directory, `sweep-${index}.json`);
      const result = await runCommand(sweepCommand, [...common, '--shard', `${index}/3`, '--out', file]);
      expect(result.code).toBe(0);
      parts.push(file);
    }
    const merged = await runCommand(mergeCommand, [...parts, '--json']);
    expect(merged.code).toBe(0);
    expect(JSON.parse(merged.stdout)).toEqual(JSON.parse(unsharded.stdout));
    const mergedText = await runCommand(mergeCommand, parts);
    expect(mergedText.stdout).toBe(unshardedText.stdout);
    expect(mergedText.stdout).toMatch(/^operating characteristics: /);
    expect(readPart(parts[0]).request.scenarioHashes).toHaveLength(2);
  }, 60_000);
});

describe('shards', () => {
  test('a partial result that cannot be written after the run is one line naming the file', () => {
    const part = partialResult(
      'simulate',
      { replicates: 1, scenarioHashes: ['a'.repeat(64)], policyHash: 'b'.repeat(64) },
      {},
      { index: 0, count: 1 },
      [{ key: '', label: {}, state: { ...initSummary(), replicates: 1, undecided: 1 } }],
    );
    const file = join(directory, 'gone', 'part.json');
    expect(() => writePartialResult(file, part)).toThrow(new UsageError(`cannot write the partial result '${file}': ENOENT`));
  });

  test('parseShard accepts k/N numbered from 0 and names the problem otherwise', () => {
    expect(parseShard('0/8')).toEqual({ index: 0, count: 8 });
    expect(parseShard(' 7 / 8 ')).toEqual({ index: 7, count: 8 });
    expect(() => parseShard('8/8')).toThrow('--shard: k must be between 0 and N−1 = 7 (shards are numbered from 0), got 8');
    expect(() => parseShard('1/0')).toThrow('--shard: N must be between 1 and 100000, got 0');
    expect(() => parseShard('a/b')).toThrow("--shard must be k/N with shards numbered from 0 (e.g. 0/8), got 'a/b'");
    expect(() => parseShard('-1/3')).toThrow('--shard must be k/N');
  });
  test('shardRange splits into contiguous ranges whose sizes differ by at most one and cover everything', () => {
    for (const [total, count] of [
      [10, 3],
      [3, 7],
      [1_000_000, 64],
      [0, 2],
      [2 ** 53 - 1, 3],
    ]) {
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
