import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizedValue } from '../../../src/engine/routing/bucketing.ts';
import { numberedIdBuckets } from '../../../src/engine/routing/numberedIdBuckets.ts';

// The reference is the router's own definition, normalizedValue(`${prefix}${i}`, group) on the
// built string (itself checked against Debian libmurmurhash in murmurHash3.test.ts).
function reference(group: string, prefix: string, first: number, length: number, normalizer = 100, seed = 0): number[] {
  return Array.from({ length }, (_, j) => normalizedValue(`${prefix}${first + j}`, group, normalizer, seed));
}

describe('numberedIdBuckets (buckets of user-0, user-1, … without strings)', () => {
  it('equals normalizedValue on the first 20,000 users of the simulator’s flag', () => {
    const buckets = numberedIdBuckets('rollout-lab', 'user-', 0, new Uint8Array(20_000));
    expect(Array.from(buckets)).toEqual(reference('rollout-lab', 'user-', 0, 20_000));
  });

  it('equals normalizedValue across every change of the digit count (9→10, 99→100, … up to 16 digits)', () => {
    for (let digits = 1; digits <= 15; digits++) {
      const boundary = 10 ** digits;
      const first = Math.max(0, boundary - 37);
      const buckets = numberedIdBuckets('flag-x', 'user-', first, new Uint8Array(80));
      expect(Array.from(buckets), `around ${boundary}`).toEqual(reference('flag-x', 'user-', first, 80));
    }
    // The largest ids: 9007199254740991 is Number.MAX_SAFE_INTEGER.
    const last = Number.MAX_SAFE_INTEGER - 20;
    expect(Array.from(numberedIdBuckets('flag-x', 'user-', last, new Uint8Array(20)))).toEqual(reference('flag-x', 'user-', last, 20));
  });

  it('equals normalizedValue for every alignment of the prefix in 4-byte blocks, non-ASCII groups and other prefixes', () => {
    // `${group}:${prefix}` of 8, 9, 10, 11, 4 and 0+ bytes, and multi-byte UTF-8 (é = 2 bytes, 🚀 = 4).
    for (const [group, prefix] of [
      ['gr', 'user-'],
      ['gr1', 'user-'],
      ['grp1', 'user-'],
      ['group', 'user-'],
      ['abc', ''],
      ['', ''],
      ['café', 'user-'],
      ['🚀', 'id'],
      ['canary 5% for 2 h', 'customer/'],
    ]) {
      const buckets = numberedIdBuckets(group, prefix, 990, new Uint8Array(1_200));
      expect(Array.from(buckets), `${group}:${prefix}`).toEqual(reference(group, prefix, 990, 1_200));
    }
  });

  it('equals normalizedValue for any Unicode group and prefix, any safe first id, normalizer and seed (property, fixed seed)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 12 }),
        fc.string({ unit: 'grapheme', maxLength: 8 }),
        fc.oneof(
          fc.integer({ min: 0, max: 2_000_000 }),
          fc.maxSafeNat().map((n) => Math.max(0, n - 64)),
        ),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 255 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (group, prefix, first, length, normalizer, seed) => {
          const buckets = numberedIdBuckets(group, prefix, first, new Uint8Array(length), normalizer, seed);
          const expected = reference(group, prefix, first, length, normalizer, seed);
          return buckets.every((bucket, j) => bucket === expected[j]);
        },
      ),
      { numRuns: 500, seed: 36 },
    );
  });

  it('honours the normalizer and the seed as normalizedValue does', () => {
    expect(Array.from(numberedIdBuckets('g', 'user-', 5, new Uint8Array(500), 7, 42))).toEqual(reference('g', 'user-', 5, 500, 7, 42));
    expect(Array.from(numberedIdBuckets('g', 'user-', 5, new Uint8Array(500), 255, 0xffffffff))).toEqual(
      reference('g', 'user-', 5, 500, 255, 0xffffffff),
    );
  });

  it('gives the same buckets in chunks as in one call', () => {
    const whole = numberedIdBuckets('g', 'user-', 0, new Uint8Array(3_000));
    const chunked = new Uint8Array(3_000);
    for (let from = 0; from < 3_000; from += 999) {
      numberedIdBuckets('g', 'user-', from, chunked.subarray(from, Math.min(3_000, from + 999)));
    }
    expect(Array.from(chunked)).toEqual(Array.from(whole));
  });

  it('rejects a bad first id, normalizer or seed, naming the field', () => {
    expect(() => numberedIdBuckets('g', 'u', -1, new Uint8Array(1))).toThrow(/first must be/);
    expect(() => numberedIdBuckets('g', 'u', 1.5, new Uint8Array(1))).toThrow(/first must be/);
    expect(() => numberedIdBuckets('g', 'u', Number.MAX_SAFE_INTEGER, new Uint8Array(2))).toThrow(/safe integer/);
    expect(() => numberedIdBuckets('g', 'u', 0, new Uint8Array(1), 256)).toThrow(/normalizer must be/);
    expect(() => numberedIdBuckets('g', 'u', 0, new Uint8Array(1), 0)).toThrow(/normalizer must be/);
    expect(() => numberedIdBuckets('g', 'u', 0, new Uint8Array(1), 100, -1)).toThrow(/seed must be/);
  });
});
