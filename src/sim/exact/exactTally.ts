/**
 * The exact evaluator's outcome record: probability masses where the Monte-Carlo summary has
 * counts (src/sim/summary.ts), folded as the chain absorbs its states, and turned into the same
 * `SimulationSummary` shape that `simulate` returns.
 *
 * What each field holds, for a chain run (stageChain.ts):
 * - rollback / promote / undecided: P(the rollout ends that way by the horizon);
 * - worse: P(the candidate was worse than the tolerance in some window of the rollout) — the
 *   denominator of the missed-regression rate, as `ReplicateOutcome.candidateWorse`;
 * - falseRollback = P(rollback ∧ never worse), missedRegression = P(promote ∧ worse);
 * - decisionTimes / detectionTimes: time (s) → probability mass, the exact distributions that
 *   replace the Monte-Carlo histogram (detection time as `ReplicateOutcome.detectionTime`);
 * - exposure: expectations per rollout, E[Σ over windows] computed as Σ over windows of
 *   P(the window is reached) × E[its count] (a window's counts are drawn after the decision to
 *   reach it, so the two are independent); users served while worse as E[Σ_u 1 − exp(−w_u·V_b(u))]
 *   over the chain's absorbed states, exactly the windowed mode's per-replicate expectation;
 * - neglected: probability mass the chain dropped (states below its pruning threshold, Poisson
 *   tails it treats as impossible); every rate above is exact to within this mass.
 *
 * A tally is a mergeable reducer like SummaryState: `mergeTally(into, other, weight)` adds a
 * weighted tally (the chain runs once per node of the baseline's law, each weighted by its
 * probability).
 */
import type { RateEstimate, SimulationSummary } from '../summary.ts';

/** Probability masses and expectations of one exact evaluation. */
export interface ExactTally {
  rollback: number;
  promote: number;
  undecided: number;
  worse: number;
  falseRollback: number;
  missedRegression: number;
  /** Decision time (s) → P(decided then). */
  decisionTimes: Map<number, number>;
  /** Detection time (s) → P(a worse candidate rolled back with that detection time). */
  detectionTimes: Map<number, number>;
  requestsServedWhileWorse: number;
  usersServedWhileWorse: number;
  failedRequests: number;
  candidateRequests: number;
  neglected: number;
  /**
   * A/B stages (abTestLaw.ts): P(an A/B stage was entered) and P(the last A/B conclusion named the
   * candidate / the control the winner) — the denominators and numerators of the summary's
   * candidateWinRate and controlWinRate, as `ReplicateOutcome.reachedAbTest` and `abWinner`.
   * Absent (0) when the chain met no A/B stage.
   */
  abTests?: number;
  candidateWins?: number;
  controlWins?: number;
  /**
   * Per stage of the policy (index = stage index), when the chain was asked for the breakdown
   * (`ChainOptions.stageBreakdown`); absent otherwise.
   */
  stages?: StageTally[];
}

/**
 * One stage's share of a tally, as the policy cut after the stage and promoted there would count
 * it (the audit's stage breakdown, src/sim/audit/auditRollout.ts): that prefix walks the same chain
 * up to the stage's end, so P(rollback | prefix k) − P(rollback | prefix k − 1) is the rollback
 * mass absorbed in stage k, and so on for each field.
 */
export interface StageTally {
  /** P(the rollout enters the stage). */
  reached: number;
  /** P(rolled back in the stage). */
  rollback: number;
  /** P(rolled back in the stage ∧ the candidate never worse). */
  falseRollback: number;
  /** Detection time (s) → P(a worse candidate rolled back in the stage with that detection time). */
  detectionTimes: Map<number, number>;
  /** Expected requests served by the candidate while worse in the stage's windows. */
  requestsServedWhileWorse: number;
  /**
   * The stage's increase of the expected users served while worse: E[users | prefix k] −
   * E[users | prefix k − 1], the users of the rollouts absorbed in the stage plus those leaving it
   * counted at its end, less those entering it counted at the previous stage's end.
   */
  usersServedWhileWorse: number;
}

/** An empty stage tally. */
export function emptyStageTally(): StageTally {
  return { reached: 0, rollback: 0, falseRollback: 0, detectionTimes: new Map(), requestsServedWhileWorse: 0, usersServedWhileWorse: 0 };
}

/** An empty tally. */
export function emptyTally(): ExactTally {
  return {
    rollback: 0,
    promote: 0,
    undecided: 0,
    worse: 0,
    falseRollback: 0,
    missedRegression: 0,
    decisionTimes: new Map(),
    detectionTimes: new Map(),
    requestsServedWhileWorse: 0,
    usersServedWhileWorse: 0,
    failedRequests: 0,
    candidateRequests: 0,
    neglected: 0,
  };
}

