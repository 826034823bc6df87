/**
 * What the engine is fed: one check window of metrics per arm (DESIGN.md §2).
 *
 * Everything here is plain JSON-serialisable data, so that a production controller can pipe
 * its monitoring data into `rollout-lab decide` as JSON lines, workers can pass windows across
 * a `postMessage`, and the simulator's two fidelity modes produce the same shape.
 * Times are seconds (since the rollout started, or since the epoch in production).
 */

import type { BivariateSums } from '../stats/bivariateMoments.ts';
import type { LatencySketchJson } from '../stats/latencySketch.ts';
import { mergeSketchJson, sameSketchSettings, sketchJsonQuantile } from '../stats/latencySketch.ts';
import type { CrossFieldCheck, ObjectSpec } from '../validation/index.ts';
import { arrayField, constantField, mapField, numberField, objectField, validateDocument } from '../validation/index.ts';

/** Latency of one arm over one window, in milliseconds. */
export interface LatencySummary {
  /** Median latency. */
  p50: number;
  /** 95th percentile. */
  p95: number;
  /** 99th percentile. */
  p99: number;
  /** Mean latency, when known. */
  mean?: number;
  /**
   * A serialised mergeable sketch of the window's latencies (`LatencySketch.toJSON()`), when the
   * producer has one. The engine pools the sketches of several windows exactly (a historical
   * baseline, a stage's totals, `mergeWindowMetrics`): when every window that contributes latency
   * carries one with the same settings, a pooled percentile is the quantile of the merged sketch —
   * what the exported Prometheus queries compute — instead of the request-weighted mean of the
   * windows' percentiles (armTotals.ts). Checked at the edge (`latencySketchField`).
   */
  sketch?: LatencySketchJson;
}

/** The counts of one arm (control or candidate) in one window. */
export interface ArmWindow {
  /** Requests served (or, in shadow, mirrored). */
  requests: number;
  /** Requests that failed (5xx, exceptions, model errors). */
  errors: number;
  /** Requests that exceeded the timeout. */
  timeouts: number;
  latency?: LatencySummary;
  /** Outcomes judged correct against ground truth (A/B success metric), with `outcomes` judged. */
  successes?: number;
  outcomes?: number;
  /** Shadow comparisons: how many candidate answers agreed with control, out of `compared`. */
  agreements?: number;
  compared?: number;
  /** The same counts broken down by segment key. */
  segments?: Record<string, ArmWindow>;
  /**
   * Input-distribution summary: per input feature, the count of this window's requests in each
   * fixed bin (for a numeric feature, the reference deciles (−∞, e₁], (e₁, e₂], …, (e₉, +∞); for a
   * categorical one, one bin per category in a fixed order). The bins are fixed by the producer,
   * so windows' counts add up and compare with a reference by `binnedPsi` (analysis/drift.ts).
   */
  inputs?: Record<string, number[]>;
  /**
   * Per named metric of the A/B test (`AbMetric.name`), sums over the window's randomisation units
   * (the users active in the window): `count` = n, `sumX` = Σx, `sumY` = Σy, `sumXSquares` = Σx²,
   * `sumYSquares` = Σy², `sumXY` = Σxy (`BivariateSums`, stats/bivariateMoments.ts). For a
   * 'mean' metric x is the unit's value (its total over its requests in the window, for a per-user
   * mean) and y its pre-period value (the CUPED covariate; 0 when unused); for a 'ratio' metric x is
   * the unit's numerator total and y its denominator total (delta method); for a 'proportion'
   * metric kept here x is 1 or 0 per unit.
   *
   * Two meanings, told apart by `valuesSince`:
   * - absent (additive): the units are the users active in THIS window (user-windows), and the
   *   engine adds the windows' sums over the stage, taking user-windows as independent units.
   *   That is correct only when users do not return across windows: a returning user's
   *   user-windows share its persistent behaviour, the pooled delta-method variance is too small
   *   and the type I error inflates (13–16% at α = 0.05 in the simulator's returning-users check,
   *   test/sim/metricValuesDesignCheck.test.ts).
   * - present (cumulative): see `valuesSince`.
   */
  values?: Record<string, BivariateSums>;
  /**
   * Seconds: when present, `values` are CUMULATIVE since this time — for each user seen since
   * then, its totals (x, y) over all its requests since then, summed over those users (what an
   * experimentation pipeline computes: per-user aggregates since exposure). The unit is then the
   * user over the whole test, as the delta method needs (Deng, Knoblich & Lu, KDD 2018, §3), and
   * the engine REPLACES its stage totals with the latest window's values instead of adding them.
   * The engine holds (reason naming `valuesSince`) on cumulative values that start after the A/B
   * stage started (they would miss its first users) or that go backwards (a metric's count
   * smaller than the previous window's). Only with `values`.
   */
  valuesSince?: number;
}

