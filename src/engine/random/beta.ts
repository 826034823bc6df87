import { checkPositive, checkRandom } from './checks.ts';
import { gammaSampler, logGammaSampler } from './gamma.ts';
import type { Random } from './prng.ts';

/**
 * Beta(alpha, beta) as X/(X + Y) with X ~ Gamma(alpha), Y ~ Gamma(beta) independent (e.g.
 * Devroye, Non-Uniform Random Variate Generation, 1986, §IX.4.1), each by Marsaglia–Tsang.
 * When a shape is below 1 the gammas are drawn as logarithms (`logGammaSampler`) and combined as
 * 1/(1 + exp(ln Y − ln X)), so that tiny shapes, whose gammas underflow to 0, never give 0/0.
 * Exact; cost two gamma draws per value (≈ 4.6 uniforms when both shapes are ≥ 1). This is the law of uniform
 * order statistics the windowed simulator needs: U₍ₖ₎ of n ~ Beta(k, n − k + 1).
 */
export function betaSampler(random: Random, alpha: number, beta: number): () => number {
  checkRandom(random);
  checkPositive('alpha', alpha);
  checkPositive('beta', beta);
  if (alpha >= 1 && beta >= 1) {
    const x = gammaSampler(random, alpha);
    const y = gammaSampler(random, beta);
    return () => {
      const gx = x();
      return gx / (gx + y());
    };
  }
  const logX = logGammaSampler(random, alpha);
  const logY = logGammaSampler(random, beta);
  return () => {
    const lx = logX();
    return 1 / (1 + Math.exp(logY() - lx));
  };
}
