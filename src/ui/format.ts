/** Number formats shared by the views (English locale, so tests and screenshots are stable). */

/** 0.1234 → "12.3%". */
export function formatPercent(value: number, digits = 1): string {
  return `${(100 * value).toFixed(digits)}%`;
}

/** 0.02 → "+2.0 points" (a difference of rates, in percentage points). */
export function formatPoints(value: number, digits = 1): string {
  return `${value >= 0 ? '+' : '−'}${Math.abs(100 * value).toFixed(digits)} points`;
}

/** 12345 → "12,345". */
export function formatCount(value: number): string {
  return value.toLocaleString('en');
}

/** A p-value: "0.0123", or "< 0.0001". */
export function formatPValue(value: number): string {
  return value < 1e-4 ? '< 0.0001' : value.toFixed(4);
}

/** An interval of rates: "[10.2%, 13.1%]". */
export function formatInterval(interval: { lower: number; upper: number }, format: (x: number) => string = formatPercent): string {
  return `[${format(interval.lower)}, ${format(interval.upper)}]`;
}
