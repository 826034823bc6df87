/**
 * Running the policy lab and reading its answer, as plain functions (no DOM, no workers): the
 * run settings checked once, the error-ratio sweep (`runLab`, through a `SimulationRunner` — the
 * browser's worker pool; in tests, in-process) and the verdict in words. The policy and the two
 * worlds come from `labPolicy.ts` and `labWorlds.ts`, the settings' types from `labSettings.ts`.
 */

import type { SimulationRequest } from '../../../workers/simulationEndpoint.ts';
import type { Policy } from '../../engine/policy/policy.ts';
import { knobValue } from '../../engine/policy/policyKnobs.ts';
import { type SimulationSummary, type SummaryState, summaryValue } from '../../sim/summary.ts';
import { boundInPoints, formatCount, formatPercent } from '../format.ts';
import { labPolicy } from './labPolicy.ts';
import type { LabSettings } from './labSettings.ts';
import { faultLabel, labScenarios } from './labWorlds.ts';

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

/**
 * The policies of the lab's sweep, in the order `runLab` simulates them: the current
 * `errorRate.maxRatio` first, then the other thresholds of `sweepThresholds`, each the lab's
 * policy with that threshold.
 */
export function labSweepPolicies(settings: LabSettings): { maxRatio: number; policy: Policy }[] {
  const current = settings['errorRate.maxRatio'];
  const thresholds = [current, ...sweepThresholds(current).filter((threshold) => threshold !== current)];
  return thresholds.map((maxRatio) => ({ maxRatio, policy: labPolicy({ ...settings, 'errorRate.maxRatio': maxRatio }) }));
}

