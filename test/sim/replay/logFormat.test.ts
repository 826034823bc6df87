import { describe, expect, it } from 'vitest';
import { sniffLogFormat } from '../../../src/sim/replay/logFormat.ts';

describe('sniffLogFormat', () => {
  it('tells CSV, TSV and JSON lines apart from the first non-blank line', () => {
    expect(sniffLogFormat('ts,latency,status\n1,2,3\n')).toBe('csv');
    expect(sniffLogFormat('ts\tlatency\tstatus\n')).toBe('tsv');
    expect(sniffLogFormat('{"ts": 1, "latency": 2}\n')).toBe('jsonl');
  });
  it('ignores a byte-order mark, CRLF and leading blank lines', () => {
    expect(sniffLogFormat('\uFEFF\r\n\r\n  {"a": 1}\r\n')).toBe('jsonl');
    expect(sniffLogFormat('\uFEFF\n\nts\tstatus\r\n')).toBe('tsv');
  });
  it('counts only delimiters outside quotes', () => {
    // Two commas inside quotes, two tabs outside: TSV.
    expect(sniffLogFormat('"a,b,c"\tx\ty\n')).toBe('tsv');
    // Tabs inside quotes, one comma outside: CSV.
    expect(sniffLogFormat('"a\t\tb",c\n')).toBe('csv');
  });
  it('reads a one-column header as CSV', () => {
    expect(sniffLogFormat('timestamp\n')).toBe('csv');
  });
  it('rejects an empty log', () => {
    expect(() => sniffLogFormat('\n \r\n')).toThrow(/at least one non-blank line/);
    expect(() => sniffLogFormat('')).toThrow(RangeError);
  });
});
