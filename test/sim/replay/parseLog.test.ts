import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseColumnMapping } from '../../../src/sim/replay/columnMapping.ts';
import { parseErrorRule } from '../../../src/sim/replay/errorRule.ts';
import type { ParsedLog, ParseLogOptions, ParseProgress } from '../../../src/sim/replay/parseLog.ts';
import { LogParser, parseLog, splitDelimitedLine } from '../../../src/sim/replay/parseLog.ts';

const fixtures = new URL('../../fixtures/logs/', import.meta.url);
/** Written by scripts/reference/replay.py: the generator's own record of every line it wrote. */
const expected = JSON.parse(readFileSync(new URL('expected.json', fixtures), 'utf8'));

interface ExpectedRow {
  line: number;
  timestamp: number;
  latency: number | null;
  error: number;
  status: string;
  model: string;
  segment: string;
}

function options(log: any): ParseLogOptions {
  return {
    mapping: parseColumnMapping(log.mapping),
    latencyUnit: log.latencyUnit,
    ...(log.errorWhen ? { errorRule: parseErrorRule(log.errorWhen) } : {}),
  };
}

function checkAgainstTruth(parsed: ParsedLog, log: any): void {
  const rows: ExpectedRow[] = log.accepted;
  const report = parsed.report;
  expect(report.linesRead).toBe(log.linesRead);
  expect(report.blankLines).toBe(log.blankLines);
  expect(parsed.rows).toBe(rows.length);
  expect(report.rowsAccepted).toBe(rows.length);
  expect(report.rowsRejected).toBe(log.rejected.length);
  expect(report.rowsRead).toBe(rows.length + log.rejected.length);
  const byReason: Record<string, number> = {};
  for (const { reason } of log.rejected) byReason[reason] = (byReason[reason] ?? 0) + 1;
  expect(Object.fromEntries(Object.entries(report.rejectedByReason).filter(([, n]) => n > 0))).toEqual(byReason);
  // Examples: the first ten rejected rows, with their line numbers and reasons.
  expect(report.examples.map(({ line, reason }) => ({ line, reason }))).toEqual(log.rejected.slice(0, 10));
  rows.forEach((row, i) => {
    expect(parsed.timestamps[i], `timestamp of line ${row.line}`).toBe(row.timestamp);
    if (row.latency === null) expect(parsed.latencies[i], `latency of line ${row.line}`).toBeNaN();
    else expect(parsed.latencies[i], `latency of line ${row.line}`).toBe(row.latency);
    expect(parsed.errors[i], `error of line ${row.line}`).toBe(row.error);
    expect(parsed.status.values[parsed.status.codes[i]]).toBe(row.status);
    expect(parsed.model!.values[parsed.model!.codes[i]]).toBe(row.model);
    expect(parsed.segment!.values[parsed.segment!.codes[i]]).toBe(row.segment);
  });
  expect(report.missing.latency).toBe(rows.filter((r) => r.latency === null).length);
  expect(report.missing.segment).toBe(rows.filter((r) => r.segment === '').length);
}

