/**
 * Latency laws of a simulated model, each with a sampler AND its quantile function and CDF.
 *
 * Both are needed: the per-request mode draws latencies one by one (`sampler`), while the windowed
 * mode draws the window's order statistics as uniforms (Beta laws) and maps them through the
 * quantile function F⁻¹ (`quantile`), which is exact for i.i.d. latencies because
 * F⁻¹(U₍k₎) has the law of the k-th order statistic of the latencies (David & Nagaraja,
 * "Order Statistics", 3rd ed., 2003, §2.1). The CDF gives timeout probabilities P(latency > T).
 *
 * All latencies are in milliseconds.
 */

import { exponentialSampler } from '../engine/random/exponential.ts';
import { gammaSampler } from '../engine/random/gamma.ts';
import type { Random } from '../engine/random/prng.ts';
import { logGamma, normalCdf, normalQuantile, upperIncompleteGamma } from '../engine/stats/distributions.ts';
import { zigguratNormal, zigguratScaledNormal } from './zigguratNormal.ts';

/** A latency law as written in a scenario. */
export type LatencyDistribution = LognormalLatency | GammaLatency | ExponentialLatency | MixtureLatency | EmpiricalLatency;

/**
 * Lognormal: ln(latency) ~ Normal(ln(median), sigma²). Give `sigma`, or `p95` and the sigma is
 * solved from p95 = median·exp(1.6449·sigma).
 */
export interface LognormalLatency {
  kind: 'lognormal';
  /** Median latency, ms (> 0). */
  median: number;
  /** Standard deviation of ln(latency) (> 0). */
  sigma?: number;
  /** 95th percentile, ms (> median); alternative to `sigma`. */
  p95?: number;
}

/** Gamma with `shape` k > 0 and `scale` θ > 0 ms: mean kθ. */
export interface GammaLatency {
  kind: 'gamma';
  shape: number;
  scale: number;
}

/** Exponential with mean `mean` ms (> 0). */
export interface ExponentialLatency {
  kind: 'exponential';
  mean: number;
}

/** A mixture: with probability weight_i / Σ weights the latency comes from component i. */
export interface MixtureLatency {
  kind: 'mixture';
  components: { weight: number; distribution: Exclude<LatencyDistribution, MixtureLatency> }[];
}

/**
 * Empirical: observed latencies (e.g. from a log), read as the continuous law whose quantile
 * function is their R type-7 (linear interpolation) quantile — the convention of DESIGN.md §3.
 */
export interface EmpiricalLatency {
  kind: 'empirical';
  /** At least two latencies, ms (≥ 0). */
  values: number[];
}

/** A latency law ready for simulation. */
export interface LatencyModel {
  /** F⁻¹(u) for u in [0, 1]: the latency below which a fraction u of requests fall. */
  quantile(u: number): number;
  /** F(x) = P(latency ≤ x). */
  cdf(x: number): number;
  /**
   * F⁻¹(u) to about 1e-9 relative error, faster: the windowed mode's order statistics are rounded
   * to the latency sketch's 1% buckets afterwards, so this can only matter for a value within
   * 1e-9 of a bucket edge. Lognormal: Acklam's approximation of Φ⁻¹ without the polishing steps;
   * the other laws: `quantile`.
   */
  approximateQuantile(u: number): number;
  /** ln F⁻¹(u), as accurate as `approximateQuantile` (the lognormal's needs no exp). */
  approximateLogQuantile(u: number): number;
  /** A sampler drawing latencies from `random`; allocation-free per call. */
  sampler(random: Random): () => number;
  /**
   * Lognormal only: a sampler of ln(latency) — y = μ + σZ, drawing exactly what `sampler` draws
   * from the same stream, so that Math.exp(y) is bit for bit the latency `sampler` returns. The
   * per-request mode folds y into the sketch's log-spaced buckets directly (sketchBuffer.ts),
   * saving an exp and a log per request. Absent for the other laws.
   */
  logSampler?: (random: Random) => () => number;
}

/** z₀.₉₅ = Φ⁻¹(0.95), used to solve a lognormal's sigma from its p95. */
const Z95 = 1.6448536269514722;

/**
 * A `LatencyModel` for an already-validated `LatencyDistribution` (`parseScenario` checks them).
 * Costs per call: lognormal and exponential quantile/cdf O(1) (Φ⁻¹ with two Halley steps);
 * gamma quantile by safeguarded Newton on the regularised incomplete gamma (≈ 10 iterations);
 * mixture quantile by bisection on the mixture CDF (≈ 60 CDF evaluations); empirical O(log n).
 */