/** One check window: control and candidate metrics over [startTime, startTime + duration). */
export interface WindowMetrics {
  /** Window start, seconds. */
  startTime: number;
  /** Window length, seconds. */
  duration: number;
  /** The current model. Absent when the monitoring system had no data for it (missing data). */
  control?: ArmWindow;
  /** The new model. Absent when it served nothing or its data is missing. */
  candidate?: ArmWindow;
}

/** One problem in a window: where (`candidate.errors`) and what. */
export interface WindowError {
  path: string;
  message: string;
}

/** The result of `parseWindowMetrics`. */
export type ParseWindowResult = { ok: true; window: WindowMetrics } | { ok: false; errors: WindowError[] };

/** A count: a whole number ≥ 0. */
const count = numberField({ min: 0, integer: true, expected: 'a whole number ≥ 0' });
const milliseconds = numberField({ min: 0, expected: 'a number of ms ≥ 0' });

/**
 * Most buckets a window's sketch may declare. The class's default is 2048 (values from 1 µs to
 * 10 min need about 1 150 at α = 1%); the cap bounds the memory a pooled sketch can take
 * (8 bytes a bucket), so that a window sent to the decision service cannot make it allocate
 * without limit.
 */
export const MAX_SKETCH_BUCKETS = 65_536;

/**
 * A sketch's fields together (`LatencySketchJson`, latencySketch.ts): at most `maxBuckets`
 * counts; `count` = zeroCount + Σcounts; an empty sketch has sum 0 and no min/max; a non-empty one
 * has 0 ≤ min ≤ max, min = 0 exactly when it holds zeros and max = 0 exactly when it holds only
 * zeros (positive values go to the buckets, zeros to zeroCount); its buckets lie among the indices
 * ⌈ln x / ln γ⌉ of positive finite doubles x, γ = (1 + α)/(1 − α); max lies in the highest non-empty
 * bucket and min in the lowest or below (collapsed), within one bucket of rounding.
 */
