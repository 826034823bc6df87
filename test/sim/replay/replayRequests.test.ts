/**
 * The request replay's mechanics (src/sim/replay/replayRequests.ts): pairing, detection time
 * from the onset, the regression's per-request law, the check on the log's own windows, the
 * reasons and starved stages, the shorter-log refusal. Statistical agreement with independently
 * computed rates is in syntheticReplay.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { streamFor } from '../../../src/engine/random/streams.ts';
import { parseInjection } from '../../../src/sim/replay/injection.ts';
import type { RunOutcome } from '../../../src/sim/replay/replayReport.ts';
import { addRunPair, detectionSummary, initReplayTally, mergeReplayTallies } from '../../../src/sim/replay/replayReport.ts';
import { replayRequestSteps, replayRequests } from '../../../src/sim/replay/replayRequests.ts';
import { describeRegression, regressedError, regressedLatency, windowRegression } from '../../../src/sim/replay/requestRegression.ts';
import { syntheticLog, syntheticPolicy } from './syntheticLogs.ts';

const bursty = { kind: 'bursty', errorRates: [0.005, 0.2], toBurst: 0.005, toNormal: 0.05 } as const;

describe('replayRequests', () => {
  const log = syntheticLog(bursty as never, 3);

  it('pairs each healthy run with a regressed run on the same traffic: a large regression is always caught, net of noise', () => {
    const result = replayRequests(log, syntheticPolicy(), { replicates: 60, seed: 4, injections: parseInjection('errors*8') });
    const detection = result.detection!;
    // Every regressed run rolls back (8 × 2.3% ≈ 18% > the 10% limit), so pairs split only by the healthy twin.
    expect(detection.regressed.rollbackRate.count).toBe(60);
    expect(detection.onlyBecauseOfRegression.count + detection.inBoth.count).toBe(60);
    expect(detection.inBoth.count).toBe(result.falseRollbackRate.count);
    expect(detection.onlyWithoutRegression.count).toBe(0);
    expect(detection.missed.count).toBe(0);
    // Onset is the first window (the canary serves from the start); a rollback is decided at the end of a 10-minute window.
    expect(detection.detectionTime.count).toBe(detection.onlyBecauseOfRegression.count);
    expect(detection.detectionTime.median! % 600).toBe(0);
    expect(detection.detectionTime.median).toBeGreaterThanOrEqual(600);
    expect(result.regression!.description).toMatch(/^candidate error rate × 8 \(2\.\d+% → 1\d\.\d+%\)$/);
  });

  it('without a regression runs the healthy world only', () => {
    const result = replayRequests(log, syntheticPolicy(), { replicates: 10, seed: 4 });
    expect(result.detection).toBeNull();
    expect(result.regression).toBeNull();
    expect(result.healthy.runs).toBe(10);
  });

  it('is the same run whatever the chunking of its steps, and reproducible', () => {
    const options = { replicates: 25, seed: 'x', injections: parseInjection('latency*2') };
    const steps = replayRequestSteps(log, syntheticPolicy(), options, 7);
    const yielded: number[] = [];
    let next = steps.next();
    while (!next.done) {
      yielded.push(next.value);
      next = steps.next();
    }
    expect(yielded).toEqual([7, 14, 21]);
    expect(next.value).toEqual(replayRequests(log, syntheticPolicy(), options));
  });

  it("checks the policy on the log's own windows: every start that leaves a whole rollout", () => {
    const result = replayRequests(log, syntheticPolicy(), { replicates: 5, seed: 1, maxOwnWindowRuns: 1000 });
    // 3 days of log (first request 3 s after midnight, last 3 s before the end), a 3 h rollout,
    // starts every 10 min (the check interval) while a whole rollout fits: (72 − 3) h × 6 starts.
    expect(result.rolloutSeconds).toBe(3 * 3600);
    expect(result.ownWindows.startEverySeconds).toBe(600);
    expect(result.ownWindows.runs).toBe(69 * 6);
    expect(result.ownWindows.nonOverlappingRuns).toBe(23);
    expect(result.ownWindows.summary.runs).toBe(result.ownWindows.runs);
  });

  it('says which stage never got its requests', () => {
    const policy = syntheticPolicy();
    (policy.guards as { minRequests: number }).minRequests = 500; // a 10-minute window holds ~50 candidate requests
    const result = replayRequests(log, policy, { replicates: 4, seed: 1 });
    expect(result.healthy.reasons).toEqual([{ reason: 'canary 50% · maxDuration', count: 4 }]);
    expect(result.healthy.starved).toHaveLength(1);
    expect(result.healthy.starved[0].message).toMatch(
      /^timed out: canary 50% saw at most \d\d candidate requests in a check window, of the 500 needed \(4 runs\)$/,
    );
  });

  it('refuses a log shorter than the rollout unless allowed, and routing by a missing user column', () => {
    const short = syntheticLog(bursty as never, 0.1); // 2.4 h < 3 h
    expect(() => replayRequests(short, syntheticPolicy(), { replicates: 2, seed: 1 })).toThrow(
      "the log spans 2.4 h but a rollout under policy 'synthetic check' can take 3 h: replaying it would reuse the log's blocks (allow that with --allow-wrap), or give a longer log or a shorter policy",
    );
    const wrapped = replayRequests(short, syntheticPolicy(), { replicates: 2, seed: 1, allowShorterLog: true });
    expect(wrapped.shorterThanRollout).toBe(true);
    expect(wrapped.ownWindows.runs).toBe(0);
    expect(() => replayRequests(log, syntheticPolicy(), { replicates: 2, seed: 1, stickyBy: 'user' })).toThrow(
      'stickyBy is user but the log maps no user column',
    );
  });

  it('uses the block length it is given', () => {
    const result = replayRequests(log, syntheticPolicy(), { replicates: 2, seed: 1, blockMinutes: 30 });
    expect(result.blockLength).toEqual({ minutes: 30, how: 'user', errorSeries: null, latencySeries: null, explanation: '30 min, as set' });
  });
});

describe('the regression, request by request', () => {
  it('moves the error rate to the target exactly on average, keeping the logged failures', () => {
    // A log error rate of 5%: errors*3 → 15%: a success fails with probability 0.10/0.95.
    const regression = windowRegression(parseInjection('errors*3'), 0.05, 0);
    expect(regression.errors).toHaveLength(1);
    expect(regression.errors[0]).toBeCloseTo(0.1 / 0.95, 14);
    const random = streamFor(1, 0, 'regression-test');
    let failed = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) failed += regressedError(regression, i % 20 === 0 ? 1 : 0, random);
    // Binomial standard error √(0.15·0.85/n) = 0.0008; 4σ.
    expect(Math.abs(failed / n - 0.15)).toBeLessThan(0.0032);
    // A logged failure stays a failure.
    expect(regressedError(regression, 1, () => 0.999)).toBe(1);
    // An improvement removes failures only.
    const better = windowRegression(parseInjection('errors*0.5'), 0.05, 0);
    expect(better.errors).toEqual([-0.5]);
    expect(regressedError(better, 0, () => 0)).toBe(0);
  });

  it('scales and shifts latency, and grows a leak with the hours of traffic', () => {
    expect(regressedLatency(windowRegression(parseInjection('latency*1.5,latency+10ms'), 0.01, 0), 100)).toBe(160);
    expect(regressedLatency(windowRegression(parseInjection('leak:latency+2ms/h'), 0.01, 3), 100)).toBe(106);
    expect(regressedLatency(windowRegression(parseInjection('leak:latency*1.1/h'), 0.01, 2), 100)).toBeCloseTo(120, 12);
    expect(windowRegression(parseInjection('leak:errors+0.01/h'), 0.02, 2).errors).toEqual([0.02 / 0.98]);
    expect(Number.isNaN(regressedLatency(windowRegression(parseInjection('latency*2'), 0, 0), NaN))).toBe(true);
  });

  it('is described in words where it is used', () => {
    expect(describeRegression(parseInjection('errors*2,latency+50ms'), 0.015)).toBe(
      'candidate error rate × 2 (1.5% → 3%); every candidate latency + 50 ms',
    );
    expect(describeRegression(parseInjection('leak:latency*1.01/h'), 0.01)).toBe(
      'candidate latency growing by 1% of the logged latency per hour of traffic',
    );
  });
});

describe('the paired tally', () => {
  const outcome = (decision: RunOutcome['decision'], decisionTime: number | null = null): RunOutcome => ({
    decision,
    stage: 'canary 5%',
    decisionTime,
    reasons: decision === 'rollback' ? ['canary 5% · ratio errorRate'] : [],
    failingChecks: decision === 'rollback' ? 1 : null,
    starved: null,
  });

  it('classifies pairs and merges exactly in any order', () => {
    const a = initReplayTally();
    addRunPair(a, outcome('promote'), outcome('rollback', 1500), 300); // only because of the regression, detected 1200 s after onset
    addRunPair(a, outcome('rollback', 600), outcome('rollback', 600), 300); // in both
    const b = initReplayTally();
    addRunPair(b, outcome('rollback', 900), outcome('promote'), 300); // only without; the regressed run is a miss
    addRunPair(b, outcome('promote'), outcome('undecided'), 300);
    const ab = mergeReplayTallies(structuredClone(a), b);
    const ba = mergeReplayTallies(structuredClone(b), a);
    expect(ab).toEqual(ba);
    const summary = detectionSummary(ab);
    expect([
      summary.onlyBecauseOfRegression.count,
      summary.inBoth.count,
      summary.onlyWithoutRegression.count,
      summary.missed.count,
    ]).toEqual([1, 1, 1, 1]);
    expect(summary.detectionTime).toEqual({ count: 1, median: 1200, p90: 1200, mean: 1200 });
    expect(summary.regressed.undecidedRate.count).toBe(1);
    expect(summary.regressed.reasons).toEqual([{ reason: 'canary 5% · ratio errorRate', count: 2 }]);
  });
});
