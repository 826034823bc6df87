import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { guessColumnMapping, guessLatencyUnit, readLogHeader } from '../../../src/ui/replay/logHeader.ts';

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
    const sample = '{"ts":"2024-01-01T00:00:00Z","response":{"ms":12,"status":200}}\n{"ts":"x","model":"v2","response":{"ms":1}}\n{"ts":"2024-01-01T00:';
    expect(readLogHeader(sample)).toEqual({ format: 'jsonl', columns: ['ts', 'response.ms', 'response.status', 'model'] });
  });

  it('explains a blank sample and an unreadable header', () => {
    expect(() => readLogHeader('\n\n')).toThrow('log must contain at least one non-blank line, got none');
    expect(() => readLogHeader('a,"b,c\n')).toThrow('log header has an unclosed quote: a,"b,c');
    expect(() => readLogHeader('{not json\n')).toThrow('log looks like JSON lines but its first lines hold no readable object');
  });
});

describe('guessColumnMapping', () => {
  it('maps the sample log as the notebook does', () => {
    expect(guessColumnMapping(['timestamp', 'latency_ms', 'status', 'segment', 'user'])).toEqual({
      timestamp: 'timestamp',
      latency: 'latency_ms',
      status: 'status',
      segment: 'segment',
      user: 'user',
    });
  });

  it('finds looser names, uses each column once and leaves unknown fields out', () => {
    expect(guessColumnMapping(['request_time', 'response_time_ms', 'http_status', 'model_version', 'customer_id', 'extra'])).toEqual({
      timestamp: 'request_time',
      latency: 'response_time_ms',
      status: 'http_status',
      model: 'model_version',
      user: 'customer_id',
    });
    expect(guessColumnMapping(['a', 'b'])).toEqual({});
  });

  it('reads the latency unit from the column name', () => {
    expect(guessLatencyUnit('latency_ms')).toBe('ms');
    expect(guessLatencyUnit('duration_s')).toBe('s');
    expect(guessLatencyUnit('elapsed seconds')).toBe('s');
    expect(guessLatencyUnit('latency_us')).toBe('us');
    expect(guessLatencyUnit('latency')).toBe('ms');
  });
});
