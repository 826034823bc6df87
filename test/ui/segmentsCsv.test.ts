import { describe, expect, it } from 'vitest';
import { parseSegmentsCsv, splitCsvLine } from '../../src/ui/segments/segmentsCsv.ts';
import { kidneyStonesData } from '../../src/ui/segments/segmentsState.ts';

describe('parseSegmentsCsv', () => {
  it('reads the shipped kidney-stone file as is', () => {
    // Charig et al. 1986 as tabulated by Julious & Mullee 1994 (/work/shared/data/kidney_stones_charig1986.csv).
    expect(parseSegmentsCsv(kidneyStonesData)).toEqual({
      variants: ['A', 'B'],
      segments: [
        { name: 'small', first: { successes: 81, total: 87 }, second: { successes: 234, total: 270 } },
        { name: 'large', first: { successes: 192, total: 263 }, second: { successes: 55, total: 80 } },
      ],
    });
  });

  it('reads the documented columns in any order, with quotes and blank lines', () => {
    const table = parseSegmentsCsv('total,successes,variant,segment\n100,10,control,"mobile, EU"\n\n120,15,candidate,"mobile, EU"\n');
    expect(table.segments).toEqual([{ name: 'mobile, EU', first: { successes: 10, total: 100 }, second: { successes: 15, total: 120 } }]);
    expect(splitCsvLine('a,"b ""c""",d')).toEqual(['a', 'b "c"', 'd']);
  });

  it('explains what is wrong, with the line', () => {
    expect(() => parseSegmentsCsv('segment,variant,successes\nx,a,1')).toThrow("the header has no 'total' column (found: segment, variant, successes)");
    expect(() => parseSegmentsCsv('segment,variant,successes,total\nx,a,12,10\nx,b,1,10')).toThrow('line 2: successes (12) exceed total (10)');
    expect(() => parseSegmentsCsv('segment,variant,successes,total\nx,a,ten,10')).toThrow("line 2: successes must be a whole number ≥ 0, got 'ten'");
    expect(() => parseSegmentsCsv('segment,variant,successes,total\nx,a,1,10\nx,b,1,10\nx,c,1,10')).toThrow(/line 4: a third variant 'c'/);
    expect(() => parseSegmentsCsv('segment,variant,successes,total\nx,a,1,10\ny,a,1,10\ny,b,1,10')).toThrow("segment 'x' has no row for variant 'b'");
    expect(() => parseSegmentsCsv('segment,variant,successes,total')).toThrow(/a header line and at least one row/);
  });
});
