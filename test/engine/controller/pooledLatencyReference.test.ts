/**
 * The historical latency reference is the POOLED percentile when every baseline window carries a
 * sketch (armTotals.ts): the percentile of one sketch of all the baseline's latencies, as the
 * exported Argo Rollouts / Flagger analyses compute it (`histogram_quantile` over the summed
 * buckets of the baseline's range, promQueries.ts) — and the request-weighted mean of the windows'
 * percentiles otherwise.
 *
 * The baseline here is built from KNOWN latencies (seeded): a fast half-hour (lognormal, median
 * 50 ms, σ = 0.3) and a slow half-hour (median 200 ms, σ = 0.3), 2,000 requests per 5-minute window.
 * Each window reports its own sketch and that sketch's p50/p95/p99 (as the per-request simulator
 * does). The reference numbers are computed in the test itself from the same latencies: the
 * union's sketch (`LatencySketch` of all 24,000 values) and the weighted mean of the windows'
 * percentiles. Analytically (for orientation only, not asserted): the windows' p95 are about
 * 50·e^(1.645·0.3) = 82 ms and 200·e^(1.645·0.3) = 328 ms, so their mean is about 205 ms, while the
 * pooled p95 solves ½Φ((ln x − ln 50)/0.3) + ½Φ((ln x − ln 200)/0.3) = 0.95, x ≈ 200·e^(1.2816·0.3)
 * ≈ 294 ms. A candidate p95 of 400 ms is within 1.5× the pooled reference (441 ms) but not within
 * 1.5× the mean (308 ms): the two references give opposite verdicts.
 */
import { describe, expect, it } from 'vitest';
import { addArmWindow, copyArmTotals, emptyArmTotals, totalsMetric } from '../../../src/engine/controller/armTotals.ts';
import type { ControllerState } from '../../../src/engine/controller/controllerState.ts';
import { initialState } from '../../../src/engine/controller/controllerState.ts';
import { step } from '../../../src/engine/controller/step.ts';
import type { ArmWindow, WindowMetrics } from '../../../src/engine/metrics/windowMetrics.ts';
import { mergeWindowMetrics, parseWindowMetrics } from '../../../src/engine/metrics/windowMetrics.ts';
import { ratioRule } from '../../../src/engine/policy/healthRules.ts';
import type { HealthMetric, Policy } from '../../../src/engine/policy/policy.ts';
import { baselineStage, canaryStage, fullStage } from '../../../src/engine/policy/stages.ts';
import { lognormalSampler } from '../../../src/engine/random/lognormal.ts';
import { xoshiro128StarStar } from '../../../src/engine/random/prng.ts';
import type { LatencySketchJson } from '../../../src/engine/stats/latencySketch.ts';
import { LatencySketch } from '../../../src/engine/stats/latencySketch.ts';

const REQUESTS = 2000;
const WINDOWS = 12; // one hour of 5-minute windows
const METRICS: [HealthMetric, number][] = [
  ['latencyP50', 0.5],
  ['latencyP95', 0.95],
  ['latencyP99', 0.99],
];

/** One arm window from known latencies: its sketch and the sketch's percentiles. */
function sketchedArm(latencies: number[], relativeAccuracy = 0.01): ArmWindow {
  const sketch = new LatencySketch({ relativeAccuracy });
  for (const value of latencies) sketch.add(value);
  return {
    requests: latencies.length,
    errors: 0,
    timeouts: 0,
    latency: { p50: sketch.quantile(0.5), p95: sketch.quantile(0.95), p99: sketch.quantile(0.99), sketch: sketch.toJSON() },
  };
}

/** The baseline's latencies, window by window: six fast windows, then six slow ones. */
function baselineLatencies(seed: number): number[][] {
  const random = xoshiro128StarStar([seed, 17, 29, 31]);
  const fast = lognormalSampler(random, Math.log(50), 0.3);
  const slow = lognormalSampler(random, Math.log(200), 0.3);
  return Array.from({ length: WINDOWS }, (_, w) => Array.from({ length: REQUESTS }, w < WINDOWS / 2 ? fast : slow));
}

function baselineWindows(latencies: number[][]): WindowMetrics[] {
  return latencies.map((values, w) => ({ startTime: 300 * w, duration: 300, control: sketchedArm(values) }));
}

/** The same windows as a producer that sends percentiles only. */
function withoutSketches(windows: WindowMetrics[]): WindowMetrics[] {
  return windows.map((window) => {
    const copy = JSON.parse(JSON.stringify(window)) as WindowMetrics;
    if (copy.control?.latency) delete copy.control.latency.sketch;
    return copy;
  });
}

