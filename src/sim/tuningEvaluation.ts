/**
 * One auto-tuning candidate measured by simulation: its false-rollback rate in the healthy world
 * and, in the regressed world, how often and how fast it rolls the regression back after the
 * candidate first serves users.
 *
 * "Detected within c" is timed from the start of the first check window in which the worse
 * candidate serves users (candidate share > 0 while the truth says it is worse) — what users
 * feel — to the rollback decision at the end of a window. A rollback before the candidate ever
 * served (e.g. in shadow) counts as detected at time 0. The denominator is the regressed world's
 * replicates whose candidate was worse at some time (`ReplicateOutcome.candidateWorse`), so a
 * worse candidate that is never rolled back, or rolled back late, counts as missed.
 *
 * Replicate i of both worlds draws from `streamFor(seed, i)` (the runner's streams), so every
 * candidate evaluated with the same seed and replicate range sees the same random numbers
 * (common random numbers, DESIGN.md §4).
 */

import type { Policy } from '../engine/policy/policy.ts';
import { streamFor } from '../engine/random/streams.ts';
import { runReplicate } from './replicate.ts';
import type { PreparedSimulation } from './runner.ts';
import { prepareSimulation } from './runner.ts';
import type { Scenario } from './scenario.ts';
import type { RateEstimate } from './summary.ts';
import { rateEstimate } from './summary.ts';
import type { FidelityMode } from './windowRequest.ts';

/** What a candidate is measured on. */
export interface TuningWorlds {
  /** The candidate is not worse than the truth's tolerance: every rollback is false. */
  healthy: Scenario;
  /** The stated regression: the candidate is worse. */
  regressed: Scenario;
  mode: FidelityMode;
  seed: number | string;
}

/** A candidate's measured rates (each with a Wilson 95% interval). */
export interface TuningEvaluation {
  /** Replicates per world, and the replicate range [from, to) they came from. */
  replicates: number;
  from: number;
  to: number;
  /** Healthy world: rollbacks among replicates whose candidate was not worse. */
  falseRollbackRate: RateEstimate;
  /** Regressed world: rolled back within `detectWithin` of first serving, among worse replicates. */
  detectionRate: RateEstimate;
  /** 1 − detectionRate: the regression still serving (or promoted) `detectWithin` after it first served. */
  missedDetectionRate: RateEstimate;
  /** Regressed world: promotions of a worse candidate (the simulator's missed-regression rate). */
  missedRegressionRate: RateEstimate;
  /** Seconds from first serving to the rollback, over the regressed replicates rolled back (null when none). */
  timeToDetect: { count: number; median: number | null; mean: number | null; p90: number | null };
  /** Regressed world, means per replicate: requests and users served by the worse candidate. */
  exposure: { requestsServedWhileWorse: number; usersServedWhileWorse: number };
}

/** Type-7 quantile (R default, numpy `linear`) of ascending `sorted`. */
function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}

/** Prepared simulations of a policy in both worlds (compiled once, reused for every replicate range). */
export interface PreparedCandidate {
  healthy: PreparedSimulation;
  regressed: PreparedSimulation;
}

/** Compiles `policy` for both worlds (`prepareSimulation`: RangeError if the policy is invalid). O(users). */
export function prepareCandidate(policy: Policy, worlds: TuningWorlds): PreparedCandidate {
  return {
    healthy: prepareSimulation(worlds.healthy, policy, worlds.mode, worlds.seed),
    regressed: prepareSimulation(worlds.regressed, policy, worlds.mode, worlds.seed),
  };
}

/**
 * A candidate's raw counts over some replicates, mergeable (`initTuningTally / addTuningReplicate
 * / mergeTuningTallies / tuningEvaluationOf`), so that a worker pool can split a candidate's
 * replicates into shards: merged in replicate order, the tallies of [from, m) and [m, to) equal
 * the tally of [from, to), and so do the evaluations (times are sorted before use; users are kept
 * per replicate and summed in replicate order at the end, so the float sum does not depend on the
 * split). Plain JSON.
 */
export interface TuningTally {
  from: number;
  to: number;
  notWorse: number;
  falseRollbacks: number;
  worse: number;
  detected: number;
  promotedWorse: number;
  requestsServedWhileWorse: number;
  /** Per replicate in order: users served by the worse candidate (an expectation in the windowed mode). */
  usersServedWhileWorse: number[];
  /** Seconds from first serving to the rollback, per regressed replicate rolled back, in replicate order. */
  times: number[];
}

/** An empty tally starting at replicate `from`. */
export function initTuningTally(from = 0): TuningTally {
  return {
    from,
    to: from,
    notWorse: 0,
    falseRollbacks: 0,
    worse: 0,
    detected: 0,
    promotedWorse: 0,
    requestsServedWhileWorse: 0,
    usersServedWhileWorse: [],
    times: [],
  };
}

/**
 * Simulates replicate `i` of `candidate` in both worlds and adds it to `tally` (in place; the
 * replicates must come in order, `i === tally.to`, except that an empty tally starts at the first
 * replicate added). Cost: 2 replicates.
 */
