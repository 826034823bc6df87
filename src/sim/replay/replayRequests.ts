/**
 * Replay of a request log that keeps what the log's requests did (DESIGN.md §4, issue 12).
 *
 * **Traffic.** Each replicate replays a series of the log's own *requests* — arrival time,
 * status, latency and user together — resampled by the local moving-block bootstrap of
 * `blockBootstrap.ts` (blocks of whole minutes drawn near the same time of day), so bursts of
 * errors, latency spikes and their correlation with load survive. The series starts at the time
 * of day of a uniformly drawn minute of the log (the check on the log's own windows starts at
 * every time of day too) and lasts the rollout's length. The block length comes from the data —
 * the larger of the Politis–White circular-block lengths (politisWhite.ts) of the log's
 * per-minute error-count and per-minute mean-latency series, rounded up, so that the slower of
 * the two dependences is kept — or is set by the caller.
 *
 * **Routing.** A request goes to the candidate when its bucket, the engine's Unleash-compatible
 * `normalizedValue(id, group)`, is at most the stage's percentage (DESIGN.md §3): the id is the
 * request's user when the log maps a user column (sticky, as in production: one heavy user whose
 * requests fail lands in one arm with all of them), else the request's row number in the log (a
 * per-request hash: the same request always takes the same arm).
 *
 * **Two worlds on the same traffic** (common random numbers): healthy — the candidate answers
 * each request exactly as the log says (its status and latency), so every rollback is false —
 * and regressed — the injected regression applied to the candidate's requests
 * (requestRegression.ts) from its onset, the first window in which the candidate gets traffic
 * (mirrored or served). Pairing the two runs of a replicate separates detection from noise.
 *
 * **The check against the log itself.** The same policy run on the log's actual consecutive
 * windows, no resampling, healthy world, started every `startEverySeconds` through the log.
 *
 * Windows are built as the per-request fidelity mode builds them (windowsPerRequest.ts): counts,
 * latencies folded into a `LatencySketch` per arm (when a rule reads them), outcomes judged
 * successful when the request did not fail (a log has no ground truth; the A/B success rate is
 * the request success rate), shadow agreement when the candidate's status equals control's.
 * Timeouts: a log has no timeout column, so none are counted (a timeout status can be made an
 * error with `--error-when`).
 */

import type { CompiledStage } from '../../engine/controller/compilePolicy.ts';
import { initialState } from '../../engine/controller/controllerState.ts';
import { step } from '../../engine/controller/step.ts';
import type { ArmWindow, WindowMetrics } from '../../engine/metrics/windowMetrics.ts';
import type { Policy } from '../../engine/policy/policy.ts';
import type { Random } from '../../engine/random/prng.ts';
import { streamFor } from '../../engine/random/streams.ts';
import { normalizedValue } from '../../engine/routing/bucketing.ts';
import { formatHours } from '../../engine/text/format.ts';
import { firstAtOrAfter } from '../firstAtOrAfter.ts';
import type { PolicyPlan } from '../replicate.ts';
import { planPolicy } from '../replicate.ts';
import { flagGroup } from '../runner.ts';
import { SketchBuffer } from '../sketchBuffer.ts';
import { rateEstimate } from '../summary.ts';
import { drawLocalBlockStart } from './blockBootstrap.ts';
import { describeErrorDefinition } from './errorDefinition.ts';
import type { Injection } from './injection.ts';
import type { ParsedLog } from './parseLog.ts';
import { politisWhiteBlockLength } from './politisWhite.ts';
import type { BlockLengthChoice, ReplayTally, RequestReplayResult, RunOutcome, StarvedStage } from './replayReport.ts';
import {
  addRunPair,
  addWorldOutcome,
  detectionSummary,
  initReplayTally,
  initWorldTally,
  mergeReplayTallies,
  worldSummary,
} from './replayReport.ts';
import type { WindowRegression } from './requestRegression.ts';
import { describeRegression, regressedError, regressedLatency, windowRegression } from './requestRegression.ts';

