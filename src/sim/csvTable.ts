/**
 * The one tabular import path for small CSVs, in the app and the CLI alike: segment counts
 * (the Segments view), arrival traces (scenario `traffic.arrivals.file`) and any other table
 * that fits in memory. It is Arquero's `fromCSV` (arquero 8, `src/format/from-csv.js`), with
 * its quoting rules — RFC 4180: fields separated by commas, optionally quoted with `"`, `""` for
 * a quote inside quotes, CRLF, LF or CR line ends — and every value kept as text
 * (`autoType: false`): the caller parses each column and names the row of a bad cell.
 *
 * What this module adds to `fromCSV`, because Arquero accepts these silently: a UTF-8
 * byte-order mark is dropped (Arquero would make it part of the first column's name), blank
 * lines are skipped (Arquero reads them as rows of empty cells), and a header naming a column
 * twice, or naming none, is refused (Arquero keeps only the last of two equal names).
 * Rows shorter than the header read as empty cells, fields past the header are ignored —
 * Arquero's rule. Row numbers in messages are data rows counted from 1 under the header.
 *
 * The streaming readers of large files stay their own (src/cli/csvRecords.ts, the request-log
 * parser src/sim/replay/parseLog.ts): Arquero's `fromCSVStream` still collects every row into a
 * table, and those readers must run in the memory of one chunk.
 *
 * Pure (no DOM, no Node): `fromCSV` on a string runs anywhere.
 */
import { fromCSV } from 'arquero';

/** A CSV read as text columns. */
export interface CsvTable {
  /** The header's column names, trimmed, in order. */
  columns: string[];
  /** Number of data rows (blank lines skipped). */
  rowCount: number;
  /** The cells of `column` (trimmed; '' for an empty or missing cell), one per data row. */
  values(column: string): string[];
}

/** Options of `readCsvTable`. */
export interface CsvTableOptions {
  /**
   * Whether the first line names the columns (default true). Without a header the columns are
   * named `col1`, `col2`, … (Arquero's names).
   */
  header?: boolean;
}

/**
 * Reads CSV `text` into text columns (module comment for the rules). `name` says what the text
 * is in messages (a file name, "the CSV"). Throws a `RangeError` when there is no column, or
 * the header names a column twice or leaves one unnamed. Cost O(length of the text).
 */
export function readCsvTable(text: string, name: string, options: CsvTableOptions = {}): CsvTable {
  const header = options.header ?? true;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw new RangeError(`${name} is empty`);
  const table = fromCSV(body, { autoType: false, header });
  const columns = table.columnNames();
  const trimmed = columns.map((column) => column.trim());
  if (header) {
    const unnamed = trimmed.indexOf('');
    if (unnamed >= 0) throw new RangeError(`${name}: column ${unnamed + 1} of the header has no name`);
    const seen = new Set<string>();
    for (const column of trimmed) {
      if (seen.has(column)) throw new RangeError(`${name}: the header names the column '${column}' twice`);
      seen.add(column);
    }
  }
  const raw = columns.map((column) => table.array(column) as ArrayLike<unknown>);
  const cell = (value: unknown): string => (value === null || value === undefined ? '' : String(value).trim());
  // Blank lines come back as rows of empty cells: keep the rows that hold something.
  const kept: number[] = [];
  for (let row = 0; row < table.numRows(); row++) {
    if (raw.some((values) => cell(values[row]) !== '')) kept.push(row);
  }
  const byName = new Map<string, string[]>();
  trimmed.forEach((column, index) =>
    byName.set(
      column,
      kept.map((row) => cell(raw[index][row])),
    ),
  );
  return {
    columns: trimmed,
    rowCount: kept.length,
    values(column: string): string[] {
      const values = byName.get(column);
      if (values === undefined) throw new RangeError(`${name} has no column '${column}' (its columns are ${trimmed.join(', ')})`);
      return values;
    },
  };
}
