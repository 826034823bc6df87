/**
 * Wilson score intervals: for one rate (Wilson 1927), and for the difference of two rates by
 * Newcombe's hybrid score method, which combines the two Wilson intervals (Newcombe 1998).
 */
import { normalQuantile } from './distributions.ts';
import type { ProportionCounts } from './proportions.ts';
import { checkProportionCounts } from './proportions.ts';

/** A two-sided confidence interval. */
export interface Interval {
  lower: number;
  upper: number;
}

function checkAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, got ${alpha}`);
}

/** Wilson interval for already-checked counts (internal twin of `wilsonInterval`). */
function wilson(successes: number, total: number, critical: number): Interval {
  const rate = successes / total;
  const critical2 = critical * critical;
  const denominator = 1 + critical2 / total;
  const center = (rate + critical2 / (2 * total)) / denominator;
  const halfWidth = (critical * Math.sqrt((rate * (1 - rate)) / total + critical2 / (4 * total * total))) / denominator;
  // At 0 or n successes a bound is exactly 0 or 1 (the square root equals the centre's
  // distance to it); rounding would otherwise leave a residue such as 3.5e-18.
  return {
    lower: successes === 0 ? 0 : Math.max(0, center - halfWidth),
    upper: successes === total ? 1 : Math.min(1, center + halfWidth),
  };
}

/**
 * Wilson score interval for a rate at confidence 1 − α, with z = Φ⁻¹(1 − α/2), p̂ = x/n:
 *
 *   (p̂ + z²/2n ± z·√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n),
 *
 * as statsmodels `proportion_confint(x, n, alpha, method='wilson')` (Wilson, JASA 1927; Brown,
 * Cai & DasGupta, Stat. Sci. 2001). Bounds are clipped to [0, 1] against rounding. Cost O(1).
 */
export function wilsonInterval(counts: ProportionCounts, alpha = 0.05): Interval {
  checkProportionCounts(counts, 'counts');
  checkAlpha(alpha);
  return wilson(counts.successes, counts.total, normalQuantile(1 - alpha / 2));
}

/**
 * Newcombe's hybrid score interval for the difference p1 − p2 (first minus second) at
 * confidence 1 − α — method 10 of Newcombe, "Interval estimation for the difference between
 * independent proportions", Stat. Med. 17 (1998) 873–890. With (l_i, u_i) the Wilson intervals
 * of each rate and d = p̂1 − p̂2:
 *
 *   lower = d − √((p̂1 − l1)² + (u2 − p̂2)²),   upper = d + √((u1 − p̂1)² + (p̂2 − l2)²).
 *
 * Same sign convention and values as statsmodels
 * `confint_proportions_2indep(x1, n1, x2, n2, method='newcomb', compare='diff')`. Cost O(1).
 */
export function newcombeInterval(first: ProportionCounts, second: ProportionCounts, alpha = 0.05): Interval {
  checkProportionCounts(first, 'first');
  checkProportionCounts(second, 'second');
  checkAlpha(alpha);
  const critical = normalQuantile(1 - alpha / 2);
  const rate1 = first.successes / first.total;
  const rate2 = second.successes / second.total;
  const interval1 = wilson(first.successes, first.total, critical);
  const interval2 = wilson(second.successes, second.total, critical);
  const difference = rate1 - rate2;
  return {
    lower: difference - Math.hypot(rate1 - interval1.lower, interval2.upper - rate2),
    upper: difference + Math.hypot(interval1.upper - rate1, rate2 - interval2.lower),
  };
}
