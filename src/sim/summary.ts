/**
 * Across-replicate summaries as a mergeable reducer (`initSummary / addOutcome / mergeSummaries /
 * summaryValue`, the Arquero aggregate pattern of STYLE.md): the state is plain JSON of counts
 * and exact sums, so workers return partial states, the main thread merges them, and the result
 * does not depend on how replicates were split (integer counts and a histogram of detection
 * times, whose merge is exact and order-free).
 */

import type { Interval } from '../engine/stats/wilson.ts';
import { wilsonInterval } from '../engine/stats/wilson.ts';
import type { ReplicateOutcome } from './replicate.ts';

/** The mergeable state: counts and exact sums. */
export interface SummaryState {
  replicates: number;
  rollbacks: number;
  promotions: number;
  undecided: number;
  /** Replicates whose candidate was worse than the tolerance at some time of the rollout. */
  worseCandidates: number;
  falseRollbacks: number;
  missedRegressions: number;
  /** Replicates whose A/B test concluded, by winner. */
  candidateWins: number;
  controlWins: number;
  /** Replicates that reached an A/B stage. */
  abTests: number;
  /** A/B tests reported by segment (`segmentKeys`), and those whose report found a segment winner the aggregate hid. */
  segmentReports: number;
  segmentWinners: number;
  /** Detection time (s from the candidate's first worse window with traffic to rollback; `ReplicateOutcome.detectionTime`) → count. */
  detectionTimes: Record<string, number>;
  /** Sum of decision times (s) of decided replicates. */
  decisionTimeSum: number;
  requestsServedWhileWorse: number;
  /**
   * Distinct users served while worse, in thousandths of a user (the windowed mode reports an
   * expectation; integers keep every merge exact and order-free).
   */
  usersServedWhileWorseThousandths: number;
  failedRequests: number;
  candidateRequests: number;
}

/** A rate with its Wilson 95% interval; null when it has no denominator yet. */
export interface RateEstimate {
  rate: number | null;
  lower: number | null;
  upper: number | null;
  /** Numerator and denominator. */
  count: number;
  total: number;
}

/** The summary as people read it. */
export interface SimulationSummary {
  replicates: number;
  /** Rollbacks among replicates whose candidate was NOT worse. */
  falseRollbackRate: RateEstimate;
  /** Promotions among replicates whose candidate WAS worse. */
  missedRegressionRate: RateEstimate;
  rollbackRate: RateEstimate;
  promoteRate: RateEstimate;
  undecidedRate: RateEstimate;
  /** Among replicates that ran an A/B test: the candidate, or control, declared the winner. */
  candidateWinRate: RateEstimate;
  controlWinRate: RateEstimate;
  /**
   * Among A/B tests reported by segment: a segment's winner differed from the better model
   * overall at the test's α (a winner the aggregate hid). Exploratory: with k segments and no
   * real difference it can reach about (k − 1)·α.
   */
  segmentWinnerRate: RateEstimate;
  /** Detection time of worse candidates that were rolled back, seconds from their first worse window with traffic (`ReplicateOutcome.detectionTime`). */
  detectionTime: { count: number; mean: number | null; median: number | null; p90: number | null; histogram: Record<string, number> };
  /** Mean time to a decision (rollback or promote), seconds. */
  meanDecisionTime: number | null;
  /** Means per replicate. */
  exposure: { requestsServedWhileWorse: number; usersServedWhileWorse: number; failedRequests: number; candidateRequests: number };
}

/** An empty summary. */
export function initSummary(): SummaryState {
  return {
    replicates: 0,
    rollbacks: 0,
    promotions: 0,
    undecided: 0,
    worseCandidates: 0,
    falseRollbacks: 0,
    missedRegressions: 0,
    candidateWins: 0,
    controlWins: 0,
    abTests: 0,
    segmentReports: 0,
    segmentWinners: 0,
    detectionTimes: {},
    decisionTimeSum: 0,
    requestsServedWhileWorse: 0,
    usersServedWhileWorseThousandths: 0,
    failedRequests: 0,
    candidateRequests: 0,
  };
}

