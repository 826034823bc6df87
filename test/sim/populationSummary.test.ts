import { describe, expect, it } from 'vitest';
import { normalizedValue } from '../../src/engine/routing/bucketing.ts';
import { weightGroupsBuilder } from '../../src/sim/populationSummary.ts';
import type { Traffic } from '../../src/sim/scenario.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import { expectedUsersServed, type UserPopulation, userPopulation } from '../../src/sim/traffic.ts';
import { expectRelative } from '../helpers/close.ts';

function traffic(count: number, zipfExponent: number): Traffic {
  const model = { latency: { kind: 'exponential', mean: 1 }, errorRate: 0 };
  const parsed = parseScenario({
    version: 1,
    name: 't',
    traffic: { requestsPerSecond: 1, users: { count, zipfExponent } },
    control: model,
    candidate: model,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.scenario.traffic;
}

/**
 * The population as it was built before the per-bucket summaries (per-user arrays, weights
 * divided in place), and the per-user sum the windowed `exposure()` and the exact evaluator's
 * `usersServed` computed — the reference the summaries must reproduce.
 */
function perUserReference(count: number, zipfExponent: number, group: string) {
  const buckets = new Uint8Array(count);
  const weights = new Float64Array(count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    buckets[i] = normalizedValue(`user-${i}`, group);
    const weight = (i + 1) ** -zipfExponent;
    weights[i] = weight;
    total += weight;
  }
  const exposedShareByBucket = new Float64Array(101);
  for (let i = 0; i < count; i++) {
    weights[i] /= total;
    exposedShareByBucket[buckets[i]] += weights[i];
  }
  for (let b = 1; b <= 100; b++) exposedShareByBucket[b] += exposedShareByBucket[b - 1];
  exposedShareByBucket[100] = 1;
  const usersServed = (exposureByBucket: Float64Array): number => {
    let users = 0;
    for (let u = 0; u < count; u++) {
      const volume = exposureByBucket[buckets[u]];
      if (volume > 0) users += -Math.expm1(-weights[u] * volume);
    }
    return users;
  };
  return { buckets, weights, exposedShareByBucket, usersServed };
}

/** E_b = Σ of the volumes of the levels ≥ b, as the simulators accumulate it. */
function exposure(levels: number[], volumes: number[]): Float64Array {
  const exposureByBucket = new Float64Array(101);
  for (let j = 0; j < levels.length; j++) for (let b = 1; b <= levels[j]; b++) exposureByBucket[b] += volumes[j];
  return exposureByBucket;
}

const scales = [1e-3, 1, 30, 1e3, 4e4, 1e6, 1e8, 1e11];

describe('population summary (expected users served without per-user arrays)', () => {
  for (const [count, zipfExponent] of [
    [20_000, 0.8],
    [20_000, 0.3],
    [5_000, 2],
    [3_000, 1],
    // The schema's largest exponent: ~600 runs, almost all weight in the first users.
    [20_000, 5],
  ] as const) {
    it(`Zipf ${zipfExponent}, ${count} users: equals the per-user sum within 1e-12 relative`, () => {
      const group = `summary-${count}-${zipfExponent}`;
      const reference = perUserReference(count, zipfExponent, group);
      const population = userPopulation(traffic(count, zipfExponent), group);
      // Built by streaming, without per-user arrays, yet bit-identical routing shares.
      expect(Array.from(population.exposedShareByBucket)).toEqual(Array.from(reference.exposedShareByBucket));
      let cases = 0;
      for (const scale of scales) {
        for (const [levels, volumes] of [
          [[1], [scale]],
          [[5], [scale]],
          [
            [5, 25, 100],
            [scale, 3.7 * scale, 0.01 * scale],
          ],
          [
            [10, 50],
            [0.2 * scale, scale],
          ],
        ] as const) {
          const exposureByBucket = exposure([...levels], [...volumes]);
          const expected = reference.usersServed(exposureByBucket);
          expectRelative(expectedUsersServed(population, exposureByBucket), expected, 1e-12);
          cases++;
        }
      }
      expect(cases).toBe(scales.length * 4);
      expect(expectedUsersServed(population, new Float64Array(101))).toBe(0);
      // Per-user arrays, when a mode does read them, are the ones built before (bit for bit).
      expect(Array.from(population.weights)).toEqual(Array.from(reference.weights));
      expect(Array.from(population.buckets)).toEqual(Array.from(reference.buckets));
    });
  }

  it('uniform users: the per-bucket closed form, unchanged', () => {
    const population: UserPopulation = userPopulation(traffic(4_000, 0), 'summary-uniform');
    expect(population.weightGroups).toBeNull();
    const exposureByBucket = exposure([5, 30], [250, 1200]);
    let users = 0;
    for (let b = 1; b <= 100; b++)
      if (exposureByBucket[b] > 0) users += population.usersByBucket[b] * -Math.expm1(-exposureByBucket[b] / 4_000);
    expect(expectedUsersServed(population, exposureByBucket)).toBe(users);
    // A user offered E requests among n equally likely users is served with probability 1 − e^(−E/n):
    // with E = 1e9 ≫ n everyone in the buckets ≤ 30 is served.
    let inside = 0;
    for (let b = 1; b <= 30; b++) inside += population.usersByBucket[b];
    expect(expectedUsersServed(population, exposure([30], [1e9]))).toBe(inside);
  });

  /**
   * The population summary as it was built before numberedIdBuckets (one `user-${i}` string per
   * user through the router's normalizedValue, then the same streaming passes): the reference the
   * string-free build must reproduce bit for bit, so that seeded outputs do not move.
   */
  function summaryFromIdStrings(count: number, zipfExponent: number, group: string) {
    const exposedShareByBucket = new Float64Array(101);
    const usersByBucket = new Float64Array(101);
    let total = 0;
    if (zipfExponent !== 0) for (let i = 0; i < count; i++) total += (i + 1) ** -zipfExponent;
    const builder = weightGroupsBuilder(count, zipfExponent);
    for (let i = 0; i < count; i++) {
      const bucket = normalizedValue(`user-${i}`, group);
      if (zipfExponent === 0) exposedShareByBucket[bucket] += 1 / count;
      else {
        const raw = (i + 1) ** -zipfExponent;
        builder.add(i, bucket, raw);
        exposedShareByBucket[bucket] += raw / total;
      }
      usersByBucket[bucket] += 1;
    }
    for (let b = 1; b <= 100; b++) exposedShareByBucket[b] += exposedShareByBucket[b - 1];
    exposedShareByBucket[100] = 1;
    return { exposedShareByBucket, usersByBucket, weightGroups: zipfExponent === 0 ? null : builder.finish(total) };
  }

  /** Indices where two arrays differ in any bit (Object.is: −0 ≠ 0, NaN = NaN), at most 5. */
  function differences(actual: ArrayLike<number>, expected: ArrayLike<number>): number[] {
    const found: number[] = [];
    if (actual.length !== expected.length) return [-1];
    for (let i = 0; i < actual.length && found.length < 5; i++) if (!Object.is(actual[i], expected[i])) found.push(i);
    return found;
  }

  for (const zipfExponent of [0.8, 0]) {
    it(`a million users (Zipf ${zipfExponent}): the string-free build equals the build over id strings bit for bit`, () => {
      const group = `summary-million-${zipfExponent}`;
      const expected = summaryFromIdStrings(1_000_000, zipfExponent, group);
      const population = userPopulation(traffic(1_000_000, zipfExponent), group);
      expect(differences(population.exposedShareByBucket, expected.exposedShareByBucket)).toEqual([]);
      expect(differences(population.usersByBucket, expected.usersByBucket)).toEqual([]);
      // Sanity of the reference itself: every user counted, shares not degenerate.
      expect(expected.usersByBucket.reduce((sum, users) => sum + users, 0)).toBe(1_000_000);
      expect(expected.exposedShareByBucket[50]).toBeGreaterThan(0.3);
      if (zipfExponent === 0) {
        expect(population.weightGroups).toBeNull();
        return;
      }
      const groups = population.weightGroups;
      const reference = expected.weightGroups;
      if (groups === null || reference === null) throw new Error('Zipf users have run summaries');
      expect(groups.groupCount).toBe(reference.groupCount);
      expect(differences(groups.centres, reference.centres)).toEqual([]);
      expect(differences(groups.moments, reference.moments)).toEqual([]);
    });
  }

  it('keeps memory that grows with log(count), not count', () => {
    const population = userPopulation(traffic(200_000, 0.8), 'summary-memory');
    const groups = population.weightGroups;
    if (groups === null) throw new Error('Zipf users have run summaries');
    // Runs of weight ratio ≤ 1.05 at s = 0.8: singletons while (i+2)/(i+1) > 1.05^1.25, then geometric.
    expect(groups.groupCount).toBeLessThan(200);
    expect(groups.moments.length).toBe(groups.groupCount * 101 * 11);
  });
});
