/** Reading one latency from a log field, as milliseconds. */

/** The unit a log's latency column is written in when a value carries no unit of its own. */
export type LatencyUnit = 'ms' | 's' | 'us';

/** Every accepted `--latency-unit`. */
export const LATENCY_UNITS: readonly LatencyUnit[] = ['ms', 's', 'us'];

/**
 * Milliseconds per unit, for the column unit and for suffixes written on a value; sub-millisecond
 * units are stored as negative divisors (−1000 means "divide by 1000"), because 350 / 1000 is
 * exactly the double 0.35 while 350 × 0.001 is not.
 */
const MILLISECONDS_PER: Record<string, number> = {
  ns: -1e6,
  us: -1e3,
  µs: -1e3,
  μs: -1e3,
  ms: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
};

const LATENCY = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([a-zA-Zµμ]*)$/;

/**
 * Parses a latency (already trimmed, non-empty) as milliseconds; NaN when it is not a number.
 * A bare number is in `unit` (`1` with unit `s` is 1000 ms — whole-second latencies are legal);
 * a value may carry its own unit suffix, which wins: `250ms`, `1.2s`, `350us`, `350µs`, `2 min`.
 * Negative values are returned as they are (the caller rejects them with their own reason).
 * O(length).
 */
export function parseLatency(text: string, unit: LatencyUnit): number {
  const match = LATENCY.exec(text);
  if (!match) return NaN;
  const suffix = match[2].toLowerCase();
  const factor = suffix === '' ? MILLISECONDS_PER[unit] : MILLISECONDS_PER[suffix];
  if (factor === undefined) return NaN;
  const value = Number(match[1]);
  return factor < 0 ? value / -factor : value * factor;
}
