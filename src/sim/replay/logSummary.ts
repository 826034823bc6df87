/**
 * What a parsed request log says about the service: per model (or version) and per segment,
 * the request count, error rate with its Wilson interval, latency quantiles (exact, R type 7)
 * and a DDSketch of the latencies; the arrival rate by hour of day (the daily pattern); the
 * time span.
 *
 * Grouping is done here in one pass over the dictionary codes that `parseLog` produces rather
 * than with Arquero's `groupby().rollup()`: the codes already are the groups, the latencies are
 * already a Float64Array, and the quantiles and intervals must be the project's own
 * (`quantile.ts`, `wilson.ts`) to match DESIGN.md §3 — Arquero would add a copy of every row
 * into a table for no gain.
 */

import { LatencySketch } from '../../engine/stats/latencySketch.ts';
import { quantileSorted } from '../../engine/stats/quantile.ts';
import type { Interval } from '../../engine/stats/wilson.ts';
import { wilsonInterval } from '../../engine/stats/wilson.ts';
import type { DictionaryColumn, ParsedLog } from './parseLog.ts';

/** Latency statistics of a group, in ms. */
export interface LatencyStatistics {
  /** Rows with a latency. */
  count: number;
  mean: number;
  min: number;
  max: number;
  /** Quantiles by linear interpolation (R type 7), keyed by probability, e.g. `0.95`. */
  quantiles: { probability: number; value: number }[];
}

/** Summary of one group of requests (the whole log, one model, or one segment). */
export interface GroupSummary {
  /** The model/segment value ('' when the log left it blank); `all` for the whole log. */
  key: string;
  requests: number;
  errors: number;
  errorRate: number;
  /** Wilson score interval of the error rate at confidence 1 − alpha. */
  errorRateInterval: Interval;
  /** Null when no row of the group has a latency. */
  latency: LatencyStatistics | null;
  /** DDSketch of the group's latencies (mergeable; relative accuracy as configured). */
  sketch: LatencySketch;
}

/** Arrivals in one hour of the day (UTC). */
export interface HourlyArrivals {
  /** 0–23, UTC. */
  hour: number;
  requests: number;
  /** Seconds of this hour of the day inside the log's time span (summed over days). */
  coveredSeconds: number;
  /** requests / coveredSeconds; null when the span does not cover this hour. */
  requestsPerSecond: number | null;
}

/** Summary of a parsed log. */
export interface LogSummary {
  overall: GroupSummary;
  /** One entry per model value, most requests first; empty when no model column is mapped. */
  byModel: GroupSummary[];
  /** One entry per segment value, most requests first; empty when no segment column is mapped. */
  bySegment: GroupSummary[];
  /** Null for a log with no accepted rows. */
  timeSpan: { start: string; end: string; durationSeconds: number } | null;
  /** Average request rate over the span; null when the span is zero. */
  requestsPerSecond: number | null;
  /** The daily pattern: 24 entries. */
  arrivalsByHour: HourlyArrivals[];
  /** Distinct users, when a user column is mapped (blank counts as one value). */
  users: number | null;
}

/** Options of `summarizeLog`. */
export interface SummarizeLogOptions {
  /** 1 − confidence of the error-rate intervals; default 0.05. */
  alpha?: number;
  /** Latency quantiles to report; default [0.5, 0.9, 0.95, 0.99]. */
  probabilities?: number[];
  /** Relative accuracy of the latency sketches; default 0.01. */
  relativeAccuracy?: number;
}

const HOUR = 3_600_000;

/** Summaries of the rows selected by `rows` (indices into the log). */
function summarizeGroup(
  key: string,
  log: ParsedLog,
  rows: Uint32Array | null,
  alpha: number,
  probabilities: number[],
  relativeAccuracy: number,
): GroupSummary {
  const count = rows === null ? log.rows : rows.length;
  const latencies = new Float64Array(count);
  const sketch = new LatencySketch({ relativeAccuracy });
  let errors = 0;
  let withLatency = 0;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const row = rows === null ? i : rows[i];
    errors += log.errors[row];
    const latency = log.latencies[row];
    if (!Number.isNaN(latency)) {
      latencies[withLatency++] = latency;
      sum += latency;
      sketch.add(latency);
    }
  }
  let latency: LatencyStatistics | null = null;
  if (withLatency > 0) {
    const sorted = latencies.subarray(0, withLatency).sort();
    latency = {
      count: withLatency,
      mean: sum / withLatency,
      min: sorted[0],
      max: sorted[withLatency - 1],
      quantiles: probabilities.map((probability) => ({ probability, value: quantileSorted(sorted, probability) })),
    };
  }
  return {
    key,
    requests: count,
    errors,
    errorRate: count > 0 ? errors / count : 0,
    errorRateInterval: count > 0 ? wilsonInterval({ successes: errors, total: count }, alpha) : { lower: 0, upper: 1 },
    latency,
    sketch,
  };
}

