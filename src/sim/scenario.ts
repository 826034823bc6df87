/**
 * The scenario document: the simulated world a policy is tested against (DESIGN.md §4) —
 * traffic, each model's behaviour, injected faults, drift, and the truth that scores each run.
 *
 * `parseScenario(json)` is the public edge: it checks everything once and lists EVERY problem by
 * JSON path and reason; the rest of the simulator trusts the parsed `Scenario`. The same
 * constraints are published in `scenarios/scenario.schema.json` (cross-field rules — e.g. a
 * lognormal needs `sigma` or `p95`, `p95 > median` — are only checked here: `parseScenario` is the
 * authority). Durations are seconds or strings like `"5m"`, `"24h"`, parsed once into seconds.
 */
import { durationSeconds } from '../engine/policy/duration.ts';
import type { LatencyDistribution } from './latencyModel.ts';

/** One problem in a document: where (`traffic.users.count`) and why. */
export interface ScenarioProblem {
  path: string;
  message: string;
}

/** The outcome of `parseScenario`. */
export type ParseScenarioResult = { ok: true; scenario: Scenario } | { ok: false; errors: ScenarioProblem[] };

/** A burst of extra traffic: the rate is multiplied by `multiplier` over [start, start + duration). */
export interface TrafficBurst {
  start: number;
  duration: number;
  multiplier: number;
}

/** How arrival times are generated. */
export type ArrivalProcess =
  | { kind: 'poisson' }
  /**
   * Replay of real arrival times (seconds from the start of the trace, ascending), repeated every
   * `period` seconds; `requestsPerSecond`, `dailyCycle` and `bursts` are then ignored.
   */
  | { kind: 'replay'; times: number[]; period: number };

/** Incoming traffic. */
export interface Traffic {
  /** Mean arrival rate before the daily cycle and bursts, > 0. */
  requestsPerSecond: number;
  /**
   * Daily cycle: rate × (1 + amplitude·cos(2π(t − peakHour·3600)/86400)), amplitude in [0, 1).
   * Time 0 is midnight.
   */
  dailyCycle?: { amplitude: number; peakHour: number };
  bursts: TrafficBurst[];
  arrivals: ArrivalProcess;
  /**
   * The user population: `count` users with ids `user-0 … user-(count−1)`; a request comes from
   * user of rank r with probability ∝ 1/(r+1)^zipfExponent (0 = every user equally likely), so
   * that stickiness matters (a heavy user is all-in or all-out of the canary).
   */
  users: { count: number; zipfExponent: number };
  /** Segment mix: weights by segment name, normalised to sum to 1 (default `{ all: 1 }`). */
  segments: Record<string, number>;
}

/** How one model (control or candidate) behaves. */
export interface ModelBehaviour {
  latency: LatencyDistribution;
  /** Probability that a request fails, in [0, 1]. */
  errorRate: number;
  /** Latency above which a request counts as timed out, ms (default: no timeout). */
  timeout?: number;
  /** Probability that an outcome is judged correct, overall or per segment (default 0.9). */
  accuracy: Record<string, number>;
  /** Probability that this model's answer agrees with the other's (shadow comparison; default 1). */
  agreement: number;
}

/**
 * How a fault changes a model: error rate × `errorRateMultiplier` + `extraErrorRate`, latency ×
 * `latencyMultiplier`. At partial strength f ∈ [0, 1] (ramps) the multipliers become 1 + f(m − 1)
 * and the extra rate f·extra.
 */
export interface FaultEffect {
  errorRateMultiplier: number;
  extraErrorRate: number;
  latencyMultiplier: number;
}

/** A fault injected into the candidate (or, for `outage`, a shared dependency hitting both models). */
export type Fault =
  /** Full effect from time `at` on. */
  | { kind: 'step'; at: number; effect: FaultEffect }
  /** Strength grows linearly from 0 at `start` to 1 at `end`, then stays. */
  | { kind: 'ramp'; start: number; end: number; effect: FaultEffect }
  /** Slow leak: strength = hours the candidate has run on traffic, served or mirrored (e.g. a memory leak); `effect` is per hour. */
  | { kind: 'leak'; effect: FaultEffect }
  /** Intermittent bursts: full effect during [start + k·every, start + k·every + duration). */
  | { kind: 'bursts'; start: number; every: number; duration: number; effect: FaultEffect }
  /** Shared-dependency outage: full effect on BOTH models during [start, start + duration). */
  | { kind: 'outage'; start: number; duration: number; effect: FaultEffect };

