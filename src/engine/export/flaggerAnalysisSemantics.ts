/**
 * What Flagger does with a Canary's analysis, as small pure functions, so that the export can be
 * checked against the controller's own rules (test/engine/export). Read from the flagger source
 * (github.com/fluxcd/flagger, main of 2026-07):
 *
 * - a metric check — `pkg/controller/scheduler_metrics.go` `runMetricChecks`: a query that
 *   fails, or returns no value (`providers.ErrNoValuesFound`; the Prometheus provider
 *   `pkg/metrics/providers/prometheus.go` `RunQuery` also returns it for NaN) makes the check
 *   fail ("Halt advancement no values found"); so does a value outside `thresholdRange`
 *   (`< min` or `> max`; the bounds themselves pass). One failing metric fails the whole check;
 * - counting — `pkg/controller/scheduler.go` `advanceCanary`: a failed check adds one to
 *   `status.failedChecks` (reset only when a new revision starts), and at the start of every
 *   tick the canary is rolled back once `failedChecks >= threshold` — failures are counted in
 *   total, not consecutively, and a failed check also halts the advance for that tick;
 * - progression — the first tick after the canary starts (weight 0, no iterations) runs the
 *   pre-rollout hooks and sets the first weight WITHOUT analysis (`runCanary`, `runAB`,
 *   `runBlueGreen`), so the first check comes one `interval` after traffic reaches the
 *   candidate; then each passing check moves to the next of `stepWeights` (or adds `stepWeight`)
 *   and a passing check at `maxWeight` promotes; in A/B mode (`iterations` with `match`,
 *   `runAB`) each passing check adds one iteration, and the check that passes with `iterations`
 *   done promotes: `iterations` checks; in Blue/Green mode (`iterations` without `match`,
 *   `runBlueGreen`) the check that passes with `iterations` done does not promote: it routes all
 *   traffic to the candidate (ending the mirror) and adds one more iteration, and the next passing
 *   check promotes: `iterations` + 1 checks, the last with all traffic on the candidate;
 * - strategy — `pkg/apis/flagger/v1beta1/canary.go` `DeploymentStrategy`: `match` and
 *   `iterations` > 0 is A/B testing, `iterations` > 0 alone Blue/Green, otherwise the progressive canary.
 *
 * These are paraphrases of the documented behaviour, not a port: only what the export relies on.
 */

/** A metric of `spec.analysis.metrics` as the check reads it. */
export interface FlaggerMetricCheck {
  name: string;
  thresholdRange?: { min?: number; max?: number };
}

/**
 * One metric's check: `value` is the query's result (`null` for an empty result). Passes only
 * with a number that is not NaN and lies inside the range (bounds included).
 */
export function flaggerMetricPasses(metric: FlaggerMetricCheck, value: number | null): boolean {
  if (value === null || Number.isNaN(value)) return false;
  const range = metric.thresholdRange ?? {};
  if (range.min !== undefined && value < range.min) return false;
  if (range.max !== undefined && value > range.max) return false;
  return true;
}

/** The analysis fields the outcome reads. */
export interface FlaggerAnalysisSpec {
  threshold: number;
  stepWeights?: number[];
  stepWeight?: number;
  maxWeight?: number;
  iterations?: number;
  /** A/B match conditions (header, cookie); with `iterations` they make the analysis A/B, without them Blue/Green. */
  match?: readonly unknown[];
}

/** Flagger's deployment strategy for an analysis (canary.go `DeploymentStrategy`). */
export function flaggerStrategy(analysis: FlaggerAnalysisSpec): 'canary' | 'abTesting' | 'blueGreen' {
  if (analysis.iterations !== undefined && analysis.iterations > 0)
    return analysis.match !== undefined && analysis.match.length > 0 ? 'abTesting' : 'blueGreen';
  return 'canary';
}

/** How a canary ends (or `running` when the checks ran out first), and after how many checks. */
export interface FlaggerOutcome {
  outcome: 'promote' | 'rollback' | 'running';
  /** Analysis checks run (ticks after the first). */
  checks: number;
  failedChecks: number;
  /** Canary weight (progressive) or passing checks (A/B: iterations done; Blue/Green: iterations and the all-traffic check) when it ended. */
  progress: number;
}

/**
 * Passing checks needed to promote: one per step weight (the check at `maxWeight` promotes),
 * `iterations` (A/B), or `iterations` + 1 (Blue/Green: the mirrored iterations, then one check
 * with all traffic on the candidate — scheduler.go `runBlueGreen`).
 */
export function flaggerChecksToPromote(analysis: FlaggerAnalysisSpec): number {
  const strategy = flaggerStrategy(analysis);
  if (strategy === 'abTesting') return analysis.iterations!;
  if (strategy === 'blueGreen') return analysis.iterations! + 1;
  if (analysis.stepWeights !== undefined && analysis.stepWeights.length > 0) return analysis.stepWeights.length;
  const step = analysis.stepWeight ?? 0;
  const max = analysis.maxWeight ?? 100;
  if (!(step > 0)) throw new RangeError('analysis needs iterations, stepWeights or stepWeight');
  return Math.ceil(max / step - 1e-9);
}

/**
 * Walks the canary through `checks` (true: every metric and webhook passed), one per tick after
 * the first: before each check, rollback if failedChecks ≥ threshold; a failing check adds one
 * failed check and does not advance; a passing one advances, and promotes at the last step.
 * After the last given check, the rollback test of the next tick still applies.
 */
export function flaggerOutcome(analysis: FlaggerAnalysisSpec, checks: Iterable<boolean>): FlaggerOutcome {
  const needed = flaggerChecksToPromote(analysis);
  const weights =
    flaggerStrategy(analysis) !== 'canary'
      ? null
      : (analysis.stepWeights ??
        Array.from({ length: needed }, (_, i) => Math.min(analysis.maxWeight ?? 100, (i + 1) * (analysis.stepWeight ?? 0))));
  let failed = 0;
  let passed = 0;
  let count = 0;
  const progress = () => (weights === null ? passed : weights[Math.min(passed, weights.length - 1)]);
  for (const check of checks) {
    if (failed >= analysis.threshold) return { outcome: 'rollback', checks: count, failedChecks: failed, progress: progress() };
    count += 1;
    if (!check) {
      failed += 1;
      continue;
    }
    passed += 1;
    if (passed >= needed)
      return { outcome: 'promote', checks: count, failedChecks: failed, progress: weights === null ? passed : weights[weights.length - 1] };
  }
  if (failed >= analysis.threshold) return { outcome: 'rollback', checks: count, failedChecks: failed, progress: progress() };
  return { outcome: 'running', checks: count, failedChecks: failed, progress: progress() };
}
