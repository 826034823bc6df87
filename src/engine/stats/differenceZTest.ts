/**
 * The large-sample z-test of a difference estimated with a known standard error — the last step
 * shared by the delta-method ratio test, the CUPED test and the non-inferiority tests of means:
 * z = (estimate − null)/SE, p from the standard normal, and the matching confidence interval.
 */
import { normalCdf, normalQuantile, normalSf } from './distributions.ts';
import type { Alternative } from './welch.ts';
import { checkAlternative } from './welch.ts';

/** Result of `differenceZTest`. */
export interface DifferenceZTestResult {
  /** The estimated difference (candidate − control). */
  estimate: number;
  standardError: number;
  /** The difference under H0 (0 for superiority, ∓margin for non-inferiority). */
  nullValue: number;
  z: number;
  pValue: number;
  alternative: Alternative;
  /** Interval for the difference at `confidenceLevel`, one-sided to match the alternative. */
  confidenceInterval: [number, number];
}

/**
 * z = (estimate − nullValue)/standardError; p = 2·Φ(−|z|) two-sided, 1 − Φ(z) for 'greater'
 * (H1: difference > nullValue), Φ(z) for 'less'. Interval: estimate ± z_{1−(1−level)/2}·SE two-sided,
 * [estimate − z_level·SE, ∞) for 'greater', (−∞, estimate + z_level·SE] for 'less'. O(1).
 */
export function differenceZTest(
  estimate: number,
  standardError: number,
  options: { nullValue?: number; alternative?: Alternative; confidenceLevel?: number } = {},
): DifferenceZTestResult {
  const { nullValue = 0, alternative = 'two-sided', confidenceLevel = 0.95 } = options;
  if (!Number.isFinite(estimate)) throw new RangeError(`estimate must be a finite number, got ${estimate}`);
  if (!(standardError > 0 && Number.isFinite(standardError))) {
    throw new RangeError(`standardError must be a positive number, got ${standardError}`);
  }
  if (!Number.isFinite(nullValue)) throw new RangeError(`nullValue must be a finite number, got ${nullValue}`);
  checkAlternative(alternative);
  if (!(confidenceLevel > 0 && confidenceLevel < 1)) {
    throw new RangeError(`confidenceLevel must be between 0 and 1, got ${confidenceLevel}`);
  }
  const z = (estimate - nullValue) / standardError;
  let pValue: number;
  let confidenceInterval: [number, number];
  if (alternative === 'two-sided') {
    pValue = Math.min(1, 2 * normalSf(Math.abs(z)));
    const margin = normalQuantile(1 - (1 - confidenceLevel) / 2) * standardError;
    confidenceInterval = [estimate - margin, estimate + margin];
  } else if (alternative === 'greater') {
    pValue = normalSf(z);
    confidenceInterval = [estimate - normalQuantile(confidenceLevel) * standardError, Infinity];
  } else {
    pValue = normalCdf(z);
    confidenceInterval = [-Infinity, estimate + normalQuantile(confidenceLevel) * standardError];
  }
  return { estimate, standardError, nullValue, z, pValue, alternative, confidenceInterval };
}
