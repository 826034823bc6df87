/**
 * The Segments view's CSV: read through the one tabular import path (`readCsvTable`,
 * src/sim/csvTable.ts — Arquero's `fromCSV`), with the column of each role (segment, variant,
 * successes, total) chosen by the user and guessed when not chosen, and the counts added up by
 * the same tally as `rollout-lab segments --variant COL --segment COL --success COL --total COL`
 * (src/sim/segmentTally.ts). So the UC Berkeley admissions CSV `dept,gender,admitted,applicants`
 * loads with segment = dept, variant = gender, successes = admitted, total = applicants.
 * Pure; errors are `RangeError`s naming the row and the column.
 */
import type { SegmentCounts } from '../../engine/analysis/segments.ts';
import { type CsvTable, readCsvTable } from '../../sim/csvTable.ts';
import { type SegmentColumns, SegmentTally } from '../../sim/segmentTally.ts';

/** The roles a column can play, in the order the view lists them. */
export const segmentRoles = ['segment', 'variant', 'success', 'total'] as const;
export type SegmentRole = (typeof segmentRoles)[number];

/** Names the view gives each role (in messages and on its controls). */
export const segmentRoleLabels: Record<SegmentRole, string> = {
  segment: 'Segment column',
  variant: 'Variant column',
  success: 'Successes column',
  total: 'Total column',
};

/** Header names recognised for each role (case-insensitive), used to guess the mapping. */
export const segmentColumnNames: Record<SegmentRole, readonly string[]> = {
  segment: ['segment', 'stone_size', 'stratum', 'dept', 'department'],
  variant: ['variant', 'treatment', 'arm', 'group', 'gender', 'sex'],
  success: ['successes', 'success', 'conversions', 'admitted'],
  total: ['total', 'trials', 'users', 'n', 'applicants'],
};

/** A role's column as the user chose it: a header name, '' to guess, or (total only) `none` for one observation per row. */
export type SegmentColumnChoice = Record<SegmentRole, string>;

/** `total` chosen as this: each row is one observation, `success` 0 or 1. */
export const noTotalColumn = '(none)';

/** The counts a CSV holds, ready for `analyzeSegments`, with the table and the columns used. */
export interface SegmentsTable {
  /** The two variants, in order of first appearance. */
  variants: [string, string];
  segments: SegmentCounts[];
  /** The header's columns, for the view's column controls. */
  header: string[];
  /** The column used for each role (`total` absent: one observation per row). */
  columns: SegmentColumns;
}

const isWholeNumber = (cell: string): boolean => /^\d+$/.test(cell);

/**
 * The column of each role when the user has not chosen one: a header name the role is known by
 * (`segmentColumnNames`), else by content — the numeric columns are successes and total (the one
 * with the smaller sum is successes) and, of the text columns, the one with exactly two values is
 * the variant and another the segment. A column already taken is not guessed twice; a role left
 * unresolved is `undefined`.
 */
export function guessSegmentColumns(table: CsvTable): Partial<Record<SegmentRole, string>> {
  const guess: Partial<Record<SegmentRole, string>> = {};
  const taken = new Set<string>();
  for (const role of segmentRoles) {
    const found = table.columns.find((column) => !taken.has(column) && segmentColumnNames[role].includes(column.toLowerCase()));
    if (found !== undefined) {
      guess[role] = found;
      taken.add(found);
    }
  }
  const free = table.columns.filter((column) => !taken.has(column));
  const numeric = free.filter((column) => table.rowCount > 0 && table.values(column).every(isWholeNumber));
  const sum = (column: string) => table.values(column).reduce((total, cell) => total + Number(cell), 0);
  const numbers = [...numeric].sort((a, b) => sum(a) - sum(b));
  if (guess.success === undefined && numbers.length > 0) {
    guess.success = numbers.shift() as string;
    taken.add(guess.success);
  }
  if (guess.total === undefined && numbers.length > 0) {
    guess.total = numbers.pop() as string;
    taken.add(guess.total);
  }
  const text = free.filter((column) => !taken.has(column) && !numeric.includes(column));
  if (guess.variant === undefined) {
    const two = text.find((column) => new Set(table.values(column)).size === 2);
    if (two !== undefined) {
      guess.variant = two;
      taken.add(two);
    }
  }
  if (guess.segment === undefined) {
    const other = text.find((column) => !taken.has(column));
    if (other !== undefined) guess.segment = other;
  }
  return guess;
}

/**
 * Parses CSV text into per-segment counts with the columns of `choice` (each '' guessed by
 * `guessSegmentColumns`; total `noTotalColumn` for one observation per row). Requires exactly
 * two variants, each present in every segment, and whole-number counts with successes ≤ total.
 */
export function parseSegmentsCsv(text: string, choice: Partial<SegmentColumnChoice> = {}): SegmentsTable {
  const table = readCsvTable(text, 'the CSV');
  if (table.rowCount === 0) throw new RangeError('the CSV needs a header line and at least one row of counts');
  const guess = guessSegmentColumns(table);
  const pick = (role: SegmentRole): string | undefined => {
    const chosen = choice[role] ?? '';
    if (chosen === '') return guess[role];
    if (role === 'total' && chosen === noTotalColumn) return undefined;
    if (!table.columns.includes(chosen))
      throw new RangeError(`${segmentRoleLabels[role]}: the CSV has no column '${chosen}' (its columns are ${table.columns.join(', ')})`);
    return chosen;
  };
  const columns: SegmentColumns = { segment: '', variant: '', success: '' };
  for (const role of ['segment', 'variant', 'success'] as const) {
    const column = pick(role);
    if (column === undefined)
      throw new RangeError(`choose the ${segmentRoleLabels[role].toLowerCase()}: no column of ${table.columns.join(', ')} looks like one`);
    columns[role] = column;
  }
  const total = pick('total');
  if (total !== undefined) columns.total = total;
  const tally = new SegmentTally('the CSV', columns, (role) => segmentRoleLabels[role as SegmentRole].toLowerCase());
  tally.add({ fields: table.columns, line: 1 });
  const values = table.columns.map((column) => table.values(column));
  for (let row = 0; row < table.rowCount; row++) tally.add({ fields: values.map((cells) => cells[row]), line: row + 2 });
  return { ...tally.value(), header: table.columns, columns };
}
