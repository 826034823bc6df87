/**
 * Incoming traffic: the arrival rate over time (daily cycle, bursts), the expected number of
 * arrivals in a window, replayed real arrival times, and the user population with its sticky
 * flag buckets.
 *
 * Both fidelity modes use the same window counts: with Poisson arrivals the number of requests in
 * a window [a, b) is Poisson(Λ(a, b)) with Λ = ∫ₐᵇ λ(t) dt computed exactly; with replay it is the
 * number of trace times falling in the window. Within a window the per-request mode spreads the
 * arrivals uniformly (the rate's shape inside a 5-minute window of a 24-hour cycle is ignored).
 */

import { numberedIdBuckets } from '../engine/routing/numberedIdBuckets.ts';
import { firstAtOrAfter } from './firstAtOrAfter.ts';
import { type WeightGroups, weightGroupsBuilder, weightGroupsUsersServed } from './populationSummary.ts';
import type { Traffic } from './scenario.ts';

const DAY = 86400;

/** ∫ₐᵇ (1 + A·cos(2π(t − peak)/DAY)) dt, in seconds. */
function cycleIntegral(traffic: Traffic, start: number, end: number): number {
  const cycle = traffic.dailyCycle;
  if (!cycle || cycle.amplitude === 0) return end - start;
  const peak = cycle.peakHour * 3600;
  const k = (2 * Math.PI) / DAY;
  return end - start + (cycle.amplitude / k) * (Math.sin(k * (end - peak)) - Math.sin(k * (start - peak)));
}

/**
 * The arrival rate λ(t) in requests per second at time t (s) for Poisson traffic:
 * requestsPerSecond × (1 + A·cos(2π(t − peakHour·3600)/86400)) × Π(burst multipliers active at t).
 * O(number of bursts).
 */
export function arrivalRate(traffic: Traffic, time: number): number {
  let rate = traffic.requestsPerSecond;
  const cycle = traffic.dailyCycle;
  if (cycle) rate *= 1 + cycle.amplitude * Math.cos((2 * Math.PI * (time - cycle.peakHour * 3600)) / DAY);
  for (const burst of traffic.bursts) {
    if (time >= burst.start && time < burst.start + burst.duration) rate *= burst.multiplier;
  }
  return rate;
}

/**
 * Expected arrivals Λ(a, b) = ∫ₐᵇ λ(t) dt over [start, end) for Poisson traffic, exact:
 * the cycle integrates in closed form, and each burst adds (multiplier − 1) × the cycle's
 * integral over its overlap with the window (overlapping bursts are treated additively).
 * O(number of bursts).
 */
export function expectedArrivals(traffic: Traffic, start: number, end: number): number {
  let total = cycleIntegral(traffic, start, end);
  for (const burst of traffic.bursts) {
    const from = Math.max(start, burst.start);
    const to = Math.min(end, burst.start + burst.duration);
    if (to > from) total += (burst.multiplier - 1) * cycleIntegral(traffic, from, to);
  }
  return traffic.requestsPerSecond * total;
}

/**
 * Replayed arrivals in [start, end): the trace `times` (seconds from its start) repeated every
 * `period` seconds. Calls `visit(time)` for each arrival in order and returns how many there were
 * (pass no visitor to count only). O(log n + arrivals).
 */
export function replayArrivals(
  times: readonly number[],
  period: number,
  start: number,
  end: number,
  visit?: (time: number) => void,
): number {
  let count = 0;
  let cycleStart = Math.floor(start / period) * period;
  for (; cycleStart < end; cycleStart += period) {
    const from = firstAtOrAfter(times, start - cycleStart);
    const to = firstAtOrAfter(times, end - cycleStart);
    if (visit) for (let i = from; i < to; i++) visit(cycleStart + times[i]);
    count += to - from;
  }
  return count;
}

/**
 * The user population of a scenario under one flag: each user's sticky bucket (1…100, from the
 * engine's Unleash-compatible `normalizedValue(userId, group)`), each user's share of requests,
 * and an O(1) sampler of the user making a request.
 */
export interface UserPopulation {
  count: number;
  /** Bucket (1…100) of user i (uniform users: built on first read). */
  readonly buckets: Uint8Array;
  /** Probability that a request comes from user i (Σ = 1; uniform users: built on first read). */
  readonly weights: Float64Array;
  /**
   * exposedShareByBucket[b] = probability that a request comes from a user with bucket ≤ b
   * (b = 0…100): the exact share of requests the candidate receives at a rollout of b %.
   */
  exposedShareByBucket: Float64Array;
  /** Users per bucket (index 1…100). */
  usersByBucket: Float64Array;
  /** Walker alias table for drawing a user: `aliasProbability[i]`, `alias[i]` (empty when uniform; built on first read). */
  readonly aliasProbability: Float64Array;
  readonly alias: Int32Array;
  /** Zipf users: per (run of similar weights, bucket) summaries for `expectedUsersServed` (populationSummary.ts); null when uniform. */
  weightGroups: WeightGroups | null;
}

