// The one formatter (src/engine/text/format.ts). Expected strings are the forms the former
// copies printed (issue 13), worked out by hand from their definitions; where two copies
// disagreed, the test pins the behaviour chosen (noted at the case).
import { describe, expect, it } from 'vitest';
import {
  formatCount,
  formatDuration,
  formatElapsed,
  formatHours,
  formatInterval,
  formatMinutes,
  formatNumber,
  formatPercent,
  formatPercentSignificant,
  formatPoints,
  formatPValue,
  formatRateEstimate,
  formatRateWithCounts,
} from '../../../src/engine/text/format.ts';

describe('numbers and percents', () => {
  it('writes significant digits, scientific below 1e-4', () => {
    expect(formatNumber(0.041234)).toBe('0.04123');
    expect(formatNumber(1234567)).toBe('1235000');
    expect(formatNumber(0.000041234)).toBe('4.12e-5');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(formatNumber(2 / 3, 3)).toBe('0.667');
  });
  it('writes percents with fixed decimals (the views, the engine messages, compare)', () => {
    expect(formatPercent(0.1234)).toBe('12.3%');
    expect(formatPercent(0.12345, 2)).toBe('12.35%');
    expect(formatPercent(1)).toBe('100.0%');
    expect(formatPercent(0.5, 0)).toBe('50%');
  });
  it('writes percents with significant digits (size, tune, the replay regression)', () => {
    expect(formatPercentSignificant(0.04567)).toBe('4.567%');
    expect(formatPercentSignificant(0.25)).toBe('25%');
    expect(formatPercentSignificant(0.123456, 3)).toBe('12.3%');
    // Chosen: the tuner's `Number(toPrecision)` form (its messages are in seeded --json), for size too.
    expect(formatPercentSignificant(3e-7, 3)).toBe('0.00003%');
    expect(formatPercentSignificant(1.2e-18, 3)).toBe('1.2e-16%');
  });
  it('writes points, counts, p-values and intervals', () => {
    expect(formatPoints(0.02)).toBe('+2.0 points');
    expect(formatPoints(-0.013)).toBe('−1.3 points');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatPValue(0.012345)).toBe('0.0123');
    expect(formatPValue(0.00002)).toBe('< 0.0001');
    expect(formatInterval({ lower: 0.102, upper: 0.131 })).toBe('[10.2%, 13.1%]');
    expect(formatInterval({ lower: 1, upper: 2 }, (x) => `${x} h`)).toBe('[1 h, 2 h]');
  });
});

describe('rates with their intervals', () => {
  const rate = { rate: 0.0412, lower: 0.0301, upper: 0.05612, count: 41, total: 995 };
  it('for a sentence or a cell', () => {
    expect(formatRateEstimate(rate)).toBe('4.1% [3.0%, 5.6%]');
    expect(formatRateEstimate({ rate: null, lower: null, upper: null })).toBe('—');
    expect(formatRateEstimate({ rate: null, lower: null, upper: null }, 'no data')).toBe('no data');
  });
  it('for aligned text, with the counts', () => {
    expect(formatRateWithCounts(rate)).toBe('0.0412  (95% CI 0.0301–0.05612; 41 of 995)');
    expect(formatRateWithCounts({ rate: null, lower: null, upper: null, count: 0, total: 0 })).toBe('—  (no replicate to count it over)');
  });
});

describe('durations', () => {
  it('as policies write them, which durationSeconds reads back', () => {
    expect(formatDuration(86400)).toBe('24h');
    expect(formatDuration(90)).toBe('1m30s');
    expect(formatDuration(5400)).toBe('1h30m');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(1.5)).toBe('1.5s');
  });
  it("elapsed times rounded to the second, in the same form (chosen over the CLI's former days: 1d4h)", () => {
    expect(formatElapsed(100_800)).toBe('28h');
    expect(formatElapsed(7500)).toBe('2h5m');
    expect(formatElapsed(149.6)).toBe('2m30s');
    expect(formatElapsed(0.4)).toBe('0s');
    expect(formatElapsed(null)).toBe('—');
  });
  it('as decimal hours and minutes with significant digits', () => {
    expect(formatHours(5400)).toBe('1.5 h');
    expect(formatHours(900)).toBe('0.25 h');
    expect(formatHours(2_419_200)).toBe('672 h');
    expect(formatHours(4000, 4)).toBe('1.111 h');
    expect(formatMinutes(90)).toBe('1.5 min');
    expect(formatMinutes(7200)).toBe('120 min');
  });
});