function addMass(map: Map<number, number>, key: number, mass: number): void {
  map.set(key, (map.get(key) ?? 0) + mass);
}

/** Adds `weight` × `other` into `into` (in place; returns it). O(size of the distributions). */
export function mergeTally(into: ExactTally, other: ExactTally, weight = 1): ExactTally {
  into.rollback += weight * other.rollback;
  into.promote += weight * other.promote;
  into.undecided += weight * other.undecided;
  into.worse += weight * other.worse;
  into.falseRollback += weight * other.falseRollback;
  into.missedRegression += weight * other.missedRegression;
  for (const [time, mass] of other.decisionTimes) addMass(into.decisionTimes, time, weight * mass);
  for (const [time, mass] of other.detectionTimes) addMass(into.detectionTimes, time, weight * mass);
  into.requestsServedWhileWorse += weight * other.requestsServedWhileWorse;
  into.usersServedWhileWorse += weight * other.usersServedWhileWorse;
  into.failedRequests += weight * other.failedRequests;
  into.candidateRequests += weight * other.candidateRequests;
  into.neglected += weight * other.neglected;
  if (other.abTests) into.abTests = (into.abTests ?? 0) + weight * other.abTests;
  if (other.candidateWins) into.candidateWins = (into.candidateWins ?? 0) + weight * other.candidateWins;
  if (other.controlWins) into.controlWins = (into.controlWins ?? 0) + weight * other.controlWins;
  if (other.stages) {
    into.stages ??= [];
    for (const [index, stage] of other.stages.entries()) {
      into.stages[index] ??= emptyStageTally();
      const target = into.stages[index];
      target.reached += weight * stage.reached;
      target.rollback += weight * stage.rollback;
      target.falseRollback += weight * stage.falseRollback;
      for (const [time, mass] of stage.detectionTimes) addMass(target.detectionTimes, time, weight * mass);
      target.requestsServedWhileWorse += weight * stage.requestsServedWhileWorse;
      target.usersServedWhileWorse += weight * stage.usersServedWhileWorse;
    }
  }
  return into;
}

/**
 * The tallies of C columns of one vector chain run (vectorChain.ts) as a struct of arrays: each
 * field of `ExactTally` a Float64Array over the columns, each distribution time → Float64Array.
 * The chain adds a state's mass vector into it elementwise; `columnTally` reads one column back as
 * an `ExactTally`.
 */
export interface VectorTally {
  columns: number;
  rollback: Float64Array;
  promote: Float64Array;
  undecided: Float64Array;
  worse: Float64Array;
  falseRollback: Float64Array;
  missedRegression: Float64Array;
  decisionTimes: Map<number, Float64Array>;
  detectionTimes: Map<number, Float64Array>;
  requestsServedWhileWorse: Float64Array;
  usersServedWhileWorse: Float64Array;
  failedRequests: Float64Array;
  candidateRequests: Float64Array;
  neglected: Float64Array;
  /** P(an A/B stage was entered), P(the last A/B conclusion named the candidate / the control). */
  abTests: Float64Array;
  candidateWins: Float64Array;
  controlWins: Float64Array;
  /** Per stage (`StageTally`'s fields over the columns), or null when not asked for. */
  stages: VectorStageTally[] | null;
}

/** `StageTally` over the columns. */
export interface VectorStageTally {
  reached: Float64Array;
  rollback: Float64Array;
  falseRollback: Float64Array;
  detectionTimes: Map<number, Float64Array>;
  requestsServedWhileWorse: Float64Array;
  usersServedWhileWorse: Float64Array;
}

/** An empty vector tally of `columns` columns, with a breakdown over `stages` stages (null: none). */
export function emptyVectorTally(columns: number, stages: number | null): VectorTally {
  const zeros = () => new Float64Array(columns);
  return {
    columns,
    rollback: zeros(),
    promote: zeros(),
    undecided: zeros(),
    worse: zeros(),
    falseRollback: zeros(),
    missedRegression: zeros(),
    decisionTimes: new Map(),
    detectionTimes: new Map(),
    requestsServedWhileWorse: zeros(),
    usersServedWhileWorse: zeros(),
    failedRequests: zeros(),
    candidateRequests: zeros(),
    neglected: zeros(),
    abTests: zeros(),
    candidateWins: zeros(),
    controlWins: zeros(),
    stages:
      stages === null
        ? null
        : Array.from({ length: stages }, () => ({
            reached: zeros(),
            rollback: zeros(),
            falseRollback: zeros(),
            detectionTimes: new Map<number, Float64Array>(),
            requestsServedWhileWorse: zeros(),
            usersServedWhileWorse: zeros(),
          })),
  };
}

