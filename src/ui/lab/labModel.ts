/**
 * The policy lab's model, as plain functions (no DOM, no workers): the policy and the two worlds
 * built from the lab's settings, the threshold sweep, and the verdict in words. The view runs
 * the simulations through a `SimulationRunner` (the browser's worker pool; in tests, in-process).
 */
import { defaultPolicy } from '../../engine/policy/defaultPolicy.ts';
import { formatPolicyError, parsePolicy, type PolicyError } from '../../engine/policy/parsePolicy.ts';
import type { AbDesign, HealthRule, Policy, Stage } from '../../engine/policy/policy.ts';
import { parseScenario, type Scenario, type ScenarioProblem } from '../../sim/scenario.ts';
import { summaryValue, type SimulationSummary, type SummaryState } from '../../sim/summary.ts';
import type { SimulationRequest } from '../../../workers/simulationEndpoint.ts';
import identicalCandidate from '../../../scenarios/identical-candidate.json';
import { formatCount, formatPercent } from '../format.ts';

/** One canary stage as the lab edits it; durations are passed to the policy as typed ("2h"). */
export interface LabCanary {
  /** Candidate share, percent (0–100 exclusive). */
  trafficPercent: number;
  minDuration: string;
  /** Empty: no maximum. */
  maxDuration: string;
  /** Empty: the policy's check interval (`checkMinutes`). */
  checkInterval: string;
}

/** The A/B stage as the lab edits it. */
export interface LabAbStage {
  enabled: boolean;
  trafficPercent: number;
  alpha: number;
  power: number;
  minimumEffect: number;
  design: 'fixed' | 'groupSequential' | 'alwaysValid';
}

/** Which stage kinds an extra rule (absolute limit, statistical test) watches. */
export type LabRuleStages = 'canary' | 'canary+full' | 'all';

/** A model's latency distribution as the lab edits it (ms). */
export type LabLatency =
  | { kind: 'lognormal'; median: number; p95: number }
  | { kind: 'gamma'; shape: number; mean: number }
  | { kind: 'exponential'; mean: number };

/** One model (control or candidate) as the lab edits it. */
export interface LabModelBehaviour {
  latency: LabLatency;
  errorRate: number;
  /** Latency above which a request times out, ms; null: no timeout. */
  timeout: number | null;
}

/** The fault injected into the candidate of the regressed world; durations as typed. */
export interface LabFault {
  kind: 'none' | 'start' | 'step' | 'ramp' | 'leak' | 'bursts';
  /** Error rate × this at full strength (per hour for a leak). */
  errorFactor: number;
  /** Latency × this at full strength (per hour for a leak). */
  latencyFactor: number;
  /** Step time, ramp start, first burst. */
  at: string;
  /** Ramp end. */
  end: string;
  /** Bursts: period and length. */
  every: string;
  duration: string;
}

/** A shared-dependency outage hitting both models in both worlds. */
export interface LabOutage {
  start: string;
  duration: string;
  errorFactor: number;
}

/** What the lab lets the user change (numbers already read from the form). */
export interface LabSettings {
  /** maxRatio of every error-rate ratio rule (framework: 2). */
  errorRatio: number;
  /** maxRatio of every p95-latency ratio rule (framework: 1.5). */
  p95Ratio: number;
  /** maxRatio of every p50-latency ratio rule (framework: 1.2). */
  p50Ratio: number;
  /** maxRatio of every timeout-rate ratio rule (framework: 2). */
  timeoutRatio: number;
  /** Check interval of the baseline, shadow, A/B and full stages, and of canaries that set none, minutes. */
  checkMinutes: number;
  /** Guard: minimum requests per arm per window. */
  minRequests: number;
  /** Guard: consecutive failing checks before a rollback. */
  failureLimit: number;
  baselineMode: 'historical' | 'concurrent';
  /** The shadow stage (24 h of mirrored traffic) on or off. */
  shadow: boolean;
  /** The canary stages, in order (framework: 5% 2–4 h, 25% 6–12 h). */
  canaries: LabCanary[];
  ab: LabAbStage;
  /** The full (100%) stage on or off. */
  full: boolean;
  /** Absolute limits (null: none): error rate (0–1) and p95 latency (ms), on the stages of `absoluteStages`. */
  absoluteErrorRate: number | null;
  absoluteP95: number | null;
  absoluteStages: LabRuleStages;
  /** A one-sided statistical test on the error rate (null: none), on the stages of `statisticalStages`. */
  statistical: { minimumEffect: number; method: 'alphaSpending' | 'alwaysValid' } | null;
  statisticalStages: LabRuleStages;
  /** Scenario: mean requests per second, daily-cycle amplitude (0–1), users. */
  requestsPerSecond: number;
  dailyAmplitude: number;
  users: number;
  control: LabModelBehaviour;
  candidate: LabModelBehaviour;
  /** The regressed world's candidate fault. */
  fault: LabFault;
  outage: LabOutage | null;
  replicates: number;
  seed: number;
}

