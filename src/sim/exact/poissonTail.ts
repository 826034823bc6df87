/**
 * Poisson tail probabilities for the exact evaluator's bounds (shadowGateLaw.ts, the chain's
 * baseline stage): P(X ≤ k) = Q(k + 1, μ), the regularised upper incomplete gamma
 * (Abramowitz & Stegun 6.5.2 with 26.4.21; src/engine/stats/distributions.ts), which keeps its
 * relative precision when the tail is tiny. O(1) continued-fraction or series terms per call.
 */
import { upperIncompleteGamma } from '../../engine/stats/distributions.ts';

/** P(Poisson(mean) ≤ k) for a real k (⌊k⌋ is used); 0 for k < 0. */
export function poissonAtMost(mean: number, k: number): number {
  if (k < 0) return 0;
  if (mean === 0) return 1;
  return upperIncompleteGamma(Math.floor(k) + 1, mean);
}

/** P(Poisson(mean) > k) for a real k (⌊k⌋ is used); 1 for k < 0. */
export function poissonAbove(mean: number, k: number): number {
  if (k < 0) return 1;
  if (mean === 0) return 0;
  return 1 - upperIncompleteGamma(Math.floor(k) + 1, mean);
}