/** One setting's operating characteristics. */
export interface OperatingPoint {
  /** The setting's `errorRate.maxRatio` (the sweep's axis; the operating-characteristic plot calls it `errorRatio`). */
  errorRatio: number;
  current: boolean;
  healthy: SimulationSummary;
  regressed: SimulationSummary;
  /**
   * Set when the point is the exact evaluator's BOUNDED answer, not an exact one
   * (`ExactCurvePoint.bounded`): the neglected probability mass, a bound on each rate's error
   * (labExact.ts). The verdict and the agreement read the rates as within ± this.
   */
  bound?: number;
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
 * Runs several simulations of `replicates` replicates as one batch (the browser's worker pool:
 * no barrier between simulations — issue 16) and calls `onSimulation(i, state, complete)` for
 * each, in order, as soon as it and those before it are done; `complete` is false when a worker
 * failed on some of its replicates. Returns early, without the rest, once `signal` aborts.
 */
export interface SimulationBatchRunner {
  batch(
    requests: SimulationRequest[],
    replicates: number,
    onSimulation: (index: number, state: SummaryState, complete: boolean) => void,
    onProgress: (fraction: number) => void,
    signal: AbortSignal,
  ): Promise<void>;
}

/**
 * Runs the lab: for the current error-ratio threshold and then every other threshold of the
 * sweep, the healthy and the regressed world, each with `replicates` replicates from seed
 * `seed` (common random numbers: every setting sees the same streams). Calls `onResult` after
 * each setting with everything so far, so results stream in; stops when `signal` aborts.
 */
export async function runLab(
  settings: LabSettings,
  runSimulation: SimulationRunner | SimulationBatchRunner,
  onResult: (result: LabResult) => void,
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
): Promise<LabResult> {
  checkRunSettings(settings);
  const { healthy, regressed } = labScenarios(settings);
  const policies = labSweepPolicies(settings);
  const thresholds = policies.map((point) => point.maxRatio);
  const result: LabResult = { current: undefined, sweep: [], simulationsDone: 0, simulations: 2 * thresholds.length, partial: false };
  const addPoint = (i: number, summaries: SimulationSummary[]): void => {
    const point: OperatingPoint = { errorRatio: thresholds[i], current: i === 0, healthy: summaries[0], regressed: summaries[1] };
    if (i === 0) result.current = point;
    result.sweep = [...result.sweep, point].sort((a, b) => a.errorRatio - b.errorRatio);
    onResult({ ...result });
  };
  if (typeof runSimulation !== 'function') {
    // The whole sweep as one batch (same streams, same results); settings still stream in order.
    const requests = policies.flatMap(({ policy }) =>
      [healthy, regressed].map((scenario): SimulationRequest => ({ scenario, policy, mode: 'window', seed: settings.seed })),
    );
    const summaries: SimulationSummary[] = [];
    await runSimulation.batch(
      requests,
      settings.replicates,
      (index, state, complete) => {
        if (signal.aborted) return;
        result.partial ||= !complete;
        summaries[index] = summaryValue(state);
        result.simulationsDone += 1;
        if (index % 2 === 1) addPoint((index - 1) / 2, summaries.slice(index - 1, index + 1));
      },
      onProgress,
      signal,
    );
    return result;
  }
  for (let i = 0; i < thresholds.length; i++) {
    const summaries: SimulationSummary[] = [];
    for (const scenario of [healthy, regressed]) {
      if (signal.aborted) return result;
      const done = result.simulationsDone;
      const run = await runSimulation(
        { scenario, policy: policies[i].policy, mode: 'window', seed: settings.seed },
        settings.replicates,
        (fraction) => onProgress((done + fraction) / result.simulations),
        signal,
      );
      if (signal.aborted) return result;
      result.partial ||= !run.complete;
      summaries.push(summaryValue(run.state));
      result.simulationsDone += 1;
    }
    addPoint(i, summaries);
  }
  return result;
}

/** Hours, for people: 5400 s → "1.5 h". */
export function formatHours(seconds: number): string {
  return `${(seconds / 3600).toFixed(1)} h`;
}

/**
 * A rate with its interval ("exact" instead for a zero-width one), or "no data". One of the app's rate formatters: the shared format
 * module (`ui/format.ts`) is to own it, and this copy goes when it does.
 */
export function formatRate(estimate: SimulationSummary['falseRollbackRate'], bound?: number): string {
  if (estimate.rate === null || estimate.lower === null || estimate.upper === null) return 'no data';
  // A bounded rate (labExact.ts) is never called exact: it says its bound.
  if (bound !== undefined) return `${formatPercent(estimate.rate, 2)} (bounded within ${formatBoundPoints(bound)})`;
  // An exact rate (src/sim/exact/exactTally.ts) has an interval of zero width: it needs none.
  if (estimate.lower === estimate.upper) return `${formatPercent(estimate.rate, 2)} (exact)`;
  return `${formatPercent(estimate.rate)} [${formatPercent(estimate.lower)}, ${formatPercent(estimate.upper)}]`;
}

/**
 * A bound on a rate's error (a probability) in percentage points, rounded UP to 2 significant
 * digits so it stays a bound (`boundInPoints`): 0.004563 → "±0.46 points", 0.01 → "±1.0 points". O(1).
 */
export function formatBoundPoints(bound: number): string {
  return `±${boundInPoints(bound)} points`;
}

/** Above this false-rollback rate the verdict is "too trigger-happy". */
const maxFalseRollback = 0.1;

/** Above this missed-regression rate the verdict is "too lax". */
const maxMissedRegression = 0.05;

/** How good a setting is, and why, in words. */
export interface Verdict {
  tone: 'good' | 'warn' | 'bad';
  text: string;
}

/**
 * The verdict on the current setting: too trigger-happy when a healthy candidate is rolled back
 * in more than 10% of rollouts, too lax when a regressed one is promoted in more than 5%, else
 * balanced; with the numbers (95% Wilson intervals), detection time and exposure.
 *
 * A bounded point (`OperatingPoint.bound` = X) is read as an exact one only where the bound
 * cannot flip the verdict; where a target (10% false rollbacks, 5% missed regressions) that
 * decides it lies in [rate − X, rate + X], the verdict says it is too close to call within the
 * bound (tone 'warn') rather than fall back to Monte-Carlo, whose interval (±3–5 points at 200
 * replicates) is wider still and could not call it either.
 */
export function labVerdict(point: OperatingPoint, settings: LabSettings): Verdict {
  const falseRollback = point.healthy.falseRollbackRate.rate ?? 0;
  const missed = point.regressed.missedRegressionRate.rate ?? 0;
  const detection = point.regressed.detectionTime.median;
  const facts =
    // An imported policy without an error-rate ratio rule has no such threshold: the sentence names the import instead.
    (settings.imported && knobValue(settings.imported.policy, 'errorRate.maxRatio') === undefined
      ? 'With the imported policy'
      : `With the error-rate threshold at ${point.errorRatio}×`) +
    `, a healthy candidate is rolled back in ${formatRate(point.healthy.falseRollbackRate, point.bound)} of rollouts; ` +
    `${faultLabel(settings.fault)} is promoted in ${formatRate(point.regressed.missedRegressionRate, point.bound)}` +
    (detection === null ? ' and is never caught.' : `, and caught after a median ${formatHours(detection)}`) +
    (detection === null
      ? ''
      : `, having served about ${formatCount(Math.round(point.regressed.exposure.usersServedWhileWorse))} users first.`);
  const bound = point.bound ?? 0;
  // The verdict at the bound's two ends: too trigger-happy when falseRollback > 0.1, and so on.
  const surelyTriggerHappy = falseRollback - bound > maxFalseRollback;
  const surelyNotTriggerHappy = falseRollback + bound <= maxFalseRollback;
  const tooCloseToCall = (target: string) => ({
    tone: 'warn' as const,
    text:
      `Too close to call within the bound. ${facts} The ${target} target lies within ${formatBoundPoints(bound)} of the rate, ` +
      "the bound on the evaluator's error: the verdict could go either way.",
  });
  if (bound > 0 && !surelyTriggerHappy && !surelyNotTriggerHappy)
    return tooCloseToCall(`${formatPercent(maxFalseRollback, 0)} false-rollback`);
  if (bound > 0 && !surelyTriggerHappy && !(missed - bound > maxMissedRegression) && !(missed + bound <= maxMissedRegression))
    return tooCloseToCall(`${formatPercent(maxMissedRegression, 0)} missed-regression`);
  if (falseRollback > maxFalseRollback) {
    return {
      tone: 'bad',
      text:
        `Too trigger-happy. ${facts} Raise the thresholds, lengthen the check interval or require more failures in a row. ` +
        'Every ratio rule can fire: if the sweep of the error-rate threshold barely moves, another rule fires first — Playback on the healthy candidate shows which.',
    };
  }
  if (missed > maxMissedRegression) return { tone: 'bad', text: `Too lax. ${facts} Lower the threshold or add a statistical rule.` };
  return { tone: 'good', text: `Balanced. ${facts}` };
}