/** The union's sketch: every baseline latency in one sketch. */
function unionSketch(latencies: number[][]): LatencySketch {
  const sketch = new LatencySketch();
  for (const values of latencies) for (const value of values) sketch.add(value);
  return sketch;
}

/**
 * Equal sketches: the same buckets, counts, min, max and zeroCount; `sum` equal up to rounding
 * (pooling adds the windows' sums, the union's sketch adds the values one by one).
 */
function expectSameSketch(actual: LatencySketchJson | undefined, expected: LatencySketchJson): void {
  expect({ ...actual, sum: 0 }).toEqual({ ...expected, sum: 0 });
  expect(Math.abs((actual as LatencySketchJson).sum - expected.sum)).toBeLessThanOrEqual(1e-12 * expected.sum);
}

/** Σ requests × percentile / Σ requests over the windows. */
function weightedMean(windows: WindowMetrics[], metric: 'p50' | 'p95' | 'p99'): number {
  let weight = 0;
  let sum = 0;
  for (const window of windows) {
    const control = window.control as ArmWindow;
    weight += control.requests;
    sum += control.requests * (control.latency as { p50: number; p95: number; p99: number })[metric];
  }
  return sum / weight;
}

const policy: Policy = {
  version: 1,
  baseline: { mode: 'historical' },
  stages: [
    baselineStage({ minDuration: '1h', minRequests: 10_000 }),
    canaryStage({ traffic: 0.05, minDuration: '30m', rules: [ratioRule('latencyP95', 1.5)] }),
    fullStage(),
  ],
};

/** A canary window: 1,900 control requests and a candidate of 100 with p95 = 400 ms. */
function canaryWindow(startTime: number): WindowMetrics {
  return {
    startTime,
    duration: 300,
    control: { requests: 1900, errors: 0, timeouts: 0, latency: { p50: 100, p95: 300, p99: 400 } },
    candidate: { requests: 100, errors: 0, timeouts: 0, latency: { p50: 100, p95: 400, p99: 500 } },
  };
}

/** Runs the baseline stage over `windows` (it must advance at the last one). */
function runBaseline(windows: WindowMetrics[]): ControllerState {
  const state = initialState(policy, 0);
  windows.forEach((window, w) => {
    const result = step(state, [window], policy);
    expect(result.decision).toBe(w === windows.length - 1 ? 'advance' : 'continue');
  });
  expect(state.stageKind).toBe('canary');
  return state;
}

const latencies = baselineLatencies(1);
const sketched = baselineWindows(latencies);
const union = unionSketch(latencies);