/**
 * Builds the user population: ids `user-0 … user-(count−1)`, bucketed with the flag's `group`
 * exactly as the engine's router does; request weights ∝ 1/(rank+1)^zipfExponent. The alias
 * table is Walker's method (Vose's stable construction, "A linear algorithm for generating random
 * numbers with a given distribution", IEEE TSE 17(9), 1991).
 *
 * What each mode needs is built when first read, so that a scenario's setup does not pay for
 * what its mode never uses (issue 16, "Speed"): the per-bucket tables (`exposedShareByBucket`,
 * `usersByBucket`) and, for Zipf users, the per-(run, bucket) summaries of `expectedUsersServed`
 * (`weightGroups`, populationSummary.ts) always, by one streaming pass of hashes; nothing per user
 * is stored — `buckets` and `weights` are rebuilt on first read (the per-request mode, A/B metric
 * values) — and the alias table, the largest part (≈ 40 bytes a user while built), only when the
 * per-request mode draws a user. Every value is computed by the same expressions in the same order as
 * before, so seeded results are unchanged bit for bit.
 *
 * Populations are memoised by (count, zipfExponent, group) — a sweep or a tuning search
 * compiles a world per setting, and all of them share one population: a pure function's
 * results, kept for the last few keys (`populationCacheSize`). Cost O(count) hashes once per key.
 */
export function userPopulation(traffic: Traffic, group: string): UserPopulation {
  const { count, zipfExponent } = traffic.users;
  const key = `${count}|${zipfExponent}|${group}`;
  const cached = populationCache.get(key);
  if (cached) {
    // Most recently used last.
    populationCache.delete(key);
    populationCache.set(key, cached);
    return cached;
  }
  const population = buildPopulation(count, zipfExponent, group);
  populationCache.set(key, population);
  while (populationCache.size > populationCacheSize) populationCache.delete(populationCache.keys().next().value as string);
  return population;
}

/** How many populations `userPopulation` keeps (each O(log count) bytes until a per-user array is read). */
export const populationCacheSize = 4;
const populationCache = new Map<string, UserPopulation>();

/** User i's id is `user-${i}`. */
const userIdPrefix = 'user-';
/** Users bucketed per call of `numberedIdBuckets` while a population streams (64 KB, whatever the population). */
const bucketChunk = 65536;

/**
 * The router's buckets of users `from` … `from + chunk.length − 1` (stopping at `count`), written
 * into `chunk`: `normalizedValue(`user-${i}`, group)` without building the id strings
 * (numberedIdBuckets: 0.17 s of CPU for ten million users instead of 2.9 s). O(users in the chunk).
 */
function userBuckets(group: string, from: number, chunk: Uint8Array, count: number): Uint8Array {
  const users = Math.min(chunk.length, count - from);
  return numberedIdBuckets(group, userIdPrefix, from, users === chunk.length ? chunk : chunk.subarray(0, users));
}