/** Slow change over days and weeks. */
export interface Drift {
  /** The segment mix moves linearly from `traffic.segments` to `target` over `over` seconds. */
  segmentMix?: { target: Record<string, number>; over: number };
  /** Accuracy lost per day (absolute), by model. */
  accuracyDecayPerDay: { control: number; candidate: number };
  /** Agreement between the models lost per day (absolute) — input drift the candidate handles differently. */
  agreementDecayPerDay: number;
}

/**
 * One input feature of the traffic and its drift (model and units: inputDrift.ts). Numeric:
 * normal (mean, sd) or lognormal (median, sigma of ln x), whose location moves by `shiftPerWeek`
 * reference sds a week and whose spread grows by `scalePerWeek` (relative) a week; optionally
 * each model loses `accuracyLossPerSd` accuracy per sd of shift. Categorical: a category mix
 * moving linearly to `target` over `over` seconds.
 */
export type InputFeature =
  | { kind: 'normal'; mean: number; sd: number; shiftPerWeek: number; scalePerWeek: number; accuracyLossPerSd?: { control: number; candidate: number } }
  | { kind: 'lognormal'; median: number; sigma: number; shiftPerWeek: number; scalePerWeek: number; accuracyLossPerSd?: { control: number; candidate: number } }
  | { kind: 'categorical'; mix: Record<string, number>; target?: Record<string, number>; over?: number };

/**
 * What "worse" means, so every replicate can be scored: the candidate is worse when, at some
 * time while the rollout ran, its error rate exceeds `errorRateRatio` × control's, or its true
 * p95 latency exceeds `p95Ratio` × control's, or (when given) its accuracy is below control's by
 * more than `accuracyDrop`.
 */
export interface Truth {
  errorRateRatio: number;
  p95Ratio: number;
  accuracyDrop?: number;
}

/** A parsed, checked scenario (times in seconds, latencies in ms). */
export interface Scenario {
  version: 1;
  name: string;
  description?: string;
  /** Longest simulated time; a rollout still undecided then ends `undecided` (default 14 days). */
  horizon: number;
  traffic: Traffic;
  control: ModelBehaviour;
  candidate: ModelBehaviour;
  faults: Fault[];
  drift: Drift;
  /** Input features whose distribution the windows summarise (`ArmWindow.inputs`); absent when none. */
  inputs?: Record<string, InputFeature>;
  truth: Truth;
  /** A policy to simulate (raw JSON, checked by the engine's `parsePolicy`), used when none is given. */
  policy?: unknown;
  /** What happened, in a few plain sentences (scenario library; shown beside the playback). */
  story?: string;
  /** What to do instead (scenario library). */
  lesson?: string;
  /** Short labels for finding scenarios (`canary`, `statistics`, …). */
  tags?: string[];
  /**
   * The policy the story's team wanted, which the engine's `parsePolicy` REFUSES (raw JSON, kept
   * to show its error messages); the scenario simulates `policy`, the nearest one it accepts.
   */
  refusedPolicy?: unknown;
}

type Json = Record<string, unknown>;

