/**
 * MurmurHash3 x86 32-bit, the hash Unleash (and many other flag systems) use for sticky
 * bucketing, over the UTF-8 bytes of a string.
 *
 * Transcribed from Austin Appleby's reference `MurmurHash3_x86_32` (smhasher, public domain,
 * src/MurmurHash3.cpp). Checked in test/engine/routing/murmurHash3.test.ts against an
 * independent C implementation (Debian's libmurmurhash `lmmh_x86_32`) through
 * scripts/reference/analysis.py.
 */

import { utf8Bytes } from '../text/utf8Bytes.ts';

export { utf8Bytes };

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function rotateLeft(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** The scrambling of one key word k1 (a block or the tail's bytes) before it is xored into h1. */
function scramble(k1: number): number {
  return Math.imul(rotateLeft(Math.imul(k1, C1), 15), C2);
}

/**
 * One 4-byte block of the body: h1 after mixing in the little-endian word `k1` (getblock32 on
 * x86). Exported so that `numberedIdBuckets` can hash a fixed prefix once and carry on from its
 * state; `murmurHash3` is this, `murmurHash3Finish` and nothing else.
 */
export function murmurHash3Block(h1: number, k1: number): number {
  const mixed = rotateLeft(h1 ^ scramble(k1), 13);
  return (Math.imul(mixed, 5) + 0xe6546b64) | 0;
}

/**
 * The end of the hash: the tail word `tail` (the last `length mod 4` bytes, little-endian; 0 when
 * none), the length in bytes, and fmix32. Returns the unsigned 32-bit hash.
 */
export function murmurHash3Finish(h1: number, tail: number, length: number): number {
  let h = h1;
  if ((length & 3) > 0) h ^= scramble(tail);
  h ^= length;
  // fmix32
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * MurmurHash3 x86 32-bit of `input` (a string is hashed as its UTF-8 bytes) with `seed`,
 * as an unsigned 32-bit integer (0 … 2³²−1), bit-identical to the reference C code.
 * Cost O(bytes).
 */
export function murmurHash3(input: string | Uint8Array, seed = 0): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be a whole number between 0 and 4294967295, got ${seed}`);
  }
  const data = typeof input === 'string' ? utf8Bytes(input) : input;
  const length = data.length;
  const blocks = length >>> 2;
  let h1 = seed | 0;
  for (let i = 0; i < blocks; i++) {
    const at = i * 4;
    // Little-endian block read, as getblock32 on x86.
    h1 = murmurHash3Block(h1, data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24));
  }
  const at = blocks * 4;
  const remainder = length & 3;
  let tail = 0;
  if (remainder === 3) tail ^= data[at + 2] << 16;
  if (remainder >= 2) tail ^= data[at + 1] << 8;
  if (remainder >= 1) tail ^= data[at];
  return murmurHash3Finish(h1, tail, length);
}
