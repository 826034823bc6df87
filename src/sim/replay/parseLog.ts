/**
 * Request logs (CSV, TSV or JSON lines) → typed columns, tolerantly and in a stream.
 *
 * Why our own parser and not Arquero's `fromCSV`/`fromJSON`: Arquero parses a whole text at
 * once and infers column types, so a bad value is silently coerced (a `"n/a"` latency becomes
 * null, `"1,2"` a string, a mixed column stays text) or the whole import throws; a log
 * "nobody here wrote" needs every bad row counted with its line number and reason, a parse
 * that runs chunk by chunk (with progress, for a million rows in a worker), and typed arrays
 * instead of one object per row. Arquero is a fine tool on the clean columns this produces.
 *
 * Rules (each documented where it is implemented):
 * - **A record is one line** (`\n` or `\r\n`). Quoted fields may hold delimiters and `""`
 *   escapes, but not line breaks: in a log a stray quote must cost one row, not swallow the
 *   rest of the file as RFC 4180's multi-line fields would.
 * - The first non-blank line of a CSV/TSV is its header; a leading byte-order mark is dropped;
 *   blank lines are skipped and counted. A row whose field count differs from the header's is
 *   rejected (`wrong-field-count`), because its columns cannot be trusted.
 * - JSON lines: one object per line; nested keys are read with dotted paths (`response.ms`);
 *   the mapping is checked against the key paths seen in the first `JSON_HEADER_ROWS` objects.
 * - Per row: a missing or unreadable timestamp or status rejects the row; a missing latency
 *   does **not** (failed requests often log none): the row is kept with latency NaN and counted
 *   in `report.missing.latency`; an unreadable or negative latency rejects the row. Missing
 *   model/segment/user values are kept as the empty string and counted.
 * - Every rejected row is counted by reason; the first `maxExamples` are kept with their line
 *   number (1-based, counting the header and blank lines, as an editor shows it) and raw text.
 *   Nothing is dropped silently and nothing in the data can make the parse throw; only a
 *   mapping that does not fit the header (or an empty log) throws a RangeError.
 */

import type { ColumnMapping, LogField, ResolvedMapping } from './columnMapping.ts';
import { LOG_FIELDS, normalizeColumnName, resolveColumnMapping } from './columnMapping.ts';
import type { ErrorRule } from './errorRule.ts';
import { DEFAULT_ERROR_RULE } from './errorRule.ts';
import type { LogFormat } from './logFormat.ts';
import { BYTE_ORDER_MARK, sniffLogFormat } from './logFormat.ts';
import type { LatencyUnit } from './parseLatency.ts';
import { parseLatency } from './parseLatency.ts';
import type { TimestampKind } from './parseTimestamp.ts';
import { TimestampReader } from './parseTimestamp.ts';

/** Why a row was rejected. */
export type RejectReason =
  | 'malformed-line'
  | 'wrong-field-count'
  | 'missing-timestamp'
  | 'bad-timestamp'
  | 'missing-status'
  | 'unrecognised-status'
  | 'bad-latency'
  | 'negative-latency';

/** Every reject reason, in the order reports list them. */
export const REJECT_REASONS: readonly RejectReason[] = [
  'malformed-line',
  'wrong-field-count',
  'missing-timestamp',
  'bad-timestamp',
  'missing-status',
  'unrecognised-status',
  'bad-latency',
  'negative-latency',
];

/** A rejected row kept as an example. */
export interface RejectedRow {
  /** 1-based line number in the file (the header is line 1 when it is the first line). */
  line: number;
  reason: RejectReason;
  /** What was wrong, for people: `timestamp '2024-13-01' is not a date`. */
  message: string;
  /** The line as read (at most 200 characters). */
  raw: string;
}

/** Progress of a streamed parse. */
export interface ParseProgress {
  /** Characters pushed so far. */
  characters: number;
  /** Bytes pushed so far, when the caller passes byte counts to `push` (else 0). */
  bytes: number;
  /** Data rows read (header and blank lines excluded). */
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
}

