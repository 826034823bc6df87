import { describe, expect, it } from 'vitest';
import { hashNumbers, mixNumber, NumberKeyMap } from '../../../src/sim/exact/numberKey.ts';

describe('NumberKeyMap', () => {
  it('serves a value only for the same numbers, whatever the hash says', () => {
    const map = new NumberKeyMap<string>();
    const scratch = Float64Array.of(1, 2, 3);
    map.set(scratch, 7, 'a');
    // The key was copied: a scratch array reused for another key does not change the entry.
    scratch[2] = 4;
    map.set(scratch, 7, 'b'); // same hash, other numbers: a second entry in the bucket
    expect(map.get(Float64Array.of(1, 2, 3), 7)).toBe('a');
    expect(map.get(Float64Array.of(1, 2, 4), 7)).toBe('b');
    expect(map.get(Float64Array.of(1, 2, 5), 7)).toBeUndefined();
    expect(map.get(Float64Array.of(1, 2), 7)).toBeUndefined(); // a prefix is another key
    expect(map.get(Float64Array.of(1, 2, 3), 8)).toBeUndefined(); // looked up under another hash
    map.set(Float64Array.of(1, 2, 3), 7, 'c');
    expect(map.get(Float64Array.of(1, 2, 3), 7)).toBe('c');
  });

  it('compares with ===: −0 finds 0, NaN finds nothing', () => {
    const map = new NumberKeyMap<number>();
    map.set(Float64Array.of(0, Number.NaN), 1, 1);
    map.set(Float64Array.of(0), 1, 2);
    expect(map.get(Float64Array.of(-0), 1)).toBe(2);
    expect(map.get(Float64Array.of(0, Number.NaN), 1)).toBeUndefined();
  });

  it('hashes a range as the numbers mixed one by one, from the given start', () => {
    const key = Float64Array.of(0.5, -3, 1e300, 7);
    expect(hashNumbers(key)).toBe(mixNumber(mixNumber(mixNumber(mixNumber(0, 0.5), -3), 1e300), 7));
    expect(hashNumbers(key, 2)).toBe(mixNumber(mixNumber(0, 1e300), 7));
    expect(hashNumbers(key, 1, 3, 11)).toBe(mixNumber(mixNumber(11, -3), 1e300));
    // The two words of a double both count.
    expect(hashNumbers(Float64Array.of(1))).not.toBe(hashNumbers(Float64Array.of(1 + 2 ** -52)));
  });
});
