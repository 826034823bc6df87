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
  /**
   * Input-distribution summary: per input feature, the count of this window's requests in each
   * fixed bin (for a numeric feature, the reference deciles (−∞, e₁], (e₁, e₂], …, (e₉, +∞); for a
   * categorical one, one bin per category in a fixed order). The bins are fixed by the producer,
   * so windows' counts add up and compare with a reference by `binnedPsi` (analysis/drift.ts).
   */
  inputs?: Record<string, number[]>;
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

const armFields = ['requests', 'errors', 'timeouts', 'latency', 'successes', 'outcomes', 'agreements', 'compared', 'segments', 'inputs'];
const latencyFields = ['p50', 'p95', 'p99', 'mean', 'sketch'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkCount(arm: Record<string, unknown>, key: string, path: string, errors: WindowError[]): number | undefined {
  const value = arm[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    errors.push({ path: `${path}.${key}`, message: `must be a whole number ≥ 0, got ${JSON.stringify(value)}` });
    return undefined;
  }
  return value;
}

function checkArm(value: unknown, path: string, errors: WindowError[], depth: number): void {
  if (!isRecord(value)) {
    errors.push({ path, message: `must be an object with requests, errors, timeouts, got ${JSON.stringify(value)}` });
    return;
  }
  for (const key of Object.keys(value)) {
    if (!armFields.includes(key)) errors.push({ path: `${path}.${key}`, message: `unknown field '${key}'` });
  }
  for (const key of ['requests', 'errors', 'timeouts']) {
    if (value[key] === undefined) errors.push({ path: `${path}.${key}`, message: 'is required' });
  }
  const requests = checkCount(value, 'requests', path, errors);
  const bounded = (part: string, whole: string, wholeValue: number | undefined) => {
    const partValue = checkCount(value, part, path, errors);
    if (partValue !== undefined && wholeValue !== undefined && partValue > wholeValue) {
      errors.push({ path: `${path}.${part}`, message: `must be at most ${whole} (${wholeValue}), got ${partValue}` });
    }
  };
  bounded('errors', 'requests', requests);
  bounded('timeouts', 'requests', requests);
  const outcomes = checkCount(value, 'outcomes', path, errors);
  bounded('successes', 'outcomes', outcomes);
  if ((value.successes === undefined) !== (value.outcomes === undefined)) {
    errors.push({ path: `${path}.${value.successes === undefined ? 'successes' : 'outcomes'}`, message: 'is required when successes/outcomes is given' });
  }
  const compared = checkCount(value, 'compared', path, errors);
  bounded('agreements', 'compared', compared);
  if ((value.agreements === undefined) !== (value.compared === undefined)) {
    errors.push({ path: `${path}.${value.agreements === undefined ? 'agreements' : 'compared'}`, message: 'is required when agreements/compared is given' });
  }
  if (value.latency !== undefined) {
    const latency = value.latency;
    const lpath = `${path}.latency`;
    if (!isRecord(latency)) {
      errors.push({ path: lpath, message: `must be an object { p50, p95, p99 } in ms, got ${JSON.stringify(latency)}` });
    } else {
      for (const key of Object.keys(latency)) {
        if (!latencyFields.includes(key)) errors.push({ path: `${lpath}.${key}`, message: `unknown field '${key}'` });
      }
      for (const key of ['p50', 'p95', 'p99', 'mean']) {
        const v = latency[key];
        if (v === undefined && key === 'mean') continue;
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
          errors.push({ path: `${lpath}.${key}`, message: v === undefined ? 'is required' : `must be a number of ms ≥ 0, got ${JSON.stringify(v)}` });
        }
      }
    }
  }
  if (value.inputs !== undefined) {
    if (!isRecord(value.inputs)) {
      errors.push({ path: `${path}.inputs`, message: `must be an object of input feature → bin counts, got ${JSON.stringify(value.inputs)}` });
    } else {
      for (const [name, counts] of Object.entries(value.inputs)) {
        if (!Array.isArray(counts) || counts.length === 0) {
          errors.push({ path: `${path}.inputs.${name}`, message: `must be a non-empty array of bin counts, got ${JSON.stringify(counts)}` });
          continue;
        }
        counts.forEach((count, i) => {
          if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
            errors.push({ path: `${path}.inputs.${name}.${i}`, message: `must be a whole number ≥ 0, got ${JSON.stringify(count)}` });
          }
        });
      }
    }
  }
  if (value.segments !== undefined) {
    if (!isRecord(value.segments) || depth > 0) {
      errors.push({ path: `${path}.segments`, message: 'must be an object of segment name → counts (one level)' });
    } else {
      for (const [name, segment] of Object.entries(value.segments)) checkArm(segment, `${path}.segments.${name}`, errors, depth + 1);
    }
  }
}

