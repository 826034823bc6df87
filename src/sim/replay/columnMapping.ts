/**
 * Which log column holds which request field: the `--map timestamp=COL,latency=COL,...` option,
 * parsed, then matched against the columns a log actually has; and a first guess at it from a
 * log's header and first rows.
 */
import { parseLatency } from './parseLatency.ts';
import { parseTimestamp } from './parseTimestamp.ts';

/** The request fields a log column can be mapped to. */
export type LogField = 'timestamp' | 'latency' | 'status' | 'model' | 'segment' | 'user';

/** Every mappable field, in the order reports list them. */
export const LOG_FIELDS: readonly LogField[] = ['timestamp', 'latency', 'status', 'model', 'segment', 'user'];

/** The fields every mapping must name: without them a row is not a request we can replay. */
export const REQUIRED_LOG_FIELDS: readonly LogField[] = ['timestamp', 'latency', 'status'];

/** A column mapping as the user wrote it: field → column name (optional fields may be absent). */
export type ColumnMapping = { [field in LogField]?: string } & { timestamp: string; latency: string; status: string };

/**
 * A mapping matched against a log's columns: for each mapped field, the column's position in
 * the header (CSV/TSV) and the column's name as the log spells it (for JSON lines, a path of
 * keys; `a.b` reads key `b` of the object under key `a`).
 */
export interface ResolvedColumn {
  /** Column name as written in the log's header (or JSON key path). */
  name: string;
  /** 0-based position in the header; −1 for JSON lines, where fields are found by key. */
  index: number;
  /** For JSON lines: the key path, split on dots. */
  path: string[];
}

/** A resolved mapping: one `ResolvedColumn` per mapped field. */
export type ResolvedMapping = { [field in LogField]?: ResolvedColumn };

/**
 * Parses `timestamp=COL,latency=COL,status=COL[,model=COL][,segment=COL][,user=COL]`.
 * Column names are trimmed; a name containing commas or `=` is not supported (rename the
 * column). Throws a RangeError naming the problem: an unknown field (listing the valid ones),
 * a field given twice, an empty column name, or a missing required field. Cost O(length).
 */
export function parseColumnMapping(text: string): ColumnMapping {
  const mapping: { [field in LogField]?: string } = {};
  if (text.trim() === '') {
    throw new RangeError(`mapping must name the columns of ${REQUIRED_LOG_FIELDS.join(', ')}, got an empty mapping`);
  }
  for (const item of text.split(',')) {
    const equals = item.indexOf('=');
    if (equals < 0) throw new RangeError(`mapping item '${item.trim()}' must have the form field=COLUMN`);
    const field = item.slice(0, equals).trim().toLowerCase();
    const column = item.slice(equals + 1).trim();
    if (!(LOG_FIELDS as readonly string[]).includes(field)) {
      throw new RangeError(`mapping field '${field}' is unknown; the fields are ${LOG_FIELDS.join(', ')}`);
    }
    if (mapping[field as LogField] !== undefined) throw new RangeError(`mapping field '${field}' is given twice`);
    if (column === '') throw new RangeError(`mapping field '${field}' must name a column, got nothing after '='`);
    mapping[field as LogField] = column;
  }
  const missing = REQUIRED_LOG_FIELDS.filter((field) => mapping[field] === undefined);
  if (missing.length > 0) {
    throw new RangeError(`mapping must name a column for ${missing.join(', ')} (e.g. ${missing.map((f) => `${f}=COL`).join(',')})`);
  }
  return mapping as ColumnMapping;
}

/** How header names are compared: trimmed, case-insensitive, runs of spaces/underscores/hyphens as one space. */
export function normalizeColumnName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');
}

/**
 * Matches `mapping` against the log's `columns` (the header of a CSV/TSV, or the key paths seen
 * in the first objects of JSON lines). An exact match wins; otherwise names are compared after
 * `normalizeColumnName`, so `Latency_MS`, ` latency ms ` and `latency-ms` all match a header
 * column `Latency ms`. Throws a RangeError naming every mapped column that is not found and
 * listing the available ones, or naming a column that matches two header columns.
 * `jsonPaths`: resolve as JSON key paths (index −1). Cost O(fields × columns).
 */