const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;

/** Options of `replayRequests`. */
export interface ReplayRequestsOptions {
  replicates: number;
  seed: number | string;
  /** The regression of the regressed world; none: only the healthy world runs. */
  injections?: readonly Injection[];
  /** Block length in minutes; default from the data (Politis–White). */
  blockMinutes?: number;
  /** Source blocks start within this many minutes of the output block's time of day; default 60. */
  localWindowMinutes?: number;
  /** Route by the log's user column ('user', the default when it has one) or by hashing each request ('request'). */
  stickyBy?: 'user' | 'request';
  /** Replay a log shorter than the rollout by reusing its blocks; default false (a RangeError). */
  allowShorterLog?: boolean;
  /** Replayed time, seconds; default the rollout's longest length (`rolloutSeconds`). */
  horizonSeconds?: number;
  /** Most runs of the check on the log's own windows; default 200. */
  maxOwnWindowRuns?: number;
  /** Called with replicates done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * How long a replayed rollout of `policy` may run: each stage's maximum duration, or twice its
 * minimum when it has none — held windows (a failing check below the failure limit, too few
 * requests) do not count toward the minimum, so a stage needs some time beyond it; a rollout
 * still running at the end is reported as undecided.
 */
export function rolloutSeconds(plan: PolicyPlan): number {
  let total = 0;
  for (const stage of plan.compiled.stages) total += Number.isFinite(stage.maxDuration) ? stage.maxDuration : 2 * stage.minDuration;
  return total;
}

/** The log prepared once for every replicate: rows in time order and their buckets. */
interface PreparedLog {
  /** Seconds from the log's first minute, ascending. */
  times: Float64Array;
  errors: Uint8Array;
  latencies: Float64Array;
  buckets: Uint8Array;
  /** Index of the first row of each minute (prefix counts), minutes + 1 entries. */
  minuteStart: Uint32Array;
  minutes: number;
  firstMinute: number;
  spanSeconds: number;
  errorRate: number;
}

function prepareLog(log: ParsedLog, group: string, byUser: boolean): PreparedLog {
  const n = log.rows;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => log.timestamps[a] - log.timestamps[b] || a - b);
  const firstMinute = Math.floor(log.timestamps[order[0]] / MINUTE_MS);
  const minutes = Math.floor(log.timestamps[order[n - 1]] / MINUTE_MS) - firstMinute + 1;
  const times = new Float64Array(n);
  const errors = new Uint8Array(n);
  const latencies = new Float64Array(n);
  const buckets = new Uint8Array(n);
  const userBuckets = byUser && log.user ? log.user.values.map((id) => normalizedValue(id, group)) : null;
  const minuteStart = new Uint32Array(minutes + 1);
  let errorCount = 0;
  for (let k = 0; k < n; k++) {
    const row = order[k];
    times[k] = (log.timestamps[row] - firstMinute * MINUTE_MS) / 1000;
    errors[k] = log.errors[row];
    errorCount += errors[k];
    latencies[k] = log.latencies[row];
    buckets[k] = userBuckets ? userBuckets[log.user!.codes[row]] : normalizedValue(`request-${row}`, group);
    minuteStart[Math.floor(times[k] / 60) + 1]++;
  }
  for (let m = 0; m < minutes; m++) minuteStart[m + 1] += minuteStart[m];
  return {
    times,
    errors,
    latencies,
    buckets,
    minuteStart,
    minutes,
    firstMinute,
    spanSeconds: (log.timestamps[order[n - 1]] - log.timestamps[order[0]]) / 1000,
    errorRate: errorCount / n,
  };
}

