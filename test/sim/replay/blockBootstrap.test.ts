import { describe, expect, it } from 'vitest';
import { streamFor } from '../../../src/engine/random/streams.ts';
import { blockBootstrapArrivals, defaultBlockMinutes } from '../../../src/sim/replay/blockBootstrap.ts';

const DAY = Date.UTC(2024, 2, 4);
const MINUTE = 60_000;

/** Per-minute counts of arrival times in seconds over `minutes` minutes. */
function perMinute(times: number[], minutes: number): number[] {
  const counts = new Array(minutes).fill(0);
  for (const t of times) counts[Math.floor(t / 60)]++;
  return counts;
}

function lag1Autocorrelation(series: number[]): number {
  const mean = series.reduce((a, b) => a + b, 0) / series.length;
  let numerator = 0;
  let denominator = 0;
  for (let i = 0; i < series.length; i++) {
    denominator += (series[i] - mean) ** 2;
    if (i > 0) numerator += (series[i] - mean) * (series[i - 1] - mean);
  }
  return numerator / denominator;
}

describe('defaultBlockMinutes', () => {
  it('is round(n^(1/3))', () => {
    expect(defaultBlockMinutes(1440)).toBe(11);
    expect(defaultBlockMinutes(7 * 1440)).toBe(22);
    expect(defaultBlockMinutes(1)).toBe(1);
  });
});

describe('blockBootstrapArrivals', () => {
  it('reproduces a one-day log exactly when only the same minute of the day may be drawn', () => {
    const random = streamFor(1, 0, 'test');
    const timestamps: number[] = [];
    for (let m = 0; m < 1440; m++) for (let k = 0; k < (m % 7) + 1; k++) timestamps.push(DAY + m * MINUTE + k * 1000 + 500);
    const result = blockBootstrapArrivals(timestamps, random, { blockMinutes: 1, localWindowMinutes: 0 });
    expect(result.period).toBe(86400);
    expect(result.times).toEqual(timestamps.map((t) => (t - DAY) / 1000));
  });

  it('aligns the output to midnight UTC and covers whole days', () => {
    // A 3-hour log from 10:00: one day of output, arrivals only where some block was drawn.
    const timestamps = Array.from({ length: 180 }, (_, m) => DAY + 10 * 3_600_000 + m * MINUTE);
    const result = blockBootstrapArrivals(timestamps, streamFor(2, 0, 'test'), { blockMinutes: 10 });
    expect(result.period).toBe(86400);
    // Every output minute draws a block from the log (plain bootstrap outside 09:00–14:00): 1 arrival a minute.
    expect(result.times).toHaveLength(1440);
    expect(result.times.every((t, i) => i === 0 || t >= result.times[i - 1])).toBe(true);
  });

  it('keeps bursts whole, the daily pattern and the autocorrelation of per-minute counts', () => {
    // Three days; 2/minute at night, 6/minute from 09:00 to 18:00, in regimes of 30 minutes
    // (rate ×2 or ×0.5) that make neighbouring minutes correlated, plus a 120-arrival burst at 13:07 each day.
    const source = streamFor(3, 0, 'source');
    const timestamps: number[] = [];
    for (let m = 0; m < 3 * 1440; m++) {
      const hour = Math.floor((m % 1440) / 60);
      const regime = Math.floor(m / 30) % 2 === 0 ? 2 : 0.5;
      const mean = (hour >= 9 && hour < 18 ? 6 : 2) * regime;
      const count = Math.round(mean * 2 * source());
      for (let k = 0; k < count; k++) timestamps.push(DAY + m * MINUTE + source() * MINUTE);
      if (m % 1440 === 13 * 60 + 7) for (let k = 0; k < 120; k++) timestamps.push(DAY + m * MINUTE + k * 100);
    }
    const inputCounts = perMinute(
      timestamps.map((t) => (t - DAY) / 1000),
      3 * 1440,
    );
    const result = blockBootstrapArrivals(timestamps, streamFor(3, 0, 'test'));
    expect(result.blockMinutes).toBe(16); // round(4320^(1/3))
    expect(result.period).toBe(3 * 86400);
    const counts = perMinute(result.times, 3 * 1440);
    // Bursts are copied whole: some minute holds at least the burst's 120 arrivals.
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(120);
    // Daily pattern: busy hours (10:00–17:00, away from the ±60-minute window's edges) hold about
    // 3× the night's rate, as in the log.
    const rate = (series: number[], from: number, to: number) => {
      let sum = 0;
      let n = 0;
      series.forEach((c, m) => {
        const hour = (m % 1440) / 60;
        if (hour >= from && hour < to) {
          sum += c;
          n++;
        }
      });
      return sum / n;
    };
    const inputRatio = rate(inputCounts, 10, 17) / rate(inputCounts, 0, 7);
    const outputRatio = rate(counts, 10, 17) / rate(counts, 0, 7);
    expect(inputRatio).toBeGreaterThan(2.5);
    expect(outputRatio / inputRatio).toBeGreaterThan(0.85);
    expect(outputRatio / inputRatio).toBeLessThan(1.15);
    // Autocorrelation: a block of 16 minutes keeps 15 of 16 neighbouring pairs, so lag-1
    // autocorrelation stays close to the log's (a minute-by-minute shuffle would keep only the
    // part explained by the daily pattern).
    const inputAutocorrelation = lag1Autocorrelation(inputCounts);
    const outputAutocorrelation = lag1Autocorrelation(counts);
    expect(inputAutocorrelation).toBeGreaterThan(0.4);
    expect(outputAutocorrelation).toBeGreaterThan(0.8 * inputAutocorrelation);
    // Total volume is preserved on average: within 10% here.
    expect(Math.abs(result.times.length / timestamps.length - 1)).toBeLessThan(0.1);
  });

  it('is reproducible from its random stream and checks its options', () => {
    const timestamps = Array.from({ length: 5000 }, (_, i) => DAY + i * 17_000);
    const a = blockBootstrapArrivals(timestamps, streamFor(9, 4, 'x'));
    const b = blockBootstrapArrivals(timestamps, streamFor(9, 4, 'x'));
    expect(a).toEqual(b);
    expect(() => blockBootstrapArrivals([], streamFor(1, 0))).toThrow('timestamps must hold at least one arrival');
    expect(() => blockBootstrapArrivals(timestamps, streamFor(1, 0), { blockMinutes: 0 })).toThrow('blockMinutes must be a whole number');
    expect(() => blockBootstrapArrivals(timestamps, streamFor(1, 0), { localWindowMinutes: 720 })).toThrow(
      'localWindowMinutes must be between',
    );
  });
});
