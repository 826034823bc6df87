/**
 * CUPED: variance reduction by a pre-experiment covariate (Deng, Xu, Kohavi & Walker, "Improving
 * the Sensitivity of Online Controlled Experiments by Utilizing Pre-Experiment Data", WSDM 2013).
 *
 * With x a unit's pre-period value and y its value during the test, Ŷ_cv = ȳ − θ(x̄ − E x) is
 * unbiased for E y for any fixed θ, and its variance is smallest at θ = cov(x, y)/var(x), where
 * Var(Ŷ_cv) = Var(ȳ)·(1 − ρ²) (§3.2, eq. 3–4). The treatment effect is estimated by
 * Δ_cv = (ȳ_t − ȳ_c) − θ·(x̄_t − x̄_c) (§3.3): E x is the same in both arms (randomisation), so it cancels.
 *
 * Everything is computed from per-arm bivariate moments (n, means, M_xx, M_yy, M_xy), streamable
 * and mergeable (`bivariateMoments`). θ is pooled within arms: θ = (M_xy,c + M_xy,t)/(M_xx,c + M_xx,t),
 * so a treatment effect on y does not enter it; like the paper, the test treats θ as known
 * (its estimation error is O(1/n) and negligible at experiment sizes).
 */

import type { BivariateMomentsState } from './bivariateMoments.ts';
import { bivariateMomentsValue } from './bivariateMoments.ts';
import type { DifferenceZTestResult } from './differenceZTest.ts';
import { differenceZTest } from './differenceZTest.ts';
import type { Alternative } from './welch.ts';

/** 1 − ρ²: the factor by which CUPED multiplies the variance (and the sample size) when the pre-period correlation is ρ. */
export function cupedVarianceFactor(correlation: number): number {
  if (!(correlation >= -1 && correlation <= 1)) throw new RangeError(`correlation must be between -1 and 1, got ${correlation}`);
  return 1 - correlation * correlation;
}

/** Options of `cupedTest`. */
export interface CupedTestOptions {
  /** About candidate − control; default 'two-sided'. */
  alternative?: Alternative;
  /** The difference under H0, default 0. */
  nullValue?: number;
  confidenceLevel?: number;
}

/** Result of `cupedTest`: the z-test on the adjusted difference, and what the adjustment did. */
export interface CupedTestResult extends DifferenceZTestResult {
  /** θ = pooled within-arm cov(x, y)/var(x). */
  theta: number;
  /** Pooled within-arm correlation of x and y. */
  correlation: number;
  /** ȳ_t − ȳ_c, the estimate without adjustment. */
  unadjustedEstimate: number;
  /** √(s²_y,t/n_t + s²_y,c/n_c). */
  unadjustedStandardError: number;
  /** 1 − SE²/SE²_unadjusted: the share of the variance removed (≈ ρ²). */
  varianceReduction: number;
}

function checkArm(state: BivariateMomentsState, label: string): void {
  if (!(Number.isInteger(state.count) && state.count >= 2)) {
    throw new RangeError(`${label}.count must be at least 2 units, got ${state.count}`);
  }
  for (const key of ['meanX', 'meanY', 'm2X', 'm2Y', 'coMoment'] as const) {
    if (!Number.isFinite(state[key])) throw new RangeError(`${label}.${key} must be a finite number, got ${state[key]}`);
  }
}

/**
 * The CUPED-adjusted difference candidate − control and its z-test. Each arm's variance is
 * Var(ȳ − θx̄) = (s²_y − 2θ·s_xy + θ²·s²_x)/n with that arm's unbiased moments. O(1).
 */
export function cupedTest(
  control: BivariateMomentsState,
  candidate: BivariateMomentsState,
  options: CupedTestOptions = {},
): CupedTestResult {
  checkArm(control, 'control');
  checkArm(candidate, 'candidate');
  const pooledXX = control.m2X + candidate.m2X;
  const pooledYY = control.m2Y + candidate.m2Y;
  const pooledXY = control.coMoment + candidate.coMoment;
  if (!(pooledXX > 0)) throw new RangeError('the pre-period values x do not vary within the arms: θ is undefined');
  const theta = pooledXY / pooledXX;
  const correlation = pooledYY > 0 ? pooledXY / Math.sqrt(pooledXX * pooledYY) : 0;
  const c = bivariateMomentsValue(control);
  const t = bivariateMomentsValue(candidate);
  const adjustedVariance = (arm: typeof c): number =>
    Math.max(0, arm.varianceY - 2 * theta * arm.covariance + theta * theta * arm.varianceX) / arm.count;
  const unadjustedVariance = c.varianceY / c.count + t.varianceY / t.count;
  const variance = adjustedVariance(c) + adjustedVariance(t);
  if (!(variance > 0)) throw new RangeError('the adjusted metric has zero variance in both arms: the test is undefined');
  const unadjustedEstimate = t.meanY - c.meanY;
  const estimate = unadjustedEstimate - theta * (t.meanX - c.meanX);
  return {
    ...differenceZTest(estimate, Math.sqrt(variance), options),
    theta,
    correlation,
    unadjustedEstimate,
    unadjustedStandardError: Math.sqrt(unadjustedVariance),
    varianceReduction: unadjustedVariance > 0 ? 1 - variance / unadjustedVariance : 0,
  };
}
