/**
 * The stage controller: `step(state, windows, policy) → { state, decision, reasons }`
 * (DESIGN.md §2) and the kill switch.
 *
 * Each call folds the new check window(s) into the state and decides:
 * - baseline: collect control; advance once the minimum duration AND minimum requests are met;
 * - shadow: collect comparisons; at the minimum duration judge the gates (agreement, p95 and
 *   error ratios against control, minimum comparisons): pass → advance, fail → rollback, too
 *   few comparisons → hold;
 * - canary and full: evaluate the health rules against the reference (historical baseline or
 *   the control arm of the same window); a failing check counts toward the failure limit
 *   (→ rollback) as the stage's `failureCounting` says (consecutive, total or M of the last N,
 *   failureCount.ts), a passing one adds the window to the stage's passed time (and resets a
 *   consecutive count); advance when the passed time reaches the minimum duration;
 * - A/B: the guardrails as above, then the test of the success rate by its design (fixed
 *   horizon with `decideAB` at the planned sample size; group-sequential Lan–DeMets boundaries at
 *   the current information fraction n/N, rounded to 1/200 at non-final looks and cached
 *   (lookBoundaries.ts); always-valid mSPRT p-value, ending at the planned sample): candidate
 *   better → advance (after the minimum duration), worse → rollback; the test ending at its
 *   planned maximum information without showing a difference (a fixed-design TIE included) →
 *   `onInconclusive`, the same for every design. With `test.metrics` the metric list decides
 *   by the multi-metric rule (abMetrics.ts). With `segmentKeys`, the windows' per-segment outcomes are tallied and, when
 *   the test concludes, reported by segment (segmentReport.ts); the report does not change the decision.
 *
 * Guards, always: missing data (no window, no candidate or control data, fewer requests than
 * `minRequests`, a latency rule without latency, historical baseline not established) never
 * passes, never counts toward the minimum duration, and never advances a stage: it HOLDS, or —
 * for a check window with too little data, as `onNoData` says — counts as a failing check or as
 * an inconclusive one; at `inconclusiveLimit` inconclusive checks the stage pauses (holds without
 * checking) until its maximum duration. When the
 * stage reaches its maximum duration without advancing, `onMaxDuration` applies: 'rollback', or
 * 'hold' (the stage stays held, the decision is left to a person). A flag that has served 100%
 * longer than `flag.retireAfter` adds a `flagRetirement` reason to every decision.
 *
 * Performance: the policy is compiled once per policy object (WeakMap); the state is updated in
 * place (see controllerState.ts); a passing check allocates one reason, one event and the result;
 * the numbers in messages are printed without `toPrecision` (formatSignificant.ts).
 */
import type { ArmWindow, WindowMetrics } from '../metrics/windowMetrics.ts';
import { mergeWindowMetrics } from '../metrics/windowMetrics.ts';
import type { HealthMetric, Policy } from '../policy/policy.ts';
import { decideAB } from '../stats/abDecision.ts';
import { mixtureLikelihoodRatio } from '../stats/alwaysValid.ts';
import { normalSf } from '../stats/distributions.ts';
import { twoProportionZTest } from '../stats/proportions.ts';
import { requiredSampleSize } from '../stats/sampleSize.ts';
import { formatDuration } from '../text/format.ts';
import type { CompiledAbMetric } from './abMetricEstimate.ts';
import { abMetricsOf, cumulativeValuesProblem, missingAbMetrics, runAbMetrics, withoutMetricValues } from './abMetrics.ts';
import type { ArmTotals } from './armTotals.ts';
import { addArmWindow, armMetric, clearArmTotals, totalsMetric } from './armTotals.ts';
import type { CompiledAbsoluteRule, CompiledPolicy, CompiledRatioRule, CompiledStage, CompiledStatisticalRule } from './compilePolicy.ts';
import { compilePolicy } from './compilePolicy.ts';
import type { AbConclusion, ControllerState } from './controllerState.ts';
import { initialAbTestState } from './controllerState.ts';
import type { Decision, DecisionReason } from './decision.ts';
import { decisionReason as reason } from './decision.ts';
import type { FailureCount } from './failureCount.ts';
import {
  countCheck,
  countInconclusive,
  countOnStageEntry,
  emptyFailureCount,
  failureCountMessage,
  failureCountMetric,
  failuresCounted,
  isPaused,
} from './failureCount.ts';
import { fourSignificantDigits } from './formatSignificant.ts';
import { lookBoundary, lookInformationFraction } from './lookBoundaries.ts';
import { addSegmentOutcomes, segmentReports } from './segmentReport.ts';
import { shiftedProportionZ } from './sequentialTests.ts';

/** What `step` returns: the (updated) state, the decision and its reasons. */
export interface StepResult {
  state: ControllerState;
  decision: Decision;
  reasons: DecisionReason[];
}

/** A check's outcome; `noData` is a hold for too little data, which `onNoData` may count instead (failureCount.ts). */
type CheckOutcome = 'pass' | 'fail' | 'hold' | 'noData';

/**
 * A health metric in messages. A switch, not a lookup table: the table read with the metric of
 * whichever rule was closest made V8's mid-tier compiler (Maglev, in Chromium) deoptimize the
 * health check again and again ("unexpected name in keyed access", 28 times in one lab sweep).
 */
function metricLabel(metric: HealthMetric): string {
  switch (metric) {
    case 'errorRate':
      return 'error rate';
    case 'timeoutRate':
      return 'timeout rate';
    case 'latencyP50':
      return 'p50 latency';
    case 'latencyP95':
      return 'p95 latency';
    case 'latencyP99':
      return 'p99 latency';
  }
}

