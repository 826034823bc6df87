import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/engine/policy/parsePolicy.ts';
import type { Policy } from '../../../src/engine/policy/policy.ts';
import { streamFor } from '../../../src/engine/random/streams.ts';
import { quantileSorted } from '../../../src/engine/stats/quantile.ts';
import { parseColumnMapping } from '../../../src/sim/replay/columnMapping.ts';
import { parseInjection } from '../../../src/sim/replay/injection.ts';
import type { ParsedLog } from '../../../src/sim/replay/parseLog.ts';
import { parseLog } from '../../../src/sim/replay/parseLog.ts';
import { fitZipfExponent, replayLog, replayScenario } from '../../../src/sim/replay/replayWorld.ts';
import { prepareSimulation, runReplicates } from '../../../src/sim/runner.ts';
import { initSummary, mergeSummaries, summaryValue } from '../../../src/sim/summary.ts';

const START = Date.UTC(2024, 2, 4);

/**
 * A one-day synthetic log: Poisson arrivals at 0.6/s at night and 2/s from 09:00 to 18:00,
 * lognormal-ish latencies around 120 ms, 1% errors for model a, `candidateErrorRate` for model b
 * (a share `candidateShare` of requests), segments web/app 70/30, 2 000 users.
 */
function syntheticLog(candidateShare: number, candidateErrorRate: number, seed = 1): ParsedLog {
  const random = streamFor(seed, 0, 'synthetic-log');
  const lines = ['ts,latency,status,model,segment,user'];
  let t = START;
  for (;;) {
    const hour = ((t - START) / 3_600_000) % 24;
    t += (-Math.log(1 - random()) / (hour >= 9 && hour < 18 ? 2 : 0.6)) * 1000;
    if (t >= START + 86_400_000) break;
    const candidate = random() < candidateShare;
    const latency = 120 * Math.exp(0.4 * (random() + random() + random() - 1.5));
    const error = random() < (candidate ? candidateErrorRate : 0.01);
    lines.push(
      `${Math.round(t)},${latency.toFixed(2)},${error ? 503 : 200},${candidate ? 'b' : 'a'},${random() < 0.7 ? 'web' : 'app'},u${Math.floor(2000 * random() * random())}`,
    );
  }
  return parseLog(lines.join('\n'), {
    mapping: parseColumnMapping('timestamp=ts,latency=latency,status=status,model=model,segment=segment,user=user'),
  });
}

function singleVersion(log: ParsedLog): ParsedLog {
  const { model: _model, ...rest } = log;
  return rest;
}

/** A short policy that decides within a day: canary 25% for 6 h with 30-minute ratio checks, then promote. */
function testPolicy(): Policy {
  const parsed = parsePolicy({
    version: 1,
    name: 'replay test',
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 200, failureLimit: 2 },
    stages: [
      {
        kind: 'canary',
        traffic: 0.25,
        minDuration: '6h',
        checkInterval: '30m',
        rules: [
          { type: 'ratio', metric: 'errorRate', maxRatio: 2 },
          { type: 'ratio', metric: 'latencyP95', maxRatio: 1.5 },
        ],
      },
      { kind: 'promote' },
    ],
  });
  if (!parsed.ok) throw new Error('test policy is invalid');
  return parsed.policy;
}

const abLog = syntheticLog(0.4, 0.03);
const log = singleVersion(syntheticLog(0, 0, 2));