/** Collects problems while walking a document. */
class Checker {
  readonly errors: ScenarioProblem[] = [];
  problem(path: string, message: string): undefined {
    this.errors.push({ path, message });
    return undefined;
  }
  object(value: unknown, path: string): Json | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return this.problem(path, `${path || 'scenario'} must be an object, got ${describe(value)}`);
    }
    return value as Json;
  }
  known(object: Json, path: string, fields: readonly string[]): void {
    for (const key of Object.keys(object)) {
      if (!fields.includes(key)) this.problem(join(path, key), `unknown field ${join(path, key)}`);
    }
  }
  number(
    object: Json,
    path: string,
    key: string,
    rule: { min?: number; max?: number; exclusiveMin?: boolean; exclusiveMax?: boolean; integer?: boolean; fallback?: number },
  ): number | undefined {
    const where = join(path, key);
    const value = object[key];
    if (value === undefined) {
      if (rule.fallback !== undefined) return rule.fallback;
      return this.problem(where, `${where} is required`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) return this.problem(where, `${where} must be a number, got ${describe(value)}`);
    if (rule.integer && !Number.isInteger(value)) return this.problem(where, `${where} must be a whole number, got ${value}`);
    const { min, max } = rule;
    if (min !== undefined && (rule.exclusiveMin ? value <= min : value < min)) {
      return this.problem(where, `${where} must be ${rule.exclusiveMin ? 'greater than' : 'at least'} ${min}, got ${value}`);
    }
    if (max !== undefined && (rule.exclusiveMax ? value >= max : value > max)) {
      return this.problem(where, `${where} must be ${rule.exclusiveMax ? 'less than' : 'at most'} ${max}, got ${value}`);
    }
    return value;
  }
  duration(object: Json, path: string, key: string, fallback?: number, positive = false): number | undefined {
    const where = join(path, key);
    const value = object[key];
    if (value === undefined) {
      if (fallback !== undefined) return fallback;
      return this.problem(where, `${where} is required`);
    }
    const seconds = durationSeconds(value);
    if (seconds === undefined) {
      return this.problem(where, `${where} must be seconds or a duration like "90s", "5m", "24h", got ${describe(value)}`);
    }
    if (positive && seconds <= 0) return this.problem(where, `${where} must be longer than 0, got ${describe(value)}`);
    return seconds;
  }
  array(object: Json, path: string, key: string): unknown[] | undefined {
    const value = object[key];
    if (value === undefined) return [];
    if (!Array.isArray(value)) return this.problem(join(path, key), `${join(path, key)} must be an array, got ${describe(value)}`);
    return value;
  }
  weights(value: unknown, path: string, allowZeroTotal = false): Record<string, number> | undefined {
    const object = this.object(value, path);
    if (!object) return undefined;
    const result: Record<string, number> = {};
    let total = 0;
    let ok = true;
    for (const key of Object.keys(object)) {
      const weight = this.number(object, path, key, { min: 0 });
      if (weight === undefined) ok = false;
      else {
        result[key] = weight;
        total += weight;
      }
    }
    if (!ok) return undefined;
    if (Object.keys(result).length === 0) return this.problem(path, `${path} must list at least one segment`);
    if (!(total > 0) && !allowZeroTotal) return this.problem(path, `${path} weights must not all be 0`);
    for (const key of Object.keys(result)) result[key] /= total;
    return result;
  }
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value);
}

function parseLatency(checker: Checker, value: unknown, path: string, insideMixture = false): LatencyDistribution | undefined {
  const object = checker.object(value, path);
  if (!object) return undefined;
  const kind = object.kind;
  switch (kind) {
    case 'lognormal': {
      checker.known(object, path, ['kind', 'median', 'sigma', 'p95']);
      const median = checker.number(object, path, 'median', { min: 0, exclusiveMin: true });
      const hasSigma = object.sigma !== undefined;
      const hasP95 = object.p95 !== undefined;
      if (hasSigma === hasP95) {
        return checker.problem(path, `${path} must give exactly one of sigma or p95`);
      }
      const sigma = hasSigma ? checker.number(object, path, 'sigma', { min: 0, exclusiveMin: true }) : undefined;
      const p95 = hasP95 ? checker.number(object, path, 'p95', { min: 0, exclusiveMin: true }) : undefined;
      if (median === undefined || (hasSigma && sigma === undefined) || (hasP95 && p95 === undefined)) return undefined;
      if (p95 !== undefined && !(p95 > median)) {
        return checker.problem(join(path, 'p95'), `${join(path, 'p95')} must be greater than the median ${median}, got ${p95}`);
      }
      return hasSigma ? { kind, median, sigma } : { kind, median, p95 };
    }
    case 'gamma': {
      checker.known(object, path, ['kind', 'shape', 'scale']);
      const shape = checker.number(object, path, 'shape', { min: 0, exclusiveMin: true });
      const scale = checker.number(object, path, 'scale', { min: 0, exclusiveMin: true });
      return shape === undefined || scale === undefined ? undefined : { kind, shape, scale };
    }
    case 'exponential': {
      checker.known(object, path, ['kind', 'mean']);
      const mean = checker.number(object, path, 'mean', { min: 0, exclusiveMin: true });
      return mean === undefined ? undefined : { kind, mean };
    }
    case 'mixture': {
      checker.known(object, path, ['kind', 'components']);
      if (insideMixture) return checker.problem(path, `${path} must not be a mixture inside a mixture`);
      const list = checker.array(object, path, 'components');
      if (!list) return undefined;
      if (list.length < 1) return checker.problem(join(path, 'components'), `${join(path, 'components')} must have at least one component`);
      const components: { weight: number; distribution: Exclude<LatencyDistribution, { kind: 'mixture' }> }[] = [];
      let ok = true;
      list.forEach((item, i) => {
        const where = join(join(path, 'components'), i);
        const component = checker.object(item, where);
        if (!component) return void (ok = false);
        checker.known(component, where, ['weight', 'distribution']);
        const weight = checker.number(component, where, 'weight', { min: 0, exclusiveMin: true });
        const distribution = parseLatency(checker, component.distribution, join(where, 'distribution'), true);
        if (weight === undefined || distribution === undefined || distribution.kind === 'mixture') ok = false;
        else components.push({ weight, distribution });
      });
      return ok ? { kind, components } : undefined;
    }
    case 'empirical': {
      checker.known(object, path, ['kind', 'values']);
      const list = checker.array(object, path, 'values');
      if (!list) return undefined;
      if (list.length < 2) return checker.problem(join(path, 'values'), `${join(path, 'values')} must hold at least 2 latencies, got ${list.length}`);
      const bad = list.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v) || v < 0);
      if (bad >= 0) {
        return checker.problem(join(join(path, 'values'), bad), `${join(join(path, 'values'), bad)} must be a latency ≥ 0, got ${describe(list[bad])}`);
      }
      return { kind, values: list as number[] };
    }
    default:
      return checker.problem(join(path, 'kind'), `${join(path, 'kind')} must be one of lognormal, gamma, exponential, mixture, empirical, got ${describe(kind)}`);
  }
}

