/**
 * The one-sided shifted two-proportion z-test that statistical health rules run on accumulated
 * counts, with alpha spending across looks (the always-valid alternative is
 * `stats/alwaysValid.ts`).
 */
import { normalSf } from '../stats/distributions.ts';

/**
 * z statistic of H0: p_candidate − p_reference ≤ minimumEffect against "larger", with the pooled
 * variance, exactly statsmodels 0.13 `proportions_ztest(count=[xc, xr], nobs=[nc, nr],
 * value=minimumEffect, alternative='larger')` (which pools even when value ≠ 0):
 *
 *   p̄ = (xc + xr)/(nc + nr),  z = (xc/nc − xr/nr − δ) / √(p̄(1 − p̄)(1/nc + 1/nr)).
 *
 * When p̄(1 − p̄) = 0 (no events in either arm, or all events) there is no evidence of a
 * difference and z = 0 is returned (statsmodels returns NaN). Needs nc, nr ≥ 1. Cost O(1).
 */
export function shiftedProportionZ(
  candidateEvents: number,
  candidateTotal: number,
  referenceEvents: number,
  referenceTotal: number,
  minimumEffect: number,
): number {
  const pooled = (candidateEvents + referenceEvents) / (candidateTotal + referenceTotal);
  const variance = pooled * (1 - pooled) * (1 / candidateTotal + 1 / referenceTotal);
  if (!(variance > 0)) return 0;
  return (candidateEvents / candidateTotal - referenceEvents / referenceTotal - minimumEffect) / Math.sqrt(variance);
}

/** One-sided p-value of `shiftedProportionZ`: 1 − Φ(z). */
export function shiftedProportionPValue(z: number): number {
  return normalSf(z);
}
