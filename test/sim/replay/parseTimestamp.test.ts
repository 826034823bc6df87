import { describe, expect, it } from 'vitest';
import { parseLatency } from '../../../src/sim/replay/parseLatency.ts';
import { parseTimestamp } from '../../../src/sim/replay/parseTimestamp.ts';

// Expected epoch milliseconds from Python 3.11 datetime, e.g.
// int(datetime(2024,3,5,14,7,9,123000,tzinfo=timezone.utc).timestamp()*1000) = 1709647629123.
describe('parseTimestamp', () => {
  it('reads ISO-8601 with Z, a space instead of T, and no zone as UTC', () => {
    expect(parseTimestamp('2024-03-05T14:07:09.123Z')).toEqual({ epochMilliseconds: 1709647629123, kind: 'iso' });
    expect(parseTimestamp('2024-03-05 14:07:09.123')?.epochMilliseconds).toBe(1709647629123);
    expect(parseTimestamp('2024-03-05T14:07:09,123 UTC')?.epochMilliseconds).toBe(1709647629123);
  });
  it('applies zone offsets', () => {
    // datetime(2024,3,5,14,7,9,tzinfo=timezone(timedelta(hours=5,minutes=30))) → 1709627829000
    expect(parseTimestamp('2024-03-05T14:07:09+05:30')?.epochMilliseconds).toBe(1709627829000);
    expect(parseTimestamp('2024-03-05T14:07:09+0530')?.epochMilliseconds).toBe(1709627829000);
    // timezone(timedelta(hours=-7)) → 1709672829000
    expect(parseTimestamp('2024-03-05T14:07:09-07')?.epochMilliseconds).toBe(1709672829000);
  });
  it('keeps sub-millisecond fractions', () => {
    // datetime(2023,11,16,18,17,3,979960) in µs = 1700158623979960 (the Azure trace's format)
    expect(parseTimestamp('2023-11-16 18:17:03.9799600')?.epochMilliseconds).toBeCloseTo(1700158623979.96, 2);
  });
  it('reads bare dates, leap days and Apache log times; rejects impossible dates', () => {
    expect(parseTimestamp('2024-02-29')?.epochMilliseconds).toBe(1709164800000);
    expect(parseTimestamp('[05/Mar/2024:14:07:09 +0000]')).toEqual({ epochMilliseconds: 1709647629000, kind: 'apache' });
    expect(parseTimestamp('2023-02-29')).toBeUndefined();
    expect(parseTimestamp('2024-04-31T00:00:00Z')).toBeUndefined();
    expect(parseTimestamp('2024-03-05T24:00:00Z')).toBeUndefined();
    expect(parseTimestamp('2024-13-01')).toBeUndefined();
    expect(parseTimestamp('yesterday')).toBeUndefined();
    expect(parseTimestamp('N/A')).toBeUndefined();
  });
  it('detects epoch seconds, milliseconds, microseconds and nanoseconds by magnitude', () => {
    expect(parseTimestamp('1709647629')).toEqual({ epochMilliseconds: 1709647629000, kind: 'epochSeconds' });
    expect(parseTimestamp('1709647629.5')).toEqual({ epochMilliseconds: 1709647629500, kind: 'epochSeconds' });
    expect(parseTimestamp('1709647629123')).toEqual({ epochMilliseconds: 1709647629123, kind: 'epochMilliseconds' });
    expect(parseTimestamp('1709647629123456')).toEqual({ epochMilliseconds: 1709647629123.456, kind: 'epochMicroseconds' });
    expect(parseTimestamp('1709647629123456789')?.kind).toBe('epochNanoseconds');
    expect(parseTimestamp('1709647629123456789')?.epochMilliseconds).toBeCloseTo(1709647629123.4568, 3);
    // The boundary: 99 999 999 999 is seconds (year 5138), 100 000 000 000 milliseconds (1973).
    expect(parseTimestamp('99999999999')?.kind).toBe('epochSeconds');
    expect(parseTimestamp('100000000000')?.kind).toBe('epochMilliseconds');
  });
});

describe('parseLatency', () => {
  it('converts bare numbers in the column unit, whole seconds included', () => {
    expect(parseLatency('1', 's')).toBe(1000);
    expect(parseLatency('0.25', 's')).toBe(250);
    expect(parseLatency('250', 'ms')).toBe(250);
    expect(parseLatency('1500', 'us')).toBe(1.5);
    expect(parseLatency('1e3', 'ms')).toBe(1000);
  });
  it('lets a unit suffix on the value win', () => {
    expect(parseLatency('337ms', 's')).toBe(337);
    expect(parseLatency('1.2s', 'ms')).toBe(1200);
    expect(parseLatency('350 µs', 'ms')).toBe(0.35);
    expect(parseLatency('2 min', 'ms')).toBe(120000);
    expect(parseLatency('5 ns', 'ms')).toBe(5e-6);
  });
  it('returns NaN for what is not a latency, and negative values as they are', () => {
    expect(parseLatency('n/a', 'ms')).toBeNaN();
    expect(parseLatency('12 parsecs', 'ms')).toBeNaN();
    expect(parseLatency('1,5', 'ms')).toBeNaN();
    expect(parseLatency('-4', 'ms')).toBe(-4);
  });
});