function parseModel(checker: Checker, value: unknown, path: string, segments: string[] | undefined): ModelBehaviour | undefined {
  const object = checker.object(value, path);
  if (!object) return undefined;
  checker.known(object, path, ['latency', 'errorRate', 'timeout', 'accuracy', 'agreement']);
  const latency = parseLatency(checker, object.latency, join(path, 'latency'));
  const errorRate = checker.number(object, path, 'errorRate', { min: 0, max: 1 });
  const timeout = object.timeout === undefined ? undefined : checker.number(object, path, 'timeout', { min: 0, exclusiveMin: true });
  const agreement = checker.number(object, path, 'agreement', { min: 0, max: 1, fallback: 1 });
  let accuracy: Record<string, number> | undefined;
  const rawAccuracy = object.accuracy ?? 0.9;
  if (typeof rawAccuracy === 'number') {
    const checked = checker.number({ accuracy: rawAccuracy }, path, 'accuracy', { min: 0, max: 1 });
    if (checked !== undefined) accuracy = Object.fromEntries((segments ?? ['all']).map((segment) => [segment, checked]));
  } else {
    const where = join(path, 'accuracy');
    const table = checker.object(rawAccuracy, where);
    if (table) {
      accuracy = {};
      for (const key of Object.keys(table)) {
        const rate = checker.number(table, where, key, { min: 0, max: 1 });
        if (rate !== undefined) accuracy[key] = rate;
        else accuracy = undefined;
        if (!accuracy) break;
      }
      if (accuracy && segments) {
        for (const segment of segments) {
          if (!(segment in accuracy)) checker.problem(join(where, segment), `${join(where, segment)} is required: accuracy must be given for every segment of traffic.segments`);
        }
        for (const key of Object.keys(accuracy)) {
          if (!segments.includes(key)) checker.problem(join(where, key), `${join(where, key)} is not a segment of traffic.segments`);
        }
      }
    }
  }
  if (latency === undefined || errorRate === undefined || agreement === undefined || accuracy === undefined) return undefined;
  if (object.timeout !== undefined && timeout === undefined) return undefined;
  return { latency, errorRate, timeout, accuracy, agreement };
}

function parseEffect(checker: Checker, value: unknown, path: string): FaultEffect | undefined {
  const object = checker.object(value, path);
  if (!object) return undefined;
  checker.known(object, path, ['errorRateMultiplier', 'extraErrorRate', 'latencyMultiplier']);
  const errorRateMultiplier = checker.number(object, path, 'errorRateMultiplier', { min: 0, fallback: 1 });
  const extraErrorRate = checker.number(object, path, 'extraErrorRate', { min: 0, max: 1, fallback: 0 });
  const latencyMultiplier = checker.number(object, path, 'latencyMultiplier', { min: 0, exclusiveMin: true, fallback: 1 });
  if (errorRateMultiplier === undefined || extraErrorRate === undefined || latencyMultiplier === undefined) return undefined;
  return { errorRateMultiplier, extraErrorRate, latencyMultiplier };
}

