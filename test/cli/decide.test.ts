import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideCommand } from '../../src/cli/commands/decide.ts';
import type { Policy } from '../../src/engine/policy/policy.ts';
import { canaryStage, fullStage } from '../../src/engine/policy/stages.ts';
import { runCommand } from './commandHarness.ts';

const dir = mkdtempSync(join(tmpdir(), 'rollout-lab-decide-'));
const policy: Policy = {
  version: 1,
  baseline: { mode: 'concurrent' },
  stages: [canaryStage({ traffic: 0.05, minDuration: '10m' }), fullStage({ minDuration: '5m' })],
};
const policyPath = join(dir, 'policy.json');
writeFileSync(policyPath, JSON.stringify(policy));

const latency = { p50: 100, p95: 250, p99: 400 };
function line(startTime: number, candidateErrors = 2): string {
  return JSON.stringify({
    startTime,
    duration: 300,
    control: { requests: 4750, errors: 47, timeouts: 10, latency },
    candidate: { requests: 250, errors: candidateErrors, timeouts: 0, latency },
  });
}

describe('rollout-lab decide', () => {
  it('writes one decision per window line, carrying the state across lines', async () => {
    const input = [line(0), line(300), line(600, 20), ''].join('\n');
    const run = await runCommand(decideCommand, ['--policy', policyPath], input);
    expect(run.code).toBe(0);
    const out = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out.map((o) => [o.line, o.decision, o.candidateTraffic])).toEqual([
      [1, 'continue', 0.05],
      [2, 'advance', 1],
      [3, 'rollback', 0],
    ]);
    expect(out[0]).toMatchObject({ time: 300, stage: 'canary 5%', kind: 'canary' });
    expect(out[2].reasons[0]).toMatchObject({ rule: 'ratio', metric: 'errorRate', threshold: 2 });
  });

  it('splits lines across chunks and bytes', async () => {
    const text = `${line(0)}\n${line(300)}\n`;
    const bytes = new TextEncoder().encode(text);
    const run = await runCommand(decideCommand, ['--policy', policyPath], [bytes.slice(0, 17), bytes.slice(17, 200), bytes.slice(200)]);
    expect(
      run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).decision),
    ).toEqual(['continue', 'advance']);
  });

  it('reports a malformed line with its number and field, continues, and exits 2', async () => {
    const bad = JSON.stringify({ startTime: 300, duration: 300, candidate: { requests: 10, errors: 12, timeouts: 0 } });
    const input = [line(0), '{not json', bad, line(300)].join('\n');
    const run = await runCommand(decideCommand, ['--policy', policyPath], input);
    expect(run.code).toBe(2);
    const out = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out.map((o) => o.decision ?? 'error')).toEqual(['continue', 'error', 'error', 'advance']);
    expect(out[1]).toMatchObject({ line: 2 });
    expect(out[1].error).toBe('line 2: not valid JSON at column 2: expected a property name, got "n"');
    expect(out[2]).toMatchObject({ line: 3, problems: [{ path: 'candidate.errors', message: 'must be at most requests (10), got 12' }] });
    expect(run.stderr).toContain('line 3: candidate.errors: must be at most requests (10), got 12');
  });

  it('refuses an invalid policy and a missing --policy', async () => {
    const badPath = join(dir, 'bad.json');
    writeFileSync(badPath, JSON.stringify({ ...policy, stages: [] }));
    const run = await runCommand(decideCommand, ['--policy', badPath], line(0));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('stages: must list at least one stage');
    expect((await runCommand(decideCommand, [], line(0))).stderr).toContain('--policy is required');
  });
});
