/**
 * The incremental CSV reader gives the same records however the text is cut into chunks —
 * inside a quoted field, between `\r` and `\n`, between the two quotes of `""`, inside the
 * byte-order mark's line — so that `segments` can stream a file of any size (issue 11).
 */
import { describe, expect, test } from 'vitest';
import type { CsvRecord } from '../../src/cli/csvRecords.ts';
import { CsvRecordReader, parseCsv } from '../../src/cli/csvRecords.ts';

function readInChunks(chunks: string[]): CsvRecord[] {
  const records: CsvRecord[] = [];
  const reader = new CsvRecordReader((record) => records.push(record));
  for (const chunk of chunks) reader.push(chunk);
  reader.end();
  return records;
}

// RFC 4180 §2: quoted fields with commas, doubled quotes and line breaks; CRLF, LF and a lone CR; blank lines.
const text = '\ufeffvariant,"seg ""x""",ok\r\nA,"multi\nline",1\r\n\r\nB,plain,0\rA,"a,b",1\n"",,\n"q"\n';
const expected: CsvRecord[] = [
  { fields: ['variant', 'seg "x"', 'ok'], line: 1 },
  { fields: ['A', 'multi\nline', '1'], line: 2 },
  { fields: ['B', 'plain', '0'], line: 5 },
  { fields: ['A', 'a,b', '1'], line: 6 },
  { fields: ['', '', ''], line: 7 },
  { fields: ['q'], line: 8 },
];

describe('CsvRecordReader', () => {
  test('the whole text at once: records and the lines they start on, byte-order mark dropped', () => {
    expect(parseCsv(text)).toEqual(expected);
  });

  test('cut into two chunks at every position: the same records', () => {
    for (let cut = 0; cut <= text.length; cut++) {
      expect(readInChunks([text.slice(0, cut), text.slice(cut)])).toEqual(expected);
    }
  });

  test('one character per chunk: the same records', () => {
    expect(readInChunks([...text])).toEqual(expected);
  });

  test('records are handed over as soon as they end, not at the end of the input', () => {
    const seen: string[] = [];
    const reader = new CsvRecordReader((record) => seen.push(record.fields.join('|')));
    reader.push('a,b\n1,');
    expect(seen).toEqual(['a|b']);
    reader.push('2\n3,"4');
    expect(seen).toEqual(['a|b', '1|2']);
    reader.push('"');
    reader.end();
    expect(seen).toEqual(['a|b', '1|2', '3|4']);
  });

  test('an unclosed quote is named by the line its record starts on, whatever the chunks', () => {
    expect(() => readInChunks(['a\n"op', 'en\nmore'])).toThrow('unclosed quote in the record starting on line 2');
  });
});
