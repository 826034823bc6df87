import { describe, expect, it } from 'vitest';
import { fourSignificantDigits } from '../../../src/engine/controller/formatSignificant.ts';
import { streamFor } from '../../../src/engine/random/streams.ts';

/** The definition: JavaScript's own 4-significant-digit rounding, re-printed. */
const reference = (value: number) => String(Number(value.toPrecision(4)));

describe('fourSignificantDigits', () => {
  it('formats typical message numbers', () => {
    expect(fourSignificantDigits(1.0203)).toBe('1.02');
    expect(fourSignificantDigits(1234.5)).toBe('1235');
    expect(fourSignificantDigits(0.0001234)).toBe('0.0001234');
    expect(fourSignificantDigits(-0.5)).toBe('-0.5');
    expect(fourSignificantDigits(99.996)).toBe('100');
    expect(fourSignificantDigits(123456789)).toBe('123500000');
    expect(fourSignificantDigits(0)).toBe('0');
    expect(fourSignificantDigits(Infinity)).toBe('∞');
    expect(fourSignificantDigits(-Infinity)).toBe('-Infinity');
    expect(fourSignificantDigits(NaN)).toBe('NaN');
  });

  it('equals String(Number(value.toPrecision(4))) on 500,000 random values over 1e-9 … 1e23', () => {
    const random = streamFor('format-significant', 0);
    let mismatches = 0;
    const examples: string[] = [];
    for (let i = 0; i < 500_000; i++) {
      const value = (random() - 0.3) * 10 ** (random() * 32 - 9);
      if (fourSignificantDigits(value) !== reference(value)) {
        mismatches += 1;
        if (examples.length < 5) examples.push(`${value}: ${fourSignificantDigits(value)} vs ${reference(value)}`);
      }
    }
    expect(examples).toEqual([]);
    expect(mismatches).toBe(0);
  });

  it('equals it at and next to decimal ties (d.ddd5 × 10^e) and powers of ten', () => {
    const random = streamFor('format-significant', 1);
    const values: number[] = [];
    for (let e = -7; e <= 21; e++) {
      for (let i = 0; i < 2000; i++) {
        const tie = Number(`${1000 + Math.floor(random() * 9000)}5e${e - 4}`);
        values.push(
          tie,
          -tie,
          tie * (1 + 2 ** -52),
          tie * (1 - 2 ** -52),
          Number(`1e${e}`),
          Number(`9.9995e${e}`),
          Number(`9.9994999e${e}`),
        );
      }
    }
    const mismatches = values.filter((value) => fourSignificantDigits(value) !== reference(value));
    expect(mismatches.slice(0, 5)).toEqual([]);
  });
});
