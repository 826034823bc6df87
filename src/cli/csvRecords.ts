/**
 * RFC 4180 CSV records, read incrementally: text is pushed in chunks of any size (a chunk may
 * end inside a quoted field, between `\r` and `\n`, or between the two quotes of `""`) and each
 * complete record is handed to a callback at once, so that a reader holds one record and one
 * chunk, never the file — `segments` on a 200 MB CSV runs in constant memory.
 *
 * Grammar (RFC 4180 §2): comma-separated fields, optionally quoted with `"`, `""` for a quote
 * inside a quoted field, CRLF, LF or CR line ends; blank lines are skipped; a leading UTF-8
 * byte-order mark is dropped. Cost O(length of the text).
 *
 * Why its own reader and not the one tabular path (src/sim/csvTable.ts, Arquero's `fromCSV`):
 * Arquero collects every row into a table before the first is read (`fromCSVStream` too), and
 * `rollout-lab segments` must count a CSV of any size in the memory of one chunk; it also
 * refuses a row with the wrong number of fields, which Arquero pads or cuts silently. Small
 * CSVs (the app's segments, arrival traces) go through csvTable.ts; the column rule they share
 * with this reader is src/sim/segmentTally.ts.
 */
import { UsageError } from './args.ts';

/** One parsed CSV record with the number of the line it started on (1-based). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/** Splits pushed text into CSV records (module comment); `end()` flushes the last one. */
export class CsvRecordReader {
  private fields: string[] = [];
  private field = '';
  private fieldStarted = false;
  private quoted = false;
  /** A `"` was read inside a quoted field: the next character says whether it closes the field or doubles. */
  private quoteInQuoted = false;
  /** A `\r` ended the last record: a `\n` right after it belongs to the same line end. */
  private afterCarriageReturn = false;
  private line = 1;
  private recordLine = 1;
  private atStart = true;

  constructor(private readonly onRecord: (record: CsvRecord) => void) {}

  private endRecord(): void {
    this.fields.push(this.field);
    if (!(this.fields.length === 1 && this.fields[0] === '' && !this.fieldStarted))
      this.onRecord({ fields: this.fields, line: this.recordLine });
    this.fields = [];
    this.field = '';
    this.fieldStarted = false;
  }

  /** Reads `chunk`, calling back for every record it completes. */
  push(chunk: string): void {
    let i = 0;
    if (this.atStart && chunk.length > 0) {
      this.atStart = false;
      if (chunk.charCodeAt(0) === 0xfeff) i = 1; // drop a byte-order mark
    }
    // Plain characters are appended a run at a time (one slice), not one by one.
    let runStart = i;
    const n = chunk.length;
    for (; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (this.afterCarriageReturn) {
        this.afterCarriageReturn = false;
        if (c === LF) {
          runStart = i + 1;
          continue;
        }
      }
      if (this.quoteInQuoted) {
        this.quoteInQuoted = false;
        if (c === QUOTE) {
          this.field += '"';
          runStart = i + 1;
          continue;
        }
        this.quoted = false; // the quote closed the field: read c as unquoted
        runStart = i;
      }
      if (this.quoted) {
        if (c === QUOTE) {
          if (i > runStart) this.field += chunk.slice(runStart, i);
          this.quoteInQuoted = true;
          runStart = i + 1;
        } else if (c === LF) {
          this.line++;
        }
        continue;
      }
      if (c === QUOTE && this.field === '' && runStart === i) {
        this.quoted = true;
        this.fieldStarted = true;
        runStart = i + 1;
      } else if (c === COMMA) {
        if (i > runStart) this.field += chunk.slice(runStart, i);
        this.fields.push(this.field);
        this.field = '';
        this.fieldStarted = true;
        runStart = i + 1;
      } else if (c === LF || c === CR) {
        if (i > runStart) this.field += chunk.slice(runStart, i);
        this.endRecord();
        this.line++;
        this.recordLine = this.line;
        this.afterCarriageReturn = c === CR;
        runStart = i + 1;
      } else {
        this.fieldStarted = true;
      }
    }
    if (n > runStart) this.field += chunk.slice(runStart, n);
  }

  /** Ends the input: flushes a last record without a line end; a quote still open is a `UsageError`. */
  end(): void {
    if (this.quoteInQuoted) {
      this.quoteInQuoted = false;
      this.quoted = false;
    }
    if (this.quoted) throw new UsageError(`unclosed quote in the record starting on line ${this.recordLine}`);
    if (this.field !== '' || this.fields.length > 0 || this.fieldStarted) this.endRecord();
  }
}

/** Parses a whole CSV text into records (`CsvRecordReader` over one chunk). */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const reader = new CsvRecordReader((record) => records.push(record));
  reader.push(text);
  reader.end();
  return records;
}