/** Numbers in messages: 4 significant digits (a fast, identical form of toPrecision(4)). */
const show = fourSignificantDigits;

/**
 * Durations already written, by whole second: a controller writes the same few at every window
 * (stage lengths, elapsed multiples of the check interval), so each is formatted once instead of
 * once per window (formatting was 2-5% of the windowed simulator's allocation). Bounded.
 */
const durationTexts = new Map<number, string>();
const DURATION_TEXTS = 4096;

/** Seconds as policies write durations (`2h`, `5m`, `90s`, `1h30m`), rounded to the second; `∞` for no limit. */
function showDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '∞';
  const whole = Math.round(seconds);
  let text = durationTexts.get(whole);
  if (text === undefined) {
    text = formatDuration(whole);
    if (durationTexts.size < DURATION_TEXTS) durationTexts.set(whole, text);
  }
  return text;
}

/** Appends the decision to the audit trail (plus the flag-retirement reminder) and returns the result. */
function record(
  state: ControllerState,
  compiled: CompiledPolicy,
  stage: CompiledStage,
  decision: Decision,
  reasons: DecisionReason[],
): StepResult {
  if (state.fullSince !== null && compiled.retireAfter !== null) {
    const atFull = state.time - state.fullSince;
    const retireAfter = compiled.retireAfter;
    if (atFull >= retireAfter) {
      reasons.push(
        reason(
          'flagRetirement',
          'timeAtFullTraffic',
          atFull,
          retireAfter,
          `flag '${compiled.flagName}' has served 100% for ${showDuration(atFull)}, past its retirement time of ${showDuration(retireAfter)}: remove it from the code`,
        ),
      );
    }
  }
  state.events.push({
    time: state.time,
    stageIndex: stage.index,
    stage: stage.name,
    kind: stage.kind,
    decision,
    candidateTraffic: state.candidateTraffic,
    reasons,
  });
  return { state, decision, reasons };
}

/**
 * Moves to the next stage (or past the last one) and returns `advance` or `promote`. Entering a
 * `promote` stage, or completing the last stage, promotes the candidate.
 */
function advance(state: ControllerState, compiled: CompiledPolicy, time: number): Decision {
  const from = compiled.stages[state.stageIndex];
  if (from.kind === 'baseline') state.baselineEstablished = true;
  if (state.stageControl.requests > 0) state.previousControl = { ...state.stageControl };
  const nextIndex = state.stageIndex + 1;
  if (nextIndex >= compiled.stages.length) {
    state.status = 'promoted';
    state.candidateTraffic = 1;
    state.fullSince ??= time;
    return 'promote';
  }
  const next = compiled.stages[nextIndex];
  state.stageIndex = nextIndex;
  state.stageKind = next.kind;
  state.stageStartTime = time;
  state.passedDuration = 0;
  setFailureCount(state, countOnStageEntry(currentFailureCount(state), next.failureCounting));
  state.looks = 0;
  clearArmTotals(state.stageControl);
  clearArmTotals(state.stageCandidate);
  state.ruleStates = new Array<number>(next.statisticalSlots).fill(1);
  state.ab = initialAbTestState();
  state.candidateTraffic = next.traffic;
  if (next.traffic >= 1) state.fullSince ??= time;
  if (next.kind === 'promote') {
    state.status = 'promoted';
    return 'promote';
  }
  return 'advance';
}

function rollBack(state: ControllerState): Decision {
  state.status = 'rolledBack';
  state.candidateTraffic = 0;
  return 'rollback';
}

/** Applies the maximum-duration rule to a `continue`/`hold` decision. */
function checkMaxDuration(state: ControllerState, stage: CompiledStage, decision: Decision, reasons: DecisionReason[]): Decision {
  if (decision !== 'continue' && decision !== 'hold') return decision;
  const elapsed = state.time - state.stageStartTime;
  if (elapsed < stage.maxDuration) return decision;
  const action = stage.onMaxDuration === 'rollback' ? 'rolling back' : 'holding for a person to decide';
  reasons.push(
    reason(
      'maxDuration',
      'stageDuration',
      elapsed,
      stage.maxDuration,
      `${stage.name} ran ${showDuration(elapsed)}, reaching its maximum ${showDuration(stage.maxDuration)} without a conclusion: ${action}`,
    ),
  );
  return stage.onMaxDuration === 'rollback' ? rollBack(state) : 'hold';
}

/** The state's failure counts (a state saved before counting modes: its consecutive failures). */
function currentFailureCount(state: ControllerState): FailureCount {
  return state.failureCount ?? { ...emptyFailureCount(), consecutive: state.consecutiveFailures };
}

function setFailureCount(state: ControllerState, count: FailureCount): void {
  state.failureCount = count;
  state.consecutiveFailures = count.consecutive;
}

/** What a window with too little data does under the stage's `onNoData`, for the reason that names the shortage. */
function noDataAction(stage: CompiledStage): string {
  const onNoData = stage.failureCounting.onNoData;
  return onNoData === 'hold' ? 'hold' : onNoData === 'fail' ? 'a failing check (onNoData: fail)' : 'inconclusive (onNoData: inconclusive)';
}