function parseFault(checker: Checker, value: unknown, path: string): Fault | undefined {
  const object = checker.object(value, path);
  if (!object) return undefined;
  const effect = parseEffect(checker, object.effect, join(path, 'effect'));
  switch (object.kind) {
    case 'step': {
      checker.known(object, path, ['kind', 'at', 'effect']);
      const at = checker.duration(object, path, 'at');
      return at === undefined || !effect ? undefined : { kind: 'step', at, effect };
    }
    case 'ramp': {
      checker.known(object, path, ['kind', 'start', 'end', 'effect']);
      const start = checker.duration(object, path, 'start');
      const end = checker.duration(object, path, 'end');
      if (start !== undefined && end !== undefined && !(end > start)) {
        return checker.problem(join(path, 'end'), `${join(path, 'end')} must be after start (${start} s), got ${end} s`);
      }
      return start === undefined || end === undefined || !effect ? undefined : { kind: 'ramp', start, end, effect };
    }
    case 'leak': {
      checker.known(object, path, ['kind', 'effect']);
      return effect ? { kind: 'leak', effect } : undefined;
    }
    case 'bursts': {
      checker.known(object, path, ['kind', 'start', 'every', 'duration', 'effect']);
      const start = checker.duration(object, path, 'start', 0);
      const every = checker.duration(object, path, 'every', undefined, true);
      const duration = checker.duration(object, path, 'duration', undefined, true);
      if (every !== undefined && duration !== undefined && !(duration < every)) {
        return checker.problem(join(path, 'duration'), `${join(path, 'duration')} must be shorter than every (${every} s), got ${duration} s`);
      }
      if (start === undefined || every === undefined || duration === undefined || !effect) return undefined;
      return { kind: 'bursts', start, every, duration, effect };
    }
    case 'outage': {
      checker.known(object, path, ['kind', 'start', 'duration', 'effect']);
      const start = checker.duration(object, path, 'start');
      const duration = checker.duration(object, path, 'duration', undefined, true);
      return start === undefined || duration === undefined || !effect ? undefined : { kind: 'outage', start, duration, effect };
    }
    default:
      return checker.problem(join(path, 'kind'), `${join(path, 'kind')} must be one of step, ramp, leak, bursts, outage, got ${describe(object.kind)}`);
  }
}

function parseTraffic(checker: Checker, value: unknown, path: string): Traffic | undefined {
  const object = checker.object(value, path);
  if (!object) return undefined;
  checker.known(object, path, ['requestsPerSecond', 'dailyCycle', 'bursts', 'arrivals', 'users', 'segments']);
  let ok = true;
  const requestsPerSecond = checker.number(object, path, 'requestsPerSecond', { min: 0, exclusiveMin: true });
  if (requestsPerSecond === undefined) ok = false;

  let dailyCycle: Traffic['dailyCycle'];
  if (object.dailyCycle !== undefined) {
    const where = join(path, 'dailyCycle');
    const cycle = checker.object(object.dailyCycle, where);
    if (cycle) {
      checker.known(cycle, where, ['amplitude', 'peakHour']);
      const amplitude = checker.number(cycle, where, 'amplitude', { min: 0, max: 1, exclusiveMax: true });
      const peakHour = checker.number(cycle, where, 'peakHour', { min: 0, max: 24, exclusiveMax: true, fallback: 14 });
      if (amplitude === undefined || peakHour === undefined) ok = false;
      else dailyCycle = { amplitude, peakHour };
    } else ok = false;
  }

  const bursts: TrafficBurst[] = [];
  const rawBursts = checker.array(object, path, 'bursts');
  if (!rawBursts) ok = false;
  rawBursts?.forEach((item, i) => {
    const where = join(join(path, 'bursts'), i);
    const burst = checker.object(item, where);
    if (!burst) return void (ok = false);
    checker.known(burst, where, ['start', 'duration', 'multiplier']);
    const start = checker.duration(burst, where, 'start');
    const duration = checker.duration(burst, where, 'duration', undefined, true);
    const multiplier = checker.number(burst, where, 'multiplier', { min: 0 });
    if (start === undefined || duration === undefined || multiplier === undefined) ok = false;
    else bursts.push({ start, duration, multiplier });
  });

  let arrivals: ArrivalProcess = { kind: 'poisson' };
  if (object.arrivals !== undefined) {
    const where = join(path, 'arrivals');
    const raw = checker.object(object.arrivals, where);
    if (!raw) ok = false;
    else if (raw.kind === 'poisson') checker.known(raw, where, ['kind']);
    else if (raw.kind === 'replay') {
      checker.known(raw, where, ['kind', 'times', 'period', 'file']);
      const times = checker.array(raw, where, 'times');
      if (!times || times.length === 0) {
        ok = false;
        if (times) checker.problem(join(where, 'times'), `${join(where, 'times')} must hold at least one arrival time (the CLI fills it from "file")`);
      } else {
        const bad = times.findIndex((t, i) => typeof t !== 'number' || !Number.isFinite(t) || t < 0 || (i > 0 && t < (times[i - 1] as number)));
        if (bad >= 0) {
          ok = false;
          checker.problem(join(join(where, 'times'), bad), `${join(join(where, 'times'), bad)} must be a time ≥ 0 s, not before the previous one, got ${describe(times[bad])}`);
        } else {
          const last = times[times.length - 1] as number;
          const period = checker.duration(raw, where, 'period', Math.max(1, Math.ceil(last + 1e-9)), true);
          if (period === undefined) ok = false;
          else if (!(period > last)) {
            ok = false;
            checker.problem(join(where, 'period'), `${join(where, 'period')} must be longer than the last arrival time ${last} s, got ${period} s`);
          } else arrivals = { kind: 'replay', times: times as number[], period };
        }
      }
    } else {
      ok = false;
      checker.problem(join(where, 'kind'), `${join(where, 'kind')} must be poisson or replay, got ${describe(raw.kind)}`);
    }
  }

  let users = { count: 10_000, zipfExponent: 0 };
  if (object.users !== undefined) {
    const where = join(path, 'users');
    const raw = checker.object(object.users, where);
    if (raw) {
      checker.known(raw, where, ['count', 'zipfExponent']);
      const count = checker.number(raw, where, 'count', { min: 1, max: 10_000_000, integer: true });
      const zipfExponent = checker.number(raw, where, 'zipfExponent', { min: 0, max: 5, fallback: 0 });
      if (count === undefined || zipfExponent === undefined) ok = false;
      else users = { count, zipfExponent };
    } else ok = false;
  }

  let segments: Record<string, number> = { all: 1 };
  if (object.segments !== undefined) {
    const parsed = checker.weights(object.segments, join(path, 'segments'));
    if (parsed) segments = parsed;
    else ok = false;
  }
  if (!ok || requestsPerSecond === undefined) return undefined;
  return { requestsPerSecond, dailyCycle, bursts, arrivals, users, segments };
}

