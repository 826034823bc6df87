/**
 * The exact outcome record beyond the rates: decision and detection times and the exposure means
 * (requests, users and failed requests served by the candidate) agree with the windowed mode's
 * per-replicate outcomes within 4 standard errors of their means (SE = sample sd / √n, n = 2,000
 * replicates), on a regression that starts after the rollout does (a step at 20 minutes: early
 * rollbacks are false, later ones detections) with Zipf users and two canaries, failure limit 2.
 */
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/engine/policy/policy.ts';
import { evaluateExact } from '../../../src/sim/exact/evaluateExact.ts';
import { prepareSimulation, runOne } from '../../../src/sim/runner.ts';
import { parseScenario } from '../../../src/sim/scenario.ts';

const rule = [{ type: 'ratio', metric: 'errorRate', maxRatio: 1.5 }];
const policy = {
  version: 1,
  name: 'two canaries',
  baseline: { mode: 'concurrent' },
  guards: { minRequests: 100, failureLimit: 2 },
  stages: [
    { kind: 'canary', traffic: 0.05, minDuration: '30m', checkInterval: '5m', rules: rule },
    { kind: 'canary', traffic: 0.25, minDuration: '30m', checkInterval: '5m', rules: rule },
    { kind: 'promote' },
  ],
} as Policy;

function scenario() {
  const model = { latency: { kind: 'lognormal', median: 120, p95: 400 }, errorRate: 0.01 };
  const parsed = parseScenario({
    version: 1,
    name: 'late regression',
    horizon: '1d',
    traffic: { requestsPerSecond: 20, users: { count: 3000, zipfExponent: 0.8 } },
    control: model,
    candidate: model,
    faults: [{ kind: 'step', at: '20m', effect: { errorRateMultiplier: 1.6 } }],
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario;
}

function meanAndError(values: number[]): { mean: number; standardError: number } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
  return { mean, standardError: Math.sqrt(variance / values.length) };
}

describe('the exact outcome record', () => {
  it('times and exposure agree with the windowed mode within 4 standard errors', () => {
    const world = scenario();
    const exact = evaluateExact(world, policy);
    if (!exact.supported) throw new Error(exact.features.join('; '));
    const summary = exact.summary;
    const simulation = prepareSimulation(world, policy, 'window', 'exact outcome record');
    const outcomes = Array.from({ length: 2000 }, (_, i) => runOne(simulation, i));
    const check = (label: string, values: number[], expected: number | null) => {
      const { mean, standardError } = meanAndError(values);
      expect(
        Math.abs(mean - (expected as number)),
        `${label}: exact ${expected}, simulated ${mean} ± ${standardError}`,
      ).toBeLessThanOrEqual(4 * standardError);
    };
    check(
      'decision time',
      outcomes.filter((o) => o.decisionTime !== null).map((o) => o.decisionTime as number),
      summary.meanDecisionTime,
    );
    check(
      'detection time',
      outcomes.filter((o) => o.detectionTime !== null).map((o) => o.detectionTime as number),
      summary.detectionTime.mean,
    );
    check(
      'requests served while worse',
      outcomes.map((o) => o.exposure.requestsServedWhileWorse),
      summary.exposure.requestsServedWhileWorse,
    );
    check(
      'users served while worse',
      outcomes.map((o) => o.exposure.usersServedWhileWorse),
      summary.exposure.usersServedWhileWorse,
    );
    check(
      'failed requests',
      outcomes.map((o) => o.exposure.failedRequests),
      summary.exposure.failedRequests,
    );
    check(
      'candidate requests',
      outcomes.map((o) => o.exposure.candidateRequests),
      summary.exposure.candidateRequests,
    );
    // The probability of detection and the detection-time distribution's total agree.
    const detected = outcomes.filter((o) => o.detectionTime !== null).length / outcomes.length;
    const p = summary.detectionTime.count;
    expect(Math.abs(detected - p)).toBeLessThanOrEqual(4 * Math.sqrt((p * (1 - p)) / outcomes.length));
    expect(summary.neglectedMass).toBeLessThan(1e-6);
  }, 120_000);
});