/** Options of a parse. */
export interface ParseLogOptions {
  /** Which column holds which field (`parseColumnMapping`). */
  mapping: ColumnMapping;
  /** The format; sniffed from the first chunk (`sniffLogFormat`) when absent. */
  format?: LogFormat;
  /** Unit of latencies written without a unit; default `ms`. */
  latencyUnit?: LatencyUnit;
  /** What counts as an error; default `DEFAULT_ERROR_RULE`. */
  errorRule?: ErrorRule;
  /** How many rejected rows to keep as examples; default 10. */
  maxExamples?: number;
  /** Called every `progressEvery` rows and once at the end. */
  onProgress?: (progress: ParseProgress) => void;
  /** Rows between progress calls; default 65 536. */
  progressEvery?: number;
}

/** A dictionary-encoded text column: row i holds `values[codes[i]]`. */
export interface DictionaryColumn {
  codes: Uint32Array;
  values: string[];
}

/** One distinct status value of the log, how often it occurs and how the rule classified it. */
export interface StatusCount {
  status: string;
  count: number;
  error: boolean;
}

/** What happened during a parse: counts, reasons, examples and warnings. */
export interface ParseReport {
  format: LogFormat;
  /** Header columns (CSV/TSV) or key paths seen in the first objects (JSON lines). */
  columns: string[];
  /** Column name used for each mapped field. */
  mapped: { [field in LogField]?: string };
  latencyUnit: LatencyUnit;
  errorRule: string;
  linesRead: number;
  blankLines: number;
  rowsRead: number;
  rowsAccepted: number;
  rowsRejected: number;
  rejectedByReason: Record<RejectReason, number>;
  /** The first rejected rows (at most `maxExamples`). */
  examples: RejectedRow[];
  /** Accepted rows with no value for the field (latency NaN, or an empty string). */
  missing: { latency: number; model: number; segment: number; user: number };
  /** Accepted rows by how their timestamp was written. */
  timestampKinds: Partial<Record<TimestampKind, number>>;
  /** Accepted rows by status, most frequent first. */
  statuses: StatusCount[];
  /** Statuses the error rule did not recognise (their rows were rejected), most frequent first. */
  unrecognisedStatuses: { status: string; count: number }[];
  /** Things that parsed but look wrong (e.g. word statuses under a numeric-only rule). */
  warnings: string[];
}

/** A parsed log: one entry per accepted row, in file order. */
export interface ParsedLog {
  rows: number;
  /** Epoch milliseconds (UTC). */
  timestamps: Float64Array;
  /** Milliseconds; NaN when the row had no latency. */
  latencies: Float64Array;
  /** 1 when the request failed according to the error rule. */
  errors: Uint8Array;
  status: DictionaryColumn;
  /** Present when mapped. */
  model?: DictionaryColumn;
  segment?: DictionaryColumn;
  user?: DictionaryColumn;
  report: ParseReport;
}

/** JSON lines: how many objects are read before the mapping is checked against their keys. */
export const JSON_HEADER_ROWS = 1000;

const EXAMPLE_CHARACTERS = 200;

/** A growable typed array (doubling), so that a million rows cost O(n) copies in total. */
class Growable<T extends Float64Array | Uint8Array | Uint32Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (size: number) => T,
  ) {}
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
  finish(): T {
    return this.data.slice(0, this.length) as T;
  }
}

/** A dictionary-encoded column under construction. */
class DictionaryBuilder {
  readonly codes = new Growable(new Uint32Array(1024), (n) => new Uint32Array(n));
  readonly values: string[] = [];
  readonly counts: number[] = [];
  private readonly index = new Map<string, number>();
  code(value: string): number {
    let code = this.index.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.index.set(value, code);
      this.values.push(value);
      this.counts.push(0);
    }
    return code;
  }
  push(code: number): void {
    this.codes.push(code);
    this.counts[code]++;
  }
  finish(): DictionaryColumn {
    return { codes: this.codes.finish(), values: this.values };
  }
}

