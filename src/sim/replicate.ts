/**
 * One replicate: a world, a policy and a random stream → an outcome (DESIGN.md §4).
 *
 * The simulator never decides anything itself: it generates each check window (in the chosen
 * fidelity mode) and hands it to the engine's `step`, exactly as a production controller would,
 * until the engine rolls back or promotes, or the scenario's horizon passes. The truth is read
 * from the scenario (the candidate's real parameters), never from the sampled data, and the
 * outcome is scored against it.
 */

import type { CompiledPolicy } from '../engine/controller/compilePolicy.ts';
import { compilePolicy } from '../engine/controller/compilePolicy.ts';
import { initialState } from '../engine/controller/controllerState.ts';
import type { Decision, DecisionReason } from '../engine/controller/decision.ts';
import { step } from '../engine/controller/step.ts';
import type { WindowMetrics } from '../engine/metrics/windowMetrics.ts';
import type { Policy } from '../engine/policy/policy.ts';
import type { Random } from '../engine/random/prng.ts';
import { baselineSketchBands, referencedQuantiles } from './baselineSketchBands.ts';
import type { Exposure, FidelityMode, WindowGenerator, WindowRequest } from './windowRequest.ts';
import { orderStatisticsWindows } from './windowsOrderStatistics.ts';
import { perRequestWindows } from './windowsPerRequest.ts';
import type { World } from './world.ts';
import { candidateIsWorse, conditionsAt, emptyConditions } from './world.ts';

/** What happened in one replicate, scored against the truth. */
export interface ReplicateOutcome {
  /** The engine's final decision, or `undecided` when the horizon passed first. */
  decision: 'rollback' | 'promote' | 'undecided';
  /** Index and name of the stage the rollout ended in (the last stage it was in). */
  stageReached: number;
  stageName: string;
  /** Seconds from the start to the rollback or promotion; null when undecided. */
  decisionTime: number | null;
  /** Truth: the candidate was worse than the tolerance in some window of the rollout. */
  candidateWorse: boolean;
  /** Start of the first window in which the candidate was worse, seconds; null if never. */
  firstWorseTime: number | null;
  /** Rolled back a candidate that was never worse. */
  falseRollback: boolean;
  /** Promoted a candidate that was worse at some time of the rollout. */
  missedRegression: boolean;
  /**
   * Start of the first window in which the candidate was worse AND received traffic (served to
   * users or mirrored in shadow), seconds; null if never (worse only while serving nobody, or
   * never worse).
   */
  firstExposedWorseTime: number | null;
  /**
   * Rolled back a worse candidate: seconds from the start of its first window that was both worse
   * and exposed to traffic (`firstExposedWorseTime`) to the decision — the time a regression ran
   * on real (served or mirrored) traffic before it was caught, not counting baseline windows in
   * which the candidate served nobody. A worse candidate rolled back before any exposed worse
   * window (e.g. by a guard during the baseline) counts as detected at 0. Null when the outcome
   * is not a rollback of a worse candidate.
   */
  detectionTime: number | null;
  /** Whether the rollout reached an A/B stage, and which arm its test declared the winner. */
  reachedAbTest: boolean;
  abWinner: 'candidate' | 'control' | null;
  /**
   * The A/B test's report by segment (`segmentKeys`), when it had one with an analysis: whether a
   * segment's winner differs from the better model overall at the test's α (a winner the
   * aggregate hid; controller/segmentReport.ts). Null without such a report.
   */
  segmentWinner: boolean | null;
  /** Check windows simulated. */
  windows: number;
  exposure: Exposure;
}

/** Settings of one replicate. */
export interface ReplicateOptions {
  mode: FidelityMode;
  /**
   * Observes every window and decision (tests, the app's replay); keep it cheap. The request
   * object and its `control` and `candidate` condition objects are reused from window to window
   * (updated in place): copy what you keep.
   */
  onWindow?: (window: WindowRequest, metrics: WindowMetrics, decision: Decision) => void;
  /** Another window generator than the mode's (benchmarks' naive reference); overrides `mode`. */
  generator?: (world: World, random: Random) => WindowGenerator;
}

