/**
 * Poisson and binomial probability mass functions on the central range of their support that
 * holds all but a stated mass: the finite sums of the exact evaluator run over these.
 *
 * Each pmf is computed from its mode outwards by the ratio recurrences
 * P(k + 1)/P(k) = μ/(k + 1) (Poisson) and ((n − k)/(k + 1))·(p/(1 − p)) (binomial), starting
 * from the mode's log-probability (log-gamma, src/engine/stats/distributions.ts), and stops on
 * each side when the remaining tail is below `tolerance / 2`: beyond the mode the ratios fall,
 * so the tail after a term t with ratio r < 1 is at most t·r/(1 − r) (a geometric bound).
 * The kept terms are normalised to 1 − the tails' bound (the mode's log-gamma carries ~1e-8
 * relative error at n ~ 10⁸; the ratios do not), and `neglected` is that bound. Cost: O(range),
 * about 2·z·√variance terms for a tail of Φ(−z).
 */
import { logGamma } from '../../engine/stats/distributions.ts';

/** P(X = first + i) = pmf[i] for i in 0 … pmf.length − 1; the rest of the support has mass `neglected`. */
export interface CountLaw {
  first: number;
  pmf: Float64Array;
  neglected: number;
}

function logFactorial(k: number): number {
  return logGamma(k + 1);
}

/**
 * P(k + 1)/P(k): the Poisson's μ/(k + 1) when `n` < 0 (c = μ), else the binomial's
 * ((n − k)/(k + 1))·c (c = p/(1 − p)), Infinity below its support and 0 at its top. One function
 * for both laws, so `fromMode`'s call site sees one callee and the compiler inlines it: through a
 * closure per law the call was not inlined and each ratio came back as a boxed double
 * (27 of the 306 MB sampled on the lab's first visit).
 */
function upRatio(k: number, n: number, c: number): number {
  if (n < 0) return c / (k + 1);
  return k < 0 ? Number.POSITIVE_INFINITY : k >= n ? 0 : ((n - k) / (k + 1)) * c;
}

/** The terms above and below the mode as `fromMode` finds them (grown as needed; copied out). */
let aboveScratch: Float64Array = new Float64Array(1024);
let belowScratch: Float64Array = new Float64Array(1024);

/** `scratch` with room for index `index`, its first `index` entries kept. */
function roomFor(scratch: Float64Array, index: number): Float64Array {
  if (index < scratch.length) return scratch;
  const grown = new Float64Array(2 * scratch.length);
  grown.set(scratch);
  return grown;
}

/**
 * Builds a pmf from its mode `mode` (log-probability `logMode`), the ratio of successive terms
 * `upRatio(k, n, c)` = P(k + 1)/P(k), the support [low, high], and the tolerance.
 */
function fromMode(mode: number, logMode: number, n: number, c: number, low: number, high: number, tolerance: number): CountLaw {
  const half = tolerance / 2;
  let tails = 0;
  let aboveCount = 0;
  let belowCount = 0;
  let term = Math.exp(logMode);
  const top = term;
  for (let k = mode; k < high; k++) {
    const ratio = upRatio(k, n, c);
    term *= ratio;
    if (term === 0) break;
    aboveScratch = roomFor(aboveScratch, aboveCount);
    aboveScratch[aboveCount++] = term;
    const next = upRatio(k + 1, n, c);
    if (next < 1 && (term * next) / (1 - next) < half) {
      tails += (term * next) / (1 - next);
      break;
    }
  }
  term = top;
  for (let k = mode; k > low; k--) {
    const ratio = upRatio(k - 1, n, c);
    term /= ratio;
    if (term === 0 || !Number.isFinite(term)) break;
    belowScratch = roomFor(belowScratch, belowCount);
    belowScratch[belowCount++] = term;
    const previous = upRatio(k - 2, n, c);
    // Going down, the ratio of P(k − 2) to P(k − 1) is 1/upRatio(k − 2) (> 1 below the mode means falling).
    const fall = previous > 0 ? 1 / previous : 0;
    if (k - 2 < low) break;
    if (fall < 1 && (term * fall) / (1 - fall) < half) {
      tails += (term * fall) / (1 - fall);
      break;
    }
  }
  const pmf = new Float64Array(belowCount + 1 + aboveCount);
  for (let i = 0; i < belowCount; i++) pmf[belowCount - 1 - i] = belowScratch[i];
  pmf[belowCount] = top;
  for (let i = 0; i < aboveCount; i++) pmf[belowCount + 1 + i] = aboveScratch[i];
  // The ratios are exact to rounding but the mode's log-gamma is not (≈1e-8 relative at n ~ 1e8):
  // normalise the kept terms to 1 − (the tails' bound), which the true kept mass is within.
  let sum = 0;
  for (let i = 0; i < pmf.length; i++) sum += pmf[i];
  const scale = (1 - tails) / sum;
  for (let i = 0; i < pmf.length; i++) pmf[i] *= scale;
  return { first: mode - belowCount, pmf, neglected: tails };
}

/** Poisson(mean) on the central range holding all but `tolerance` of its mass. mean ≥ 0. */
export function poissonLaw(mean: number, tolerance: number): CountLaw {
  if (!(mean >= 0) || !Number.isFinite(mean)) throw new RangeError(`Poisson mean must be finite and ≥ 0, got ${mean}`);
  if (mean === 0) return { first: 0, pmf: Float64Array.of(1), neglected: 0 };
  const mode = Math.floor(mean);
  const logMode = mode * Math.log(mean) - mean - logFactorial(mode);
  return fromMode(mode, logMode, -1, mean, 0, Number.POSITIVE_INFINITY, tolerance);
}

/** Binomial(n, p) on the central range holding all but `tolerance` of its mass. */
export function binomialLaw(n: number, p: number, tolerance: number): CountLaw {
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`binomial n must be an integer ≥ 0, got ${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`binomial p must be in [0, 1], got ${p}`);
  if (p === 0 || n === 0) return { first: 0, pmf: Float64Array.of(1), neglected: 0 };
  if (p === 1) return { first: n, pmf: Float64Array.of(1), neglected: 0 };
  const mode = Math.min(n, Math.floor((n + 1) * p));
  const logMode = logFactorial(n) - logFactorial(mode) - logFactorial(n - mode) + mode * Math.log(p) + (n - mode) * Math.log1p(-p);
  const odds = p / (1 - p);
  return fromMode(mode, logMode, n, odds, 0, n, tolerance);
}
