/**
 * What Argo Rollouts does with an AnalysisTemplate metric, as small pure functions, so that the
 * export can be checked against the controller's own rules (test/engine/export). Read from the
 * argo-rollouts source (github.com/argoproj/argo-rollouts, master of 2026-08, v1.8+):
 *
 * - validation — `utils/analysis/factory.go` `ValidateMetrics` / `ValidateMetric`;
 * - a measurement's phase from its conditions — `utils/evaluate/evaluate.go` `EvaluateResult`;
 * - how measurements are counted — `analysis/analysis.go` `runMeasurements` (Successful, Failed
 *   and Inconclusive add to `count`; an Error does not, it only grows `consecutiveError`; any
 *   non-success resets `consecutiveSuccess`);
 * - a metric's phase — `analysis/analysis.go` `assessMetricStatus` and
 *   `assessMetricFailureInconclusiveOrError`; `Metric.EffectiveCount`
 *   (`pkg/apis/rollouts/v1alpha1/analysis_types.go`); default `consecutiveErrorLimit` 4
 *   (`utils/defaults/defaults.go`);
 * - the run's phase — `analysis/analysis.go` `assessRunStatus` (the worst metric phase, in the
 *   order of `utils/analysis/helpers.go` `analysisStatusOrder`; a metric that ends Failed, Error
 *   or Inconclusive terminates the run: `IsTerminating`, after which running metrics count as
 *   Successful);
 * - what the rollout does with the run — `rollout/analysis.go`: Inconclusive → paused
 *   (`PauseReasonInconclusiveAnalysis`), Failed or Error → aborted (traffic back to stable).
 *
 * These are paraphrases of the documented behaviour, not a port: only what the export relies on.
 */

import { type ConditionNode, evaluateCondition, parseCondition } from '../import/conditionExpression.ts';

/** The fields of an AnalysisTemplate metric that validation and the phase rules read. */
export interface ArgoMetricSpec {
  name: string;
  interval?: string;
  initialDelay?: string;
  count?: number;
  failureLimit?: number;
  inconclusiveLimit?: number;
  consecutiveErrorLimit?: number;
  consecutiveSuccessLimit?: number;
  successCondition?: string;
  failureCondition?: string;
  provider?: { [provider: string]: unknown };
}

/** Phase of one measurement. */
export type ArgoMeasurementPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/** Phase of a metric or of a run. */
export type ArgoAnalysisPhase = 'Pending' | 'Running' | 'Successful' | 'Inconclusive' | 'Error' | 'Failed';

/** What the rollout does when the step's run ends in a phase. */
export type ArgoRolloutAction = 'advance' | 'pause' | 'abort' | 'running';

