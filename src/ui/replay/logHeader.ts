import type { LogFormat } from '../../sim/replay/logFormat.ts';
import { BYTE_ORDER_MARK, sniffLogFormat } from '../../sim/replay/logFormat.ts';
import type { LatencyUnit } from '../../sim/replay/parseLatency.ts';
import { splitDelimitedLine } from '../../sim/replay/parseLog.ts';

/** What the beginning of a log says before it is parsed: its format and the columns to map. */
export interface LogHeader {
  format: LogFormat;
  /** Header columns (CSV/TSV), or the dotted key paths of the first objects (JSON lines). */
  columns: string[];
}

/** JSON lines: how many objects of the sample are read for their key paths. */
const JSON_SAMPLE_OBJECTS = 200;

function collectKeyPaths(value: Record<string, unknown>, prefix: string, into: Set<string>): void {
  for (const key of Object.keys(value)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const child = value[key];
    if (child !== null && typeof child === 'object' && !Array.isArray(child)) collectKeyPaths(child as Record<string, unknown>, path, into);
    else into.add(path);
  }
}

/**
 * Reads the format (`sniffLogFormat`) and the columns from the first bytes of a log (`sample`,
 * e.g. the first 64 KiB of the file), so the user can map columns before the whole file is
 * parsed. CSV/TSV: the first non-blank line, split as `LogParser` splits it (quotes honoured),
 * names trimmed. JSON lines: the key paths (nested keys dotted, as `LogParser` reads them) of up
 * to 200 complete objects; a last line cut by the sample's end and lines that are not objects
 * are skipped. Throws a RangeError for a blank sample or an unreadable header. O(sample length).
 */
export function readLogHeader(sample: string): LogHeader {
  const text = sample.startsWith(BYTE_ORDER_MARK) ? sample.slice(1) : sample;
  const format = sniffLogFormat(text);
  const lines = text.split('\n');
  if (format === 'jsonl') {
    const keys = new Set<string>();
    let objects = 0;
    // The last piece may be a line cut in the middle by the end of the sample: JSON.parse rejects it.
    for (const line of lines) {
      if (objects >= JSON_SAMPLE_OBJECTS) break;
      if (line.trim() === '') continue;
      try {
        const value: unknown = JSON.parse(line);
        if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
          collectKeyPaths(value as Record<string, unknown>, '', keys);
          objects++;
        }
      } catch {
        // not an object line: the parser will count it as malformed
      }
    }
    if (keys.size === 0) throw new RangeError('log looks like JSON lines but its first lines hold no readable object');
    return { format, columns: [...keys] };
  }
  const headerLine = lines.find((line) => line.trim() !== '') as string;
  const fields = splitDelimitedLine(headerLine.replace(/\r$/, ''), format === 'tsv' ? '\t' : ',');
  if (fields === undefined) throw new RangeError(`log header has an unclosed quote: ${headerLine.slice(0, 120)}`);
  return { format, columns: fields.map((field) => field.trim()) };
}

/** How many data rows of the sample `readSampleRows` returns (enough to judge a column's values). */
export const SAMPLE_ROWS = 50;

function valueAtPath(object: Record<string, unknown>, path: string): string {
  let value: unknown = object;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return '';
    value = (value as Record<string, unknown>)[key];
  }
  return value === undefined || value === null || typeof value === 'object' ? '' : String(value);
}

/**
 * The first data rows of a log sample as text, one entry per `header.columns` (for JSON lines,
 * the value at each key path; '' when absent), for `guessColumnMapping` to look at the values.
 * The sample's last piece is dropped when the sample does not end a line (it may be cut in the
 * middle), and so are rows that do not split. At most `limit` rows. O(sample length).
 */
export function readSampleRows(sample: string, header: LogHeader, limit = SAMPLE_ROWS): string[][] {
  const text = sample.startsWith(BYTE_ORDER_MARK) ? sample.slice(1) : sample;
  const lines = text.split('\n');
  if (!text.endsWith('\n')) lines.pop();
  const rows: string[][] = [];
  if (header.format === 'jsonl') {
    for (const line of lines) {
      if (rows.length >= limit) break;
      if (line.trim() === '') continue;
      try {
        const value: unknown = JSON.parse(line);
        if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
          rows.push(header.columns.map((column) => valueAtPath(value as Record<string, unknown>, column)));
        }
      } catch {
        // not an object line
      }
    }
    return rows;
  }
  const delimiter = header.format === 'tsv' ? '\t' : ',';
  let headerSeen = false;
  for (const line of lines) {
    if (rows.length >= limit) break;
    if (line.trim() === '') continue;
    if (!headerSeen) {
      headerSeen = true;
      continue;
    }
    const fields = splitDelimitedLine(line.replace(/\r$/, ''), delimiter);
    if (fields !== undefined && fields.length === header.columns.length) rows.push(fields.map((field) => field.trim()));
  }
  return rows;
}

/** The latency unit a column name announces (`latency_s`, `duration_us`, `elapsed_seconds`), else `ms`. */
export function guessLatencyUnit(column: string): LatencyUnit {
  const name = column.trim().toLowerCase();
  if (/(^|[_\s.-])(us|micros|microseconds|µs)$/.test(name)) return 'us';
  if (/(^|[_\s.-])(s|sec|secs|seconds)$/.test(name)) return 's';
  return 'ms';
}
