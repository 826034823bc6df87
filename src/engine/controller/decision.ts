/**
 * What the controller says after each check: a decision with machine-readable reasons, and the
 * event that records it in the audit trail.
 */
import type { StageKind } from '../policy/policy.ts';

/**
 * - `continue`: the stage is running and healthy; keep going.
 * - `advance`: move to the next stage (its share is `state.candidateTraffic`).
 * - `hold`: inconclusive or not enough data (or a failing check below the failure limit); the
 *   window does not count toward the stage's minimum duration.
 * - `rollback`: control serves 100%; the rollout is over.
 * - `promote`: the candidate becomes control; the rollout is over.
 */
export type Decision = 'continue' | 'advance' | 'hold' | 'rollback' | 'promote';

/** Which check produced a reason. */
export type ReasonRule =
  | 'ratio'
  | 'absolute'
  | 'statistical'
  | 'minRequests'
  | 'missingData'
  | 'noBaseline'
  | 'baseline'
  | 'shadowGate'
  | 'abTest'
  | 'segments'
  | 'failureLimit'
  | 'inconclusiveLimit'
  | 'minDuration'
  | 'maxDuration'
  | 'stageComplete'
  | 'killSwitch'
  | 'flagRetirement'
  | 'finished';

/**
 * One reason for a decision, with the numbers behind it. `observed` and `threshold` are null
 * when the reason has no number (e.g. a kill switch); ratios against a zero reference are
 * reported as null (JSON has no Infinity) with the message saying so.
 */
export interface DecisionReason {
  rule: ReasonRule;
  /** The metric concerned (`errorRate`, `latencyP95`, `requests`, `agreement`, `successRate`, …). */
  metric: string;
  observed: number | null;
  threshold: number | null;
  /** Test statistic (z) when a test was run. */
  statistic?: number;
  pValue?: number;
  /**
   * A/B metric list (`AbTest.metrics`): the metric's verdict at this look, by the multi-metric rule
   * (stats/multiMetricDecision.ts `MetricVerdict`): 'improved', 'not-improved' (success metrics),
   * 'non-inferior', 'inferiority-not-excluded' (guardrails), 'deteriorated' (any metric).
   */
  verdict?: 'improved' | 'not-improved' | 'non-inferior' | 'inferiority-not-excluded' | 'deteriorated';
  /** One sentence for people, with the numbers. */
  message: string;
}

/**
 * A reason with its numbers: `observed` and `threshold` become null when not finite (JSON has no
 * Infinity or NaN), and the test statistic and p-value are set only when finite. The one builder
 * of reasons for the controller's checks (step.ts) and the A/B metric list (abMetrics.ts).
 */
export function decisionReason(
  rule: ReasonRule,
  metric: string,
  observed: number | null,
  threshold: number | null,
  message: string,
  statistic?: number,
  pValue?: number,
): DecisionReason {
  const reason: DecisionReason = {
    rule,
    metric,
    observed: observed !== null && Number.isFinite(observed) ? observed : null,
    threshold: threshold !== null && Number.isFinite(threshold) ? threshold : null,
    message,
  };
  if (statistic !== undefined && Number.isFinite(statistic)) reason.statistic = statistic;
  if (pValue !== undefined && Number.isFinite(pValue)) reason.pValue = pValue;
  return reason;
}

/** One entry of the audit trail: every decision, when, in which stage, and why. */
export interface DecisionEvent {
  /** End of the last window the decision is based on, seconds. */
  time: number;
  /** Index of the stage the decision was taken in. */
  stageIndex: number;
  /** Name of that stage (`canary 5%`). */
  stage: string;
  kind: StageKind;
  decision: Decision;
  /** Candidate share of traffic after the decision. */
  candidateTraffic: number;
  reasons: DecisionReason[];
}
