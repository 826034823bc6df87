/**
 * The former replay (before issue 12), kept to show what it missed: a parsed production log turned
 * into the simulator's world (a `Scenario`, DESIGN.md §4), and the Monte-Carlo replay of a policy
 * against it. It resamples the log's arrival times only and draws each replayed request's error
 * independently at the log's average rate, so bursts of errors and errors clustered by user are
 * lost and its false-rollback rates can be several times too low (test/sim/replay/
 * syntheticReplay.test.ts, notebooks/replay-keeps-the-bursts.ts). `rollout-lab replay` and the app
 * use `replayRequests` (replayRequests.ts), which resamples whole requests.
 *
 * - **Control** is the log: its empirical latency law (R type-7 quantile function of its
 *   latencies, thinned to at most `maxLatencyPoints` quantiles) and its error rate. With a model
 *   column holding two or more versions, control is the busiest version (or `control`) and the
 *   **candidate** the next (or `candidate`): the log replays as an A/B comparison of the two real
 *   versions. Otherwise the candidate starts as an exact copy of control.
 * - **Injected regressions** (`injection.ts`) are applied to the candidate on top.
 * - **Traffic** replays the log's own arrival times, resampled per bootstrap series by the local
 *   moving-block bootstrap of `blockBootstrap.ts` (bursts, autocorrelation and the daily pattern
 *   survive), repeating with a period of whole days; the segment mix is the log's; the user
 *   population is the log's distinct users with a Zipf exponent fitted to their request counts.
 * - Per-segment latency laws and error rates are reported by `summarizeLog` but not simulated:
 *   the scenario schema has one law per model, and the pooled empirical law of the log IS the
 *   mixture of its segments' laws at the log's segment mix, so nothing is lost while the mix
 *   does not drift.
 *
 * Bootstrap variability enters across replicates: `replayLog` draws `resamples` arrival series
 * and runs an equal share of the replicates on each, with disjoint replicate indices so every
 * replicate keeps its own random stream; the summaries merge exactly.
 */
import type { Policy } from '../../engine/policy/policy.ts';
import type { Random } from '../../engine/random/prng.ts';
import { streamFor } from '../../engine/random/streams.ts';
import { quantileSorted } from '../../engine/stats/quantile.ts';
import { prepareSimulation, runReplicates } from '../runner.ts';
import type { Scenario, Truth } from '../scenario.ts';
import { parseScenario } from '../scenario.ts';
import type { SimulationSummary } from '../summary.ts';
import { initSummary, mergeSummaries, summaryValue } from '../summary.ts';
import type { FidelityMode } from '../windowRequest.ts';
import type { BlockBootstrapOptions } from './blockBootstrap.ts';
import { blockBootstrapArrivals } from './blockBootstrap.ts';
import type { Injection } from './injection.ts';
import { applyInjections } from './injection.ts';
import { rowsByCode } from './logSummary.ts';
import type { ParsedLog } from './parseLog.ts';

/** Options of `replayScenario`. */
export interface ReplayScenarioOptions extends BlockBootstrapOptions {
  /** Model value used as control (two-version logs); default the one with the most requests. */
  control?: string;
  /** Model value used as candidate; default the busiest other one. */
  candidate?: string;
  /** Regressions injected into the candidate; default none. */
  injections?: readonly Injection[];
  /** What "worse" means for scoring; default the scenario default (error rate ×1.2, p95 ×1.1). */
  truth?: Truth;
  /** Longest simulated time, seconds; default 14 days (the scenario default). */
  horizonSeconds?: number;
  /** Most quantile points kept for an empirical latency law; default 10 001. */
  maxLatencyPoints?: number;
}

/** Which versions of the log play which role. */
export interface ReplayRoles {
  /** 'ab' when the log holds two versions that replay against each other, else 'single'. */
  mode: 'single' | 'ab';
  control: string | null;
  candidate: string | null;
  controlRequests: number;
  candidateRequests: number;
  controlErrorRate: number;
  candidateErrorRate: number;
  /** Versions of the log that play no role (three or more versions). */
  ignored: string[];
}

/** A replay world: the scenario of one bootstrap series and the roles of the log's versions. */
export interface ReplayScenario {
  scenario: Scenario;
  roles: ReplayRoles;
  blockMinutes: number;
}

/** Sorted latencies (NaN dropped) of the selected rows. */
function sortedLatencies(log: ParsedLog, rows: Uint32Array | null): Float64Array {
  const count = rows === null ? log.rows : rows.length;
  const values = new Float64Array(count);
  let n = 0;
  for (let i = 0; i < count; i++) {
    const latency = log.latencies[rows === null ? i : rows[i]];
    if (!Number.isNaN(latency)) values[n++] = latency;
  }
  return values.subarray(0, n).sort();
}

