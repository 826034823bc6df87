/**
 * The scenario document: the simulated world a policy is tested against (DESIGN.md §4) —
 * traffic, each model's behaviour, injected faults, drift, and the truth that scores each run.
 *
 * `parseScenario(json)` is the public edge: it checks everything once and lists EVERY problem by
 * JSON path and reason; the rest of the simulator trusts the parsed `Scenario`. Each constraint
 * is written once: the per-field rules in the field table `scenarioFields` (checked by the
 * engine's validation machinery, src/engine/validation, and published from the same table as
 * `scenarios/scenario.schema.json` by `npm run schemas`), the cross-field rules — e.g. a lognormal
 * gives `sigma` or `p95`, `p95 > median` — as the table's hooks. Durations are seconds or strings
 * like `"5m"`, `"24h"`, parsed once into seconds.
 */
import { durationSeconds } from '../engine/policy/duration.ts';
import { streamSeed } from '../engine/random/seedFromText.ts';
import type { ArraySpec, CrossFieldCheck, MapSpec, ObjectSpec, SchemaHeader } from '../engine/validation/index.ts';
import {
  arrayField,
  constantField,
  durationField,
  eitherField,
  fieldValue,
  isJsonObject,
  mapField,
  numberField,
  objectField,
  textField,
  validateDocument,
  variantsField,
} from '../engine/validation/index.ts';
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

const positive = { min: 0, exclusiveMin: true };
const probability = { min: 0, max: 1 };

/** Weights by name (segments, categories), at least one, not all 0; normalised to sum 1 when parsed. */
function weightsField(noun: string, options: { required?: boolean; description?: string; default?: unknown } = {}): MapSpec {
  return mapField(numberField({ min: 0 }), {
    ...options,
    nonEmpty: `must list at least one ${noun}`,
    check: (weights, path, report, failed) => {
      if (failed.size === 0 && !Object.values(weights).some((w) => (w as number) > 0)) report(path, 'weights must not all be 0');
    },
  });
}

/** A lognormal gives exactly one of sigma and p95, and p95 above the median. */
const lognormalShape: CrossFieldCheck = (latency, path, report, failed) => {
  const hasSigma = latency.sigma !== undefined;
  if (hasSigma === (latency.p95 !== undefined)) return report(path, 'must give exactly one of sigma or p95');
  if (hasSigma || failed.has('median') || failed.has('p95')) return;
  const { median, p95 } = latency as { median: number; p95: number };
  if (!(p95 > median)) report(`${path}.p95`, `must be greater than the median ${median}, got ${p95}`);
};

const simpleLatencies: Record<string, ObjectSpec> = {
  lognormal: objectField(
    {
      kind: constantField('lognormal'),
      median: numberField({ required: true, ...positive }),
      sigma: numberField(positive),
      p95: numberField(positive),
    },
    {
      definition: 'lognormalLatency',
      description: 'ln(latency) ~ Normal(ln median, sigma²); give exactly one of sigma or p95 (> median).',
      check: lognormalShape,
    },
  ),
  gamma: objectField(
    {
      kind: constantField('gamma'),
      shape: numberField({ required: true, ...positive }),
      scale: numberField({ required: true, ...positive }),
    },
    { definition: 'gammaLatency', description: 'Gamma(shape, scale) in ms.' },
  ),
  exponential: objectField(
    { kind: constantField('exponential'), mean: numberField({ required: true, ...positive }) },
    { definition: 'exponentialLatency', description: 'Exponential with this mean (ms).' },
  ),
  empirical: objectField(
    {
      kind: constantField('empirical'),
      values: arrayField(numberField({ min: 0 }), {
        required: true,
        minItems: 2,
        tooFew: (count) => `must hold at least 2 latencies, got ${count}`,
      }),
    },
    { definition: 'empiricalLatency', description: 'Observed latencies (ms), read as the continuous law of their type-7 quantile.' },
  ),
};

