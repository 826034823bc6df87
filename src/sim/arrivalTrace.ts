// Arrival times from a CSV trace: pure, so the CLI (which reads the file) and the browser (which
// bundles it) share one rule.

/**
 * Arrival times in seconds from the first, ascending, read from a CSV trace such as
 * `scenarios/data/azure_llm2023_code_arrivals.csv`: the `TIMESTAMP` column (else the first),
 * each cell a number of seconds or a date-time `YYYY-MM-DD HH:MM:SS[.fraction]` read as UTC.
 * Throws a RangeError naming the line of a cell that is neither. Cost O(n log n) for the sort.
 */
export function arrivalTimesFromCsv(text: string, name: string): number[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new RangeError(`arrival trace '${name}' is empty`);
  const header = lines[0].split(',').map((cell) => cell.trim().replace(/^"|"$/g, ''));
  const hasHeader = header.some((cell) => !/^[\d.:\- ]+$/.test(cell));
  const column = hasHeader ? Math.max(0, header.findIndex((cell) => cell.toUpperCase() === 'TIMESTAMP')) : 0;
  const times: number[] = [];
  for (let i = hasHeader ? 1 : 0; i < lines.length; i++) {
    const cell = (lines[i].split(',')[column] ?? '').trim().replace(/^"|"$/g, '');
    let seconds = Number(cell);
    if (cell === '' || !Number.isFinite(seconds)) {
      const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(cell);
      if (!match) throw new RangeError(`arrival trace '${name}' line ${i + 1}: '${cell}' is neither seconds nor a date-time YYYY-MM-DD HH:MM:SS`);
      const [, year, month, day, hour, minute, second] = match;
      seconds = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute)) / 1000 + Number(second);
    }
    times.push(seconds);
  }
  times.sort((a, b) => a - b);
  const first = times[0];
  return times.map((time) => time - first);
}
