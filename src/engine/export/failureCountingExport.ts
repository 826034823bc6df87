/**
 * How the policy's failure counting (`Guards.failureCounting`, `failureLimit`, `failureWindow`,
 * `failureScope`, `onNoData`, `inconclusiveLimit`; src/engine/controller/failureCount.ts) maps to
 * Argo Rollouts and Flagger, in ONE place: the exports (argoRollouts.ts, flagger.ts) write these
 * fields with it and say in their notes where the target is stricter or looser, and the importers
 * (src/engine/import) read the same table backwards, so export → import → export is a fixed point.
 *
 * | policy                                  | Argo Rollouts (one AnalysisRun per step)        | Flagger (one analysis, whole canary)      |
 * |-----------------------------------------|-------------------------------------------------|-------------------------------------------|
 * | total, limit n                          | failureLimit n − 1: exact (one metric)¹         | threshold n: exact with scope 'rollout'²  |
 * | consecutive, limit 1                    | failureLimit 0: exact                           | threshold 1: exact                        |
 * | consecutive, limit n > 1                | failureLimit n − 1 (total): stricter            | threshold n (total): stricter             |
 * | mOfN, M of N                            | failureLimit M − 1 (total): stricter            | threshold M (total): stricter             |
 * | scope 'stage'                           | exact (each step's run counts afresh)           | stricter (failedChecks spans all steps)   |
 * | scope 'rollout'                         | exact as one background analysis³, else looser  | exact                                     |
 * | onNoData 'hold'                         | empty result = Inconclusive (pauses at the held budget) | stricter: no values found = a failed check |
 * | onNoData 'fail'                         | failureCondition also true on an empty result: exact | exact                                 |
 * | onNoData 'inconclusive', limit L        | empty result = Inconclusive, inconclusiveLimit L − 1: exact⁴ | stricter: a failed check       |
 *
 * ¹ Argo counts each metric's failures on its own (a metric fails at `failed > failureLimit`,
 *   argo-rollouts analysis/analysis.go); the policy counts failing checks, a check failing when any
 *   rule fails. With several metrics a stage whose failures alternate between metrics runs longer
 *   in Argo. ² Flagger's `status.failedChecks` is reset only by a new revision and rolls back at
 *   `failedChecks >= threshold` (flagger pkg/controller/scheduler.go), i.e. counted over the whole
 *   rollout; one threshold for the canary, the strictest stage's. ³ Argo's background analysis
 *   (`strategy.canary.analysis`) carries the count across steps: the export checks the policy's
 *   last canary/full stages with one when they all count over the rollout with the same rules
 *   (argoRollouts.ts `argoBackgroundStages`); other stages get per-step analyses, whose counts
 *   restart at each step (looser). ⁴ Argo's phase is Inconclusive when inconclusive > inconclusiveLimit, and the rollout
 *   pauses, as the policy's stage does at L.
 * "Stricter" means the target rolls back at least as early on every sequence of checks.
 */
import type { FailureCounting } from '../controller/failureCount.ts';

/** How exactly a target expresses a piece of the policy's counting. */
export type Fidelity = 'exact' | 'stricter' | 'looser';

/** One field the target writes for the policy's counting, how exactly, and why in one sentence when not exact. */
export interface CountingField {
  value: number;
  fidelity: Fidelity;
  /** Why it is not exact (null when exact). */
  note: string | null;
}

/** Argo's `failureLimit` (failures tolerated) for the policy's limit n: n − 1 (at least 0). */
export function argoFailureLimitOf(counting: FailureCounting): CountingField {
  const value = Math.max(0, counting.limit - 1);
  const scopeNote =
    counting.scope === 'rollout'
      ? "the policy counts across stages (failureScope 'rollout'); each step's AnalysisRun counts afresh, so Argo is looser"
      : null;
  if (counting.mode === 'total' || counting.limit === 1) return { value, fidelity: scopeNote ? 'looser' : 'exact', note: scopeNote };
  const what =
    counting.mode === 'consecutive'
      ? `the policy rolls back at ${counting.limit} failing checks in a row; Argo counts failures in total (failureLimit ${value}), so it is stricter`
      : `the policy rolls back at ${counting.limit} failures among the last ${counting.window} checks; Argo counts failures in total (failureLimit ${value}), so it is stricter`;
  return { value, fidelity: scopeNote ? 'looser' : 'stricter', note: scopeNote ? `${what}; and ${scopeNote}` : what };
}

/**
 * Argo's `inconclusiveLimit` for the policy's inconclusive limit L (onNoData 'inconclusive'): L − 1,
 * or null when the policy has none (the export then uses its held-check budget).
 */
export function argoInconclusiveLimitOf(counting: FailureCounting): number | null {
  if (counting.onNoData !== 'inconclusive' || !Number.isFinite(counting.inconclusiveLimit)) return null;
  return counting.inconclusiveLimit - 1;
}

/** Whether Argo's failure condition also holds on an empty result (the policy's onNoData 'fail'). */
export function argoEmptyResultFails(counting: FailureCounting): boolean {
  return counting.onNoData === 'fail';
}

/**
 * Flagger's `threshold` for the counting of the exported stages: the strictest stage's limit
 * (Flagger has one threshold), and how exactly it expresses each stage's counting.
 */
export function flaggerThresholdOf(countings: readonly FailureCounting[]): CountingField {
  const value = Math.min(...countings.map((counting) => counting.limit));
  const notes: string[] = [];
  let fidelity: Fidelity = 'exact';
  for (const counting of countings) {
    if (counting.mode === 'consecutive' && counting.limit > 1)
      notes.push(`the policy rolls back at ${counting.limit} failing checks in a row, Flagger at ${value} in total`);
    if (counting.mode === 'mOfN')
      notes.push(
        `the policy rolls back at ${counting.limit} failures among the last ${counting.window} checks, Flagger at ${value} in total`,
      );
    if (counting.scope === 'stage' && countings.length > 1 && counting.limit > 1)
      notes.push("the policy counts each stage afresh (failureScope 'stage'), Flagger's failedChecks span every step");
    if (counting.onNoData !== 'fail')
      notes.push(`the policy's onNoData '${counting.onNoData}' does not count a quiet window as a failure, Flagger does`);
    if (counting.limit > value) notes.push(`a stage allows ${counting.limit} failures, Flagger's one threshold ${value}`);
  }
  if (notes.length > 0) fidelity = 'stricter';
  return { value, fidelity, note: notes.length === 0 ? null : `Flagger is stricter: ${[...new Set(notes)].join('; ')}.` };
}
