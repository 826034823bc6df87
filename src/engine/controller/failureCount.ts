/**
 * Failure counting: how the controller counts a stage's failing checks toward its failure limit,
 * and its inconclusive checks toward the inconclusive limit (`Guards.failureCounting`,
 * `failureWindow`, `failureScope`, `onNoData`, `inconclusiveLimit` in src/engine/policy/policy.ts).
 *
 * Three modes, after the controllers production teams run:
 * - `consecutive`: a passing check resets the count — the engine's original rule;
 * - `total`: every failing check counts and nothing resets it within the scope — Argo Rollouts'
 *   `failureLimit` (a metric fails once `failed > failureLimit`, argo-rollouts
 *   `analysis/analysis.go` `assessMetricFailureInconclusiveOrError`) and Flagger's `threshold`
 *   (rollback once `status.failedChecks >= threshold`, flagger `pkg/controller/scheduler.go`);
 * - `mOfN`: roll back when `limit` of the last `window` evaluated checks failed ("M of the last
 *   N", asked for by Argo and Flagger users: argo-rollouts#4792, flagger#1501).
 * Only evaluated checks (pass or fail) enter the counts; a held check (too little data with
 * `onNoData: 'hold'`, no established baseline) neither counts nor resets, and an inconclusive one
 * (too little data with `onNoData: 'inconclusive'`) only grows the inconclusive count, at whose
 * limit the stage pauses (Argo: an Inconclusive run pauses the Rollout).
 *
 * The state is a small plain value (JSON, saved between cron runs): the consecutive and total
 * failures, the last ≤ 30 evaluated outcomes as the bits of one integer (bit 0 the latest, set
 * when it failed), how many outcomes it holds, and the inconclusive count. The functions are pure
 * and O(1); the exact evaluator (src/sim/exact/stageChain.ts) uses the same transitions, with the
 * state's fields in its key.
 */
import type { Guards } from '../policy/policy.ts';

/** How failing checks are counted (`Guards.failureCounting`). */
export type FailureCountingMode = 'consecutive' | 'total' | 'mOfN';

/** A stage's counting rules, resolved (defaults filled in). */
export interface FailureCounting {
  mode: FailureCountingMode;
  /** Failing checks (as `mode` counts them) that roll back, ≥ 1. */
  limit: number;
  /** `mOfN`: the N most recent evaluated checks looked at (1–30); 0 for the other modes. */
  window: number;
  /** Whether the counts carry into this stage from the previous one ('rollout') or start again ('stage'). */
  scope: 'stage' | 'rollout';
  onNoData: 'hold' | 'fail' | 'inconclusive';
  /** Inconclusive checks at which the stage pauses; Infinity for no limit. */
  inconclusiveLimit: number;
}

/** The counts of one stage (or of the rollout, in scope 'rollout'). */
export interface FailureCount {
  /** Failing checks since the last passing one. */
  consecutive: number;
  /** Failing checks in all. */
  total: number;
  /** The last `recentChecks` evaluated outcomes, bit 0 the latest: 1 = failed. */
  recent: number;
  /** How many outcomes `recent` holds (at most 30). */
  recentChecks: number;
  /** Inconclusive checks in all. */
  inconclusive: number;
}

/** Outcomes `recent` keeps: the largest `failureWindow` (policyFields.ts `maxFailureWindow`). */
const keptOutcomes = 30;
const keptMask = 2 ** keptOutcomes - 1;

/** The counting rules of merged guards: defaults consecutive, limit 1, stage scope, hold on no data, no inconclusive limit. */
export function resolveFailureCounting(guards: Guards): FailureCounting {
  const mode = guards.failureCounting ?? 'consecutive';
  return {
    mode,
    limit: guards.failureLimit ?? 1,
    window: mode === 'mOfN' ? (guards.failureWindow as number) : 0,
    scope: guards.failureScope ?? 'stage',
    onNoData: guards.onNoData ?? 'hold',
    inconclusiveLimit: guards.inconclusiveLimit ?? Number.POSITIVE_INFINITY,
  };
}