const latency = variantsField(
  'kind',
  {
    lognormal: simpleLatencies.lognormal,
    gamma: simpleLatencies.gamma,
    exponential: simpleLatencies.exponential,
    mixture: objectField(
      {
        kind: constantField('mixture'),
        components: arrayField(
          objectField({
            weight: numberField({ required: true, ...positive }),
            distribution: variantsField('kind', simpleLatencies, {
              required: true,
              refused: { mixture: 'must not be a mixture inside a mixture' },
            }),
          }),
          { required: true, minItems: 1, tooFew: 'must have at least one component' },
        ),
      },
      { description: 'A mixture of the other laws, weights normalised.' },
    ),
    empirical: simpleLatencies.empirical,
  },
  { definition: 'latency', description: 'Latency law of one model, in ms.' },
);

const model = objectField(
  {
    latency: { ...latency, required: true },
    errorRate: numberField({ required: true, ...probability, description: 'Probability that a request fails.' }),
    timeout: numberField({ ...positive, description: 'Latency (ms) above which a request times out.' }),
    accuracy: eitherField([numberField(probability), mapField(numberField(probability))], {
      default: 0.9,
      description: 'Probability an outcome is judged correct, overall or per segment.',
    }),
    agreement: numberField({
      ...probability,
      default: 1,
      description: 'Probability the candidate agrees with control (shadow comparisons).',
    }),
  },
  { definition: 'model', required: true, description: 'How one model behaves.' },
);

const effect = objectField(
  {
    errorRateMultiplier: numberField({ min: 0, default: 1 }),
    extraErrorRate: numberField({ ...probability, default: 0 }),
    latencyMultiplier: numberField({ ...positive, default: 1 }),
  },
  {
    required: true,
    definition: 'faultEffect',
    description:
      'Error rate × errorRateMultiplier + extraErrorRate, latency × latencyMultiplier; at partial strength f the multipliers are 1 + f(m − 1) and the extra rate f·extra.',
  },
);

const fault = variantsField('kind', {
  step: objectField(
    { kind: constantField('step'), at: durationField({ required: true }), effect },
    { description: 'Full effect on the candidate from time at.' },
  ),
  ramp: objectField(
    { kind: constantField('ramp'), start: durationField({ required: true }), end: durationField({ required: true }), effect },
    {
      description: 'Strength rises linearly from 0 at start to 1 at end.',
      check: (ramp, path, report, failed) => {
        if (failed.has('start') || failed.has('end')) return;
        const [start, end] = [durationSeconds(ramp.start) as number, durationSeconds(ramp.end) as number];
        if (!(end > start)) report(`${path}.end`, `must be after start (${start} s), got ${end} s`);
      },
    },
  ),
  leak: objectField(
    { kind: constantField('leak'), effect },
    { description: 'Strength = hours the candidate has run on traffic, served or mirrored (effect per hour).' },
  ),
  bursts: objectField(
    {
      kind: constantField('bursts'),
      start: durationField({ default: 0 }),
      every: durationField({ required: true, positive: true }),
      duration: durationField({ required: true, positive: true }),
      effect,
    },
    {
      description: 'Full effect during [start + k·every, start + k·every + duration).',
      check: (bursts, path, report, failed) => {
        if (failed.has('every') || failed.has('duration')) return;
        const [every, duration] = [durationSeconds(bursts.every) as number, durationSeconds(bursts.duration) as number];
        if (!(duration < every)) report(`${path}.duration`, `must be shorter than every (${every} s), got ${duration} s`);
      },
    },
  ),
  outage: objectField(
    {
      kind: constantField('outage'),
      start: durationField({ required: true }),
      duration: durationField({ required: true, positive: true }),
      effect,
    },
    { description: 'A shared dependency fails: full effect on BOTH models during [start, start + duration).' },
  ),
});

