/**
 * The two-proportion z-test with pooled variance, as statsmodels
 * `statsmodels.stats.proportion.proportions_ztest(count=[x1, x2], nobs=[n1, n2])`.
 */
import { normalCdf, normalSf } from './distributions.ts';

/** Successes out of a total for one arm (e.g. 43 correct answers out of 50 requests). */
export interface ProportionCounts {
  /** Number of successes, a whole number between 0 and `total`. */
  successes: number;
  /** Number of trials, a whole number of at least 1. */
  total: number;
}

/**
 * Which alternative hypothesis the test is for, in statsmodels' words:
 * `'two-sided'` p1 ≠ p2, `'larger'` p1 > p2, `'smaller'` p1 < p2.
 */
export type ProportionAlternative = 'two-sided' | 'larger' | 'smaller';

/** Test statistic and p-value of a z-test. */
export interface ZTestResult {
  /** z = (p̂1 − p̂2) / SE₀; positive when the first rate is the higher one. */
  z: number;
  pValue: number;
}

/**
 * Checks that `counts` are whole numbers with 0 ≤ successes ≤ total and total ≥ 1, throwing a
 * `RangeError` that names `label` (e.g. `'a'`) otherwise.
 */
export function checkProportionCounts(counts: ProportionCounts, label: string): void {
  const { successes, total } = counts;
  if (!Number.isInteger(total) || total < 1) {
    throw new RangeError(`${label}.total must be a whole number of at least 1, got ${total}`);
  }
  if (!Number.isInteger(successes) || successes < 0) {
    throw new RangeError(`${label}.successes must be a whole number of at least 0, got ${successes}`);
  }
  if (successes > total) {
    throw new RangeError(`${label}.successes must be at most ${label}.total (${total}), got ${successes}`);
  }
}

/**
 * Two-proportion z-test of H0: p1 = p2 with the pooled variance under H0:
 *
 *   p̄ = (x1 + x2) / (n1 + n2),   z = (x1/n1 − x2/n2) / √(p̄(1 − p̄)(1/n1 + 1/n2)),
 *
 * p-value 2·(1 − Φ(|z|)) two-sided, 1 − Φ(z) for `'larger'`, Φ(z) for `'smaller'` — exactly
 * statsmodels 0.13 `proportions_ztest(count=[x1, x2], nobs=[n1, n2], alternative=…)`.
 *
 * Degenerate case: when both arms are all failures or all successes (p̄ = 0 or 1) the variance
 * is 0 and statsmodels returns NaN; here the data show no difference at all, so the result is
 * z = 0, p = 1 (for every alternative) instead of NaN.
 *
 * Cost O(1).
 */
export function twoProportionZTest(
  first: ProportionCounts,
  second: ProportionCounts,
  alternative: ProportionAlternative = 'two-sided',
): ZTestResult {
  checkProportionCounts(first, 'first');
  checkProportionCounts(second, 'second');
  if (alternative !== 'two-sided' && alternative !== 'larger' && alternative !== 'smaller') {
    throw new RangeError(`alternative must be 'two-sided', 'larger' or 'smaller', got '${String(alternative)}'`);
  }
  const pooled = (first.successes + second.successes) / (first.total + second.total);
  const variance = pooled * (1 - pooled) * (1 / first.total + 1 / second.total);
  if (variance === 0) return { z: 0, pValue: 1 };
  const difference = first.successes / first.total - second.successes / second.total;
  const z = difference / Math.sqrt(variance);
  const pValue = alternative === 'two-sided' ? 2 * normalSf(Math.abs(z)) : alternative === 'larger' ? normalSf(z) : normalCdf(z);
  return { z, pValue };
}
