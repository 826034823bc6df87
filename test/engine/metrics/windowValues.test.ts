/**
 * Per-metric value sums in check windows (contracts C3): checked at the edge with messages naming
 * the field, and merged by adding the sums.
 */
import { describe, expect, it } from 'vitest';
import type { WindowMetrics } from '../../../src/engine/metrics/windowMetrics.ts';
import { mergeWindowMetrics, parseWindowMetrics } from '../../../src/engine/metrics/windowMetrics.ts';

const arm = (values: unknown) => ({ requests: 10, errors: 0, timeouts: 0, values });
const tokens = { count: 3, sumX: 6, sumY: 3, sumXSquares: 14, sumYSquares: 5, sumXY: 7 };

function problems(candidateValues: unknown): string[] {
  const result = parseWindowMetrics({ startTime: 0, duration: 300, control: arm({ tokens }), candidate: arm(candidateValues) });
  return result.ok ? [] : result.errors.map((error) => `${error.path}: ${error.message}`);
}

describe('ArmWindow.values', () => {
  it('accepts consistent sums and keeps them', () => {
    const result = parseWindowMetrics({ startTime: 0, duration: 300, control: arm({ tokens }), candidate: arm({ tokens }) });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.window.candidate?.values?.tokens).toEqual(tokens);
  });

  it('names the field and the reason for a negative count, a fractional count and a missing sum', () => {
    expect(problems({ tokens: { ...tokens, count: -1 } })).toEqual(['candidate.values.tokens.count: must be at least 0, got -1']);
    expect(problems({ tokens: { ...tokens, count: 2.5 } })).toEqual(['candidate.values.tokens.count: must be a whole number, got 2.5']);
    const { sumXY: _dropped, ...withoutCross } = tokens;
    expect(problems({ tokens: withoutCross })).toEqual(['candidate.values.tokens.sumXY: is required']);
  });

  it('refuses non-numbers and non-finite sums', () => {
    expect(problems({ tokens: { ...tokens, sumXY: 'seven' } })[0]).toMatch(
      /^candidate\.values\.tokens\.sumXY: must be a finite number, got/,
    );
    expect(problems({ tokens: { ...tokens, sumX: Number.POSITIVE_INFINITY } })[0]).toMatch(/^candidate\.values\.tokens\.sumX: /);
    expect(problems({ tokens: { ...tokens, sumX: Number.NaN } })[0]).toMatch(/^candidate\.values\.tokens\.sumX: /);
  });

  it('refuses sums of squares below sum²/count and non-zero sums over no units', () => {
    // Σx = 6 over 3 units: Σx² ≥ 36/3 = 12 (Cauchy–Schwarz).
    expect(problems({ tokens: { ...tokens, sumXSquares: 11 } })).toEqual([
      'candidate.values.tokens.sumXSquares: must be at least sumX²/count (12), got 11',
    ]);
    expect(problems({ tokens: { ...tokens, count: 0 } })[0]).toBe('candidate.values.tokens.sumX: must be 0 when count is 0, got 6');
  });

  it('merges windows by adding each metric’s sums per arm', () => {
    const window = (start: number, values: Record<string, typeof tokens>): WindowMetrics => ({
      startTime: start,
      duration: 300,
      control: { requests: 1, errors: 0, timeouts: 0, values },
      candidate: { requests: 1, errors: 0, timeouts: 0 },
    });
    const latency = { count: 1, sumX: 2, sumY: 0, sumXSquares: 4, sumYSquares: 0, sumXY: 0 };
    const merged = mergeWindowMetrics([window(0, { tokens }), window(300, { tokens, latency })]);
    expect(merged.control?.values).toEqual({
      tokens: { count: 6, sumX: 12, sumY: 6, sumXSquares: 28, sumYSquares: 10, sumXY: 14 },
      latency,
    });
    expect(merged.candidate?.values).toBeUndefined();
  });
});

describe('ArmWindow.valuesSince: cumulative values since a time', () => {
  it('is accepted with values, and named with its reason without them or when not a number', () => {
    const withSince = { requests: 10, errors: 0, timeouts: 0, values: { tokens }, valuesSince: 0 };
    const result = parseWindowMetrics({ startTime: 600, duration: 300, control: withSince, candidate: withSince });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.window.candidate?.valuesSince).toBe(0);
    const bad = parseWindowMetrics({
      startTime: 600,
      duration: 300,
      control: { requests: 10, errors: 0, timeouts: 0, valuesSince: 0 },
      candidate: { ...withSince, valuesSince: 'yesterday' },
    });
    expect(bad.ok ? [] : bad.errors.map((error) => `${error.path}: ${error.message}`)).toEqual([
      'control.valuesSince: is given only with values (it says since when the values are cumulative)',
      'candidate.valuesSince: must be a number of seconds, got "yesterday"',
    ]);
  });

  it('merges by letting a later window’s cumulative values replace the earlier ones (they contain them)', () => {
    const later = { count: 4, sumX: 9, sumY: 4, sumXSquares: 25, sumYSquares: 6, sumXY: 11 };
    const window = (start: number, values: Record<string, typeof tokens>): WindowMetrics => ({
      startTime: start,
      duration: 300,
      control: { requests: 1, errors: 0, timeouts: 0, values, valuesSince: 0 },
    });
    const merged = mergeWindowMetrics([window(0, { tokens }), window(300, { tokens: later })]);
    expect(merged.control?.values).toEqual({ tokens: later });
    expect(merged.control?.valuesSince).toBe(0);
    expect(merged.control?.requests).toBe(2);
  });
});
