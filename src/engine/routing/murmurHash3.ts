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
    let k1 = data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24);
    k1 = Math.imul(k1, C1);
    k1 = rotateLeft(k1, 15);
    k1 = Math.imul(k1, C2);
    h1 ^= k1;
    h1 = rotateLeft(h1, 13);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  }
  const tail = blocks * 4;
  const remainder = length & 3;
  if (remainder > 0) {
    let k1 = 0;
    if (remainder === 3) k1 ^= data[tail + 2] << 16;
    if (remainder >= 2) k1 ^= data[tail + 1] << 8;
    k1 ^= data[tail];
    k1 = Math.imul(k1, C1);
    k1 = rotateLeft(k1, 15);
    k1 = Math.imul(k1, C2);
    h1 ^= k1;
  }
  h1 ^= length;
  // fmix32
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 >>> 0;
}
