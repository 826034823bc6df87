/**
 * `rollout-lab decide` end to end with latency sketches: windows that carry `latency.sketch` are
 * accepted, a historical baseline pools them (armTotals.ts), and a malformed sketch is reported
 * with its field. The baseline's latencies are known: three fast windows of 1,000 requests evenly
 * spread over 40–60 ms and three slow ones over 150–350 ms. Their p95s are about 59 and 340 ms
 * (mean ≈ 200 ms), while the pooled p95 (rank 0.95 × 5,999 = 5,699 of the 6,000 sorted values, the
 * 2,699th of the slow ones) is about 330 ms. A candidate p95 of 400 ms passes a 1.5× rule against
 * the pooled reference (≈ 495 ms) and fails it against the mean (≈ 300 ms).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideCommand } from '../../src/cli/commands/decide.ts';
import { ratioRule } from '../../src/engine/policy/healthRules.ts';
import type { Policy } from '../../src/engine/policy/policy.ts';
import { baselineStage, canaryStage, fullStage } from '../../src/engine/policy/stages.ts';
import { LatencySketch } from '../../src/engine/stats/latencySketch.ts';
import { runCommand } from './commandHarness.ts';

const dir = mkdtempSync(join(tmpdir(), 'rollout-lab-decide-sketch-'));
const policy: Policy = {
  version: 1,
  baseline: { mode: 'historical' },
  stages: [
    baselineStage({ minDuration: '30m', minRequests: 6000 }),
    canaryStage({ traffic: 0.05, minDuration: '30m', rules: [ratioRule('latencyP95', 1.5)] }),
    fullStage(),
  ],
};
const policyPath = join(dir, 'policy.json');
writeFileSync(policyPath, JSON.stringify(policy));

/** A control arm of 1,000 requests evenly spread over [low, high] ms, with its sketch. */
function spreadArm(low: number, high: number, withSketch: boolean) {
  const sketch = new LatencySketch();
  for (let i = 0; i < 1000; i++) sketch.add(low + ((high - low) * i) / 999);
  const latency = { p50: sketch.quantile(0.5), p95: sketch.quantile(0.95), p99: sketch.quantile(0.99) };
  return { requests: 1000, errors: 0, timeouts: 0, latency: withSketch ? { ...latency, sketch: sketch.toJSON() } : latency };
}

function lines(withSketch: boolean): string[] {
  const baseline = [0, 1, 2, 3, 4, 5].map((w) =>
    JSON.stringify({ startTime: 300 * w, duration: 300, control: w < 3 ? spreadArm(40, 60, withSketch) : spreadArm(150, 350, withSketch) }),
  );
  const canary = JSON.stringify({
    startTime: 1800,
    duration: 300,
    control: { requests: 950, errors: 0, timeouts: 0, latency: { p50: 100, p95: 300, p99: 340 } },
    candidate: { requests: 100, errors: 0, timeouts: 0, latency: { p50: 100, p95: 400, p99: 420 } },
  });
  return [...baseline, canary];
}

async function decisions(input: string[]) {
  const run = await runCommand(decideCommand, ['--policy', policyPath], `${input.join('\n')}\n`);
  return {
    code: run.code,
    stderr: run.stderr,
    out: run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
  };
}

describe('rollout-lab decide with latency sketches', () => {
  it('accepts windows with sketches and compares the candidate with the pooled baseline percentile', async () => {
    const pooled = await decisions(lines(true));
    expect(pooled.code).toBe(0);
    expect(pooled.out.map((o) => o.decision)).toEqual(['continue', 'continue', 'continue', 'continue', 'continue', 'advance', 'continue']);
    // The reference: the 0.95 quantile of one sketch of all 6,000 baseline latencies.
    const union = new LatencySketch();
    for (const [low, high] of [
      [40, 60],
      [150, 350],
    ])
      for (let w = 0; w < 3; w++) for (let i = 0; i < 1000; i++) union.add(low + ((high - low) * i) / 999);
    const reason = pooled.out[6].reasons.find((r: { metric: string }) => r.metric === 'latencyP95');
    expect(reason.observed).toBeCloseTo(400 / union.quantile(0.95), 12);
    expect(union.quantile(0.95)).toBeCloseTo(330, -1);

    // The same windows without sketches: the mean of the windows' p95s, and the rule fails.
    const mean = await decisions(lines(false));
    expect(mean.out.map((o) => o.decision)).toEqual(['continue', 'continue', 'continue', 'continue', 'continue', 'advance', 'rollback']);
    expect(mean.out[6].reasons[0]).toMatchObject({ rule: 'ratio', metric: 'latencyP95', threshold: 1.5 });
  });

  it('reports a malformed sketch with its field, and goes on with the next line', async () => {
    const input = lines(true);
    const broken = JSON.parse(input[2]);
    broken.control.latency.sketch.count += 1;
    input[2] = JSON.stringify(broken);
    const run = await decisions(input);
    expect(run.code).toBe(2);
    expect(run.out[2]).toMatchObject({
      line: 3,
      problems: [{ path: 'control.latency.sketch.count', message: 'must equal zeroCount plus the bucket counts (1000), got 1001' }],
    });
    expect(run.stderr).toContain('line 3: control.latency.sketch.count: must equal zeroCount plus the bucket counts (1000), got 1001');
  });
});