/** Counts an inconclusive check (too little data, `onNoData: 'inconclusive'`) and says how far it is from the pause. */
function countInconclusiveCheck(state: ControllerState, stage: CompiledStage, reasons: DecisionReason[]): void {
  const count = countInconclusive(currentFailureCount(state));
  setFailureCount(state, count);
  const limit = stage.failureCounting.inconclusiveLimit;
  const n = count.inconclusive;
  const message = isPaused(count, stage.failureCounting)
    ? `${n} inconclusive checks reached the limit of ${limit}: ${stage.name} pauses until its maximum duration (${showDuration(stage.maxDuration)})`
    : `inconclusive check ${n}${Number.isFinite(limit) ? ` of ${limit} before the stage pauses` : ''}: holding`;
  reasons.push(reason('inconclusiveLimit', 'inconclusiveChecks', n, limit, message));
}

/** Turns a check outcome into a decision: failure limit, passed time, minimum duration. */
function settle(
  state: ControllerState,
  compiled: CompiledPolicy,
  stage: CompiledStage,
  window: WindowMetrics,
  outcome: CheckOutcome,
  reasons: DecisionReason[],
  readyToAdvance: boolean | null,
): Decision {
  let decision: Decision;
  const counting = stage.failureCounting;
  let counted = outcome;
  if (outcome === 'noData') {
    if (counting.onNoData === 'fail') counted = 'fail';
    else {
      if (counting.onNoData === 'inconclusive') countInconclusiveCheck(state, stage, reasons);
      counted = 'hold';
    }
  }
  if (counted === 'fail') {
    const count = countCheck(currentFailureCount(state), true);
    setFailureCount(state, count);
    const failures = failuresCounted(count, counting);
    const message = failureCountMessage(count, counting);
    reasons.push(reason('failureLimit', failureCountMetric(counting), failures, counting.limit, message));
    if (failures >= counting.limit) return rollBack(state);
    decision = 'hold';
  } else if (counted === 'hold') {
    decision = 'hold';
  } else {
    setFailureCount(state, countCheck(currentFailureCount(state), false));
    state.passedDuration += window.duration;
    const ready = readyToAdvance ?? state.passedDuration >= stage.minDuration;
    if (ready) {
      const passed = state.passedDuration;
      reasons.push(
        reason(
          'stageComplete',
          'passedDuration',
          passed,
          stage.minDuration,
          `${stage.name} passed its checks for ${showDuration(passed)} (minimum ${showDuration(stage.minDuration)})`,
        ),
      );
      return advance(state, compiled, state.time);
    }
    decision = 'continue';
  }
  return checkMaxDuration(state, stage, decision, reasons);
}

/** Baseline stage: control data accumulates into the historical baseline. */
function stepBaseline(
  state: ControllerState,
  compiled: CompiledPolicy,
  stage: CompiledStage,
  window: WindowMetrics,
  reasons: DecisionReason[],
): Decision {
  const control = window.control;
  if (!control || control.requests === 0) {
    reasons.push(
      reason('missingData', 'controlRequests', control ? 0 : null, null, 'no control data in the window: the baseline cannot grow (hold)'),
    );
    return settle(state, compiled, stage, window, 'hold', reasons, false);
  }
  addArmWindow(state.baseline, control);
  addArmWindow(state.stageControl, control);
  const enoughTime = state.passedDuration + window.duration >= stage.minDuration;
  const enoughRequests = state.baseline.requests >= stage.baselineMinRequests;
  if (!(enoughTime && enoughRequests)) {
    const baselineRequests = state.baseline.requests;
    const covered = state.passedDuration + window.duration;
    reasons.push(
      reason(
        'baseline',
        'controlRequests',
        baselineRequests,
        stage.baselineMinRequests,
        `baseline has ${baselineRequests} of ${stage.baselineMinRequests} control requests over ${showDuration(covered)} of ${showDuration(stage.minDuration)}`,
      ),
    );
  }
  return settle(state, compiled, stage, window, 'pass', reasons, enoughTime && enoughRequests);
}

