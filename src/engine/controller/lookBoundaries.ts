/**
 * Lan–DeMets boundaries at the looks of a group-sequential A/B stage, on a grid of information
 * fractions, with a bounded cache.
 *
 * The controller looks when the information fraction n/N reaches the next planned k/K, so the
 * actual fractions overshoot the planned ones by a random amount and every replicate of a
 * simulation has its own sequence; computing the boundary afresh costs O(k · m²) (about 2 ms
 * per look, groupSequential.ts). Rule: each non-final look's fraction is rounded to the nearest
 * multiple of 1/200 (kept strictly above the previous look and below 1); the final look is at
 * 1. The boundary is that of the Lan–DeMets design at those rounded fractions — still an exact
 * α-spending design (the spent α(t) at chosen fractions; the total at the final look is α) —
 * and designs are cached by (rounded fractions, α, spending), so replicates whose looks round to
 * the same fractions share one computation (a look exactly at a planned k/K, K dividing 200,
 * keeps its exact fraction: such designs match rpact's at the planned information rates).
 *
 * Effect of the rounding, measured against the exact fractions (200 random sequences of 2–9
 * looks with up to 0.3/K overshoot, O'Brien–Fleming and Pocock, two-sided α = 0.05): boundaries
 * move by at most 0.07 in z (at the earliest O'Brien–Fleming looks, where the boundary is
 * steepest and far from any observed z) and the type-I error of the rounded boundaries at the
 * ACTUAL fractions stays within 1.3e-4 of α (`crossingProbabilities`), a sixteenth of the
 * Monte-Carlo standard error of 10,000 replicates (2.2e-3). A 1/1000 grid moves α by 2e-5 but
 * rarely finds a cached design (the validation test of 2,500 replicates × 5 looks took 20 s
 * instead of 22 s); 1/200 takes it to 3.6 s; 1/100 (2.7 s) moves α by 2.3e-4.
 */
import type { SpendingFunctionName } from '../stats/groupSequential.ts';
import { groupSequentialBoundaries } from '../stats/groupSequential.ts';

/** Information fractions of non-final looks are multiples of 1 / lookFractionGrid (rule above). */
export const lookFractionGrid = 200;

/** Designs kept; beyond this, the oldest entry is dropped (first in, first out). */
const cacheCapacity = 10_000;
const cache = new Map<string, number>();

/**
 * The information fraction a non-final look is recorded at: `fraction` rounded to the nearest
 * multiple of 1/200, at least one grid step above `previous` (the last look's, 0 before the
 * first). When that would reach 1 (looks crowded near the end), returns the exact
 * max(fraction, previous + 1e-9) instead — still strictly increasing and below 1 there. O(1).
 */
export function lookInformationFraction(fraction: number, previous: number): number {
  const rounded = Math.max(Math.round(fraction * lookFractionGrid), Math.round(previous * lookFractionGrid) + 1) / lookFractionGrid;
  if (rounded > previous && rounded < 1) return rounded;
  return Math.max(fraction, previous + 1e-9);
}

/**
 * The two-sided Lan–DeMets boundary z_k of the look at `fractions[k − 1]`, where `fractions`
 * lists the looks so far and ends with the current one (non-final looks are followed by 1 in the
 * design, which leaves z_k unchanged: z_k depends only on t_1…t_k and α(t_k)). Equal to
 * `groupSequentialBoundaries({ informationFractions: [...fractions, 1?], alpha, sides: 2,
 * spending }).z[k − 1]`, cached by (fractions, α, spending). Cost: a Map lookup when cached,
 * else O(k · m²).
 */
export function lookBoundary(fractions: readonly number[], isFinal: boolean, alpha: number, spending: SpendingFunctionName): number {
  const key = `${alpha}|${spending}|${isFinal ? 'final' : 'open'}|${fractions.join(',')}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const design = isFinal ? [...fractions] : [...fractions, 1];
  const boundary = groupSequentialBoundaries({ informationFractions: design, alpha, sides: 2, spending }).z[fractions.length - 1];
  if (cache.size >= cacheCapacity) cache.delete(cache.keys().next().value as string);
  cache.set(key, boundary);
  return boundary;
}
