/**
 * The field table of a scenario document (DESIGN.md §4): each per-field constraint written once
 * — type, range, choices, required, default, description — checked by `parseScenario`
 * (scenario.ts) through the engine's validation machinery and published from the same table as
 * `scenarios/scenario.schema.json` (`npm run schemas`). The cross-field rules a JSON Schema cannot
 * state (`p95 > median`, accuracy for every segment, a ramp ends after it starts, …) are the
 * table's `check` hooks, here beside the fields they relate.
 */
import { durationSeconds } from '../engine/policy/duration.ts';
import type { CrossFieldCheck, MapSpec, ObjectSpec, SchemaHeader } from '../engine/validation/index.ts';
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
  variantsField,
} from '../engine/validation/index.ts';

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

const simpleValueLaws: Record<string, ObjectSpec> = {
  constant: objectField(
    { kind: constantField('constant'), value: numberField({ required: true }) },
    { description: 'Always this value (e.g. a denominator of 1 per request).' },
  ),
  normal: objectField(
    { kind: constantField('normal'), mean: numberField({ required: true }), sd: numberField({ required: true, min: 0 }) },
    { description: 'Normal(mean, sd²).' },
  ),
  lognormal: objectField(
    {
      kind: constantField('lognormal'),
      median: numberField({ required: true, ...positive }),
      sigma: numberField({ required: true, min: 0 }),
    },
    { description: 'ln(value) ~ Normal(ln median, sigma²).' },
  ),
  gamma: objectField(
    {
      kind: constantField('gamma'),
      shape: numberField({ required: true, ...positive }),
      scale: numberField({ required: true, ...positive }),
    },
    { description: 'Gamma(shape, scale): mean shape·scale.' },
  ),
  poisson: objectField(
    { kind: constantField('poisson'), mean: numberField({ required: true, min: 0 }) },
    { description: 'A count, Poisson(mean).' },
  ),
};

const valueLaw = variantsField(
  'kind',
  {
    ...simpleValueLaws,
    zeroInflated: objectField(
      {
        kind: constantField('zeroInflated'),
        zeroProbability: numberField({ required: true, min: 0, max: 1, exclusiveMax: true }),
        value: variantsField('kind', simpleValueLaws, {
          required: true,
          refused: { zeroInflated: 'must not be zeroInflated inside zeroInflated' },
        }),
      },
      { description: '0 with probability zeroProbability, else a draw of value (revenue: most users buy nothing).' },
    ),
  },
  { definition: 'valueLaw', description: 'The law of one metric value (src/sim/metricValues.ts).' },
);

const userEffectSigma = numberField({
  min: 0,
  max: 5,
  description:
    "Per-user clustering: each user's values (a ratio's numerator) are multiplied by a persistent factor exp(σ·Z_u − σ²/2), Z_u standard normal per user and metric, mean 1. Default: the control's, else 0.",
});

/** A perUser metric with preCorrelation maps normal scores through its law: constant, normal, lognormal or a zeroInflated one. */
const scoreLaws = ['constant', 'normal', 'lognormal'];
function hasScoreLaw(law: unknown): boolean {
  if (!isJsonObject(law)) return true;
  const simple = law.kind === 'zeroInflated' && isJsonObject(law.value) ? law.value : law;
  return scoreLaws.includes(simple.kind as string);
}

