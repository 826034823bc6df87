import { checkFinite, checkNonNegative, checkPositive, checkRandom } from './checks.ts';
import { standardNormalSampler } from './normal.ts';
import type { Random } from './prng.ts';

/**
 * Parameters of a lognormal law: ln X ~ Normal(meanLog, sdLog²) (R's `meanlog`, `sdlog`; scipy's
 * `lognorm(s = sdLog, scale = exp(meanLog))`).
 */
export interface LognormalParameters {
  meanLog: number;
  sdLog: number;
}

/** z₀.₉₅ = Φ⁻¹(0.95); scipy 1.10.1 `norm.ppf(0.95)`. */
const Z_95 = 1.6448536269514722;

/**
 * Lognormal exp(meanLog + sdLog·Z), Z standard normal (polar method, see `normalSampler`).
 * Cost: one exp and 4/π ≈ 1.27 uniforms per draw on average.
 */
export function lognormalSampler(random: Random, meanLog = 0, sdLog = 1): () => number {
  checkRandom(random);
  checkFinite('meanLog', meanLog);
  checkNonNegative('sdLog', sdLog);
  const standard = standardNormalSampler(random);
  return () => Math.exp(meanLog + sdLog * standard());
}

/**
 * The lognormal with the given median and 95th percentile — how people usually describe a
 * latency ("p50 120 ms, p95 300 ms"): meanLog = ln median, sdLog = (ln p95 − ln median) / z₀.₉₅.
 * Requires 0 < median < p95.
 */
export function lognormalFromMedianAndP95(median: number, p95: number): LognormalParameters {
  checkPositive('median', median);
  checkPositive('p95', p95);
  if (!(p95 > median)) throw new RangeError(`p95 must be greater than median (${median}), got ${p95}`);
  return { meanLog: Math.log(median), sdLog: Math.log(p95 / median) / Z_95 };
}

/**
 * The lognormal with the given mean and coefficient of variation cv = sd/mean:
 * sdLog² = ln(1 + cv²), meanLog = ln mean − sdLog²/2 (moments of the lognormal, e.g. Johnson,
 * Kotz & Balakrishnan, Continuous Univariate Distributions vol. 1, ch. 14). Requires mean > 0,
 * cv ≥ 0.
 */
export function lognormalFromMeanAndCv(mean: number, cv: number): LognormalParameters {
  checkPositive('mean', mean);
  checkNonNegative('cv', cv);
  const varianceLog = Math.log1p(cv * cv);
  return { meanLog: Math.log(mean) - varianceLog / 2, sdLog: Math.sqrt(varianceLog) };
}
