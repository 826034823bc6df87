/**
 * Running totals of one arm over several windows (a historical baseline, or a stage so far):
 * a small mergeable reducer (init / add / value), plain JSON.
 *
 * Latency percentiles of several windows are pooled as the request-weighted mean of the
 * windows' percentiles. That is an approximation (a percentile of a union is not the mean of
 * percentiles), exact when the windows share one distribution and good when they are similar;
 * producers that send `latency.sketch` can pool exactly with `LatencySketch.merge` instead.
 */
import type { ArmWindow } from '../metrics/windowMetrics.ts';
import { addValueSums, emptyValueSums } from '../metrics/windowMetrics.ts';
import type { HealthMetric } from '../policy/policy.ts';
import type { BivariateSums } from '../stats/bivariateMoments.ts';

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
}

/**
 * Adds one window of one arm to `totals`, in place: counts add; metric values add when they are
 * per window, and REPLACE the totals' when cumulative (`ArmWindow.valuesSince`: each user's totals
 * since then, so the unit is the user over the stage — the caller refuses cumulative values that
 * start after the stage or go backwards first, `cumulativeValuesProblem` in abMetrics.ts).
 * Cost O(1) (plus O(metrics) when the window carries values).
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

/** Copies `source` into `target`, in place. */
export function copyArmTotals(target: ArmTotals, source: ArmTotals): void {
  Object.assign(target, source);
}

/**
 * A health metric of the totals: errors/requests, timeouts/requests, or the request-weighted
 * mean percentile; NaN when there is no data for it (the caller treats NaN as missing data).
 */
export function totalsMetric(totals: ArmTotals, metric: HealthMetric): number {
  switch (metric) {
    case 'errorRate':
      return totals.requests > 0 ? totals.errors / totals.requests : NaN;
    case 'timeoutRate':
      return totals.requests > 0 ? totals.timeouts / totals.requests : NaN;
    case 'latencyP50':
      return totals.latencyRequests > 0 ? totals.p50Sum / totals.latencyRequests : NaN;
    case 'latencyP95':
      return totals.latencyRequests > 0 ? totals.p95Sum / totals.latencyRequests : NaN;
    case 'latencyP99':
      return totals.latencyRequests > 0 ? totals.p99Sum / totals.latencyRequests : NaN;
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
