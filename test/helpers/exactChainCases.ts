/**
 * The hand cases and small policies the exact evaluator's tests share (stageChain.test.ts,
 * vectorChain.test.ts, agreement.test.ts, shadowGateLaw.test.ts, the exact curve's tests): one owner, so a test that says
 * "stageChain.test.ts's single canary" runs that very policy.
 *
 * The hand case is the (issue 16): identical models with lognormal latency (median 100 ms,
 * σ 0.5) and 0.1% errors, 1,000 users; failureCounting.test.ts runs it at 5 requests/s.
 */
import type { Guards, Policy } from '../../src/engine/policy/policy.ts';
import type { CheckProbabilities } from '../../src/sim/exact/checkLaw.ts';
import type { ChainLaws } from '../../src/sim/exact/stageChain.ts';
import type { Scenario } from '../../src/sim/scenario.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import type { World } from '../../src/sim/world.ts';
import { compileWorld } from '../../src/sim/world.ts';

/**
 * The hand scenario over `horizon`: identical models (lognormal latency, median 100 ms,
 * σ 0.5; 0.1% errors), 1,000 users, `requestsPerSecond`, the faults given (none by default).
 */
export function handScenario(horizon: string, requestsPerSecond: number, faults: unknown[] = []): Scenario {
  const model = { latency: { kind: 'lognormal', median: 100, sigma: 0.5 }, errorRate: 0.001 };
  const parsed = parseScenario({
    version: 1,
    name: 'hand case',
    horizon,
    traffic: { requestsPerSecond, users: { count: 1000 } },
    control: model,
    candidate: model,
    faults,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario;
}

/** The hand world (100 requests/s) over `horizon`, with the faults given, flag group 'hand'. */
export function handWorld(horizon: string, faults: unknown[] = []): World {
  return compileWorld(handScenario(horizon, 100, faults), 'hand');
}

/**
 * The exact curve's hand case (exactOperatingCurve.test.ts, exactOperatingCurveSteps.test.ts): the
 * hand models at 5 requests/s over 2 h 10 min, the candidate's error rate `errorRate` (0.001 is
 * the healthy candidate), names telling the worlds apart.
 */
export function curveHandScenario(errorRate: number): Scenario {
  const parsed = parseScenario({
    version: 1,
    name: `hand case, candidate errors ${errorRate}`,
    horizon: '2h10m',
    traffic: { requestsPerSecond: 5, users: { count: 1000 } },
    control: { latency: { kind: 'lognormal', median: 100, sigma: 0.5 }, errorRate: 0.001 },
    candidate: { latency: { kind: 'lognormal', median: 100, sigma: 0.5 }, errorRate },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario;
}

/**
 * The exact curve's hand policy: a 5-minute historical baseline, a 5% canary for one check (any
 * error rate passes), then 2 h at 100% with the absolute error-rate limit `max`, 5-minute checks.
 */
export function curveHandPolicy(max: number): Policy {
  return {
    version: 1,
    baseline: { mode: 'historical' },
    guards: { minRequests: 100, failureLimit: 1 },
    flag: { name: 'hand' },
    stages: [
      { kind: 'baseline', minDuration: '5m', minRequests: 1, checkInterval: '5m' },
      {
        kind: 'canary',
        traffic: 0.05,
        minDuration: '5m',
        checkInterval: '5m',
        guards: { minRequests: 1 },
        rules: [{ type: 'absolute', metric: 'errorRate', max: 1 }],
      },
      { kind: 'full', minDuration: '2h', checkInterval: '5m', rules: [{ type: 'absolute', metric: 'errorRate', max }] },
      { kind: 'promote' },
    ],
  } as Policy;
}

/**
 * The single canary: 5% for at least 2 h, 5-minute checks, errors ≤ 0.2% absolute, a
 * concurrent baseline, the counting guards given (minRequests 100 unless given); with `stages`
 * canaries the k-th serves 5k%.
 */
export function handCanaryPolicy(guards: Guards, maxDuration?: string, stages = 1): Policy {
  const canary = {
    kind: 'canary',
    traffic: 0.05,
    minDuration: '2h',
    ...(maxDuration ? { maxDuration } : {}),
    checkInterval: '5m',
    rules: [{ type: 'absolute', metric: 'errorRate', max: 0.002 }],
  };
  return {
    version: 1,
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 100, ...guards },
    stages: [...Array.from({ length: stages }, (_, i) => ({ ...canary, traffic: 0.05 * (i + 1) })), { kind: 'promote' }],
  } as Policy;
}

/** Chain laws with the same check probabilities every window, gates that always pass, fixed served counts. */
export function constantLaws(check: CheckProbabilities): ChainLaws {
  return {
    healthCheck: () => check,
    shadowGates: () => ({ hold: 0, pass: 1, fail: 0 }),
    servedRequests: () => ({ requests: 1500, errors: 1.5, arrivals: 30000 }),
  };
}

/** The stage both canaries of `concurrentTwoCanaries` run, at `traffic`. */
function concurrentCanary(traffic: number) {
  return {
    kind: 'canary',
    traffic,
    minDuration: '30m',
    checkInterval: '10m',
    rules: [
      { type: 'ratio', metric: 'errorRate', maxRatio: 2 },
      { type: 'absolute', metric: 'latencyP99', max: 3000 },
    ],
  };
}

/** Concurrent baseline, canaries at 5% then 25% (30 min, 10-minute checks), error ratio 2× and p99 ≤ 3 s. */
export const concurrentTwoCanaries = {
  version: 1,
  name: 'concurrent baseline, two canaries',
  baseline: { mode: 'concurrent' },
  guards: { minRequests: 100, failureLimit: 1 },
  stages: [concurrentCanary(0.05), concurrentCanary(0.25), { kind: 'promote' }],
} as Policy;

/**
 * Shadow 1 h of all traffic (exact comparison) at the agreement gate `minAgreement` (latency ratio
 * 1.5, error ratio 2, 1,000 comparisons), then a 30-minute canary at 5% on an absolute p95 limit.
 */
export function shadowThenCanary(minAgreement = 0.95): Policy {
  return {
    version: 1,
    name: 'shadow, then a canary',
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 100, failureLimit: 1 },
    stages: [
      {
        kind: 'shadow',
        minDuration: '1h',
        checkInterval: '5m',
        traffic: 1,
        comparison: { method: 'exact' },
        gates: { minAgreement, maxLatencyRatio: 1.5, maxErrorRatio: 2, minComparisons: 1000 },
      },
      {
        kind: 'canary',
        traffic: 0.05,
        minDuration: '30m',
        checkInterval: '10m',
        rules: [{ type: 'absolute', metric: 'latencyP95', max: 2000 }],
      },
      { kind: 'promote' },
    ],
  } as Policy;
}