/** Shadow stage: the gates are judged on the accumulated comparisons once the minimum duration has passed. */
function stepShadow(
  state: ControllerState,
  compiled: CompiledPolicy,
  stage: CompiledStage,
  window: WindowMetrics,
  reasons: DecisionReason[],
): Decision {
  const { control, candidate } = window;
  const gates = stage.shadow!.gates;
  if (
    !control ||
    !candidate ||
    control.requests === 0 ||
    candidate.requests === 0 ||
    candidate.compared === undefined ||
    candidate.agreements === undefined
  ) {
    reasons.push(
      reason(
        'missingData',
        'compared',
        candidate?.compared ?? null,
        gates.minComparisons,
        'shadow window without control, candidate or comparison data (candidate.agreements/compared): hold',
      ),
    );
    return settle(state, compiled, stage, window, 'hold', reasons, false);
  }
  addArmWindow(state.stageControl, control);
  addArmWindow(state.stageCandidate, candidate);
  const totals = state.stageCandidate;
  const compared = totals.compared;
  const agreement = compared > 0 ? totals.agreements / compared : NaN;
  if (state.passedDuration + window.duration < stage.minDuration) {
    reasons.push(
      reason(
        'shadowGate',
        'agreement',
        agreement,
        gates.minAgreement,
        `shadow so far: agreement ${show(agreement)} over ${compared} comparisons (gate > ${gates.minAgreement})`,
      ),
    );
    return settle(state, compiled, stage, window, 'pass', reasons, false);
  }
  if (compared < gates.minComparisons) {
    reasons.push(
      reason(
        'shadowGate',
        'compared',
        compared,
        gates.minComparisons,
        `only ${compared} comparisons, ${gates.minComparisons} needed before judging the shadow gates: hold`,
      ),
    );
    return settle(state, compiled, stage, window, 'hold', reasons, false);
  }
  const candidateP95 = totalsMetric(totals, 'latencyP95');
  const controlP95 = totalsMetric(state.stageControl, 'latencyP95');
  if (Number.isNaN(candidateP95) || Number.isNaN(controlP95)) {
    reasons.push(
      reason(
        'missingData',
        'latencyP95',
        null,
        gates.maxLatencyRatio,
        'shadow windows carry no latency for both arms: the p95 gate cannot be judged (hold)',
      ),
    );
    return settle(state, compiled, stage, window, 'hold', reasons, false);
  }
  const candidateErrors = totals.errors / totals.requests;
  const controlErrors = state.stageControl.errors / state.stageControl.requests;
  const latencyRatio = candidateP95 / controlP95;
  const errorRatio = candidateErrors === 0 ? 0 : candidateErrors / controlErrors;
  const failed: DecisionReason[] = [];
  const gateReasons = [
    [
      agreement > gates.minAgreement,
      reason(
        'shadowGate',
        'agreement',
        agreement,
        gates.minAgreement,
        `agreement ${show(agreement)} over ${compared} comparisons (${stage.shadow!.comparison.method}) must be above ${gates.minAgreement}`,
      ),
    ],
    [
      candidateP95 < gates.maxLatencyRatio * controlP95,
      reason(
        'shadowGate',
        'latencyP95Ratio',
        latencyRatio,
        gates.maxLatencyRatio,
        `p95 latency ${show(candidateP95)} ms vs control ${show(controlP95)} ms: ratio ${show(latencyRatio)} must be below ${gates.maxLatencyRatio}`,
      ),
    ],
    [
      candidateErrors === 0 || candidateErrors < gates.maxErrorRatio * controlErrors,
      reason(
        'shadowGate',
        'errorRateRatio',
        errorRatio,
        gates.maxErrorRatio,
        `error rate ${show(candidateErrors)} vs control ${show(controlErrors)}: ratio ${show(errorRatio)} must be below ${gates.maxErrorRatio}`,
      ),
    ],
  ] as const;
  for (const [passed, entry] of gateReasons) if (!passed) failed.push(entry);
  if (failed.length > 0) {
    reasons.push(...failed);
    return rollBack(state);
  }
  for (const [, entry] of gateReasons) reasons.push(entry);
  return settle(state, compiled, stage, window, 'pass', reasons, true);
}

/** Reference for ratio and statistical rules: a window arm (concurrent) or totals (historical / fallback). */
interface Reference {
  arm: ArmWindow | null;
  totals: ArmTotals | null;
  /** Totals to test cumulative counts against. */
  cumulative: ArmTotals;
  label: string;
}

/**
 * Evaluates the stage's health rules (canary and full rules, A/B guardrails) on one window.
 * Failing rules push their reasons; when all pass, the rule closest to firing is reported.
 */
function checkHealth(
  state: ControllerState,
  compiled: CompiledPolicy,
  stage: CompiledStage,
  window: WindowMetrics,
  reasons: DecisionReason[],
): CheckOutcome {
  const candidate = window.candidate;
  const minRequests = stage.minRequests;
  if (!candidate || candidate.requests < minRequests) {
    const n = candidate ? candidate.requests : 0;
    reasons.push(
      reason(
        'minRequests',
        'candidateRequests',
        n,
        minRequests,
        `candidate served ${n} requests, fewer than the ${minRequests} a rule needs: ${noDataAction(stage)}`,
      ),
    );
    return 'noData';
  }
  const control = window.control;
  let reference: Reference;
  if (compiled.baselineMode === 'historical') {
    if (!state.baselineEstablished) {
      reasons.push(
        reason(
          'noBaseline',
          'baselineRequests',
          state.baseline.requests,
          null,
          'no established historical baseline (the baseline stage has not met its minimum duration and requests): hold',
        ),
      );
      return 'hold';
    }
    reference = { arm: null, totals: state.baseline, cumulative: state.baseline, label: 'baseline' };
  } else if (control && control.requests >= minRequests) {
    reference = { arm: control, totals: null, cumulative: state.stageControl, label: 'control' };
  } else if (stage.kind === 'full' && state.previousControl !== null && state.previousControl.requests >= minRequests) {
    reference = { arm: null, totals: state.previousControl, cumulative: state.previousControl, label: 'control of the previous stage' };
  } else {
    const n = control ? control.requests : 0;
    reasons.push(
      reason(
        'noBaseline',
        'controlRequests',
        n,
        minRequests,
        `concurrent baseline: control served ${n} requests in the window, fewer than ${minRequests}: ${noDataAction(stage)}`,
      ),
    );
    return 'noData';
  }
  addArmWindow(state.stageCandidate, candidate);
  if (control) addArmWindow(state.stageControl, control);
  if (stage.segmentKeys.length > 0) addSegmentOutcomes((state.ab.segments ??= {}), control, candidate);
  state.looks += 1;

  let failed = false;
  let missing = false;
  let closest: CompiledRatioRule | CompiledAbsoluteRule | null = null;
  let closestScore = -Infinity;
  let closestObserved = NaN;
  let closestReference = NaN;
  for (const rule of stage.rules) {
    if (rule.type === 'statistical') {
      const result = checkStatistical(state, rule, reference, reasons);
      if (result === 'fail') failed = true;
      else if (result === 'hold') missing = true;
      continue;
    }
    const limitValue = rule.type === 'absolute' ? rule.max : rule.maxRatio;
    const observed = armMetric(candidate, rule.metric);
    const referenceValue =
      rule.type === 'absolute' ? 0 : reference.arm ? armMetric(reference.arm, rule.metric) : totalsMetric(reference.totals!, rule.metric);
    if (Number.isNaN(observed) || Number.isNaN(referenceValue)) {
      missing = true;
      reasons.push(
        reason(
          'missingData',
          rule.metric,
          null,
          limitValue,
          `no ${metricLabel(rule.metric)} for the ${Number.isNaN(observed) ? 'candidate' : reference.label}: the ${rule.type} rule cannot be checked (hold)`,
        ),
      );
      continue;
    }
    // The value the candidate must not exceed in this window: `max`, or `maxRatio` × the reference.
    const candidateLimit = rule.type === 'absolute' ? rule.max : rule.maxRatio * referenceValue;
    if (observed > candidateLimit) {
      failed = true;
      if (rule.type === 'absolute') {
        reasons.push(
          reason(
            'absolute',
            rule.metric,
            observed,
            rule.max,
            `candidate ${metricLabel(rule.metric)} ${show(observed)} is above the limit ${rule.max}`,
          ),
        );
      } else {
        const ratio = observed / referenceValue;
        reasons.push(
          reason(
            'ratio',
            rule.metric,
            ratio,
            rule.maxRatio,
            `candidate ${metricLabel(rule.metric)} ${show(observed)} is ${show(ratio)}× the ${reference.label}'s ${show(referenceValue)} (limit ${rule.maxRatio}×)`,
          ),
        );
      }
      continue;
    }
    const score = candidateLimit > 0 ? observed / candidateLimit : 0;
    if (score > closestScore) {
      closestScore = score;
      closest = rule;
      closestObserved = observed;
      closestReference = referenceValue;
    }
  }
  if (failed) return 'fail';
  if (missing) return 'noData';
  if (closest !== null) {
    const m = closest.metric;
    if (closest.type === 'absolute') {
      reasons.push(
        reason(
          'absolute',
          m,
          closestObserved,
          closest.max,
          `healthy: candidate ${metricLabel(m)} ${show(closestObserved)} within the limit ${closest.max}`,
        ),
      );
    } else {
      const ratio = closestReference > 0 ? closestObserved / closestReference : 0;
      reasons.push(
        reason(
          'ratio',
          m,
          ratio,
          closest.maxRatio,
          `healthy: closest rule ${metricLabel(m)} at ${show(ratio)}× the ${reference.label} (limit ${closest.maxRatio}×)`,
        ),
      );
    }
  }
  return 'pass';
}

