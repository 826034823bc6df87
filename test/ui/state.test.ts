import { describe, expect, it } from 'vitest';
import { readCount, readNumber } from '../../src/ui/state/readNumber.ts';
import { formatRoute, parseRoute, viewNames } from '../../src/ui/state/route.ts';
import { sameRecord } from '../../src/ui/state/sameRecord.ts';
import { choiceField, decodeState, encodeState, initialState, type StateSchema, textField } from '../../src/ui/state/viewState.ts';

interface Example {
  alpha: string;
  kind: 'absolute' | 'relative';
}
const schema: StateSchema<Example> = { alpha: textField('0.05'), kind: choiceField(['absolute', 'relative'], 'absolute') };

describe('routes', () => {
  it('knows every view', () => {
    expect(viewNames).toEqual(['lab', 'audit', 'playback', 'sizer', 'segments', 'replay', 'export', 'notebooks', 'about']);
  });

  it('reads the view and its state from the hash', () => {
    const route = parseRoute('#/segments?alpha=0.1&csv=a%2Cb');
    expect(route.view).toBe('segments');
    expect(route.fallback).toBe(false);
    expect(route.params.get('alpha')).toBe('0.1');
    expect(route.params.get('csv')).toBe('a,b');
  });

  it('falls back to the sizer for an empty or unknown hash, ignoring its query', () => {
    expect(parseRoute('')).toMatchObject({ view: 'lab', fallback: true });
    const unknown = parseRoute('#/nowhere?alpha=0.2');
    expect(unknown).toMatchObject({ view: 'lab', fallback: true });
    expect(unknown.params.toString()).toBe('');
  });

  it('writes a hash that reads back the same', () => {
    const hash = formatRoute('sizer', new URLSearchParams({ baseline: '0.1', effect: '0.02' }));
    expect(hash).toBe('#/sizer?baseline=0.1&effect=0.02');
    expect(parseRoute(hash).params.get('effect')).toBe('0.02');
    expect(formatRoute('about')).toBe('#/about');
  });
});

describe('view state', () => {
  it('starts from the initial values', () => {
    expect(initialState(schema)).toEqual({ alpha: '0.05', kind: 'absolute' });
  });

  it('prefers the URL, then the saved copy, then the initial value', () => {
    const url = new URLSearchParams({ alpha: '0.01' });
    const saved = new URLSearchParams({ alpha: '0.2', kind: 'relative' });
    expect(decodeState(schema, url, saved)).toEqual({ alpha: '0.01', kind: 'relative' });
    expect(decodeState(schema, undefined, saved)).toEqual({ alpha: '0.2', kind: 'relative' });
  });

  it('ignores invalid choices, so a tampered URL still opens', () => {
    expect(decodeState(schema, new URLSearchParams({ kind: 'sideways' }))).toEqual({ alpha: '0.05', kind: 'absolute' });
  });

  it('keeps text exactly as typed, even when it is not a number', () => {
    const state = decodeState(schema, new URLSearchParams({ alpha: 'abc' }));
    expect(state.alpha).toBe('abc');
    expect(encodeState(schema, state).toString()).toBe('alpha=abc&kind=absolute');
  });
});

describe('readNumber', () => {
  it('reads numbers and names the field when it cannot', () => {
    expect(readNumber(' 0.25 ', 'alpha')).toBe(0.25);
    expect(() => readNumber('abc', 'alpha')).toThrow(new RangeError("alpha must be a number, got 'abc'"));
    expect(() => readNumber('', 'power')).toThrow(new RangeError('power is missing: enter a number'));
    expect(readCount('12', 'users')).toBe(12);
    expect(() => readCount('1.5', 'users')).toThrow(/users must be a whole number ≥ 0, got 1.5/);
  });
});

describe('sameRecord', () => {
  it('tells that a worker request did not change, field by field, without serialising it', () => {
    const request = { alpha: 0.05, maxLooks: 10, spending: 'pocock' };
    expect(sameRecord(request, { ...request })).toBe(true);
    expect(sameRecord(request, { ...request, maxLooks: 5 })).toBe(false);
    expect(sameRecord<{ alpha: number; beta?: number }>({ alpha: 0.05 }, { alpha: 0.05, beta: 1 })).toBe(false);
    // NaN is the same NaN (Object.is), and -0 is not 0: the request really differs.
    expect(sameRecord({ rate: Number.NaN }, { rate: Number.NaN })).toBe(true);
    expect(sameRecord({ rate: -0 }, { rate: 0 })).toBe(false);
    expect(sameRecord(undefined, undefined)).toBe(true);
    expect(sameRecord(request, undefined)).toBe(false);
  });
});