const latencySketchConsistent: CrossFieldCheck = (sketch, path, report, failed) => {
  if (failed.size > 0) return;
  const counts = sketch.counts as number[];
  const maxBuckets = sketch.maxBuckets as number;
  const count = sketch.count as number;
  const zeroCount = sketch.zeroCount as number;
  if (counts.length > maxBuckets) {
    report(`${path}.counts`, `must have at most maxBuckets (${maxBuckets}) buckets, got ${counts.length}`);
    return;
  }
  let bucketTotal = 0;
  for (let i = 0; i < counts.length; i++) bucketTotal += counts[i];
  if (count !== zeroCount + bucketTotal) {
    report(`${path}.count`, `must equal zeroCount plus the bucket counts (${zeroCount + bucketTotal}), got ${count}`);
    return;
  }
  const { min, max } = sketch;
  if (count === 0) {
    if (sketch.sum !== 0) report(`${path}.sum`, `must be 0 for an empty sketch (count 0), got ${sketch.sum}`);
    if (min != null) report(`${path}.min`, `must be null for an empty sketch (count 0), got ${min}`);
    if (max != null) report(`${path}.max`, `must be null for an empty sketch (count 0), got ${max}`);
    return;
  }
  if (typeof min !== 'number') return report(`${path}.min`, 'is required when count > 0: the smallest latency');
  if (typeof max !== 'number') return report(`${path}.max`, 'is required when count > 0: the largest latency');
  if (min > max) return report(`${path}.min`, `must be at most max (${max}), got ${min}`);
  if ((min === 0) !== zeroCount > 0) {
    report(`${path}.min`, zeroCount > 0 ? `must be 0 when zeroCount > 0, got ${min}` : 'must be above 0 when zeroCount is 0, got 0');
  }
  if ((max === 0) !== (bucketTotal === 0)) {
    report(
      `${path}.max`,
      bucketTotal === 0 ? `must be 0 when every value is a zero, got ${max}` : 'must be above 0 when buckets hold values, got 0',
    );
  }
  const alpha = sketch.relativeAccuracy as number;
  const logGamma = Math.log((1 + alpha) / (1 - alpha));
  const lowest = Math.ceil(Math.log(Number.MIN_VALUE) / logGamma);
  const highest = Math.ceil(Math.log(Number.MAX_VALUE) / logGamma);
  const offset = sketch.offset as number;
  if (counts.length > 0 && (offset < lowest || offset + counts.length - 1 > highest)) {
    report(
      `${path}.offset`,
      `must place the buckets between ${lowest} and ${highest} (the buckets of positive finite numbers at relativeAccuracy ${alpha}), got buckets ${offset} to ${offset + counts.length - 1}`,
    );
    return;
  }
  if (bucketTotal === 0) return;
  // max lies in the highest non-empty bucket, min in the lowest or below it (collapsed buckets hold
  // lower values): quantiles are clamped to [min, max], so a wrong max would move p99. The bucket
  // of x is computed as LatencySketch.add does; one bucket of slack for another producer's rounding.
  const indexMultiplier = 1 / logGamma;
  const bucketOf = (value: number) => Math.ceil(Math.log(value) * indexMultiplier);
  const range = (index: number) =>
    `${index}, (${Math.exp((index - 1) * logGamma).toPrecision(6)}, ${Math.exp(index * logGamma).toPrecision(6)}] ms`;
  let low = 0;
  while (counts[low] === 0) low++;
  let high = counts.length - 1;
  while (counts[high] === 0) high--;
  if (Math.abs(bucketOf(max) - (offset + high)) > 1) {
    report(`${path}.max`, `must lie in the highest non-empty bucket (${range(offset + high)}), got ${max} (bucket ${bucketOf(max)})`);
  }
  if (min > 0 && bucketOf(min) > offset + low + 1) {
    report(
      `${path}.min`,
      `must lie in the lowest non-empty bucket or below (${range(offset + low)}), got ${min} (bucket ${bucketOf(min)})`,
    );
  }
};

/**
 * A window's latency sketch (`LatencySketchJson`, the DDSketch of latencySketch.ts, as
 * `LatencySketch.toJSON()` writes it). Counts are whole numbers: a sketch of requests.
 */
export const latencySketchField: ObjectSpec = objectField(
  {
    type: constantField('ddsketch', { required: true }),
    version: constantField(1, { required: true }),
    relativeAccuracy: numberField({
      required: true,
      min: 0,
      max: 1,
      exclusiveMin: true,
      exclusiveMax: true,
      expected: 'a number between 0 and 1 (exclusive)',
      description: 'Relative accuracy α of the sketch: bucket i holds (γ^(i−1), γ^i], γ = (1 + α)/(1 − α).',
    }),
    maxBuckets: numberField({
      required: true,
      integer: true,
      min: 2,
      max: MAX_SKETCH_BUCKETS,
      expected: `a whole number between 2 and ${MAX_SKETCH_BUCKETS}`,
      description: 'Most buckets kept before the lowest are collapsed.',
    }),
    count: { ...count, required: true, description: 'Values in the sketch: zeroCount plus the bucket counts.' },
    sum: numberField({ required: true, min: 0, expected: 'a number ≥ 0', description: 'Sum of the values, ms.' }),
    min: numberField({ min: 0, nullable: true, expected: 'a number of ms ≥ 0 or null', description: 'Smallest value (null when empty).' }),
    max: numberField({ min: 0, nullable: true, expected: 'a number of ms ≥ 0 or null', description: 'Largest value (null when empty).' }),
    zeroCount: { ...count, required: true, description: 'Values equal to 0.' },
    offset: numberField({ required: true, integer: true, expected: 'a whole number', description: 'Bucket index of counts[0].' }),
    counts: arrayField(count, {
      required: true,
      expected: 'an array of bucket counts',
      description: 'Counts of consecutive buckets from offset.',
    }),
  },
  {
    expected:
      'a latency sketch { type: "ddsketch", version: 1, relativeAccuracy, maxBuckets, count, sum, min, max, zeroCount, offset, counts }',
    check: latencySketchConsistent,
  },
);

