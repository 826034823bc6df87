/** Seeded randomness: the generator, independent streams, and samplers of the standard laws. */

export { betaSampler } from './beta.ts';
export { binomialSampler } from './binomial.ts';
export { exponentialSampler } from './exponential.ts';
export { gammaSampler, logGammaSampler } from './gamma.ts';
export type { LognormalParameters } from './lognormal.ts';
export { lognormalFromMeanAndCv, lognormalFromMedianAndP95, lognormalSampler } from './lognormal.ts';
export { murmurHash3x86Hash128 } from './murmurHash3x86Hash128.ts';
export { normalSampler } from './normal.ts';
export { poissonSampler } from './poisson.ts';
export type { Random, RandomUint32 } from './prng.ts';
export { xoshiro128StarStar, xoshiro128StarStarUint32 } from './prng.ts';
export { seedFromText, streamSeed } from './seedFromText.ts';
export { stirlingCorrection } from './stirlingCorrection.ts';
export { forkStream, streamFor } from './streams.ts';
export { uniformSampler } from './uniform.ts';
