import { checkNonNegative, checkRandom } from './checks.ts';
import type { Random } from './prng.ts';
import { stirlingCorrection } from './stirlingCorrection.ts';

/** Below this mean, inversion (≈ mean + 1 steps per draw) is cheaper than PTRS. As numpy. */
const INVERSION_LIMIT = 10;
/** Largest mean accepted: above it the counts are no longer exact integers in a double. */
const MAX_MEAN = 1e15;
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Poisson(mean), exactly (no normal approximation), for 0 ≤ mean ≤ 10¹⁵.
 *
 * mean < 10: inversion by sequential search — one uniform U, then k = 0, 1, … subtracting
 * P(X = k) = P(X = k − 1)·mean/k from U until U < P(X = k) (Devroye 1986, §X.3.3). If rounding
 * leaves U above the computed total mass (the terms underflow to 0), the draw is restarted with a
 * fresh U, so the result is never truncated. Cost O(mean + 1).
 *
 * mean ≥ 10: PTRS, the transformed rejection method with squeeze of Hörmann, "The transformed
 * rejection method for generating Poisson random variables", Insurance: Mathematics and
 * Economics 12, 1993 — constants b = 0.931 + 2.53·√mean, a = −0.059 + 0.02483·b,
 * 1/α = 1.1239 + 1.1328/(b − 3.4), v_r = 0.9277 − 3.6224/(b − 2) as in the paper (and numpy's
 * `random_poisson_ptrs`). Two uniforms per trial; measured 2.66 uniforms per draw at mean 10,
 * 2.28 at 1000, 2.25 at 10⁶ and 10¹² — O(1) time whatever the mean. ln k! is written with
 * `stirlingCorrection` so the acceptance test keeps full precision at large means.
 */
export function poissonSampler(random: Random, mean: number): () => number {
  checkPoisson(random, mean);
  if (mean === 0) return () => 0;
  const constants = new Float64Array(CONSTANTS);
  if (mean < INVERSION_LIMIT) {
    constants[0] = Math.exp(-mean);
    return () => inversionDraw(random, mean, constants);
  }
  ptrsConstants(mean, constants);
  return () => ptrsDraw(random, mean, constants);
}

/**
 * One Poisson(mean) variate: the same value `poissonSampler(random, mean)()` returns, from the
 * same uniforms, without allocating the sampler (its closure and the boxed constants it keeps) —
 * for callers whose mean changes at every draw, such as the windowed simulator under a daily
 * cycle. Same checks and cost as one sampler plus one draw. The constants go to a module scratch
 * array, read while drawing: `random` must not itself draw Poisson variates.
 */
export function poissonVariate(random: Random, mean: number): number {
  checkPoisson(random, mean);
  if (mean === 0) return 0;
  if (mean < INVERSION_LIMIT) {
    scratch[0] = Math.exp(-mean);
    return inversionDraw(random, mean, scratch);
  }
  ptrsConstants(mean, scratch);
  return ptrsDraw(random, mean, scratch);
}

function checkPoisson(random: Random, mean: number): void {
  checkRandom(random);
  checkNonNegative('mean', mean);
  if (mean > MAX_MEAN) throw new RangeError(`mean must be at most ${MAX_MEAN}, got ${mean}`);
}

/** Constants of one law, as the inversion (1: P(X = 0)) or PTRS (5) draw reads them. */
const CONSTANTS = 5;
const scratch = new Float64Array(CONSTANTS);

function inversionDraw(random: Random, mean: number, constants: Float64Array): number {
  const probabilityOfZero = constants[0];
  for (;;) {
    let u = random();
    let k = 0;
    let probability = probabilityOfZero;
    while (u >= probability && probability > 0) {
      u -= probability;
      k += 1;
      probability *= mean / k;
    }
    if (probability > 0) return k;
  }
}

/** Writes [a, b, ln(1/α), v_r, mean + 0.43] for the PTRS draw (module comment). */
function ptrsConstants(mean: number, into: Float64Array): void {
  const b = 0.931 + 2.53 * Math.sqrt(mean);
  into[0] = -0.059 + 0.02483 * b;
  into[1] = b;
  into[2] = Math.log(1.1239 + 1.1328 / (b - 3.4));
  into[3] = 0.9277 - 3.6224 / (b - 2);
  into[4] = mean + 0.43;
}

function ptrsDraw(random: Random, mean: number, constants: Float64Array): number {
  const a = constants[0];
  const b = constants[1];
  const logInverseAlpha = constants[2];
  const acceptLimit = constants[3];
  const shift = constants[4];
  for (;;) {
    const u = random() - 0.5;
    const v = random();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + shift);
    // Immediate acceptance inside the region where the hat lies below the density.
    if (us >= 0.07 && v <= acceptLimit) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    // ln(v·α⁻¹/(a/us² + b)) ≤ ln P(X = k)/… = −mean + k·ln mean − ln k!, with
    // ln k! = (k + ½)ln(k + 1) − (k + 1) + ½ln 2π + fc(k), rearranged into small terms.
    const logHat = Math.log(v) + logInverseAlpha - Math.log(a / (us * us) + b);
    const logDensity =
      k + 1 - mean + k * Math.log1p((mean - k - 1) / (k + 1)) - 0.5 * Math.log(k + 1) - HALF_LOG_TWO_PI - stirlingCorrection(k);
    if (logHat <= logDensity) return k;
  }
}
