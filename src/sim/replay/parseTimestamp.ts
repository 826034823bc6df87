/**
 * Reading one timestamp from a log field, in the formats request logs actually use, as
 * milliseconds since the Unix epoch (UTC).
 */

/** How a timestamp was written (reported, so that a surprising detection is visible). */
export type TimestampKind = 'iso' | 'apache' | 'epochSeconds' | 'epochMilliseconds' | 'epochMicroseconds' | 'epochNanoseconds';

/** A parsed timestamp: epoch milliseconds (fractional below 1 ms is kept) and how it was written. */
export interface ParsedTimestamp {
  epochMilliseconds: number;
  kind: TimestampKind;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/;
const APACHE = /^\[?(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\s+([+-]\d{4}))?\]?$/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * Epoch numbers are told apart by magnitude — a number below 10¹¹ is seconds (10¹¹ s is the
 * year 5138), below 10¹⁴ milliseconds (10¹¹ ms is March 1973), below 10¹⁷ microseconds, else
 * nanoseconds. So a log of epoch milliseconds from before 1973 would be misread; the report
 * lists the kinds detected so that this cannot pass unnoticed.
 */
export const EPOCH_SECONDS_BELOW = 1e11;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Days from 1970-01-01 to a proleptic Gregorian date: Howard Hinnant's `days_from_civil`
 * ("chrono-Compatible Low-Level Date Algorithms", 2013). Pure arithmetic, no Date object —
 * it runs once per log row.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function fromParts(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  fractionMilliseconds: number,
  offsetMinutes: number,
): number {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return NaN;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1])) return NaN;
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60;
  return seconds * 1000 + fractionMilliseconds;
}

/** Two decimal digits at `at`, or NaN. */
function digits2(text: string, at: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}

/**
 * The common layouts `YYYY-MM-DDTHH:MM:SS[.fff…][Z]` (T or space) read by character codes —
 * several times faster than the general regular expression; undefined for anything else.
 */
function fastIso(text: string): number | undefined {
  const n = text.length;
  if (n < 19 || text[4] !== '-' || text[7] !== '-' || (text[10] !== 'T' && text[10] !== ' ') || text[13] !== ':' || text[16] !== ':') {
    return undefined;
  }
  // No array per call: this runs once per row, and garbage collection dominates large imports.
  const year = digits2(text, 0) * 100 + digits2(text, 2);
  const month = digits2(text, 5);
  const day = digits2(text, 8);
  const hour = digits2(text, 11);
  const minute = digits2(text, 14);
  const second = digits2(text, 17);
  if (Number.isNaN(year + month + day + hour + minute + second)) return undefined;
  let at = 19;
  let fraction = 0;
  if (at < n && (text[at] === '.' || text[at] === ',')) {
    at++;
    let scale = 100;
    const begin = at;
    while (at < n) {
      const digit = text.charCodeAt(at) - 48;
      if (digit < 0 || digit > 9) break;
      // Whole milliseconds exactly; digits beyond the third as a fraction of a millisecond.
      fraction += digit * scale;
      scale /= 10;
      at++;
    }
    if (at === begin) return undefined;
    if (at - begin > 3) fraction = Math.trunc(fraction) + Number(`0.${text.slice(begin + 3, at)}`);
  }
  if (at < n && (text[at] === 'Z' || text[at] === 'z')) at++;
  if (at !== n) return undefined;
  return fromParts(year, month, day, hour, minute, second, fraction, 0);
}

function zoneOffsetMinutes(zone: string | undefined): number {
  if (zone === undefined || /^(z|utc|gmt)$/i.test(zone)) return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes);
}

/**
 * Parses a timestamp (already trimmed, non-empty); undefined when it is not one. Accepted:
 * - ISO-8601 / RFC 3339 date-times `2024-03-05T14:07:09.123Z`, with `T` or a space, optional
 *   seconds and fraction (any number of digits, `.` or `,`), and a zone `Z`, `UTC`, `±hh`,
 *   `±hhmm` or `±hh:mm`; **without a zone the time is read as UTC** (servers log in UTC; the
 *   browser's local zone must not change results); a bare date is midnight UTC;
 * - Apache/NCSA common-log times `05/Mar/2024:14:07:09 +0000`, brackets optional;
 * - epoch numbers in seconds, milliseconds, microseconds or nanoseconds, told apart by
 *   magnitude (see `EPOCH_SECONDS_BELOW`), fractions allowed.
 * Impossible dates (31 April, hour 24) are rejected. O(length).
 */
export function parseTimestamp(text: string): ParsedTimestamp | undefined {
  const reader = new TimestampReader();
  const epochMilliseconds = reader.read(text);
  return Number.isNaN(epochMilliseconds) ? undefined : { epochMilliseconds, kind: reader.kind };
}

/**
 * The allocation-free twin of `parseTimestamp` for the per-row loop: `read` returns epoch
 * milliseconds (NaN when the text is not a timestamp) and leaves the format in `kind`.
 */
export class TimestampReader {
  /** How the last successfully read timestamp was written. */
  kind: TimestampKind = 'iso';

  read(text: string): number {
    const fast = fastIso(text);
    if (fast !== undefined) {
      this.kind = 'iso';
      return fast;
    }
    if (NUMBER.test(text)) {
      const value = Number(text);
      const size = Math.abs(value);
      if (size < EPOCH_SECONDS_BELOW) {
        this.kind = 'epochSeconds';
        return value * 1000;
      }
      if (size < 1e14) {
        this.kind = 'epochMilliseconds';
        return value;
      }
      if (size < 1e17) {
        this.kind = 'epochMicroseconds';
        return value / 1000;
      }
      this.kind = 'epochNanoseconds';
      return value / 1e6;
    }
    const iso = ISO.exec(text);
    if (iso) {
      // Whole milliseconds exactly (Number('0.107') * 1000 is 107.00000000000001), the rest as a fraction.
      const digits = iso[7] ?? '';
      const fraction = Number(digits.slice(0, 3).padEnd(3, '0')) + (digits.length > 3 ? Number(`0.${digits.slice(3)}`) : 0);
      this.kind = 'iso';
      return fromParts(
        Number(iso[1]),
        Number(iso[2]),
        Number(iso[3]),
        Number(iso[4] ?? 0),
        Number(iso[5] ?? 0),
        Number(iso[6] ?? 0),
        fraction,
        zoneOffsetMinutes(iso[8]),
      );
    }
    const apache = APACHE.exec(text);
    if (apache) {
      const month = MONTHS.indexOf(apache[2].toLowerCase()) + 1;
      if (month === 0) return NaN;
      this.kind = 'apache';
      return fromParts(
        Number(apache[3]),
        month,
        Number(apache[1]),
        Number(apache[4]),
        Number(apache[5]),
        Number(apache[6]),
        0,
        zoneOffsetMinutes(apache[7]),
      );
    }
    return NaN;
  }
}
