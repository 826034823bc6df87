/**
 * Fuzz of the command line: 2,000 random argv lists built from every command name, every
 * option any command takes, hostile values and files (missing, not JSON, a valid policy, an
 * invalid policy), run in-process through `main()`. Properties: `main` never throws; the exit
 * code is 0, 1 or 2; exit 2 prints a message starting `rollout-lab` whose first line says what
 * is wrong (further lines only list problems, indented) and never a stack trace; a command that
 * fails writes no `--out` file.
 */
import { existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { commands } from '../../src/cli/commands/index.ts';
import { mergeCommand } from '../../src/cli/commands/merge.ts';
import { policyExportCommand } from '../../src/cli/commands/policyExport.ts';
import { serveCommand } from '../../src/cli/commands/serve.ts';
import type { Command } from '../../src/cli/io.ts';
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';
import { runCli } from '../helpers/cli.ts';

// Commands written in this change, registered here until the lead adds them to index.ts.
for (const command of [policyExportCommand, serveCommand, mergeCommand]) {
  if (!commands.some((c: Command) => c.name === command.name)) commands.push(command);
}

const directory = mkdtempSync(join(tmpdir(), 'rollout-lab-cli-fuzz-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const validPolicy = join(directory, 'policy.json');
writeFileSync(validPolicy, JSON.stringify(defaultPolicy()));
const invalidPolicy = join(directory, 'invalid.json');
writeFileSync(invalidPolicy, JSON.stringify({ version: 1, baseline: { mode: 'sideways' }, stages: [{ kind: 'canary', traffic: 2 }] }));
const notJson = join(directory, 'garbage.json');
writeFileSync(notJson, '{"version": 1, "stages": [');
const outFile = join(directory, 'out.yaml');

const names = [...new Set(commands.flatMap((c: Command) => c.name.split(' ')))];
const options = [...new Set(commands.flatMap((c: Command) => c.usage.match(/--[a-z][a-z-]*/g) ?? []))];
const values = [
  '0',
  '-1',
  '1',
  '2',
  '0.05',
  '1e9',
  '1e308',
  '-0',
  'NaN',
  'Infinity',
  '',
  ' ',
  'abc',
  '0/4',
  '3/2',
  '1/0',
  'argo',
  'flagger',
  'json',
  'ab',
  'window',
  '127.0.0.1',
  '--',
  '-h',
  'x'.repeat(300),
  '\u0000',
  '💥',
];
const files = [join(directory, 'missing.json'), notJson, invalidPolicy, 'package.json', directory];

const token = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...options) },
  { weight: 3, arbitrary: fc.constantFrom(...values) },
  { weight: 2, arbitrary: fc.constantFrom(...files, validPolicy) },
  { weight: 1, arbitrary: fc.constantFrom(...names) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constant('--out') },
);
const argv = fc.tuple(fc.constantFrom(...commands.map((c: Command) => c.name)), fc.array(token, { maxLength: 8 })).map(([name, rest]) => {
  const list = [...name.split(' '), ...rest];
  // `serve` with a valid policy would start a server and wait for a signal: fuzz only its failures.
  if (name === 'serve') return list.map((t) => (t === validPolicy ? invalidPolicy : t));
  // A valid scenario would run a simulation; none is in the pool, so simulate/sweep fail fast.
  return list.map((t) => (t === '--out' ? `--out=${outFile}` : t));
});

describe('CLI argv fuzz', () => {
  test('2,000 random command lines: never throws, exit 0/1/2, clear one-line errors, nothing written on failure', async () => {
    const codes = [0, 0, 0];
    await fc.assert(
      fc.asyncProperty(argv, async (args) => {
        if (existsSync(outFile)) unlinkSync(outFile);
        const result = await runCli(args);
        codes[result.code] += 1;
        expect([0, 1, 2]).toContain(result.code);
        expect(result.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack trace
        // `policy validate` reports an invalid policy on stdout (its finding) with exit 2
        if (result.code === 2 && !(args[0] === 'policy' && args[1] === 'validate' && result.stderr === '' && result.stdout !== '')) {
          const lines = result.stderr.replace(/\n$/, '').split('\n');
          expect(lines[0]).toMatch(/^rollout-lab/);
          for (const line of lines.slice(1)) expect(line).toMatch(/^\s/);
        }
        if (result.code !== 0) expect(existsSync(outFile)).toBe(false);
        expect(result.stderr).not.toMatch(/internal error/);
      }),
      { numRuns: 2000, seed: 20261129 },
    );
    // the generator reaches both sides: successful runs and refused ones
    expect(codes[0]).toBeGreaterThan(20);
    expect(codes[2]).toBeGreaterThan(1000);
  }, 30_000);
});