/** Column `column` of a distribution over the columns, keeping the times that column has mass at. */
function columnDistribution(distribution: Map<number, Float64Array>, column: number): Map<number, number> {
  const result = new Map<number, number>();
  for (const [time, masses] of distribution) if (masses[column] > 0) result.set(time, masses[column]);
  return result;
}

/** One column of a vector tally as an `ExactTally`. O(fields + times). */
export function columnTally(vector: VectorTally, column: number): ExactTally {
  const tally: ExactTally = {
    rollback: vector.rollback[column],
    promote: vector.promote[column],
    undecided: vector.undecided[column],
    worse: vector.worse[column],
    falseRollback: vector.falseRollback[column],
    missedRegression: vector.missedRegression[column],
    decisionTimes: columnDistribution(vector.decisionTimes, column),
    detectionTimes: columnDistribution(vector.detectionTimes, column),
    requestsServedWhileWorse: vector.requestsServedWhileWorse[column],
    usersServedWhileWorse: vector.usersServedWhileWorse[column],
    failedRequests: vector.failedRequests[column],
    candidateRequests: vector.candidateRequests[column],
    neglected: vector.neglected[column],
  };
  // Absent when no mass met them, as `absorb` leaves them.
  if (vector.abTests[column] > 0) tally.abTests = vector.abTests[column];
  if (vector.candidateWins[column] > 0) tally.candidateWins = vector.candidateWins[column];
  if (vector.controlWins[column] > 0) tally.controlWins = vector.controlWins[column];
  if (vector.stages)
    tally.stages = vector.stages.map((stage) => ({
      reached: stage.reached[column],
      rollback: stage.rollback[column],
      falseRollback: stage.falseRollback[column],
      detectionTimes: columnDistribution(stage.detectionTimes, column),
      requestsServedWhileWorse: stage.requestsServedWhileWorse[column],
      usersServedWhileWorse: stage.usersServedWhileWorse[column],
    }));
  return tally;
}

/**
 * Adds `weight` × column `column` of a vector tally's number fields (the stages' included) into
 * `into`, as `mergeTally(into, columnTally(vector, column), weight)` adds them — the
 * distributions aside (`averagedDistribution`). Building each column's tally first was 93 MB of
 * the 2.4 GB the lab's flat100 question allocated a round (9432262). O(fields).
 */
function mergeColumnFields(into: ExactTally, vector: VectorTally, column: number, weight: number): void {
  into.rollback += weight * vector.rollback[column];
  into.promote += weight * vector.promote[column];
  into.undecided += weight * vector.undecided[column];
  into.worse += weight * vector.worse[column];
  into.falseRollback += weight * vector.falseRollback[column];
  into.missedRegression += weight * vector.missedRegression[column];
  into.requestsServedWhileWorse += weight * vector.requestsServedWhileWorse[column];
  into.usersServedWhileWorse += weight * vector.usersServedWhileWorse[column];
  into.failedRequests += weight * vector.failedRequests[column];
  into.candidateRequests += weight * vector.candidateRequests[column];
  into.neglected += weight * vector.neglected[column];
  // Only columns with mass there, as `columnTally` leaves the fields absent otherwise.
  if (vector.abTests[column] > 0) into.abTests = (into.abTests ?? 0) + weight * vector.abTests[column];
  if (vector.candidateWins[column] > 0) into.candidateWins = (into.candidateWins ?? 0) + weight * vector.candidateWins[column];
  if (vector.controlWins[column] > 0) into.controlWins = (into.controlWins ?? 0) + weight * vector.controlWins[column];
  if (vector.stages) {
    into.stages ??= [];
    for (const [index, stage] of vector.stages.entries()) {
      into.stages[index] ??= emptyStageTally();
      const target = into.stages[index];
      target.reached += weight * stage.reached[column];
      target.rollback += weight * stage.rollback[column];
      target.falseRollback += weight * stage.falseRollback[column];
      target.requestsServedWhileWorse += weight * stage.requestsServedWhileWorse[column];
      target.usersServedWhileWorse += weight * stage.usersServedWhileWorse[column];
    }
  }
}

