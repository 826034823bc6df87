/**
 * The policy lab's model, as plain functions (no DOM, no workers): the policy and the two worlds
 * built from the lab's settings, the threshold sweep, and the verdict in words. The view runs
 * the simulations through a `SimulationRunner` (the browser's worker pool; in tests, in-process).
 */
import { defaultPolicy } from '../../engine/policy/defaultPolicy.ts';
import { formatPolicyError, parsePolicy } from '../../engine/policy/parsePolicy.ts';
import type { HealthRule, Policy, Stage } from '../../engine/policy/policy.ts';
import { parseScenario, type Scenario } from '../../sim/scenario.ts';
import { summaryValue, type SimulationSummary, type SummaryState } from '../../sim/summary.ts';
import type { SimulationRequest } from '../../../workers/simulationEndpoint.ts';
import identicalCandidate from '../../../scenarios/identical-candidate.json';
import { formatCount, formatPercent } from '../format.ts';

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
  /** Check interval of every stage, minutes. */
  checkMinutes: number;
  /** Guard: minimum requests per arm per window. */
  minRequests: number;
  /** Guard: consecutive failing checks before a rollback. */
  failureLimit: number;
  baselineMode: 'historical' | 'concurrent';
  /** Minimum duration of the first (5%) canary stage, hours. */
  canaryHours: number;
  /** Scenario: mean requests per second. */
  requestsPerSecond: number;
  /** Scenario: the control's error rate. */
  controlErrorRate: number;
  /** Scenario: in the regressed world, the candidate's error rate is this multiple of control's. */
  regressionFactor: number;
  replicates: number;
  seed: number;
}

/** A message listing every problem, from `parsePolicy` / `parseScenario` errors. */
function problems(what: string, errors: readonly { path: string; message: string }[]): RangeError {
  return new RangeError(`${what}: ${errors.map((error) => formatPolicyError(error)).join('; ')}`);
}

function withRatios(rules: HealthRule[], settings: LabSettings): HealthRule[] {
  return rules.map((rule) => {
    if (rule.type !== 'ratio') return rule;
    if (rule.metric === 'errorRate') return { ...rule, maxRatio: settings.errorRatio };
    if (rule.metric === 'latencyP95') return { ...rule, maxRatio: settings.p95Ratio };
    if (rule.metric === 'latencyP50') return { ...rule, maxRatio: settings.p50Ratio };
    if (rule.metric === 'timeoutRate') return { ...rule, maxRatio: settings.timeoutRatio };
    return rule;
  });
}

/**
 * The framework's default policy (`defaultPolicy`) with the lab's settings applied: the error,
 * timeout, p50 and p95 ratio thresholds of every canary, A/B guardrail and full-stage rule, the check interval of
 * every stage, the guards, the baseline mode and the first canary's minimum duration. Validated
 * by `parsePolicy`: throws a `RangeError` listing every problem by JSON path.
 */
export function labPolicy(settings: LabSettings): Policy {
  const policy = defaultPolicy();
  let canaries = 0;
  const stages = policy.stages.map((stage): Stage => {
    if (stage.kind === 'promote') return stage;
    const checked = { ...stage, checkInterval: `${settings.checkMinutes}m` };
    if (checked.kind === 'canary') {
      canaries += 1;
      return { ...checked, rules: withRatios(checked.rules, settings), ...(canaries === 1 ? { minDuration: `${settings.canaryHours}h` } : {}) };
    }
    if (checked.kind === 'ab') return { ...checked, guardrails: withRatios(checked.guardrails, settings) };
    if (checked.kind === 'full') return { ...checked, rules: withRatios(checked.rules, settings) };
    return checked;
  });
  const tuned: Policy = {
    ...policy,
    baseline: { mode: settings.baselineMode },
    guards: { minRequests: settings.minRequests, failureLimit: settings.failureLimit },
    stages,
  };
  // Say so when the policy is no longer the framework default (which keeps its own name).
  if (JSON.stringify(tuned) !== JSON.stringify(policy)) {
    tuned.name = 'framework default, tuned';
    tuned.description =
      `The framework default tuned in Rollout Lab's policy lab: error rate ≤ ${settings.errorRatio}×, timeout rate ≤ ${settings.timeoutRatio}×, ` +
      `p95 ≤ ${settings.p95Ratio}×, p50 ≤ ${settings.p50Ratio}× the ${settings.baselineMode} baseline, checked every ${settings.checkMinutes} min, ` +
      `at least ${settings.minRequests} requests per window, rollback after ${settings.failureLimit} failing check(s) in a row, first canary ${settings.canaryHours} h.`;
  }
  const parsed = parsePolicy(tuned);
  if (!parsed.ok) throw problems('the policy is invalid', parsed.errors);
  return parsed.policy;
}

/** The scenario documents (JSON as in `scenarios/`) of the lab's two worlds. */
export interface LabScenarioDocuments {
  healthy: Record<string, unknown>;
  regressed: Record<string, unknown>;
}

/**
 * The two worlds every setting is judged in, as scenario documents: `scenarios/identical-candidate.json`
 * with the lab's traffic and control error rate, and a healthy candidate identical to control
 * (every rollback is a false rollback) or a regressed one failing `regressionFactor` times as
 * often (every promotion is a missed regression). These are what an export cites as evidence.
 */
export function labScenarioDocuments(settings: LabSettings): LabScenarioDocuments {
  if (!(settings.regressionFactor > 1)) {
    throw new RangeError(`regression factor must be greater than 1, got ${settings.regressionFactor}`);
  }
  const base = identicalCandidate as unknown as { traffic: object; control: object; candidate: object } & Record<string, unknown>;
  const world = (name: string, description: string, candidateErrorRate: number) => {
    const { $schema: _schema, ...rest } = base;
    return {
      ...rest,
      name,
      description,
      traffic: { ...base.traffic, requestsPerSecond: settings.requestsPerSecond },
      control: { ...base.control, errorRate: settings.controlErrorRate },
      candidate: { ...base.candidate, errorRate: candidateErrorRate },
    };
  };
  return {
    healthy: world('healthy candidate', 'The candidate behaves exactly like control: every rollback is a false rollback.', settings.controlErrorRate),
    regressed: world(
      'regressed candidate',
      `The candidate fails ${settings.regressionFactor} times as often as control: every promotion is a missed regression.`,
      settings.controlErrorRate * settings.regressionFactor,
    ),
  };
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
    `a candidate with ${settings.regressionFactor}× the errors is promoted in ${formatRate(point.regressed.missedRegressionRate)}` +
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
