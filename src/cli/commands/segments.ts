/**
 * `rollout-lab segments FILE.csv`: per-segment A/B results from a CSV, the aggregate, Simpson's
 * paradox detection and a per-segment routing recommendation.
 *
 * Each CSV row is either one observation (`--success` column 0 or 1, no `--total`) or an
 * aggregate (`--success` a count and `--total` a count, per variant × segment; rows for the same
 * pair are summed). The CSV is parsed here (RFC 4180: comma-separated, fields optionally quoted
 * with `"`, `""` for a quote inside, CRLF or LF line ends).
 */
import { readFileSync } from 'node:fs';
import { UsageError, numberOption, parseCommandArgs, stringOption } from '../args.ts';
import { formatNumber, writeJson, type CliIo, type Command } from '../io.ts';
import { analyzeSegments, type SegmentCounts, type VariantComparison } from '../../engine/analysis/segments.ts';

/** One parsed CSV record with the number of the line it started on. */
interface CsvRecord {
  fields: string[];
  line: number;
}

/** Parses RFC 4180 CSV text into records; blank lines are skipped. Throws UsageError on an unclosed quote. */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let fieldStarted = false;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '' && !fieldStarted)) records.push({ fields, line: recordLine });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // drop a byte-order mark
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (quoted) {
      if (c === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      fieldStarted = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && input[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) throw new UsageError(`unclosed quote in the record starting on line ${recordLine}`);
  if (field !== '' || fields.length > 0 || fieldStarted) endRecord();
  return records;
}

function readCounts(text: string, label: string): number {
  const value = text.trim() === '' ? NaN : Number(text);
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`${label} must be a whole number ≥ 0, got '${text}'`);
  return value;
}

/** Reads the CSV into per-segment counts of the two variants (in order of first appearance). */
function segmentsFromCsv(
  text: string,
  file: string,
  columns: { variant: string; segment: string; success: string; total?: string },
): { variants: [string, string]; segments: SegmentCounts[] } {
  const records = parseCsv(text);
  if (records.length === 0) throw new UsageError(`${file} is empty`);
  const header = records[0].fields.map((name) => name.trim());
  const index: Record<string, number> = {};
  const missing: string[] = [];
  for (const [option, name] of Object.entries(columns)) {
    if (name === undefined) continue;
    const at = header.indexOf(name);
    if (at < 0) missing.push(`'${name}' (--${option})`);
    index[option] = at;
  }
  if (missing.length > 0) {
    throw new UsageError(`unknown column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} in ${file}; its columns are ${header.join(', ')}`);
  }
  if (records.length === 1) throw new UsageError(`${file} has a header but no data rows`);
  const aggregate = columns.total !== undefined;
  const variantOrder: string[] = [];
  const segmentOrder: string[] = [];
  const counts = new Map<string, { successes: number; total: number }>();
  for (const record of records.slice(1)) {
    const row = `${file} row ${record.line}`;
    if (record.fields.length !== header.length) {
      throw new UsageError(`${row} has ${record.fields.length} fields, the header has ${header.length}`);
    }
    const variant = record.fields[index.variant].trim();
    const segment = record.fields[index.segment].trim();
    if (variant === '') throw new UsageError(`${row}: ${columns.variant} is empty`);
    if (segment === '') throw new UsageError(`${row}: ${columns.segment} is empty`);
    const successText = record.fields[index.success].trim();
    let successes: number;
    let total: number;
    if (aggregate) {
      successes = readCounts(successText, `${row}: ${columns.success}`);
      total = readCounts(record.fields[index.total].trim(), `${row}: ${columns.total}`);
      if (successes > total) throw new UsageError(`${row}: ${columns.success} (${successes}) is larger than ${columns.total} (${total})`);
    } else {
      if (successText !== '0' && successText !== '1') {
        throw new UsageError(`${row}: ${columns.success} must be 0 or 1 for one observation per row (use --total for counts), got '${successText}'`);
      }
      successes = Number(successText);
      total = 1;
    }
    if (!variantOrder.includes(variant)) {
      if (variantOrder.length === 2) {
        throw new UsageError(`${row}: a third variant '${variant}' in ${columns.variant} (already '${variantOrder[0]}' and '${variantOrder[1]}'); compare two at a time`);
      }
      variantOrder.push(variant);
    }
    if (!segmentOrder.includes(segment)) segmentOrder.push(segment);
    const key = JSON.stringify([variant, segment]);
    const cell = counts.get(key) ?? { successes: 0, total: 0 };
    cell.successes += successes;
    cell.total += total;
    counts.set(key, cell);
  }
  if (variantOrder.length < 2) throw new UsageError(`${file}: ${columns.variant} holds only one variant ('${variantOrder[0]}'); need two`);
  const variants: [string, string] = [variantOrder[0], variantOrder[1]];
  const segments = segmentOrder.map((segment) => {
    const cell = (variant: string) => {
      const found = counts.get(JSON.stringify([variant, segment]));
      if (found === undefined || found.total === 0) throw new UsageError(`${file}: segment '${segment}' has no traffic for variant '${variant}'`);
      return found;
    };
    return { name: segment, first: cell(variants[0]), second: cell(variants[1]) };
  });
  return { variants, segments };
}

function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

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
  run(argv: string[], io: CliIo): number {
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
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const { variants, segments } = segmentsFromCsv(text, file, columns);
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
      percent(share),
      `${percent(c.first.rate)} (${c.first.successes}/${c.first.total})`,
      `${percent(c.second.rate)} (${c.second.successes}/${c.second.total})`,
      `${signedPercent(c.difference)} [${signedPercent(c.differenceInterval.lower)}, ${signedPercent(c.differenceInterval.upper)}]`,
      formatNumber(c.pValue),
      c.winner ?? 'tie',
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