function parseDrift(checker: Checker, value: unknown, path: string, segments: string[] | undefined): Drift | undefined {
  const empty: Drift = { accuracyDecayPerDay: { control: 0, candidate: 0 }, agreementDecayPerDay: 0 };
  if (value === undefined) return empty;
  const object = checker.object(value, path);
  if (!object) return undefined;
  checker.known(object, path, ['segmentMix', 'accuracyDecayPerDay', 'agreementDecayPerDay']);
  let ok = true;
  let segmentMix: Drift['segmentMix'];
  if (object.segmentMix !== undefined) {
    const where = join(path, 'segmentMix');
    const mix = checker.object(object.segmentMix, where);
    if (mix) {
      checker.known(mix, where, ['target', 'over']);
      const target = checker.weights(mix.target, join(where, 'target'));
      const over = checker.duration(mix, where, 'over', undefined, true);
      if (target && segments) {
        for (const key of Object.keys(target)) {
          if (!segments.includes(key)) {
            ok = false;
            checker.problem(join(join(where, 'target'), key), `${join(join(where, 'target'), key)} is not a segment of traffic.segments`);
          }
        }
      }
      if (!target || over === undefined) ok = false;
      else segmentMix = { target, over };
    } else ok = false;
  }
  const accuracyDecayPerDay = { control: 0, candidate: 0 };
  if (object.accuracyDecayPerDay !== undefined) {
    const where = join(path, 'accuracyDecayPerDay');
    const decay = checker.object(object.accuracyDecayPerDay, where);
    if (decay) {
      checker.known(decay, where, ['control', 'candidate']);
      const control = checker.number(decay, where, 'control', { min: 0, max: 1, fallback: 0 });
      const candidate = checker.number(decay, where, 'candidate', { min: 0, max: 1, fallback: 0 });
      if (control === undefined || candidate === undefined) ok = false;
      else Object.assign(accuracyDecayPerDay, { control, candidate });
    } else ok = false;
  }
  const agreementDecayPerDay = checker.number(object, path, 'agreementDecayPerDay', { min: 0, max: 1, fallback: 0 });
  if (!ok || agreementDecayPerDay === undefined) return undefined;
  return { segmentMix, accuracyDecayPerDay, agreementDecayPerDay };
}