function buildPopulation(count: number, zipfExponent: number, group: string): UserPopulation {
  const exposedShareByBucket = new Float64Array(101);
  const usersByBucket = new Float64Array(101);
  let buckets: Uint8Array | null = null;
  let weights: Float64Array | null = null;
  let weightGroups: WeightGroups | null = null;
  // Σ (i+1)^−s, summed in index order as the per-user weights always were (Zipf users only).
  let total = 0;
  if (zipfExponent === 0) {
    // weights[i] = 1 / count, as 1 / Σ 1 was (the sum of `count` ones is exact).
    const weight = 1 / count;
    const chunk = new Uint8Array(Math.min(count, bucketChunk));
    for (let from = 0; from < count; from += chunk.length) {
      const chunkBuckets = userBuckets(group, from, chunk, count);
      for (let j = 0; j < chunkBuckets.length; j++) {
        const bucket = chunkBuckets[j];
        exposedShareByBucket[bucket] += weight;
        usersByBucket[bucket] += 1;
      }
    }
  } else {
    // Two streaming passes instead of per-user arrays (issue 16, "Speed"): the total first, then
    // each user's hash and normalised weight (i+1)^−s / total — the same IEEE operations, in the
    // same order, as storing the weights and dividing them in place — folded into the per-bucket
    // tables and the per-(run, bucket) summaries of populationSummary.ts.
    for (let i = 0; i < count; i++) total += (i + 1) ** -zipfExponent;
    const builder = weightGroupsBuilder(count, zipfExponent);
    const chunk = new Uint8Array(Math.min(count, bucketChunk));
    for (let from = 0; from < count; from += chunk.length) {
      const chunkBuckets = userBuckets(group, from, chunk, count);
      for (let j = 0; j < chunkBuckets.length; j++) {
        const i = from + j;
        const bucket = chunkBuckets[j];
        const raw = (i + 1) ** -zipfExponent;
        builder.add(i, bucket, raw);
        exposedShareByBucket[bucket] += raw / total;
        usersByBucket[bucket] += 1;
      }
    }
    weightGroups = builder.finish(total);
  }
  for (let b = 1; b <= 100; b++) exposedShareByBucket[b] += exposedShareByBucket[b - 1];
  exposedShareByBucket[100] = 1;
  const perUserBuckets = (): Uint8Array => {
    if (buckets === null) buckets = numberedIdBuckets(group, userIdPrefix, 0, new Uint8Array(count));
    return buckets;
  };
  const perUserWeights = (): Float64Array => {
    if (weights === null) {
      weights = new Float64Array(count);
      if (zipfExponent === 0) weights.fill(1 / count);
      else for (let i = 0; i < count; i++) weights[i] = (i + 1) ** -zipfExponent / total;
    }
    return weights;
  };
  let alias: { probability: Float64Array; alias: Int32Array } | null =
    zipfExponent === 0 ? { probability: new Float64Array(0), alias: new Int32Array(0) } : null;
  return {
    count,
    exposedShareByBucket,
    usersByBucket,
    weightGroups,
    get buckets(): Uint8Array {
      return perUserBuckets();
    },
    get weights(): Float64Array {
      return perUserWeights();
    },
    get aliasProbability(): Float64Array {
      alias ??= aliasTable(perUserWeights(), count);
      return alias.probability;
    },
    get alias(): Int32Array {
      alias ??= aliasTable(perUserWeights(), count);
      return alias.alias;
    },
  };
}

/** Walker's alias table for `weights` (Vose's construction; Σ weights = 1). O(count). Also the windowed mode's table over one arm's users (metricValuesWindow.ts). */
export function aliasTable(weights: Float64Array, count: number): { probability: Float64Array; alias: Int32Array } {
  const aliasProbability = new Float64Array(count);
  const alias = new Int32Array(count);
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
  return { probability: aliasProbability, alias };
}

/** The flag percentage (0…100) for a candidate traffic share in [0, 1]. */
export function rolloutPercentage(share: number): number {
  return Math.min(100, Math.max(0, share * 100));
}

/**
 * The exact share of requests routed to the candidate at traffic share `share`: the request
 * weight of users whose bucket b satisfies b ≤ 100·share (the engine's `isInRollout`). Close to,
 * but not exactly, `share`, because buckets are fixed per user. O(1).
 */
export function exposedShare(population: UserPopulation, share: number): number {
  return population.exposedShareByBucket[Math.floor(rolloutPercentage(share) + 1e-9)];
}

/**
 * Expected distinct users served, Σ_u 1 − exp(−w_u·E_{bucket(u)}), given the requests offered to
 * each sticky bucket `exposureByBucket[b]` (b = 1…100; Float64Array(101), non-increasing in b as
 * rollout levels make it): the windowed mode's `exposure()` and the exact evaluator's
 * `usersServed`. Uniform users: Σ_b n_b·(1 − exp(−E_b/count)), O(buckets); Zipf users: from the
 * population's run summaries, within 10⁻¹² relative of the per-user sum, O(runs × rollout levels) —
 * never reading per-user arrays.
 */
export function expectedUsersServed(population: UserPopulation, exposureByBucket: Float64Array): number {
  if (!(exposureByBucket[1] > 0)) return 0;
  if (population.weightGroups !== null) return weightGroupsUsersServed(population.weightGroups, exposureByBucket);
  const { count, usersByBucket } = population;
  let users = 0;
  for (let b = 1; b <= 100; b++) if (exposureByBucket[b] > 0) users += usersByBucket[b] * -Math.expm1(-exposureByBucket[b] / count);
  return users;
}

/**
 * A sampler of the index of the user making a request, from one uniform (Walker's alias method
 * for Zipf users). Allocation-free per call.
 */
export function userSampler(population: UserPopulation, random: () => number): () => number {
  const { count, aliasProbability, alias } = population;
  if (aliasProbability.length === 0) return () => Math.floor(random() * count);
  // One uniform for both choices: its integer part picks the column, its fractional part (still
  // ≥ 53 − log2(count) random bits) decides between the column and its alias.
  return () => {
    const scaled = random() * count;
    const i = Math.floor(scaled);
    return scaled - i < aliasProbability[i] ? i : alias[i];
  };
}