/** A statistical rule on the counts accumulated in the stage (candidate) against the reference. */
function checkStatistical(
  state: ControllerState,
  rule: CompiledStatisticalRule,
  reference: Reference,
  reasons: DecisionReason[],
): CheckOutcome {
  const candidate = state.stageCandidate;
  const base = reference.cumulative;
  if (candidate.requests === 0 || base.requests === 0) {
    reasons.push(
      reason(
        'missingData',
        rule.metric,
        null,
        null,
        `no ${reference.label} counts for the statistical ${metricLabel(rule.metric)} rule: hold`,
      ),
    );
    return 'hold';
  }
  const candidateEvents = rule.metric === 'errorRate' ? candidate.errors : candidate.timeouts;
  const referenceEvents = rule.metric === 'errorRate' ? base.errors : base.timeouts;
  const effect = rule.minimumEffect;
  const difference = candidateEvents / candidate.requests - referenceEvents / base.requests;
  if (rule.method === 'alphaSpending') {
    const boundaries = rule.boundaries!;
    const look = Math.min(state.looks, boundaries.length);
    const z = shiftedProportionZ(candidateEvents, candidate.requests, referenceEvents, base.requests, effect);
    const boundary = boundaries[look - 1];
    if (z >= boundary) {
      reasons.push(
        reason(
          'statistical',
          rule.metric,
          difference,
          effect,
          `candidate ${metricLabel(rule.metric)} exceeds the ${reference.label}'s by ${show(difference)} (> ${effect}): z ${show(z)} ≥ boundary ${show(boundary)} at look ${look} (alpha spending)`,
          z,
          normalSf(z),
        ),
      );
      return 'fail';
    }
    return 'pass';
  }
  // Always-valid: mSPRT against θ0 = minimumEffect, counted only when the estimate is above it
  // (one-sided; conservative for the composite null θ ≤ minimumEffect).
  const pc = candidateEvents / candidate.requests;
  const pr = referenceEvents / base.requests;
  const variance = (pc * (1 - pc)) / candidate.requests + (pr * (1 - pr)) / base.requests;
  let pValue = state.ruleStates[rule.slot];
  if (variance > 0 && difference > effect) {
    const mixingVariance = Math.max(effect * effect, 1e-4);
    const likelihoodRatio = mixtureLikelihoodRatio(difference, variance, mixingVariance, effect);
    pValue = Math.min(pValue, 1 / likelihoodRatio);
    state.ruleStates[rule.slot] = pValue;
  }
  if (pValue <= rule.alpha) {
    reasons.push(
      reason(
        'statistical',
        rule.metric,
        difference,
        effect,
        `candidate ${metricLabel(rule.metric)} exceeds the ${reference.label}'s by ${show(difference)} (> ${effect}): always-valid p ${show(pValue)} ≤ ${rule.alpha}`,
        undefined,
        pValue,
      ),
    );
    return 'fail';
  }
  return 'pass';
}