function parseInputs(checker: Checker, value: unknown, path: string): Record<string, InputFeature> | undefined {
  const object = checker.object(value, path);
  if (!object) return undefined;
  const inputs: Record<string, InputFeature> = {};
  let ok = true;
  if (Object.keys(object).length === 0) return checker.problem(path, `${path} must list at least one input feature`);
  for (const name of Object.keys(object)) {
    const where = join(path, name);
    const raw = checker.object(object[name], where);
    if (!raw) {
      ok = false;
      continue;
    }
    if (raw.kind === 'categorical') {
      checker.known(raw, where, ['kind', 'mix', 'target', 'over']);
      const mix = checker.weights(raw.mix, join(where, 'mix'));
      const target = raw.target === undefined ? undefined : checker.weights(raw.target, join(where, 'target'));
      const over = raw.target === undefined ? undefined : checker.duration(raw, where, 'over', undefined, true);
      if (mix && target) {
        for (const key of Object.keys(target)) {
          if (!(key in mix)) {
            ok = false;
            checker.problem(join(join(where, 'target'), key), `${join(join(where, 'target'), key)} is not a category of ${join(where, 'mix')}`);
          }
        }
      }
      if (raw.target === undefined && raw.over !== undefined) checker.problem(join(where, 'over'), `${join(where, 'over')} needs a target`);
      if (!mix || (raw.target !== undefined && (!target || over === undefined))) ok = false;
      else inputs[name] = target === undefined ? { kind: 'categorical', mix } : { kind: 'categorical', mix, target, over };
      continue;
    }
    if (raw.kind !== 'normal' && raw.kind !== 'lognormal') {
      ok = false;
      checker.problem(join(where, 'kind'), `${join(where, 'kind')} must be normal, lognormal or categorical, got ${describe(raw.kind)}`);
      continue;
    }
    const [location, spread] = raw.kind === 'normal' ? ['mean', 'sd'] : ['median', 'sigma'];
    checker.known(raw, where, ['kind', location, spread, 'shiftPerWeek', 'scalePerWeek', 'accuracyLossPerSd']);
    const locationValue = checker.number(raw, where, location, raw.kind === 'normal' ? {} : { min: 0, exclusiveMin: true });
    const spreadValue = checker.number(raw, where, spread, { min: 0, exclusiveMin: true });
    const shiftPerWeek = checker.number(raw, where, 'shiftPerWeek', { fallback: 0 });
    const scalePerWeek = checker.number(raw, where, 'scalePerWeek', { min: -1, fallback: 0 });
    let accuracyLossPerSd: { control: number; candidate: number } | undefined;
    if (raw.accuracyLossPerSd !== undefined) {
      const lossWhere = join(where, 'accuracyLossPerSd');
      const loss = checker.object(raw.accuracyLossPerSd, lossWhere);
      if (loss) {
        checker.known(loss, lossWhere, ['control', 'candidate']);
        const control = checker.number(loss, lossWhere, 'control', { min: 0, max: 1, fallback: 0 });
        const candidate = checker.number(loss, lossWhere, 'candidate', { min: 0, max: 1, fallback: 0 });
        if (control === undefined || candidate === undefined) ok = false;
        else accuracyLossPerSd = { control, candidate };
      } else ok = false;
    }
    if (locationValue === undefined || spreadValue === undefined || shiftPerWeek === undefined || scalePerWeek === undefined) {
      ok = false;
      continue;
    }
    const feature: InputFeature =
      raw.kind === 'normal'
        ? { kind: 'normal', mean: locationValue, sd: spreadValue, shiftPerWeek, scalePerWeek }
        : { kind: 'lognormal', median: locationValue, sigma: spreadValue, shiftPerWeek, scalePerWeek };
    if (accuracyLossPerSd) feature.accuracyLossPerSd = accuracyLossPerSd;
    inputs[name] = feature;
  }
  return ok ? inputs : undefined;
}

function parseTruth(checker: Checker, value: unknown, path: string): Truth | undefined {
  if (value === undefined) return { errorRateRatio: 1.2, p95Ratio: 1.1 };
  const object = checker.object(value, path);
  if (!object) return undefined;
  checker.known(object, path, ['errorRateRatio', 'p95Ratio', 'accuracyDrop']);
  const errorRateRatio = checker.number(object, path, 'errorRateRatio', { min: 1, fallback: 1.2 });
  const p95Ratio = checker.number(object, path, 'p95Ratio', { min: 1, fallback: 1.1 });
  const accuracyDrop = object.accuracyDrop === undefined ? undefined : checker.number(object, path, 'accuracyDrop', { min: 0, max: 1 });
  if (errorRateRatio === undefined || p95Ratio === undefined) return undefined;
  if (object.accuracyDrop !== undefined && accuracyDrop === undefined) return undefined;
  return accuracyDrop === undefined ? { errorRateRatio, p95Ratio } : { errorRateRatio, p95Ratio, accuracyDrop };
}