/** Folds one replicate's outcome into `state` (in place; returns it). O(1). */
export function addOutcome(state: SummaryState, outcome: ReplicateOutcome): SummaryState {
  state.replicates += 1;
  if (outcome.decision === 'rollback') state.rollbacks += 1;
  else if (outcome.decision === 'promote') state.promotions += 1;
  else state.undecided += 1;
  if (outcome.candidateWorse) state.worseCandidates += 1;
  if (outcome.falseRollback) state.falseRollbacks += 1;
  if (outcome.missedRegression) state.missedRegressions += 1;
  if (outcome.reachedAbTest) state.abTests += 1;
  if (outcome.abWinner === 'candidate') state.candidateWins += 1;
  if (outcome.abWinner === 'control') state.controlWins += 1;
  if (outcome.segmentWinner !== null) state.segmentReports += 1;
  if (outcome.segmentWinner === true) state.segmentWinners += 1;
  if (outcome.detectionTime !== null) {
    const key = String(outcome.detectionTime);
    state.detectionTimes[key] = (state.detectionTimes[key] ?? 0) + 1;
  }
  if (outcome.decisionTime !== null) state.decisionTimeSum += outcome.decisionTime;
  state.requestsServedWhileWorse += outcome.exposure.requestsServedWhileWorse;
  state.usersServedWhileWorseThousandths += Math.round(outcome.exposure.usersServedWhileWorse * 1000);
  state.failedRequests += outcome.exposure.failedRequests;
  state.candidateRequests += outcome.exposure.candidateRequests;
  return state;
}

/** Folds `other` into `state` (in place; returns it): exact for counts and the histogram. O(histogram). */
export function mergeSummaries(state: SummaryState, other: SummaryState): SummaryState {
  for (const key of Object.keys(other) as (keyof SummaryState)[]) {
    if (key === 'detectionTimes') continue;
    (state[key] as number) += other[key] as number;
  }
  for (const [time, count] of Object.entries(other.detectionTimes)) {
    state.detectionTimes[time] = (state.detectionTimes[time] ?? 0) + count;
  }
  return state;
}

/** count/total with its Wilson 95% interval (statsmodels `proportion_confint(method='wilson')`). */
export function rateEstimate(count: number, total: number): RateEstimate {
  if (total === 0) return { rate: null, lower: null, upper: null, count, total };
  const interval: Interval = wilsonInterval({ successes: count, total });
  return { rate: count / total, lower: interval.lower, upper: interval.upper, count, total };
}

/** Type-7 quantile of a histogram of values (value → count). O(distinct values · log). */
export function histogramQuantile(histogram: Record<string, number>, q: number): number | null {
  const entries = Object.entries(histogram)
    .map(([value, count]) => [Number(value), count] as const)
    .sort((a, b) => a[0] - b[0]);
  const n = entries.reduce((sum, [, count]) => sum + count, 0);
  if (n === 0) return null;
  const position = (n - 1) * q;
  const valueAt = (rank: number): number => {
    let running = 0;
    for (const [value, count] of entries) {
      running += count;
      if (rank < running) return value;
    }
    return entries[entries.length - 1][0];
  };
  const below = Math.floor(position);
  const low = valueAt(below);
  const high = valueAt(Math.min(n - 1, below + 1));
  return low + (position - below) * (high - low);
}

/**
 * The summary of `state`: each rate with a Wilson 95% interval; detection-time mean, median and
 * 90th percentile (type 7 over the exact histogram); exposure means per replicate.
 */
export function summaryValue(state: SummaryState): SimulationSummary {
  const notWorse = state.replicates - state.worseCandidates;
  const detected = Object.values(state.detectionTimes).reduce((sum, count) => sum + count, 0);
  const detectedSum = Object.entries(state.detectionTimes).reduce((sum, [time, count]) => sum + Number(time) * count, 0);
  const decided = state.rollbacks + state.promotions;
  const perReplicate = (value: number): number => (state.replicates > 0 ? value / state.replicates : 0);
  return {
    replicates: state.replicates,
    falseRollbackRate: rateEstimate(state.falseRollbacks, notWorse),
    missedRegressionRate: rateEstimate(state.missedRegressions, state.worseCandidates),
    rollbackRate: rateEstimate(state.rollbacks, state.replicates),
    promoteRate: rateEstimate(state.promotions, state.replicates),
    undecidedRate: rateEstimate(state.undecided, state.replicates),
    candidateWinRate: rateEstimate(state.candidateWins, state.abTests),
    controlWinRate: rateEstimate(state.controlWins, state.abTests),
    segmentWinnerRate: rateEstimate(state.segmentWinners, state.segmentReports),
    detectionTime: {
      count: detected,
      mean: detected > 0 ? detectedSum / detected : null,
      median: histogramQuantile(state.detectionTimes, 0.5),
      p90: histogramQuantile(state.detectionTimes, 0.9),
      histogram: { ...state.detectionTimes },
    },
    meanDecisionTime: decided > 0 ? state.decisionTimeSum / decided : null,
    exposure: {
      requestsServedWhileWorse: perReplicate(state.requestsServedWhileWorse),
      usersServedWhileWorse: perReplicate(state.usersServedWhileWorseThousandths) / 1000,
      failedRequests: perReplicate(state.failedRequests),
      candidateRequests: perReplicate(state.candidateRequests),
    },
  };
}