/** Go `time.ParseDuration` syntax (a sequence of decimal numbers with units). */
const goDuration = /^([0-9]+(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+$/;

/** Argo's default `consecutiveErrorLimit` (utils/defaults/defaults.go `DefaultConsecutiveErrorLimit`). */
export const argoDefaultConsecutiveErrorLimit = 4;

/**
 * The problems Argo's `ValidateMetric` finds in one metric (empty: accepted). Rules:
 * consecutiveSuccessLimit ≥ 0; failureLimit ≥ −1 (−1 disables it) and not both disabled
 * (failureLimit −1 with consecutiveSuccessLimit 0); inconclusiveLimit ≥ 0; consecutiveErrorLimit
 * ≥ 0; when count > 0: count ≥ failureLimit + consecutiveSuccessLimit (both ≥ 0; count ≥
 * consecutiveSuccessLimit when failureLimit is disabled) and count ≥ inconclusiveLimit; an
 * interval when count > 1; interval and initialDelay parse as Go durations; exactly one provider.
 */
export function validateArgoMetric(metric: ArgoMetricSpec): string[] {
  const problems: string[] = [];
  const count = metric.count ?? 0;
  const failureLimit = metric.failureLimit ?? 0;
  const successLimit = metric.consecutiveSuccessLimit ?? 0;
  const inconclusiveLimit = metric.inconclusiveLimit ?? 0;
  for (const [field, value] of Object.entries({
    count,
    failureLimit,
    consecutiveSuccessLimit: successLimit,
    inconclusiveLimit,
    consecutiveErrorLimit: metric.consecutiveErrorLimit ?? 0,
  })) {
    if (!Number.isInteger(value)) problems.push(`${field} must be a whole number, got ${value}`);
  }
  if (successLimit < 0) problems.push('consecutiveSuccessLimit must be >= 0');
  if (failureLimit < -1) problems.push('failureLimit must be >= 0, or -1 to be disabled');
  if (successLimit === 0 && failureLimit === -1) problems.push('failureLimit and consecutiveSuccessLimit cannot both be disabled');
  if (inconclusiveLimit < 0) problems.push('inconclusiveLimit must be >= 0');
  if (metric.consecutiveErrorLimit !== undefined && metric.consecutiveErrorLimit < 0) problems.push('consecutiveErrorLimit must be >= 0');
  if (count > 0) {
    if (successLimit >= 0 && failureLimit >= 0 && count < failureLimit + successLimit) {
      problems.push(`count (${count}) must be >= failureLimit + consecutiveSuccessLimit (${failureLimit} + ${successLimit})`);
    } else if (successLimit >= 0 && failureLimit < 0 && count < successLimit) {
      problems.push('count must be >= consecutiveSuccessLimit');
    }
    if (count < inconclusiveLimit) problems.push(`count (${count}) must be >= inconclusiveLimit (${inconclusiveLimit})`);
  }
  if (count > 1 && (metric.interval ?? '') === '') problems.push('interval must be specified when count > 1');
  if (metric.interval !== undefined && metric.interval !== '' && !goDuration.test(metric.interval))
    problems.push(`invalid interval string: ${metric.interval}`);
  if (metric.initialDelay !== undefined && metric.initialDelay !== '' && !goDuration.test(metric.initialDelay))
    problems.push(`invalid initialDelay string: ${metric.initialDelay}`);
  const providers = Object.keys(metric.provider ?? {}).length;
  if (providers === 0) problems.push('no provider specified');
  if (providers > 1) problems.push('multiple providers specified');
  return problems;
}

/** `ValidateMetrics`: at least one metric, unique names, each metric valid; problems prefixed `metrics[i]`. */
export function validateArgoMetrics(metrics: readonly ArgoMetricSpec[]): string[] {
  if (metrics.length === 0) return ['no metrics specified'];
  const problems: string[] = [];
  const names = new Set<string>();
  metrics.forEach((metric, i) => {
    if (names.has(metric.name)) problems.push(`metrics[${i}]: duplicate name '${metric.name}'`);
    names.add(metric.name);
    for (const problem of validateArgoMetric(metric)) problems.push(`metrics[${i}]: ${problem}`);
  });
  return problems;
}

/**
 * `EvaluateResult`: a measurement's phase from whether its success and failure conditions hold
 * (`undefined` for a condition the metric does not set; `'error'` when evaluating it failed).
 * Only a success condition: not success is a failure; only a failure condition: not failure is
 * a success; neither holds: Inconclusive; failure wins over success.
 */
export function argoMeasurementPhase(success: boolean | 'error' | undefined, failure: boolean | 'error' | undefined): ArgoMeasurementPhase {
  if (success === 'error' || failure === 'error') return 'Error';
  if (success === undefined && failure === undefined) return 'Successful';
  const failed = failure === undefined ? !success : failure;
  const succeeded = success === undefined ? !failure : success;
  if (failed) return 'Failed';
  return succeeded ? 'Successful' : 'Inconclusive';
}

/** A metric's counters (`MetricResult`). */
export interface ArgoMetricResult {
  count: number;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
  consecutiveError: number;
  consecutiveSuccess: number;
  measurements: number;
}

/** Counters before any measurement. */
export function emptyArgoMetricResult(): ArgoMetricResult {
  return { count: 0, successful: 0, failed: 0, inconclusive: 0, error: 0, consecutiveError: 0, consecutiveSuccess: 0, measurements: 0 };
}

/** Adds one measurement to the counters as `runMeasurements` does. Returns a new value. */
export function addArgoMeasurement(result: ArgoMetricResult, phase: ArgoMeasurementPhase): ArgoMetricResult {
  const next = { ...result, measurements: result.measurements + 1 };
  if (phase === 'Error') {
    next.error += 1;
    next.consecutiveError += 1;
    next.consecutiveSuccess = 0;
    return next;
  }
  next.count += 1;
  next.consecutiveError = 0;
  if (phase === 'Successful') {
    next.successful += 1;
    next.consecutiveSuccess += 1;
  } else {
    next.consecutiveSuccess = 0;
    if (phase === 'Failed') next.failed += 1;
    else next.inconclusive += 1;
  }
  return next;
}

/**
 * `assessMetricStatus` for a metric whose last measurement is complete: Failed when failed >
 * failureLimit (unless −1), Inconclusive when inconclusive > inconclusiveLimit, Error when
 * consecutive errors > consecutiveErrorLimit (the last of these that applies wins, as in
 * `assessMetricFailureInconclusiveOrError`); else Successful once consecutiveSuccessLimit
 * successes in a row are reached; else, once `count` measurements are done, Successful — except
 * that with a consecutiveSuccessLimit not reached it is Inconclusive (failureLimit in use) or
 * Failed (failureLimit −1); else Running, or Successful when the run is terminating.
 */
export function argoMetricPhase(metric: ArgoMetricSpec, result: ArgoMetricResult, terminating: boolean): ArgoAnalysisPhase {
  if (result.measurements === 0) return terminating ? 'Successful' : 'Pending';
  const failureLimit = metric.failureLimit ?? 0;
  let phase: ArgoAnalysisPhase | undefined;
  if (failureLimit >= 0 && result.failed > failureLimit) phase = 'Failed';
  if (result.inconclusive > (metric.inconclusiveLimit ?? 0)) phase = 'Inconclusive';
  if (result.consecutiveError > (metric.consecutiveErrorLimit ?? argoDefaultConsecutiveErrorLimit)) phase = 'Error';
  if (phase !== undefined) return phase;
  const successLimit = metric.consecutiveSuccessLimit ?? 0;
  if (successLimit > 0 && result.consecutiveSuccess >= successLimit) return 'Successful';
  const effectiveCount = metric.count !== undefined && metric.count !== 0 ? metric.count : (metric.interval ?? '') === '' ? 1 : null;
  if (effectiveCount !== null && result.count >= effectiveCount) {
    if (successLimit > 0) return failureLimit >= 0 ? 'Inconclusive' : 'Failed';
    return 'Successful';
  }
  return terminating ? 'Successful' : 'Running';
}

const phaseOrder: ArgoAnalysisPhase[] = ['Successful', 'Running', 'Pending', 'Inconclusive', 'Error', 'Failed'];

/** `IsWorse` / `Worst` over `analysisStatusOrder`. */
export function worseArgoPhase(left: ArgoAnalysisPhase, right: ArgoAnalysisPhase): ArgoAnalysisPhase {
  return phaseOrder.indexOf(right) > phaseOrder.indexOf(left) ? right : left;
}

/** The run, measured tick by tick. */
export interface ArgoRunOutcome {
  phase: ArgoAnalysisPhase;
  /** Measurement rounds taken (all metrics of a template share the interval and initial delay here). */
  rounds: number;
  /** Each metric's final phase, by name. */
  metrics: Record<string, ArgoAnalysisPhase>;
}

/**
 * Runs an AnalysisRun whose metrics all share one interval and initial delay (what the export
 * writes): at each round, every metric that has not completed takes a measurement whose phase is
 * `measure(metric, round)`; then each metric's phase is assessed, the run terminates as soon as
 * one ends Failed, Error or Inconclusive (the others then count as Successful), and completes
 * when every metric has completed; its phase is the worst metric phase. Stops after `maxRounds`
 * with `Running` if nothing completed (a metric without count runs until a limit is crossed).
 * Cost O(maxRounds × metrics).
 */
export function runArgoAnalysis(
  metrics: readonly ArgoMetricSpec[],
  measure: (metric: ArgoMetricSpec, round: number) => ArgoMeasurementPhase,
  maxRounds = 100_000,
): ArgoRunOutcome {
  const results = metrics.map(() => emptyArgoMetricResult());
  const done: (ArgoAnalysisPhase | undefined)[] = metrics.map(() => undefined);
  for (let round = 0; round < maxRounds; round += 1) {
    metrics.forEach((metric, i) => {
      if (done[i] === undefined) results[i] = addArgoMeasurement(results[i], measure(metric, round));
    });
    const phases = metrics.map((metric, i) => done[i] ?? argoMetricPhase(metric, results[i], false));
    const terminating = phases.some((phase) => phase === 'Failed' || phase === 'Error' || phase === 'Inconclusive');
    const final = terminating
      ? metrics.map(
          (metric, i) =>
            done[i] ?? (['Failed', 'Error', 'Inconclusive'].includes(phases[i]) ? phases[i] : argoMetricPhase(metric, results[i], true)),
        )
      : phases;
    final.forEach((phase, i) => {
      if (phase === 'Successful' || phase === 'Failed' || phase === 'Error' || phase === 'Inconclusive') done[i] = phase;
    });
    if (done.every((phase) => phase !== undefined)) {
      const phase = (done as ArgoAnalysisPhase[]).reduce(worseArgoPhase, 'Successful');
      return { phase, rounds: round + 1, metrics: Object.fromEntries(metrics.map((metric, i) => [metric.name, done[i]!])) };
    }
  }
  return {
    phase: 'Running',
    rounds: maxRounds,
    metrics: Object.fromEntries(metrics.map((metric, i) => [metric.name, done[i] ?? 'Running'])),
  };
}

/** What the rollout does with a step's run (rollout/analysis.go): advance, pause for a person, abort, or keep waiting. */
export function argoRolloutAction(phase: ArgoAnalysisPhase): ArgoRolloutAction {
  if (phase === 'Successful') return 'advance';
  if (phase === 'Inconclusive') return 'pause';
  if (phase === 'Failed' || phase === 'Error') return 'abort';
  return 'running';
}

/**
 * Evaluates a condition the export writes — `len(result) > 0`, `len(result) == 0`,
 * `result[0] OP number`, `result == "text"`, `true`, `false`, joined by `&&` / `||` — for a
 * Prometheus vector result (`number[]`, empty when the query returns nothing) or a web result (a
 * string), with the importer's parser and evaluator (src/engine/import/conditionExpression.ts, the
 * one owner of Argo's condition language): `&&` binds tighter and short-circuits, and `result[0]`
 * on an empty vector is an evaluation error, as in Argo. A condition outside the readable language
 * throws: the export must not write a condition this module cannot judge.
 */
export function evaluateArgoCondition(condition: string, result: readonly number[] | string): boolean | 'error' {
  let node: ConditionNode;
  try {
    node = parseCondition(condition);
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new RangeError(`condition term the export should not write: ${JSON.stringify(condition)} (${error.message})`);
    }
    throw error;
  }
  return evaluateCondition(node, result);
}
