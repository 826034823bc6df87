/**
 * The scenario document: the simulated world a policy is tested against (DESIGN.md §4) —
 * traffic, each model's behaviour, injected faults, drift, and the truth that scores each run.
 *
 * `parseScenario(json)` is the public edge: it checks everything once and lists EVERY problem by
 * JSON path and reason; the rest of the simulator trusts the parsed `Scenario`. Each constraint
 * is written once, in the field table `scenarioFields` (scenarioFields.ts): the per-field rules,
 * checked by the engine's validation machinery (src/engine/validation) and published from the
 * same table as `scenarios/scenario.schema.json` by `npm run schemas`, and the cross-field rules
 * — e.g. a lognormal gives `sigma` or `p95`, `p95 > median` — as the table's hooks. Durations are
 * seconds or strings like `"5m"`, `"24h"`, parsed once into seconds.
 */
import { streamSeed } from '../engine/random/seedFromText.ts';
import type { ArraySpec, ObjectSpec } from '../engine/validation/index.ts';
import { fieldValue, validateDocument } from '../engine/validation/index.ts';
import type { LatencyDistribution } from './latencyModel.ts';
import type { MetricValues, SimpleValueLaw, ValueLaw } from './metricValues.ts';
import { defaultReplayPeriod, scenarioFields, scenarioParts } from './scenarioFields.ts';

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
  /**
   * Named metric values (tokens, cost, revenue) drawn in A/B stages and reported per arm as
   * per-user sums (`ArmWindow.values`); vocabulary in metricValues.ts. Both models give the same
   * names and kinds; absent when none.
   */
  values?: Record<string, MetricValues>;
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
  | {
      kind: 'normal';
      mean: number;
      sd: number;
      shiftPerWeek: number;
      scalePerWeek: number;
      accuracyLossPerSd?: { control: number; candidate: number };
    }
  | {
      kind: 'lognormal';
      median: number;
      sigma: number;
      shiftPerWeek: number;
      scalePerWeek: number;
      accuracyLossPerSd?: { control: number; candidate: number };
    }
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
  /**
   * The stream seed simulations of this scenario use when the caller gives none: the document's
   * `seed`, a whole number or a text such as `"release-2026-12"` mapped by `seedFromText`.
   */
  seed?: number;
}

type Json = Record<string, unknown>;

const { model, effect, fault, replayArrivals, traffic, decayByModel, drift, inputFeature } = scenarioParts;

function normalised(weights: Json): Record<string, number> {
  const total = Object.values(weights).reduce((sum: number, w) => sum + (w as number), 0);
  const result: Record<string, number> = {};
  for (const key of Object.keys(weights)) result[key] = (weights[key] as number) / total;
  return result;
}

function buildLatency(json: Json): LatencyDistribution {
  switch (json.kind) {
    case 'lognormal':
      return json.sigma !== undefined
        ? { kind: 'lognormal', median: json.median as number, sigma: json.sigma as number }
        : { kind: 'lognormal', median: json.median as number, p95: json.p95 as number };
    case 'gamma':
      return { kind: 'gamma', shape: json.shape as number, scale: json.scale as number };
    case 'exponential':
      return { kind: 'exponential', mean: json.mean as number };
    case 'mixture':
      return {
        kind: 'mixture',
        components: (json.components as Json[]).map((c) => ({
          weight: c.weight as number,
          distribution: buildLatency(c.distribution as Json) as Exclude<LatencyDistribution, { kind: 'mixture' }>,
        })),
      };
    default:
      return { kind: 'empirical', values: json.values as number[] };
  }
}

function buildValueLaw(json: Json): ValueLaw {
  switch (json.kind) {
    case 'constant':
      return { kind: 'constant', value: json.value as number };
    case 'normal':
      return { kind: 'normal', mean: json.mean as number, sd: json.sd as number };
    case 'lognormal':
      return { kind: 'lognormal', median: json.median as number, sigma: json.sigma as number };
    case 'gamma':
      return { kind: 'gamma', shape: json.shape as number, scale: json.scale as number };
    case 'poisson':
      return { kind: 'poisson', mean: json.mean as number };
    default:
      return {
        kind: 'zeroInflated',
        zeroProbability: json.zeroProbability as number,
        value: buildValueLaw(json.value as Json) as SimpleValueLaw,
      };
  }
}

/** One metric's values; the candidate's user effect and preCorrelation default to the control's (`inherited`). */
function buildMetricValues(json: Json, inherited: MetricValues | undefined): MetricValues {
  const userEffectSigma = (json.userEffectSigma as number | undefined) ?? inherited?.userEffectSigma ?? 0;
  if (json.kind === 'perRequest') return { kind: 'perRequest', value: buildValueLaw(json.value as Json), userEffectSigma };
  if (json.kind === 'ratio')
    return {
      kind: 'ratio',
      numerator: buildValueLaw(json.numerator as Json),
      denominator: buildValueLaw(json.denominator as Json),
      userEffectSigma,
    };
  const metric: MetricValues = { kind: 'perUser', value: buildValueLaw(json.value as Json), userEffectSigma };
  const preCorrelation =
    (json.preCorrelation as number | undefined) ?? (inherited?.kind === 'perUser' ? inherited.preCorrelation : undefined);
  if (preCorrelation !== undefined) metric.preCorrelation = preCorrelation;
  return metric;
}

