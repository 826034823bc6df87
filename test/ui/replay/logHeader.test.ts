import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { guessLatencyUnit, readLogHeader, readSampleRows } from '../../../src/ui/replay/logHeader.ts';

describe('readLogHeader', () => {
  it('reads the columns of the bundled sample log from its first bytes', () => {
    const sample = readFileSync('notebooks/data/requests-one-day.csv', 'utf8').slice(0, 4096);
    expect(readLogHeader(sample)).toEqual({ format: 'csv', columns: ['timestamp', 'latency_ms', 'status', 'segment', 'user'] });
  });

  it('reads TSV and quoted CSV headers, drops a byte-order mark, skips blank lines', () => {
    expect(readLogHeader('\uFEFF\n\ntime\tduration_s\tcode\n1\t2\t3')).toEqual({ format: 'tsv', columns: ['time', 'duration_s', 'code'] });
    expect(readLogHeader('"when", "latency, ms",status\r\n')).toEqual({ format: 'csv', columns: ['when', 'latency, ms', 'status'] });
  });

  it('reads the dotted key paths of JSON lines, skipping a line cut at the end of the sample', () => {
    const sample =
      '{"ts":"2024-01-01T00:00:00Z","response":{"ms":12,"status":200}}\n{"ts":"x","model":"v2","response":{"ms":1}}\n{"ts":"2024-01-01T00:';
    expect(readLogHeader(sample)).toEqual({ format: 'jsonl', columns: ['ts', 'response.ms', 'response.status', 'model'] });
  });

  it('explains a blank sample and an unreadable header', () => {
    expect(() => readLogHeader('\n\n')).toThrow('log must contain at least one non-blank line, got none');
    expect(() => readLogHeader('a,"b,c\n')).toThrow('log header has an unclosed quote: a,"b,c');
    expect(() => readLogHeader('{not json\n')).toThrow('log looks like JSON lines but its first lines hold no readable object');
  });
});

describe('readSampleRows', () => {
  it('returns the first data rows by column, dropping a line cut by the end of the sample', () => {
    const sample =
      'gmt_create,status,exec_time_seconds\n2023-08-01 10:00:00,SUCCEED,12.5\n\n"2023-08-01 10:00:07",FAILED,0.4\n2023-08-01 10:0';
    const header = readLogHeader(sample);
    expect(readSampleRows(sample, header)).toEqual([
      ['2023-08-01 10:00:00', 'SUCCEED', '12.5'],
      ['2023-08-01 10:00:07', 'FAILED', '0.4'],
    ]);
    expect(readSampleRows(sample, header, 1)).toHaveLength(1);
  });

  it('reads JSON lines by key path, blank where a key is missing', () => {
    const sample = '{"ts":"2024-01-01T00:00:00Z","response":{"ms":12,"status":200}}\n{"ts":"2024-01-01T00:00:01Z","model":"v2"}\n';
    expect(readSampleRows(sample, readLogHeader(sample))).toEqual([
      ['2024-01-01T00:00:00Z', '12', '200', ''],
      ['2024-01-01T00:00:01Z', '', '', 'v2'],
    ]);
  });
});

describe('guessLatencyUnit', () => {
  it('reads the latency unit from the column name', () => {
    expect(guessLatencyUnit('latency_ms')).toBe('ms');
    expect(guessLatencyUnit('duration_s')).toBe('s');
    expect(guessLatencyUnit('elapsed seconds')).toBe('s');
    expect(guessLatencyUnit('latency_us')).toBe('us');
    expect(guessLatencyUnit('latency')).toBe('ms');
  });
});