/** A message listing every problem, from `parsePolicy` / `parseScenario` errors. */
function problems(what: string, errors: readonly { path: string; message: string }[]): RangeError {
  return new RangeError(`${what}: ${errors.map((error) => formatPolicyError(error)).join('; ')}`);
}

function applies(stages: LabRuleStages, kind: 'canary' | 'ab' | 'full'): boolean {
  return kind === 'canary' || stages === 'all' || (stages === 'canary+full' && kind === 'full');
}

/** The rules of a stage kind: the four ratio rules, then the absolute limits and statistical rule that apply to it. */
function rulesFor(settings: LabSettings, kind: 'canary' | 'ab' | 'full'): HealthRule[] {
  const rules: HealthRule[] = [
    { type: 'ratio', metric: 'errorRate', maxRatio: settings.errorRatio },
    { type: 'ratio', metric: 'latencyP95', maxRatio: settings.p95Ratio },
    { type: 'ratio', metric: 'latencyP50', maxRatio: settings.p50Ratio },
    { type: 'ratio', metric: 'timeoutRate', maxRatio: settings.timeoutRatio },
  ];
  if (applies(settings.absoluteStages, kind)) {
    if (settings.absoluteErrorRate !== null) rules.push({ type: 'absolute', metric: 'errorRate', max: settings.absoluteErrorRate });
    if (settings.absoluteP95 !== null) rules.push({ type: 'absolute', metric: 'latencyP95', max: settings.absoluteP95 });
  }
  if (settings.statistical && applies(settings.statisticalStages, kind)) {
    rules.push({ type: 'statistical', metric: 'errorRate', minimumEffect: settings.statistical.minimumEffect, method: settings.statistical.method });
  }
  return rules;
}

/**
 * The policy document the lab's settings describe, NOT yet validated: the framework default's
 * baseline, then the shadow stage when on, the lab's canaries (each with its share, minimum and
 * maximum duration and check interval), the A/B stage when on (α, power, minimum effect, design;
 * group-sequential with 5 looks and O'Brien–Fleming spending), the full stage when on, promote;
 * every canary, A/B guardrail and full stage watched by the four ratio rules plus the absolute
 * limits and statistical rule that apply to its kind.
 */