export function latencyModel(distribution: LatencyDistribution): LatencyModel {
  switch (distribution.kind) {
    case 'lognormal':
      return lognormalModel(distribution);
    case 'gamma':
      return gammaModel(distribution.shape, distribution.scale);
    case 'exponential':
      return exponentialModel(distribution.mean);
    case 'mixture':
      return mixtureModel(distribution);
    case 'empirical':
      return empiricalModel(distribution.values);
  }
}

/** The sigma of a lognormal spec: given, or solved from p95 = median·exp(z₀.₉₅·sigma). */
export function lognormalSigma(distribution: LognormalLatency): number {
  if (distribution.sigma !== undefined) return distribution.sigma;
  return Math.log((distribution.p95 as number) / distribution.median) / Z95;
}

// Peter J. Acklam, "An algorithm for computing the inverse normal cumulative distribution
// function" (2003): relative error < 1.15e-9 over (0, 1). The same coefficients as the start of
// the engine's polished `normalQuantile` (src/engine/stats/distributions.ts).
const ACKLAM_A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239,
];
const ACKLAM_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const ACKLAM_C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783,
];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const ACKLAM_LOW = 0.02425;

/** Φ⁻¹(p) by Acklam's rational approximation (relative error < 1.15e-9); ±Infinity at 0 and 1. */
export function approximateNormalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  // The coefficient arrays are read in place (no per-call destructuring: this runs three times per
  // arm per window in the windowed mode).
  const a = ACKLAM_A;
  const b = ACKLAM_B;
  const c = ACKLAM_C;
  const d = ACKLAM_D;
  if (p < ACKLAM_LOW || p > 1 - ACKLAM_LOW) {
    const tail = p < 0.5 ? p : 1 - p;
    const q = Math.sqrt(-2 * Math.log(tail));
    const x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    return p < 0.5 ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

function lognormalModel(distribution: LognormalLatency): LatencyModel {
  const mu = Math.log(distribution.median);
  const sigma = lognormalSigma(distribution);
  return {
    quantile: (u) => Math.exp(mu + sigma * normalQuantile(u)),
    approximateQuantile: (u) => Math.exp(mu + sigma * approximateNormalQuantile(u)),
    approximateLogQuantile: (u) => mu + sigma * approximateNormalQuantile(u),
    cdf: (x) => (x <= 0 ? 0 : normalCdf((Math.log(x) - mu) / sigma)),
    sampler(random) {
      // exp(mu + sigma·Z), Z by the ziggurat method (three times faster than the polar method
      // of the engine's `normalSampler`; this is the per-request mode's hot loop).
      const normal = zigguratNormal(random);
      return () => Math.exp(mu + sigma * normal());
    },
    logSampler(random) {
      // mu + sigma·Z in one closure (the same draws and arithmetic as `sampler`, without the exp).
      return zigguratScaledNormal(random, mu, sigma);
    },
  };
}

function exponentialModel(mean: number): LatencyModel {
  // −mean·ln(1 − u), written with log1p for accuracy at small u.
  const quantile = (u: number): number => (u >= 1 ? Infinity : -mean * Math.log1p(-u));
  return {
    quantile,
    approximateQuantile: quantile,
    approximateLogQuantile: (u) => Math.log(quantile(u)),
    cdf: (x) => (x <= 0 ? 0 : -Math.expm1(-x / mean)),
    sampler(random) {
      return exponentialSampler(random, 1 / mean);
    },
  };
}

/** Regularised lower incomplete gamma P(a, x). */
function gammaCdfStandard(shape: number, x: number): number {
  return x <= 0 ? 0 : 1 - upperIncompleteGamma(shape, x);
}

/**
 * Quantile of the standard Gamma(shape, 1) law: Newton steps on P(a, x) − u, kept inside a
 * bracket that bisection shrinks whenever Newton would leave it (Numerical Recipes §6.2.1
 * `invgammp` does the same with Halley steps). Converges to ~1e-13 relative in ≲ 15 steps.
 */
function gammaQuantileStandard(shape: number, u: number): number {
  if (u <= 0) return 0;
  if (u >= 1) return Infinity;
  // Wilson–Hilferty start: x ≈ a(1 − 1/(9a) + z/(3√a))³.
  const z = normalQuantile(u);
  let x = shape * Math.max(1e-3, 1 - 1 / (9 * shape) + z / (3 * Math.sqrt(shape))) ** 3;
  if (shape < 1 && u < 0.5) x = (u * Math.exp(logGamma(shape + 1))) ** (1 / shape); // P ≈ x^a/Γ(a+1) near 0
  let low = 0;
  let high = Infinity;
  const logNorm = logGamma(shape);
  for (let i = 0; i < 100; i++) {
    const error = gammaCdfStandard(shape, x) - u;
    if (error < 0) low = x;
    else high = x;
    if (Math.abs(error) < 1e-15 * Math.max(u, 1e-300)) break;
    const density = Math.exp((shape - 1) * Math.log(x) - x - logNorm);
    let next = x - error / density;
    if (!(next > low && next < high) || !Number.isFinite(next)) {
      next = high === Infinity ? Math.max(2 * x, 1) : 0.5 * (low + high);
    }
    if (Math.abs(next - x) <= 1e-14 * x) {
      x = next;
      break;
    }
    x = next;
  }
  return x;
}

function gammaModel(shape: number, scale: number): LatencyModel {
  const quantile = (u: number): number => scale * gammaQuantileStandard(shape, u);
  return {
    quantile,
    approximateQuantile: quantile,
    approximateLogQuantile: (u) => Math.log(quantile(u)),
    cdf: (x) => gammaCdfStandard(shape, x / scale),
    sampler(random) {
      return gammaSampler(random, shape, scale);
    },
  };
}

function mixtureModel(distribution: MixtureLatency): LatencyModel {
  const total = distribution.components.reduce((sum, component) => sum + component.weight, 0);
  const weights = distribution.components.map((component) => component.weight / total);
  const models = distribution.components.map((component) => latencyModel(component.distribution));
  const cumulative = new Float64Array(weights.length);
  weights.reduce((sum, weight, i) => (cumulative[i] = sum + weight), 0);
  cumulative[weights.length - 1] = 1;
  const cdf = (x: number): number => {
    let sum = 0;
    for (let i = 0; i < models.length; i++) sum += weights[i] * models[i].cdf(x);
    return sum;
  };
  const model: LatencyModel = {
    cdf,
    approximateQuantile: (u) => model.quantile(u),
    approximateLogQuantile: (u) => Math.log(model.quantile(u)),
    quantile(u) {
      if (u <= 0) return Math.min(...models.map((model) => model.quantile(0)));
      if (u >= 1) return Math.max(...models.map((model) => model.quantile(1)));
      // The mixture's u-quantile lies between its components' u-quantiles (F is an average of
      // the Fᵢ, so F ≥ u at the largest Qᵢ(u) and ≤ u at the smallest); bisect inside.
      let low = Infinity;
      let high = 0;
      for (const model of models) {
        const q = model.quantile(u);
        if (q < low) low = q;
        if (q > high) high = q;
      }
      for (let i = 0; i < 200 && high - low > 1e-13 * high; i++) {
        const middle = 0.5 * (low + high);
        if (cdf(middle) < u) low = middle;
        else high = middle;
      }
      return 0.5 * (low + high);
    },
    sampler(random) {
      const samplers = models.map((model) => model.sampler(random));
      return () => {
        const pick = random();
        let i = 0;
        while (pick >= cumulative[i] && i < cumulative.length - 1) i++;
        return samplers[i]();
      };
    },
  };
  return model;
}

function empiricalModel(values: number[]): LatencyModel {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  // Type-7 quantile: h = (n − 1)u, linear between neighbours — continuous and piecewise linear,
  // so its inverse (the CDF) is piecewise linear too.
  const quantile = (u: number): number => {
    if (u <= 0) return sorted[0];
    if (u >= 1) return sorted[n - 1];
    const h = (n - 1) * u;
    const below = Math.floor(h);
    return sorted[below] + (h - below) * (sorted[below + 1] - sorted[below]);
  };
  return {
    quantile,
    approximateQuantile: quantile,
    approximateLogQuantile: (u) => Math.log(quantile(u)),
    cdf(x) {
      if (x < sorted[0]) return 0;
      if (x >= sorted[n - 1]) return 1;
      // Largest i with sorted[i] ≤ x, by binary search.
      let low = 0;
      let high = n - 1;
      while (high - low > 1) {
        const middle = (low + high) >> 1;
        if (sorted[middle] <= x) low = middle;
        else high = middle;
      }
      const gap = sorted[low + 1] - sorted[low];
      const fraction = gap > 0 ? (x - sorted[low]) / gap : 1;
      return (low + fraction) / (n - 1);
    },
    sampler(random) {
      return () => quantile(random());
    },
  };
}