/** Per policy and world, which stages need latency and outcomes (computed once per run). */
export interface PolicyPlan {
  compiled: CompiledPolicy;
  needsLatency: boolean[];
  needsOutcomes: boolean[];
  /** A/B stages with segment keys: windows broken down by segment. */
  needsSegments: boolean[];
  /**
   * Stages whose control arm carries its latency sketch (`WindowRequest.needsLatencySketch`): the
   * baseline stage of a historical policy some ratio rule of which reads a latency metric — the
   * only windows whose pooled latency the engine reads as a reference. (Absolute rules and shadow
   * gates read no baseline; other policies' windows, and so their random streams, are unchanged.)
   */
  needsLatencySketch: boolean[];
}

/**
 * What each stage's windows must report: latency when a rule or shadow gate reads it (and in
 * the baseline stage when any later stage does, for the historical reference); successes and
 * outcomes in A/B stages (and the baseline, which can plan the A/B test). O(stages).
 */
export function planPolicy(policy: Policy): PolicyPlan {
  const compiled = compilePolicy(policy);
  const anyLatency = compiled.stages.some((stage) => stage.needsLatency || stage.kind === 'shadow');
  const anyAb = compiled.stages.some((stage) => stage.kind === 'ab');
  const readsBaselineLatency = compiled.baselineMode === 'historical' && referencedQuantiles(compiled).length > 0;
  return {
    compiled,
    needsLatency: compiled.stages.map(
      (stage) => stage.needsLatency || stage.kind === 'shadow' || (stage.kind === 'baseline' && anyLatency),
    ),
    needsOutcomes: compiled.stages.map((stage) => stage.kind === 'ab' || (stage.kind === 'baseline' && anyAb)),
    needsSegments: compiled.stages.map((stage) => stage.kind === 'ab' && stage.segmentKeys.length > 0),
    needsLatencySketch: compiled.stages.map((stage) => stage.kind === 'baseline' && readsBaselineLatency),
  };
}

/**
 * The window generator of a fidelity mode. With `plan`, the windowed mode gets the baseline
 * sketches' bands when the plan asks for sketches (`baselineSketchBands`, memoised per world).
 */
export function windowGenerator(world: World, random: Random, mode: FidelityMode, plan?: PolicyPlan): WindowGenerator {
  if (mode === 'request') return perRequestWindows(world, random);
  const bands = plan?.needsLatencySketch.some(Boolean) ? baselineSketchBands(world, plan.compiled) : null;
  return orderStatisticsWindows(world, random, 'user', bands);
}

/**
 * From one step's reasons: null unless they hold an A/B report by segment with an analysis;
 * then whether some key's strongest disagreeing segment is significant at `alpha`.
 */
function segmentFinding(reasons: readonly DecisionReason[], alpha: number): boolean | null {
  let finding: boolean | null = null;
  for (const reason of reasons) {
    if (reason.rule !== 'segments' || reason.observed === null) continue;
    finding = finding === true || (reason.pValue !== undefined && reason.pValue < alpha);
  }
  return finding;
}

/**
 * Runs one replicate of `policy` in `world` with the random stream `random` (use
 * `streamFor(seed, replicate)`). Time starts at 0 (midnight of day 0 for the daily cycle); each
 * window lasts the current stage's check interval (clipped at the horizon). Cost: O(windows)
 * in the windowed mode, O(requests) in the per-request mode.
 */
