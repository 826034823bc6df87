/**
 * How a code cell's value is shown: as a figure, a table, a list of named fields, or one line of
 * text. Pure (no DOM), so the rules are unit-tested in Node; `<rl-notebook-view>` renders the
 * description.
 */
import type { PlotOptions } from '@observablehq/plot';
import { isFigure, isTable } from '../../../notebooks/notebook.ts';

/** What to draw for a value. */
export type ValueView =
  | { kind: 'figure'; figure: PlotOptions; caption: string }
  | { kind: 'table'; columns: string[]; rows: string[][]; caption: string | null; numeric: boolean[] }
  | { kind: 'fields'; fields: { name: string; text: string; numeric: boolean }[] }
  | { kind: 'text'; text: string; numeric: boolean };

/** Rows shown at most in a table (the rest are counted in the caption). */
export const MAX_TABLE_ROWS = 200;
/** Characters of a nested value shown at most in a field. */
export const MAX_TEXT = 240;

const numberFormat = new Intl.NumberFormat('en', { maximumSignificantDigits: 6 });
const integerFormat = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

/** A number for people: integers with separators, others to 6 significant digits, tiny/huge in exponent form. */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return integerFormat.format(value);
  const size = Math.abs(value);
  if (size !== 0 && (size < 1e-4 || size >= 1e15)) return value.toExponential(4);
  return numberFormat.format(value);
}

function isTypedArray(value: unknown): value is ArrayLike<number> & { constructor: { name: string } } {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function truncate(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

/** One line of text for any value: numbers formatted, typed arrays and functions summarised. */
export function formatScalar(value: unknown): string {
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return truncate(value);
  if (typeof value === 'boolean' || value === null || value === undefined || typeof value === 'bigint') return String(value);
  if (typeof value === 'function')
    return `ƒ ${value.name || 'function'}(${value.length === 0 ? '' : `${value.length} argument${value.length === 1 ? '' : 's'}`})`;
  if (isTypedArray(value)) return `${value.constructor.name}(${value.length})`;
  if (Array.isArray(value) && value.every((item) => typeof item === 'number') && value.length <= 12) {
    return `[${value.map((item) => formatNumber(item)).join(', ')}]`;
  }
  try {
    const text = JSON.stringify(value, (_, nested: unknown) =>
      isTypedArray(nested)
        ? `${nested.constructor.name}(${nested.length})`
        : typeof nested === 'number' && !Number.isInteger(nested)
          ? Number(nested.toPrecision(6))
          : nested,
    );
    return truncate(text ?? String(value));
  } catch {
    return truncate(String(value));
  }
}

function tableView(rows: readonly Record<string, unknown>[], columns: readonly string[] | undefined, caption: string | null): ValueView {
  const keys = columns ? [...columns] : [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const shown = rows.slice(0, MAX_TABLE_ROWS);
  const more = rows.length - shown.length;
  return {
    kind: 'table',
    columns: keys,
    rows: shown.map((row) => keys.map((key) => formatScalar(row[key]))),
    caption: more > 0 ? `${caption ? `${caption} ` : ''}(first ${shown.length} of ${rows.length} rows)` : caption,
    numeric: keys.map((key) => shown.every((row) => typeof row[key] === 'number' || row[key] === null || row[key] === undefined)),
  };
}

/**
 * The view of a cell's value: a `Figure` → figure; a `Table`, or an array of plain objects →
 * table; a plain object → its fields; anything else → one line of text.
 */
export function describeValue(value: unknown): ValueView {
  if (isFigure(value)) return { kind: 'figure', figure: value.figure, caption: value.caption };
  if (isTable(value)) return tableView(value.table, value.columns, value.caption ?? null);
  if (Array.isArray(value) && value.length > 0 && value.every(isPlainRecord)) return tableView(value, undefined, null);
  if (isPlainRecord(value) || (typeof value === 'object' && value !== null && !Array.isArray(value) && !isTypedArray(value))) {
    const entries = Object.entries(value as Record<string, unknown>);
    return {
      kind: 'fields',
      fields: entries.map(([name, field]) => ({ name, text: formatScalar(field), numeric: typeof field === 'number' })),
    };
  }
  return { kind: 'text', text: formatScalar(value), numeric: typeof value === 'number' };
}