/**
 * A unit's sums: squares at least (sum)²/count (Cauchy–Schwarz; a store that mixed up its sums
 * fails here, not in the test), nothing but zeros over zero units.
 */
const valueSumsConsistent: CrossFieldCheck = (sums, path, report, failed) => {
  if (failed.size > 0) return;
  const count = sums.count as number;
  if (count === 0) {
    for (const key of ['sumX', 'sumY', 'sumXSquares', 'sumYSquares', 'sumXY']) {
      if (sums[key] !== 0) report(`${path}.${key}`, `must be 0 when count is 0, got ${sums[key]}`);
    }
    return;
  }
  for (const [squares, sum] of [
    ['sumXSquares', 'sumX'],
    ['sumYSquares', 'sumY'],
  ] as const) {
    const floor = ((sums[sum] as number) * (sums[sum] as number)) / count;
    const value = sums[squares] as number;
    // The same rounding allowance as bivariateMomentsFromSums.
    if (value < floor - 8 * Number.EPSILON * Math.abs(floor)) {
      report(`${path}.${squares}`, `must be at least ${sum}²/count (${floor}), got ${value}`);
    }
  }
};

const finiteSum = numberField({ required: true, expected: 'a finite number' });

/** The sums of one metric over one window's units. */
const valueSums = objectField(
  {
    count: { ...count, required: true, description: 'Randomisation units (users active in the window).' },
    sumX: { ...finiteSum, description: 'Σx over the units.' },
    sumY: { ...finiteSum, description: 'Σy over the units.' },
    sumXSquares: { ...finiteSum, min: 0, expected: 'a finite number ≥ 0', description: 'Σx² over the units.' },
    sumYSquares: { ...finiteSum, min: 0, expected: 'a finite number ≥ 0', description: 'Σy² over the units.' },
    sumXY: { ...finiteSum, description: 'Σxy over the units.' },
  },
  { expected: 'an object { count, sumX, sumY, sumXSquares, sumYSquares, sumXY }', check: valueSumsConsistent },
);

/** Each part no larger than its whole (errors ≤ requests, …), and paired counts given together. */
const armCounts: CrossFieldCheck = (arm, path, report, failed) => {
  const bounded = (part: string, whole: string) => {
    if (failed.has(part) || failed.has(whole) || typeof arm[part] !== 'number' || typeof arm[whole] !== 'number') return;
    if ((arm[part] as number) > (arm[whole] as number))
      report(`${path}.${part}`, `must be at most ${whole} (${arm[whole]}), got ${arm[part]}`);
  };
  bounded('errors', 'requests');
  bounded('timeouts', 'requests');
  bounded('successes', 'outcomes');
  if ((arm.successes === undefined) !== (arm.outcomes === undefined)) {
    report(`${path}.${arm.successes === undefined ? 'successes' : 'outcomes'}`, 'is required when successes/outcomes is given');
  }
  bounded('agreements', 'compared');
  if ((arm.agreements === undefined) !== (arm.compared === undefined)) {
    report(`${path}.${arm.agreements === undefined ? 'agreements' : 'compared'}`, 'is required when agreements/compared is given');
  }
  if (arm.valuesSince !== undefined && !failed.has('valuesSince') && arm.values === undefined) {
    report(`${path}.valuesSince`, 'is given only with values (it says since when the values are cumulative)');
  }
};

