import { describe, expect, it } from 'vitest';
import { describeValue, formatNumber, formatScalar, MAX_TABLE_ROWS } from '../../../src/ui/notebook/cellValue.ts';

describe('formatNumber', () => {
  it('formats integers, decimals and extremes', () => {
    expect(formatNumber(3841)).toBe('3,841');
    expect(formatNumber(0.14168934488124021)).toBe('0.141689');
    expect(formatNumber(3.9e-7)).toBe('3.9000e-7');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(Infinity)).toBe('∞');
    expect(formatNumber(Number.NaN)).toBe('NaN');
  });
});

describe('describeValue', () => {
  it('shows a figure', () => {
    const view = describeValue({ figure: { marks: [] }, caption: 'A figure' });
    expect(view).toEqual({ kind: 'figure', figure: { marks: [] }, caption: 'A figure' });
  });

  it('shows a Table and an array of records as a table', () => {
    expect(describeValue({ table: [{ a: 1, b: 'x' }, { a: 0.5 }], caption: 'T' })).toEqual({
      kind: 'table',
      columns: ['a', 'b'],
      rows: [
        ['1', 'x'],
        ['0.5', 'undefined'],
      ],
      caption: 'T',
      numeric: [true, false],
    });
    expect(describeValue([{ n: 1 }, { n: 2 }])).toMatchObject({ kind: 'table', columns: ['n'], rows: [['1'], ['2']] });
    const long = describeValue({ table: Array.from({ length: MAX_TABLE_ROWS + 5 }, (_, i) => ({ i })) });
    expect(long).toMatchObject({ kind: 'table', caption: `(first ${MAX_TABLE_ROWS} of ${MAX_TABLE_ROWS + 5} rows)` });
  });

  it('shows an object as fields, summarising typed arrays, functions and nested values', () => {
    const view = describeValue({
      rows: 3,
      latencies: new Float64Array(3),
      nested: { x: 1 / 3 },
      run: function fire(a: number, b: number) {
        return a + b;
      },
    });
    expect(view).toEqual({
      kind: 'fields',
      fields: [
        { name: 'rows', text: '3', numeric: true },
        { name: 'latencies', text: 'Float64Array(3)', numeric: false },
        { name: 'nested', text: '{"x":0.333333}', numeric: false },
        { name: 'run', text: 'ƒ fire(2 arguments)', numeric: false },
      ],
    });
  });

  it('shows scalars as text', () => {
    expect(describeValue(0.25)).toEqual({ kind: 'text', text: '0.25', numeric: true });
    expect(describeValue('hello')).toEqual({ kind: 'text', text: 'hello', numeric: false });
    expect(describeValue([1, 2, 3])).toEqual({ kind: 'text', text: '[1, 2, 3]', numeric: false });
    expect(formatScalar('x'.repeat(500)).length).toBe(240);
  });
});