/**
 * Checks a loose JSON value as a `WindowMetrics` (the public edge for windows, e.g. each line
 * of `rollout-lab decide`): counts are whole numbers ≥ 0 with errors, timeouts ≤ requests,
 * successes ≤ outcomes, agreements ≤ compared (each pair given together); latency percentiles
 * are numbers ≥ 0; `startTime` finite, `duration` > 0; unknown fields are rejected.
 * Lists every problem by path. Cost O(size of the window).
 */
export function parseWindowMetrics(json: unknown): ParseWindowResult {
  const errors: WindowError[] = [];
  if (!isRecord(json)) return { ok: false, errors: [{ path: '(root)', message: `must be an object, got ${JSON.stringify(json)}` }] };
  for (const key of Object.keys(json)) {
    if (!['startTime', 'duration', 'control', 'candidate'].includes(key)) errors.push({ path: key, message: `unknown field '${key}'` });
  }
  if (typeof json.startTime !== 'number' || !Number.isFinite(json.startTime)) {
    errors.push({ path: 'startTime', message: json.startTime === undefined ? 'is required' : `must be a number of seconds, got ${JSON.stringify(json.startTime)}` });
  }
  if (typeof json.duration !== 'number' || !(json.duration > 0) || !Number.isFinite(json.duration)) {
    errors.push({ path: 'duration', message: json.duration === undefined ? 'is required' : `must be a number of seconds > 0, got ${JSON.stringify(json.duration)}` });
  }
  if (json.control !== undefined && json.control !== null) checkArm(json.control, 'control', errors, 0);
  if (json.candidate !== undefined && json.candidate !== null) checkArm(json.candidate, 'candidate', errors, 0);
  if (errors.length > 0) return { ok: false, errors };
  const window = JSON.parse(JSON.stringify(json)) as WindowMetrics & { control?: ArmWindow | null; candidate?: ArmWindow | null };
  if (window.control === null) delete window.control;
  if (window.candidate === null) delete window.candidate;
  return { ok: true, window };
}

function mergeArms(arms: ArmWindow[]): ArmWindow | undefined {
  if (arms.length === 0) return undefined;
  const merged: ArmWindow = { requests: 0, errors: 0, timeouts: 0 };
  let latencyWeight = 0;
  let p50 = 0;
  let p95 = 0;
  let p99 = 0;
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
  }
  if (latencyWeight > 0) merged.latency = { p50: p50 / latencyWeight, p95: p95 / latencyWeight, p99: p99 / latencyWeight };
  const names = Object.keys(segmentLists);
  if (names.length > 0) {
    merged.segments = {};
    for (const name of names) merged.segments[name] = mergeArms(segmentLists[name]) as ArmWindow;
  }
  return merged;
}

/**
 * Several consecutive windows as one: counts summed per arm (and per segment, and input bin counts
 * bin by bin), latency
 * percentiles as the request-weighted mean of the windows' percentiles (an approximation; exact
 * pooling needs the sketches), spanning from the earliest start to the latest end. An arm
 * missing from some windows contributes nothing for them. Cost O(windows × segments).
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
