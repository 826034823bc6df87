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
import { streamFor } from '../engine/random/streams.ts';
import type { Policy } from '../engine/policy/policy.ts';
import { prepareSimulation } from './runner.ts';
import type { PreparedSimulation } from './runner.ts';
import { runReplicate } from './replicate.ts';
import type { Scenario } from './scenario.ts';
import { rateEstimate } from './summary.ts';
import type { RateEstimate } from './summary.ts';
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
 * Simulates replicates [from, to) of `candidate` in both worlds and measures it (module
 * comment). Throws a RangeError when the healthy world's candidate is worse in every replicate,
 * or the regressed world's never is (the worlds do not test what they should).
 * Cost: 2 · (to − from) replicates.
 */
export function evaluateCandidate(candidate: PreparedCandidate, from: number, to: number, detectWithin: number): TuningEvaluation {
  let notWorse = 0;
  let falseRollbacks = 0;
  for (let i = from; i < to; i++) {
    const simulation = candidate.healthy;
    const outcome = runReplicate(simulation.world, simulation.policy, simulation.plan, streamFor(simulation.seed, i), { mode: simulation.mode });
    if (!outcome.candidateWorse) notWorse += 1;
    if (outcome.falseRollback) falseRollbacks += 1;
  }
  let worse = 0;
  let detected = 0;
  let promotedWorse = 0;
  let requestsServedWhileWorse = 0;
  let usersServedWhileWorse = 0;
  const times: number[] = [];
  for (let i = from; i < to; i++) {
    const simulation = candidate.regressed;
    let firstServedWorse: number | null = null;
    const outcome = runReplicate(simulation.world, simulation.policy, simulation.plan, streamFor(simulation.seed, i), {
      mode: simulation.mode,
      onWindow: (window) => {
        if (firstServedWorse === null && window.candidateWorse && window.candidateShare > 0) firstServedWorse = window.start;
      },
    });
    requestsServedWhileWorse += outcome.exposure.requestsServedWhileWorse;
    usersServedWhileWorse += outcome.exposure.usersServedWhileWorse;
    if (!outcome.candidateWorse) continue;
    worse += 1;
    if (outcome.missedRegression) promotedWorse += 1;
    if (outcome.decision === 'rollback' && outcome.decisionTime !== null) {
      const elapsed = firstServedWorse === null ? 0 : Math.max(0, outcome.decisionTime - firstServedWorse);
      times.push(elapsed);
      if (elapsed <= detectWithin) detected += 1;
    }
  }
  const replicates = to - from;
  if (replicates > 0 && notWorse === 0) {
    throw new RangeError(`the healthy scenario '${candidate.healthy.world.scenario.name}' has a candidate worse than its truth tolerance in every replicate: it cannot measure false rollbacks`);
  }
  if (replicates > 0 && worse === 0) {
    throw new RangeError(`the regressed scenario '${candidate.regressed.world.scenario.name}' never has a candidate worse than its truth tolerance: it cannot measure detection`);
  }
  times.sort((a, b) => a - b);
  return {
    replicates,
    from,
    to,
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
      requestsServedWhileWorse: replicates > 0 ? requestsServedWhileWorse / replicates : 0,
      usersServedWhileWorse: replicates > 0 ? usersServedWhileWorse / replicates : 0,
    },
  };
}