/**
 * Σ_j weights[j] × column first + j of `distribution`, as merging the columns' distributions
 * one by one in order (`mergeTally`'s `addMass`) builds it — each time's masses added in the same order (so the same value to
 * the last bit), the times inserted in the same order (first by the column that first has mass at
 * them, then in the distribution's order: sums over the Map, e.g. a tuner's detected mass, are
 * unchanged too) — but each time's sum kept in a typed array until the end: one Map entry and
 * one boxed number per time, not one per time and column. O(columns × times + times log times).
 */
function averagedDistribution(distribution: Map<number, Float64Array>, first: number, weights: readonly number[]): Map<number, number> {
  const times: number[] = [];
  const sums: number[] = [];
  const firstColumn: number[] = [];
  for (const [time, masses] of distribution) {
    let sum = 0;
    let from = -1;
    for (let j = 0; j < weights.length; j++) {
      const mass = masses[first + j];
      if (!(mass > 0)) continue;
      // The old running value started at 0 (`addMass`): 0 + w·m is w·m, the same double.
      sum += weights[j] * mass;
      if (from < 0) from = j;
    }
    if (from < 0) continue;
    times.push(time);
    sums.push(sum);
    firstColumn.push(from);
  }
  // A stable sort by the first column with mass: the insertion order of the column-by-column merge.
  const order = times.map((_, i) => i).sort((a, b) => firstColumn[a] - firstColumn[b]);
  const result = new Map<number, number>();
  for (const i of order) result.set(times[i], sums[i]);
  return result;
}

/**
 * The weighted sum of the columns first … first + weights.length − 1 of a vector tally (a
 * setting's node average): exactly `mergeTally(average, columnTally(vector, column), weight)` of
 * each column in order into an empty tally —
 * the same values to the last bit and the same order of every Map (tested) — but each
 * distribution built once (`averagedDistribution`), not by a Map update per column and time:
 * those updates boxed a number each, 17.8 MB of the 300 MB the lab's firstVisit curve allocated a
 * request on a kept scenario (00:25 UTC 2026-12-05). O(columns × (fields + times)).
 */
export function averageColumns(vector: VectorTally, first: number, weights: readonly number[]): ExactTally {
  const average = emptyTally();
  for (let j = 0; j < weights.length; j++) mergeColumnFields(average, vector, first + j, weights[j]);
  average.decisionTimes = averagedDistribution(vector.decisionTimes, first, weights);
  average.detectionTimes = averagedDistribution(vector.detectionTimes, first, weights);
  if (vector.stages && average.stages)
    for (const [index, stage] of vector.stages.entries())
      average.stages[index].detectionTimes = averagedDistribution(stage.detectionTimes, first, weights);
  return average;
}

/** How a rollout ended, as the chain absorbs a state. */
export interface Absorption {
  decision: 'rollback' | 'promote' | 'undecided';
  /** Seconds from the start (end of the deciding window); ignored when undecided. */
  time: number;
  worse: boolean;
  /** Start of the first window that was worse and exposed, or null. */
  firstExposedWorse: number | null;
  /** Expected distinct users served while worse, given the path (the windowed mode's formula). */
  users: number;
  /** Whether an A/B stage was entered, and the last A/B conclusion's winner (absent: none). */
  ab?: { reached: boolean; winner: 'candidate' | 'control' | null };
}

/** Folds `mass` of rollouts ending as `absorption` into `tally` (in place). O(1). */
export function absorb(tally: ExactTally, absorption: Absorption, mass: number): void {
  const { decision, time, worse } = absorption;
  if (decision === 'rollback') tally.rollback += mass;
  else if (decision === 'promote') tally.promote += mass;
  else tally.undecided += mass;
  if (worse) tally.worse += mass;
  if (decision === 'rollback' && !worse) tally.falseRollback += mass;
  if (decision === 'promote' && worse) tally.missedRegression += mass;
  if (decision !== 'undecided') addMass(tally.decisionTimes, time, mass);
  if (decision === 'rollback' && worse)
    addMass(tally.detectionTimes, absorption.firstExposedWorse === null ? 0 : time - absorption.firstExposedWorse, mass);
  tally.usersServedWhileWorse += mass * absorption.users;
  if (absorption.ab?.reached) tally.abTests = (tally.abTests ?? 0) + mass;
  if (absorption.ab?.winner === 'candidate') tally.candidateWins = (tally.candidateWins ?? 0) + mass;
  if (absorption.ab?.winner === 'control') tally.controlWins = (tally.controlWins ?? 0) + mass;
}

/**
 * An exact rate: `rate` = numerator / denominator (probabilities), an interval of zero width
 * (lower = upper = rate), and `count` / `total` holding the two probabilities instead of replicate
 * counts. Null when the denominator has no mass.
 */
