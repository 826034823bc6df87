/**
 * `rollout-lab segments FILE.csv`: per-segment A/B results from a CSV, the aggregate, Simpson's
 * paradox detection and a per-segment routing recommendation.
 *
 * Each CSV row is either one observation (`--success` column 0 or 1, no `--total`) or an
 * aggregate (`--success` a count and `--total` a count, per variant × segment; rows for the same
 * pair are summed). The CSV (RFC 4180) is streamed through `CsvRecordReader` (src/cli/csvRecords.ts)
 * and counted as it is read, so a CSV of any size runs in the memory of its per-segment counts.
 */
import { createReadStream } from 'node:fs';
import { analyzeSegments, type SegmentCounts, type VariantComparison } from '../../engine/analysis/segments.ts';
import { numberOption, parseCommandArgs, stringOption, UsageError } from '../args.ts';
import { type CliIo, type Command, formatNumber, writeJson } from '../io.ts';

export type { SegmentColumns };

import { formatPercent } from '../../engine/text/format.ts';
import { type SegmentColumns, SegmentTally } from '../../sim/segmentTally.ts';
import { CsvRecordReader } from '../csvRecords.ts';

export { parseCsv } from '../csvRecords.ts';

/**
 * Reads the CSV at `path` chunk by chunk (`highWaterMark` bytes at a time, UTF-8 decoded in
 * streaming mode so a character split between chunks survives) into a `SegmentTally`: memory
 * holds one chunk and the counts, whatever the file's size. Cost O(file size).
 */
export async function readSegmentCounts(
  chunks: AsyncIterable<string | Uint8Array>,
  file: string,
  columns: SegmentColumns,
): Promise<{ variants: [string, string]; segments: SegmentCounts[] }> {
  const tally = new SegmentTally(file, columns);
  const reader = new CsvRecordReader((record) => tally.add(record));
  const decoder = new TextDecoder('utf-8');
  try {
    for await (const chunk of chunks) reader.push(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    reader.push(decoder.decode());
    reader.end();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && !(error instanceof UsageError)) throw new UsageError(`cannot read ${file}: ${code}`);
    throw error;
  }
  return tally.value();
}

/** Bytes read at a time from a CSV file. */
const CHUNK_BYTES = 1 << 20;

function signedPercent(x: number): string {
  return `${x >= 0 ? '+' : '−'}${(100 * Math.abs(x)).toFixed(1)}%`;
}

/** Per-segment A/B analysis of a CSV, with Simpson's paradox detection. */
export const segmentsCommand: Command = {
  name: 'segments',
  summary: "per-segment A/B results from a CSV, Simpson's paradox check and per-segment routing",
  usage:
    'segments FILE.csv --variant COL --segment COL --success COL [--total COL] [--alpha 0.05] [--json]\n\n' +
    '  FILE.csv   comma-separated with a header row (RFC 4180 quoting)\n' +
    '  --variant  column naming the variant of each row (exactly two values; the first seen is listed first)\n' +
    '  --segment  column naming the segment\n' +
    '  --success  without --total: 0 or 1 per row (one observation per row);\n' +
    '             with --total: the number of successes of that variant × segment\n' +
    '  --total    column with the number of observations (aggregate rows; rows of the same pair are summed)\n' +
    '  --alpha    significance level of the tests, 1 − confidence of the intervals (default 0.05)\n\n' +
    'Rows are numbered as lines of the file (the header is row 1).',
  async run(argv: string[], io: CliIo): Promise<number> {
    const args = parseCommandArgs(
      argv,
      {
        variant: { type: 'string' },
        segment: { type: 'string' },
        success: { type: 'string' },
        total: { type: 'string' },
        alpha: { type: 'string' },
      },
      1,
    );
    const file = args.positionals[0];
    if (file === undefined) throw new UsageError('FILE.csv is required');
    const columns = {
      variant: stringOption(args, 'variant'),
      segment: stringOption(args, 'segment'),
      success: stringOption(args, 'success'),
      total: args.values.total === undefined ? undefined : stringOption(args, 'total'),
    };
    const alpha = numberOption(args, 'alpha', { default: 0.05, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true });
    const { variants, segments } = await readSegmentCounts(createReadStream(file, { highWaterMark: CHUNK_BYTES }), file, columns);
    const result = analyzeSegments({ variants, segments, alpha });

    if (args.values.json) {
      writeJson(io, { file, ...result });
      return 0;
    }
    const [first, second] = variants;
    const confidence = `${formatNumber(100 * (1 - alpha))}% CI`;
    const header = ['segment', 'traffic', first, second, `${first} − ${second} [${confidence}]`, 'p-value', 'winner'];
    const row = (name: string, share: number, c: VariantComparison) => [
      name,
      formatPercent(share),
      `${formatPercent(c.first.rate)} (${c.first.successes}/${c.first.total})`,
      `${formatPercent(c.second.rate)} (${c.second.successes}/${c.second.total})`,
      `${signedPercent(c.difference)} [${signedPercent(c.differenceInterval.lower)}, ${signedPercent(c.differenceInterval.upper)}]`,
      formatNumber(c.pValue),
      // A winner only when significant (a segment's after Holm's correction): 'none' when the higher rate may be noise.
      c.winner ?? (c.higher === null ? 'tie' : 'none'),
    ];
    const rows = [...result.segments.map((s) => row(s.segment, s.trafficShare, s)), row('overall', 1, result.aggregate)];
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((cells) => cells[column].length)));
    const format = (cells: string[]) =>
      cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
    const lines = [
      `${first} vs ${second}: success rate by segment (pooled z-test, Newcombe ${confidence})`,
      '',
      format(header),
      ...rows.slice(0, -1).map(format),
      widths.map((w) => '-'.repeat(w)).join('  '),
      format(rows[rows.length - 1]),
      '',
      result.explanation,
      '',
      `Recommendation: ${result.recommendation}`,
      '',
    ];
    io.stdout.write(lines.join('\n'));
    return 0;
  },
};