/** Per-minute error counts and mean latencies (minutes without a latency take the log's mean). */
function minuteSeries(prepared: PreparedLog): { errors: Float64Array; latency: Float64Array | null } {
  const { minutes, minuteStart } = prepared;
  const errors = new Float64Array(minutes);
  const latency = new Float64Array(minutes);
  const counts = new Float64Array(minutes);
  let total = 0;
  let withLatency = 0;
  for (let m = 0; m < minutes; m++) {
    for (let k = minuteStart[m]; k < minuteStart[m + 1]; k++) {
      errors[m] += prepared.errors[k];
      const value = prepared.latencies[k];
      if (!Number.isNaN(value)) {
        latency[m] += value;
        counts[m]++;
        total += value;
        withLatency++;
      }
    }
  }
  if (withLatency === 0) return { errors, latency: null };
  const mean = total / withLatency;
  for (let m = 0; m < minutes; m++) latency[m] = counts[m] > 0 ? latency[m] / counts[m] : mean;
  return { errors, latency };
}

/** The block length: Politis–White from the data, or the caller's. */
export function chooseBlockLength(log: ParsedLog, requested?: number): BlockLengthChoice {
  const prepared = prepareLog(log, 'block-length', false);
  return blockLengthOf(prepared, requested);
}

function blockLengthOf(prepared: PreparedLog, requested?: number): BlockLengthChoice {
  if (requested !== undefined) {
    if (!(Number.isInteger(requested) && requested >= 1))
      throw new RangeError(`blockMinutes must be a whole number of at least 1, got ${requested}`);
    return { minutes: requested, how: 'user', errorSeries: null, latencySeries: null, explanation: `${requested} min, as set` };
  }
  if (prepared.minutes < 3) {
    return {
      minutes: 1,
      how: 'politisWhite',
      errorSeries: null,
      latencySeries: null,
      explanation: 'the log spans fewer than 3 minutes: blocks of 1 min',
    };
  }
  const series = minuteSeries(prepared);
  const errorLength = politisWhiteBlockLength(series.errors).circular;
  const latencyLength = series.latency === null ? null : politisWhiteBlockLength(series.latency).circular;
  const larger = Math.max(errorLength, latencyLength ?? 0);
  const minutes = Math.min(prepared.minutes, Math.max(1, Math.ceil(larger)));
  const which = latencyLength !== null && latencyLength > errorLength ? 'latency' : 'error-count';
  const show = (x: number) => Number(x.toPrecision(3));
  return {
    minutes,
    how: 'politisWhite',
    errorSeries: errorLength,
    latencySeries: latencyLength,
    explanation: `${minutes} min: the larger Politis–White block length of the per-minute error counts (${show(errorLength)} min)${latencyLength === null ? '' : ` and mean latencies (${show(latencyLength)} min)`}, set by the ${which} series, so both dependences are kept`,
  };
}

/** A series of requests to replay: indices into the prepared log and their times (seconds from the series start). */
interface RequestSeries {
  rows: Uint32Array;
  times: Float64Array;
  length: number;
}

