import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policyDefaultCommand, policyValidateCommand } from '../../src/cli/commands/policy.ts';
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';
import { runCommand } from './commandHarness.ts';

const dir = mkdtempSync(join(tmpdir(), 'rollout-lab-policy-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('rollout-lab policy validate', () => {
  it('exits 0 and says valid for the default policy file', async () => {
    const run = await runCommand(policyValidateCommand, ['scenarios/default-policy.json']);
    expect(run).toMatchObject({ code: 0, stdout: 'scenarios/default-policy.json: valid\n', stderr: '' });
  });

  it('exits 2 listing each problem as path: message', async () => {
    const policy: any = defaultPolicy();
    policy.stages[2].traffic = 1.5;
    delete policy.stages[4].test.metric;
    const path = file('bad.json', JSON.stringify(policy));
    const run = await runCommand(policyValidateCommand, [path]);
    expect(run.code).toBe(2);
    expect(run.stdout.split('\n')).toEqual([
      `${path}: 2 problems`,
      '  stages[2].traffic: must be between 0 and 1 (exclusive), got 1.5',
      "  stages[4].test.metric: is required: the A/B test needs a success metric ('successRate')",
      '',
    ]);
    const json = await runCommand(policyValidateCommand, [path, '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({
      valid: false,
      errors: [{ path: 'stages[2].traffic' }, { path: 'stages[4].test.metric' }],
    });
  });

  it('names the file, line and column of invalid JSON, and an unreadable file, in one line', async () => {
    const path = file('broken.json', '{\n  "version": 1,\n  "stages": [,]\n}\n');
    const run = await runCommand(policyValidateCommand, [path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `rollout-lab policy validate: policy file '${path}' is not valid JSON at line 3, column 14: unexpected character ","\n`,
    );
    const truncated = file('truncated.json', '{"version": 1, "stages": [');
    expect((await runCommand(policyValidateCommand, [truncated])).stderr).toBe(
      `rollout-lab policy validate: policy file '${truncated}' is not valid JSON at line 1, column 27: unexpected end of file\n`,
    );
    const missing = await runCommand(policyValidateCommand, [join(dir, 'nope.json')]);
    expect(missing).toMatchObject({
      code: 2,
      stderr: `rollout-lab policy validate: cannot read policy file '${join(dir, 'nope.json')}': no such file\n`,
    });
    expect((await runCommand(policyValidateCommand, [])).stderr).toContain('FILE is required');
  });
});

describe('rollout-lab policy default', () => {
  it('prints the default policy, identical to scenarios/default-policy.json', async () => {
    const run = await runCommand(policyDefaultCommand, []);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(defaultPolicy());
    const path = file('default.json', run.stdout);
    expect((await runCommand(policyValidateCommand, [path])).code).toBe(0);
    const json = await runCommand(policyDefaultCommand, ['--json']);
    expect(json.stdout.trim().split('\n')).toHaveLength(1);
  });
});
