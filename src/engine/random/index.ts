/** Seeded randomness: the generator, independent streams, and samplers of the standard laws. */
export type { Random, RandomUint32 } from './prng.ts';
export { xoshiro128StarStar, xoshiro128StarStarUint32 } from './prng.ts';
export { murmurHash3x86Hash128 } from './murmurHash3x86Hash128.ts';
export { streamFor, forkStream } from './streams.ts';
export { seedFromText, streamSeed } from './seedFromText.ts';
export { uniformSampler } from './uniform.ts';
export { normalSampler } from './normal.ts';
export type { LognormalParameters } from './lognormal.ts';
export { lognormalSampler, lognormalFromMedianAndP95, lognormalFromMeanAndCv } from './lognormal.ts';
export { exponentialSampler } from './exponential.ts';
export { gammaSampler, logGammaSampler } from './gamma.ts';
export { betaSampler } from './beta.ts';
export { poissonSampler } from './poisson.ts';
export { binomialSampler } from './binomial.ts';
export { stirlingCorrection } from './stirlingCorrection.ts';