/** The bootstrap series of replicate `random`: see the module comment. */
function bootstrapSeries(prepared: PreparedLog, block: number, horizon: number, localWindowMinutes: number, random: Random): RequestSeries {
  const { minutes, minuteStart } = prepared;
  const length = Math.min(block, minutes);
  const lastStart = minutes - length;
  const days = Math.max(1, Math.ceil(minutes / DAY_MINUTES));
  const firstTimeOfDay = ((prepared.firstMinute % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
  const startTimeOfDay = (firstTimeOfDay + Math.floor(random() * minutes)) % DAY_MINUTES;
  const outputMinutes = Math.ceil(horizon / 60);
  let rows = new Uint32Array(1024);
  let times = new Float64Array(1024);
  let n = 0;
  for (let outputStart = 0; outputStart < outputMinutes; outputStart += length) {
    const source = drawLocalBlockStart(
      random,
      (startTimeOfDay + outputStart) % DAY_MINUTES,
      firstTimeOfDay,
      days,
      lastStart,
      localWindowMinutes,
    );
    const copy = Math.min(length, outputMinutes - outputStart);
    const from = minuteStart[source];
    const to = minuteStart[source + copy];
    if (n + (to - from) > rows.length) {
      const size = Math.max(rows.length * 2, n + (to - from));
      const biggerRows = new Uint32Array(size);
      biggerRows.set(rows.subarray(0, n));
      rows = biggerRows;
      const biggerTimes = new Float64Array(size);
      biggerTimes.set(times.subarray(0, n));
      times = biggerTimes;
    }
    const offset = (outputStart - source) * 60;
    for (let k = from; k < to; k++) {
      rows[n] = k;
      times[n] = prepared.times[k] + offset;
      n++;
    }
  }
  return { rows, times, length: n };
}

/** The log's own requests from `start` seconds (after its first minute) on, times from `start`. */
function ownSeries(prepared: PreparedLog, start: number, horizon: number): RequestSeries {
  const from = firstAtOrAfter(prepared.times, start);
  const to = firstAtOrAfter(prepared.times, start + horizon);
  const rows = new Uint32Array(to - from);
  const times = new Float64Array(to - from);
  for (let k = from; k < to; k++) {
    rows[k - from] = k;
    times[k - from] = prepared.times[k] - start;
  }
  return { rows, times, length: to - from };
}

/** One arm's counters of one window. */
class ArmCounter {
  requests = 0;
  errors = 0;
  disagreements = 0;
  readonly sketch = new SketchBuffer();
  latency = false;
  reset(latency: boolean): void {
    this.requests = this.errors = this.disagreements = 0;
    this.latency = latency;
    if (latency) this.sketch.reset(1);
  }
  add(error: number, latency: number): void {
    this.requests++;
    this.errors += error;
    if (this.latency && !Number.isNaN(latency)) this.sketch.add(latency);
  }
  window(outcomes: boolean, mirrored: boolean): ArmWindow {
    const window: ArmWindow = { requests: this.requests, errors: this.errors, timeouts: 0 };
    if (this.latency) {
      const sketch = this.sketch.flush();
      if (sketch.count > 0) window.latency = { p50: sketch.quantile(0.5), p95: sketch.quantile(0.95), p99: sketch.quantile(0.99) };
    }
    if (outcomes) {
      window.successes = this.requests - this.errors;
      window.outcomes = this.requests;
    }
    if (mirrored) {
      window.agreements = this.requests - this.disagreements;
      window.compared = this.requests;
    }
    return window;
  }
}

const QUIET_RULES = new Set(['failureLimit', 'stageComplete', 'finished', 'flagRetirement', 'minDuration']);

/** The regression of a run: the injections, the log's error rate, and the random stream of its extra failures. */
interface RunRegression {
  injections: readonly Injection[];
  baseErrorRate: number;
  random: Random;
}

/**
 * Runs `policy` once over `series` (healthy when `regression` is null). Returns the outcome and
 * the regression's onset (start of the first window with candidate traffic), seconds.
 */
function runSeries(
  prepared: PreparedLog,
  series: RequestSeries,
  policy: Policy,
  plan: PolicyPlan,
  horizon: number,
  regression: RunRegression | null,
): { outcome: RunOutcome; onset: number | null } {
  const compiled = plan.compiled;
  const state = initialState(policy, 0);
  const control = new ArmCounter();
  const candidate = new ArmCounter();
  const windowList: WindowMetrics[] = [];
  let time = 0;
  let next = 0;
  let onset: number | null = null;
  let hoursExposed = 0;
  let stageIndex = -1;
  let mostCandidateRequests = 0;
  let decisionTime: number | null = null;
  let lastReasons: { rule: string; metric: string; observed: number | null }[] = [];
  let none: WindowRegression | null = null;
  while (state.status === 'running' && time < horizon) {
    const stage: CompiledStage = compiled.stages[state.stageIndex];
    if (state.stageIndex !== stageIndex) {
      stageIndex = state.stageIndex;
      mostCandidateRequests = 0;
    }
    const duration = Math.min(stage.checkInterval, horizon - time);
    const end = time + duration;
    const mirror = stage.mirrorTraffic > 0;
    const share = mirror ? stage.mirrorTraffic : state.candidateTraffic;
    const percentage = Math.min(100, Math.max(0, share * 100));
    const served = !mirror && state.candidateTraffic > 0;
    const exposed = mirror || served;
    if (exposed && onset === null) onset = time;
    const changes =
      regression !== null && exposed
        ? windowRegression(regression.injections, regression.baseErrorRate, hoursExposed + duration / 7200)
        : (none ??= { latency: [], errors: [] });
    const needsLatency = plan.needsLatency[state.stageIndex];
    control.reset(needsLatency);
    candidate.reset(needsLatency);
    while (next < series.length && series.times[next] < end) {
      const k = series.rows[next++];
      const error = prepared.errors[k];
      const latency = prepared.latencies[k];
      const toCandidate = exposed && prepared.buckets[k] <= percentage;
      if (!toCandidate || mirror) control.add(error, latency);
      if (toCandidate) {
        let candidateError = error;
        let candidateLatency = latency;
        if (regression !== null) {
          candidateError = changes.errors.length > 0 ? regressedError(changes, error, regression.random) : error;
          candidateLatency = changes.latency.length > 0 ? regressedLatency(changes, latency) : latency;
        }
        candidate.add(candidateError, candidateLatency);
        if (mirror && candidateError !== error) candidate.disagreements++;
      }
    }
    const window: WindowMetrics = { startTime: time, duration };
    const outcomes = plan.needsOutcomes[state.stageIndex];
    if (state.candidateTraffic < 1 || mirror) window.control = control.window(outcomes, false);
    if (exposed) {
      window.candidate = candidate.window(outcomes, mirror);
      mostCandidateRequests = Math.max(mostCandidateRequests, candidate.requests);
    }
    if (exposed) hoursExposed += duration / 3600;
    windowList[0] = window;
    const result = step(state, windowList, policy);
    while (state.events.length > 0) state.events.pop();
    lastReasons = result.reasons;
    time = end;
    if (result.decision === 'rollback' || result.decision === 'promote') decisionTime = time;
  }
  const decision = state.status === 'rolledBack' ? 'rollback' : state.status === 'promoted' ? 'promote' : 'undecided';
  const stage = compiled.stages[state.stageIndex];
  const timedOut = lastReasons.some((reason) => reason.rule === 'maxDuration');
  const reasons: string[] = [];
  let failingChecks: number | null = null;
  if (decision === 'rollback') {
    for (const reason of lastReasons) {
      // The failing checks the policy's counting mode counted (in a row, in total, or among the last N).
      if (reason.rule === 'failureLimit') failingChecks = reason.observed;
      if (timedOut ? reason.rule !== 'maxDuration' : QUIET_RULES.has(reason.rule)) continue;
      const key = reason.rule === 'maxDuration' ? `${stage.name} · maxDuration` : `${stage.name} · ${reason.rule} ${reason.metric}`;
      if (!reasons.includes(key)) reasons.push(key);
    }
  }
  let starved: StarvedStage | null = null;
  if (decision === 'undecided' || timedOut) {
    const ending = timedOut ? 'timedOut' : 'endOfReplay';
    if (stage.kind === 'baseline' && !state.baselineEstablished && state.baseline.requests < stage.baselineMinRequests) {
      starved = { stage: stage.name, ending, per: 'stage', seen: state.baseline.requests, needed: stage.baselineMinRequests };
    } else if ((stage.kind === 'canary' || stage.kind === 'ab' || stage.kind === 'full') && mostCandidateRequests < stage.minRequests) {
      starved = { stage: stage.name, ending, per: 'window', seen: mostCandidateRequests, needed: stage.minRequests };
    }
  }
  return { outcome: { decision, stage: stage.name, decisionTime, reasons, failingChecks, starved }, onset };
}

/** Everything a replay computes once, before its replicates. */
interface PreparedReplay {
  prepared: PreparedLog;
  plan: PolicyPlan;
  horizon: number;
  block: BlockLengthChoice;
  localWindowMinutes: number;
  injections: readonly Injection[];
}

/**
 * Checks the options and the log and prepares the replay (O(n log n) for the sort, O(n^{3/2})
 * in the minutes of the log for the block length). RangeErrors name the field and the reason.
 */
function prepareReplay(
  log: ParsedLog,
  policy: Policy,
  options: ReplayRequestsOptions,
): { replay: PreparedReplay; routing: RequestReplayResult['routing']; shorter: boolean; rollout: number } {
  const {
    replicates,
    injections = [],
    localWindowMinutes = 60,
    stickyBy = log.user ? 'user' : 'request',
    allowShorterLog = false,
  } = options;
  if (!(Number.isSafeInteger(replicates) && replicates >= 1))
    throw new RangeError(`replicates must be a whole number of at least 1, got ${replicates}`);
  if (!(typeof options.seed === 'string' || Number.isSafeInteger(options.seed)))
    throw new RangeError(`seed must be a safe integer or a string, got ${options.seed}`);
  if (log.rows < 2) throw new RangeError(`log must have at least 2 accepted rows to replay, got ${log.rows}`);
  if (stickyBy === 'user' && !log.user)
    throw new RangeError('stickyBy is user but the log maps no user column: map one (user=COL) or route by request');
  if (!(localWindowMinutes >= 0 && localWindowMinutes < DAY_MINUTES / 2))
    throw new RangeError(`localWindowMinutes must be between 0 and 720, got ${localWindowMinutes}`);
  const plan = planPolicy(policy);
  const group = flagGroup(policy);
  const rollout = rolloutSeconds(plan);
  const horizon = options.horizonSeconds ?? rollout;
  if (!(horizon > 0 && Number.isFinite(horizon)))
    throw new RangeError(`horizonSeconds must be a positive number of seconds, got ${horizon}`);
  const prepared = prepareLog(log, group, stickyBy === 'user');
  const shorter = prepared.spanSeconds < horizon;
  if (shorter && !allowShorterLog) {
    throw new RangeError(
      `the log spans ${formatHours(prepared.spanSeconds)} but a rollout under policy '${policy.name}' can take ${formatHours(horizon)}: replaying it would reuse the log's blocks (allow that with --allow-wrap), or give a longer log or a shorter policy`,
    );
  }
  const block = blockLengthOf(prepared, options.blockMinutes);
  return {
    replay: { prepared, plan, horizon, block, localWindowMinutes, injections },
    routing: { by: stickyBy, column: stickyBy === 'user' ? (log.report.mapped.user ?? null) : null, group },
    shorter,
    rollout,
  };
}

/** Runs replicates [from, to) of a prepared replay: each a healthy run and (with a regression) a regressed run on the same series. */
function runReplicates(replay: PreparedReplay, policy: Policy, seed: number | string, from: number, to: number): ReplayTally {
  const tally = initReplayTally();
  const { prepared, plan, horizon, block, localWindowMinutes, injections } = replay;
  for (let i = from; i < to; i++) {
    const series = bootstrapSeries(prepared, block.minutes, horizon, localWindowMinutes, streamFor(seed, i, 'replay-requests'));
    const healthy = runSeries(prepared, series, policy, plan, horizon, null);
    if (injections.length === 0) {
      addRunPair(tally, healthy.outcome, null, null);
      continue;
    }
    const regressed = runSeries(prepared, series, policy, plan, horizon, {
      injections,
      baseErrorRate: prepared.errorRate,
      random: streamFor(seed, i, 'replay-regression'),
    });
    addRunPair(tally, healthy.outcome, regressed.outcome, regressed.onset);
  }
  return tally;
}

/** The check on the log's own windows: runs started every `every` seconds while a whole rollout fits. */
function ownWindowsCheck(replay: PreparedReplay, policy: Policy, maxRuns: number): RequestReplayResult['ownWindows'] {
  const { prepared, plan, horizon } = replay;
  const room = prepared.spanSeconds - horizon;
  const firstInterval = plan.compiled.stages[0].checkInterval;
  const tally = initWorldTally();
  let every = firstInterval;
  if (room >= 0) {
    every = Math.max(firstInterval, Math.ceil(room / Math.max(1, maxRuns - 1) / 60) * 60);
    // The log's first request is at `times[0]` seconds after its first minute.
    const origin = prepared.times[0];
    for (let start = origin; start - origin <= room; start += every) {
      addWorldOutcome(tally, runSeries(prepared, ownSeries(prepared, start, horizon), policy, plan, horizon, null).outcome);
    }
  }
  const summary = worldSummary(tally);
  return {
    runs: tally.runs,
    startEverySeconds: every,
    nonOverlappingRuns: Math.floor(prepared.spanSeconds / horizon),
    falseRollbackRate: summary.rollbackRate,
    summary,
  };
}

/**
 * `replayRequests` one chunk of replicates at a time: yields the replicates done after each chunk
 * (of `chunk`), and returns the same result as `replayRequests` (same streams, same merge).
 */
export function* replayRequestSteps(
  log: ParsedLog,
  policy: Policy,
  options: ReplayRequestsOptions,
  chunk = 10,
): Generator<number, RequestReplayResult> {
  const { replay, routing, shorter, rollout } = prepareReplay(log, policy, options);
  const { replicates, seed, onProgress } = options;
  const ownWindows = ownWindowsCheck(replay, policy, options.maxOwnWindowRuns ?? 200);
  const tally = initReplayTally();
  for (let from = 0; from < replicates; from += chunk) {
    const to = Math.min(replicates, from + chunk);
    mergeReplayTallies(tally, runReplicates(replay, policy, seed, from, to));
    onProgress?.(to, replicates);
    if (to < replicates) yield to;
  }
  const { prepared, injections } = replay;
  const healthy = worldSummary(tally.healthy);
  const definition = describeErrorDefinition(log.report);
  return {
    log: {
      requests: log.rows,
      firstTime: prepared.firstMinute * MINUTE_MS + prepared.times[0] * 1000,
      spanSeconds: prepared.spanSeconds,
      users: log.user ? log.user.values.length : null,
    },
    errorDefinition: definition,
    routing,
    blockLength: replay.block,
    rolloutSeconds: rollout,
    shorterThanRollout: shorter,
    regression:
      injections.length === 0
        ? null
        : {
            injections: [...injections],
            description: describeRegression(injections, prepared.errorRate),
            onset:
              'from the first check window in which the candidate receives traffic (mirrored in shadow, or served), for the rest of the rollout',
            missedMeaning: `a missed regression is a run in which the policy promoted this candidate to all users: every user then gets ${describeRegression(injections, prepared.errorRate)} until someone notices`,
          },
    replicates,
    seed,
    falseRollbackRate: rateEstimate(tally.healthy.rollbacks, tally.healthy.runs),
    healthy,
    detection: injections.length === 0 ? null : detectionSummary(tally),
    ownWindows,
  };
}

/**
 * Replays `policy` against the log (see the module comment): `replicates` bootstrap series, each
 * run healthy and (with `injections`) regressed; replicate i draws its series from
 * `streamFor(seed, i, 'replay-requests')` and its regression from `streamFor(seed, i,
 * 'replay-regression')`, so results are reproducible and shardable. Cost: replicates × the
 * requests of the rollout's length, plus the own-windows runs.
 */
export function replayRequests(log: ParsedLog, policy: Policy, options: ReplayRequestsOptions): RequestReplayResult {
  const steps = replayRequestSteps(log, policy, options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}
