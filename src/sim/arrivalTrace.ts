// Arrival times from a CSV trace: pure, so the CLI (which reads the file) and the browser (which
// bundles it) share one rule; the CSV is read by the one tabular path (csvTable.ts, Arquero).
import { readCsvTable } from './csvTable.ts';

/**
 * Arrival times in seconds from the first, ascending, read from a CSV trace such as
 * `scenarios/data/azure_llm2023_code_arrivals.csv`: the `TIMESTAMP` column (else the first),
 * each cell a number of seconds or a date-time `YYYY-MM-DD HH:MM:SS[.fraction]` read as UTC.
 * Throws a RangeError naming the line (blank lines not counted) of a cell that is neither. Cost O(n log n) for the sort.
 */
export function arrivalTimesFromCsv(text: string, name: string): number[] {
  const table = readCsvTable(text, `arrival trace '${name}'`, { header: false });
  if (table.rowCount === 0) throw new RangeError(`arrival trace '${name}' is empty`);
  const firstRow = table.columns.map((column) => table.values(column)[0]);
  const hasHeader = firstRow.some((cell) => !/^[\d.:\- ]+$/.test(cell));
  const column =
    table.columns[
      hasHeader
        ? Math.max(
            0,
            firstRow.findIndex((cell) => cell.toUpperCase() === 'TIMESTAMP'),
          )
        : 0
    ];
  const cells = table.values(column);
  const times: number[] = [];
  for (let i = hasHeader ? 1 : 0; i < cells.length; i++) {
    const cell = cells[i];
    let seconds = Number(cell);
    if (cell === '' || !Number.isFinite(seconds)) {
      const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(cell);
      if (!match)
        throw new RangeError(`arrival trace '${name}' line ${i + 1}: '${cell}' is neither seconds nor a date-time YYYY-MM-DD HH:MM:SS`);
      const [, year, month, day, hour, minute, second] = match;
      seconds = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute)) / 1000 + Number(second);
    }
    times.push(seconds);
  }
  times.sort((a, b) => a - b);
  const first = times[0];
  return times.map((time) => time - first);
}
