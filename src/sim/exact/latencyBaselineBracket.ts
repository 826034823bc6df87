/**
 * A bracket for the historical baseline's latency reference. The baseline's p50/p95/p99 are the
 * request-weighted MEANS of its windows' reported percentiles (src/engine/controller/armTotals.ts),
 * whose law has no tractable exact form; but a weighted mean lies between the smallest and the
 * largest of the values it averages. So if every baseline window's reported percentile lies in
 * buckets [lo, hi] — which fails with probability at most ε, by a union bound over the windows —
 * the reference lies in [rep(lo), rep(hi)].
 *
 * Per window (n ~ Poisson(Λ), the rank k = ⌊q(n − 1)⌋ + 1, the control's latency law F with its
 * multiplier m), P(reported > rep(hi)) = P(U₍ₖ₎ > F(γ^hi/m)) = P(Bin(n, u) ≤ k − 1), bounded by
 * Chernoff's exp(−n·D((k − 1)/n ‖ u)) with D the Bernoulli Kullback–Leibler divergence
 * (Hoeffding, JASA 58, 1963, eq. 2.1), summed over n's central range plus the range's tail mass;
 * the lower side likewise. The bound is loose by a polynomial factor only, so the bracket is at
 * most a bucket wider than the exact quantiles would give.
 *
 * The health check's fail probability is monotone in the reference (a larger reference raises a
 * ratio rule's limit), so the chain's check is bracketed between its values at the two ends:
 * healthCheckLaw.ts reports the midpoint and adds half the width, with ε, to `neglected`.
 */
import type { HealthMetric } from '../../engine/policy/policy.ts';
import type { LatencyModel } from '../latencyModel.ts';
import { sketchRank } from '../windowsOrderStatistics.ts';
import { poissonLaw } from './countRange.ts';
import { bucketRepresentative, bucketUpperEdge } from './latencyLimitLaw.ts';

const percentileOf: Partial<Record<HealthMetric, number>> = { latencyP50: 0.5, latencyP95: 0.95, latencyP99: 0.99 };

/** Bernoulli Kullback–Leibler divergence D(a ‖ p). */
function divergence(a: number, p: number): number {
  const left = a === 0 ? 0 : a * Math.log(a / p);
  const right = a === 1 ? 0 : (1 - a) * Math.log((1 - a) / (1 - p));
  return left + right;
}

/** Upper bound on P(U₍ₖ₎ > u) for n uniforms: P(Bin(n, u) ≤ k − 1) ≤ exp(−n·D((k − 1)/n ‖ u)) when (k − 1)/n < u. */
function aboveBound(n: number, k: number, u: number): number {
  if (u >= 1) return 0;
  const a = (k - 1) / n;
  return a < u ? Math.exp(-n * divergence(a, u)) : 1;
}

/** Upper bound on P(U₍ₖ₎ ≤ v): P(Bin(n, v) ≥ k) ≤ exp(−n·D(k/n ‖ v)) when k/n > v. */
function belowBound(n: number, k: number, v: number): number {
  if (v <= 0) return 0;
  const a = k / n;
  return a > v ? Math.exp(-n * divergence(a, v)) : 1;
}

/** One baseline window as the bracket reads it: its expected arrivals and the control's latency multiplier. */
export interface BaselineWindowLatency {
  expected: number;
  multiplier: number;
}

/**
 * The bucket range [lo, hi] holding the reported `metric` of every window in `windows` except
 * with probability ≤ `epsilon` (union bound), for the control's latency law `latency`.
 * Returns the representatives' bracket [rep(lo), rep(hi)] and the probability bound spent.
 * Cost: O(windows × √Λ × buckets searched); identical windows are computed once.
 */
export function latencyBaselineBracket(
  metric: HealthMetric,
  windows: readonly BaselineWindowLatency[],
  latency: LatencyModel,
  epsilon: number,
): { low: number; high: number; spent: number } {
  const q = percentileOf[metric];
  if (q === undefined) throw new RangeError(`metric must be a latency percentile, got ${metric}`);
  const logGamma = Math.log(1.01 / 0.99);
  const perSide = epsilon / (2 * Math.max(1, windows.length));
  let lowIndex = Infinity;
  let highIndex = -Infinity;
  let spent = 0;
  const seen = new Map<string, [number, number, number]>();
  for (const window of windows) {
    const key = `${window.expected}|${window.multiplier}`;
    let found = seen.get(key);
    if (!found) {
      const law = poissonLaw(window.expected, perSide / 4);
      const centre = Math.ceil(Math.log(window.multiplier * latency.quantile(q)) / logGamma);
      // P(reported > rep(b)) bound, and P(reported < rep(b)) = P(index ≤ b − 1) bound.
      const upper = (b: number): number => {
        const u = latency.cdf(bucketUpperEdge(b) / window.multiplier);
        let sum = law.neglected;
        for (let i = 0; i < law.pmf.length; i++) {
          const n = law.first + i;
          sum += n === 0 ? 0 : law.pmf[i] * Math.min(1, aboveBound(n, sketchRank(q, n), u));
        }
        return sum;
      };
      const lower = (b: number): number => {
        const v = latency.cdf(bucketUpperEdge(b - 1) / window.multiplier);
        let sum = law.neglected;
        for (let i = 0; i < law.pmf.length; i++) {
          const n = law.first + i;
          sum += n === 0 ? 0 : law.pmf[i] * Math.min(1, belowBound(n, sketchRank(q, n), v));
        }
        return sum;
      };
      let high = centre;
      let highBound = upper(high);
      while (highBound > perSide) highBound = upper(++high);
      let low = centre;
      let lowBound = lower(low);
      while (lowBound > perSide) lowBound = lower(--low);
      found = [low, high, highBound + lowBound];
      seen.set(key, found);
    }
    lowIndex = Math.min(lowIndex, found[0]);
    highIndex = Math.max(highIndex, found[1]);
    spent += found[2];
  }
  return { low: bucketRepresentative(lowIndex), high: bucketRepresentative(highIndex), spent };
}