/**
 * Splits one CSV/TSV line into fields. Fields that start with `"` are quoted: delimiters inside
 * are kept and `""` is a quote; after the closing quote only spaces may precede the delimiter.
 * A quote inside an unquoted field is taken literally (`5" screen`). Returns undefined for an
 * unclosed quote or text after a closing quote. O(length).
 */
export function splitDelimitedLine(line: string, delimiter: string): string[] | undefined {
  if (line.indexOf('"') < 0) return line.split(delimiter);
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    // Leading spaces before an opening quote are tolerated (`a, "b,c"`).
    let start = i;
    while (line[start] === ' ') start++;
    if (line[start] === '"') {
      let value = '';
      let j = start + 1;
      for (;;) {
        const close = line.indexOf('"', j);
        if (close < 0) return undefined;
        value += line.slice(j, close);
        if (line[close + 1] === '"') {
          value += '"';
          j = close + 2;
        } else {
          j = close + 1;
          break;
        }
      }
      while (line[j] === ' ') j++;
      fields.push(value);
      if (j >= line.length) return fields;
      if (line[j] !== delimiter) return undefined;
      i = j + 1;
    } else {
      const end = line.indexOf(delimiter, i);
      if (end < 0) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, end));
      i = end + 1;
    }
  }
}

/** Every key path (dotted) of an object's nested plain objects, in order of appearance. */
function collectKeyPaths(value: Record<string, unknown>, prefix: string, into: Set<string>): void {
  for (const key of Object.keys(value)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const child = value[key];
    if (child !== null && typeof child === 'object' && !Array.isArray(child)) {
      collectKeyPaths(child as Record<string, unknown>, path, into);
    } else {
      into.add(path);
    }
  }
}

/** Reads a key path from a JSON object: exact keys first, else the normalised-name match. */
function readPath(object: Record<string, unknown>, path: string[]): unknown {
  let current: unknown = object;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    const record = current as Record<string, unknown>;
    if (key in record) {
      current = record[key];
    } else {
      const wanted = normalizeColumnName(key);
      const match = Object.keys(record).find((candidate) => normalizeColumnName(candidate) === wanted);
      current = match === undefined ? undefined : record[match];
    }
  }
  return current;
}

/** A JSON value as field text: '' for null/absent, JSON text for objects (which then fail to parse). */
function jsonFieldText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function quote(text: string): string {
  return `'${text.length > 60 ? text.slice(0, 57) + '...' : text}'`;
}

/**
 * A streaming log parser: `push` chunks of text (any split, even mid-line), then `finish`.
 * Memory: the typed columns plus one partial line; no per-row objects are kept (JSON lines keep
 * the first `JSON_HEADER_ROWS` objects until the mapping is checked). Cost O(characters).
 */
