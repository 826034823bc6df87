/**
 * The user population built once per (count, Zipf exponent, flag group), with per-user arrays
 * only where a mode reads them (src/sim/traffic.ts, issue 16 "Speed"): every table must equal,
 * bit for bit, the former eager construction (reproduced here as written before), so seeded
 * results do not change — the same code path a 10-million-user scenario takes, on 5,000 users.
 */
import { describe, expect, it } from 'vitest';
import { normalizedValue } from '../../../src/engine/routing/bucketing.ts';
import type { Traffic } from '../../../src/sim/scenario.ts';
import { userPopulation } from '../../../src/sim/traffic.ts';

/** The construction before issue 16, verbatim in substance. */
function eagerPopulation(count: number, zipfExponent: number, group: string) {
  const buckets = new Uint8Array(count);
  const weights = new Float64Array(count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    buckets[i] = normalizedValue(`user-${i}`, group);
    const weight = zipfExponent === 0 ? 1 : (i + 1) ** -zipfExponent;
    weights[i] = weight;
    total += weight;
  }
  const exposedShareByBucket = new Float64Array(101);
  const usersByBucket = new Float64Array(101);
  for (let i = 0; i < count; i++) {
    weights[i] /= total;
    exposedShareByBucket[buckets[i]] += weights[i];
    usersByBucket[buckets[i]] += 1;
  }
  for (let b = 1; b <= 100; b++) exposedShareByBucket[b] += exposedShareByBucket[b - 1];
  exposedShareByBucket[100] = 1;
  let aliasProbability = new Float64Array(0);
  let alias = new Int32Array(0);
  if (zipfExponent !== 0) {
    aliasProbability = new Float64Array(count);
    alias = new Int32Array(count);
    const scaled = new Float64Array(count);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < count; i++) {
      scaled[i] = weights[i] * count;
      (scaled[i] < 1 ? small : large).push(i);
    }
    while (small.length > 0 && large.length > 0) {
      const less = small.pop() as number;
      const more = large.pop() as number;
      aliasProbability[less] = scaled[less];
      alias[less] = more;
      scaled[more] = scaled[more] + scaled[less] - 1;
      (scaled[more] < 1 ? small : large).push(more);
    }
    for (const i of large) aliasProbability[i] = 1;
    for (const i of small) aliasProbability[i] = 1;
  }
  return { buckets, weights, exposedShareByBucket, usersByBucket, aliasProbability, alias };
}

function traffic(count: number, zipfExponent: number): Traffic {
  return { requestsPerSecond: 1, bursts: [], arrivals: { kind: 'poisson' }, users: { count, zipfExponent }, segments: { all: 1 } };
}

describe('user population', () => {
  for (const zipfExponent of [0, 0.8]) {
    it(`equals the former eager construction bit for bit (Zipf ${zipfExponent}, 5,000 users)`, () => {
      const expected = eagerPopulation(5000, zipfExponent, 'population-test');
      const population = userPopulation(traffic(5000, zipfExponent), 'population-test');
      expect(Array.from(population.exposedShareByBucket)).toEqual(Array.from(expected.exposedShareByBucket));
      expect(Array.from(population.usersByBucket)).toEqual(Array.from(expected.usersByBucket));
      expect(Array.from(population.buckets)).toEqual(Array.from(expected.buckets));
      expect(Array.from(population.weights)).toEqual(Array.from(expected.weights));
      expect(Array.from(population.aliasProbability)).toEqual(Array.from(expected.aliasProbability));
      expect(Array.from(population.alias)).toEqual(Array.from(expected.alias));
    });
  }

  it('is built once per (count, exponent, group) and shared', () => {
    const first = userPopulation(traffic(3000, 0.5), 'group-a');
    expect(userPopulation(traffic(3000, 0.5), 'group-a')).toBe(first);
    expect(userPopulation(traffic(3000, 0.5), 'group-b')).not.toBe(first);
    expect(userPopulation(traffic(3001, 0.5), 'group-a')).not.toBe(first);
  });
});