/** Row indices of each dictionary code, via a counting sort: O(rows + values). */
export function rowsByCode(column: DictionaryColumn): Uint32Array[] {
  const counts = new Uint32Array(column.values.length);
  for (let i = 0; i < column.codes.length; i++) counts[column.codes[i]]++;
  const groups = Array.from(counts, (n) => new Uint32Array(n));
  const filled = new Uint32Array(column.values.length);
  for (let i = 0; i < column.codes.length; i++) {
    const code = column.codes[i];
    groups[code][filled[code]++] = i;
  }
  return groups;
}

function byColumn(
  log: ParsedLog,
  column: DictionaryColumn | undefined,
  alpha: number,
  probabilities: number[],
  relativeAccuracy: number,
): GroupSummary[] {
  if (column === undefined) return [];
  return rowsByCode(column)
    .map((rows, code) => summarizeGroup(column.values[code], log, rows, alpha, probabilities, relativeAccuracy))
    .filter((group) => group.requests > 0)
    .sort((a, b) => b.requests - a.requests || (a.key < b.key ? -1 : 1));
}

/**
 * Seconds of each UTC hour of the day inside [start, end] (epoch ms), summed over the days of
 * the span: the exposure that turns hourly counts into rates. O(hours in the span).
 */
export function hourOfDayCoverage(start: number, end: number): Float64Array {
  const covered = new Float64Array(24);
  for (let hourStart = Math.floor(start / HOUR) * HOUR; hourStart < end; hourStart += HOUR) {
    const overlap = Math.min(end, hourStart + HOUR) - Math.max(start, hourStart);
    const hour = (((hourStart / HOUR) % 24) + 24) % 24;
    if (overlap > 0) covered[hour] += overlap / 1000;
  }
  return covered;
}

/**
 * Summarises a parsed log (see the module comment). Error-rate intervals are Wilson score
 * intervals (as statsmodels `proportion_confint(method='wilson')`); latency quantiles are
 * R type 7 over the rows that have a latency; arrival rates by hour are requests in that UTC
 * hour of the day divided by the seconds of that hour covered by [first, last timestamp].
 * Cost O(n log n) for the quantile sorts.
 */
export function summarizeLog(log: ParsedLog, options: SummarizeLogOptions = {}): LogSummary {
  const { alpha = 0.05, probabilities = [0.5, 0.9, 0.95, 0.99], relativeAccuracy = 0.01 } = options;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, got ${alpha}`);
  probabilities.forEach((q, i) => {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`probabilities[${i}] must be between 0 and 1, got ${q}`);
  });
  let start = Infinity;
  let end = -Infinity;
  const hourly = new Float64Array(24);
  for (let i = 0; i < log.rows; i++) {
    const time = log.timestamps[i];
    if (time < start) start = time;
    if (time > end) end = time;
    hourly[((Math.floor(time / HOUR) % 24) + 24) % 24]++;
  }
  const hasRows = log.rows > 0;
  const coverage = hasRows ? hourOfDayCoverage(start, end) : new Float64Array(24);
  const durationSeconds = hasRows ? (end - start) / 1000 : 0;
  return {
    overall: summarizeGroup('all', log, null, alpha, probabilities, relativeAccuracy),
    byModel: byColumn(log, log.model, alpha, probabilities, relativeAccuracy),
    bySegment: byColumn(log, log.segment, alpha, probabilities, relativeAccuracy),
    timeSpan: hasRows ? { start: new Date(start).toISOString(), end: new Date(end).toISOString(), durationSeconds } : null,
    requestsPerSecond: durationSeconds > 0 ? log.rows / durationSeconds : null,
    arrivalsByHour: Array.from(hourly, (requests, hour) => ({
      hour,
      requests,
      coveredSeconds: coverage[hour],
      requestsPerSecond: coverage[hour] > 0 ? requests / coverage[hour] : null,
    })),
    users: log.user === undefined ? null : log.user.values.length,
  };
}