/** The planned outcomes per arm of the A/B test, once a control rate is known. */
function plannedSampleSize(state: ControllerState, stage: CompiledStage): number | null {
  const test = stage.ab!;
  if (test.sampleSize !== null) return test.sampleSize;
  let rate = test.baselineRate;
  if (rate === null && state.baseline.outcomes >= 100) rate = state.baseline.successes / state.baseline.outcomes;
  if (rate === null && state.stageControl.outcomes >= stage.minRequests) rate = state.stageControl.successes / state.stageControl.outcomes;
  if (rate === null) return null;
  rate = Math.min(Math.max(rate, 1e-4), 1 - 1e-4);
  const target = rate + test.minimumEffect <= 1 ? rate + test.minimumEffect : rate - test.minimumEffect;
  return requiredSampleSize({ baseline: rate, target, alpha: test.alpha, power: test.power, sides: 2, method: 'pooled' }).nPerArm;
}

/**
 * Keeps a newly reached A/B conclusion in `state.lastAbConclusion` (it outlives `state.ab`), adds
 * the report by segment when the stage has segment keys (segmentReport.ts), and returns it.
 */
function concluded(state: ControllerState, stage: CompiledStage, reasons: DecisionReason[]): ControllerState['ab']['conclusion'] {
  const conclusion = state.ab.conclusion;
  if (conclusion !== null) {
    state.lastAbConclusion = { stageIndex: stage.index, conclusion };
    for (const report of segmentReports(state.ab.segments ?? {}, stage.segmentKeys, stage.ab!.alpha)) {
      reasons.push(
        reason('segments', 'successRate', report.routingGain, null, report.message, undefined, report.disagreementPValue ?? undefined),
      );
    }
  }
  return conclusion;
}

/**
 * Runs the A/B test's design on the accumulated success counts; records and returns its
 * conclusion (also kept in `state.lastAbConclusion`).
 */
function runAbTest(state: ControllerState, stage: CompiledStage, reasons: DecisionReason[]): ControllerState['ab']['conclusion'] {
  const test = stage.ab!;
  const ab = state.ab;
  const control = state.stageControl;
  const candidate = state.stageCandidate;
  if (ab.conclusion !== null) return ab.conclusion;
  if (control.outcomes === 0 || candidate.outcomes === 0) {
    reasons.push(
      reason('abTest', 'outcomes', Math.min(control.outcomes, candidate.outcomes), null, 'A/B test: no outcomes yet in one of the arms'),
    );
    return null;
  }
  ab.plannedSampleSize ??= plannedSampleSize(state, stage);
  const planned = ab.plannedSampleSize;
  const n = Math.min(control.outcomes, candidate.outcomes);
  const a = { successes: control.successes, total: control.outcomes };
  const b = { successes: candidate.successes, total: candidate.outcomes };
  const observed = b.successes / b.total - a.successes / a.total;
  const design = test.design;

  if (design.type === 'alwaysValid') {
    const pa = a.successes / a.total;
    const pb = b.successes / b.total;
    const variance = (pa * (1 - pa)) / a.total + (pb * (1 - pb)) / b.total;
    if (variance > 0) {
      const likelihoodRatio = mixtureLikelihoodRatio(observed, variance, test.minimumEffect * test.minimumEffect, 0);
      ab.alwaysValidPValue = Math.min(ab.alwaysValidPValue, 1 / likelihoodRatio);
    }
    const p = ab.alwaysValidPValue;
    let message: string;
    if (p <= test.alpha) {
      ab.conclusion = observed > 0 ? 'candidateBetter' : 'candidateWorse';
      message = `A/B always-valid test: difference ${show(observed)} with p ${show(p)} ≤ ${test.alpha}: candidate ${observed > 0 ? 'better' : 'worse'}`;
    } else if (planned !== null && n >= planned) {
      // The planned sample is the always-valid test's maximum: it ends there like the other designs.
      ab.conclusion = 'inconclusive';
      message = `A/B always-valid test reached its planned maximum of ${planned} outcomes per arm without a difference: difference ${show(observed)}, p ${show(p)} (needs ≤ ${test.alpha})`;
    } else {
      message = `A/B always-valid test running: difference ${show(observed)}, p ${show(p)} (needs ≤ ${test.alpha}), ${n} outcomes per arm${planned === null ? '' : ` of at most ${planned}`}`;
    }
    reasons.push(reason('abTest', 'successRate', observed, test.alpha, message, undefined, p));
    return concluded(state, stage, reasons);
  }

  if (planned === null) {
    reasons.push(reason('abTest', 'outcomes', n, null, 'A/B test: waiting for enough control outcomes to plan the sample size'));
    return null;
  }

  if (design.type === 'fixed') {
    if (n < planned) {
      reasons.push(
        reason(
          'abTest',
          'outcomes',
          n,
          planned,
          `A/B fixed-horizon test: ${n} of ${planned} outcomes per arm; no peeking before the horizon`,
        ),
      );
      return null;
    }
    const result = decideAB({ a, b, alpha: test.alpha, power: test.power, minimumEffect: test.minimumEffect });
    ab.conclusion =
      result.decision === 'B_WINS'
        ? 'candidateBetter'
        : result.decision === 'A_WINS'
          ? 'candidateWorse'
          : result.decision === 'TIE'
            ? 'equivalent'
            : 'inconclusive';
    reasons.push(
      reason(
        'abTest',
        'successRate',
        result.effect,
        test.minimumEffect,
        `A/B at the planned ${planned} per arm: ${result.decision} — ${result.recommendation}`,
        result.z,
        result.pValue,
      ),
    );
    return concluded(state, stage, reasons);
  }

  // Group-sequential: look when the information fraction reaches the next planned look k/K.
  const looks = design.looks;
  const k = ab.lookFractions.length + 1;
  const fraction = Math.min(1, n / planned);
  if (k > looks || fraction < k / looks) {
    reasons.push(
      reason(
        'abTest',
        'informationFraction',
        fraction,
        Math.min(1, k / looks),
        `A/B group-sequential: information ${show(fraction)}, next look ${k} of ${looks} at ${show(k / looks)}`,
      ),
    );
    return null;
  }
  const previous = ab.lookFractions.length > 0 ? ab.lookFractions[ab.lookFractions.length - 1] : 0;
  const isFinal = fraction >= 1 || k === looks;
  // Non-final looks on a 1/200 grid, boundaries cached (lookBoundaries.ts states the rule and its effect).
  const lookFraction = isFinal ? 1 : lookInformationFraction(fraction, previous);
  ab.lookFractions.push(lookFraction);
  const boundary = lookBoundary(ab.lookFractions, isFinal, test.alpha, design.spending);
  const { z, pValue } = twoProportionZTest(b, a, 'two-sided');
  if (z >= boundary) ab.conclusion = 'candidateBetter';
  else if (z <= -boundary) ab.conclusion = 'candidateWorse';
  else if (isFinal) ab.conclusion = 'inconclusive';
  const verdict =
    ab.conclusion === 'candidateBetter'
      ? 'candidate better'
      : ab.conclusion === 'candidateWorse'
        ? 'candidate worse'
        : ab.conclusion === 'inconclusive'
          ? 'inconclusive at the final look'
          : 'continue';
  reasons.push(
    reason(
      'abTest',
      'successRate',
      observed,
      boundary,
      `A/B group-sequential look ${k} of ${looks} at information ${show(lookFraction)}: z ${show(z)} vs boundary ±${show(boundary)} (${design.spending}): ${verdict}`,
      z,
      pValue,
    ),
  );
  return concluded(state, stage, reasons);
}

