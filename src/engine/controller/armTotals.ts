/**
 * Running totals of one arm over several windows (a historical baseline, or a stage so far):
 * a small mergeable reducer (init / add / value), plain JSON.
 *
 * Latency percentiles of several windows — the historical baseline's reference above all — are
 * POOLED: when every window that contributed latency (a window with `latency` and requests > 0)
 * carried a `latency.sketch`, the totals keep the merged sketch (`latencySketch`, merged exactly
 * by `mergeSketchJson`: the sketch of the union of the windows' latencies) and a percentile of the
 * totals is that sketch's quantile (`sketchJsonQuantile`). This is what the exported policies
 * compute: the Argo Rollouts and Flagger analyses read a historical reference as
 * `histogram_quantile(q, sum by (le) (rate(latency_bucket[24h])))` (`armQuery` in
 * src/engine/export/promQueries.ts, over the baseline stage's length as `referenceRange` in
 * `exportArgoRollouts`, argoRollouts.ts, and `exportFlagger`, flagger.ts) — the percentile of the
 * pooled histogram, not a mean of percentiles. (The buckets differ: the sketch reads a value within
 * its relative accuracy α, `histogram_quantile` interpolates linearly inside the user's `le` buckets.)
 *
 * Otherwise — some latency window came without a sketch (producers that send only percentiles),
 * a sketch had other settings (relativeAccuracy, maxBuckets) than the ones pooled before it, or
 * the pooled sketch is empty — a percentile of the totals is the request-weighted MEAN of the
 * windows' reported percentiles (`p50Sum / latencyRequests`, …). That is an approximation (a
 * percentile of a union is not the mean of percentiles): exact when the windows share one
 * distribution, good when they are similar, and it can differ from the exported policy's pooled
 * reference when the windows differ (a daily cycle, a slow hour). States saved before sketches
 * were pooled have neither `latencySketch` nor `sketchedLatencyRequests`: they read as "no
 * sketches" and keep the mean.
 */
import type { ArmWindow } from '../metrics/windowMetrics.ts';
import { addValueSums, emptyValueSums } from '../metrics/windowMetrics.ts';
import type { HealthMetric } from '../policy/policy.ts';
import type { BivariateSums } from '../stats/bivariateMoments.ts';
import type { LatencySketchJson } from '../stats/latencySketch.ts';
import { copySketchJson, mergeSketchJson, sameSketchSettings, sketchJsonQuantile } from '../stats/latencySketch.ts';

/** Sums over windows for one arm. */
export interface ArmTotals {
  requests: number;
  errors: number;
  timeouts: number;
  successes: number;
  outcomes: number;
  agreements: number;
  compared: number;
  /** Requests of the windows that reported latency (the weights of the sums below). */
  latencyRequests: number;
  p50Sum: number;
  p95Sum: number;
  p99Sum: number;
  /**
   * Per named metric, the stage's value sums (`ArmWindow.values`): additive windows' sums added up
   * (units of different windows count as different units), or the latest cumulative window's sums
   * (`valuesSince`: per-user totals since then, which contain the earlier windows'). Absent until
   * a window carries values; `clearArmTotals` drops it (a new object is made on the next add, so a
   * shallow copy of the totals keeps its own).
   */
  values?: Record<string, BivariateSums>;
  /** The `valuesSince` of the latest cumulative window added (absent while values are additive). */
  valuesSince?: number;
  /**
   * The pooled sketch of the latency windows' `latency.sketch` (merged in place: owned by these
   * totals, never shared with a window). Absent until a latency window carries a sketch; the
   * percentiles read it only when `sketchedLatencyRequests === latencyRequests` (module comment).
   * `clearArmTotals` drops it (the next add makes a new one, so a shallow copy keeps its own).
   */
  latencySketch?: LatencySketchJson;
  /**
   * Requests of the latency windows whose sketch was pooled into `latencySketch` (absent: 0). Equal
   * to `latencyRequests` exactly when every latency window carried a poolable sketch.
   */
  sketchedLatencyRequests?: number;
}

/** Empty totals. */
export function emptyArmTotals(): ArmTotals {
  return {
    requests: 0,
    errors: 0,
    timeouts: 0,
    successes: 0,
    outcomes: 0,
    agreements: 0,
    compared: 0,
    latencyRequests: 0,
    p50Sum: 0,
    p95Sum: 0,
    p99Sum: 0,
  };
}

/** Resets `totals` to empty in place (no allocation). */
export function clearArmTotals(totals: ArmTotals): void {
  totals.requests = totals.errors = totals.timeouts = 0;
  totals.successes = totals.outcomes = totals.agreements = totals.compared = 0;
  totals.latencyRequests = totals.p50Sum = totals.p95Sum = totals.p99Sum = 0;
  if (totals.values !== undefined) totals.values = undefined;
  if (totals.valuesSince !== undefined) totals.valuesSince = undefined;
  if (totals.latencySketch !== undefined) totals.latencySketch = undefined;
  if (totals.sketchedLatencyRequests !== undefined) totals.sketchedLatencyRequests = undefined;
}

/**
 * Adds one window of one arm to `totals`, in place: counts add; metric values add when they are
 * per window, and REPLACE the totals' when cumulative (`ArmWindow.valuesSince`: each user's totals
 * since then, so the unit is the user over the stage — the caller refuses cumulative values that
 * start after the stage or go backwards first, `cumulativeValuesProblem` in abMetrics.ts).
 * A latency window's `latency.sketch` is merged into the pooled `latencySketch` (module comment).
 * Cost O(1) (plus O(metrics) when the window carries values, O(sketch buckets) with a sketch).
 */