const metricValues = variantsField(
  'kind',
  {
    perRequest: objectField(
      { kind: constantField('perRequest'), value: { ...valueLaw, required: true }, userEffectSigma },
      { description: "A value per request (tokens): a unit's x is its total over the window, y its request count." },
    ),
    ratio: objectField(
      {
        kind: constantField('ratio'),
        numerator: { ...valueLaw, required: true },
        denominator: { ...valueLaw, required: true },
        userEffectSigma,
      },
      { description: "Two values per request (cost and tokens): a unit's x is its numerator total, y its denominator total." },
    ),
    perUser: objectField(
      {
        kind: constantField('perUser'),
        value: { ...valueLaw, required: true },
        userEffectSigma,
        preCorrelation: numberField({
          min: -1,
          max: 1,
          description:
            "CUPED: the correlation ρ of the normal scores of a user's value and its pre-period value (drawn from the control's law); default: the control's, else no pre-period value (y = 0).",
        }),
      },
      {
        description: "One value per user and window (revenue): a unit's x is that value, y its pre-period value.",
        check: (metric, path, report, failed) => {
          if (metric.preCorrelation !== undefined && !failed.has('value') && !hasScoreLaw(metric.value))
            report(`${path}.value`, 'must be constant, normal, lognormal or a zeroInflated one of those when preCorrelation is given');
        },
      },
    ),
  },
  {
    definition: 'metricValues',
    description:
      "A named metric's values (src/sim/metricValues.ts); the windows of A/B stages report its per-user sums (ArmWindow.values).",
  },
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
    values: mapField(metricValues, {
      nonEmpty: 'must list at least one metric',
      description:
        'Named metric values for mean and ratio A/B metrics (tokens, cost, revenue): drawn in A/B stages, reported per arm as per-user sums (ArmWindow.values). Both models list the same names and kinds.',
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
export function defaultReplayPeriod(times: readonly number[]): number {
  return Math.max(1, Math.ceil(times[times.length - 1] + 1e-9));
}

const replayArrivals: ObjectSpec = objectField(
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

/**
 * The models' `values` name the same metrics with the same kinds ('successRate' is the A/B
 * counts' name), and a preCorrelation (the candidate's defaulting to the control's) draws the
 * pre-period from the control's law, which must then map normal scores.
 */
const sameMetricValues: CrossFieldCheck = (root, _path, report, failed) => {
  if (failed.has('control') || failed.has('candidate') || !isJsonObject(root.control) || !isJsonObject(root.candidate)) return;
  const control = isJsonObject(root.control.values) ? root.control.values : {};
  const candidate = isJsonObject(root.candidate.values) ? root.candidate.values : {};
  const arms = [
    ['control', control, 'candidate', candidate],
    ['candidate', candidate, 'control', control],
  ] as const;
  for (const [arm, own, otherArm, other] of arms) {
    if (Object.hasOwn(own, 'successRate'))
      report(`${arm}.values.successRate`, "is reserved: an A/B metric named 'successRate' reads the successes/outcomes counts");
    for (const name of Object.keys(own))
      if (!Object.hasOwn(other, name))
        report(`${otherArm}.values.${name}`, `is required: both models give the same metrics (${arm}.values.${name} is given)`);
  }
  for (const name of Object.keys(candidate)) {
    const [c, t] = [control[name], candidate[name]];
    if (!isJsonObject(c) || !isJsonObject(t)) continue;
    if (c.kind !== t.kind) {
      report(`candidate.values.${name}.kind`, `must be '${String(c.kind)}' as control.values.${name}.kind, got '${String(t.kind)}'`);
      continue;
    }
    if (c.kind === 'perUser' && t.preCorrelation !== undefined && c.preCorrelation === undefined && !hasScoreLaw(c.value))
      report(
        `control.values.${name}.value`,
        "must be constant, normal, lognormal or a zeroInflated one of those: the candidate's preCorrelation draws the pre-period from the control's law",
      );
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
  {
    check: (root, path, report, failed) => {
      segmentNames(root, path, report, failed);
      sameMetricValues(root, path, report, failed);
    },
  },
);

/** The head of the published `scenarios/scenario.schema.json`. */
export const scenarioSchemaHeader: SchemaHeader = {
  $id: 'https://rollout-lab.dev/schemas/scenario-v1.json',
  title: 'Rollout Lab scenario, version 1',
  description:
    'The simulated world a rollout policy is tested against (DESIGN.md §4). Generated from the field table of src/sim/scenarioFields.ts (npm run schemas): it states every per-field constraint; parseScenario also checks what a JSON Schema cannot: a lognormal gives exactly one of sigma or p95 and p95 > median, accuracy is given for every segment of traffic.segments and only for those, the drift target names only segments of traffic.segments, weights are not all 0, a ramp ends after it starts, bursts are shorter than their period, replayed times are ascending and the replay period exceeds the last time, a categorical input target names only categories of its mix and comes with `over`, both models list the same values metrics with the same kinds (none named successRate), and a perUser metric with preCorrelation has a constant, normal, lognormal or zeroInflated law (the control law too, from which the pre-period is drawn). Durations are seconds or strings like "90s", "5m", "24h", "2d". Latencies are in milliseconds.',
};

/** The parts of the table the parser reads defaults from (`fieldValue`). */
export const scenarioParts = { model, effect, fault, replayArrivals, traffic, decayByModel, drift, inputFeature };