export function addTuningReplicate(tally: TuningTally, candidate: PreparedCandidate, i: number, detectWithin: number): TuningTally {
  if (tally.to === tally.from) tally.from = tally.to = i;
  if (i !== tally.to) throw new RangeError(`replicates must be added in order: expected ${tally.to}, got ${i}`);
  const healthy = candidate.healthy;
  const healthyOutcome = runReplicate(healthy.world, healthy.policy, healthy.plan, streamFor(healthy.seed, i), { mode: healthy.mode });
  if (!healthyOutcome.candidateWorse) tally.notWorse += 1;
  if (healthyOutcome.falseRollback) tally.falseRollbacks += 1;
  const regressed = candidate.regressed;
  let firstServedWorse: number | null = null;
  const outcome = runReplicate(regressed.world, regressed.policy, regressed.plan, streamFor(regressed.seed, i), {
    mode: regressed.mode,
    onWindow: (window) => {
      if (firstServedWorse === null && window.candidateWorse && window.candidateShare > 0) firstServedWorse = window.start;
    },
  });
  tally.to = i + 1;
  tally.requestsServedWhileWorse += outcome.exposure.requestsServedWhileWorse;
  tally.usersServedWhileWorse.push(outcome.exposure.usersServedWhileWorse);
  if (!outcome.candidateWorse) return tally;
  tally.worse += 1;
  if (outcome.missedRegression) tally.promotedWorse += 1;
  if (outcome.decision === 'rollback' && outcome.decisionTime !== null) {
    const elapsed = firstServedWorse === null ? 0 : Math.max(0, outcome.decisionTime - firstServedWorse);
    tally.times.push(elapsed);
    if (elapsed <= detectWithin) tally.detected += 1;
  }
  return tally;
}

/** Appends `next` (the replicates right after `into`'s) to `into`, in place. An empty side is the identity. */
export function mergeTuningTallies(into: TuningTally, next: TuningTally): TuningTally {
  if (next.to === next.from) return into;
  if (into.to === into.from) {
    into.from = next.from;
  } else if (next.from !== into.to) {
    throw new RangeError(`tallies must be merged in replicate order: [${into.from}, ${into.to}) then [${next.from}, ${next.to})`);
  }
  into.to = next.to;
  into.notWorse += next.notWorse;
  into.falseRollbacks += next.falseRollbacks;
  into.worse += next.worse;
  into.detected += next.detected;
  into.promotedWorse += next.promotedWorse;
  into.requestsServedWhileWorse += next.requestsServedWhileWorse;
  for (const users of next.usersServedWhileWorse) into.usersServedWhileWorse.push(users);
  for (const time of next.times) into.times.push(time);
  return into;
}

/**
 * The evaluation of a tally (module comment). Throws a RangeError when the healthy world's
 * candidate is worse in every replicate, or the regressed world's never is (the worlds do not
 * test what they should).
 */
export function tuningEvaluationOf(tally: TuningTally, names: { healthy: string; regressed: string }): TuningEvaluation {
  const replicates = tally.to - tally.from;
  const { notWorse, falseRollbacks, worse, detected, promotedWorse } = tally;
  if (replicates > 0 && notWorse === 0) {
    throw new RangeError(
      `the healthy scenario '${names.healthy}' has a candidate worse than its truth tolerance in every replicate: it cannot measure false rollbacks`,
    );
  }
  if (replicates > 0 && worse === 0) {
    throw new RangeError(
      `the regressed scenario '${names.regressed}' never has a candidate worse than its truth tolerance: it cannot measure detection`,
    );
  }
  let users = 0;
  for (const value of tally.usersServedWhileWorse) users += value;
  const times = [...tally.times].sort((a, b) => a - b);
  return {
    replicates,
    from: tally.from,
    to: tally.to,
    falseRollbackRate: rateEstimate(falseRollbacks, notWorse),
    detectionRate: rateEstimate(detected, worse),
    missedDetectionRate: rateEstimate(worse - detected, worse),
    missedRegressionRate: rateEstimate(promotedWorse, worse),
    timeToDetect: {
      count: times.length,
      median: quantile(times, 0.5),
      mean: times.length > 0 ? times.reduce((sum, time) => sum + time, 0) / times.length : null,
      p90: quantile(times, 0.9),
    },
    exposure: {
      requestsServedWhileWorse: replicates > 0 ? tally.requestsServedWhileWorse / replicates : 0,
      usersServedWhileWorse: replicates > 0 ? users / replicates : 0,
    },
  };
}

/**
 * Simulates replicates [from, to) of `candidate` in both worlds and measures it (module
 * comment; `tuningEvaluationOf` says when it throws). Cost: 2 · (to − from) replicates.
 */
export function evaluateCandidate(candidate: PreparedCandidate, from: number, to: number, detectWithin: number): TuningEvaluation {
  const tally = initTuningTally(from);
  for (let i = from; i < to; i++) addTuningReplicate(tally, candidate, i, detectWithin);
  return tuningEvaluationOf(tally, { healthy: candidate.healthy.world.scenario.name, regressed: candidate.regressed.world.scenario.name });
}
