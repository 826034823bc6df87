import { checkPositive, checkRandom } from './checks.ts';
import type { Random } from './prng.ts';

/**
 * Exponential with rate `rate` (mean 1/rate) by inversion: −ln(1 − U)/rate, U ∈ [0, 1), so the
 * argument of the logarithm is in (0, 1] and the result is finite. Cost: one uniform and one
 * log1p per draw.
 */
export function exponentialSampler(random: Random, rate = 1): () => number {
  checkRandom(random);
  checkPositive('rate', rate);
  return () => -Math.log1p(-random()) / rate;
}
