import { checkFinite, checkRandom } from './checks.ts';
import type { Random } from './prng.ts';

/**
 * Uniform on [min, max): min + (max − min)·U, with U from `random`. `min === max` gives the
 * constant. Cost: one uniform per draw.
 */
export function uniformSampler(random: Random, min = 0, max = 1): () => number {
  checkRandom(random);
  checkFinite('min', min);
  checkFinite('max', max);
  if (max < min) throw new RangeError(`max must be at least min (${min}), got ${max}`);
  const width = max - min;
  if (!Number.isFinite(width)) throw new RangeError(`max - min must be finite, got ${width}`);
  return () => min + width * random();
}
