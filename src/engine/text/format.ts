/**
 * Numbers for people: the one formatter of durations, rates, intervals and percents, shared by
 * the engine's messages, the simulator's reports, the CLI's text and the app's views (issue 13:
 * before it there were seven duration formatters, four rate formatters and five `percent()`
 * helpers, some of which disagreed). Pure and locale-free (English forms, so tests, screenshots
 * and seeded outputs are stable): no DOM, no Node.
 *
 * Two families, chosen by what a reader compares:
 * - fixed decimals (`formatPercent(0.1234)` → `12.3%`) where numbers sit in a column or a
 *   sentence that compares them at one resolution;
 * - significant digits (`formatNumber`, `formatPercentSignificant`, `formatHours`) where the
 *   magnitude varies (a rate of 0.0004 or of 0.4).
 */

/** A rate estimate with its interval, as the simulator's summaries give it (null: no trial to count over). */
export interface RateWithInterval {
  rate: number | null;
  lower: number | null;
  upper: number | null;
}

/**
 * `value` to `digits` significant digits without trailing zeros (0.041234 → `0.04123`),
 * scientific with 3 digits below 1e-4 in magnitude (`4.12e-5`); non-finite values as
 * `String(value)`.
 */
export function formatNumber(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && Math.abs(value) < 1e-4) return value.toExponential(2);
  return Number(value.toPrecision(digits)).toString();
}

/** A share as a percent with fixed decimals: 0.1234 → `12.3%` (digits = 1). */
export function formatPercent(value: number, digits = 1): string {
  return `${(100 * value).toFixed(digits)}%`;
}

/**
 * A share as a percent with significant digits: 0.04567 → `4.567%`, 0.25 → `25%` (digits = 4);
 * never scientific except where `Number` prints so itself (below 1e-6 %: `1e-16%`, the rounding
 * residue of a Wilson bound of 0), as the tuner's seeded messages have always read.
 */
export function formatPercentSignificant(value: number, digits = 4): string {
  return `${Number((100 * value).toPrecision(digits))}%`;
}

/** A difference of shares in percentage points: 0.02 → `+2.0 points`, −0.013 → `−1.3 points`. */
export function formatPoints(value: number, digits = 1): string {
  return `${value >= 0 ? '+' : '−'}${Math.abs(100 * value).toFixed(digits)} points`;
}

/** A count with thousands separators: 12345 → `12,345`. */
export function formatCount(value: number): string {
  return value.toLocaleString('en');
}

/** A p-value: `0.0123` (4 decimals), or `< 0.0001`. */
export function formatPValue(value: number): string {
  return value < 1e-4 ? '< 0.0001' : value.toFixed(4);
}

/** An interval: `[10.2%, 13.1%]` (each end through `format`, percents with one decimal by default). */
export function formatInterval(interval: { lower: number; upper: number }, format: (x: number) => string = formatPercent): string {
  return `[${format(interval.lower)}, ${format(interval.upper)}]`;
}

/** A rate with its interval for a sentence or a table cell: `4.0% [1.6%, 9.8%]`, or `missing` when there was nothing to count. */
export function formatRateEstimate(rate: RateWithInterval, missing = '—'): string {
  if (rate.rate === null || rate.lower === null || rate.upper === null) return missing;
  return `${formatPercent(rate.rate)} ${formatInterval({ lower: rate.lower, upper: rate.upper })}`;
}

/**
 * A rate as a proportion with its 95% interval and counts, for aligned text reports:
 * `0.0412  (95% CI 0.0301–0.0561; 41 of 995)`, or `—  (no replicate to count it over)`.
 */
export function formatRateWithCounts(rate: RateWithInterval & { count: number; total: number }): string {
  if (rate.rate === null) return `—  (no replicate to count it over)`;
  return `${formatNumber(rate.rate)}  (95% CI ${formatNumber(rate.lower as number)}–${formatNumber(rate.upper as number)}; ${rate.count} of ${rate.total})`;
}

/**
 * Seconds the short way people write durations in a policy: 86400 → `24h`, 90 → `1m30s`,
 * 5400 → `1h30m`, 0 → `0s`, 1.5 → `1.5s` (fractions to the millisecond). The form
 * `durationSeconds` reads back, so a formatted duration round-trips; non-finite values as
 * `String(seconds)`.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  if (seconds === 0) return '0s';
  let rest = seconds;
  let text = '';
  for (const [unit, size] of [
    ['h', 3600],
    ['m', 60],
  ] as const) {
    const whole = Math.floor(rest / size);
    if (whole > 0) {
      text += `${whole}${unit}`;
      rest -= whole * size;
    }
  }
  if (rest > 0) text += `${Number(rest.toFixed(3))}s`;
  return text;
}

/**
 * An elapsed time (a detection time, a time to decide) rounded to the second and written as
 * policies write durations: 7500 → `2h5m`, 100800 → `28h`, 149.6 → `2m30s`, 0 → `0s`; `—`
 * when there is none (null). One form in the app and the CLI (the CLI used to write `1d4h`
 * past a day, the app `28h`).
 */
export function formatElapsed(seconds: number | null): string {
  return seconds === null ? '—' : formatDuration(Math.round(seconds));
}

/** Seconds as decimal hours with significant digits: 5400 → `1.5 h`, 900 → `0.25 h`, 2419200 → `672 h` (digits = 3). */
export function formatHours(seconds: number, digits = 3): string {
  return `${formatNumber(seconds / 3600, digits)} h`;
}

/** Seconds as decimal minutes with significant digits: 90 → `1.5 min` (digits = 4). */
export function formatMinutes(seconds: number, digits = 4): string {
  return `${formatNumber(seconds / 60, digits)} min`;
}