/** The replay period a trace gets when none is given: the last time rounded up (at least 1 s). */
function defaultReplayPeriod(times: readonly number[]): number {
  return Math.max(1, Math.ceil(times[times.length - 1] + 1e-9));
}

const replayArrivals = objectField(
  {
    kind: constantField('replay'),
    times: arrayField(numberField({ min: 0 }), {
      minItems: 1,
      tooFew: 'must hold at least one arrival time (the CLI fills it from "file")',
      description: 'Arrival times, seconds from the start of the trace, ascending.',
      check: (times, path, report, failed) => {
        if (failed.size > 0) return;
        const at = times.findIndex((t, i) => i > 0 && (t as number) < (times[i - 1] as number));
        if (at > 0) report(`${path}[${at}]`, `must not be before the previous arrival time ${times[at - 1]} s, got ${times[at]}`);
      },
    }),
    period: durationField({ positive: true, description: 'The trace repeats every period (default: the last time rounded up).' }),
    file: textField({ description: 'CSV trace (TIMESTAMP column) relative to the scenario; the CLI loads it into times.' }),
  },
  {
    description: 'Replay of real arrival times; requestsPerSecond, dailyCycle and bursts are then ignored.',
    check: (replay, path, report, failed) => {
      // Not required in the published schema: a document on disk may give "file" instead, which
      // the CLI reads into times before parsing.
      if (replay.times === undefined)
        return report(`${path}.times`, 'is required: at least one arrival time (the CLI fills it from "file")');
      if (failed.has('times') || failed.has('period') || replay.period === undefined || !Array.isArray(replay.times)) return;
      const last = replay.times[replay.times.length - 1] as number;
      const period = durationSeconds(replay.period) as number;
      if (!(period > last)) report(`${path}.period`, `must be longer than the last arrival time ${last} s, got ${period} s`);
    },
  },
);

const traffic = objectField(
  {
    requestsPerSecond: numberField({ required: true, ...positive, description: 'Mean arrival rate before the daily cycle and bursts.' }),
    dailyCycle: objectField(
      {
        amplitude: numberField({ required: true, min: 0, max: 1, exclusiveMax: true }),
        peakHour: numberField({ min: 0, max: 24, exclusiveMax: true, default: 14 }),
      },
      { description: 'rate × (1 + amplitude·cos(2π(t − peakHour·3600)/86400)); time 0 is midnight.' },
    ),
    bursts: arrayField(
      objectField({
        start: durationField({ required: true }),
        duration: durationField({ required: true, positive: true }),
        multiplier: numberField({ required: true, min: 0 }),
      }),
      { default: [], description: 'Bursts of extra traffic: the rate × multiplier over [start, start + duration).' },
    ),
    arrivals: variantsField(
      'kind',
      { poisson: objectField({ kind: constantField('poisson') }), replay: replayArrivals },
      { description: 'How arrival times are generated (default Poisson).' },
    ),
    users: objectField(
      {
        count: numberField({ required: true, min: 1, max: 10_000_000, integer: true }),
        zipfExponent: numberField({ min: 0, max: 5, default: 0 }),
      },
      {
        default: { count: 10_000, zipfExponent: 0 },
        description: 'Users user-0 … user-(count−1); a request comes from rank r with probability ∝ 1/(r+1)^zipfExponent.',
      },
    ),
    segments: weightsField('segment', { default: { all: 1 }, description: 'Segment weights, normalised (default { all: 1 }).' }),
  },
  { required: true, description: 'Incoming traffic.' },
);

const decayByModel = objectField({
  control: numberField({ ...probability, default: 0 }),
  candidate: numberField({ ...probability, default: 0 }),
});

const drift = objectField(
  {
    segmentMix: objectField(
      { target: weightsField('segment', { required: true }), over: durationField({ required: true, positive: true }) },
      { description: 'The segment mix moves linearly from traffic.segments to target over `over`.' },
    ),
    accuracyDecayPerDay: { ...decayByModel, description: 'Accuracy lost per day (absolute), by model.' },
    agreementDecayPerDay: numberField({ ...probability, default: 0, description: 'Agreement between the models lost per day (absolute).' }),
  },
  { description: 'Slow change over days and weeks.' },
);