function errorRateOf(log: ParsedLog, rows: Uint32Array | null): number {
  const count = rows === null ? log.rows : rows.length;
  let errors = 0;
  for (let i = 0; i < count; i++) errors += log.errors[rows === null ? i : rows[i]];
  return errors / count;
}

/**
 * At most `points` values whose type-7 quantile function approximates that of `sorted`: the
 * type-7 quantiles at probabilities k/(points − 1). Both laws are piecewise linear and agree at
 * those probabilities, so they differ by less than one gap between neighbouring grid quantiles.
 */
function thin(sorted: Float64Array, points: number): number[] {
  if (sorted.length <= points) return Array.from(sorted);
  return Array.from({ length: points }, (_, k) => quantileSorted(sorted, k / (points - 1)));
}

/**
 * Zipf exponent s of the users' request counts (count ∝ rank^−s): least-squares slope of
 * log(count) on log(rank) over the 1 000 busiest users, clamped to [0, 5]. A rough fit, enough to
 * make heavy users weigh in the simulated population as they do in the log. O(users log users).
 */
export function fitZipfExponent(counts: number[]): number {
  const top = counts
    .filter((c) => c > 0)
    .sort((a, b) => b - a)
    .slice(0, 1000);
  if (top.length < 3) return 0;
  let sx = 0,
    sy = 0,
    sxx = 0,
    sxy = 0;
  top.forEach((count, i) => {
    const x = Math.log(i + 1);
    const y = Math.log(count);
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  });
  const n = top.length;
  const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  return Math.min(5, Math.max(0, -slope));
}

/**
 * Builds the scenario of one bootstrap series (see the module comment), drawing the arrivals
 * from `random`. Throws a RangeError when the log cannot make a world: no accepted rows, fewer
 * than two latencies for a role, or an unknown `control`/`candidate` version. The scenario is
 * checked by `parseScenario` (the simulator's own edge). Cost O(n log n).
 */
