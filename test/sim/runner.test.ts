import { describe, expect, it } from 'vitest';
import type { Policy } from '../../src/engine/policy/policy.ts';
import type { ReplicateOutcome } from '../../src/sim/replicate.ts';
import { comparePolicies, prepareSimulation, runOne, runReplicates, simulate } from '../../src/sim/runner.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import { addOutcome, initSummary, mergeSummaries, rateEstimate, summaryValue } from '../../src/sim/summary.ts';

const model = { latency: { kind: 'lognormal', median: 100, sigma: 0.6 }, errorRate: 0.01 };
function scenario(candidateErrorRate: number) {
  const parsed = parseScenario({
    version: 1,
    name: 'runner',
    horizon: '1d',
    traffic: { requestsPerSecond: 5, dailyCycle: { amplitude: 0.5, peakHour: 12 }, users: { count: 1000, zipfExponent: 0.5 } },
    control: model,
    candidate: { ...model, errorRate: candidateErrorRate },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario;
}

function policy(maxRatio: number): Policy {
  return {
    version: 1,
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 50 },
    stages: [
      {
        kind: 'canary',
        traffic: 0.2,
        minDuration: '2h',
        checkInterval: '10m',
        rules: [
          { type: 'ratio', metric: 'errorRate', maxRatio },
          { type: 'ratio', metric: 'latencyP95', maxRatio: 1.5 },
        ],
      },
      { kind: 'promote' },
    ],
  };
}

describe('runner', () => {
  it('gives identical summaries whatever the sharding (replicate i always uses stream (seed, i))', () => {
    for (const mode of ['window', 'request'] as const) {
      const simulation = prepareSimulation(scenario(0.02), policy(2), mode, 'shards');
      const whole = runReplicates(simulation, 0, 60);
      const shards = [runReplicates(simulation, 40, 60), runReplicates(simulation, 0, 13), runReplicates(simulation, 13, 40)];
      const merged = shards.reduce((state, shard) => mergeSummaries(state, shard), initSummary());
      expect(merged).toEqual(whole);
      expect(summaryValue(merged)).toEqual(summaryValue(whole));
      // And replicate 17 alone is the same wherever it runs.
      expect(runOne(simulation, 17)).toEqual(runOne(prepareSimulation(scenario(0.02), policy(2), mode, 'shards'), 17));
    }
  });

  it('uses common random numbers: a stricter threshold rolls back every replicate the looser one did, and more', () => {
    const [strict, loose] = [1.5, 3].map((ratio) => prepareSimulation(scenario(0.01), policy(ratio), 'window', 9));
    let extra = 0;
    for (let i = 0; i < 300; i++) {
      const a = runOne(strict, i);
      const b = runOne(loose, i);
      // Same windows until the first decision: when the loose policy rolls back, so did the strict one, no later.
      if (b.decision === 'rollback') {
        expect(a.decision).toBe('rollback');
        expect(a.decisionTime!).toBeLessThanOrEqual(b.decisionTime!);
      }
      if (a.decision === 'rollback' && b.decision !== 'rollback') extra++;
    }
    expect(extra).toBeGreaterThan(0);
    const [s, l] = comparePolicies(scenario(0.01), [policy(1.5), policy(3)], { replicates: 300, seed: 9 });
    expect(s.falseRollbackRate.count).toBe(l.falseRollbackRate.count + extra);
  });

  it('scores replicates against the truth', () => {
    const healthy = simulate(scenario(0.01), policy(2), { replicates: 200, seed: 1 });
    expect(healthy.missedRegressionRate.total).toBe(0);
    expect(healthy.falseRollbackRate.total).toBe(200);
    expect(healthy.falseRollbackRate.count).toBe(healthy.rollbackRate.count);
    expect(healthy.detectionTime.count).toBe(0);
    const bad = simulate(scenario(0.05), policy(2), { replicates: 200, seed: 1 });
    expect(bad.falseRollbackRate.total).toBe(0);
    expect(bad.missedRegressionRate.count).toBe(bad.promoteRate.count);
    expect(bad.detectionTime.count).toBe(bad.rollbackRate.count);
    expect(bad.rollbackRate.rate).toBeGreaterThan(0.9);
    // Detection times are multiples of the 10-minute check interval, at least one window.
    for (const time of Object.keys(bad.detectionTime.histogram).map(Number)) {
      expect(time % 600).toBe(0);
      expect(time).toBeGreaterThanOrEqual(600);
    }
    expect(bad.exposure.requestsServedWhileWorse).toBeGreaterThan(0);
    expect(bad.exposure.usersServedWhileWorse).toBeGreaterThan(0);
    expect(bad.exposure.usersServedWhileWorse).toBeLessThanOrEqual(1000);
  });

  it('catches a step fault injected mid-canary, scoring detection from the first worse window', () => {
    const parsed = parseScenario({
      version: 1,
      name: 'step fault',
      horizon: '1d',
      traffic: { requestsPerSecond: 20 },
      control: model,
      candidate: model,
      faults: [{ kind: 'step', at: '1h', effect: { errorRateMultiplier: 5 } }],
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const simulation = prepareSimulation(
      parsed.scenario,
      { ...policy(2), stages: [{ ...(policy(2).stages[0] as object), minDuration: '4h' } as never, { kind: 'promote' }] },
      'window',
      3,
    );
    for (let i = 0; i < 50; i++) {
      const outcome = runOne(simulation, i);
      if (outcome.decision === 'rollback' && outcome.firstWorseTime === null) continue; // a false rollback before the fault
      expect(outcome.candidateWorse).toBe(true);
      // Conditions are read at a window's midpoint, so the first worse window starts at most one
      // 10-minute window before the fault.
      expect(outcome.firstWorseTime).toBeGreaterThanOrEqual(3600 - 600);
      expect(outcome.firstWorseTime).toBeLessThanOrEqual(3600);
      expect(outcome.decision).toBe('rollback');
      expect(outcome.detectionTime).toBeGreaterThan(0);
      expect(outcome.detectionTime).toBeLessThanOrEqual(3 * 3600);
    }
  });

  it('measures detection from the first worse window with traffic, not from the baseline', () => {
    // A candidate worse from t = 0 behind a 24 h baseline (serving nobody) and a 24 h shadow
    // (mirrored traffic): the shadow's error gate catches it, so detection counts from the shadow.
    const parsed = parseScenario({
      version: 1,
      name: 'worse from the start',
      horizon: '3d',
      traffic: { requestsPerSecond: 5 },
      control: model,
      candidate: { ...model, errorRate: 0.05 },
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const staged: Policy = {
      version: 1,
      baseline: { mode: 'historical' },
      guards: { minRequests: 50 },
      stages: [
        { kind: 'baseline', minDuration: '24h', minRequests: 1000, checkInterval: '1h' },
        {
          kind: 'shadow',
          traffic: 1,
          minDuration: '24h',
          checkInterval: '1h',
          comparison: { method: 'exact' },
          gates: { minAgreement: 0.01, maxLatencyRatio: 10, maxErrorRatio: 2, minComparisons: 100 },
        },
        { kind: 'promote' },
      ],
    };
    const simulation = prepareSimulation(parsed.scenario, staged, 'window', 5);
    for (let i = 0; i < 20; i++) {
      const outcome = runOne(simulation, i);
      expect(outcome.decision).toBe('rollback');
      expect(outcome.firstWorseTime).toBe(0);
      expect(outcome.firstExposedWorseTime).toBe(86400);
      // Caught within the shadow day, at a whole number of its hourly checks.
      expect(outcome.detectionTime).toBe(outcome.decisionTime! - 86400);
      expect(outcome.detectionTime! % 3600).toBe(0);
      expect(outcome.detectionTime).toBeGreaterThanOrEqual(3600);
      expect(outcome.detectionTime).toBeLessThanOrEqual(86400);
    }
  });

  it('counts a worse candidate rolled back before it ever received traffic as detected at 0', () => {
    const parsed = parseScenario({
      version: 1,
      name: 'rolled back in baseline',
      horizon: '1d',
      traffic: { requestsPerSecond: 1 },
      control: model,
      candidate: { ...model, errorRate: 0.05 },
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    // The baseline can never gather 10⁹ requests: it times out after 2 h and the policy rolls back.
    const stuck: Policy = {
      version: 1,
      baseline: { mode: 'historical' },
      onMaxDuration: 'rollback',
      stages: [{ kind: 'baseline', minDuration: '1h', maxDuration: '2h', minRequests: 1e9, checkInterval: '30m' }, { kind: 'promote' }],
    };
    const outcome = runOne(prepareSimulation(parsed.scenario, stuck, 'window', 1), 0);
    expect(outcome.decision).toBe('rollback');
    expect(outcome.candidateWorse).toBe(true);
    expect(outcome.firstWorseTime).toBe(0);
    expect(outcome.firstExposedWorseTime).toBeNull();
    expect(outcome.decisionTime).toBe(7200);
    expect(outcome.detectionTime).toBe(0);
  });

  it('checks its inputs', () => {
    expect(() => simulate(scenario(0.01), policy(2), { replicates: 0, seed: 1 })).toThrow(
      /replicates must be a whole number of at least 1, got 0/,
    );
    expect(() => prepareSimulation(scenario(0.01), policy(2), 'fast' as never, 1)).toThrow(/mode must be/);
    expect(() => runReplicates(prepareSimulation(scenario(0.01), policy(2), 'window', 1), 5, 2)).toThrow(/replicates must be a range/);
  });
});

describe('summary', () => {
  const outcome = (patch: Partial<ReplicateOutcome>): ReplicateOutcome => ({
    decision: 'promote',
    stageReached: 1,
    stageName: 'promote',
    decisionTime: 3600,
    candidateWorse: false,
    firstWorseTime: null,
    firstExposedWorseTime: null,
    falseRollback: false,
    missedRegression: false,
    detectionTime: null,
    reachedAbTest: false,
    abWinner: null,
    segmentWinner: null,
    windows: 12,
    exposure: { candidateRequests: 100, requestsServedWhileWorse: 0, usersServedWhileWorse: 0, failedRequests: 3 },
    ...patch,
  });

  it('computes the rates with Wilson intervals and the detection-time distribution', () => {
    const state = initSummary();
    addOutcome(state, outcome({ decision: 'rollback', falseRollback: true, decisionTime: 1200 }));
    addOutcome(state, outcome({}));
    for (const detection of [600, 600, 1200, 3000]) {
      addOutcome(
        state,
        outcome({
          decision: 'rollback',
          candidateWorse: true,
          firstWorseTime: 0,
          detectionTime: detection,
          decisionTime: detection,
          exposure: { candidateRequests: 10, requestsServedWhileWorse: 10, usersServedWhileWorse: 2.5, failedRequests: 1 },
        }),
      );
    }
    addOutcome(state, outcome({ candidateWorse: true, missedRegression: true, firstWorseTime: 0 }));
    const summary = summaryValue(state);
    expect(summary.replicates).toBe(7);
    expect(summary.falseRollbackRate).toEqual(rateEstimate(1, 2));
    expect(summary.missedRegressionRate).toEqual(rateEstimate(1, 5));
    expect(summary.rollbackRate.count).toBe(5);
    // statsmodels 0.13.5 proportion_confint(1, 5, method='wilson')
    expect(summary.missedRegressionRate.lower).toBeCloseTo(0.036224108632430196, 10);
    expect(summary.missedRegressionRate.upper).toBeCloseTo(0.6244653702374748, 10);
    // numpy 1.24 np.quantile([600, 600, 1200, 3000], [0.5, 0.9]) = [900, 2460]
    expect(summary.detectionTime).toEqual({ count: 4, mean: 1350, median: 900, p90: 2460, histogram: { '600': 2, '1200': 1, '3000': 1 } });
    expect(summary.exposure.usersServedWhileWorse).toBeCloseTo(10 / 7, 12);
    expect(summary.candidateWinRate.rate).toBeNull();
    expect(summary.segmentWinnerRate).toEqual(rateEstimate(0, 0));
  });

  it('counts segment winners among the A/B tests reported by segment', () => {
    const state = initSummary();
    for (const segmentWinner of [true, true, false, null]) addOutcome(state, outcome({ reachedAbTest: true, segmentWinner }));
    expect(summaryValue(state).segmentWinnerRate).toEqual(rateEstimate(2, 3));
  });
});