function buildValues(json: Json, inherited: Record<string, MetricValues> | undefined): Record<string, MetricValues> {
  const values: Record<string, MetricValues> = {};
  for (const [name, metric] of Object.entries(json)) values[name] = buildMetricValues(metric as Json, inherited?.[name]);
  return values;
}

function buildModel(json: Json, segments: string[], inheritedValues?: Record<string, MetricValues>): ModelBehaviour {
  const accuracy = fieldValue(json, model, 'accuracy');
  const behaviour: ModelBehaviour = {
    latency: buildLatency(json.latency as Json),
    errorRate: json.errorRate as number,
    timeout: json.timeout as number | undefined,
    accuracy:
      typeof accuracy === 'number'
        ? Object.fromEntries(segments.map((segment) => [segment, accuracy]))
        : { ...(accuracy as Record<string, number>) },
    agreement: fieldValue(json, model, 'agreement') as number,
  };
  if (json.values !== undefined) behaviour.values = buildValues(json.values as Json, inheritedValues);
  return behaviour;
}

function buildEffect(json: Json): FaultEffect {
  return {
    errorRateMultiplier: fieldValue(json, effect, 'errorRateMultiplier') as number,
    extraErrorRate: fieldValue(json, effect, 'extraErrorRate') as number,
    latencyMultiplier: fieldValue(json, effect, 'latencyMultiplier') as number,
  };
}

function buildFault(json: Json): Fault {
  const spec = fault.variants[json.kind as string];
  const seconds = (key: string) => fieldValue(json, spec, key) as number;
  const faultEffect = buildEffect(json.effect as Json);
  switch (json.kind) {
    case 'step':
      return { kind: 'step', at: seconds('at'), effect: faultEffect };
    case 'ramp':
      return { kind: 'ramp', start: seconds('start'), end: seconds('end'), effect: faultEffect };
    case 'leak':
      return { kind: 'leak', effect: faultEffect };
    case 'bursts':
      return { kind: 'bursts', start: seconds('start'), every: seconds('every'), duration: seconds('duration'), effect: faultEffect };
    default:
      return { kind: 'outage', start: seconds('start'), duration: seconds('duration'), effect: faultEffect };
  }
}

function buildTraffic(json: Json): Traffic {
  const cycle = json.dailyCycle as Json | undefined;
  const dailyCycleSpec = traffic.fields.dailyCycle as ObjectSpec;
  const burstSpec = (traffic.fields.bursts as ArraySpec).items as ObjectSpec;
  const rawArrivals = json.arrivals as Json | undefined;
  let arrivals: ArrivalProcess = { kind: 'poisson' };
  if (rawArrivals?.kind === 'replay') {
    const times = rawArrivals.times as number[];
    arrivals = {
      kind: 'replay',
      times,
      period: (fieldValue(rawArrivals, replayArrivals, 'period') as number | undefined) ?? defaultReplayPeriod(times),
    };
  }
  const usersSpec = traffic.fields.users as ObjectSpec;
  const users = fieldValue(json, traffic, 'users') as Json;
  return {
    requestsPerSecond: json.requestsPerSecond as number,
    dailyCycle: cycle && { amplitude: cycle.amplitude as number, peakHour: fieldValue(cycle, dailyCycleSpec, 'peakHour') as number },
    bursts: (fieldValue(json, traffic, 'bursts') as Json[]).map((burst) => ({
      start: fieldValue(burst, burstSpec, 'start') as number,
      duration: fieldValue(burst, burstSpec, 'duration') as number,
      multiplier: burst.multiplier as number,
    })),
    arrivals,
    users: { count: users.count as number, zipfExponent: fieldValue(users, usersSpec, 'zipfExponent') as number },
    segments: normalised(fieldValue(json, traffic, 'segments') as Json),
  };
}

function buildDrift(json: Json | undefined): Drift {
  const object = json ?? {};
  const mix = object.segmentMix as Json | undefined;
  const mixSpec = drift.fields.segmentMix as ObjectSpec;
  const decay = (object.accuracyDecayPerDay as Json | undefined) ?? {};
  return {
    segmentMix: mix && { target: normalised(mix.target as Json), over: fieldValue(mix, mixSpec, 'over') as number },
    accuracyDecayPerDay: {
      control: fieldValue(decay, decayByModel, 'control') as number,
      candidate: fieldValue(decay, decayByModel, 'candidate') as number,
    },
    agreementDecayPerDay: fieldValue(object, drift, 'agreementDecayPerDay') as number,
  };
}

