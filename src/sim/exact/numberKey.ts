/**
 * Keys made of numbers for the exact evaluator's memos and state tables: a 32-bit multiplicative
 * hash (`mix` over whole numbers, `mixNumber` over a double's two 32-bit words), and
 * `NumberKeyMap`, a map from a key's numbers to a value that a hash picks and the numbers confirm.
 *
 * Why numbers and not a string: the chain asks its memos once per column and window (560 columns
 * for the lab's 20-setting question), and joining a key's numbers into a string each time cost more
 * than the work the memo saved (vectorChain.ts's window laws, shadowGateLaw.ts's gates: 7 % of the
 * lab's flat100 question's CPU and ~250 MB of allocation a round, 2026-12-05). A lookup here
 * allocates nothing; only a new entry copies its key.
 *
 * Keys compare with === per number and by length: −0 equals 0 (as in the strings these replaced),
 * and a NaN, which no valid key holds, matches nothing — a miss, never a wrong value.
 */

/** One step of a 32-bit multiplicative hash over a whole number below 2^31 (or a 32-bit word). */
export function mix(hash: number, value: number): number {
  const h = Math.imul(hash ^ value, 0x9e3779b1);
  return (h << 15) | (h >>> 17);
}

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/** One step of `mix` over a double's two 32-bit words. */
export function mixNumber(hash: number, value: number): number {
  bits[0] = value;
  return mix(mix(hash, words[0]), words[1]);
}

/** `mixNumber` over key[from … to), starting from `hash`. O(to − from). */
export function hashNumbers(key: Float64Array, from = 0, to = key.length, hash = 0): number {
  for (let i = from; i < to; i++) hash = mixNumber(hash, key[i]);
  return hash;
}

/** Whether two keys hold the same numbers (module comment). */
function sameNumbers(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A map from keys of numbers to values. The caller gives each key's hash (`hashNumbers`, or one
 * it composed from remembered parts: any function of the numbers will do, since the numbers are
 * compared before a value is served). `set` copies the key, so a scratch array may be passed.
 */
export class NumberKeyMap<Value> {
  private readonly buckets = new Map<number, { key: Float64Array; value: Value }[]>();

  /** The value of `key` (whose hash is `hash`), or undefined. O(key length) per entry of that hash. */
  get(key: Float64Array, hash: number): Value | undefined {
    const bucket = this.buckets.get(hash);
    if (bucket === undefined) return undefined;
    for (const entry of bucket) if (sameNumbers(entry.key, key)) return entry.value;
    return undefined;
  }

  /** Sets the value of `key` (whose hash is `hash`), keeping a copy of the key. */
  set(key: Float64Array, hash: number, value: Value): void {
    const bucket = this.buckets.get(hash);
    if (bucket === undefined) {
      this.buckets.set(hash, [{ key: key.slice(), value }]);
      return;
    }
    for (const entry of bucket)
      if (sameNumbers(entry.key, key)) {
        entry.value = value;
        return;
      }
    bucket.push({ key: key.slice(), value });
  }
}
