/**
 * The CLI's files (issue 11, "Arguments and files"): where results go is checked before any
 * work starts; a JSON document nested 100,000 deep gives one line naming the file, not a stack
 * overflow; a UTF-8 byte-order mark (what Windows editors write) does not break a parse.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { decideCommand } from '../../src/cli/commands/decide.ts';
import { policyValidateCommand } from '../../src/cli/commands/policy.ts';
import { policyExportCommand } from '../../src/cli/commands/policyExport.ts';
import { simulateCommand } from '../../src/cli/commands/simulate.ts';
import { sweepCommand } from '../../src/cli/commands/sweep.ts';
import { tuneCommand } from '../../src/cli/commands/tune.ts';
import { loadScenario, requirePolicyFile } from '../../src/cli/files.ts';
import { checkJsonDepth, maxJsonDepth } from '../../src/cli/jsonText.ts';
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';
import { runCommand } from './commandHarness.ts';

const directory = mkdtempSync(join(tmpdir(), 'rollout-lab-input-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(directory, name);
  writeFileSync(path, content);
  return path;
}

const missingFolder = join(directory, 'no-such-folder');
const unwritable = join(missingFolder, 'part.json');
const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
const byteOrderMark = '\ufeff';

describe('--out is checked before the run', () => {
  // A billion replicates would run for hours: only a check made first can answer at once.
  test('simulate --shard with --out in a missing folder fails at once, exit 2, one line', async () => {
    const result = await runCommand(simulateCommand, [
      'scenarios/identical-candidate.json',
      '--replicates',
      '1000000000',
      '--shard',
      '0/2',
      '--out',
      unwritable,
    ]);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `rollout-lab simulate: --out '${unwritable}': the folder '${missingFolder}' does not exist\n`,
    });
  });

  test('sweep --shard with --out in a missing folder fails at once', async () => {
    const result = await runCommand(sweepCommand, [
      'scenarios/identical-candidate.json',
      '--param',
      'errorRatio=2,3',
      '--replicates',
      '1000000000',
      '--shard',
      '0/2',
      '--out',
      unwritable,
    ]);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `rollout-lab sweep: --out '${unwritable}': the folder '${missingFolder}' does not exist\n`,
    });
  });

  test('tune --out into a missing folder fails before the search', async () => {
    const result = await runCommand(tuneCommand, [
      '--healthy',
      'scenarios/identical-candidate.json',
      '--regressed',
      'scenarios/error-regression.json',
      '--max-false-rollback',
      '0.05',
      '--min-detection',
      '0.9',
      '--within',
      '1h',
      '--replicates',
      '10000000',
      '--out',
      join(missingFolder, 'tuned.json'),
    ]);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `rollout-lab tune: --out '${join(missingFolder, 'tuned.json')}': the folder '${missingFolder}' does not exist\n`,
    });
  });

  test('--out naming a folder, or a path through a file, is refused too', async () => {
    const folder = await runCommand(simulateCommand, ['scenarios/identical-candidate.json', '--shard', '0/2', '--out', directory]);
    expect(folder.stderr).toBe(`rollout-lab simulate: --out '${directory}' is a folder; give a file path inside it\n`);
    const plain = file('plain.txt', 'x');
    const through = await runCommand(simulateCommand, [
      'scenarios/identical-candidate.json',
      '--shard',
      '0/2',
      '--out',
      join(plain, 'part.json'),
    ]);
    expect(through.stderr).toBe(`rollout-lab simulate: --out '${join(plain, 'part.json')}': '${plain}' is not a folder\n`);
  });
  // root may write anywhere, so the check can only be seen failing as another user.
  test.skipIf(process.getuid?.() === 0)('--out into a folder this process may not write is refused at once', async () => {
    const readOnly = join(directory, 'read-only');
    mkdirSync(readOnly, { mode: 0o555 });
    const result = await runCommand(simulateCommand, [
      'scenarios/identical-candidate.json',
      '--replicates',
      '1000000000',
      '--shard',
      '0/2',
      '--out',
      join(readOnly, 'part.json'),
    ]);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `rollout-lab simulate: --out '${join(readOnly, 'part.json')}': cannot write into the folder '${readOnly}' (EACCES)\n`,
    });
  });
});

describe('policy export, serve and replay read policies as the other commands do', () => {
  test('policy export --out into a missing folder fails before the export, exit 2, one line', async () => {
    const policy = file('export-policy.json', JSON.stringify(defaultPolicy()));
    const result = await runCommand(policyExportCommand, [policy, '--format', 'argo', '--out', unwritable]);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `rollout-lab policy export: --out '${unwritable}': the folder '${missingFolder}' does not exist\n`,
    });
  });

  test('a policy with a byte-order mark is read; one nested 100,000 deep is refused in one line naming the file', () => {
    const marked = file('marked-policy.json', byteOrderMark + JSON.stringify(defaultPolicy()));
    expect(requirePolicyFile(marked).name).toBe(defaultPolicy().name);
    const nested = file('nested-policy.json', deep);
    expect(() => requirePolicyFile(nested)).toThrow(
      `policy file '${nested}' nests arrays and objects more than 100 deep (line 1, column 101); refusing to read it`,
    );
  });
});

describe('deeply nested JSON', () => {
  test('a scenario of 100,000 nested arrays: one line naming the file, exit 2', async () => {
    const path = file('deep-scenario.json', deep);
    const result = await runCommand(simulateCommand, [path, '--replicates', '2']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `rollout-lab simulate: scenario file '${path}' nests arrays and objects more than 100 deep (line 1, column 101); refusing to read it\n`,
    });
  });

  test('a policy whose stages nest 100,000 deep: one line naming the file (simulate, policy validate, decide)', async () => {
    const path = file('deep-policy.json', `{\n  "version": 1,\n  "stages": ${deep}\n}`);
    const simulate = await runCommand(simulateCommand, ['scenarios/identical-candidate.json', '--policy', path, '--replicates', '2']);
    expect(simulate).toEqual({
      code: 2,
      stdout: '',
      stderr: `rollout-lab simulate: policy file '${path}' nests arrays and objects more than 100 deep (line 3, column 112); refusing to read it\n`,
    });
    const validate = await runCommand(policyValidateCommand, [path]);
    expect(validate).toEqual({
      code: 2,
      stdout: '',
      stderr: `rollout-lab policy validate: policy file '${path}' nests arrays and objects more than 100 deep (line 3, column 112); refusing to read it\n`,
    });
    const decide = await runCommand(decideCommand, ['--policy', path], '');
    expect(decide.code).toBe(2);
    expect(decide.stderr).toBe(
      `rollout-lab decide: policy file '${path}' nests arrays and objects more than 100 deep (line 3, column 112); refusing to read it\n`,
    );
  });

  test('a window line nested 100,000 deep is reported as that line, and the next line is still decided', async () => {
    const policy = file('policy.json', readFileSync('scenarios/default-policy.json', 'utf8'));
    const window = JSON.stringify({
      startTime: 0,
      duration: 300,
      control: { requests: 4750, errors: 47, timeouts: 10, latency: { p50: 100, p95: 250, p99: 400 } },
      candidate: { requests: 250, errors: 2, timeouts: 0, latency: { p50: 100, p95: 250, p99: 400 } },
    });
    const result = await runCommand(decideCommand, ['--policy', policy], `${deep}\n${window}\n`);
    expect(result.stderr).toBe(
      'rollout-lab decide: line 1 nests arrays and objects more than 100 deep (line 1, column 101); refusing to read it\n',
    );
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((text) => JSON.parse(text));
    expect(lines[0]).toMatchObject({
      line: 1,
      error: 'line 1 nests arrays and objects more than 100 deep (line 1, column 101); refusing to read it',
    });
    expect(lines[1]).toMatchObject({ line: 2, decision: expect.any(String) });
  });

  test('an unclosed document 100,000 deep: one line naming the file, not "column NaN: undefined" from an overflowed scan', async () => {
    const path = file('unclosed.json', '['.repeat(100_000));
    const validate = await runCommand(policyValidateCommand, [path]);
    expect(validate).toEqual({
      code: 2,
      stdout: '',
      stderr: `rollout-lab policy validate: policy file '${path}' nests arrays and objects more than 100 deep (line 1, column 101); refusing to read it\n`,
    });
    const policy = file('policy-for-unclosed.json', readFileSync('scenarios/default-policy.json', 'utf8'));
    const decide = await runCommand(decideCommand, ['--policy', policy], `${'['.repeat(100_000)}\n`);
    expect(decide.stderr).toBe(
      'rollout-lab decide: line 1 nests arrays and objects more than 100 deep (line 1, column 101); refusing to read it\n',
    );
  });

  test('checkJsonDepth counts arrays and objects, not brackets inside strings', () => {
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    expect(() => checkJsonDepth(nested(maxJsonDepth), 'x')).not.toThrow();
    expect(() => checkJsonDepth(nested(maxJsonDepth + 1), 'x')).toThrow(
      'x nests arrays and objects more than 100 deep (line 1, column 101)',
    );
    expect(() => checkJsonDepth(`{"a":"${'['.repeat(500)}\\"${'{'.repeat(500)}"}`, 'x')).not.toThrow();
    expect(() => checkJsonDepth('{"a":\n {"b":\n  [[1]]}}', 'x', 3)).toThrow(
      'x nests arrays and objects more than 3 deep (line 3, column 4)',
    );
  });
});

describe('a UTF-8 byte-order mark', () => {
  test('before a scenario and a policy: read as without it', async () => {
    const scenario = file('bom-scenario.json', byteOrderMark + readFileSync('scenarios/identical-candidate.json', 'utf8'));
    const policy = file('bom-policy.json', byteOrderMark + readFileSync('scenarios/default-policy.json', 'utf8'));
    const plain = await runCommand(simulateCommand, [
      'scenarios/identical-candidate.json',
      '--policy',
      'scenarios/default-policy.json',
      '--replicates',
      '3',
      '--json',
    ]);
    const marked = await runCommand(simulateCommand, [scenario, '--policy', policy, '--replicates', '3', '--json']);
    expect(marked.stderr).toBe('');
    expect(marked.code).toBe(0);
    expect(JSON.parse(marked.stdout)).toEqual(JSON.parse(plain.stdout));
    const validate = await runCommand(policyValidateCommand, [policy]);
    expect(validate.code).toBe(0);
  });

  test('before an arrival trace without a header: the first arrival is kept, not taken for a header', () => {
    const trace = file('bom-trace.csv', `${byteOrderMark}0\n1.5\n4\n`);
    const scenario = file(
      'bom-trace-scenario.json',
      JSON.stringify({
        version: 1,
        name: 'replay with a byte-order mark',
        horizon: '2h',
        traffic: { requestsPerSecond: 1, arrivals: { kind: 'replay', file: trace } },
        control: { latency: { kind: 'exponential', mean: 100 }, errorRate: 0.01 },
        candidate: { latency: { kind: 'exponential', mean: 100 }, errorRate: 0.01 },
      }),
    );
    const arrivals = loadScenario(scenario).traffic.arrivals as { times: number[] };
    expect(arrivals.times).toEqual([0, 1.5, 4]);
  });
});
