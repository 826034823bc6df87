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
import type { Traffic } from './scenario.ts';
import { normalizedValue } from '../engine/routing/bucketing.ts';

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

/** Index of the first element of ascending `times` that is ≥ `value` (binary search). */
function lowerBound(times: readonly number[], value: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (times[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
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
    const from = lowerBound(times, start - cycleStart);
    const to = lowerBound(times, end - cycleStart);
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
  /** Bucket (1…100) of user i. */
  buckets: Uint8Array;
  /** Probability that a request comes from user i (Σ = 1). */
  weights: Float64Array;
  /**
   * exposedShareByBucket[b] = probability that a request comes from a user with bucket ≤ b
   * (b = 0…100): the exact share of requests the candidate receives at a rollout of b %.
   */
  exposedShareByBucket: Float64Array;
  /** Users per bucket (index 1…100). */
  usersByBucket: Float64Array;
  /** Walker alias table for drawing a user: `aliasProbability[i]`, `alias[i]` (empty when uniform). */
  aliasProbability: Float64Array;
  alias: Int32Array;
}

/**
 * Builds the user population: ids `user-0 … user-(count−1)`, bucketed with the flag's `group`
 * exactly as the engine's router does; request weights ∝ 1/(rank+1)^zipfExponent. The alias
 * table is Walker's method (Vose's stable construction, "A linear algorithm for generating random
 * numbers with a given distribution", IEEE TSE 17(9), 1991). Cost O(count) hashes, done once per
 * run and shared by every replicate.
 */
export function userPopulation(traffic: Traffic, group: string): UserPopulation {
  const { count, zipfExponent } = traffic.users;
  const buckets = new Uint8Array(count);
  const weights = new Float64Array(count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    buckets[i] = normalizedValue(`user-${i}`, group);
    const weight = zipfExponent === 0 ? 1 : Math.pow(i + 1, -zipfExponent);
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
  return { count, buckets, weights, exposedShareByBucket, usersByBucket, aliasProbability, alias };
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
