/**
 * Sticky buckets of a run of numbered ids (`user-0`, `user-1`, …) without building their strings:
 * the simulator buckets a whole user population once per scenario, and for ten million ids
 * building and UTF-8-encoding the strings cost ≈ 2.8 s of CPU against ≈ 0.1 s for hashing the
 * bytes (issue 16, "Speed"; bench/populationSetup.ts).
 */
import { bucketOfHash, stickinessKey } from './bucketing.ts';
import { murmurHash3Block, murmurHash3Finish, utf8Bytes } from './murmurHash3.ts';

/** Decimal digits of the largest safe integer, 9007199254740991. */
const maxDigits = 16;

/**
 * `out[j] = normalizedValue(`${prefix}${first + j}`, group, normalizer, seed)` for every j — the
 * router's bucket, bit for bit, from the same `stickinessKey` and `bucketOfHash` (bucketing.ts)
 * and the same MurmurHash3 rounds (murmurHash3.ts) — for ids made of a fixed `prefix` and the
 * decimal digits of a counter.
 *
 * How: every id's key starts with the UTF-8 bytes of `${group}:${prefix}`, which are hashed once
 * up to their last whole 4-byte block; each id then carries on from that state over the prefix's
 * 0–3 leftover bytes and the counter's ASCII digits, which are incremented in place (a carry past
 * the leading digit adds one); the hash state before each block is kept, so an id rehashes only
 * the blocks from its first changed digit on — usually the last block and the tail. Cost
 * O(out.length) amortised, no allocation per id: 0.17 s of CPU for ten million ids against 2.9 s
 * for `normalizedValue` over `user-${i}` strings. Checked
 * against `normalizedValue` in test/engine/routing/numberedIdBuckets.test.ts across every change
 * of the digit count.
 */
export function numberedIdBuckets(group: string, prefix: string, first: number, out: Uint8Array, normalizer = 100, seed = 0): Uint8Array {
  if (!Number.isSafeInteger(first) || first < 0) throw new RangeError(`first must be a whole number of at least 0, got ${first}`);
  if (!Number.isSafeInteger(first + out.length)) {
    throw new RangeError(`first + out.length must be a safe integer, got ${first} + ${out.length}`);
  }
  // Buckets 1…normalizer must fit the bytes of `out`.
  if (!Number.isInteger(normalizer) || normalizer < 1 || normalizer > 255) {
    throw new RangeError(`normalizer must be a whole number between 1 and 255, got ${normalizer}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be a whole number between 0 and 4294967295, got ${seed}`);
  }
  const head = utf8Bytes(stickinessKey(group, prefix));
  const wholeBlocks = head.length >>> 2;
  let headState = seed | 0;
  for (let i = 0; i < wholeBlocks; i++) {
    const at = i * 4;
    headState = murmurHash3Block(headState, head[at] | (head[at + 1] << 8) | (head[at + 2] << 16) | (head[at + 3] << 24));
  }
  const headBytes = wholeBlocks * 4;
  // rest = the head's leftover bytes, then the counter's digits; zero padding lets a block read run past the end.
  const leftover = head.length - headBytes;
  const rest = new Uint8Array(leftover + maxDigits + 4);
  rest.set(head.subarray(headBytes));
  const text = String(first);
  let digits = text.length;
  for (let d = 0; d < digits; d++) rest[leftover + d] = text.charCodeAt(d);
  // states[b] = h1 before block b of `rest`; states[0 … known] are those of the current digits.
  const states = new Int32Array(((leftover + maxDigits) >>> 2) + 1);
  states[0] = headState;
  let known = 0;
  for (let j = 0; j < out.length; j++) {
    const restLength = leftover + digits;
    const blocks = restLength >>> 2;
    let h1 = states[known];
    for (let b = known; b < blocks; b++) {
      const at = b * 4;
      h1 = murmurHash3Block(h1, rest[at] | (rest[at + 1] << 8) | (rest[at + 2] << 16) | (rest[at + 3] << 24));
      states[b + 1] = h1;
    }
    known = blocks;
    // The tail word: the bytes past the last block (the zero padding and the cleared bytes past the digits contribute nothing).
    const at = blocks * 4;
    const tail = rest[at] | (rest[at + 1] << 8) | (rest[at + 2] << 16);
    out[j] = bucketOfHash(murmurHash3Finish(h1, tail, headBytes + restLength), normalizer);
    // Next id: increment the ASCII digits; 9…9 becomes 10…0, one digit longer.
    let d = restLength - 1;
    while (d >= leftover && rest[d] === 57) rest[d--] = 48;
    if (d >= leftover) rest[d] += 1;
    else {
      d = leftover;
      rest[leftover] = 49;
      rest[leftover + digits] = 48;
      digits++;
    }
    // Blocks wholly before the first changed byte d keep their states: usually all but the last digit's.
    known = Math.min(known, d >>> 2);
  }
  return out;
}