export function exactRate(numerator: number, denominator: number): RateEstimate {
  if (!(denominator > 0)) return { rate: null, lower: null, upper: null, count: numerator, total: denominator };
  const rate = Math.min(1, Math.max(0, numerator / denominator));
  return { rate, lower: rate, upper: rate, count: numerator, total: denominator };
}

/** The smallest time t with P(T ≤ t | detected) ≥ q, over a distribution time → mass. */
function distributionQuantile(entries: readonly (readonly [number, number])[], total: number, q: number): number | null {
  if (!(total > 0)) return null;
  let running = 0;
  for (const [time, mass] of entries) {
    running += mass;
    if (running >= q * total * (1 - 1e-12)) return time;
  }
  return entries[entries.length - 1][0];
}

/** The summary of an exact evaluation: what `simulate` returns, plus `mode: 'exact'`. */
export interface ExactSummary extends SimulationSummary {
  mode: 'exact';
  /** Probability mass the evaluation neglected (a bound on the error of every rate). */
  neglectedMass: number;
  /** The decision-time distribution: time (s) → probability, over decided rollouts. */
  decisionTimeDistribution: Record<string, number>;
}

/**
 * The outcome record of an exact tally, in the shape of `SimulationSummary` (summary.ts):
 * `replicates` is 0 (nothing was sampled); each rate is exact with a zero-width interval
 * (`exactRate`); the detection-time histogram holds probabilities (time → P(detected then)),
 * `count` the probability that a worse candidate is rolled back, and mean / median / p90 are
 * those of the exact distribution given detection (the median and p90 are the distribution's
 * lower quantiles). The A/B winner rates are over P(an A/B stage was entered) (no denominator
 * without one); the segment winner rate has none (segment reports are refused). O(times · log).
 */
export function exactSummary(tally: ExactTally): ExactSummary {
  const total = tally.rollback + tally.promote + tally.undecided;
  // P(never worse) is a difference of two sums: where the candidate is worse in every run it is
  // rounding noise (±1e-16), which made the regressed world's false-rollback rate 0 in Node and
  // null in Chromium on the same question (bench/labExact.ts). Below 1e-12 of the total — far
  // below any tolerance the evaluator accepts — it is no mass, and the rate is null.
  const notWorse = total - tally.worse > 1e-12 * total ? total - tally.worse : 0;
  const detection = [...tally.detectionTimes.entries()].sort((a, b) => a[0] - b[0]);
  const detected = detection.reduce((sum, [, mass]) => sum + mass, 0);
  const detectedSum = detection.reduce((sum, [time, mass]) => sum + time * mass, 0);
  const decisions = [...tally.decisionTimes.entries()].sort((a, b) => a[0] - b[0]);
  const decided = decisions.reduce((sum, [, mass]) => sum + mass, 0);
  const decidedSum = decisions.reduce((sum, [time, mass]) => sum + time * mass, 0);
  const histogram: Record<string, number> = {};
  for (const [time, mass] of detection) histogram[String(time)] = mass;
  const decisionTimeDistribution: Record<string, number> = {};
  for (const [time, mass] of decisions) decisionTimeDistribution[String(time)] = mass;
  return {
    mode: 'exact',
    replicates: 0,
    falseRollbackRate: exactRate(tally.falseRollback, notWorse),
    missedRegressionRate: exactRate(tally.missedRegression, tally.worse),
    rollbackRate: exactRate(tally.rollback, total),
    promoteRate: exactRate(tally.promote, total),
    undecidedRate: exactRate(tally.undecided, total),
    candidateWinRate: exactRate(tally.candidateWins ?? 0, tally.abTests ?? 0),
    controlWinRate: exactRate(tally.controlWins ?? 0, tally.abTests ?? 0),
    segmentWinnerRate: exactRate(0, 0),
    detectionTime: {
      count: detected,
      mean: detected > 0 ? detectedSum / detected : null,
      median: distributionQuantile(detection, detected, 0.5),
      p90: distributionQuantile(detection, detected, 0.9),
      histogram,
    },
    meanDecisionTime: decided > 0 ? decidedSum / decided : null,
    exposure: {
      requestsServedWhileWorse: tally.requestsServedWhileWorse,
      usersServedWhileWorse: tally.usersServedWhileWorse,
      failedRequests: tally.failedRequests,
      candidateRequests: tally.candidateRequests,
    },
    neglectedMass: tally.neglected,
    decisionTimeDistribution,
  };
}