function numericInput(kind: 'normal' | 'lognormal'): ObjectSpec {
  const [location, spread] = kind === 'normal' ? ['mean', 'sd'] : ['median', 'sigma'];
  return objectField({
    kind: constantField(kind),
    [location]: numberField(kind === 'normal' ? { required: true } : { required: true, ...positive }),
    [spread]: numberField({ required: true, ...positive }),
    shiftPerWeek: numberField({
      default: 0,
      description: 'Location shift per week, in reference standard deviations (of ln x for lognormal).',
    }),
    scalePerWeek: numberField({
      min: -1,
      default: 0,
      description: 'Relative growth of the spread per week: sd(t) = sd·(1 + scalePerWeek·weeks).',
    }),
    accuracyLossPerSd: {
      ...decayByModel,
      description: 'Absolute accuracy each model loses per reference sd of location shift (inputDrift.ts).',
    },
  });
}

const inputFeature = variantsField('kind', {
  normal: numericInput('normal'),
  lognormal: numericInput('lognormal'),
  categorical: objectField(
    {
      kind: constantField('categorical'),
      mix: weightsField('category', { required: true }),
      target: weightsField('category'),
      over: durationField({ positive: true }),
    },
    {
      description: 'A category mix moving linearly to target over `over`.',
      check: (feature, path, report, failed) => {
        if (feature.target === undefined) {
          if (feature.over !== undefined) report(`${path}.over`, 'needs a target');
          return;
        }
        if (feature.over === undefined) report(`${path}.over`, 'is required: how long the mix takes to reach the target');
        if (failed.has('mix') || failed.has('target')) return;
        for (const key of Object.keys(feature.target as Json)) {
          if (!Object.hasOwn(feature.mix as Json, key)) report(`${path}.target.${key}`, `is not a category of ${path}.mix`);
        }
      },
    },
  ),
});

/** Accuracy per segment and the drift's target mix name exactly the segments of traffic.segments. */
const segmentNames: CrossFieldCheck = (root, _path, report, failed) => {
  if (failed.has('traffic') || !isJsonObject(root.traffic)) return;
  const segments = Object.keys(fieldValue(root.traffic, traffic, 'segments') as Json);
  for (const arm of ['control', 'candidate']) {
    const behaviour = root[arm];
    if (!isJsonObject(behaviour) || !isJsonObject(behaviour.accuracy)) continue;
    const accuracy = behaviour.accuracy;
    const where = `${arm}.accuracy`;
    for (const segment of segments) {
      if (!Object.hasOwn(accuracy, segment))
        report(`${where}.${segment}`, 'is required: accuracy must be given for every segment of traffic.segments');
    }
    for (const key of Object.keys(accuracy)) if (!segments.includes(key)) report(`${where}.${key}`, 'is not a segment of traffic.segments');
  }
  const mix = isJsonObject(root.drift) && isJsonObject(root.drift.segmentMix) ? root.drift.segmentMix.target : undefined;
  if (isJsonObject(mix)) {
    for (const key of Object.keys(mix))
      if (!segments.includes(key)) report(`drift.segmentMix.target.${key}`, 'is not a segment of traffic.segments');
  }
};

