/**
 * A seeded Monte-Carlo check of the cost of peeking, run in Web Workers beside the exact values:
 * A/A tests (both arms at the same success rate) analysed with the engine's pooled z-test at K
 * equally spaced looks, naively at level α every time, and against Lan–DeMets boundaries.
 * Written replicate by replicate (served as a shard kernel by `workers/peekingSimulationEndpoint.ts`,
 * so that the worker pool can split it); replicate i draws from `streamFor(seed, i, 'peeking')`, so the result does not depend on the
 * number of workers.
 */

import { binomialSampler } from '../engine/random/binomial.ts';
import { streamFor } from '../engine/random/streams.ts';
import { equallySpacedFractions, groupSequentialBoundaries, type SpendingFunctionName } from '../engine/stats/groupSequential.ts';
import { twoProportionZTest } from '../engine/stats/proportions.ts';

/** One Monte-Carlo run. */
export interface PeekingSimulationRequest {
  alpha: number;
  maxLooks: number;
  spending: SpendingFunctionName;
  /** Success rate of both arms. */
  rate: number;
  /** Users per arm at the last look. */
  usersPerArm: number;
  seed: number;
}

/** Mergeable counts: per number of looks K (index K − 1), A/A replicates declared different. */
export interface PeekingSimulationState {
  replicates: number;
  naive: number[];
  sequential: number[];
}

/** Checks a request once, at the edge. */
export function checkPeekingSimulationRequest(request: PeekingSimulationRequest): void {
  if (!(request.alpha > 0 && request.alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, got ${request.alpha}`);
  if (!(Number.isInteger(request.maxLooks) && request.maxLooks >= 1 && request.maxLooks <= 20)) {
    throw new RangeError(`number of looks must be a whole number from 1 to 20, got ${request.maxLooks}`);
  }
  if (!(request.rate > 0 && request.rate < 1)) throw new RangeError(`rate must be between 0 and 1 (exclusive), got ${request.rate}`);
  if (!(Number.isInteger(request.usersPerArm) && request.usersPerArm >= request.maxLooks * 10)) {
    throw new RangeError(`users per arm must be a whole number of at least 10 per look, got ${request.usersPerArm}`);
  }
}

/** No replicates yet. */
export function initPeekingState(): PeekingSimulationState {
  return { replicates: 0, naive: [], sequential: [] };
}

/**
 * Checks `request` once and returns the step folding replicate i into a state: per replicate and
 * per K = 1 … maxLooks, both arms' successes are drawn look by look
 * (binomial, n_k = ⌊N·k/K⌋ − ⌊N·(k−1)/K⌋ users per arm), and the cumulative counts are tested with
 * `twoProportionZTest` (pooled, two-sided). Naive: some look has p < α. Sequential: some look has
 * |z| ≥ the two-sided Lan–DeMets boundary for K equally spaced looks. Cost per replicate:
 * maxLooks·(maxLooks + 1) binomial draws and z-tests.
 */
export function preparePeekingReplicate(request: PeekingSimulationRequest): (state: PeekingSimulationState, replicate: number) => void {
  checkPeekingSimulationRequest(request);
  const { alpha, maxLooks, spending, rate, usersPerArm, seed } = request;
  const boundaries = Array.from(
    { length: maxLooks },
    (_, i) => groupSequentialBoundaries({ informationFractions: equallySpacedFractions(i + 1), alpha, sides: 2, spending }).z,
  );
  return (state, replicate) => {
    const random = streamFor(seed, replicate, 'peeking');
    if (state.naive.length < maxLooks) {
      state.naive = Array.from({ length: maxLooks }, (_, i) => state.naive[i] ?? 0);
      state.sequential = Array.from({ length: maxLooks }, (_, i) => state.sequential[i] ?? 0);
    }
    for (let looks = 1; looks <= maxLooks; looks++) {
      let users = 0;
      let successesA = 0;
      let successesB = 0;
      let naive = false;
      let sequential = false;
      for (let k = 1; k <= looks; k++) {
        const added = Math.floor((usersPerArm * k) / looks) - users;
        users += added;
        successesA += binomialSampler(random, added, rate)();
        successesB += binomialSampler(random, added, rate)();
        if (successesA + successesB === 0 || successesA + successesB === 2 * users) continue;
        const test = twoProportionZTest({ successes: successesA, total: users }, { successes: successesB, total: users });
        if (test.pValue < alpha) naive = true;
        if (Math.abs(test.z) >= boundaries[looks - 1][k - 1]) sequential = true;
      }
      if (naive) state.naive[looks - 1] += 1;
      if (sequential) state.sequential[looks - 1] += 1;
    }
    state.replicates += 1;
  };
}

/** Folds `other` into `into` (in place): counts add up. */
export function mergePeekingStates(into: PeekingSimulationState, other: PeekingSimulationState): PeekingSimulationState {
  const length = Math.max(into.naive.length, other.naive.length);
  into.naive = Array.from({ length }, (_, i) => (into.naive[i] ?? 0) + (other.naive[i] ?? 0));
  into.sequential = Array.from({ length }, (_, i) => (into.sequential[i] ?? 0) + (other.sequential[i] ?? 0));
  into.replicates += other.replicates;
  return into;
}