describe('parseLog on small literal logs', () => {
  const mapping = parseColumnMapping('timestamp=ts,latency=ms,status=status');

  it('parses a clean CSV into typed columns', () => {
    const log = parseLog('ts,ms,status\n2024-03-05T00:00:00Z,120,200\n2024-03-05T00:00:01Z,80.5,503\n', { mapping });
    expect(log.rows).toBe(2);
    expect(Array.from(log.timestamps)).toEqual([1709596800000, 1709596801000]);
    expect(Array.from(log.latencies)).toEqual([120, 80.5]);
    expect(Array.from(log.errors)).toEqual([0, 1]);
    expect(log.report.format).toBe('csv');
    expect(log.report.statuses).toEqual([
      { status: '200', count: 1, error: false },
      { status: '503', count: 1, error: true },
    ]);
    expect(log.model).toBeUndefined();
  });

  it('counts every bad row by reason, keeps examples with line numbers, and never throws', () => {
    const text = [
      'ts,ms,status', // line 1
      '2024-03-05T00:00:00Z,120,200', // 2 ok
      'garbage', // 3 wrong-field-count
      '', // 4 blank
      'yesterday,5,200', // 5 bad-timestamp
      '2024-03-05T00:00:00Z,abc,200', // 6 bad-latency
      '2024-03-05T00:00:00Z,-1,200', // 7 negative-latency
      '2024-03-05T00:00:00Z,1,', // 8 missing-status
      ',1,200', // 9 missing-timestamp
      '2024-03-05T00:00:00Z,1,"200', // 10 malformed-line
      '2024-03-05T00:00:00Z,1,maybe', // 11 unrecognised-status
      '2024-03-05T00:00:00Z,,TIMEOUT', // 12 ok, no latency
    ].join('\n');
    const log = parseLog(text, { mapping, maxExamples: 3 });
    expect(log.rows).toBe(2);
    expect(log.report.rowsRead).toBe(10);
    expect(log.report.blankLines).toBe(1);
    expect(log.report.linesRead).toBe(12);
    expect(log.report.rejectedByReason).toEqual({
      'malformed-line': 1,
      'wrong-field-count': 1,
      'missing-timestamp': 1,
      'bad-timestamp': 1,
      'missing-status': 1,
      'unrecognised-status': 1,
      'bad-latency': 1,
      'negative-latency': 1,
    });
    expect(log.report.examples).toEqual([
      { line: 3, reason: 'wrong-field-count', message: '1 field where the header has 3', raw: 'garbage' },
      {
        line: 5,
        reason: 'bad-timestamp',
        message: "timestamp 'yesterday' is not a date-time or epoch number",
        raw: 'yesterday,5,200',
      },
      { line: 6, reason: 'bad-latency', message: "latency 'abc' is not a number", raw: '2024-03-05T00:00:00Z,abc,200' },
    ]);
    expect(Array.from(log.errors)).toEqual([0, 1]);
    expect(log.latencies[1]).toBeNaN();
    expect(log.report.missing.latency).toBe(1);
  });

  it('warns about unrecognised statuses and latencies that look like whole seconds', () => {
    const rows = Array.from({ length: 14 }, (_, i) => `1709596800,${1 + (i % 3)},${i < 2 ? 'maybe' : i < 3 ? 'Pending' : 'OK'}`);
    const log = parseLog(['ts,ms,status', ...rows].join('\n'), { mapping });
    expect(log.report.rejectedByReason['unrecognised-status']).toBe(3);
    expect(log.report.warnings).toEqual([
      `3 rows were rejected for a status the rule does not recognise ('maybe' ×2, 'Pending' ×1); say what counts as an error with --error-when, e.g. "status>=500 or status in (error, timeout)"`,
      '11 of 11 latencies are whole numbers from 0 to 60: if they are seconds, say --latency-unit s',
    ]);
    const seconds = parseLog(['ts,ms,status', ...rows].join('\n'), { mapping, latencyUnit: 's' });
    expect(seconds.report.warnings).toHaveLength(1);
  });

  it('reads quoted fields with commas and escaped quotes, a BOM and CRLF', () => {
    const text = '\uFEFFts,ms,status,segment\r\n2024-03-05T00:00:00Z,1,200,"eu, ""west"""\r\n';
    const log = parseLog(text, { mapping: parseColumnMapping('timestamp=ts,latency=ms,status=status,segment=segment') });
    expect(log.rows).toBe(1);
    expect(log.segment!.values).toEqual(['eu, "west"']);
    expect(log.report.columns).toEqual(['ts', 'ms', 'status', 'segment']);
  });

  it('strips a UTF-8 byte-order mark before the header of a TSV or JSON-lines log, also when it arrives alone in the first chunk', () => {
    const tsv = parseLog('\uFEFFts\tms\tstatus\n1709596800\t0.5\tOK\n', { mapping, latencyUnit: 's' });
    expect(tsv.report.format).toBe('tsv');
    expect(tsv.report.columns).toEqual(['ts', 'ms', 'status']);
    expect(tsv.rows).toBe(1);
    const jsonl = parseLog('\uFEFF{"ts": 1709596800, "ms": 0.5, "status": "OK"}\n', { mapping, latencyUnit: 's' });
    expect(jsonl.report.format).toBe('jsonl');
    expect(jsonl.rows).toBe(1);
    expect(jsonl.report.columns).toEqual(['ts', 'ms', 'status']);
    const parser = new LogParser({ mapping, latencyUnit: 's' });
    parser.push('\uFEFF');
    parser.push('ts,ms,status\n1709596800,0.5,OK\n');
    const chunked = parser.finish();
    expect(chunked.report.columns).toEqual(['ts', 'ms', 'status']);
    expect(chunked.rows).toBe(1);
  });

  it('reads TSV', () => {
    const log = parseLog('ts\tms\tstatus\n1709596800\t0.5\tOK\n', { mapping, latencyUnit: 's' });
    expect(log.report.format).toBe('tsv');
    expect(log.latencies[0]).toBe(500);
    expect(log.timestamps[0]).toBe(1709596800000);
    expect(log.report.timestampKinds).toEqual({ epochSeconds: 1 });
  });

  it('fails on a mapping that does not fit the header, naming the columns', () => {
    expect(() => parseLog('time,latency,code\n1,2,3\n', { mapping })).toThrow(
      "mapping names columns the log does not have: timestamp=ts, latency=ms, status=status; available columns: 'time', 'latency', 'code'",
    );
    expect(() => parseLog('\n\n', { mapping })).toThrow('log must contain at least one non-blank line');
  });

  it('warns when a numeric-only rule meets word statuses', () => {
    const log = parseLog('ts,ms,status\n1709596800,1,error\n1709596800,1,500\n', {
      mapping,
      errorRule: parseErrorRule('status>=500'),
    });
    expect(Array.from(log.errors)).toEqual([0, 1]);
    expect(log.report.warnings).toEqual([
      "1 row has a non-numeric status ('error'); the rule 'status>=500' only compares numbers, so they count as successes",
    ]);
  });

  it('reads JSON lines with nested, missing and differently capitalised keys', () => {
    const text = [
      '{"ts": 1709596800000, "req": {"ms": 12, "status": 200}, "Segment": "web"}',
      '{"ts": "2024-03-05T00:00:01Z", "req": {"ms": null, "status": "timeout"}, "segment": "app"}',
      '{"ts": "2024-03-05T00:00:02Z", "req": {"ms": "7", "status": 200}}',
      '{"ts": "2024-03-05T00:00:03Z", "req": {"ms": {"nested": 1}, "status": 200}}',
      '{"broken": ',
      '"just a string"',
    ].join('\n');
    const log = parseLog(text, {
      mapping: parseColumnMapping('timestamp=ts,latency=req.ms,status=req.status,segment=segment'),
    });
    expect(log.report.format).toBe('jsonl');
    expect(log.rows).toBe(3);
    expect(Array.from(log.latencies)).toEqual([12, NaN, 7]);
    expect(Array.from(log.errors)).toEqual([0, 1, 0]);
    expect(log.segment!.values).toEqual(['web', 'app', '']);
    expect(log.report.rejectedByReason['bad-latency']).toBe(1);
    expect(log.report.rejectedByReason['malformed-line']).toBe(2);
    expect(log.report.examples[1].message).toBe('not valid JSON (' + errorMessage('{"broken": ') + ')');
    expect(log.report.examples[2]).toMatchObject({ line: 6, message: 'a JSON line must hold an object' });
    expect(() => parseLog(text, { mapping: parseColumnMapping('timestamp=ts,latency=req.latency,status=req.status') })).toThrow(
      "available columns: 'ts', 'req.ms', 'req.status', 'Segment', 'segment'",
    );
  });
});