export function resolveColumnMapping(mapping: ColumnMapping, columns: readonly string[], jsonPaths = false): ResolvedMapping {
  const resolved: ResolvedMapping = {};
  const unknown: string[] = [];
  for (const field of LOG_FIELDS) {
    const wanted = mapping[field];
    if (wanted === undefined) continue;
    let index = columns.indexOf(wanted);
    if (index < 0) {
      const key = normalizeColumnName(wanted);
      const matches: number[] = [];
      columns.forEach((column, i) => {
        if (normalizeColumnName(column) === key) matches.push(i);
      });
      if (matches.length > 1) {
        throw new RangeError(
          `mapping column '${wanted}' for ${field} matches several columns: ${matches.map((i) => `'${columns[i]}'`).join(', ')}; write it exactly`,
        );
      }
      index = matches.length === 1 ? matches[0] : -1;
    }
    if (index < 0) {
      unknown.push(`${field}=${wanted}`);
      continue;
    }
    const name = columns[index];
    resolved[field] = { name, index: jsonPaths ? -1 : index, path: jsonPaths ? name.split('.') : [name] };
  }
  if (unknown.length > 0) {
    const available = columns.length === 0 ? '(none)' : columns.map((c) => `'${c}'`).join(', ');
    throw new RangeError(
      `mapping names ${unknown.length === 1 ? 'a column' : 'columns'} the log does not have: ${unknown.join(', ')}; available columns: ${available}`,
    );
  }
  return resolved;
}

/** Names that say "a moment in time" (compared on lower-cased names). */
const TIME_NAME_EXACT =
  /^(@?timestamp|ts|time|datetime|date_?time|date|created|created_?at|create_?time|gmt_?create|event_?time|request_?time|start_?time)$/;
const TIME_NAME_LOOSE = /timestamp|time|date|creat|(^|_)ts($|_)|_at$/;
/**
 * Names that say "how long" — a latency, never a moment — even though some hold "time":
 * `exec_time_seconds`, `response_time_ms`, `duration`, `elapsed`, `took`, a unit suffix.
 */
const DURATION_NAME =
  /latency|duration|elapsed|took|exec_?time|run_?time|response_?time|wait_?time|process(ing)?_?time|cost_?time|_(s|sec|secs|seconds|ms|millis|milliseconds|us|micros|microseconds)$|^(ms|millis)$/;

/** Column-name patterns for the other fields, most specific first (compared on lower-case names). */
const FIELD_PATTERNS: Record<Exclude<LogField, 'timestamp' | 'latency'>, RegExp[]> = {
  status: [/^(status|status_?code|http_?status|code|state|result)$/, /status|outcome|result|error|code|state/],
  model: [/^(model|version|model_?version|model_?name|variant|arm)$/, /model|version|variant/],
  segment: [/^(segment|tier|plan|region|country|platform|device)$/, /segment|tier|plan|region|cohort/],
  user: [/^(user|user_?id|customer|customer_?id|account|account_?id|client_?id|session|session_?id)$/, /user|customer|account|session/],
};

/** Epoch seconds of 2000-01-01 and 2100-01-01: an epoch number outside them is not a request's time. */
const PLAUSIBLE_EPOCH_MS = [946_684_800_000, 4_102_444_800_000] as const;

/** Whether a field's text reads as a moment (ISO/Apache, or an epoch number in 2000–2100), not a duration like `12.5`. */
function looksLikeTimestamp(text: string): boolean {
  const parsed = parseTimestamp(text.trim());
  return parsed !== undefined && parsed.epochMilliseconds >= PLAUSIBLE_EPOCH_MS[0] && parsed.epochMilliseconds < PLAUSIBLE_EPOCH_MS[1];
}

/** Whether a field's text reads as a latency: a non-negative number, optionally with a unit. */
function looksLikeDuration(text: string): boolean {
  const value = parseLatency(text.trim(), 'ms');
  return value >= 0;
}

/**
 * The share of a column's non-blank sample values that satisfy `test`, or null without any
 * (no sample rows, or all blank): then the name alone decides.
 */