describe('the historical latency reference', () => {
  it('is the quantile of the union of the baseline latencies when every window carries a sketch', () => {
    const state = runBaseline(sketched);
    for (const [metric, q] of METRICS) expect(totalsMetric(state.baseline, metric)).toBe(union.quantile(q));
    expect(state.baseline.sketchedLatencyRequests).toBe(WINDOWS * REQUESTS);
    expectSameSketch(state.baseline.latencySketch, union.toJSON());
    // The windows' own sketches are not changed by the pooling.
    expect(sketched[0].control?.latency?.sketch).toEqual(sketchedArm(latencies[0]).latency?.sketch);
  });

  it('differs from the weighted mean enough to flip the p95 ratio rule: continue with sketches, roll back without', () => {
    const pooledP95 = union.quantile(0.95);
    const meanP95 = weightedMean(sketched, 'p95');
    // The construction (module comment): 1.5 × mean < 400 ms ≤ 1.5 × pooled.
    expect(1.5 * meanP95).toBeLessThan(400);
    expect(1.5 * pooledP95).toBeGreaterThan(400);
    expect(pooledP95).toBeCloseTo(294, -1);
    expect(meanP95).toBeCloseTo(205, -1);

    const pooled = runBaseline(sketched);
    const withSketches = step(pooled, [canaryWindow(3600)], policy);
    expect(withSketches.decision).toBe('continue');
    const reason = withSketches.reasons.find((r) => r.metric === 'latencyP95');
    expect(reason?.observed).toBeCloseTo(400 / pooledP95, 12);

    const mean = runBaseline(withoutSketches(sketched));
    expect(totalsMetric(mean.baseline, 'latencyP95')).toBe(meanP95);
    const withoutSketchesResult = step(mean, [canaryWindow(3600)], policy);
    expect(withoutSketchesResult.decision).toBe('rollback');
    expect(withoutSketchesResult.reasons[0]).toMatchObject({ rule: 'ratio', metric: 'latencyP95', threshold: 1.5 });
    expect(withoutSketchesResult.reasons[0].observed).toBeCloseTo(400 / meanP95, 12);
  });

  it('falls back to the weighted mean when one latency window has no sketch (the first, a middle or the last one)', () => {
    for (const missing of [0, 5, WINDOWS - 1]) {
      const windows = sketched.map((window, w) => (w === missing ? withoutSketches([window])[0] : window));
      const state = runBaseline(windows);
      for (const [metric] of METRICS) {
        const key = metric === 'latencyP50' ? 'p50' : metric === 'latencyP95' ? 'p95' : 'p99';
        expect(totalsMetric(state.baseline, metric)).toBe(weightedMean(windows, key));
      }
      expect(state.baseline.sketchedLatencyRequests ?? 0).toBeLessThan(state.baseline.latencyRequests);
      expect(step(state, [canaryWindow(3600)], policy).decision).toBe('rollback');
    }
  });

  it('falls back to the weighted mean when a sketch has other settings than the pooled ones (they cannot be merged)', () => {
    const windows = sketched.map((window, w) => (w === 3 ? { ...window, control: sketchedArm(latencies[3], 0.02) } : window));
    const state = runBaseline(windows);
    expect(totalsMetric(state.baseline, 'latencyP95')).toBe(weightedMean(windows, 'p95'));
    expect(step(state, [canaryWindow(3600)], policy).decision).toBe('rollback');
  });

  it('survives a JSON round trip of the controller state, and an older state without the fields loads as "no sketches"', () => {
    const live = runBaseline(sketched);
    const saved = JSON.parse(JSON.stringify(live)) as ControllerState;
    expect(saved.baseline.latencySketch).toEqual(live.baseline.latencySketch);
    for (const [metric] of METRICS) expect(totalsMetric(saved.baseline, metric)).toBe(totalsMetric(live.baseline, metric));
    // Continuing from the parsed state decides as the live one does, window after window.
    for (let w = 0; w < 4; w++) {
      const window = canaryWindow(3600 + 300 * w);
      expect(step(saved, [window], policy)).toEqual(step(live, [window], policy));
    }
    expect(saved.stageKind).toBe('canary');

    // Saved in the middle of the baseline and continued: the same pooled reference at its end.
    const half = initialState(policy, 0);
    for (const window of sketched.slice(0, 5)) step(half, [window], policy);
    const resumed = JSON.parse(JSON.stringify(half)) as ControllerState;
    for (const window of sketched.slice(5)) step(resumed, [window], policy);
    expect(resumed.stageKind).toBe('canary');
    for (const [metric, q] of METRICS) expect(totalsMetric(resumed.baseline, metric)).toBe(union.quantile(q));

    // A state written before pooling: no latencySketch, no sketchedLatencyRequests anywhere.
    const old = JSON.parse(JSON.stringify(runBaseline(sketched)), (key, value) =>
      key === 'latencySketch' || key === 'sketchedLatencyRequests' ? undefined : value,
    ) as ControllerState;
    expect(JSON.stringify(old)).not.toContain('latencySketch');
    expect(totalsMetric(old.baseline, 'latencyP95')).toBe(weightedMean(sketched, 'p95'));
    expect(step(old, [canaryWindow(3600)], policy).decision).toBe('rollback');
    // Sketched windows added to an old state's totals that already hold unsketched latency stay "partial".
    addArmWindow(old.stageControl, sketched[0].control as ArmWindow);
    expect(totalsMetric(old.stageControl, 'latencyP95')).toBe((old.stageControl.p95Sum as number) / old.stageControl.latencyRequests);
  });

  it('copies of totals own their pooled sketch: adding to one never changes the other', () => {
    const source = emptyArmTotals();
    addArmWindow(source, sketched[0].control as ArmWindow);
    const copy = emptyArmTotals();
    copyArmTotals(copy, source);
    expect(copy.latencySketch).toEqual(source.latencySketch);
    expect(copy.latencySketch?.counts).not.toBe(source.latencySketch?.counts);
    const before = totalsMetric(copy, 'latencyP95');
    addArmWindow(source, sketched[11].control as ArmWindow);
    expect(totalsMetric(copy, 'latencyP95')).toBe(before);
    expect(totalsMetric(source, 'latencyP95')).not.toBe(before);
    // And the controller's own snapshot of a stage's control (`previousControl`) keeps its sketch
    // while the next stage's totals grow.
    const state = runBaseline(sketched);
    const previous = state.previousControl;
    expectSameSketch(previous?.latencySketch, union.toJSON());
    step(state, [{ ...canaryWindow(3600), control: sketched[0].control }], policy);
    expectSameSketch(state.previousControl?.latencySketch, union.toJSON());
    expect(state.stageControl.latencySketch).toEqual(sketched[0].control?.latency?.sketch);
  });
});