export function replayScenario(log: ParsedLog, random: Random, options: ReplayScenarioOptions = {}): ReplayScenario {
  const { injections = [], maxLatencyPoints = 10_001, horizonSeconds } = options;
  if (log.rows === 0) throw new RangeError('log must have at least one accepted row to replay');
  if (!(Number.isInteger(maxLatencyPoints) && maxLatencyPoints >= 2)) {
    throw new RangeError(`maxLatencyPoints must be a whole number of at least 2, got ${maxLatencyPoints}`);
  }
  // Roles.
  let controlRows: Uint32Array | null = null;
  let candidateRows: Uint32Array | null = null;
  const roles: ReplayRoles = {
    mode: 'single',
    control: null,
    candidate: null,
    controlRequests: log.rows,
    candidateRequests: log.rows,
    controlErrorRate: 0,
    candidateErrorRate: 0,
    ignored: [],
  };
  if (log.model !== undefined && log.model.values.length >= 2) {
    const groups = rowsByCode(log.model);
    const versions = log.model.values
      .map((value, code) => ({ value, rows: groups[code] }))
      .filter((version) => version.rows.length > 0)
      .sort((a, b) => b.rows.length - a.rows.length || (a.value < b.value ? -1 : 1));
    const find = (name: string, role: string) => {
      const version = versions.find((v) => v.value === name);
      if (!version)
        throw new RangeError(
          `${role} must be a model version of the log (${versions.map((v) => `'${v.value}'`).join(', ')}), got '${name}'`,
        );
      return version;
    };
    const control = options.control !== undefined ? find(options.control, 'control') : versions[0];
    const candidate = options.candidate !== undefined ? find(options.candidate, 'candidate') : versions.find((v) => v !== control);
    if (candidate === undefined || candidate === control) throw new RangeError('candidate must be a different version from control');
    Object.assign(roles, {
      mode: 'ab',
      control: control.value,
      candidate: candidate.value,
      controlRequests: control.rows.length,
      candidateRequests: candidate.rows.length,
      ignored: versions.filter((v) => v !== control && v !== candidate).map((v) => v.value),
    });
    controlRows = control.rows;
    candidateRows = candidate.rows;
  } else if (options.control !== undefined || options.candidate !== undefined) {
    throw new RangeError('control and candidate versions can only be chosen when the log maps a model column with two or more versions');
  }
  const controlLatencies = sortedLatencies(log, controlRows);
  const candidateBase = roles.mode === 'ab' ? sortedLatencies(log, candidateRows) : controlLatencies;
  for (const [role, values] of [
    ['control', controlLatencies],
    ['candidate', candidateBase],
  ] as const) {
    if (values.length < 2) throw new RangeError(`the ${role} needs at least 2 rows with a latency to replay, got ${values.length}`);
  }
  roles.controlErrorRate = errorRateOf(log, controlRows);
  const candidateBaseErrorRate = roles.mode === 'ab' ? errorRateOf(log, candidateRows) : roles.controlErrorRate;
  const injected = applyInjections(candidateBase, candidateBaseErrorRate, injections, quantileSorted(candidateBase, 0.5));
  injected.latencies.sort();
  roles.candidateErrorRate = injected.errorRate;

  // Traffic: bootstrap arrivals, the log's segment mix and users.
  const arrivals = blockBootstrapArrivals(log.timestamps, random, options);
  const segments: Record<string, number> = {};
  if (log.segment !== undefined) {
    rowsByCode(log.segment).forEach((rows, code) => {
      if (rows.length > 0) segments[log.segment!.values[code] || '(blank)'] = rows.length;
    });
  } else {
    segments.all = 1;
  }
  let users = { count: 10_000, zipfExponent: 0 };
  if (log.user !== undefined) {
    const counts = rowsByCode(log.user).map((rows) => rows.length);
    users = { count: Math.min(10_000_000, Math.max(1, counts.filter((c) => c > 0).length)), zipfExponent: fitZipfExponent(counts) };
  }
  const json = {
    version: 1,
    name: `replay of a ${log.report.format} log (${log.rows} requests)`,
    ...(horizonSeconds !== undefined ? { horizon: horizonSeconds } : {}),
    traffic: {
      requestsPerSecond: arrivals.times.length / arrivals.period || 1e-9,
      arrivals: { kind: 'replay', times: arrivals.times, period: arrivals.period },
      users,
      segments,
    },
    control: {
      latency: { kind: 'empirical', values: thin(controlLatencies, maxLatencyPoints) },
      errorRate: roles.controlErrorRate,
      agreement: 1,
    },
    candidate: {
      latency: { kind: 'empirical', values: thin(injected.latencies, maxLatencyPoints) },
      errorRate: injected.errorRate,
      agreement: 1,
    },
    faults: injected.faults,
    ...(options.truth ? { truth: options.truth } : {}),
  };
  const parsed = parseScenario(json);
  if (!parsed.ok) {
    throw new RangeError(
      `the replayed log does not make a valid scenario: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    );
  }
  return { scenario: parsed.scenario, roles, blockMinutes: arrivals.blockMinutes };
}

/** Options of `replayLog`. */
export interface ReplayLogOptions extends ReplayScenarioOptions {
  replicates: number;
  seed: number | string;
  /** Bootstrap arrival series; default min(replicates, 20). Replicates are shared out evenly. */
  resamples?: number;
  /** Fidelity mode; default windowed. */
  mode?: FidelityMode;
  /** Called with replicates done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** What a replay measured. */
export interface ReplayResult {
  summary: SimulationSummary;
  roles: ReplayRoles;
  resamples: number;
  blockMinutes: number;
}

/**
 * Replays `policy` against the log: `resamples` bootstrap worlds (series r drawn from
 * `streamFor(seed, r, 'replay-bootstrap')`), replicates shared out among them with disjoint
 * indices, summaries merged. The false-rollback rate, detection power (1 − missed-regression
 * rate, and the rollback rate of a worse candidate) and the rest are those of `summaryValue`.
 * Cost: resamples × (bootstrap + world compilation) + replicates × one simulated rollout.
 */
export function replayLog(log: ParsedLog, policy: Policy, options: ReplayLogOptions): ReplayResult {
  const steps = replaySteps(log, policy, options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * `replayLog` one bootstrap series at a time: yields after each series (the series index), and
 * returns the same result as `replayLog`. A worker awaits between steps so that a cancel message
 * can be handled; nothing else differs (same streams, same replicate shares, same merge order).
 */
export function* replaySteps(log: ParsedLog, policy: Policy, options: ReplayLogOptions): Generator<number, ReplayResult> {
  const { replicates, seed, mode = 'window', onProgress } = options;
  if (!(Number.isSafeInteger(replicates) && replicates >= 1))
    throw new RangeError(`replicates must be a whole number of at least 1, got ${replicates}`);
  const resamples = options.resamples ?? Math.min(replicates, 20);
  if (!(Number.isSafeInteger(resamples) && resamples >= 1 && resamples <= replicates)) {
    throw new RangeError(`resamples must be a whole number between 1 and replicates (${replicates}), got ${resamples}`);
  }
  const state = initSummary();
  let roles: ReplayRoles | undefined;
  let blockMinutes = 0;
  let done = 0;
  for (let r = 0; r < resamples; r++) {
    const world = replayScenario(log, streamFor(seed, r, 'replay-bootstrap'), options);
    roles = world.roles;
    blockMinutes = world.blockMinutes;
    const from = Math.floor((r * replicates) / resamples);
    const to = Math.floor(((r + 1) * replicates) / resamples);
    const simulation = prepareSimulation(world.scenario, policy, mode, seed);
    const base = done;
    mergeSummaries(state, runReplicates(simulation, from, to, onProgress ? (d) => onProgress(base + d, replicates) : undefined));
    done += to - from;
    if (r < resamples - 1) yield r;
  }
  return { summary: summaryValue(state), roles: roles as ReplayRoles, resamples, blockMinutes };
}
