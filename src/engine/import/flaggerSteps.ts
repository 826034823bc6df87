/**
 * The canary weights a Flagger progressive analysis walks through, from `stepWeight`,
 * `stepWeights` and `maxWeight`, as Flagger's scheduler computes them (read in fluxcd/flagger
 * `pkg/controller/scheduler.go`, commit 15bd6ad5, `maxWeight`, `nextStepWeight`, `runCanary`;
 * paraphrased, not ported):
 *
 * - the largest weight is the last of `stepWeights` (at most 100) when they are given, else
 *   `maxWeight`, else 100;
 * - the next step adds `stepWeight` when it is positive or when `stepWeights` is empty (so
 *   `stepWeight` wins over `stepWeights`); otherwise it moves to the next of `stepWeights` after
 *   the current weight (the first one from weight 0);
 * - the weight is capped at 100 but NOT at `maxWeight`: with `stepWeight: 20, maxWeight: 50` the
 *   weights are 20, 40, 60 — the step that reaches or passes `maxWeight` is the last;
 * - each weight lasts one passing check of `interval`, and the passing check at the last weight
 *   promotes (docs/gitbook/usage/deployment-strategies.md: "interval * (maxWeight / stepWeight)").
 */

/** The analysis fields the weights depend on, already checked (positive integers ≤ 100 when present). */
export interface FlaggerWeightSpec {
  stepWeight?: number;
  stepWeights?: readonly number[];
  maxWeight?: number;
}

/**
 * The weights (percent, 1–100) of the progressive steps, in order. Returns an empty list when
 * the spec has no step at all (neither a positive `stepWeight` nor `stepWeights`), which Flagger
 * never advances. Cost O(steps).
 */
export function flaggerStepWeights(spec: FlaggerWeightSpec): number[] {
  const stepWeights = spec.stepWeights ?? [];
  const step = spec.stepWeight ?? 0;
  const largest =
    stepWeights.length > 0
      ? Math.min(100, stepWeights[stepWeights.length - 1])
      : spec.maxWeight && spec.maxWeight > 0
        ? spec.maxWeight
        : 100;
  const next = (weight: number): number => {
    if (step > 0 || stepWeights.length === 0) return step;
    const room = 100 - weight;
    if (room === 0) return 1;
    if (weight === 0) return Math.min(room, stepWeights[0]);
    const at = stepWeights.indexOf(weight);
    if (at >= 0 && at < stepWeights.length - 1) return Math.min(room, stepWeights[at + 1] - weight);
    return room;
  };
  const weights: number[] = [];
  let weight = 0;
  while (weight < largest) {
    const increment = next(weight);
    if (!(increment > 0)) break;
    weight = Math.min(100, weight + increment);
    weights.push(weight);
  }
  return weights;
}