/** The metric list's test (abMetrics.ts); a new conclusion is recorded like the success rate's (`concluded`). */
function runAbMetricList(
  state: ControllerState,
  stage: CompiledStage,
  metrics: readonly CompiledAbMetric[],
  reasons: DecisionReason[],
): AbConclusion | null {
  if (state.ab.conclusion !== null) return state.ab.conclusion;
  return runAbMetrics(state, stage, metrics, reasons) === null ? null : concluded(state, stage, reasons);
}

/** A/B stage: guardrails every window, then the test. */
function stepAb(
  state: ControllerState,
  compiled: CompiledPolicy,
  stage: CompiledStage,
  window: WindowMetrics,
  reasons: DecisionReason[],
): Decision {
  // Cumulative metric values that cannot replace the stage totals (abMetrics.ts): the health rules
  // still run on the window's counts, then the test holds.
  const refused = abMetricsOf(compiled, stage) === null ? null : cumulativeValuesProblem(state, window.control, window.candidate);
  const health = checkHealth(state, compiled, stage, refused === null ? window : withoutMetricValues(window), reasons);
  if (health !== 'pass') return settle(state, compiled, stage, window, health, reasons, false);
  if (refused !== null) {
    reasons.push(reason('missingData', 'valuesSince', null, null, `A/B metric values refused: ${refused} (hold)`));
    return settle(state, compiled, stage, window, 'hold', reasons, false);
  }
  const { control, candidate } = window;
  const metrics = abMetricsOf(compiled, stage);
  const missing = metrics === null ? null : missingAbMetrics(metrics, control, candidate);
  if (missing !== null && missing.length > 0) {
    const names = missing.join(', ');
    reasons.push(reason('missingData', names, null, null, `A/B window without values for ${names} in both arms: hold`));
    return settle(state, compiled, stage, window, 'hold', reasons, false);
  }
  if (metrics === null && (control?.outcomes === undefined || candidate?.outcomes === undefined)) {
    reasons.push(reason('missingData', 'successRate', null, null, 'A/B window without outcomes (successes/outcomes) for both arms: hold'));
    return settle(state, compiled, stage, window, 'hold', reasons, false);
  }
  const conclusion: AbConclusion | null =
    metrics === null ? runAbTest(state, stage, reasons) : runAbMetricList(state, stage, metrics, reasons);
  const test = stage.ab!;
  const minimumMet = state.passedDuration + window.duration >= stage.minDuration;
  if (conclusion === 'candidateWorse') {
    return rollBack(state);
  }
  // The test ended without showing a difference — a fixed-design TIE included — at its planned
  // maximum information, whatever the design: `onInconclusive` decides (policy.ts, AbTest).
  if (conclusion === 'inconclusive' || conclusion === 'equivalent') {
    const ended =
      conclusion === 'equivalent' ? 'A/B test ended equivalent within ±minimumEffect' : 'A/B test ended without showing a difference';
    if (test.onInconclusive === 'rollback') {
      reasons.push(reason('abTest', 'onInconclusive', null, null, `${ended}: rolling back (onInconclusive: rollback)`));
      return rollBack(state);
    }
    if (test.onInconclusive === 'advance') {
      reasons.push(
        reason(
          'abTest',
          'onInconclusive',
          null,
          null,
          `${ended}: advancing (onInconclusive: advance)${minimumMet ? '' : ' once the minimum duration has passed'}`,
        ),
      );
    }
    if (test.onInconclusive === 'hold') {
      reasons.push(reason('abTest', 'onInconclusive', null, null, `${ended}: holding (onInconclusive: hold); no winner is declared`));
      // The guardrails passed: an evaluated, passing check for the failure count.
      setFailureCount(state, countCheck(currentFailureCount(state), false));
      return checkMaxDuration(state, stage, 'hold', reasons);
    }
  }
  const concluded = conclusion === 'candidateBetter' || conclusion === 'equivalent' || conclusion === 'inconclusive';
  return settle(state, compiled, stage, window, 'pass', reasons, concluded && minimumMet);
}

