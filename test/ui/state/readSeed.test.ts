/**
 * Seeds in the app read as the CLI reads `--seed` (issue 13): a whole number is itself, a text
 * from the form or the URL (`#/lab?seed=release-2026-12`) is the engine's seedFromText of it.
 */
import { describe, expect, it } from 'vitest';
import { labSchema, readLabSettings } from '../../../src/ui/lab/labState.ts';
import { readSeed } from '../../../src/ui/state/readSeed.ts';
import { parseRoute } from '../../../src/ui/state/route.ts';
import { decodeState } from '../../../src/ui/state/viewState.ts';

describe('readSeed', () => {
  it('reads whole numbers as themselves and texts through seedFromText', () => {
    expect(readSeed('42')).toBe(42);
    expect(readSeed(' -3 ')).toBe(-3);
    // scripts/reference/seed_from_text.py (seedrandom's ARC4, transcribed): 'release-2026-12' → 6579759434890201.
    expect(readSeed('release-2026-12')).toBe(6579759434890201);
    expect(() => readSeed('', 'replay seed')).toThrow(new RangeError('replay seed is missing: enter a number or a word'));
  });

  it('takes a text seed from the lab URL into the lab settings', () => {
    const route = parseRoute('#/lab?seed=release-2026-12');
    expect(readLabSettings(decodeState(labSchema, route.params)).seed).toBe(6579759434890201);
    expect(readLabSettings(decodeState(labSchema, parseRoute('#/lab?seed=7').params)).seed).toBe(7);
  });
});