const armFields = {
  requests: { ...count, required: true },
  errors: { ...count, required: true },
  timeouts: { ...count, required: true },
  latency: objectField(
    {
      p50: { ...milliseconds, required: true },
      p95: { ...milliseconds, required: true },
      p99: { ...milliseconds, required: true },
      mean: milliseconds,
      sketch: latencySketchField,
    },
    { expected: 'an object { p50, p95, p99 } in ms' },
  ),
  successes: count,
  outcomes: count,
  agreements: count,
  compared: count,
  inputs: mapField(
    arrayField(count, {
      minItems: 1,
      tooFew: 'must be a non-empty array of bin counts, got []',
      expected: 'a non-empty array of bin counts',
    }),
    {
      expected: 'an object of input feature → bin counts',
    },
  ),
  values: mapField(valueSums, { expected: 'an object of metric name → { count, sumX, sumY, sumXSquares, sumYSquares, sumXY }' }),
  valuesSince: numberField({
    expected: 'a number of seconds',
    description:
      'When present, values are cumulative per user since this time (seconds) and replace the stage totals; absent: per window, added.',
  }),
};

/** A segment's counts: an arm without a further breakdown. */
const segmentArm = objectField(armFields, { expected: 'an object with requests, errors, timeouts', check: armCounts });

const arm = objectField(
  { ...armFields, segments: mapField(segmentArm, { expected: 'an object of segment name → counts' }) },
  { nullable: true, expected: 'an object with requests, errors, timeouts', check: armCounts },
);

/** The field table of a check window (the public edge for windows, e.g. each line of `rollout-lab decide`). */
export const windowFields: ObjectSpec = objectField({
  startTime: numberField({ required: true, expected: 'a number of seconds' }),
  duration: numberField({ required: true, min: 0, exclusiveMin: true, expected: 'a number of seconds > 0' }),
  control: arm,
  candidate: arm,
});

/**
 * Checks a loose JSON value as a `WindowMetrics` (the public edge for windows, e.g. each line
 * of `rollout-lab decide`) against the field table `windowFields`: counts are whole numbers ≥ 0
 * with errors, timeouts ≤ requests, successes ≤ outcomes, agreements ≤ compared (each pair given
 * together); latency percentiles are numbers ≥ 0, and a latency `sketch`, when given, is a
 * consistent `LatencySketchJson` (`latencySketchField`); `startTime` finite, `duration` > 0; an arm
 * may be null (no data); segments nest one level; metric `values` are sums with a whole count
 * ≥ 0, finite sums, Σx² ≥ (Σx)²/n and Σy² ≥ (Σy)²/n, all zero over zero units; `valuesSince`
 * a finite number of seconds, only with `values`; unknown fields are rejected.
 * Lists every problem by path (`(root)` for the window itself). Cost O(size of the window).
 */
export function parseWindowMetrics(json: unknown): ParseWindowResult {
  const errors = validateDocument(json, windowFields).map(({ path, message }) => ({ path: path || '(root)', message }));
  if (errors.length > 0) return { ok: false, errors };
  const window = JSON.parse(JSON.stringify(json)) as WindowMetrics & { control?: ArmWindow | null; candidate?: ArmWindow | null };
  if (window.control === null) delete window.control;
  if (window.candidate === null) delete window.candidate;
  return { ok: true, window };
}

/** Sums of no units. */
export function emptyValueSums(): BivariateSums {
  return { count: 0, sumX: 0, sumY: 0, sumXSquares: 0, sumYSquares: 0, sumXY: 0 };
}

/** Adds `sums` into `total` in place (units of different windows are independent units: C3). O(1). */
export function addValueSums(total: BivariateSums, sums: BivariateSums): void {
  total.count += sums.count;
  total.sumX += sums.sumX;
  total.sumY += sums.sumY;
  total.sumXSquares += sums.sumXSquares;
  total.sumYSquares += sums.sumYSquares;
  total.sumXY += sums.sumXY;
}