export function addArmWindow(totals: ArmTotals, arm: ArmWindow): void {
  totals.requests += arm.requests;
  totals.errors += arm.errors;
  totals.timeouts += arm.timeouts;
  if (arm.successes !== undefined && arm.outcomes !== undefined) {
    totals.successes += arm.successes;
    totals.outcomes += arm.outcomes;
  }
  if (arm.agreements !== undefined && arm.compared !== undefined) {
    totals.agreements += arm.agreements;
    totals.compared += arm.compared;
  }
  const latency = arm.latency;
  if (latency !== undefined && arm.requests > 0) {
    totals.latencyRequests += arm.requests;
    totals.p50Sum += arm.requests * latency.p50;
    totals.p95Sum += arm.requests * latency.p95;
    totals.p99Sum += arm.requests * latency.p99;
    if (latency.sketch !== undefined) poolSketch(totals, latency.sketch, arm.requests);
  }
  if (arm.values !== undefined) {
    const values = (totals.values ??= {});
    if (arm.valuesSince !== undefined) {
      for (const name in arm.values) values[name] = { ...arm.values[name] };
      totals.valuesSince = arm.valuesSince;
    } else {
      for (const name in arm.values) addValueSums((values[name] ??= emptyValueSums()), arm.values[name]);
    }
  }
}

/**
 * Pools one latency window's sketch into `totals` (the window's requests are already in
 * `latencyRequests`). A sketch whose settings differ from the pooled one's cannot be merged: it is
 * left out and so is its window's weight, which makes the totals read the mean (module comment).
 * Once the totals are partial (an earlier latency window had no poolable sketch) nothing more is
 * merged: they read the mean until cleared.
 */
function poolSketch(totals: ArmTotals, sketch: LatencySketchJson, requests: number): void {
  if ((totals.sketchedLatencyRequests ?? 0) !== totals.latencyRequests - requests) return;
  const pooled = totals.latencySketch;
  if (pooled !== undefined && !sameSketchSettings(pooled, sketch)) return;
  totals.latencySketch = mergeSketchJson(pooled, sketch);
  totals.sketchedLatencyRequests = (totals.sketchedLatencyRequests ?? 0) + requests;
}

/**
 * Copies `source` into `target`, in place. The pooled sketch is copied (its own counts array, as
 * `addArmWindow` merges into it in place), so adding windows to either totals later never changes
 * the other's sketch. (`values` is still shared by reference, as before.) O(1) without a sketch,
 * O(buckets) with one.
 */
export function copyArmTotals(target: ArmTotals, source: ArmTotals): void {
  Object.assign(target, source);
  if (source.latencySketch !== undefined) target.latencySketch = copySketchJson(source.latencySketch);
  else if (target.latencySketch !== undefined) target.latencySketch = undefined;
  if (source.sketchedLatencyRequests === undefined && target.sketchedLatencyRequests !== undefined)
    target.sketchedLatencyRequests = undefined;
}

/**
 * A latency percentile of the totals: the pooled sketch's q-quantile when every latency window
 * carried a poolable sketch and the pooled sketch is not empty, else `sum / latencyRequests` (the
 * request-weighted mean); NaN without latency. Without sketches this is one comparison more than
 * the mean alone (`sketchedLatencyRequests` is absent). O(buckets) when pooled.
 */
function latencyPercentile(totals: ArmTotals, q: number, sum: number): number {
  if (!(totals.latencyRequests > 0)) return NaN;
  if (totals.sketchedLatencyRequests === totals.latencyRequests) {
    const sketch = totals.latencySketch;
    if (sketch !== undefined && sketch.count > 0) return sketchJsonQuantile(sketch, q);
  }
  return sum / totals.latencyRequests;
}

/**
 * A health metric of the totals: errors/requests, timeouts/requests, or a latency percentile —
 * the pooled sketch's quantile when every latency window carried a sketch, else the
 * request-weighted mean of the windows' percentiles (module comment); NaN when there is no data
 * for it (the caller treats NaN as missing data). O(1) without sketches, O(buckets) with.
 */
export function totalsMetric(totals: ArmTotals, metric: HealthMetric): number {
  switch (metric) {
    case 'errorRate':
      return totals.requests > 0 ? totals.errors / totals.requests : NaN;
    case 'timeoutRate':
      return totals.requests > 0 ? totals.timeouts / totals.requests : NaN;
    case 'latencyP50':
      return latencyPercentile(totals, 0.5, totals.p50Sum);
    case 'latencyP95':
      return latencyPercentile(totals, 0.95, totals.p95Sum);
    case 'latencyP99':
      return latencyPercentile(totals, 0.99, totals.p99Sum);
  }
}

/** A health metric of one window's arm; NaN when missing. */
export function armMetric(arm: ArmWindow, metric: HealthMetric): number {
  switch (metric) {
    case 'errorRate':
      return arm.requests > 0 ? arm.errors / arm.requests : NaN;
    case 'timeoutRate':
      return arm.requests > 0 ? arm.timeouts / arm.requests : NaN;
    case 'latencyP50':
      return arm.latency !== undefined && arm.requests > 0 ? arm.latency.p50 : NaN;
    case 'latencyP95':
      return arm.latency !== undefined && arm.requests > 0 ? arm.latency.p95 : NaN;
    case 'latencyP99':
      return arm.latency !== undefined && arm.requests > 0 ? arm.latency.p99 : NaN;
  }
}
