/**
 * Which of the three request-log formats a text is: comma-separated, tab-separated or JSON
 * lines. Decided from the first non-blank line (after a byte-order mark), so it works on the
 * first chunk of a file that is streamed.
 */

/** A request-log format: `csv` (comma-separated), `tsv` (tab-separated) or `jsonl` (one JSON object per line). */
export type LogFormat = 'csv' | 'tsv' | 'jsonl';

/** Every supported log format, for argument checking. */
export const LOG_FORMATS: readonly LogFormat[] = ['csv', 'tsv', 'jsonl'];

/** The Unicode byte-order mark, which some Windows tools write at the start of UTF-8 files. */
export const BYTE_ORDER_MARK = '\uFEFF';

/**
 * Sniffs the format of a log from its beginning (`sample`, e.g. the first chunk read):
 * - the first non-blank line starts with `{` → `jsonl`;
 * - otherwise it is a header line: `tsv` when it holds more tabs than commas outside double
 *   quotes, `csv` otherwise (a one-column header is read as CSV).
 * A leading byte-order mark and leading blank lines are ignored. Throws a RangeError when the
 * sample holds no non-blank line (an empty log has no format). Cost O(length of that line).
 */
export function sniffLogFormat(sample: string): LogFormat {
  let start = sample.startsWith(BYTE_ORDER_MARK) ? 1 : 0;
  for (;;) {
    if (start >= sample.length) throw new RangeError('log must contain at least one non-blank line, got none');
    let end = sample.indexOf('\n', start);
    if (end < 0) end = sample.length;
    const line = sample.slice(start, end).trim();
    if (line !== '') return sniffLine(line);
    start = end + 1;
  }
}

function sniffLine(line: string): LogFormat {
  if (line.startsWith('{')) return 'jsonl';
  let tabs = 0;
  let commas = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const character = line[i];
    if (character === '"') quoted = !quoted;
    else if (!quoted && character === '\t') tabs++;
    else if (!quoted && character === ',') commas++;
  }
  return tabs > commas ? 'tsv' : 'csv';
}
