/**
 * Reads per-segment A/B counts from CSV text (pasted or uploaded): one row per segment and
 * variant, with a header naming the columns. Pure; errors are `RangeError`s naming the line
 * and the column.
 */
import type { SegmentCounts } from '../../engine/analysis/segments.ts';

/** The counts a CSV holds, ready for `analyzeSegments`. */
export interface SegmentsTable {
  /** The two variants, in order of first appearance. */
  variants: [string, string];
  segments: SegmentCounts[];
}

/** Accepted header names for each column (case-insensitive), the first being the documented one. */
export const segmentColumns = {
  segment: ['segment', 'stone_size', 'stratum'],
  variant: ['variant', 'treatment', 'arm', 'group'],
  successes: ['successes', 'success', 'conversions'],
  total: ['total', 'trials', 'users', 'n'],
} as const;

/** Splits one CSV line into fields (RFC 4180 quoting: "a, b" and "" inside quotes). */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      fields.push(field.trim());
      field = '';
    } else field += char;
  }
  fields.push(field.trim());
  return fields;
}

/**
 * Parses CSV with columns segment, variant, successes, total (synonyms in `segmentColumns`, so
 * the kidney-stone file `treatment,…,stone_size,successes,total` reads as is; other columns are
 * ignored). Requires exactly two variants, each present once in every segment, and whole-number
 * counts with 0 ≤ successes ≤ total, total > 0.
 */
export function parseSegmentsCsv(text: string): SegmentsTable {
  const lines = text
    .split(/\r?\n/)
    .map((line, index) => ({ line, number: index + 1 }))
    .filter(({ line }) => line.trim() !== '');
  if (lines.length < 2) throw new RangeError('the CSV needs a header line and at least one row of counts');
  const header = splitCsvLine(lines[0].line).map((name) => name.toLowerCase());
  const column = (key: keyof typeof segmentColumns): number => {
    const index = header.findIndex((name) => (segmentColumns[key] as readonly string[]).includes(name));
    if (index === -1) {
      throw new RangeError(`the header has no '${segmentColumns[key][0]}' column (found: ${header.join(', ')})`);
    }
    return index;
  };
  const columns = { segment: column('segment'), variant: column('variant'), successes: column('successes'), total: column('total') };

  const variants: string[] = [];
  const counts = new Map<string, Map<string, { successes: number; total: number }>>();
  for (const { line, number } of lines.slice(1)) {
    const fields = splitCsvLine(line);
    const cell = (key: keyof typeof columns): string => {
      const value = fields[columns[key]];
      if (value === undefined || value === '') throw new RangeError(`line ${number}: the ${key} column is empty`);
      return value;
    };
    const count = (key: 'successes' | 'total'): number => {
      const value = Number(cell(key));
      if (!(Number.isInteger(value) && value >= 0)) {
        throw new RangeError(`line ${number}: ${key} must be a whole number ≥ 0, got '${cell(key)}'`);
      }
      return value;
    };
    const segment = cell('segment');
    const variant = cell('variant');
    const successes = count('successes');
    const total = count('total');
    if (total === 0) throw new RangeError(`line ${number}: total must be positive`);
    if (successes > total) throw new RangeError(`line ${number}: successes (${successes}) exceed total (${total})`);
    if (!variants.includes(variant)) {
      if (variants.length === 2) {
        throw new RangeError(`line ${number}: a third variant '${variant}' — compare exactly two (${variants.join(', ')})`);
      }
      variants.push(variant);
    }
    const bySegment = counts.get(segment) ?? new Map();
    if (bySegment.has(variant)) throw new RangeError(`line ${number}: segment '${segment}' lists variant '${variant}' twice`);
    bySegment.set(variant, { successes, total });
    counts.set(segment, bySegment);
  }
  if (variants.length < 2) throw new RangeError(`the CSV holds one variant ('${variants[0]}'): two are needed`);
  const segments: SegmentCounts[] = [];
  for (const [name, bySegment] of counts) {
    const first = bySegment.get(variants[0]);
    const second = bySegment.get(variants[1]);
    if (!first || !second) {
      throw new RangeError(`segment '${name}' has no row for variant '${first ? variants[1] : variants[0]}'`);
    }
    segments.push({ name, first, second });
  }
  return { variants: [variants[0], variants[1]], segments };
}