export function labPolicyDocument(settings: LabSettings): Policy {
  const policy = defaultPolicy();
  const check = `${settings.checkMinutes}m`;
  const byKind = <K extends Stage['kind']>(kind: K) => policy.stages.find((stage) => stage.kind === kind) as Extract<Stage, { kind: K }>;
  const stages: Stage[] = [{ ...byKind('baseline'), checkInterval: check }];
  if (settings.shadow) stages.push({ ...byKind('shadow'), checkInterval: check });
  for (const canary of settings.canaries) {
    stages.push({
      kind: 'canary',
      traffic: canary.trafficPercent / 100,
      minDuration: canary.minDuration,
      ...(canary.maxDuration === '' ? {} : { maxDuration: canary.maxDuration }),
      checkInterval: canary.checkInterval === '' ? check : canary.checkInterval,
      rules: rulesFor(settings, 'canary'),
    });
  }
  if (settings.ab.enabled) {
    const ab = byKind('ab');
    const design: AbDesign =
      settings.ab.design === 'groupSequential' ? { type: 'groupSequential', looks: 5, spending: 'obrienFleming' } : { type: settings.ab.design };
    stages.push({
      ...ab,
      traffic: settings.ab.trafficPercent / 100,
      checkInterval: check,
      test: { ...ab.test, alpha: settings.ab.alpha, power: settings.ab.power, minimumEffect: settings.ab.minimumEffect, design },
      guardrails: rulesFor(settings, 'ab'),
    });
  }
  if (settings.full) stages.push({ ...byKind('full'), checkInterval: check, rules: rulesFor(settings, 'full') });
  stages.push(byKind('promote'));
  const tuned: Policy = {
    ...policy,
    baseline: { mode: settings.baselineMode },
    guards: { minRequests: settings.minRequests, failureLimit: settings.failureLimit },
    stages,
  };
  // Say so when the policy is no longer the framework default (which keeps its own name).
  if (canonicalJson(tuned) !== canonicalJson(policy)) {
    tuned.name = 'framework default, tuned';
    tuned.description =
      `The framework default tuned in Rollout Lab's policy lab: ${stages.map((stage) => stageLabel(stage)).join(' → ')}; ` +
      `error rate ≤ ${settings.errorRatio}×, timeout rate ≤ ${settings.timeoutRatio}×, ` +
      `p95 ≤ ${settings.p95Ratio}×, p50 ≤ ${settings.p50Ratio}× the ${settings.baselineMode} baseline` +
      (settings.absoluteErrorRate === null ? '' : `, error rate ≤ ${settings.absoluteErrorRate}`) +
      (settings.absoluteP95 === null ? '' : `, p95 ≤ ${settings.absoluteP95} ms`) +
      (settings.statistical ? `, a statistical test (${settings.statistical.method}) for errors worse by more than ${settings.statistical.minimumEffect}` : '') +
      `, checked every ${settings.checkMinutes} min, at least ${settings.minRequests} requests per window, rollback after ${settings.failureLimit} failing check(s) in a row.`;
  }
  return tuned;
}

/** JSON with every object's keys sorted, so that key order does not count as a difference. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

function stageLabel(stage: Stage): string {
  if (stage.kind === 'canary') return `canary ${Math.round(stage.traffic * 1000) / 10}% ${stage.minDuration}${stage.maxDuration ? `–${stage.maxDuration}` : ''}`;
  if (stage.kind === 'ab') return `A/B ${Math.round(stage.traffic * 1000) / 10}% (${stage.test.design.type})`;
  return stage.kind;
}

/**
 * What the lab calls each stage of `labPolicyDocument(settings)`, by index: "baseline", "shadow",
 * "canary 1" …, "A/B", "full", "promote" — to tell the user which row a `stages[i]` path is.
 */
export function labStageNames(settings: LabSettings): string[] {
  return [
    'baseline',
    ...(settings.shadow ? ['shadow'] : []),
    ...settings.canaries.map((_, index) => `canary ${index + 1}`),
    ...(settings.ab.enabled ? ['A/B'] : []),
    ...(settings.full ? ['full'] : []),
    'promote',
  ];
}

/** Every problem of the lab's policy, by JSON path (`parsePolicy`'s errors); [] when it is valid. */
export function labPolicyProblems(settings: LabSettings): PolicyError[] {
  const parsed = parsePolicy(labPolicyDocument(settings));
  return parsed.ok ? [] : parsed.errors;
}

/**
 * The lab's policy (`labPolicyDocument`), validated by `parsePolicy`: throws a `RangeError`
 * listing every problem by JSON path. For the first-visit settings it is the framework default.
 */
export function labPolicy(settings: LabSettings): Policy {
  const parsed = parsePolicy(labPolicyDocument(settings));
  if (!parsed.ok) throw problems('the policy is invalid', parsed.errors);
  return parsed.policy;
}

/** The scenario documents (JSON as in `scenarios/`) of the lab's two worlds. */
export interface LabScenarioDocuments {
  healthy: Record<string, unknown>;
  regressed: Record<string, unknown>;
}

