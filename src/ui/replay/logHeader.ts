import { BYTE_ORDER_MARK, sniffLogFormat } from '../../sim/replay/logFormat.ts';
import type { LogFormat } from '../../sim/replay/logFormat.ts';
import type { LogField } from '../../sim/replay/columnMapping.ts';
import { splitDelimitedLine } from '../../sim/replay/parseLog.ts';
import type { LatencyUnit } from '../../sim/replay/parseLatency.ts';

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

/** Column-name patterns for each field, most specific first (compared on lower-case names). */
const FIELD_PATTERNS: Record<LogField, RegExp[]> = {
  timestamp: [/^(@?timestamp|ts|time|datetime|date_?time)$/, /timestamp|time|date|_at$/],
  latency: [/^(latency|duration|elapsed)(_?(ms|s|us|sec|seconds|millis))?$/, /latency|duration|elapsed|response.?time|took/],
  status: [/^(status|status_?code|http_?status|code)$/, /status|outcome|result|error|code/],
  model: [/^(model|version|model_?version|variant|arm)$/, /model|version|variant/],
  segment: [/^(segment|tier|plan|region|country|platform|device)$/, /segment|tier|plan|region|cohort/],
  user: [/^(user|user_?id|customer|customer_?id|account|account_?id|client_?id)$/, /user|customer|account/],
};

/**
 * A first guess at the column mapping from the column names: for each field, the first column
 * whose lower-cased name matches the field's exact pattern, else its looser pattern; a column is
 * used for one field at most (fields in the order timestamp, latency, status, model, segment,
 * user). Fields with no match are left out: the user picks them. O(fields × columns).
 */
export function guessColumnMapping(columns: readonly string[]): { [field in LogField]?: string } {
  const guess: { [field in LogField]?: string } = {};
  const used = new Set<string>();
  for (const field of Object.keys(FIELD_PATTERNS) as LogField[]) {
    for (const pattern of FIELD_PATTERNS[field]) {
      const match = columns.find((column) => !used.has(column) && pattern.test(column.trim().toLowerCase()));
      if (match !== undefined) {
        guess[field] = match;
        used.add(match);
        break;
      }
    }
  }
  return guess;
}

/** The latency unit a column name announces (`latency_s`, `duration_us`, `elapsed_seconds`), else `ms`. */
export function guessLatencyUnit(column: string): LatencyUnit {
  const name = column.trim().toLowerCase();
  if (/(^|[_\s.-])(us|micros|microseconds|µs)$/.test(name)) return 'us';
  if (/(^|[_\s.-])(s|sec|secs|seconds)$/.test(name)) return 's';
  return 'ms';
}