/** Nothing counted yet. */
export function emptyFailureCount(): FailureCount {
  return { consecutive: 0, total: 0, recent: 0, recentChecks: 0, inconclusive: 0 };
}

/** Set bits of a 30-bit integer. */
function bitCount(bits: number): number {
  let count = 0;
  for (let rest = bits; rest !== 0; rest &= rest - 1) count++;
  return count;
}

/** The counts after one evaluated check that `failed` (or passed). */
export function countCheck(count: FailureCount, failed: boolean): FailureCount {
  return {
    consecutive: failed ? count.consecutive + 1 : 0,
    total: failed ? count.total + 1 : count.total,
    // Shift in the newest outcome; keep 30 bits (×2 and + stay exact below 2^53).
    recent: ((count.recent * 2) & keptMask) | (failed ? 1 : 0),
    recentChecks: Math.min(keptOutcomes, count.recentChecks + 1),
    inconclusive: count.inconclusive,
  };
}

/** The counts after one inconclusive check. */
export function countInconclusive(count: FailureCount): FailureCount {
  return { ...count, inconclusive: count.inconclusive + 1 };
}

/** Evaluated checks the `mOfN` window looks at now: min(N, checks so far). */
export function windowChecks(count: FailureCount, counting: FailureCounting): number {
  return Math.min(counting.window, count.recentChecks);
}

/** The number compared with the limit: consecutive failures, total failures, or failures among the last N checks. */
export function failuresCounted(count: FailureCount, counting: FailureCounting): number {
  if (counting.mode === 'consecutive') return count.consecutive;
  if (counting.mode === 'total') return count.total;
  return bitCount(count.recent & (2 ** counting.window - 1));
}

/** Whether the counts reach the failure limit (→ rollback). */
export function reachesFailureLimit(count: FailureCount, counting: FailureCounting): boolean {
  return failuresCounted(count, counting) >= counting.limit;
}

/** Whether the inconclusive count reached its limit: the stage is paused. */
export function isPaused(count: FailureCount, counting: FailureCounting): boolean {
  return count.inconclusive >= counting.inconclusiveLimit;
}

/**
 * The counts a stage governed by `next` starts with: `count` unchanged when its scope is
 * 'rollout', else nothing counted.
 */
export function countOnStageEntry(count: FailureCount, next: FailureCounting): FailureCount {
  return next.scope === 'rollout' ? count : emptyFailureCount();
}

/** The reason metric of the failure count (`consecutiveFailures` as before for the consecutive mode). */
export function failureCountMetric(counting: FailureCounting): string {
  return counting.mode === 'consecutive' ? 'consecutiveFailures' : counting.mode === 'total' ? 'totalFailures' : 'recentFailures';
}

/**
 * One sentence on the count after a failing check, naming the mode: "3 of the last 5 checks
 * failed, reaching the limit of 3: rolling back", "4 failing checks in total reached the limit of
 * 4: rolling back", or the holding forms below the limit.
 */
export function failureCountMessage(count: FailureCount, counting: FailureCounting): string {
  const failures = failuresCounted(count, counting);
  const limit = counting.limit;
  const reached = failures >= limit;
  const over = counting.scope === 'rollout' ? ' over the rollout' : '';
  switch (counting.mode) {
    case 'consecutive':
      return reached
        ? `${failures} consecutive failing check(s)${over} reached the limit of ${limit}: rolling back`
        : `failing check ${failures} of ${limit} allowed before rollback: holding`;
    case 'total':
      return reached
        ? `${failures} failing check${failures === 1 ? '' : 's'} in total${over} reached the limit of ${limit}: rolling back`
        : `${failures} failing check${failures === 1 ? '' : 's'} in total${over}, ${limit} roll back: holding`;
    case 'mOfN': {
      const seen = windowChecks(count, counting);
      const of = `${failures} of the last ${seen} check${seen === 1 ? '' : 's'} failed${over}`;
      return reached
        ? `${of}, reaching the limit of ${limit} of ${counting.window}: rolling back`
        : `${of} (${limit} of the last ${counting.window} roll back): holding`;
    }
  }
}