describe('mergeWindowMetrics pools latency the same way', () => {
  it('reads the merged latency from the pooled sketch when every window carries one, and carries that sketch', () => {
    const before = JSON.stringify(sketched);
    const merged = mergeWindowMetrics(sketched);
    expect(JSON.stringify(sketched)).toBe(before);
    const latency = merged.control?.latency;
    expect({ ...latency, sketch: undefined }).toEqual({ p50: union.quantile(0.5), p95: union.quantile(0.95), p99: union.quantile(0.99) });
    expectSameSketch(latency?.sketch, union.toJSON());
    // And a merged window counts in the totals exactly as its windows one by one.
    const one = emptyArmTotals();
    addArmWindow(one, merged.control as ArmWindow);
    const each = emptyArmTotals();
    for (const window of sketched) addArmWindow(each, window.control as ArmWindow);
    for (const [metric] of METRICS) expect(totalsMetric(one, metric)).toBe(totalsMetric(each, metric));
  });

  it('keeps the weighted mean, and no sketch, when a window has none or other settings', () => {
    const partial = [...sketched.slice(0, 4), ...withoutSketches(sketched.slice(4, 5)), ...sketched.slice(5)];
    const mixed = [...sketched.slice(0, 4), { ...sketched[4], control: sketchedArm(latencies[4], 0.02) }, ...sketched.slice(5)];
    for (const windows of [partial, mixed]) {
      const latency = mergeWindowMetrics(windows).control?.latency;
      expect(latency).toEqual({ p50: weightedMean(windows, 'p50'), p95: weightedMean(windows, 'p95'), p99: weightedMean(windows, 'p99') });
    }
  });
});

