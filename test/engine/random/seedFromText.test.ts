import { describe, expect, it } from 'vitest';
import { seedFromText, streamSeed } from '../../../src/engine/random/seedFromText.ts';
import { streamFor } from '../../../src/engine/random/streams.ts';

describe('seedFromText', () => {
  it('maps texts to the 53-bit seeds of the documented seedrandom (ARC4) mapping', () => {
    // scripts/reference/seed_from_text.py: an independent Python transcription of seedrandom
    // 3.0.5's mixkey + ARC4 (RC4-drop[256]) + int32, and of the documented (a >>> 11)·2³² + b.
    expect(seedFromText('release-2026-12')).toBe(6579759434890201);
    expect(seedFromText('hello')).toBe(4921229579047792);
    expect(seedFromText('a')).toBe(3913574288526219);
    expect(seedFromText('héllo 🚀')).toBe(1503702819331838);
    expect(seedFromText(' 42')).toBe(5669197779287350);
    // Beyond the safe range a run of digits is a text, not a number.
    expect(seedFromText('9007199254740993')).toBe(8287124271595089);
  });

  it('keeps a decimal integer as itself, so numeric seeds give the results they always gave', () => {
    expect(seedFromText('42')).toBe(42);
    expect(seedFromText('-7')).toBe(-7);
    expect(seedFromText('0')).toBe(0);
    expect(streamSeed(42)).toBe(42);
    expect(streamSeed('release-2026-12')).toBe(6579759434890201);
    expect(streamFor(streamSeed('1'), 3)()).toBe(streamFor(1, 3)());
  });

  it('keeps texts differing only above the low byte of a UTF-16 unit apart (hashes UTF-8 bytes)', () => {
    expect(seedFromText('é')).not.toBe(seedFromText('ȩ'));
  });

  it('gives safe integers, and refuses what is not a seed', () => {
    for (const text of ['x', 'release-2026-12', 'zz top', '🚀']) expect(Number.isSafeInteger(seedFromText(text))).toBe(true);
    expect(() => seedFromText('')).toThrow(new RangeError('seed must not be empty'));
    expect(() => streamSeed(1.5, 'scenario.seed')).toThrow('scenario.seed must be a whole number (a safe integer) or a text, got 1.5');
    expect(() => seedFromText(5 as unknown as string, '--seed')).toThrow('--seed must be a whole number or a text, got number');
  });
});
