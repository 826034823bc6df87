/**
 * The user's targets for auto-tuning, and how a measured candidate is judged against them —
 * conservatively, on the Wilson 95% bounds rather than the point estimates, so that a policy is
 * only said to meet a target when the Monte-Carlo evidence supports it.
 */
import type { RateEstimate } from './summary.ts';

/** What the user asks of a policy. */
export interface TuningTargets {
  /** Largest acceptable false-rollback rate (healthy candidate rolled back), in (0, 1). */
  maxFalseRollbackRate: number;
  /** Smallest acceptable probability that the stated regression is rolled back within `detectWithin`, in (0, 1). */
  minDetectionRate: number;
  /** Seconds from the moment the regressed candidate first serves users (see `tuningEvaluation.ts`), > 0. */
  detectWithin: number;
}

/** Checks targets once, at the public edge: RangeError naming the field and the reason. */
export function checkTuningTargets(targets: TuningTargets): void {
  const { maxFalseRollbackRate, minDetectionRate, detectWithin } = targets;
  if (!(maxFalseRollbackRate > 0 && maxFalseRollbackRate < 1)) {
    throw new RangeError(`maxFalseRollbackRate must be between 0 and 1 (exclusive), got ${maxFalseRollbackRate}`);
  }
  if (!(minDetectionRate > 0 && minDetectionRate < 1)) {
    throw new RangeError(`minDetectionRate must be between 0 and 1 (exclusive), got ${minDetectionRate}`);
  }
  if (!(Number.isFinite(detectWithin) && detectWithin > 0))
    throw new RangeError(`detectWithin must be a positive number of seconds, got ${detectWithin}`);
}

/** A candidate's two judged rates. */
export interface JudgedRates {
  falseRollbackRate: RateEstimate;
  /** Rolled back within `detectWithin` of first serving, among replicates whose candidate was worse. */
  detectionRate: RateEstimate;
}

/**
 * How far a candidate is from the targets, judged conservatively: the upper Wilson 95% bound of
 * its false-rollback rate above `maxFalseRollbackRate`, plus the lower Wilson 95% bound of its
 * detection rate below `minDetectionRate` (each clipped at 0; a rate without data counts as the
 * worst case, 1). Zero exactly when the candidate meets both targets (`meetsTargets`). Each
 * bound is one side of a two-sided 95% interval, so a candidate whose true rates miss a target
 * passes that target's check with probability at most 2.5%.
 */
export function targetShortfall(rates: JudgedRates, targets: TuningTargets): number {
  const falseRollbackUpper = rates.falseRollbackRate.upper ?? 1;
  const detectionLower = rates.detectionRate.lower ?? 0;
  return Math.max(0, falseRollbackUpper - targets.maxFalseRollbackRate) + Math.max(0, targets.minDetectionRate - detectionLower);
}

/** Whether a candidate meets both targets on its Wilson bounds (`targetShortfall` is 0). */
export function meetsTargets(rates: JudgedRates, targets: TuningTargets): boolean {
  return targetShortfall(rates, targets) === 0;
}
