/**
 * The controller's state: where the rollout is, what it has accumulated, and the audit trail.
 * Plain JSON (no classes, no Infinity), so it can be saved between cron runs of
 * `rollout-lab decide`, sent across workers, and replayed by the app.
 *
 * Ownership: `step` and `killSwitch` UPDATE THE STATE PASSED IN and return it (the event log is
 * appended, never rewritten). This keeps `step` allocation-light for the simulator, which runs
 * hundreds of thousands of steps per second; the function is still deterministic — the same
 * inputs in the same order give the same decisions. Treat a state as owned by the controller
 * after passing it to `step`; to keep a snapshot, take `cloneState(state)` first.
 */

import type { Policy, StageKind } from '../policy/policy.ts';
import type { AbMetricsState } from './abMetrics.ts';
import type { ArmTotals } from './armTotals.ts';
import { emptyArmTotals } from './armTotals.ts';
import { compilePolicy } from './compilePolicy.ts';
import type { DecisionEvent } from './decision.ts';
import type { FailureCount } from './failureCount.ts';
import { emptyFailureCount } from './failureCount.ts';

/** What an A/B test concluded. */
export type AbConclusion = 'candidateBetter' | 'candidateWorse' | 'equivalent' | 'inconclusive';

/** One segment's A/B outcomes so far: successes and outcomes judged, per arm. */
export interface SegmentTally {
  controlSuccesses: number;
  controlOutcomes: number;
  candidateSuccesses: number;
  candidateOutcomes: number;
}

/** Where an A/B test is. */
export interface AbTestState {
  /** Planned outcomes per arm (fixed and group-sequential designs), once known. */
  plannedSampleSize: number | null;
  /** Group-sequential: information fractions of the looks taken so far (non-final looks rounded to 1/200, lookBoundaries.ts). */
  lookFractions: number[];
  /** Always-valid: running minimum of the mSPRT p-value. */
  alwaysValidPValue: number;
  /** The test's conclusion once reached. */
  conclusion: AbConclusion | null;
  /**
   * Per segment (the windows' `segments` breakdown), the outcomes of the windows folded into the
   * test, when the stage has `segmentKeys`; reported by segment when the test concludes. Absent
   * (read it as empty) in states saved before this field existed.
   */
  segments?: Record<string, SegmentTally>;
  /** The metric list's test (`AbTest.metrics`, abMetrics.ts), once it has started; absent for the success rate alone. */
  metrics?: AbMetricsState;
}

/** The state of one rollout. */
export interface ControllerState {
  version: 1;
  status: 'running' | 'rolledBack' | 'promoted';
  stageIndex: number;
  stageKind: StageKind;
  /** When the current stage began, seconds. */
  stageStartTime: number;
  /** End of the last window seen (or the start time), seconds. */
  time: number;
  /** Share of users the candidate serves now: 0 in baseline, shadow and after a rollback. */
  candidateTraffic: number;
  /** Seconds of passing checks in the current stage (held windows do not count). */
  passedDuration: number;
  /** Failing checks since the last passing one: `failureCount.consecutive`, kept for readers of earlier states. */
  consecutiveFailures: number;
  /**
   * The failure and inconclusive counts of the stage (of the rollout, in failure scope 'rollout'),
   * failureCount.ts. Absent in states saved before counting modes existed: read it as
   * `consecutiveFailures` consecutive failures and nothing else.
   */
  failureCount?: FailureCount;
  /** Checks of the current stage with enough data (the look number of statistical rules). */
  looks: number;
  /** Historical mode: the baseline stage met its minimum duration and requests. */
  baselineEstablished: boolean;
  /** Control totals of the baseline stage (the historical baseline). */
  baseline: ArmTotals;
  /** Control totals of the current stage. */
  stageControl: ArmTotals;
  /** Candidate totals of the current stage. */
  stageCandidate: ArmTotals;
  /** Control totals of the last earlier stage that had control traffic (the full stage's fallback reference). */
  previousControl: ArmTotals | null;
  /** Per statistical rule of the current stage: running minimum always-valid p-value (1 for alpha-spending rules). */
  ruleStates: number[];
  ab: AbTestState;
  /**
   * The conclusion of the most recent A/B test that reached one, and the index of its stage.
   * Unlike `ab` (replaced by a fresh state when the rollout leaves the stage, possibly in the
   * very step that concluded the test), this is kept for the rest of the rollout, so a caller
   * can read the winner after the step that advanced. Null until an A/B test concludes; absent
   * (read it as null) in states saved before this field existed.
   */
  lastAbConclusion?: { stageIndex: number; conclusion: AbConclusion } | null;
  /** When the candidate reached 100%, or null. */
  fullSince: number | null;
  /** The audit trail: every decision, appended. */
  events: DecisionEvent[];
}

/** A fresh A/B test state. */
export function initialAbTestState(): AbTestState {
  return { plannedSampleSize: null, lookFractions: [], alwaysValidPValue: 1, conclusion: null, segments: {} };
}

/**
 * The state of a rollout of `policy` that begins at `startTime` (seconds) in its first stage.
 * Throws a `RangeError` listing the problems when the policy is invalid.
 */
export function initialState(policy: Policy, startTime: number): ControllerState {
  if (!Number.isFinite(startTime)) throw new RangeError(`startTime must be a finite number of seconds, got ${startTime}`);
  const compiled = compilePolicy(policy);
  const first = compiled.stages[0];
  return {
    version: 1,
    status: 'running',
    stageIndex: 0,
    stageKind: first.kind,
    stageStartTime: startTime,
    time: startTime,
    candidateTraffic: first.traffic,
    passedDuration: 0,
    consecutiveFailures: 0,
    failureCount: emptyFailureCount(),
    looks: 0,
    baselineEstablished: false,
    baseline: emptyArmTotals(),
    stageControl: emptyArmTotals(),
    stageCandidate: emptyArmTotals(),
    previousControl: null,
    ruleStates: new Array<number>(first.statisticalSlots).fill(1),
    ab: initialAbTestState(),
    lastAbConclusion: null,
    fullSince: first.traffic >= 1 ? startTime : null,
    events: [],
  };
}

/** A deep copy of `state` (a snapshot that later steps will not change). Cost O(size of the log). */
export function cloneState(state: ControllerState): ControllerState {
  return JSON.parse(JSON.stringify(state)) as ControllerState;
}