export class LogParser {
  private readonly options: Required<Omit<ParseLogOptions, 'format' | 'onProgress'>> & Pick<ParseLogOptions, 'onProgress'>;
  private format: LogFormat | undefined;
  private delimiter = ',';
  private pending = '';
  private started = false;
  private finished = false;
  private line = 0;
  private columns: string[] | undefined;
  private resolved: ResolvedMapping | undefined;
  private readonly jsonBuffer: { line: number; raw: string; object: Record<string, unknown>; problem: string | undefined }[] = [];
  private readonly progress: ParseProgress = { characters: 0, bytes: 0, rowsRead: 0, rowsAccepted: 0, rowsRejected: 0 };
  private blankLines = 0;
  private readonly rejectedByReason = Object.fromEntries(REJECT_REASONS.map((reason) => [reason, 0])) as Record<RejectReason, number>;
  private readonly examples: RejectedRow[] = [];
  private readonly missing = { latency: 0, model: 0, segment: 0, user: 0 };
  private readonly timestampKinds: Partial<Record<TimestampKind, number>> = {};
  private readonly timestamps = new Growable(new Float64Array(1024), (n) => new Float64Array(n));
  private readonly latencies = new Growable(new Float64Array(1024), (n) => new Float64Array(n));
  private readonly errors = new Growable(new Uint8Array(1024), (n) => new Uint8Array(n));
  private readonly status = new DictionaryBuilder();
  private readonly statusErrors: (boolean | undefined)[] = [];
  private readonly model = new DictionaryBuilder();
  private readonly segment = new DictionaryBuilder();
  private readonly user = new DictionaryBuilder();
  private readonly fieldText: { [field in LogField]?: string } = {};
  /** CSV/TSV: the field each header column is mapped to (undefined when unmapped). */
  private fieldOfColumn: (LogField | undefined)[] = [];
  private readonly timestampReader = new TimestampReader();
  /** Statuses the rule did not recognise → rows rejected for them. */
  private readonly unrecognised = new Map<string, number>();
  /** Accepted latencies that are whole numbers of at most 60 (whole seconds written as ms?). */
  private smallWholeLatencies = 0;

  constructor(options: ParseLogOptions) {
    const { maxExamples = 10, progressEvery = 65_536, latencyUnit = 'ms', errorRule = DEFAULT_ERROR_RULE } = options;
    if (!(Number.isInteger(maxExamples) && maxExamples >= 0)) {
      throw new RangeError(`maxExamples must be a non-negative integer, got ${maxExamples}`);
    }
    if (!(Number.isInteger(progressEvery) && progressEvery >= 1)) {
      throw new RangeError(`progressEvery must be a positive integer, got ${progressEvery}`);
    }
    if (!['ms', 's', 'us'].includes(latencyUnit)) throw new RangeError(`latencyUnit must be ms, s or us, got ${latencyUnit}`);
    this.options = { mapping: options.mapping, latencyUnit, errorRule, maxExamples, progressEvery, onProgress: options.onProgress };
    this.format = options.format;
  }

  /** Parses a chunk of text; `bytes` (optional) is its size in the file, for progress. */
  push(chunk: string, bytes = 0): void {
    if (this.finished) throw new RangeError('cannot push to a log parser after finish()');
    this.progress.characters += chunk.length;
    this.progress.bytes += bytes;
    let text = this.pending === '' ? chunk : this.pending + chunk;
    if (!this.started) {
      if (text.startsWith(BYTE_ORDER_MARK)) text = text.slice(1);
      if (text.trim() === '' && text.length < 65_536) {
        this.pending = text; // wait for a non-blank line before sniffing
        return;
      }
      this.start(text);
    }
    let start = 0;
    for (;;) {
      const end = text.indexOf('\n', start);
      if (end < 0) break;
      this.processLine(text.slice(start, end));
      start = end + 1;
    }
    this.pending = text.slice(start);
  }

  /** Ends the parse (processing a last line without a line break) and returns the columns and report. */
  finish(): ParsedLog {
    if (this.finished) throw new RangeError('finish() was already called on this log parser');
    if (!this.started) {
      if (this.pending.trim() === '') throw new RangeError('log must contain at least one non-blank line, got none');
      this.start(this.pending);
    }
    if (this.pending !== '') this.processLine(this.pending);
    this.pending = '';
    if (this.format === 'jsonl' && this.resolved === undefined) this.resolveJson();
    if (this.columns === undefined) throw new RangeError('log must contain a header line, got only blank lines');
    this.finished = true;
    this.options.onProgress?.({ ...this.progress });
    return this.result();
  }

  private start(text: string): void {
    this.started = true;
    this.format ??= sniffLogFormat(text);
    this.delimiter = this.format === 'tsv' ? '\t' : ',';
  }