describe('a window sketch at the edge (parseWindowMetrics)', () => {
  const valid = sketched[0];
  const sketch = valid.control?.latency?.sketch as LatencySketchJson;
  /** The window with its control sketch changed by `edit`. */
  function withSketch(edit: (sketch: Record<string, unknown>) => void): unknown {
    const copy = JSON.parse(JSON.stringify(valid));
    edit(copy.control.latency.sketch);
    return copy;
  }
  function problems(value: unknown) {
    const result = parseWindowMetrics(value);
    return result.ok ? [] : result.errors;
  }

  it('accepts a real sketch, an empty one, and windows without one', () => {
    expect(parseWindowMetrics(valid)).toEqual({ ok: true, window: valid });
    expect(parseWindowMetrics(withSketch((s) => Object.assign(s, new LatencySketch().toJSON()))).ok).toBe(true);
    expect(parseWindowMetrics(withoutSketches([valid])[0]).ok).toBe(true);
    expect(sketch.count).toBe(REQUESTS);
  });

  type Edit = ((sketch: Record<string, unknown>) => unknown) | null;
  const refusals: [string, Edit, string, string][] = [
    ['type', (s: Record<string, unknown>) => (s.type = 'tdigest'), 'control.latency.sketch.type', 'must be "ddsketch", got "tdigest"'],
    ['version', (s: Record<string, unknown>) => (s.version = 2), 'control.latency.sketch.version', 'must be 1, got 2'],
    [
      'α = 0',
      (s: Record<string, unknown>) => (s.relativeAccuracy = 0),
      'control.latency.sketch.relativeAccuracy',
      'must be between 0 and 1 (exclusive), got 0',
    ],
    [
      'α = 1',
      (s: Record<string, unknown>) => (s.relativeAccuracy = 1),
      'control.latency.sketch.relativeAccuracy',
      'must be between 0 and 1 (exclusive), got 1',
    ],
    [
      'maxBuckets 1',
      (s: Record<string, unknown>) => (s.maxBuckets = 1),
      'control.latency.sketch.maxBuckets',
      'must be between 2 and 65536, got 1',
    ],
    [
      'maxBuckets 2.5',
      (s: Record<string, unknown>) => (s.maxBuckets = 2.5),
      'control.latency.sketch.maxBuckets',
      'must be a whole number, got 2.5',
    ],
    [
      'a negative count',
      (s: Record<string, unknown>) => ((s.counts as number[])[3] = -1),
      'control.latency.sketch.counts[3]',
      'must be at least 0, got -1',
    ],
    [
      'a fractional count',
      (s: Record<string, unknown>) => ((s.counts as number[])[2] = 0.5),
      'control.latency.sketch.counts[2]',
      'must be a whole number, got 0.5',
    ],
    [
      'count ≠ Σcounts + zeroCount',
      (s: Record<string, unknown>) => (s.count = 1999),
      'control.latency.sketch.count',
      'must equal zeroCount plus the bucket counts (2000), got 1999',
    ],
    [
      'min > max',
      (s: Record<string, unknown>) => (s.min = 1e6),
      'control.latency.sketch.min',
      `must be at most max (${sketch.max}), got 1000000`,
    ],
    [
      'min missing',
      (s: Record<string, unknown>) => (s.min = null),
      'control.latency.sketch.min',
      'is required when count > 0: the smallest latency',
    ],
    [
      'min 0 without zeros',
      (s: Record<string, unknown>) => (s.min = 0),
      'control.latency.sketch.min',
      'must be above 0 when zeroCount is 0, got 0',
    ],
    [
      'more counts than maxBuckets',
      (s: Record<string, unknown>) => (s.maxBuckets = 4),
      'control.latency.sketch.counts',
      `must have at most maxBuckets (4) buckets, got ${sketch.counts.length}`,
    ],
    [
      'buckets beyond finite numbers',
      (s: Record<string, unknown>) => (s.offset = 10 ** 6),
      'control.latency.sketch.offset',
      'must place the buckets between -37220 and 35488',
    ],
    ['an unknown field', (s: Record<string, unknown>) => (s.bins = []), 'control.latency.sketch.bins', "unknown field 'bins'"],
    ['a string', null, 'control.latency.sketch', 'must be a latency sketch { type: "ddsketch"'],
  ];

  it.each(refusals)('refuses %s, naming the field', (_, edit, path, message) => {
    const value = edit === null ? withSketch(() => undefined) : withSketch(edit);
    if (edit === null) (value as { control: { latency: { sketch: unknown } } }).control.latency.sketch = 'p95=300';
    const found = problems(value);
    expect(found.map((p) => p.path)).toContain(path);
    expect(found.find((p) => p.path === path)?.message).toContain(message);
  });

  it('accepts every sketch the class writes: seeded random data at several α and bucket limits, with zeros and collapsed buckets', () => {
    const random = xoshiro128StarStar([3, 1, 4, 1]);
    for (const [relativeAccuracy, maxBuckets] of [
      [0.01, 2048],
      [0.002, 4096],
      [0.05, 32],
      [0.2, 2],
    ]) {
      for (let trial = 0; trial < 60; trial++) {
        const sketch = new LatencySketch({ relativeAccuracy, maxBuckets });
        const next = lognormalSampler(random, Math.log(10 ** (-3 + 8 * random())), 0.05 + 4 * random());
        const zeros = random() < 0.3 ? 0.1 : 0;
        const n = Math.floor(random() * 300);
        for (let i = 0; i < n; i++) sketch.add(random() < zeros ? 0 : next());
        expect(problems(withSketch((s) => Object.assign(s, sketch.toJSON())))).toEqual([]);
      }
    }
  });

  it('refuses a max outside the highest bucket and a min above the lowest', () => {
    // 5 ms and 80 ms at α = 1%: buckets ⌈ln 5 / ln γ⌉ = 81 and ⌈ln 80 / ln γ⌉ = 220, 300 ms in 286, 40 ms in 185; bucket i
    // is (γ^(i−1), γ^i] — Python: math.ceil(math.log(x) / g), math.exp(i * g) with g = math.log(1.01 / 0.99).
    const small = new LatencySketch().add(5).add(80).toJSON();
    expect(problems(withSketch((s) => Object.assign(s, small, { max: 300 })))).toEqual([
      {
        path: 'control.latency.sketch.max',
        message: 'must lie in the highest non-empty bucket (220, (79.8497, 81.4628] ms), got 300 (bucket 286)',
      },
    ]);
    expect(problems(withSketch((s) => Object.assign(s, small, { min: 40 })))).toEqual([
      {
        path: 'control.latency.sketch.min',
        message: 'must lie in the lowest non-empty bucket or below (81, (4.95330, 5.05336] ms), got 40 (bucket 185)',
      },
    ]);
  });

  it('refuses an empty sketch that claims a sum or a minimum', () => {
    const empty = new LatencySketch().toJSON();
    const found = problems(withSketch((s) => Object.assign(s, empty, { sum: 3, max: 4 })));
    expect(found).toEqual([
      { path: 'control.latency.sketch.sum', message: 'must be 0 for an empty sketch (count 0), got 3' },
      { path: 'control.latency.sketch.max', message: 'must be null for an empty sketch (count 0), got 4' },
    ]);
  });
});
