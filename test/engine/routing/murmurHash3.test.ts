import { describe, expect, it } from 'vitest';
import { normalizedValue } from '../../../src/engine/routing/bucketing.ts';
import { murmurHash3, utf8Bytes } from '../../../src/engine/routing/murmurHash3.ts';
import fixture from '../../fixtures/analysis.json';

// Expected hashes: scripts/reference/analysis.py — a Python transcription of Appleby's
// MurmurHash3_x86_32, asserted equal to Debian libmurmurhash's C `lmmh_x86_32` (via ctypes)
// for every vector; each fixture entry carries its exact call.
describe('murmurHash3 (x86, 32-bit)', () => {
  it('matches the reference implementation on ASCII, non-ASCII and all tail lengths', () => {
    expect(fixture.murmurHash3.length).toBeGreaterThanOrEqual(10);
    for (const entry of fixture.murmurHash3) {
      const { text, seed } = entry.call as { text: string; seed: number };
      expect(murmurHash3(text, seed), entry.call.call).toBe(entry.value);
    }
  });

  it('pins the classic vectors explicitly', () => {
    expect(murmurHash3('', 0)).toBe(0); // murmur3_x86_32(b'', 0)
    expect(murmurHash3('', 1)).toBe(1364076727); // murmur3_x86_32(b'', 1), = libmurmurhash
    expect(murmurHash3('hello', 0)).toBe(613153351); // murmur3_x86_32(b'hello', 0), = libmurmurhash
  });

  it('hashes bytes and strings identically', () => {
    expect(murmurHash3(utf8Bytes('café'), 0)).toBe(murmurHash3('café', 0));
  });

  it('encodes UTF-8 like TextEncoder, including astral characters and lone surrogates', () => {
    for (const text of ['', 'abc', 'café', '日本語', '🚀x', '\ud800', 'a\udc00b']) {
      expect([...utf8Bytes(text)]).toEqual([...new TextEncoder().encode(text)]);
    }
  });

  it('rejects a bad seed', () => {
    expect(() => murmurHash3('x', -1)).toThrow(/seed must be/);
    expect(() => murmurHash3('x', 1.5)).toThrow(RangeError);
  });
});

describe('normalizedValue (Unleash gradual rollout)', () => {
  it('reproduces the Unleash vectors', () => {
    // Unleash client specification vectors; also murmur3_x86_32('gr1:123', 0) % 100 + 1 = 73 and
    // murmur3_x86_32('groupX:999', 0) % 100 + 1 = 25 in scripts/reference/analysis.py.
    expect(normalizedValue('123', 'gr1')).toBe(73);
    expect(normalizedValue('999', 'groupX')).toBe(25);
  });

  it('matches the reference for every fixture key', () => {
    for (const entry of fixture.normalizedValue) {
      const { group, id } = entry.call as { group: string; id: string };
      expect(normalizedValue(id, group), entry.call.call).toBe(entry.value);
    }
  });

  it('stays within 1…normalizer and rejects a bad normalizer', () => {
    for (let i = 0; i < 200; i++) {
      const bucket = normalizedValue(`user-${i}`, 'g', 7);
      expect(bucket).toBeGreaterThanOrEqual(1);
      expect(bucket).toBeLessThanOrEqual(7);
    }
    expect(() => normalizedValue('a', 'g', 0)).toThrow(/normalizer must be/);
  });
});