  private processLine(rawLine: string): void {
    this.line++;
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '') {
      this.blankLines++;
      return;
    }
    if (this.format === 'jsonl') {
      this.processJsonLine(line);
      return;
    }
    if (this.columns === undefined) {
      const header = splitDelimitedLine(line, this.delimiter);
      if (header === undefined) throw new RangeError(`header on line ${this.line} has an unclosed quote: ${quote(line)}`);
      this.columns = header.map((name) => name.trim());
      this.resolved = resolveColumnMapping(this.options.mapping, this.columns);
      this.fieldOfColumn = this.columns.map(() => undefined);
      for (const field of LOG_FIELDS) {
        const resolvedColumn = this.resolved[field];
        if (resolvedColumn !== undefined) this.fieldOfColumn[resolvedColumn.index] = field;
      }
      return;
    }
    this.progress.rowsRead++;
    if (line.indexOf('"') < 0) {
      this.processPlainLine(line);
      this.tick();
      return;
    }
    const fields = splitDelimitedLine(line, this.delimiter);
    if (fields === undefined) {
      this.reject(this.line, line, 'malformed-line', 'unclosed quote or text after a closing quote');
    } else if (fields.length !== this.columns.length) {
      this.reject(
        this.line,
        line,
        'wrong-field-count',
        `${fields.length} field${fields.length === 1 ? '' : 's'} where the header has ${this.columns.length}`,
      );
    } else {
      const resolved = this.resolved as ResolvedMapping;
      for (const field of LOG_FIELDS) {
        const column = resolved[field];
        if (column !== undefined) this.fieldText[field] = fields[column.index];
      }
      this.acceptFields(this.line, line);
    }
    this.tick();
  }

  /**
   * The hot path for a line without quotes: walks the delimiters with indexOf, slicing only the
   * mapped fields (no array of every field per row).
   */
  private processPlainLine(line: string): void {
    const fieldOfColumn = this.fieldOfColumn;
    const delimiter = this.delimiter;
    let column = 0;
    let start = 0;
    for (;;) {
      let end = line.indexOf(delimiter, start);
      if (end < 0) end = line.length;
      const field = fieldOfColumn[column];
      if (field !== undefined) this.fieldText[field] = line.slice(start, end);
      column++;
      if (end === line.length) break;
      start = end + 1;
    }
    const expected = fieldOfColumn.length;
    if (column !== expected) {
      this.reject(this.line, line, 'wrong-field-count', `${column} field${column === 1 ? '' : 's'} where the header has ${expected}`);
    } else {
      this.acceptFields(this.line, line);
    }
  }

  private processJsonLine(line: string): void {
    this.progress.rowsRead++;
    let object: unknown;
    let problem: string | undefined;
    try {
      object = JSON.parse(line);
      if (object === null || typeof object !== 'object' || Array.isArray(object)) problem = 'a JSON line must hold an object';
    } catch (error) {
      problem = `not valid JSON (${(error as Error).message})`;
    }
    if (this.resolved === undefined) {
      // Until the mapping is checked, keep rows (bad ones too, so examples stay in file order).
      this.jsonBuffer.push({ line: this.line, raw: line, object: object as Record<string, unknown>, problem });
      if (this.jsonBuffer.length >= JSON_HEADER_ROWS) this.resolveJson();
    } else if (problem !== undefined) {
      this.reject(this.line, line, 'malformed-line', problem);
    } else {
      this.acceptJson(this.line, line, object as Record<string, unknown>);
    }
    this.tick();
  }

  /** Checks the mapping against the key paths of the buffered objects, then parses them. */
  private resolveJson(): void {
    const paths = new Set<string>();
    for (const entry of this.jsonBuffer) if (entry.problem === undefined) collectKeyPaths(entry.object, '', paths);
    this.columns = [...paths];
    this.resolved = resolveColumnMapping(this.options.mapping, this.columns, true);
    for (const entry of this.jsonBuffer) {
      if (entry.problem !== undefined) this.reject(entry.line, entry.raw, 'malformed-line', entry.problem);
      else this.acceptJson(entry.line, entry.raw, entry.object);
    }
    this.jsonBuffer.length = 0;
  }

  private acceptJson(line: number, raw: string, object: Record<string, unknown>): void {
    const resolved = this.resolved as ResolvedMapping;
    for (const field of LOG_FIELDS) {
      const column = resolved[field];
      if (column !== undefined) this.fieldText[field] = jsonFieldText(readPath(object, column.path));
    }
    this.acceptFields(line, raw);
  }

  /** Reads the current `fieldText` into the columns, or rejects the row with the first problem. */
  private acceptFields(line: number, raw: string): void {
    const text = this.fieldText;
    const timestampText = (text.timestamp as string).trim();
    if (timestampText === '') return this.reject(line, raw, 'missing-timestamp', 'no timestamp');
    const timestamp = this.timestampReader.read(timestampText);
    if (Number.isNaN(timestamp)) {
      return this.reject(line, raw, 'bad-timestamp', `timestamp ${quote(timestampText)} is not a date-time or epoch number`);
    }
    const statusText = (text.status as string).trim();
    if (statusText === '') return this.reject(line, raw, 'missing-status', 'no status');
    const statusCode = this.status.code(statusText);
    if (statusCode === this.statusErrors.length) this.statusErrors.push(this.options.errorRule.isError(statusText));
    const error = this.statusErrors[statusCode];
    if (error === undefined) {
      this.unrecognised.set(statusText, (this.unrecognised.get(statusText) ?? 0) + 1);
      return this.reject(
        line,
        raw,
        'unrecognised-status',
        `status ${quote(statusText)} is neither an HTTP code nor a known word; say what counts as an error with --error-when`,
      );
    }
    const latencyText = (text.latency as string).trim();
    let latency = NaN;
    if (latencyText !== '') {
      latency = parseLatency(latencyText, this.options.latencyUnit);
      if (Number.isNaN(latency) || !Number.isFinite(latency)) {
        return this.reject(line, raw, 'bad-latency', `latency ${quote(latencyText)} is not a number`);
      }
      if (latency < 0) return this.reject(line, raw, 'negative-latency', `latency ${quote(latencyText)} is negative`);
    }
    // Accepted: append to every column.
    if (Number.isNaN(latency)) this.missing.latency++;
    else if (latency <= 60 && Number.isInteger(latency)) this.smallWholeLatencies++;
    this.timestamps.push(timestamp);
    const kind = this.timestampReader.kind;
    this.timestampKinds[kind] = (this.timestampKinds[kind] ?? 0) + 1;
    this.latencies.push(latency);
    this.errors.push(error ? 1 : 0);
    this.status.push(statusCode);
    for (const field of ['model', 'segment', 'user'] as const) {
      const value = text[field];
      if (value === undefined) continue;
      const trimmed = value.trim();
      if (trimmed === '') this.missing[field]++;
      const builder = this[field];
      builder.push(builder.code(trimmed));
    }
    this.progress.rowsAccepted++;
  }

  private reject(line: number, raw: string, reason: RejectReason, message: string): void {
    this.rejectedByReason[reason]++;
    this.progress.rowsRejected++;
    if (this.examples.length < this.options.maxExamples) {
      const shown = raw.length > EXAMPLE_CHARACTERS ? raw.slice(0, EXAMPLE_CHARACTERS - 3) + '...' : raw;
      this.examples.push({ line, reason, message, raw: shown });
    }
  }

  private tick(): void {
    if (this.options.onProgress && this.progress.rowsRead % this.options.progressEvery === 0) {
      this.options.onProgress({ ...this.progress });
    }
  }

  private result(): ParsedLog {
    const mapping = this.options.mapping;
    const resolved = this.resolved as ResolvedMapping;
    const mapped: { [field in LogField]?: string } = {};
    for (const field of LOG_FIELDS) if (resolved[field]) mapped[field] = resolved[field].name;
    // Counts per status among accepted rows (rejected rows may have registered a status code).
    const statuses: StatusCount[] = [];
    this.status.values.forEach((status, code) => {
      const count = this.status.counts[code];
      if (count > 0) statuses.push({ status, count, error: this.statusErrors[code] === true });
    });
    statuses.sort((a, b) => b.count - a.count || (a.status < b.status ? -1 : 1));
    const report: ParseReport = {
      format: this.format as LogFormat,
      columns: this.columns as string[],
      mapped,
      latencyUnit: this.options.latencyUnit,
      errorRule: this.options.errorRule.source,
      linesRead: this.line,
      blankLines: this.blankLines,
      rowsRead: this.progress.rowsRead,
      rowsAccepted: this.progress.rowsAccepted,
      rowsRejected: this.progress.rowsRejected,
      rejectedByReason: { ...this.rejectedByReason },
      examples: this.examples,
      missing: { ...this.missing },
      timestampKinds: { ...this.timestampKinds },
      statuses,
      unrecognisedStatuses: [...this.unrecognised]
        .map(([status, count]) => ({ status, count }))
        .sort((a, b) => b.count - a.count || (a.status < b.status ? -1 : 1)),
      warnings: this.warnings(statuses),
    };
    return {
      rows: this.progress.rowsAccepted,
      timestamps: this.timestamps.finish(),
      latencies: this.latencies.finish(),
      errors: this.errors.finish(),
      status: this.status.finish(),
      ...(mapping.model !== undefined ? { model: this.model.finish() } : {}),
      ...(mapping.segment !== undefined ? { segment: this.segment.finish() } : {}),
      ...(mapping.user !== undefined ? { user: this.user.finish() } : {}),
      report,
    };
  }

  private warnings(statuses: StatusCount[]): string[] {
    const warnings: string[] = [];
    const rule = this.options.errorRule;
    if (rule.numericOnly) {
      const words = statuses.filter((s) => !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(s.status));
      const count = words.reduce((sum, s) => sum + s.count, 0);
      if (count > 0) {
        warnings.push(
          `${count} row${count === 1 ? ' has' : 's have'} a non-numeric status (${words
            .slice(0, 5)
            .map((s) => quote(s.status))
            .join(', ')}); the rule '${rule.source}' only compares numbers, so they count as successes`,
        );
      }
    }
    if (this.unrecognised.size > 0) {
      const list = [...this.unrecognised].sort((a, b) => b[1] - a[1]);
      const count = list.reduce((sum, [, n]) => sum + n, 0);
      warnings.push(
        `${count} row${count === 1 ? ' was' : 's were'} rejected for a status the rule does not recognise (${list
          .slice(0, 8)
          .map(([status, n]) => `${quote(status)} ×${n}`)
          .join(', ')}); say what counts as an error with --error-when, e.g. "status>=500 or status in (error, timeout)"`,
      );
    }
    const withLatency = this.progress.rowsAccepted - this.missing.latency;
    if (this.options.latencyUnit === 'ms' && withLatency >= 10 && this.smallWholeLatencies >= 0.9 * withLatency) {
      warnings.push(
        `${this.smallWholeLatencies} of ${withLatency} latencies are whole numbers from 0 to 60: if they are seconds, say --latency-unit s`,
      );
    }
    const kinds = Object.keys(this.timestampKinds);
    if (kinds.length > 1) warnings.push(`timestamps are written in several ways (${kinds.join(', ')}); check that this is intended`);
    const accepted = this.progress.rowsAccepted;
    if (accepted > 0 && this.missing.latency === accepted) warnings.push('no accepted row has a latency');
    if (this.progress.rowsRead > 0 && accepted === 0) warnings.push('no row could be read: see the rejected examples');
    return warnings;
  }
}

/** Parses a whole log held in a string (see `LogParser` for the rules). Cost O(length). */
export function parseLog(text: string, options: ParseLogOptions): ParsedLog {
  const parser = new LogParser(options);
  parser.push(text);
  return parser.finish();
}
