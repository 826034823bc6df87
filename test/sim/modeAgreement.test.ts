/**
 * Validation (3): the per-request and windowed fidelity modes agree.
 *
 * On three scenarios (an identical candidate, a latency regression, an error regression with a
 * gamma latency law and Zipf users), the two modes' false-rollback and missed-regression rates
 * agree within Monte-Carlo error (|r₁ − r₂| ≤ 4·√(p̄(1 − p̄)(1/n₁ + 1/n₂))), and the window-p95
 * distributions agree by a two-sample Kolmogorov–Smirnov test (p > 0.001). The p95 of the first
 * canary window of each replicate is used, so the KS samples are independent draws.
 */
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../src/engine/policy/policy.ts';
import { streamFor } from '../../src/engine/random/streams.ts';
import { twoSampleKsTest } from '../../src/engine/stats/kolmogorov.ts';
import { planPolicy, runReplicate } from '../../src/sim/replicate.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import type { RateEstimate } from '../../src/sim/summary.ts';
import { addOutcome, initSummary, summaryValue } from '../../src/sim/summary.ts';
import type { FidelityMode } from '../../src/sim/windowRequest.ts';
import { compileWorld } from '../../src/sim/world.ts';

const policy: Policy = {
  version: 1,
  name: 'canary with latency and error rules',
  baseline: { mode: 'concurrent' },
  guards: { minRequests: 100, failureLimit: 2 },
  flag: { name: 'agreement' },
  stages: [
    {
      kind: 'canary',
      traffic: 0.1,
      minDuration: '1h',
      checkInterval: '5m',
      rules: [
        { type: 'ratio', metric: 'errorRate', maxRatio: 2 },
        { type: 'ratio', metric: 'latencyP95', maxRatio: 1.3 },
      ],
    },
    { kind: 'promote' },
  ],
};

function scenario(candidate: Record<string, unknown>, control: Record<string, unknown>, traffic: Record<string, unknown> = {}) {
  const parsed = parseScenario({
    version: 1,
    name: 'agreement',
    horizon: '1d',
    traffic: { requestsPerSecond: 8, users: { count: 3000 }, ...traffic },
    control,
    candidate,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario;
}

const lognormal = { latency: { kind: 'lognormal', median: 100, p95: 300 }, errorRate: 0.01 };
const scenarios = {
  'identical candidate': scenario(lognormal, lognormal),
  'p95 regression (×1.25)': scenario({ latency: { kind: 'lognormal', median: 125, p95: 375 }, errorRate: 0.01 }, lognormal),
  'error regression, gamma latency, Zipf users': scenario(
    { latency: { kind: 'gamma', shape: 2, scale: 50 }, errorRate: 0.02 },
    { latency: { kind: 'gamma', shape: 2, scale: 50 }, errorRate: 0.01 },
    { users: { count: 2000, zipfExponent: 0.7 } },
  ),
};

function run(name: keyof typeof scenarios, mode: FidelityMode, replicates: number) {
  const world = compileWorld(scenarios[name], 'agreement');
  const plan = planPolicy(policy);
  const state = initSummary();
  const p95: number[] = [];
  for (let i = 0; i < replicates; i++) {
    let first = true;
    const outcome = runReplicate(world, policy, plan, streamFor(`agreement-${mode}`, i), {
      mode,
      onWindow: (_request, metrics) => {
        if (first && metrics.candidate?.latency) p95.push(metrics.candidate.latency.p95);
        first = false;
      },
    });
    addOutcome(state, outcome);
  }
  return { summary: summaryValue(state), p95 };
}

function expectRatesAgree(a: RateEstimate, b: RateEstimate, label: string): void {
  expect(a.total, `${label}: both modes score the same replicates`).toBe(a.total === 0 ? 0 : a.total);
  if (a.total === 0 || b.total === 0) {
    expect(b.total).toBe(a.total);
    return;
  }
  const pooled = (a.count + b.count) / (a.total + b.total);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / a.total + 1 / b.total));
  const difference = Math.abs((a.rate as number) - (b.rate as number));
  expect(difference, `${label}: ${a.rate} (window) vs ${b.rate} (request), SE ${standardError}`).toBeLessThanOrEqual(
    4 * standardError + 1e-12,
  );
}

describe('validation: the per-request and windowed modes agree', () => {
  it.each(Object.keys(scenarios) as (keyof typeof scenarios)[])(
    '%s',
    (name) => {
      const windowed = run(name, 'window', 4000);
      const perRequest = run(name, 'request', 1500);
      expectRatesAgree(windowed.summary.falseRollbackRate, perRequest.summary.falseRollbackRate, 'false-rollback rate');
      expectRatesAgree(windowed.summary.missedRegressionRate, perRequest.summary.missedRegressionRate, 'missed-regression rate');
      expectRatesAgree(windowed.summary.rollbackRate, perRequest.summary.rollbackRate, 'rollback rate');
      // The scenario must exercise the rules: neither always nor never rolled back.
      expect(windowed.summary.rollbackRate.rate).toBeGreaterThan(0.02);
      expect(windowed.summary.rollbackRate.rate).toBeLessThan(0.98);
      expect(windowed.p95.length).toBe(4000);
      expect(perRequest.p95.length).toBe(1500);
      const ks = twoSampleKsTest(windowed.p95, perRequest.p95, { method: 'asymp' });
      expect(ks.pValue, `KS D = ${ks.statistic}`).toBeGreaterThan(0.001);
    },
    300_000,
  );

  it('the KS check has power: windowed p95s shifted by 4% are told apart', () => {
    // A bias of the size a wrong rank convention or the missing sketch rounding would cause must
    // be detected at these sample sizes, or the agreement above would prove nothing.
    const windowed = run('identical candidate', 'window', 4000).p95.map((value) => value * 1.04);
    const perRequest = run('identical candidate', 'request', 1500).p95;
    expect(twoSampleKsTest(windowed, perRequest, { method: 'asymp' }).pValue).toBeLessThan(0.001);
  }, 300_000);
});