/**
 * Checks a scenario document and returns the parsed `Scenario`, or every problem found, each
 * with its JSON path and reason (`traffic.users.count must be a whole number, got 2.5`).
 * Optional library fields: `story`, `lesson` (non-empty strings), `tags` (non-empty strings),
 * `refusedPolicy` (an object, not checked here: it is meant to fail `parsePolicy`).
 * Optional `inputs`: input features and their drift (`InputFeature`, model in inputDrift.ts).
 * Defaults: users 10,000 uniform, segments `{ all: 1 }`, Poisson arrivals, accuracy 0.9,
 * agreement 1, no faults, no drift, truth ×1.2 error rate and ×1.1 p95, horizon 14 days.
 * Cost O(size of the document).
 */
export function parseScenario(json: unknown): ParseScenarioResult {
  const checker = new Checker();
  const root = checker.object(json, '');
  if (!root) return { ok: false, errors: checker.errors };
  checker.known(root, '', [
    '$schema', 'version', 'name', 'description', 'story', 'lesson', 'tags', 'horizon', 'traffic', 'control', 'candidate', 'faults', 'drift', 'inputs', 'truth', 'policy', 'refusedPolicy',
  ]);
  if (root.version !== 1) checker.problem('version', `version must be 1, got ${describe(root.version)}`);
  if (typeof root.name !== 'string' || root.name.trim() === '') checker.problem('name', `name must be a non-empty string, got ${describe(root.name)}`);
  if (root.description !== undefined && typeof root.description !== 'string') {
    checker.problem('description', `description must be a string, got ${describe(root.description)}`);
  }
  for (const key of ['story', 'lesson'] as const) {
    const text = root[key];
    if (text !== undefined && (typeof text !== 'string' || text.trim() === '')) checker.problem(key, `${key} must be a non-empty string, got ${describe(text)}`);
  }
  if (root.tags !== undefined) {
    const tags = root.tags;
    if (!Array.isArray(tags)) checker.problem('tags', `tags must be an array of strings, got ${describe(tags)}`);
    else {
      tags.forEach((tag, i) => {
        if (typeof tag !== 'string' || tag.trim() === '') checker.problem(join('tags', i), `${join('tags', i)} must be a non-empty string, got ${describe(tag)}`);
      });
    }
  }
  const horizon = checker.duration(root, '', 'horizon', 14 * 86400, true);
  const traffic = parseTraffic(checker, root.traffic, 'traffic');
  const segments = traffic ? Object.keys(traffic.segments) : undefined;
  const control = parseModel(checker, root.control, 'control', segments);
  const candidate = parseModel(checker, root.candidate, 'candidate', segments);
  const faults: Fault[] = [];
  checker.array(root, '', 'faults')?.forEach((item, i) => {
    const fault = parseFault(checker, item, join('faults', i));
    if (fault) faults.push(fault);
  });
  const drift = parseDrift(checker, root.drift, 'drift', segments);
  const truth = parseTruth(checker, root.truth, 'truth');
  const inputs = root.inputs === undefined ? undefined : parseInputs(checker, root.inputs, 'inputs');
  if (root.policy !== undefined) checker.object(root.policy, 'policy');
  if (root.refusedPolicy !== undefined) checker.object(root.refusedPolicy, 'refusedPolicy');
  if (checker.errors.length > 0 || !traffic || !control || !candidate || !drift || !truth || horizon === undefined) {
    return { ok: false, errors: checker.errors };
  }
  const scenario: Scenario = { version: 1, name: root.name as string, horizon, traffic, control, candidate, faults, drift, truth };
  if (typeof root.description === 'string') scenario.description = root.description;
  if (inputs !== undefined) scenario.inputs = inputs;
  if (root.policy !== undefined) scenario.policy = root.policy;
  if (typeof root.story === 'string') scenario.story = root.story;
  if (typeof root.lesson === 'string') scenario.lesson = root.lesson;
  if (Array.isArray(root.tags)) scenario.tags = [...(root.tags as string[])];
  if (root.refusedPolicy !== undefined) scenario.refusedPolicy = root.refusedPolicy;
  return { ok: true, scenario };
}
