/** `rollout-lab policy import`: the policy on stdout or --out, the report, --json, --map, and bad input as one line with exit 2. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parseMetricMap } from '../../src/cli/commands/policyImport.ts';
import { main } from '../../src/cli/main.ts';
import { parsePolicy } from '../../src/engine/policy/parsePolicy.ts';

const directory = mkdtempSync(join(tmpdir(), 'rollout-lab-import-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const fixtures = 'test/fixtures/import/argo';

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['policy', 'import', ...argv], {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  });
  return { code, stdout, stderr };
}

describe('policy import', () => {
  test('the policy as JSON on stdout, the report on stderr', async () => {
    const result = await run([`${fixtures}/background-analysis.yaml`]);
    expect(result.code).toBe(0);
    const policy = JSON.parse(result.stdout);
    expect(parsePolicy(policy).ok).toBe(true);
    expect(policy.stages.map((stage: { kind: string; traffic?: number }) => [stage.kind, stage.traffic])).toEqual([
      ['canary', 0.4],
      ['canary', 0.6],
      ['canary', 0.8],
      ['promote', undefined],
    ]);
    expect(policy.guards).toEqual({ failureLimit: 4, failureCounting: 'total', failureScope: 'rollout', onNoData: 'fail', minRequests: 1 });
    const sections = result.stderr.split('\n').filter((line) => !line.startsWith('  '));
    expect(sections).toEqual(['mapped (16):', 'not represented (1):', 'assumptions (3):', 'zero traffic:', '']);
    // One no-data sentence for the three stages it holds for.
    expect(result.stderr).toContain(
      '  stage 0 (step 2, weight 40), background analysis; stage 1 (step 4, weight 60), background analysis; stage 2 (step 6, weight 80), background analysis: ' +
        "at zero traffic 'success-rate' divides 0 by 0 (NaN), so its measurement fails (counted towards failureLimit).\n",
    );
    expect(result.stderr).toContain(
      'background-analysis.yaml#1 Rollout/guestbook .spec.strategy.canary.steps[0].setWeight: step 0, weight 20: no analysis checks this step',
    );
  });

  test('several files, --map, --out (atomic) and --json', async () => {
    const inline = readFileSync(`${fixtures}/canary-inline-analysis.yaml`, 'utf8');
    const [rollout, template] = inline.split('\n---\n');
    writeFileSync(join(directory, 'rollout.yaml'), rollout);
    writeFileSync(join(directory, 'template.yaml'), template);
    const out = join(directory, 'policy.json');
    const result = await run([
      join(directory, 'rollout.yaml'),
      join(directory, 'template.yaml'),
      '--map',
      'errorRate=success-rate',
      '--out',
      out,
      '--json',
    ]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(Object.keys(json)).toEqual(['policy', 'report', 'out']);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(json.policy);
    expect(json.report.source).toBe('argo');
    expect(json.report.assumptions.some((assumption: { text: string }) => assumption.text.includes('is read as'))).toBe(false);
    const rule = json.report.mapped.find((field: { policyPath: unknown[] }) => field.policyPath.join('.') === 'stages.0.rules.0.max');
    expect(rule).toMatchObject({ sourceValue: 'result[0] >= 0.95', policyValue: 0.05, convertsBack: true });
    expect(rule.source).toEqual({
      file: join(directory, 'template.yaml'),
      document: 0,
      resource: 'AnalysisTemplate/success-rate',
      path: ['spec', 'metrics', 0, 'successCondition'],
    });
  });

  test('--map accepts either order and refuses what names no health metric', () => {
    expect(parseMetricMap('errorRate=success-rate, p99-latency=latencyP99')).toEqual({
      'success-rate': 'errorRate',
      'p99-latency': 'latencyP99',
    });
    expect(() => parseMetricMap('success-rate=errors')).toThrow("--map 'success-rate=errors' names no health metric");
    expect(() => parseMetricMap('errorRate')).toThrow('--map entries are METRIC=NAME');
  });

  test('bad input: one line naming the file, document and field, exit 2, nothing written', async () => {
    const cases: [string, string][] = [
      ['not-yaml.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nspec: {strategy: [\n'],
      ['deployment.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n'],
      ['missing-template.yaml', readFileSync(`${fixtures}/background-analysis.yaml`, 'utf8').split('\n---\n')[0]],
      [
        'unreadable.yaml',
        readFileSync(`${fixtures}/background-analysis.yaml`, 'utf8').replace('result[0] >= 0.95', 'result[0] >= avg(result)'),
      ],
    ];
    const messages: string[] = [];
    const out = join(directory, 'never.json');
    for (const [name, text] of cases) {
      writeFileSync(join(directory, name), text);
      const result = await run([join(directory, name), '--out', out]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.split('\n')).toHaveLength(2); // one line and its newline: no stack trace
      messages.push(result.stderr.replace(`${directory}/`, ''));
    }
    expect(existsSync(out)).toBe(false);
    expect(messages[0]).toMatch(/^rollout-lab policy import: not-yaml\.yaml#1: not YAML \(line \d\): /);
    expect(messages[1]).toBe(
      'rollout-lab policy import: deployment.yaml: no Argo Rollouts Rollout (argoproj.io) or Flagger Canary (flagger.app) among the documents (found Deployment/web)\n',
    );
    expect(messages[2]).toBe(
      "rollout-lab policy import: missing-template.yaml#1 Rollout/guestbook .spec.strategy.canary.analysis.templates[0].templateName: references AnalysisTemplate 'success-rate', which is not in the files (pass its YAML too)\n",
    );
    expect(messages[3]).toBe(
      'rollout-lab policy import: unreadable.yaml#2 AnalysisTemplate/success-rate .spec.metrics[0].successCondition: cannot read the condition "result[0] >= avg(result)": \'avg\' is not a function or value the importer reads (column 14)\n',
    );
    const usage = await run([]);
    expect([usage.code, usage.stderr]).toEqual([
      2,
      'rollout-lab policy import: FILE.yaml is required (the Rollout or Canary, and the templates it references)\n',
    ]);
    const missing = await run([join(directory, 'nope.yaml')]);
    expect(missing.stderr).toBe(`rollout-lab policy import: cannot read file '${join(directory, 'nope.yaml')}': no such file\n`);
  });
});
