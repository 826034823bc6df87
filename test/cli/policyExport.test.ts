/** `rollout-lab policy export`: formats, options, --out (atomic, nothing written on failure), and one-line usage errors. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { policyExportCommand } from '../../src/cli/commands/policyExport.ts';
import type { Command } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';

const directory = mkdtempSync(join(tmpdir(), 'rollout-lab-export-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const policyFile = join(directory, 'policy.json');
writeFileSync(policyFile, JSON.stringify(defaultPolicy()));

/** Runs the command through main() with it registered (the lead registers it in index.ts). */
async function run(argv: string[]) {
  const { commands } = await import('../../src/cli/commands/index.ts');
  if (!commands.some((c: Command) => c.name === 'policy export')) commands.push(policyExportCommand);
  let stdout = '';
  let stderr = '';
  const code = await main(['policy', 'export', ...argv], {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  });
  return { code, stdout, stderr };
}

describe('policy export', () => {
  test('argo: YAML on stdout with the user metric names', async () => {
    const result = await run([
      policyFile,
      '--format',
      'argo',
      '--metric-error',
      'model_errors_total',
      '--service',
      'ranker',
      '--namespace',
      'ml',
    ]);
    expect(result.code).toBe(0);
    const docs = parseAllDocuments(result.stdout).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual([
      'AnalysisTemplate',
      'AnalysisTemplate',
      'AnalysisTemplate',
      'AnalysisTemplate',
      'AnalysisTemplate',
      'AnalysisTemplate',
      'Rollout',
    ]);
    expect(docs[6].metadata.namespace).toBe('ml');
    // The export's notes head the stream as comments.
    expect(result.stdout).toMatch(/^# Argo Rollouts export by rollout-lab/);
    expect(docs[1].spec.args).toContainEqual({ name: 'error-metric', value: 'model_errors_total' });
  });
  test('flagger --out writes the file and reports it; --json describes it', async () => {
    const out = join(directory, 'canary.yaml');
    const result = await run([policyFile, '--format', 'flagger', '--flagger-mode', 'ab', '--out', out, '--json']);
    expect(result.code).toBe(0);
    const described = JSON.parse(result.stdout);
    expect(described).toMatchObject({ format: 'flagger', documents: 6, out });
    expect(described.notes[0]).toBe('Flagger export by rollout-lab (ab mode).');
    expect(described.notes).toContainEqual(expect.stringContaining('1 failed check(s), i.e. 5m of quiet, roll the canary back'));
    const docs = parseAllDocuments(readFileSync(out, 'utf8')).map((d) => d.toJS());
    expect(docs.at(-1).spec.analysis.iterations).toBe(288);
  });
  test('json: the validated policy', async () => {
    const result = await run([policyFile, '--format', 'json']);
    expect(JSON.parse(result.stdout)).toEqual(defaultPolicy());
  });
  test.each([
    [['--format', 'argo'], 'a policy file is required'],
    [[policyFile], '--format is required (argo, flagger, json)'],
    [[policyFile, '--format', 'helm'], "--format must be one of argo, flagger, json, got 'helm'"],
    [[policyFile, '--format', 'argo', '--flagger-mode', 'ab'], '--flagger-mode applies only to --format flagger'],
    [[policyFile, '--format', 'argo', '--metric-error', 'errors{x}'], 'errorMetric must be a Prometheus metric name'],
    [[join(directory, 'missing.json'), '--format', 'argo'], 'cannot read policy file'],
  ])('%j → exit 2 with one line', async (argv, message) => {
    const out = join(directory, 'never.yaml');
    const result = await run([...argv, '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });
  test('an invalid policy lists its problems on one line, and writes nothing', async () => {
    const bad = join(directory, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...defaultPolicy(), stages: [{ kind: 'canary', traffic: 1.5, minDuration: '1h', rules: [] }] }));
    const out = join(directory, 'bad.yaml');
    const result = await run([bad, '--format', 'flagger', '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^rollout-lab policy export: policy file '.*bad\.json' is not valid \(\d+ problems?\): .*stages\[0\]\.traffic/,
    );
    expect(existsSync(out)).toBe(false);
  });
});
