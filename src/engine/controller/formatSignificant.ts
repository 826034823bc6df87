/**
 * Numbers in the controller's reason messages: 4 significant digits, built without
 * `toPrecision`.
 */

/** Powers of ten 10^0 … 10^22, all exact doubles. */
const powersOfTen = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * `value` to 4 significant digits, trailing zeros dropped: exactly the string
 * `String(Number(value.toPrecision(4)))` (e.g. 1.02 for 1.0203, 1235 for 1234.5, 0.0001234), with
 * ∞ for +Infinity and `String(value)` for −Infinity and NaN.
 *
 * Why not that expression: `reason` messages are built on every check, and the simulator runs
 * about half a million checks per second; `toPrecision` plus re-parsing and printing was about a
 * tenth of the windowed simulation's time. Here the 4-digit mantissa is Math.round(|v| / 10^(e−3))
 * with e = ⌊log₁₀|v|⌋, and the string is assembled from its digits. When |v| / 10^(e−3) is within
 * 1e-7 of a rounding tie (where the division's own rounding could decide the tie differently from
 * `toPrecision`, which rounds the exact binary value), and outside 1e-6 ≤ |v| < 1e20 (near 1e21
 * `String` switches to exponential notation), the original expression is used. Equality with it
 * is tested on half a million random values and on ties (formatSignificant.test.ts). Cost: a log10, a division, and a
 * few short string operations.
 */
export function fourSignificantDigits(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '∞' : String(value);
  if (value === 0) return '0';
  const magnitude = value < 0 ? -value : value;
  if (magnitude < 1e-6 || magnitude >= 1e20) return String(Number(value.toPrecision(4)));
  let exponent = Math.floor(Math.log10(magnitude));
  // log10 may be off by one next to a power of ten.
  if (magnitude >= (exponent + 1 >= 0 ? powersOfTen[exponent + 1] : 1 / powersOfTen[-exponent - 1])) exponent += 1;
  else if (magnitude < (exponent >= 0 ? powersOfTen[exponent] : 1 / powersOfTen[-exponent])) exponent -= 1;
  const shift = exponent - 3;
  const scaled = shift >= 0 ? magnitude / powersOfTen[shift] : magnitude * powersOfTen[-shift];
  const fraction = scaled - Math.floor(scaled);
  if (Math.abs(fraction - 0.5) < 1e-7) return String(Number(value.toPrecision(4)));
  let mantissa = Math.round(scaled);
  if (mantissa === 10000) {
    mantissa = 1000;
    exponent += 1;
  }
  const digits = String(mantissa);
  const sign = value < 0 ? '-' : '';
  if (exponent >= 3) return sign + digits + '0'.repeat(exponent - 3);
  let end = 4;
  while (end > 1 && digits.charCodeAt(end - 1) === 48 /* '0' */ && end > exponent + 1) end -= 1;
  if (exponent >= 0) {
    const whole = digits.slice(0, exponent + 1);
    return end > exponent + 1 ? `${sign}${whole}.${digits.slice(exponent + 1, end)}` : sign + whole;
  }
  return `${sign}0.${'0'.repeat(-exponent - 1)}${digits.slice(0, end)}`;
}
