/**
 * Sample-ratio mismatch (SRM): did the router really send traffic in the planned split?
 * A mismatch means the assignment or the logging is broken, and every comparison between the
 * arms is suspect until it is explained.
 *
 * Reference implementation matched in the tests: scipy 1.10 `stats.chisquare(f_obs, f_exp)`.
 */
import { chiSquareSf } from './distributions.ts';

/**
 * Default p-value below which `sampleRatioMismatch` flags a mismatch: 0.001.
 * Why stricter than 0.05: SRM checks run continuously, on every window and every experiment,
 * over counts so large that any real mismatch is detected with a tiny p-value anyway; a strict
 * threshold keeps false alarms rare across those many repeated checks. This is industry
 * practice (Fabijan et al. 2019, "Diagnosing Sample Ratio Mismatch in Online Controlled
 * Experiments", KDD; Kohavi, Tang & Xu 2020, "Trustworthy Online Controlled Experiments", §21).
 */
export const DEFAULT_SRM_THRESHOLD = 0.001;

/** Options of `sampleRatioMismatch`. */
export interface SampleRatioMismatchOptions {
  /** Planned share of each arm, any positive scale (normalised); default equal shares. */
  weights?: readonly number[];
  /** p-value below which the split is declared mismatched; default 0.001. */
  threshold?: number;
}

/** Result of `sampleRatioMismatch`. */
export interface SampleRatioMismatchResult {
  /** Pearson's statistic Σ (observed − expected)² / expected. */
  chiSquare: number;
  /** Number of arms − 1. */
  degreesOfFreedom: number;
  pValue: number;
  /** Expected count of each arm under the planned split: total × weight / Σ weights. */
  expected: number[];
  /** pValue < threshold. */
  mismatch: boolean;
  threshold: number;
}

/**
 * Pearson χ² goodness-of-fit test of observed arm counts against the planned split, for any
 * number of arms: χ² = Σ (O_i − E_i)²/E_i with E_i = N·w_i/Σw, df = k − 1, p = P(χ²_df > χ²)
 * (Pearson 1900). O(k).
 * Checks: at least two arms, counts non-negative integers with a positive total, one finite
 * positive weight per arm, threshold in (0, 1).
 */
export function sampleRatioMismatch(counts: readonly number[], options: SampleRatioMismatchOptions = {}): SampleRatioMismatchResult {
  const { threshold = DEFAULT_SRM_THRESHOLD } = options;
  if (counts.length < 2) throw new RangeError(`counts must list at least 2 arms, got ${counts.length}`);
  counts.forEach((count, i) => {
    if (!(Number.isInteger(count) && count >= 0)) {
      throw new RangeError(`counts[${i}] must be a non-negative integer, got ${count}`);
    }
  });
  const weights = options.weights ?? counts.map(() => 1);
  if (weights.length !== counts.length) {
    throw new RangeError(`weights must have one entry per arm (${counts.length}), got ${weights.length}`);
  }
  weights.forEach((weight, i) => {
    if (!(weight > 0 && Number.isFinite(weight))) {
      throw new RangeError(`weights[${i}] must be a positive finite number, got ${weight}`);
    }
  });
  if (!(threshold > 0 && threshold < 1)) throw new RangeError(`threshold must be between 0 and 1, got ${threshold}`);
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) throw new RangeError('counts must not all be zero');

  const weightSum = weights.reduce((sum, weight) => sum + weight, 0);
  const expected = weights.map((weight) => (total * weight) / weightSum);
  let chiSquare = 0;
  for (let i = 0; i < counts.length; i++) {
    const deviation = counts[i] - expected[i];
    chiSquare += (deviation * deviation) / expected[i];
  }
  const degreesOfFreedom = counts.length - 1;
  const pValue = chiSquareSf(chiSquare, degreesOfFreedom);
  return { chiSquare, degreesOfFreedom, pValue, expected, mismatch: pValue < threshold, threshold };
}
