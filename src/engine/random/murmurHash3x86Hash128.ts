/**
 * MurmurHash3_x86_128 (Austin Appleby, SMHasher, public domain;
 * https://github.com/aappleby/smhasher/blob/master/src/MurmurHash3.cpp), transcribed to 32-bit
 * JavaScript integer arithmetic so that it is bit-identical in Node and the browser.
 *
 * Used to turn (seed, replicate, purpose) into generator states: it has full avalanche (every
 * input bit flips each of the 128 output bits with probability ≈ ½, SMHasher's avalanche and
 * differential tests), so inputs that differ by one — neighbouring replicates, seeds 1 and 2 —
 * give unrelated states.
 *
 * Returns the four 32-bit words h1..h4 (unsigned) that the C code writes to `out`. Checked
 * against SMHasher's published verification value (0xB3ECE62A) in
 * test/engine/random/murmurHash3x86Hash128.test.ts. Cost: O(length), ~5 operations per byte.
 */
export function murmurHash3x86Hash128(bytes: Uint8Array, seed = 0): [number, number, number, number] {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer between 0 and 2^32 - 1, got ${seed}`);
  }
  const length = bytes.length;
  const blockCount = length >>> 4;
  let h1 = seed | 0;
  let h2 = seed | 0;
  let h3 = seed | 0;
  let h4 = seed | 0;
  const c1 = 0x239b961b;
  const c2 = 0xab0e9789 | 0;
  const c3 = 0x38b34ae5;
  const c4 = 0xa1e38b93 | 0;

  for (let block = 0; block < blockCount; block++) {
    const i = block << 4;
    let k1 = readWord(bytes, i);
    let k2 = readWord(bytes, i + 4);
    let k3 = readWord(bytes, i + 8);
    let k4 = readWord(bytes, i + 12);

    k1 = Math.imul(rotl(Math.imul(k1, c1), 15), c2);
    h1 ^= k1;
    h1 = (Math.imul((rotl(h1, 19) + h2) | 0, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(rotl(Math.imul(k2, c2), 16), c3);
    h2 ^= k2;
    h2 = (Math.imul((rotl(h2, 17) + h3) | 0, 5) + 0x0bcaa747) | 0;
    k3 = Math.imul(rotl(Math.imul(k3, c3), 17), c4);
    h3 ^= k3;
    h3 = (Math.imul((rotl(h3, 15) + h4) | 0, 5) + 0x96cd1c35) | 0;
    k4 = Math.imul(rotl(Math.imul(k4, c4), 18), c1);
    h4 ^= k4;
    h4 = (Math.imul((rotl(h4, 13) + h1) | 0, 5) + 0x32ac3b17) | 0;
  }

  // Tail: the C switch falls through from case 15 down to case 1; each lane is mixed once its
  // lowest byte has been xored in.
  const tail = blockCount << 4;
  const remainder = length & 15;
  let k1 = 0;
  let k2 = 0;
  let k3 = 0;
  let k4 = 0;
  if (remainder >= 13) {
    if (remainder >= 15) k4 ^= bytes[tail + 14] << 16;
    if (remainder >= 14) k4 ^= bytes[tail + 13] << 8;
    k4 ^= bytes[tail + 12];
    k4 = Math.imul(rotl(Math.imul(k4, c4), 18), c1);
    h4 ^= k4;
  }
  if (remainder >= 9) {
    if (remainder >= 12) k3 ^= bytes[tail + 11] << 24;
    if (remainder >= 11) k3 ^= bytes[tail + 10] << 16;
    if (remainder >= 10) k3 ^= bytes[tail + 9] << 8;
    k3 ^= bytes[tail + 8];
    k3 = Math.imul(rotl(Math.imul(k3, c3), 17), c4);
    h3 ^= k3;
  }
  if (remainder >= 5) {
    if (remainder >= 8) k2 ^= bytes[tail + 7] << 24;
    if (remainder >= 7) k2 ^= bytes[tail + 6] << 16;
    if (remainder >= 6) k2 ^= bytes[tail + 5] << 8;
    k2 ^= bytes[tail + 4];
    k2 = Math.imul(rotl(Math.imul(k2, c2), 16), c3);
    h2 ^= k2;
  }
  if (remainder >= 1) {
    if (remainder >= 4) k1 ^= bytes[tail + 3] << 24;
    if (remainder >= 3) k1 ^= bytes[tail + 2] << 16;
    if (remainder >= 2) k1 ^= bytes[tail + 1] << 8;
    k1 ^= bytes[tail];
    k1 = Math.imul(rotl(Math.imul(k1, c1), 15), c2);
    h1 ^= k1;
  }

  // Finalisation (the C code xors in `len` as an int, i.e. modulo 2³²).
  h1 ^= length;
  h2 ^= length;
  h3 ^= length;
  h4 ^= length;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = finalMix(h1);
  h2 = finalMix(h2);
  h3 = finalMix(h3);
  h4 = finalMix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

function readWord(bytes: Uint8Array, i: number): number {
  return bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
}

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** MurmurHash3's fmix32 finaliser. */
function finalMix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b | 0);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35 | 0);
  h ^= h >>> 16;
  return h;
}
