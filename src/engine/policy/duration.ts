/**
 * Durations in policies: a number of seconds, or a string of number+unit parts
 * (`"90s"`, `"5m"`, `"24h"`, `"2d"`, `"1w"`, `"1h30m"`).
 */
import type { Duration } from './policy.ts';

const unitSeconds: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const wholePattern = /^(?:\d+(?:\.\d+)?[smhdw])+$/;
const partPattern = /(\d+(?:\.\d+)?)([smhdw])/g;

/**
 * Seconds in `value`, or `undefined` when it is not a valid duration (a negative or non-finite
 * number, or a string not matching `(<number><s|m|h|d|w>)+`). Cost O(length).
 */
export function durationSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!wholePattern.test(text)) return undefined;
  let seconds = 0;
  for (const match of text.matchAll(partPattern)) seconds += Number(match[1]) * unitSeconds[match[2]];
  return seconds;
}

/** Seconds in a duration, throwing a `RangeError` naming `label` when it is not valid. */
export function parseDuration(value: Duration, label = 'duration'): number {
  const seconds = durationSeconds(value);
  if (seconds === undefined) {
    throw new RangeError(`${label} must be seconds or a duration like "90s", "5m", "24h", got ${JSON.stringify(value)}`);
  }
  return seconds;
}

/** Formats seconds the short way people write them (86400 → `"24h"`): owned by the one formatter, src/engine/text/format.ts. */
export { formatDuration } from '../text/format.ts';
