/**
 * The exact law of a window's reported latency percentile against a limit.
 *
 * The windowed mode reports the q-quantile of n requests as the order statistic of rank
 * k = ⌊q(n − 1)⌋ + 1 (`sketchRank`), X₍ₖ₎ = m·F⁻¹(U₍ₖ₎) with U₍ₖ₎ ~ Beta(k, n − k + 1) (David &
 * Nagaraja, "Order Statistics", 2003, §2.2), rounded to its sketch bucket's representative
 * 2γ^i/(γ + 1), i = ⌈ln X / ln γ⌉, γ = (1 + α)/(1 − α) (src/sim/sketchRounding.ts). So the
 * reported value is ≤ a limit L exactly when i ≤ i* — the largest index whose representative is
 * ≤ L — that is when X₍ₖ₎ ≤ γ^{i*}, when U₍ₖ₎ ≤ F(γ^{i*}/m):
 *   P(reported ≤ L) = P(U₍ₖ₎ ≤ u) = P(Binomial(n, u) ≥ k) = I_u(k, n − k + 1),
 * the regularised incomplete beta (src/engine/stats/distributions.ts). The simulator maps U through
 * an F⁻¹ accurate to 1e-9 (`approximateLogQuantile`): it can differ from this law only for a
 * value within 1e-9 of a bucket edge.
 *
 * Several percentiles of one arm are jointly distributed (the same n uniforms). Their joint
 * "all within limits" probability for two ranks ka < kb and levels x ≤ y:
 *   P(U₍ka₎ ≤ x, U₍kb₎ ≤ y) = P(Bin(n, x) ≥ kb) + Σ_{i = ka}^{kb − 1} b(i; n, x)·P(Bin(n − i, (y − x)/(1 − x)) ≥ kb − i)
 * (i uniforms below x, at least kb − i of the other n − i — uniform on (x, 1) — below y).
 */
import { incompleteBeta } from '../../engine/stats/distributions.ts';
import { binomialLaw } from './countRange.ts';

/** The sketch's γ for relative accuracy α (the simulator's sketches use α = 1%). */
export function sketchGamma(relativeAccuracy = 0.01): number {
  return (1 + relativeAccuracy) / (1 - relativeAccuracy);
}

/**
 * The representative of bucket `index`, by the same floating-point expression as
 * `sketchRoundingFromLog` (so comparisons with a limit agree bit for bit).
 */
export function bucketRepresentative(index: number, relativeAccuracy = 0.01): number {
  const gamma = sketchGamma(relativeAccuracy);
  return (2 * Math.exp(index * Math.log(gamma))) / (1 + gamma);
}

/**
 * The largest bucket index whose representative is ≤ `limit` (−Infinity when the limit is below
 * every representative, +Infinity for an infinite limit). O(1).
 */
export function largestIndexWithin(limit: number, relativeAccuracy = 0.01): number {
  if (limit === Infinity) return Infinity;
  if (!(limit > 0)) return -Infinity;
  const gamma = sketchGamma(relativeAccuracy);
  let index = Math.floor(Math.log((limit * (1 + gamma)) / 2) / Math.log(gamma));
  while (bucketRepresentative(index + 1, relativeAccuracy) <= limit) index++;
  while (bucketRepresentative(index, relativeAccuracy) > limit) index--;
  return index;
}

/** The upper edge of bucket `index`, γ^index (values x with ⌈ln x / ln γ⌉ ≤ index are ≤ it). */
export function bucketUpperEdge(index: number, relativeAccuracy = 0.01): number {
  return Math.exp(index * Math.log(sketchGamma(relativeAccuracy)));
}

/**
 * The uniform level u such that the reported percentile is ≤ `limit` exactly when U₍ₖ₎ ≤ u:
 * u = F(γ^{i*}/multiplier), with F the base latency CDF. 0 when no value can pass, 1 when all do.
 */
export function passLevel(limit: number, multiplier: number, cdf: (x: number) => number, relativeAccuracy = 0.01): number {
  const index = largestIndexWithin(limit, relativeAccuracy);
  if (index === Infinity) return 1;
  if (index === -Infinity) return 0;
  return Math.min(1, Math.max(0, cdf(bucketUpperEdge(index, relativeAccuracy) / multiplier)));
}

/** P(U₍ₖ₎ ≤ u) for the k-th of n uniforms: I_u(k, n − k + 1). 1 ≤ k ≤ n. */
export function orderStatisticAtMost(n: number, k: number, u: number): number {
  if (u <= 0) return 0;
  if (u >= 1) return 1;
  return incompleteBeta(u, k, n - k + 1);
}

/** P(U₍ₖ₎ > u), computed on the side that keeps the small tail's precision. */
export function orderStatisticAbove(n: number, k: number, u: number): number {
  if (u <= 0) return 1;
  if (u >= 1) return 0;
  // P(U₍ₖ₎ > u) = P(Bin(n, u) ≤ k − 1) = I_{1−u}(n − k + 1, k).
  return incompleteBeta(1 - u, n - k + 1, k);
}

/**
 * P(U₍ka₎ ≤ x and U₍kb₎ ≤ y) for ranks ka ≤ kb of n uniforms and levels x ≤ y (pass the nested
 * levels: a lower rank's level above a higher rank's is the higher's). The sum over i runs over
 * Binomial(n, x)'s central range holding all but `tolerance`; returns the probability and the
 * mass left out. Cost: O(√n) incomplete betas.
 */
export function jointOrderStatisticsAtMost(
  n: number,
  ka: number,
  x: number,
  kb: number,
  y: number,
  tolerance: number,
): { probability: number; neglected: number } {
  if (ka === kb || x >= y) return { probability: orderStatisticAtMost(n, ka, Math.min(x, y)), neglected: 0 };
  if (x <= 0) return { probability: 0, neglected: 0 };
  if (y >= 1) return { probability: orderStatisticAtMost(n, ka, x), neglected: 0 };
  let probability = orderStatisticAtMost(n, kb, x);
  const law = binomialLaw(n, x, tolerance);
  const conditional = (y - x) / (1 - x);
  const from = Math.max(ka, law.first);
  const to = Math.min(kb - 1, law.first + law.pmf.length - 1);
  for (let i = from; i <= to; i++) {
    const need = kb - i;
    const rest = n - i;
    probability += law.pmf[i - law.first] * (need > rest ? 0 : orderStatisticAtMost(rest, need, conditional));
  }
  return { probability, neglected: law.neglected };
}