function mergeArms(arms: ArmWindow[]): ArmWindow | undefined {
  if (arms.length === 0) return undefined;
  const merged: ArmWindow = { requests: 0, errors: 0, timeouts: 0 };
  let latencyWeight = 0;
  let p50 = 0;
  let p95 = 0;
  let p99 = 0;
  // The pooled sketch while every latency window so far carried one with the same settings.
  let pooled: LatencySketchJson | undefined;
  let poolable = true;
  const segmentLists: Record<string, ArmWindow[]> = {};
  for (const arm of arms) {
    merged.requests += arm.requests;
    merged.errors += arm.errors;
    merged.timeouts += arm.timeouts;
    if (arm.successes !== undefined && arm.outcomes !== undefined) {
      merged.successes = (merged.successes ?? 0) + arm.successes;
      merged.outcomes = (merged.outcomes ?? 0) + arm.outcomes;
    }
    if (arm.agreements !== undefined && arm.compared !== undefined) {
      merged.agreements = (merged.agreements ?? 0) + arm.agreements;
      merged.compared = (merged.compared ?? 0) + arm.compared;
    }
    if (arm.latency !== undefined && arm.requests > 0) {
      latencyWeight += arm.requests;
      p50 += arm.requests * arm.latency.p50;
      p95 += arm.requests * arm.latency.p95;
      p99 += arm.requests * arm.latency.p99;
      const sketch = arm.latency.sketch;
      if (poolable && sketch !== undefined && (pooled === undefined || sameSketchSettings(pooled, sketch))) {
        pooled = mergeSketchJson(pooled, sketch);
      } else if (poolable) {
        poolable = false;
        pooled = undefined;
      }
    }
    if (arm.segments) {
      for (const [name, segment] of Object.entries(arm.segments)) (segmentLists[name] ??= []).push(segment);
    }
    if (arm.inputs) {
      merged.inputs ??= {};
      for (const [name, counts] of Object.entries(arm.inputs)) {
        const sum = (merged.inputs[name] ??= new Array<number>(counts.length).fill(0));
        for (let i = 0; i < counts.length; i++) sum[i] = (sum[i] ?? 0) + counts[i];
      }
    }
    if (arm.values) {
      merged.values ??= {};
      if (arm.valuesSince !== undefined) {
        // Cumulative: this later window's values already hold the earlier ones' users (they replace).
        for (const [name, sums] of Object.entries(arm.values)) merged.values[name] = { ...sums };
        merged.valuesSince = arm.valuesSince;
      } else {
        for (const [name, sums] of Object.entries(arm.values)) addValueSums((merged.values[name] ??= emptyValueSums()), sums);
      }
    }
  }
  if (pooled !== undefined && pooled.count > 0) {
    merged.latency = {
      p50: sketchJsonQuantile(pooled, 0.5),
      p95: sketchJsonQuantile(pooled, 0.95),
      p99: sketchJsonQuantile(pooled, 0.99),
      sketch: pooled,
    };
  } else if (latencyWeight > 0) {
    merged.latency = { p50: p50 / latencyWeight, p95: p95 / latencyWeight, p99: p99 / latencyWeight };
  }
  const names = Object.keys(segmentLists);
  if (names.length > 0) {
    merged.segments = {};
    for (const name of names) merged.segments[name] = mergeArms(segmentLists[name]) as ArmWindow;
  }
  return merged;
}

/**
 * Several consecutive windows as one (given in time order): counts summed per arm (and per
 * segment, input bin counts bin by bin, and each metric's additive value sums; cumulative values
 * — `valuesSince` — of a later window replace the earlier ones', since they contain them), and
 * latency pooled as the engine's totals pool it (armTotals.ts): when every window of an arm that
 * has latency (and requests) carries a sketch with the same settings, the merged latency carries
 * the merged sketch (`mergeSketchJson`, exact) and its p50/p95/p99 are that sketch's quantiles;
 * otherwise they are the request-weighted mean of the windows' percentiles (an approximation), and
 * no sketch. Spans from the earliest start to the latest end. An arm missing from some windows
 * contributes nothing for them. The windows are not changed. Cost O(windows × (segments + sketch buckets)).
 */
export function mergeWindowMetrics(windows: readonly WindowMetrics[]): WindowMetrics {
  if (windows.length === 0) throw new RangeError('windows must contain at least one window');
  if (windows.length === 1) return windows[0];
  let start = Infinity;
  let end = -Infinity;
  const controls: ArmWindow[] = [];
  const candidates: ArmWindow[] = [];
  for (const window of windows) {
    start = Math.min(start, window.startTime);
    end = Math.max(end, window.startTime + window.duration);
    if (window.control) controls.push(window.control);
    if (window.candidate) candidates.push(window.candidate);
  }
  const merged: WindowMetrics = { startTime: start, duration: end - start };
  const control = mergeArms(controls);
  const candidate = mergeArms(candidates);
  if (control) merged.control = control;
  if (candidate) merged.candidate = candidate;
  return merged;
}
