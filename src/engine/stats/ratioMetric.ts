/**
 * Ratio metrics when users are randomised but the metric is per request (errors per request,
 * tokens per request): R = Σy/Σx over an arm's users, with x the user's requests and y the user's
 * errors (or tokens). Requests of one user are correlated, so the per-request binomial or i.i.d.
 * variance is wrong (too small when users differ); the delta method on per-user sums is right.
 *
 * Source: Deng, Knoblich & Lu, "Applying the Delta Method in Metric Analytics: A Practical Guide
 * with Novel Ideas", KDD 2018, §3.1 eq. (4): with per-user means μ_x, μ_y, variances σ_x², σ_y²
 * and covariance σ_xy over n users,
 *
 *   Var(ȳ/x̄) ≈ (1/n)·(σ_y²/μ_x² − 2·μ_y·σ_xy/μ_x³ + μ_y²·σ_x²/μ_x⁴).
 *
 * The moments come from the streamable `bivariateMoments` reducer (or from running sums), so a
 * window store needs six numbers per arm, not the per-user data.
 */

import type { BivariateMomentsState } from './bivariateMoments.ts';
import { bivariateMomentsValue } from './bivariateMoments.ts';
import type { DifferenceZTestResult } from './differenceZTest.ts';
import { differenceZTest } from './differenceZTest.ts';
import type { Alternative } from './welch.ts';

/** One arm's ratio and its delta-method variance. */
export interface RatioMetricSummary {
  /** Users (randomisation units). */
  count: number;
  /** ȳ/x̄ = Σy/Σx. */
  ratio: number;
  /** Var(ȳ/x̄) by the delta method. */
  variance: number;
  /**
   * n·Var(ȳ/x̄): the variance "per user" to give a sample-size calculation (`meanSampleSize`'s
   * controlVariance), so that n users per arm give the variance above.
   */
  perUnitVariance: number;
}

/**
 * The ratio Σy/Σx of one arm and its delta-method variance (Deng, Knoblich & Lu 2018, eq. 4),
 * from the per-user moments (x = denominator, y = numerator). Unbiased (n − 1) moments are used,
 * as a direct numpy computation with ddof=1 would. Checks: at least 2 users, x̄ > 0. O(1).
 */
export function ratioMetricSummary(moments: BivariateMomentsState, label = 'moments'): RatioMetricSummary {
  const summary = bivariateMomentsValue(moments);
  if (!(Number.isInteger(summary.count) && summary.count >= 2)) {
    throw new RangeError(`${label}.count must be at least 2 users, got ${summary.count}`);
  }
  if (!(summary.meanX > 0)) throw new RangeError(`${label}: the mean denominator per user must be positive, got ${summary.meanX}`);
  const { meanX, meanY, varianceX, varianceY, covariance, count } = summary;
  const perUnitVariance = Math.max(
    0,
    varianceY / meanX ** 2 - (2 * meanY * covariance) / meanX ** 3 + (meanY ** 2 * varianceX) / meanX ** 4,
  );
  return { count, ratio: meanY / meanX, variance: perUnitVariance / count, perUnitVariance };
}

/** Options of `ratioDifferenceTest`. */
export interface RatioDifferenceTestOptions {
  /** About candidate − control; default 'two-sided'. */
  alternative?: Alternative;
  /** The difference under H0, default 0; ∓margin for a non-inferiority test. */
  nullValue?: number;
  /** Default 0.95. */
  confidenceLevel?: number;
}

/** Result of `ratioDifferenceTest`: the z-test plus each arm's ratio. */
export interface RatioDifferenceTestResult extends DifferenceZTestResult {
  control: RatioMetricSummary;
  candidate: RatioMetricSummary;
}

/**
 * z-test of R_candidate − R_control with SE = √(Var_c + Var_t), each variance by the delta method
 * (the arms are independent samples of users). O(1).
 */
export function ratioDifferenceTest(
  control: BivariateMomentsState,
  candidate: BivariateMomentsState,
  options: RatioDifferenceTestOptions = {},
): RatioDifferenceTestResult {
  const first = ratioMetricSummary(control, 'control');
  const second = ratioMetricSummary(candidate, 'candidate');
  const standardError = Math.sqrt(first.variance + second.variance);
  if (!(standardError > 0)) throw new RangeError('control and candidate both have zero variance: the test is undefined');
  return { ...differenceZTest(second.ratio - first.ratio, standardError, options), control: first, candidate: second };
}
