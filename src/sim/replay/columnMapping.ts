/**
 * Which log column holds which request field: the `--map timestamp=COL,latency=COL,...` option,
 * parsed, then matched against the columns a log actually has.
 */

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
  return name.trim().toLowerCase().replace(/[\s_-]+/g, ' ');
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
