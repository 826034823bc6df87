import seedrandom from 'seedrandom';
import { utf8Bytes } from '../text/utf8Bytes.ts';

/**
 * The numeric stream seed of a seed as people write it: `"release-2026-12"` in a scenario, in
 * `rollout-lab simulate --seed release-2026-12` or in the app's URL (`seed=release-2026-12`).
 * The number is what `streamFor(seed, replicate)` receives, so every layer that carries a seed
 * (workers, shards, the export's evidence) keeps carrying a plain safe integer.
 *
 * The mapping (documented because every string-seeded result depends on it):
 * - text that is a decimal integer (`/^-?\d+$/`) within the safe range is that integer, so
 *   `"42"`, `--seed 42` and `"seed": 42` are the same seed and numeric seeds give exactly the
 *   results they gave before string seeds existed;
 * - any other text is hashed with seedrandom 3.0.5's ARC4 generator (David Bau's `seedrandom`,
 *   RC4-drop[256] keyed by the seed): the key is the text's UTF-8 bytes, one character per byte
 *   (seedrandom's key schedule keeps only the low 8 bits of each UTF-16 code unit, so passing the
 *   raw text would make `"é"` and `"ȩ"` the same seed); the first two `int32()` outputs a, b give
 *   `(a >>> 11) · 2³² + (b >>> 0)`, a 53-bit integer in [0, 2⁵³).
 * Two different texts share a seed with probability about 2⁻⁵³ per pair. Leading and trailing
 * spaces are part of the text (a caller trims if it means to); the empty text is refused.
 *
 * Throws a RangeError naming `label` when `text` is not a string or is empty. Cost: seedrandom's
 * key schedule, a few microseconds — call it once at the edge, not per replicate.
 */
export function seedFromText(text: string, label = 'seed'): number {
  if (typeof text !== 'string') throw new RangeError(`${label} must be a whole number or a text, got ${typeof text}`);
  if (text === '') throw new RangeError(`${label} must not be empty`);
  if (/^-?\d+$/.test(text)) {
    const value = Number(text);
    if (Number.isSafeInteger(value)) return value;
  }
  let key = '';
  for (const byte of utf8Bytes(text)) key += String.fromCharCode(byte);
  const random = seedrandom(key);
  const high = random.int32() >>> 11;
  const low = random.int32() >>> 0;
  return high * 0x100000000 + low;
}

/**
 * A seed given as JSON or typed by a person — a safe integer, or a text for `seedFromText` —
 * as the numeric stream seed. Throws a RangeError naming `label` for anything else (a fraction,
 * an unsafe integer, an empty text).
 */
export function streamSeed(seed: number | string, label = 'seed'): number {
  if (typeof seed === 'number') {
    if (Number.isSafeInteger(seed)) return seed;
    throw new RangeError(`${label} must be a whole number (a safe integer) or a text, got ${seed}`);
  }
  return seedFromText(seed, label);
}