export function runReplicate(world: World, policy: Policy, plan: PolicyPlan, random: Random, options: ReplicateOptions): ReplicateOutcome {
  const generator = options.generator ? options.generator(world, random) : windowGenerator(world, random, options.mode, plan);
  const compiled = plan.compiled;
  const horizon = world.scenario.horizon;
  const state = initialState(policy, 0);
  const control = emptyConditions();
  const candidate = emptyConditions();
  let time = 0;
  let hoursServed = 0;
  let firstWorseTime: number | null = null;
  let firstExposedWorseTime: number | null = null;
  let reachedAbTest = false;
  let windows = 0;
  let decisionTime: number | null = null;
  let segmentWinner: boolean | null = null;
  let worse = false;
  // One request object and one window list, updated in place each window (allocation-light loop).
  const first = compiled.stages[0];
  const request: WindowRequest = {
    start: 0,
    duration: 0,
    stageKind: first.kind,
    candidateShare: 0,
    mirrorShare: 0,
    needsLatency: false,
    needsOutcomes: false,
    needsSegments: false,
    control,
    candidate,
    candidateWorse: false,
  };
  const windowList: WindowMetrics[] = [];
  while (state.status === 'running' && time < horizon) {
    const stage = compiled.stages[state.stageIndex];
    if (stage.kind === 'ab') reachedAbTest = true;
    const duration = Math.min(stage.checkInterval, horizon - time);
    if (windows === 0 || !world.timeInvariant) {
      conditionsAt(world, time + duration / 2, hoursServed, control, candidate);
      worse = candidateIsWorse(world, control, candidate);
    }
    if (worse && firstWorseTime === null) firstWorseTime = time;
    request.start = time;
    request.duration = duration;
    request.stageKind = stage.kind;
    request.stageStart = state.stageStartTime;
    request.candidateShare = state.candidateTraffic;
    request.mirrorShare = stage.mirrorTraffic;
    request.needsLatency = plan.needsLatency[state.stageIndex];
    request.needsOutcomes = plan.needsOutcomes[state.stageIndex];
    request.needsSegments = plan.needsSegments[state.stageIndex];
    request.needsLatencySketch = plan.needsLatencySketch[state.stageIndex];
    request.candidateWorse = worse;
    const metrics = generator.next(request);
    // Time the candidate has been running on real traffic (served or mirrored), for slow leaks.
    const exposed = request.candidateShare > 0 || request.mirrorShare > 0;
    if (exposed) hoursServed += duration / 3600;
    if (exposed && worse && firstExposedWorseTime === null) firstExposedWorseTime = time;
    windowList[0] = metrics;
    const result = step(state, windowList, policy);
    // The replicate never reads the controller's audit trail: drop each step's event at once, so
    // that events die young instead of surviving hundreds of windows into the old generation
    // (garbage collection was ~7% of the windowed mode's time). Decisions still reach `onWindow`.
    while (state.events.length > 0) state.events.pop();
    if (stage.kind === 'ab' && stage.segmentKeys.length > 0 && segmentWinner === null)
      segmentWinner = segmentFinding(result.reasons, stage.ab!.alpha);
    options.onWindow?.(request, metrics, result.decision);
    windows += 1;
    time += duration;
    if (result.decision === 'rollback' || result.decision === 'promote') decisionTime = time;
  }
  const decision = state.status === 'rolledBack' ? 'rollback' : state.status === 'promoted' ? 'promote' : 'undecided';
  const candidateWorse = firstWorseTime !== null;
  // The controller keeps the last A/B conclusion after it leaves the stage (controllerState.ts).
  const conclusion = state.lastAbConclusion?.conclusion ?? null;
  return {
    decision,
    stageReached: state.stageIndex,
    stageName: compiled.stages[state.stageIndex].name,
    decisionTime,
    candidateWorse,
    firstWorseTime,
    firstExposedWorseTime,
    falseRollback: decision === 'rollback' && !candidateWorse,
    missedRegression: decision === 'promote' && candidateWorse,
    detectionTime:
      decision === 'rollback' && candidateWorse && decisionTime !== null
        ? firstExposedWorseTime === null
          ? 0
          : decisionTime - firstExposedWorseTime
        : null,
    reachedAbTest,
    abWinner: conclusion === 'candidateBetter' ? 'candidate' : conclusion === 'candidateWorse' ? 'control' : null,
    segmentWinner,
    windows,
    exposure: generator.exposure(),
  };
}
