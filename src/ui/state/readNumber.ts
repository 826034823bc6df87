/**
 * Reads a number typed in a form field, or throws a `RangeError` naming the field:
 * `readNumber('abc', 'baseline rate')` → "baseline rate must be a number, got 'abc'".
 * Empty text is not zero: it is reported as missing.
 */
export function readNumber(text: string, field: string): number {
  const trimmed = text.trim();
  if (trimmed === '') throw new RangeError(`${field} is missing: enter a number`);
  const value = Number(trimmed);
  if (!Number.isFinite(value)) throw new RangeError(`${field} must be a number, got '${text}'`);
  return value;
}

/** `readNumber` for counts: a whole number ≥ 0. */
export function readCount(text: string, field: string): number {
  const value = readNumber(text, field);
  if (!(Number.isInteger(value) && value >= 0)) throw new RangeError(`${field} must be a whole number ≥ 0, got ${text}`);
  return value;
}