function latencyDocument(latency: LabLatency): Record<string, unknown> {
  if (latency.kind === 'lognormal') return { kind: 'lognormal', median: latency.median, p95: latency.p95 };
  if (latency.kind === 'gamma') return { kind: 'gamma', shape: latency.shape, scale: latency.mean / latency.shape };
  return { kind: 'exponential', mean: latency.mean };
}

/** A model made worse from the start: error rate × `errorFactor`, every latency parameter in ms × `latencyFactor`. */
function worsened(model: LabModelBehaviour, fault: LabFault): LabModelBehaviour {
  const latency = model.latency;
  const scaled: LabLatency =
    latency.kind === 'lognormal'
      ? { ...latency, median: latency.median * fault.latencyFactor, p95: latency.p95 * fault.latencyFactor }
      : { ...latency, mean: latency.mean * fault.latencyFactor };
  return { ...model, errorRate: model.errorRate * fault.errorFactor, latency: scaled };
}

function modelDocument(model: LabModelBehaviour, base: Record<string, unknown>): Record<string, unknown> {
  return { ...base, latency: latencyDocument(model.latency), errorRate: model.errorRate, ...(model.timeout === null ? {} : { timeout: model.timeout }) };
}

/**
 * The candidate fault of the regressed world as a scenario fault document; null for `none` and
 * for `start` (a candidate worse from the start is written as a worse candidate model).
 */
export function labFaultDocument(fault: LabFault): Record<string, unknown> | null {
  const effect = { errorRateMultiplier: fault.errorFactor, latencyMultiplier: fault.latencyFactor };
  switch (fault.kind) {
    case 'none':
      return null;
    case 'start':
      return null;
    case 'step':
      return { kind: 'step', at: fault.at, effect };
    case 'ramp':
      return { kind: 'ramp', start: fault.at, end: fault.end, effect };
    case 'leak':
      return { kind: 'leak', effect };
    case 'bursts':
      return { kind: 'bursts', start: fault.at, every: fault.every, duration: fault.duration, effect };
  }
}

/**
 * The two worlds every setting is judged in, as scenario documents: `scenarios/identical-candidate.json`
 * with the lab's traffic (rate, daily cycle, users), both models (latency, error rate, timeout)
 * and the shared outage; the healthy world has no candidate fault (a rollback is a false rollback
 * when the candidate is never worse than the truth's tolerance), the regressed world has the
 * lab's fault (framework lab default: 3× the errors from the start). These are what an export
 * cites as evidence.
 */
export function labScenarioDocuments(settings: LabSettings): LabScenarioDocuments {
  const { kind, errorFactor, latencyFactor } = settings.fault;
  if (kind !== 'none' && !(errorFactor > 1 || latencyFactor > 1)) {
    throw new RangeError(`the fault must make the candidate worse: errors × or latency × must be greater than 1, got ${errorFactor} and ${latencyFactor}`);
  }
  const base = identicalCandidate as unknown as { traffic: Record<string, unknown>; control: Record<string, unknown>; candidate: Record<string, unknown> } & Record<string, unknown>;
  const outage = settings.outage
    ? [{ kind: 'outage', start: settings.outage.start, duration: settings.outage.duration, effect: { errorRateMultiplier: settings.outage.errorFactor } }]
    : [];
  const fault = labFaultDocument(settings.fault);
  const world = (name: string, description: string, faults: unknown[], candidate = settings.candidate) => {
    const { $schema: _schema, ...rest } = base;
    return {
      ...rest,
      name,
      description,
      traffic: {
        ...base.traffic,
        requestsPerSecond: settings.requestsPerSecond,
        dailyCycle: { ...(base.traffic.dailyCycle as object), amplitude: settings.dailyAmplitude },
        users: { ...(base.traffic.users as object), count: settings.users },
      },
      control: modelDocument(settings.control, base.control),
      candidate: modelDocument(candidate, base.candidate),
      ...(faults.length > 0 ? { faults } : {}),
    };
  };
  return {
    healthy: world('healthy candidate', 'The candidate without a fault: every rollback of a candidate that is never worse is a false rollback.', outage),
    regressed: world(
      'regressed candidate',
      kind === 'none'
        ? 'No fault is injected: the candidate is the healthy one.'
        : `The candidate is ${faultLabel(settings.fault).replace(/^an? /, '')}: every promotion of a worse candidate is a missed regression.`,
      fault === null ? outage : [fault, ...outage],
      kind === 'start' ? worsened(settings.candidate, settings.fault) : settings.candidate,
    ),
  };
}

