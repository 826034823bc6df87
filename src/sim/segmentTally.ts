/**
 * Per-(segment, variant) success counts from the rows of a table, with the columns named by
 * the user — one rule for the CLI (`rollout-lab segments --variant COL --segment COL --success
 * COL [--total COL]`, fed record by record from a streamed CSV) and the app's Segments view (fed
 * from `readCsvTable`, src/sim/csvTable.ts, with the columns chosen in the view). Each row is
 * one observation (`success` 0 or 1, no `total`) or an aggregate (`success` and `total` counts;
 * rows of the same segment × variant are summed). Errors are `RangeError`s naming the file, the
 * row and the column. Pure.
 */
import type { SegmentCounts } from '../engine/analysis/segments.ts';

/** The columns of a segments table (their names in the header), by role. */
export interface SegmentColumns {
  variant: string;
  segment: string;
  success: string;
  /** Absent: one observation per row. */
  total?: string;
}

/** A whole-number count ≥ 0 from a cell, or a `RangeError` naming `label`. */
function readCounts(text: string, label: string): number {
  const value = text.trim() === '' ? NaN : Number(text);
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${label} must be a whole number ≥ 0, got '${text}'`);
  return value;
}

/**
 * Per-(segment, variant) success counts of a table, added up record by record as they are read
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

  /**
   * @param file what the rows are in messages (a file name, "the CSV")
   * @param columns which header column plays each role
   * @param roleName how messages name a role: the CLI's option (`--variant`, the default), the app's control
   */
  constructor(
    private readonly file: string,
    private readonly columns: SegmentColumns,
    private readonly roleName: (role: string) => string = (role) => `--${role}`,
  ) {}

  /** Folds one record in (the first one is the header): its fields and the row number to name in messages. O(1) per record. */
  add(record: { fields: string[]; line: number }): void {
    const { file, columns } = this;
    if (this.index === null) {
      this.header = record.fields.map((name) => name.trim());
      const index: Record<string, number> = {};
      const missing: string[] = [];
      for (const [option, name] of Object.entries(columns)) {
        if (name === undefined) continue;
        const at = this.header.indexOf(name);
        if (at < 0) missing.push(`'${name}' (${this.roleName(option)})`);
        index[option] = at;
      }
      if (missing.length > 0) {
        throw new RangeError(
          `unknown column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} in ${file}; its columns are ${this.header.join(', ')}`,
        );
      }
      this.index = index;
      return;
    }
    const index = this.index;
    this.rows++;
    const row = `${file} row ${record.line}`;
    if (record.fields.length !== this.header.length) {
      throw new RangeError(`${row} has ${record.fields.length} fields, the header has ${this.header.length}`);
    }
    const variant = record.fields[index.variant].trim();
    const segment = record.fields[index.segment].trim();
    if (variant === '') throw new RangeError(`${row}: ${columns.variant} is empty`);
    if (segment === '') throw new RangeError(`${row}: ${columns.segment} is empty`);
    const successText = record.fields[index.success].trim();
    let successes: number;
    let total: number;
    if (columns.total !== undefined) {
      successes = readCounts(successText, `${row}: ${columns.success}`);
      total = readCounts(record.fields[index.total].trim(), `${row}: ${columns.total}`);
      if (successes > total) throw new RangeError(`${row}: ${columns.success} (${successes}) is larger than ${columns.total} (${total})`);
    } else {
      if (successText !== '0' && successText !== '1') {
        throw new RangeError(
          `${row}: ${columns.success} must be 0 or 1 for one observation per row (use ${this.roleName('total')} for counts), got '${successText}'`,
        );
      }
      successes = successText === '1' ? 1 : 0;
      total = 1;
    }
    if (!this.variantOrder.includes(variant)) {
      if (this.variantOrder.length === 2) {
        throw new RangeError(
          `${row}: a third variant '${variant}' in ${columns.variant} (already '${this.variantOrder[0]}' and '${this.variantOrder[1]}'); compare two at a time`,
        );
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
    if (this.index === null) throw new RangeError(`${file} is empty`);
    if (this.rows === 0) throw new RangeError(`${file} has a header but no data rows`);
    if (this.variantOrder.length < 2)
      throw new RangeError(`${file}: ${columns.variant} holds only one variant ('${this.variantOrder[0]}'); need two`);
    const variants: [string, string] = [this.variantOrder[0], this.variantOrder[1]];
    const segments = [...this.counts].map(([segment, byVariant]) => {
      const cell = (variant: string) => {
        const found = byVariant.get(variant);
        if (found === undefined || found.total === 0)
          throw new RangeError(`${file}: segment '${segment}' has no traffic for variant '${variant}'`);
        return found;
      };
      return { name: segment, first: cell(variants[0]), second: cell(variants[1]) };
    });
    return { variants, segments };
  }
}