function errorMessage(json: string): string {
  try {
    JSON.parse(json);
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

describe('splitDelimitedLine', () => {
  it('splits RFC 4180 quoted fields and refuses broken quoting', () => {
    expect(splitDelimitedLine('a,"b,c",d', ',')).toEqual(['a', 'b,c', 'd']);
    expect(splitDelimitedLine('a, "b,c" ,d', ',')).toEqual(['a', 'b,c', 'd']);
    expect(splitDelimitedLine('"",x', ',')).toEqual(['', 'x']);
    expect(splitDelimitedLine('a,5" screen', ',')).toEqual(['a', '5" screen']);
    expect(splitDelimitedLine('a,"b', ',')).toBeUndefined();
    expect(splitDelimitedLine('a,"b"c', ',')).toBeUndefined();
    expect(splitDelimitedLine('"a"', ',')).toEqual(['a']);
    expect(splitDelimitedLine('x,"a"', ',')).toEqual(['x', 'a']);
  });
});

describe('parseLog on the messy fixtures (truth from scripts/reference/replay.py)', () => {
  const csvText = readFileSync(new URL('messy-requests.csv', fixtures), 'utf8');
  const jsonText = readFileSync(new URL('nested-requests.jsonl', fixtures), 'utf8');

  it('parses the messy CSV export row for row', () => {
    const parsed = parseLog(csvText, options(expected.csv));
    checkAgainstTruth(parsed, expected.csv);
    expect(parsed.report.columns).toEqual(['Time Stamp', 'LATENCY', 'Status', 'model_version', 'Segment', 'user id']);
    expect(
      parsed.report.timestampKinds.iso! + parsed.report.timestampKinds.epochSeconds! + parsed.report.timestampKinds.epochMilliseconds!,
    ).toBe(expected.csv.accepted.length);
    expect(parsed.report.warnings).toEqual([
      `1 row was rejected for a status the rule does not recognise ('maybe' ×1); say what counts as an error with --error-when, e.g. "status>=500 or status in (error, timeout)"`,
      'timestamps are written in several ways (iso, epochMilliseconds, epochSeconds); check that this is intended',
    ]);
  });

  it('parses the nested JSON lines row for row', () => {
    checkAgainstTruth(parseLog(jsonText, options(expected.jsonl)), expected.jsonl);
  });

  it('gives the same result whatever the chunking, with progress reported', () => {
    for (const [text, log] of [
      [csvText, expected.csv],
      [jsonText, expected.jsonl],
    ] as const) {
      const whole = parseLog(text, options(log));
      for (const size of [1, 7, 1000]) {
        const progress: ParseProgress[] = [];
        const parser = new LogParser({ ...options(log), progressEvery: 100, onProgress: (p) => progress.push(p) });
        for (let start = 0; start < text.length; start += size) parser.push(text.slice(start, start + size), size);
        const chunked = parser.finish();
        expect(Array.from(chunked.timestamps)).toEqual(Array.from(whole.timestamps));
        expect(Array.from(chunked.latencies)).toEqual(Array.from(whole.latencies));
        expect(Array.from(chunked.errors)).toEqual(Array.from(whole.errors));
        expect(chunked.report).toEqual(whole.report);
        const last = progress[progress.length - 1];
        expect(last.rowsRead).toBe(whole.report.rowsRead);
        expect(last.characters).toBe(text.length);
        expect(progress.length).toBe(Math.floor(whole.report.rowsRead / 100) + 1);
      }
    }
  });
});

describe('parseLog at scale', () => {
  it('parses 1,000,000 rows pushed in 64 KiB chunks', () => {
    const mapping = parseColumnMapping('timestamp=ts,latency=latency,status=status,model=model,user=user');
    const parser = new LogParser({ mapping });
    parser.push('ts,latency,status,model,user\n');
    const rows = 1_000_000;
    const start = 1_700_000_000_000;
    let chunk = '';
    for (let i = 0; i < rows; i++) {
      chunk += `${start + i * 10},${(i % 997) + 0.5},${i % 50 === 0 ? 503 : 200},${i % 2 ? 'a' : 'b'},u${i % 5000}\n`;
      if (chunk.length > 65_536) {
        parser.push(chunk);
        chunk = '';
      }
    }
    parser.push(chunk);
    const log = parser.finish();
    expect(log.rows).toBe(rows);
    expect(log.report.rowsRejected).toBe(0);
    expect(log.errors.reduce((sum, e) => sum + e, 0)).toBe(rows / 50);
    expect(log.timestamps[rows - 1]).toBe(start + (rows - 1) * 10);
    expect(log.latencies[rows - 1]).toBe(((rows - 1) % 997) + 0.5);
    expect(log.user!.values.length).toBe(5000);
    expect(log.model!.values).toEqual(['b', 'a']);
  });
});
