/**
 * What the engine is fed: one check window of metrics per arm (DESIGN.md §2).
 *
 * Everything here is plain JSON-serialisable data, so that a production controller can pipe
 * its monitoring data into `rollout-lab decide` as JSON lines, workers can pass windows across
 * a `postMessage`, and the simulator's two fidelity modes produce the same shape.
 * Times are seconds (since the rollout started, or since the epoch in production).
 */

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
   * producer has one; lets the engine pool several windows (a historical baseline) exactly
   * instead of averaging percentiles.
   */
  sketch?: unknown;
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