function shareOfValues(rows: readonly (readonly string[])[], index: number, test: (text: string) => boolean): number | null {
  let seen = 0;
  let passed = 0;
  for (const row of rows) {
    const value = row[index];
    if (value === undefined || value.trim() === '') continue;
    seen++;
    if (test(value)) passed++;
  }
  return seen === 0 ? null : passed / seen;
}

/**
 * A first guess at the column mapping of a log, from its column names and, when given, the
 * values of its first rows (`rows[i][j]` is row i's text in column j, as the parser would read
 * it). Fields with no convincing column are left out: the user picks them. Each column is used
 * for one field at most.
 *
 * - **timestamp**: a column with a time-like name (`timestamp`, `ts`, `time`, `date`,
 *   `gmt_create`, `created_at`, … exactly, else containing `time`, `date`, `creat`, `ts` or
 *   ending in `_at`) — but never one whose name says it is a duration (`latency`, `duration`,
 *   `elapsed`, `exec_time`, `response_time`, a unit suffix like `_seconds` or `_ms`): on a log
 *   with `gmt_create` and `exec_time_seconds`, the first is the time of the request and the
 *   second how long it took. With sample rows, a column most of whose values do not read as
 *   moments (ISO/Apache times, or epoch numbers between 2000 and 2100; `12.5` is a duration) is
 *   not a timestamp; among the candidates an exact name beats a loose one, then more values
 *   that read as moments, then the column's position.
 * - **latency**: an exact `latency`/`duration`/`elapsed` name (with a unit suffix), else any
 *   duration-like name (above); with sample rows, most values must be non-negative numbers and
 *   not moments.
 * - **status, model, segment, user**: the first column matching the field's exact name pattern,
 *   else its looser one, in that order.
 *
 * Cost O(fields × columns × rows) — meant for the first few dozen rows.
 */
export function guessColumnMapping(
  columns: readonly string[],
  rows: readonly (readonly string[])[] = [],
): { [field in LogField]?: string } {
  const guess: { [field in LogField]?: string } = {};
  const used = new Set<number>();
  const names = columns.map((column) => column.trim().toLowerCase());
  const pick = (field: LogField, index: number | undefined) => {
    if (index === undefined) return;
    guess[field] = columns[index];
    used.add(index);
  };

  // Timestamp: rank candidates by (exact name, share of moment-like values, position).
  let best: { index: number; exact: boolean; share: number } | undefined;
  names.forEach((name, index) => {
    if (DURATION_NAME.test(name)) return;
    const exact = TIME_NAME_EXACT.test(name);
    if (!exact && !TIME_NAME_LOOSE.test(name)) return;
    const share = shareOfValues(rows, index, looksLikeTimestamp);
    if (share !== null && share < 0.5) return;
    const candidate = { index, exact, share: share ?? 1 };
    if (best === undefined || (candidate.exact && !best.exact) || (candidate.exact === best.exact && candidate.share > best.share))
      best = candidate;
  });
  pick('timestamp', best?.index);

  // Latency: an exact name first, then any duration-like name; values must read as durations.
  const latencyExact = /^(latency|duration|elapsed)([_\s.-]?(ms|s|us|sec|secs|seconds|millis|milliseconds|micros|microseconds))?$/;
  const isLatency = (index: number) => {
    if (used.has(index)) return false;
    const share = shareOfValues(rows, index, (text) => looksLikeDuration(text) && !looksLikeTimestamp(text));
    return share === null || share >= 0.5;
  };
  pick(
    'latency',
    [latencyExact, DURATION_NAME]
      .map((pattern) => names.findIndex((name, index) => pattern.test(name) && isLatency(index)))
      .find((index) => index >= 0),
  );

  for (const field of Object.keys(FIELD_PATTERNS) as (keyof typeof FIELD_PATTERNS)[]) {
    for (const pattern of FIELD_PATTERNS[field]) {
      const index = names.findIndex((name, i) => !used.has(i) && pattern.test(name));
      if (index >= 0) {
        pick(field, index);
        break;
      }
    }
  }
  return guess;
}
