/**
 * What the replicate loop asks a window generator for, and what both fidelity modes return:
 * the contract that lets `replicate.ts` drive either mode with the same code.
 */
import type { WindowMetrics } from '../engine/metrics/windowMetrics.ts';
import type { StageKind } from '../engine/policy/policy.ts';
import type { ArmConditions } from './world.ts';

/** One check window to simulate. */
export interface WindowRequest {
  /** Window [start, start + duration), seconds. */
  start: number;
  duration: number;
  stageKind: StageKind;
  /**
   * When the current stage started (the controller's `stageStartTime`), seconds: the start of an
   * A/B stage's cumulative metric values (`ArmWindow.valuesSince`). Absent: the generators take
   * the first of a run of consecutive A/B windows as the start.
   */
  stageStart?: number;
  /** Share of users the candidate serves (the controller's `candidateTraffic`). */
  candidateShare: number;
  /** Share of traffic mirrored to the candidate (shadow stages), else 0. */
  mirrorShare: number;
  /** Whether to report latency percentiles (some rule or gate reads them). */
  needsLatency: boolean;
  /**
   * Whether the control arm's latency carries its sketch (`LatencySummary.sketch`, a
   * `LatencySketchJson`), for the engine to pool: set on the baseline stage's windows of a
   * historical-baseline policy whose ratio rules read a latency metric (`PolicyPlan.needsLatencySketch`),
   * never on other windows or on the candidate arm. The per-request mode sends the window's real
   * sketch, the windowed mode a banded one (baselineSketchBands.ts). Absent: false.
   */
  needsLatencySketch?: boolean;
  /** Whether to report successes/outcomes (A/B stages). */
  needsOutcomes: boolean;
  /**
   * Whether to break each arm's counts down by segment (`ArmWindow.segments`: an A/B stage with
   * `segmentKeys`). The arm's totals are then the sums of its segments' counts.
   */
  needsSegments: boolean;
  control: ArmConditions;
  candidate: ArmConditions;
  /** The truth during this window (for exposure accounting). */
  candidateWorse: boolean;
}

/** Running exposure of one replicate, accumulated by a generator over its windows. */
export interface Exposure {
  /** Requests the candidate served (not mirrored) in total. */
  candidateRequests: number;
  /** Requests the candidate served while it was worse than the tolerance. */
  requestsServedWhileWorse: number;
  /**
   * Distinct users the candidate served while worse: counted exactly in the per-request mode,
   * its expectation given the traffic in the windowed mode.
   */
  usersServedWhileWorse: number;
  /** Failed requests (errors) the candidate served to users (control's happen whatever the policy). */
  failedRequests: number;
}

/** A window generator: one per replicate, fed the replicate's random stream. */
export interface WindowGenerator {
  /** Simulates one window; returns the metrics the engine receives. */
  next(request: WindowRequest): WindowMetrics;
  /** Exposure so far (call `finish` first for the windowed mode's user expectation). */
  exposure(): Exposure;
}

/** The fidelity modes. */
export type FidelityMode = 'request' | 'window';
