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
import { UsageError, numberOption, parseCommandArgs, stringOption } from '../args.ts';
import { formatNumber, writeJson, type CliIo, type Command } from '../io.ts';
import { analyzeSegments, type SegmentCounts, type VariantComparison } from '../../engine/analysis/segments.ts';
import { CsvRecordReader, type CsvRecord } from '../csvRecords.ts';
import { formatPercent } from '../../engine/text/format.ts';

export { parseCsv } from '../csvRecords.ts';

function readCounts(text: string, label: string): number {
  const value = text.trim() === '' ? NaN : Number(text);
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`${label} must be a whole number ≥ 0, got '${text}'`);
  return value;
}

/** The CSV columns `segments` reads (their names in the header). */
export interface SegmentColumns {
  variant: string;
  segment: string;
  success: string;
  total?: string;
}

/**
 * Per-(segment, variant) success counts of a CSV, added up record by record as they are read
 * (an Arquero-style reducer: `add` each record, then `value`): memory holds one count pair per
 * segment × variant, not the rows. The first record is the header. Errors name `file` and the row.
 */
export class SegmentTally {
  private index: Record<string, number> | null = null;
  private header: string[] = [];
  private rows = 0;
  private readonly variantOrder: string[] = [];
  /** Segment → variant → counts, in order of first appearance. */
  private readonly counts = new Map<string, Map<string, { successes: number; total: number }>>();

  constructor(
    private readonly file: string,
    private readonly columns: SegmentColumns,
  ) {}

  /** Folds one record in (the first one is the header). O(1) per record. */
  add(record: CsvRecord): void {
    const { file, columns } = this;
    if (this.index === null) {
      this.header = record.fields.map((name) => name.trim());
      const index: Record<string, number> = {};
      const missing: string[] = [];
      for (const [option, name] of Object.entries(columns)) {
        if (name === undefined) continue;
        const at = this.header.indexOf(name);
        if (at < 0) missing.push(`'${name}' (--${option})`);
        index[option] = at;
      }
      if (missing.length > 0) {
        throw new UsageError(`unknown column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} in ${file}; its columns are ${this.header.join(', ')}`);
      }
      this.index = index;
      return;
    }
    const index = this.index;
    this.rows++;
    const row = `${file} row ${record.line}`;
    if (record.fields.length !== this.header.length) {
      throw new UsageError(`${row} has ${record.fields.length} fields, the header has ${this.header.length}`);
    }
    const variant = record.fields[index.variant].trim();
    const segment = record.fields[index.segment].trim();
    if (variant === '') throw new UsageError(`${row}: ${columns.variant} is empty`);
    if (segment === '') throw new UsageError(`${row}: ${columns.segment} is empty`);
    const successText = record.fields[index.success].trim();
    let successes: number;
    let total: number;
    if (columns.total !== undefined) {
      successes = readCounts(successText, `${row}: ${columns.success}`);
      total = readCounts(record.fields[index.total].trim(), `${row}: ${columns.total}`);
      if (successes > total) throw new UsageError(`${row}: ${columns.success} (${successes}) is larger than ${columns.total} (${total})`);
    } else {
      if (successText !== '0' && successText !== '1') {
        throw new UsageError(`${row}: ${columns.success} must be 0 or 1 for one observation per row (use --total for counts), got '${successText}'`);
      }
      successes = successText === '1' ? 1 : 0;
      total = 1;
    }
    if (!this.variantOrder.includes(variant)) {
      if (this.variantOrder.length === 2) {
        throw new UsageError(`${row}: a third variant '${variant}' in ${columns.variant} (already '${this.variantOrder[0]}' and '${this.variantOrder[1]}'); compare two at a time`);
      }
      this.variantOrder.push(variant);
    }
    let byVariant = this.counts.get(segment);
    if (byVariant === undefined) this.counts.set(segment, (byVariant = new Map()));
    const cell = byVariant.get(variant);
    if (cell === undefined) byVariant.set(variant, { successes, total });
    else {
      cell.successes += successes;
      cell.total += total;
    }
  }

  /** The two variants (in order of first appearance) and each segment's counts for both. */
  value(): { variants: [string, string]; segments: SegmentCounts[] } {
    const { file, columns } = this;
    if (this.index === null) throw new UsageError(`${file} is empty`);
    if (this.rows === 0) throw new UsageError(`${file} has a header but no data rows`);
    if (this.variantOrder.length < 2) throw new UsageError(`${file}: ${columns.variant} holds only one variant ('${this.variantOrder[0]}'); need two`);
    const variants: [string, string] = [this.variantOrder[0], this.variantOrder[1]];
    const segments = [...this.counts].map(([segment, byVariant]) => {
      const cell = (variant: string) => {
        const found = byVariant.get(variant);
        if (found === undefined || found.total === 0) throw new UsageError(`${file}: segment '${segment}' has no traffic for variant '${variant}'`);
        return found;
      };
      return { name: segment, first: cell(variants[0]), second: cell(variants[1]) };
    });
    return { variants, segments };
  }
}

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
      { variant: { type: 'string' }, segment: { type: 'string' }, success: { type: 'string' }, total: { type: 'string' }, alpha: { type: 'string' } },
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
    const format = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
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
