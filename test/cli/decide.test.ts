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

  it('reads metric values from the windows and writes each A/B metric’s verdict under metrics', async () => {
    const abPolicy: Policy = {
      version: 1,
      baseline: { mode: 'concurrent' },
      guards: { minRequests: 10 },
      skipCanary: { reason: 'decide test of the A/B stage' },
      stages: [
        {
          kind: 'ab',
          traffic: 0.5,
          minDuration: '5m',
          guardrails: [{ type: 'absolute', metric: 'errorRate', max: 0.5 }],
          test: {
            metric: 'successRate',
            minimumEffect: 0.05,
            design: { type: 'fixed' },
            sampleSize: 1000,
            metrics: [
              { name: 'tokens', kind: 'mean', role: 'success', minimumEffect: 4 },
              { name: 'cost', kind: 'ratio', role: 'guardrail', margin: { relative: 0.01 } },
            ],
          },
        },
        { kind: 'promote' },
      ],
    };
    const abPath = join(dir, 'ab-metrics.json');
    writeFileSync(abPath, JSON.stringify(abPolicy));
    // scripts/reference/ab_metrics.py, sections 1 and 2 (both windows of tokens added; cost as printed).
    const arm = (tokens: object, cost: object) => ({ requests: 1000, errors: 0, timeouts: 0, values: { tokens, cost } });
    const windowLine = JSON.stringify({
      startTime: 0,
      duration: 300,
      control: arm(
        {
          count: 1000,
          sumX: 50315.134164715535 + 50106.210233078484,
          sumY: 0,
          sumXSquares: 5282399.676784842 + 5226782.23671606,
          sumYSquares: 0,
          sumXY: 0,
        },
        { count: 1000, sumX: 8143.767941501666, sumY: 7138, sumXSquares: 98844.49255357264, sumYSquares: 57386, sumXY: 65854.60029216667 },
      ),
      candidate: arm(
        {
          count: 1000,
          sumX: 50994.16679664001 + 51216.567165692075,
          sumY: 0,
          sumXSquares: 5385954.959195054 + 5442472.428089401,
          sumYSquares: 0,
          sumXY: 0,
        },
        { count: 1000, sumX: 7723.837831163184, sumY: 6962, sumXSquares: 85104.11022795057, sumYSquares: 54440, sumXY: 60178.46978132507 },
      ),
    });
    const run = await runCommand(decideCommand, ['--policy', abPath], windowLine);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout.trim());
    // tokens improved (z = 1.99198, p = 0.02319 < 0.025); cost's non-inferiority not shown (z = 1.47874, p = 0.06960): hold.
    expect(out.decision).toBe('hold');
    expect(
      out.metrics.map((m: { name: string; role: string; kind: string; verdict: string }) => [m.name, m.role, m.kind, m.verdict]),
    ).toEqual([
      ['tokens', 'success', 'mean', 'improved'],
      ['cost', 'guardrail', 'ratio', 'inferiority-not-excluded'],
    ]);
    expect(out.metrics[0].z).toBeCloseTo(1.9919821318159292, 9);
    expect(out.metrics[1].pValue).toBeCloseTo(0.06960484489826169, 9);
    expect(out.metrics[1].threshold).toBeCloseTo(0.01 * 1.1409033260719623, 12);
    const text = await runCommand(decideCommand, ['--policy', abPath, '--text'], windowLine);
    expect(text.stdout.split('\n').slice(0, 3)).toEqual([
      'line 1, t = 300 s, ab 50%: hold (candidate 50%)',
      '  tokens (mean, success): improved — z 1.992, p 0.02319',
      '  cost (ratio, guardrail): non-inferiority not shown — z 1.479, p 0.0696',
    ]);
    expect(text.stdout).toContain('  · A/B metrics (fixed horizon, at the planned sample): ended without showing a difference');
    const bad = JSON.stringify({
      ...JSON.parse(windowLine),
      candidate: arm({ count: -1, sumX: 0, sumY: 0, sumXSquares: 0, sumYSquares: 0, sumXY: 0 }, {}),
    });
    const refused = await runCommand(decideCommand, ['--policy', abPath], bad);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('candidate.values.tokens.count: must be at least 0, got -1');
    const refusedText = await runCommand(decideCommand, ['--policy', abPath, '--text'], bad);
    expect(refusedText.stdout).toMatch(/^line 1: candidate\.values\.tokens\.count: must be at least 0, got -1/);
  });

  it('reads cumulative metric values (valuesSince): each line’s values replace the last, and refuses ones that start after the stage', async () => {
    const abPolicy: Policy = {
      version: 1,
      baseline: { mode: 'concurrent' },
      guards: { minRequests: 10 },
      skipCanary: { reason: 'decide test of cumulative values' },
      stages: [
        {
          kind: 'ab',
          traffic: 0.5,
          minDuration: '5m',
          guardrails: [{ type: 'absolute', metric: 'errorRate', max: 0.5 }],
          test: {
            metric: 'successRate',
            minimumEffect: 0.05,
            design: { type: 'fixed' },
            sampleSize: 1000,
            metrics: [{ name: 'tokens', kind: 'mean', role: 'success', minimumEffect: 4 }],
          },
        },
        { kind: 'promote' },
      ],
    };
    const abPath = join(dir, 'ab-cumulative.json');
    writeFileSync(abPath, JSON.stringify(abPolicy));
    // scripts/reference/ab_metrics.py, section 1: per window, 500 users per arm; line 2 carries both windows' users.
    const sums = (count: number, sumX: number, sumXSquares: number) => ({ count, sumX, sumY: 0, sumXSquares, sumYSquares: 0, sumXY: 0 });
    const windowLine = (startTime: number, since: number, control: object, candidate: object) =>
      JSON.stringify({
        startTime,
        duration: 300,
        control: { requests: 1000, errors: 0, timeouts: 0, values: { tokens: control }, valuesSince: since },
        candidate: { requests: 1000, errors: 0, timeouts: 0, values: { tokens: candidate }, valuesSince: since },
      });
    const first = windowLine(0, 0, sums(500, 50315.134164715535, 5282399.676784842), sums(500, 50994.16679664001, 5385954.959195054));
    const second = windowLine(
      300,
      0,
      sums(1000, 50315.134164715535 + 50106.210233078484, 5282399.676784842 + 5226782.23671606),
      sums(1000, 50994.16679664001 + 51216.567165692075, 5385954.959195054 + 5442472.428089401),
    );
    const run = await runCommand(decideCommand, ['--policy', abPath], `${first}\n${second}\n`);
    expect(run.code).toBe(0);
    const [out1, out2] = run.stdout
      .trim()
      .split('\n')
      .map((text) => JSON.parse(text));
    expect([out1.decision, out2.decision]).toEqual(['continue', 'promote']);
    // The same z as the two windows added (ab_metrics.py: 1.9919821318159292): replaced, not added again.
    expect(out2.metrics[0].z).toBeCloseTo(1.9919821318159292, 9);
    const late = windowLine(0, 120, sums(500, 50315.134164715535, 5282399.676784842), sums(500, 50994.16679664001, 5385954.959195054));
    const refused = await runCommand(decideCommand, ['--policy', abPath], late);
    const out = JSON.parse(refused.stdout.trim());
    expect(out.decision).toBe('hold');
    expect(out.reasons.find((reason: { metric: string }) => reason.metric === 'valuesSince').message).toContain(
      "control.valuesSince 120 is after the A/B stage's start 0",
    );
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