function finished(state: ControllerState, compiled: CompiledPolicy, windows: readonly WindowMetrics[]): StepResult {
  if (windows.length > 0) {
    const last = windows[windows.length - 1];
    state.time = Math.max(state.time, last.startTime + last.duration);
  }
  const stage = compiled.stages[state.stageIndex];
  const decision: Decision = state.status === 'rolledBack' ? 'rollback' : 'promote';
  const reasons = [
    reason(
      'finished',
      'status',
      null,
      null,
      state.status === 'rolledBack' ? 'the rollout was rolled back; control serves 100%' : 'the candidate was promoted',
    ),
  ];
  return record(state, compiled, stage, decision, reasons);
}

/**
 * Folds the new check window(s) since the last step into `state` and decides (module comment).
 * `windows` may be empty (hold: no data) or hold several windows, which are merged into one
 * check (`mergeWindowMetrics`). Windows are trusted (check them with `parseWindowMetrics` at the
 * edge); the policy is validated once when first compiled (RangeError if invalid).
 * UPDATES `state` IN PLACE and returns it (controllerState.ts explains why). Cost O(rules) per
 * step, plus O(K · m²) at a group-sequential look whose rounded fractions are not yet cached.
 */
export function step(state: ControllerState, windows: readonly WindowMetrics[], policy: Policy): StepResult {
  const compiled = compilePolicy(policy);
  if (state.status !== 'running') return finished(state, compiled, windows);
  const stage = compiled.stages[state.stageIndex];
  if (compiled.killSwitch) {
    if (windows.length > 0) {
      const last = windows[windows.length - 1];
      state.time = Math.max(state.time, last.startTime + last.duration);
    }
    return killSwitch(state, `flag '${compiled.flagName}' has its kill switch on in the policy`, state.time, policy);
  }
  const reasons: DecisionReason[] = [];
  if (windows.length === 0) {
    reasons.push(reason('missingData', 'windows', 0, 1, 'no new window since the last step: hold'));
    return record(state, compiled, stage, checkMaxDuration(state, stage, 'hold', reasons), reasons);
  }
  const window = windows.length === 1 ? windows[0] : mergeWindowMetrics(windows);
  state.time = Math.max(state.time, window.startTime + window.duration);
  let decision: Decision;
  const count = state.failureCount;
  if (
    count !== undefined &&
    (stage.kind === 'canary' || stage.kind === 'ab' || stage.kind === 'full') &&
    isPaused(count, stage.failureCounting)
  ) {
    // Paused at the inconclusive limit (Argo: an Inconclusive run pauses the Rollout): no more
    // checks; the stage waits for its maximum duration and onMaxDuration.
    const limit = stage.failureCounting.inconclusiveLimit;
    reasons.push(
      reason(
        'inconclusiveLimit',
        'inconclusiveChecks',
        count.inconclusive,
        limit,
        `${stage.name} is paused after ${count.inconclusive} inconclusive checks (limit ${limit}): waiting for its maximum duration (${showDuration(stage.maxDuration)})`,
      ),
    );
    return record(state, compiled, stage, checkMaxDuration(state, stage, 'hold', reasons), reasons);
  }
  switch (stage.kind) {
    case 'baseline':
      decision = stepBaseline(state, compiled, stage, window, reasons);
      break;
    case 'shadow':
      decision = stepShadow(state, compiled, stage, window, reasons);
      break;
    case 'ab':
      decision = stepAb(state, compiled, stage, window, reasons);
      break;
    case 'canary':
    case 'full':
      decision = settle(state, compiled, stage, window, checkHealth(state, compiled, stage, window, reasons), reasons, null);
      break;
    case 'promote':
      // Unreachable while running (entering promote ends the rollout), kept for completeness.
      decision = advance(state, compiled, state.time);
      break;
  }
  return record(state, compiled, stage, decision, reasons);
}

/**
 * The kill switch: rolls back at once from any stage (even after promotion, reverting to the
 * warm control), leaving control serving 100% (`state.candidateTraffic = 0`), and records
 * `reason` in the audit trail at `time` (seconds). Updates `state` in place and returns it.
 */
export function killSwitch(state: ControllerState, reasonText: string, time: number, policy?: Policy): StepResult {
  if (!Number.isFinite(time)) throw new RangeError(`time must be a finite number of seconds, got ${time}`);
  state.time = Math.max(state.time, time);
  const reasons = [reason('killSwitch', 'killSwitch', null, null, `kill switch: ${reasonText}; control serves 100%`)];
  state.status = 'rolledBack';
  state.candidateTraffic = 0;
  const stageName = policy ? compilePolicy(policy).stages[state.stageIndex].name : state.stageKind;
  state.events.push({
    time: state.time,
    stageIndex: state.stageIndex,
    stage: stageName,
    kind: state.stageKind,
    decision: 'rollback',
    candidateTraffic: 0,
    reasons,
  });
  return { state, decision: 'rollback', reasons };
}