/** Every problem of the lab's two worlds, by JSON path (`parseScenario`), each path prefixed by its world. */
export function labScenarioProblems(settings: LabSettings): ScenarioProblem[] {
  const documents = labScenarioDocuments(settings);
  const found: ScenarioProblem[] = [];
  for (const [world, document] of [['healthy', documents.healthy], ['regressed', documents.regressed]] as const) {
    const parsed = parseScenario(document);
    if (!parsed.ok) {
      for (const error of parsed.errors) {
        // A problem common to both worlds is listed once.
        if (world === 'regressed' && found.some((seen) => seen.path === error.path && seen.message === error.message)) continue;
        found.push(error);
      }
    }
  }
  return found;
}

/** The lab's two worlds, parsed (`parseScenario`): throws a `RangeError` listing every problem. */
export function labScenarios(settings: LabSettings): { healthy: Scenario; regressed: Scenario } {
  const documents = labScenarioDocuments(settings);
  const parse = (document: Record<string, unknown>) => {
    const parsed = parseScenario(document);
    if (!parsed.ok) throw problems(`the ${String(document.name)} scenario is invalid`, parsed.errors);
    return parsed.scenario;
  };
  return { healthy: parse(documents.healthy), regressed: parse(documents.regressed) };
}

/** Checks the run settings once, at the edge. */
export function checkRunSettings(settings: LabSettings): void {
  if (!(Number.isInteger(settings.replicates) && settings.replicates >= 10 && settings.replicates <= 5000)) {
    throw new RangeError(`replicates must be a whole number from 10 to 5,000, got ${settings.replicates}`);
  }
  if (!Number.isSafeInteger(settings.seed)) throw new RangeError(`seed must be a whole number, got ${settings.seed}`);
}

/** The error-ratio thresholds of the sweep: a fixed ladder plus the current setting, ascending. */
export function sweepThresholds(current: number): number[] {
  return [...new Set([1.25, 1.5, 2, 3, 4, 6, current])].sort((a, b) => a - b);
}

/** One setting's operating characteristics. */
export interface OperatingPoint {
  errorRatio: number;
  current: boolean;
  healthy: SimulationSummary;
  regressed: SimulationSummary;
}

/** What the lab shows: the current setting first, then the sweep as it streams in. */
export interface LabResult {
  current: OperatingPoint | undefined;
  sweep: OperatingPoint[];
  /** Simulations done out of the total. */
  simulationsDone: number;
  simulations: number;
  /** True when a worker failed: the numbers rest on fewer replicates than asked. */
  partial: boolean;
}

/** Runs one simulation of `replicates` replicates; resolves with the merged state. */
export type SimulationRunner = (
  request: SimulationRequest,
  replicates: number,
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
) => Promise<{ state: SummaryState; complete: boolean }>;

/**
 * Runs the lab: for the current error-ratio threshold and then every other threshold of the
 * sweep, the healthy and the regressed world, each with `replicates` replicates from seed
 * `seed` (common random numbers: every setting sees the same streams). Calls `onResult` after
 * each setting with everything so far, so results stream in; stops when `signal` aborts.
 */