function buildInputs(json: Json): Record<string, InputFeature> {
  const inputs: Record<string, InputFeature> = {};
  for (const [name, value] of Object.entries(json)) {
    const raw = value as Json;
    const spec = inputFeature.variants[raw.kind as string];
    if (raw.kind === 'categorical') {
      const mix = normalised(raw.mix as Json);
      inputs[name] =
        raw.target === undefined
          ? { kind: 'categorical', mix }
          : { kind: 'categorical', mix, target: normalised(raw.target as Json), over: fieldValue(raw, spec, 'over') as number };
      continue;
    }
    const shiftPerWeek = fieldValue(raw, spec, 'shiftPerWeek') as number;
    const scalePerWeek = fieldValue(raw, spec, 'scalePerWeek') as number;
    const feature: InputFeature =
      raw.kind === 'normal'
        ? { kind: 'normal', mean: raw.mean as number, sd: raw.sd as number, shiftPerWeek, scalePerWeek }
        : { kind: 'lognormal', median: raw.median as number, sigma: raw.sigma as number, shiftPerWeek, scalePerWeek };
    const loss = raw.accuracyLossPerSd as Json | undefined;
    if (loss)
      feature.accuracyLossPerSd = {
        control: fieldValue(loss, decayByModel, 'control') as number,
        candidate: fieldValue(loss, decayByModel, 'candidate') as number,
      };
    inputs[name] = feature;
  }
  return inputs;
}

function buildTruth(json: Json | undefined): Truth {
  const object = json ?? {};
  const spec = scenarioFields.fields.truth as ObjectSpec;
  const truth: Truth = {
    errorRateRatio: fieldValue(object, spec, 'errorRateRatio') as number,
    p95Ratio: fieldValue(object, spec, 'p95Ratio') as number,
  };
  if (object.accuracyDrop !== undefined) truth.accuracyDrop = object.accuracyDrop as number;
  return truth;
}

/**
 * Checks a scenario document and returns the parsed `Scenario`, or every problem found, each
 * with its JSON path and reason (`traffic.users.count must be a whole number, got 2.5`; the
 * message of a scenario problem starts with its path, `scenario` for the document itself).
 * The per-field rules are the field table `scenarioFields` (published as
 * scenarios/scenario.schema.json); the cross-field rules are its hooks.
 * Optional library fields: `story`, `lesson` (non-empty strings), `tags` (non-empty strings),
 * `refusedPolicy` (an object, not checked here: it is meant to fail `parsePolicy`).
 * Optional `inputs`: input features and their drift (`InputFeature`, model in inputDrift.ts).
 * Optional `seed`: a whole number or a text, parsed into the numeric stream seed (`seedFromText`).
 * Optional per-model `values`: named metric values for mean and ratio A/B metrics (metricValues.ts);
 * the candidate's `userEffectSigma` and `preCorrelation` default to the control's.
 * Defaults: users 10,000 uniform, segments `{ all: 1 }`, Poisson arrivals, accuracy 0.9,
 * agreement 1, no faults, no drift, truth ×1.2 error rate and ×1.1 p95, horizon 14 days.
 * Cost O(size of the document).
 */
export function parseScenario(json: unknown): ParseScenarioResult {
  const problems = validateDocument(json, scenarioFields);
  if (problems.length > 0) {
    return { ok: false, errors: problems.map(({ path, message }) => ({ path, message: `${path || 'scenario'} ${message}` })) };
  }
  const root = json as Json;
  const parsedTraffic = buildTraffic(root.traffic as Json);
  const segments = Object.keys(parsedTraffic.segments);
  const parsedControl = buildModel(root.control as Json, segments);
  const scenario: Scenario = {
    version: 1,
    name: root.name as string,
    horizon: fieldValue(root, scenarioFields, 'horizon') as number,
    traffic: parsedTraffic,
    control: parsedControl,
    candidate: buildModel(root.candidate as Json, segments, parsedControl.values),
    faults: (fieldValue(root, scenarioFields, 'faults') as Json[]).map(buildFault),
    drift: buildDrift(root.drift as Json | undefined),
    truth: buildTruth(root.truth as Json | undefined),
  };
  if (typeof root.description === 'string') scenario.description = root.description;
  if (root.inputs !== undefined) scenario.inputs = buildInputs(root.inputs as Json);
  if (root.policy !== undefined) scenario.policy = root.policy;
  if (typeof root.story === 'string') scenario.story = root.story;
  if (typeof root.lesson === 'string') scenario.lesson = root.lesson;
  if (Array.isArray(root.tags)) scenario.tags = [...(root.tags as string[])];
  if (root.refusedPolicy !== undefined) scenario.refusedPolicy = root.refusedPolicy;
  if (root.seed !== undefined) scenario.seed = streamSeed(root.seed as number | string, 'seed');
  return { ok: true, scenario };
}
