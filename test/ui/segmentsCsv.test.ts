import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCsvTable } from '../../src/sim/csvTable.ts';
import { guessSegmentColumns, noTotalColumn, parseSegmentsCsv } from '../../src/ui/segments/segmentsCsv.ts';
import { kidneyStonesData } from '../../src/ui/segments/segmentsState.ts';

// UC Berkeley 1973 admissions (R datasets::UCBAdmissions, Bickel et al. 1975; test/fixtures/ucb_admissions_1973.md).
const berkeley = readFileSync('test/fixtures/ucb_admissions_1973.csv', 'utf8');

describe('parseSegmentsCsv', () => {
  it('reads the shipped kidney-stone file as is', () => {
    // Charig et al. 1986 as tabulated by Julious & Mullee 1994 (/work/shared/data/kidney_stones_charig1986.csv).
    const table = parseSegmentsCsv(kidneyStonesData);
    expect(table.columns).toEqual({ segment: 'stone_size', variant: 'treatment', success: 'successes', total: 'total' });
    expect({ variants: table.variants, segments: table.segments }).toEqual({
      variants: ['A', 'B'],
      segments: [
        { name: 'small', first: { successes: 81, total: 87 }, second: { successes: 234, total: 270 } },
        { name: 'large', first: { successes: 192, total: 263 }, second: { successes: 55, total: 80 } },
      ],
    });
  });

  it('guesses the Berkeley columns dept, gender, admitted, applicants and reads the counts, as rollout-lab segments does', () => {
    expect(guessSegmentColumns(readCsvTable(berkeley, 'x'))).toEqual({
      segment: 'dept',
      variant: 'gender',
      success: 'admitted',
      total: 'applicants',
    });
    const table = parseSegmentsCsv(berkeley);
    expect(table.header).toEqual(['dept', 'gender', 'admitted', 'applicants']);
    expect(table.variants).toEqual(['Male', 'Female']);
    expect(table.segments.map((s) => s.name)).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
    expect(table.segments[0]).toEqual({ name: 'A', first: { successes: 512, total: 825 }, second: { successes: 89, total: 108 } });
    const sum = (arm: 'first' | 'second', key: 'successes' | 'total') => table.segments.reduce((n, s) => n + s[arm][key], 0);
    // R's documentation: 2691 men, 1198 admitted; 1835 women, 557 admitted.
    expect([sum('first', 'successes'), sum('first', 'total'), sum('second', 'successes'), sum('second', 'total')]).toEqual([
      1198, 2691, 557, 1835,
    ]);
  });

  it('guesses by content when the names say nothing: numbers are successes (smaller) and total, two values the variant', () => {
    const csv = 'where,who,k,m\nx,p,3,10\nx,q,4,10\ny,p,5,20\ny,q,6,20\nz,p,1,5\nz,q,2,5\n';
    expect(guessSegmentColumns(readCsvTable(csv, 'x'))).toEqual({ segment: 'where', variant: 'who', success: 'k', total: 'm' });
  });

  it('takes the columns the user chose, and one observation per row without a total', () => {
    const csv = 'region,arm,converted\nEU,a,1\nEU,b,0\nEU,a,0\nEU,b,1\nEU,b,1\n';
    const table = parseSegmentsCsv(csv, { segment: 'region', variant: 'arm', success: 'converted', total: noTotalColumn });
    expect(table.columns).toEqual({ segment: 'region', variant: 'arm', success: 'converted' });
    expect(table.segments).toEqual([{ name: 'EU', first: { successes: 1, total: 2 }, second: { successes: 2, total: 3 } }]);
    // Swapped on purpose: the variant is the department, the segment the gender.
    const swapped = parseSegmentsCsv('dept,gender,admitted,applicants\nA,M,1,2\nB,M,1,2\nA,F,1,3\nB,F,2,3\n', {
      segment: 'gender',
      variant: 'dept',
    });
    expect(swapped.variants).toEqual(['A', 'B']);
    expect(swapped.segments.map((s) => s.name)).toEqual(['M', 'F']);
  });

  it('reads quotes and blank lines', () => {
    const table = parseSegmentsCsv('total,successes,variant,segment\n100,10,control,"mobile, EU"\n\n120,15,candidate,"mobile, EU"\n');
    expect(table.segments).toEqual([{ name: 'mobile, EU', first: { successes: 10, total: 100 }, second: { successes: 15, total: 120 } }]);
  });

  it('explains what is wrong, with the row and the column', () => {
    expect(() => parseSegmentsCsv('segment,variant,successes,total\nx,a,12,10\nx,b,1,10')).toThrow(
      'the CSV row 2: successes (12) is larger than total (10)',
    );
    expect(() => parseSegmentsCsv('segment,variant,successes,total\nx,a,ten,10')).toThrow(
      "the CSV row 2: successes must be a whole number ≥ 0, got 'ten'",
    );
    expect(() => parseSegmentsCsv('segment,variant,successes,total\nx,a,1,10\nx,b,1,10\nx,c,1,10')).toThrow(/row 4: a third variant 'c'/);
    expect(() => parseSegmentsCsv('segment,variant,successes,total\nx,a,1,10\ny,a,1,10\ny,b,1,10')).toThrow(
      "the CSV: segment 'x' has no traffic for variant 'b'",
    );
    expect(() => parseSegmentsCsv('segment,variant,successes,total')).toThrow(/a header line and at least one row/);
    expect(() => parseSegmentsCsv('a,b\n1,2', { segment: 'c' })).toThrow(
      "Segment column: the CSV has no column 'c' (its columns are a, b)",
    );
    expect(() => parseSegmentsCsv('segment,variant\nx,a')).toThrow(
      'choose the successes column: no column of segment, variant looks like one',
    );
  });
});