describe('replayScenario', () => {
  it('makes the log the control world, and an identical candidate without injection', () => {
    const world = replayScenario(log, streamFor(1, 0, 'b'));
    const { scenario, roles } = world;
    expect(roles).toMatchObject({ mode: 'single', control: null, candidate: null, controlRequests: log.rows });
    const errors = log.errors.reduce((a, b) => a + b, 0);
    expect(scenario.control.errorRate).toBe(errors / log.rows);
    expect(scenario.candidate).toEqual(scenario.control);
    // More than 10 001 latencies: thinned to the type-7 quantiles at k/10 000.
    const sorted = Float64Array.from(log.latencies).sort();
    const values = (scenario.control.latency as { values: number[] }).values;
    expect(values).toHaveLength(10_001);
    expect(values[0]).toBe(sorted[0]);
    expect(values[10_000]).toBe(sorted[sorted.length - 1]);
    expect(values[9500]).toBe(quantileSorted(sorted, 0.95));
    // Traffic: replayed arrivals over one day, the log's segment mix and users.
    expect(scenario.traffic.arrivals).toMatchObject({ kind: 'replay', period: 86400 });
    expect(world.blockMinutes).toBe(11);
    const web = Array.from(log.segment!.codes).filter((c) => log.segment!.values[c] === 'web').length;
    expect(scenario.traffic.segments.web).toBeCloseTo(web / log.rows, 12);
    expect(scenario.traffic.users.count).toBe(log.user!.values.length);
    expect(scenario.truth).toEqual({ errorRateRatio: 1.2, p95Ratio: 1.1 });
  });

  it('injects regressions into the candidate only', () => {
    const { scenario, roles } = replayScenario(log, streamFor(1, 0, 'b'), {
      injections: parseInjection('latency*1.3,errors+0.01,leak:errors+0.001/h'),
      maxLatencyPoints: 101,
    });
    const control = (scenario.control.latency as { values: number[] }).values;
    const candidate = (scenario.candidate.latency as { values: number[] }).values;
    expect(candidate).toHaveLength(101);
    candidate.forEach((value, i) => expect(value).toBeCloseTo(1.3 * control[i], 9));
    expect(scenario.candidate.errorRate).toBeCloseTo(scenario.control.errorRate + 0.01, 15);
    expect(roles.candidateErrorRate).toBe(scenario.candidate.errorRate);
    expect(scenario.faults).toEqual([{ kind: 'leak', effect: { errorRateMultiplier: 1, extraErrorRate: 0.001, latencyMultiplier: 1 } }]);
  });

  it('replays a log holding two versions as an A/B comparison', () => {
    const { scenario, roles } = replayScenario(abLog, streamFor(1, 0, 'b'));
    expect(roles.mode).toBe('ab');
    expect(roles.control).toBe('a'); // the busier version
    expect(roles.candidate).toBe('b');
    expect(roles.controlRequests + roles.candidateRequests).toBe(abLog.rows);
    expect(scenario.candidate.errorRate).toBe(roles.candidateErrorRate);
    expect(roles.candidateErrorRate).toBeGreaterThan(0.02);
    const swapped = replayScenario(abLog, streamFor(1, 0, 'b'), { control: 'b' });
    expect([swapped.roles.control, swapped.roles.candidate]).toEqual(['b', 'a']);
    expect(() => replayScenario(abLog, streamFor(1, 0), { control: 'c' })).toThrow(
      "control must be a model version of the log ('a', 'b'), got 'c'",
    );
    expect(() => replayScenario(log, streamFor(1, 0), { control: 'a' })).toThrow('two or more versions');
  });

  it('refuses a log it cannot replay', () => {
    const empty = parseLog('ts,latency,status\nbad,1,200\n', { mapping: parseColumnMapping('timestamp=ts,latency=latency,status=status') });
    expect(() => replayScenario(empty, streamFor(1, 0))).toThrow('at least one accepted row');
    const one = parseLog('ts,latency,status\n1709596800,1,200\n', {
      mapping: parseColumnMapping('timestamp=ts,latency=latency,status=status'),
    });
    expect(() => replayScenario(one, streamFor(1, 0))).toThrow('the control needs at least 2 rows with a latency to replay, got 1');
  });
});

describe('fitZipfExponent', () => {
  it('recovers the exponent of a Zipf rank-frequency table', () => {
    const counts = Array.from({ length: 1000 }, (_, r) => 1e6 / (r + 1) ** 1.2);
    expect(fitZipfExponent(counts)).toBeCloseTo(1.2, 10);
    expect(fitZipfExponent(new Array(50).fill(7))).toBe(0);
    expect(fitZipfExponent([5, 1])).toBe(0);
  });
});

describe('replayLog', () => {
  const policy = testPolicy();
  const replicates = 40;

  it('measures the false-rollback rate on the log as it is, reproducibly', () => {
    const first = replayLog(log, policy, { replicates, seed: 11, resamples: 4 });
    const second = replayLog(log, policy, { replicates, seed: 11, resamples: 4 });
    expect(second.summary).toEqual(first.summary);
    expect(first.summary.replicates).toBe(replicates);
    expect(first.summary.missedRegressionRate.total).toBe(0); // an identical candidate is never worse
    // The same as running the simulator by hand on the four bootstrap worlds, 10 replicates
    // each with disjoint indices, and merging: the replay adds no statistics of its own.
    const state = initSummary();
    for (let r = 0; r < 4; r++) {
      const world = replayScenario(log, streamFor(11, r, 'replay-bootstrap'));
      mergeSummaries(state, runReplicates(prepareSimulation(world.scenario, policy, 'window', 11), 10 * r, 10 * r + 10));
    }
    expect(first.summary).toEqual(summaryValue(state));
    // Ratio rules at ~270 candidate requests per window misfire on an identical candidate now
    // and then, but far less often than they catch a tripled error rate (next test: 40 of 40).
    expect(first.summary.falseRollbackRate.count).toBeGreaterThan(0);
    expect(first.summary.falseRollbackRate.upper!).toBeLessThan(0.5);
    expect(first.resamples).toBe(4);
  });

  it('detects injected regressions', () => {
    for (const spec of ['errors*3', 'latency*1.6']) {
      const result = replayLog(log, policy, { replicates, seed: 11, resamples: 4, injections: parseInjection(spec) });
      // Every replicate's candidate is worse than the truth's tolerance and is rolled back:
      // detection power 1 (Wilson lower bound above 0.9 at 40 of 40).
      expect(result.summary.rollbackRate.count, spec).toBe(replicates);
      expect(result.summary.missedRegressionRate.rate, spec).toBe(0);
      expect(result.summary.detectionTime.count, spec).toBe(replicates);
    }
  });

  it('replays two versions against each other', () => {
    const result = replayLog(abLog, policy, { replicates: 20, seed: 5 });
    expect(result.roles).toMatchObject({ mode: 'ab', control: 'a', candidate: 'b' });
    expect(result.resamples).toBe(20);
    // b fails 3× as often as a: every replicate rolls it back.
    expect(result.summary.rollbackRate.count).toBe(20);
  });

  it('checks its options', () => {
    expect(() => replayLog(log, policy, { replicates: 0, seed: 1 })).toThrow('replicates must be a whole number of at least 1, got 0');
    expect(() => replayLog(log, policy, { replicates: 5, seed: 1, resamples: 6 })).toThrow(
      'resamples must be a whole number between 1 and replicates (5), got 6',
    );
  });
});
