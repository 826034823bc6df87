import { describe, expect, it } from 'vitest';
import { streamFor } from '../../src/engine/random/streams.ts';
import { normalizedValue } from '../../src/engine/routing/bucketing.ts';
import type { Traffic } from '../../src/sim/scenario.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import { arrivalRate, expectedArrivals, exposedShare, replayArrivals, userPopulation, userSampler } from '../../src/sim/traffic.ts';
import { expectRelative } from '../helpers/close.ts';

function traffic(json: Record<string, unknown>): Traffic {
  const model = { latency: { kind: 'exponential', mean: 1 }, errorRate: 0 };
  const parsed = parseScenario({ version: 1, name: 't', traffic: json, control: model, candidate: model });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario.traffic;
}

describe('traffic', () => {
  const cycled = traffic({
    requestsPerSecond: 20,
    dailyCycle: { amplitude: 0.3, peakHour: 14 },
    bursts: [{ start: 7200, duration: 1800, multiplier: 3 }],
  });

  it('integrates the daily cycle and bursts exactly', () => {
    // scipy 1.10.1 integrate.quad of 20(1 + 0.3 cos(2π(t − 14 h)/86400))·(3 inside [7200, 9000))
    expectRelative(expectedArrivals(cycled, 6000, 9600), 100943.76415612854, 1e-10);
    expectRelative(expectedArrivals(cycled, 0, 86400), 1778461.6322012476, 1e-10);
    expect(arrivalRate(cycled, 14 * 3600)).toBeCloseTo(26, 12);
    expect(arrivalRate(cycled, 7300)).toBeCloseTo(60 * (1 + 0.3 * Math.cos((2 * Math.PI * (7300 - 50400)) / 86400)), 12);
  });

  it('replays arrival times, repeating the trace every period', () => {
    const times = [0, 0.5, 1.2, 2.9];
    const seen: number[] = [];
    expect(replayArrivals(times, 3, 0, 3)).toBe(4);
    expect(replayArrivals(times, 3, 1, 7, (t) => seen.push(t))).toBe(8);
    expect(seen).toEqual([1.2, 2.9, 3, 3.5, 4.2, 5.9, 6, 6.5]);
  });

  it("buckets users with the engine's Unleash bucketing and routes the exact share", () => {
    const uniform = traffic({ requestsPerSecond: 1, users: { count: 2000 } });
    const population = userPopulation(uniform, 'flag-x');
    let inside = 0;
    for (let i = 0; i < 2000; i++) {
      expect(population.buckets[i]).toBe(normalizedValue(`user-${i}`, 'flag-x'));
      if (population.buckets[i] <= 5) inside++;
    }
    expect(exposedShare(population, 0.05)).toBeCloseTo(inside / 2000, 14);
    expect(exposedShare(population, 0)).toBe(0);
    expect(exposedShare(population, 1)).toBe(1);
    // Monotone: a larger share only adds users.
    for (let b = 1; b <= 100; b++)
      expect(population.exposedShareByBucket[b]).toBeGreaterThanOrEqual(population.exposedShareByBucket[b - 1]);
  });

  it('draws Zipf users with the alias table (frequencies within Monte-Carlo error)', () => {
    const zipf = traffic({ requestsPerSecond: 1, users: { count: 50, zipfExponent: 1 } });
    const population = userPopulation(zipf, 'g');
    const draw = userSampler(population, streamFor('zipf', 0));
    const counts = new Float64Array(50);
    const n = 200_000;
    for (let i = 0; i < n; i++) counts[draw()]++;
    const harmonic = Array.from({ length: 50 }, (_, r) => 1 / (r + 1)).reduce((a, b) => a + b);
    for (const rank of [0, 1, 9, 49]) {
      const p = 1 / (rank + 1) / harmonic;
      expect(population.weights[rank]).toBeCloseTo(p, 14);
      expect(Math.abs(counts[rank] / n - p), `rank ${rank}`).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    }
  });
});
