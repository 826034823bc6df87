/**
 * The pseudo-random generator every stream of the engine and the simulator is built on:
 * xoshiro128** 1.1 (Blackman & Vigna, "Scrambled linear pseudorandom number generators",
 * ACM TOMS 47(4), 2021; reference C code https://prng.di.unimi.it/xoshiro128starstar.c).
 *
 * Why this one: 128 bits of state held in four 32-bit integers, so one step is a handful of
 * `Math.imul`, shifts and xors — no BigInt, no floating point, bit-identical in every JavaScript
 * engine (Node and the browser); period 2¹²⁸ − 1; passes BigCrush and PractRand. The outputs are
 * pinned against a transcription of the reference C code in test/engine/random/prng.test.ts
 * (scripts/reference/random_streams.py).
 */

/** A source of uniform random numbers in [0, 1): each call returns the next value of its stream. */
export type Random = () => number;

/** A source of uniform random 32-bit unsigned integers in [0, 2³²). */
export type RandomUint32 = () => number;

const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;

/**
 * xoshiro128** on the 128-bit state `state` (four unsigned 32-bit words s[0..3], as in the
 * reference code), returning the raw 32-bit outputs `rotl(s[1] · 5, 7) · 9`.
 *
 * The state must not be all zero (the one fixed point of the generator). Use `streamFor` to get a
 * well-mixed state from a seed rather than writing one by hand: states with few bits set give
 * visibly non-random first outputs. Cost per call: ~10 integer operations, no allocation.
 */
export function xoshiro128StarStarUint32(state: ArrayLike<number>): RandomUint32 {
  if (state.length !== 4) throw new RangeError(`state must have 4 words, got ${state.length}`);
  for (let i = 0; i < 4; i++) {
    const word = state[i];
    if (!Number.isInteger(word) || word < 0 || word > 0xffffffff) {
      throw new RangeError(`state[${i}] must be an integer between 0 and 2^32 - 1, got ${word}`);
    }
  }
  // Held as signed int32 (`| 0`); the bit patterns are what matter.
  const words = stateWords(state);
  if ((words[0] | words[1] | words[2] | words[3]) === 0) throw new RangeError('state must not be all zero');
  return () => {
    let s0 = words[0];
    let s1 = words[1];
    let s2 = words[2];
    let s3 = words[3];
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    words[0] = s0;
    words[1] = s1;
    words[2] = s2;
    words[3] = s3;
    return result >>> 0;
  };
}

/**
 * The four state words as signed int32 in an Int32Array — not in closure variables: V8 with
 * pointer compression (Chromium; not Node 20) keeps only 31-bit integers unboxed in a closure's
 * context, so about half the state words written back at every call were boxed numbers, one
 * allocation each, in the browser's simulation workers (issue 16: the generator's closure
 * allocated a third of the windowed mode's bytes in Chromium's worker). An Int32Array holds the
 * same bit patterns unboxed in every engine.
 */
function stateWords(state: ArrayLike<number>): Int32Array {
  const words = new Int32Array(4);
  for (let i = 0; i < 4; i++) words[i] = state[i] | 0;
  return words;
}

/**
 * xoshiro128** returning doubles uniform on [0, 1) with 53 random bits: two consecutive 32-bit
 * outputs a, b give ((a >>> 5) · 2²⁶ + (b >>> 6)) / 2⁵³ — the `genrand_res53` construction of
 * Matsumoto & Nishimura's reference Mersenne Twister, also used by numpy and Python's `random`.
 * Every multiple of 2⁻⁵³ in [0, 1) is equally likely; 1 is never returned, 0 can be (p = 2⁻⁵³).
 * Full 53 bits matter here because samplers take logarithms of uniforms: with 32 bits the
 * exponential tail would stop at −ln 2⁻³² ≈ 22. Cost: two generator steps, no allocation.
 */
export function xoshiro128StarStar(state: ArrayLike<number>): Random {
  xoshiro128StarStarUint32(state); // validates the state (same checks, same messages)
  // The two generator steps written out in one closure (the same outputs as calling
  // `xoshiro128StarStarUint32`'s closure twice, without the two inner calls: this is the
  // simulator's hottest function).
  const words = stateWords(state);
  return () => {
    let s0 = words[0];
    let s1 = words[1];
    let s2 = words[2];
    let s3 = words[3];
    let x = Math.imul(s1, 5);
    const high = Math.imul((x << 7) | (x >>> 25), 9) >>> 5;
    let t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    x = Math.imul(s1, 5);
    const low = Math.imul((x << 7) | (x >>> 25), 9) >>> 6;
    t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    words[0] = s0;
    words[1] = s1;
    words[2] = s2;
    words[3] = s3;
    return (high * TWO_POW_26 + low) / TWO_POW_53;
  };
}