export async function runLab(
  settings: LabSettings,
  runSimulation: SimulationRunner,
  onResult: (result: LabResult) => void,
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
): Promise<LabResult> {
  checkRunSettings(settings);
  const { healthy, regressed } = labScenarios(settings);
  const thresholds = [settings.errorRatio, ...sweepThresholds(settings.errorRatio).filter((t) => t !== settings.errorRatio)];
  const policies = thresholds.map((errorRatio) => labPolicy({ ...settings, errorRatio }));
  const result: LabResult = { current: undefined, sweep: [], simulationsDone: 0, simulations: 2 * thresholds.length, partial: false };
  for (let i = 0; i < thresholds.length; i++) {
    const summaries: SimulationSummary[] = [];
    for (const scenario of [healthy, regressed]) {
      if (signal.aborted) return result;
      const done = result.simulationsDone;
      const run = await runSimulation(
        { scenario, policy: policies[i], mode: 'window', seed: settings.seed },
        settings.replicates,
        (fraction) => onProgress((done + fraction) / result.simulations),
        signal,
      );
      if (signal.aborted) return result;
      result.partial ||= !run.complete;
      summaries.push(summaryValue(run.state));
      result.simulationsDone += 1;
    }
    const point: OperatingPoint = { errorRatio: thresholds[i], current: i === 0, healthy: summaries[0], regressed: summaries[1] };
    if (i === 0) result.current = point;
    result.sweep = [...result.sweep, point].sort((a, b) => a.errorRatio - b.errorRatio);
    onResult({ ...result });
  }
  return result;
}

/** Hours, for people: 5400 s → "1.5 h". */
export function formatHours(seconds: number): string {
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** A rate with its interval, or "no data". */
export function formatRate(estimate: SimulationSummary['falseRollbackRate']): string {
  if (estimate.rate === null || estimate.lower === null || estimate.upper === null) return 'no data';
  return `${formatPercent(estimate.rate)} [${formatPercent(estimate.lower)}, ${formatPercent(estimate.upper)}]`;
}

/** The regressed candidate in words: "a candidate with 3× the errors from the start". */
export function faultLabel(fault: LabFault): string {
  const effect = [fault.errorFactor !== 1 ? `${fault.errorFactor}× the errors` : '', fault.latencyFactor !== 1 ? `${fault.latencyFactor}× the latency` : '']
    .filter(Boolean)
    .join(' and ');
  switch (fault.kind) {
    case 'none':
      return 'the candidate without a fault';
    case 'start':
      return `a candidate with ${effect} from the start`;
    case 'step':
      return `a candidate with ${effect} from ${fault.at}`;
    case 'ramp':
      return `a candidate ramping to ${effect} from ${fault.at} to ${fault.end}`;
    case 'leak':
      return `a leaking candidate (${effect} per hour served)`;
    case 'bursts':
      return `a candidate with bursts of ${effect} for ${fault.duration} every ${fault.every}`;
  }
}

/** How good a setting is, and why, in words. */
export interface Verdict {
  tone: 'good' | 'warn' | 'bad';
  text: string;
}

/**
 * The verdict on the current setting: too trigger-happy when a healthy candidate is rolled back
 * in more than 10% of rollouts, too lax when a regressed one is promoted in more than 5%, else
 * balanced; with the numbers (95% Wilson intervals), detection time and exposure.
 */
export function labVerdict(point: OperatingPoint, settings: LabSettings): Verdict {
  const falseRollback = point.healthy.falseRollbackRate.rate ?? 0;
  const missed = point.regressed.missedRegressionRate.rate ?? 0;
  const detection = point.regressed.detectionTime.median;
  const facts =
    `With the error-rate threshold at ${point.errorRatio}×, a healthy candidate is rolled back in ${formatRate(point.healthy.falseRollbackRate)} of rollouts; ` +
    `${faultLabel(settings.fault)} is promoted in ${formatRate(point.regressed.missedRegressionRate)}` +
    (detection === null ? ' and is never caught.' : `, and caught after a median ${formatHours(detection)}`) +
    (detection === null ? '' : `, having served about ${formatCount(Math.round(point.regressed.exposure.usersServedWhileWorse))} users first.`);
  if (falseRollback > 0.1) {
    return {
      tone: 'bad',
      text:
        `Too trigger-happy. ${facts} Raise the thresholds, lengthen the check interval or require more failures in a row. ` +
        'Every ratio rule can fire: if the sweep of the error-rate threshold barely moves, another rule fires first — Playback on the healthy candidate shows which.',
    };
  }
  if (missed > 0.05) return { tone: 'bad', text: `Too lax. ${facts} Lower the threshold or add a statistical rule.` };
  return { tone: 'good', text: `Balanced. ${facts}` };
}