/** The field table of a version-1 scenario: every per-field rule, and the cross-field rules as hooks. */
export const scenarioFields: ObjectSpec = objectField(
  {
    $schema: textField(),
    version: constantField(1, { required: true }),
    name: textField({ required: true, nonEmpty: true }),
    description: textField(),
    story: textField({
      nonEmpty: true,
      description: 'Scenario library: what happened, in a few plain sentences (shown beside the playback).',
    }),
    lesson: textField({ nonEmpty: true, description: 'Scenario library: what to do instead.' }),
    tags: arrayField(textField({ nonEmpty: true }), {
      expected: 'an array of strings',
      description: 'Short labels for finding scenarios.',
    }),
    seed: eitherField(
      [numberField({ integer: true, min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), textField({ nonEmpty: true })],
      {
        description:
          'The seed simulations of this scenario use when none is given (--seed, the app): a whole number, or a text such as "release-2026-12" hashed into the stream seed (seedFromText, src/engine/random/seedFromText.ts).',
      },
    ),
    horizon: durationField({
      positive: true,
      default: '14d',
      description: 'Longest simulated time; a rollout still running then is undecided.',
    }),
    traffic,
    control: model,
    candidate: model,
    faults: arrayField(fault, { default: [], description: 'Faults injected into the candidate (an outage hits both models).' }),
    drift,
    inputs: mapField(inputFeature, {
      nonEmpty: 'must list at least one input feature',
      description:
        'Input features whose distribution each window summarises as bin counts (ArmWindow.inputs): numeric features binned on their reference deciles, categorical ones by category; their drift per week and optional link to accuracy (src/sim/inputDrift.ts).',
    }),
    truth: objectField(
      {
        errorRateRatio: numberField({ min: 1, default: 1.2 }),
        p95Ratio: numberField({ min: 1, default: 1.1 }),
        accuracyDrop: numberField(probability),
      },
      {
        description:
          "The candidate is worse when, at some time of the rollout, its error rate > errorRateRatio × control's, its p95 > p95Ratio × control's, or (if given) its accuracy is below control's by more than accuracyDrop.",
      },
    ),
    policy: objectField(
      {},
      { open: true, description: 'A policy (scenarios/policy.schema.json) simulated when none is given on the command line.' },
    ),
    refusedPolicy: objectField(
      {},
      {
        open: true,
        description:
          "Scenario library: the policy the story's team wanted, which parsePolicy refuses (kept to show its error messages); the scenario simulates policy, the nearest one the engine accepts.",
      },
    ),
  },
  { check: segmentNames },
);

/** The head of the published `scenarios/scenario.schema.json`. */
export const scenarioSchemaHeader: SchemaHeader = {
  $id: 'https://rollout-lab.dev/schemas/scenario-v1.json',
  title: 'Rollout Lab scenario, version 1',
  description:
    'The simulated world a rollout policy is tested against (DESIGN.md §4). Generated from the field table of src/sim/scenario.ts (npm run schemas): it states every per-field constraint; parseScenario also checks what a JSON Schema cannot: a lognormal gives exactly one of sigma or p95 and p95 > median, accuracy is given for every segment of traffic.segments and only for those, the drift target names only segments of traffic.segments, weights are not all 0, a ramp ends after it starts, bursts are shorter than their period, replayed times are ascending and the replay period exceeds the last time, a categorical input target names only categories of its mix and comes with `over`. Durations are seconds or strings like "90s", "5m", "24h", "2d". Latencies are in milliseconds.',
};

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

function buildModel(json: Json, segments: string[]): ModelBehaviour {
  const accuracy = fieldValue(json, model, 'accuracy');
  return {
    latency: buildLatency(json.latency as Json),
    errorRate: json.errorRate as number,
    timeout: json.timeout as number | undefined,
    accuracy:
      typeof accuracy === 'number'
        ? Object.fromEntries(segments.map((segment) => [segment, accuracy]))
        : { ...(accuracy as Record<string, number>) },
    agreement: fieldValue(json, model, 'agreement') as number,
  };
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
  const scenario: Scenario = {
    version: 1,
    name: root.name as string,
    horizon: fieldValue(root, scenarioFields, 'horizon') as number,
    traffic: parsedTraffic,
    control: buildModel(root.control as Json, segments),
    candidate: buildModel(root.candidate as Json, segments),
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
