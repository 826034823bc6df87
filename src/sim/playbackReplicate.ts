/**
 * One simulated rollout, window by window, for the playback view (run in a Web Worker by
 * `workers/playback.worker.ts`, so that the view stays responsive). Plain functions (no DOM): the
 * simulator runs one replicate (`runReplicate`, the same code and stream as replicate i of a
 * `simulate` run), its window metrics are recorded, and the engine's controller is replayed over
 * them (`step` is pure and deterministic, so the replay reproduces every decision) to recover
 * each decision's reasons with their numbers.
 */

import { addArmWindow, armMetric, clearArmTotals, emptyArmTotals, totalsMetric } from '../engine/controller/armTotals.ts';
import type { Decision, DecisionReason } from '../engine/controller/decision.ts';
import { initialState, step } from '../engine/controller/index.ts';
import type { WindowMetrics } from '../engine/metrics/windowMetrics.ts';
import type { HealthMetric, HealthRule, Policy } from '../engine/policy/policy.ts';
import { stageRules } from '../engine/policy/stageRules.ts';
import { streamFor } from '../engine/random/streams.ts';
import { type ReplicateOutcome, runReplicate } from './replicate.ts';
import { prepareSimulation } from './runner.ts';
import type { Scenario } from './scenario.ts';

/** The health metrics the playback draws, each against its reference and the stage's limit. */
export type PanelMetric = 'errorRate' | 'timeoutRate' | 'latencyP50' | 'latencyP95';

/** The playback's panels, in order. */
export const panelMetrics: readonly PanelMetric[] = ['errorRate', 'timeoutRate', 'latencyP50', 'latencyP95'];

/**
 * One metric in one window: the candidate's value, the reference it is judged against, and the
 * limit the stage's rules put on it. In a shadow stage, as its gates judge them: the stage's
 * totals so far of the candidate and of control, and the error-rate and p95 gates × control's.
 */
export interface MetricReading {
  /** Candidate's value in the window (rates 0–1, latency ms); null when the candidate had no traffic or the metric is not measured. */
  candidate: number | null;
  /** The reference: the historical baseline's value or control's in the same window (per the policy's baseline mode); null when none. */
  reference: number | null;
  /**
   * The lowest limit the stage's rules put on the candidate's value: min over its ratio rules of
   * maxRatio × reference and over its absolute rules of max; null when no rule of the stage
   * watches the metric (baseline, shadow) or the reference is missing.
   */
  limit: number | null;
}

/** The shadow comparison so far in a shadow stage: agreements / comparisons since the stage began, and the gate. */
export interface ShadowReading {
  agreement: number | null;
  compared: number;
  minAgreement: number;
}

/** The A/B test so far in an A/B stage: each arm's successes / outcomes since the stage began and the pooled two-proportion z. */
export interface AbReading {
  controlRate: number | null;
  candidateRate: number | null;
  /** z = (p_candidate − p_control) / √(p̄(1 − p̄)(1/n_candidate + 1/n_control)), p̄ pooled; null without outcomes in both arms. */
  z: number | null;
}

/** One check window as the playback shows it. */
export interface PlaybackWindow {
  index: number;
  /** Window start and end, hours since the rollout began. */
  startHours: number;
  endHours: number;
  stageIndex: number;
  stage: string;
  /** Candidate share of live traffic during the window. */
  candidateShare: number;
  controlRequests: number;
  candidateRequests: number;
  controlErrorRate: number | null;
  candidateErrorRate: number | null;
  /** Candidate error rate / control error rate in this window (null when either is missing or control is 0). */
  errorRatio: number | null;
  /** True error rates of the world during the window (what the simulator drew from). */
  trueControlErrorRate: number;
  trueCandidateErrorRate: number;
  /** Requests served to users in the window (mirrored shadow copies excluded). */
  servedRequests: number;
  decision: Decision;
  reasons: DecisionReason[];
  /** Every panel metric against its reference and limit. */
  metrics: Record<PanelMetric, MetricReading>;
  /** In shadow stages: the agreement so far against its gate; else null. */
  shadow: ShadowReading | null;
  /** In A/B stages: the success rates so far and z; else null. */
  ab: AbReading | null;
}

/** What a naive rollout — 100% at once, no metrics — would have done on the same traffic. */
export interface NaiveComparison {
  /** Requests served over the policy's run, all by the candidate. */
  requests: number;
  /** Expected failed requests: Σ requests × the candidate's true error rate. */
  expectedFailures: number;
  /** Expected failures had control kept serving: Σ requests × control's true error rate. */
  controlFailures: number;
}

/** A played-back rollout. */
export interface Playback {
  windows: PlaybackWindow[];
  outcome: ReplicateOutcome;
  naive: NaiveComparison;
}

/**
 * A deep copy of plain data (objects, arrays, typed arrays, primitives) — what `structuredClone`
 * gives for window metrics, without a host global (src/sim runs with no DOM or Node types).
 */
function copyPlainData<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value)) return (value as unknown as { slice(): T }).slice();
  if (Array.isArray(value)) return value.map(copyPlainData) as T;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) copy[key] = copyPlainData(field);
  return copy as T;
}

function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** The lowest limit the rules put on `metric` given its reference (see `MetricReading.limit`). */
export function metricLimit(rules: readonly HealthRule[], metric: HealthMetric, reference: number | null): number | null {
  let limit: number | null = null;
  for (const rule of rules) {
    if (rule.type === 'statistical' || rule.metric !== metric) continue;
    const value = rule.type === 'absolute' ? rule.max : reference === null ? null : rule.maxRatio * reference;
    if (value !== null && (limit === null || value < limit)) limit = value;
  }
  return limit;
}

/** Pooled two-proportion z of the candidate against control (see `AbReading.z`); null when an arm has no outcomes or p̄ is 0 or 1. */
export function pooledZ(
  controlSuccesses: number,
  controlOutcomes: number,
  candidateSuccesses: number,
  candidateOutcomes: number,
): number | null {
  if (controlOutcomes <= 0 || candidateOutcomes <= 0) return null;
  const pooled = (controlSuccesses + candidateSuccesses) / (controlOutcomes + candidateOutcomes);
  const variance = pooled * (1 - pooled) * (1 / controlOutcomes + 1 / candidateOutcomes);
  if (!(variance > 0)) return null;
  return (candidateSuccesses / candidateOutcomes - controlSuccesses / controlOutcomes) / Math.sqrt(variance);
}

function rate(errors: number | undefined, requests: number | undefined): number | null {
  return requests ? (errors ?? 0) / requests : null;
}

/**
 * Simulates replicate `replicate` of seed `seed` (windowed mode) and returns it window by window
 * with each decision's reasons, and the naive comparison. Cost: one replicate (milliseconds) plus
 * one `step` per window.
 */
export function playbackReplicate(scenario: Scenario, policy: Policy, seed: number, replicate: number): Playback {
  if (!(Number.isInteger(replicate) && replicate >= 0)) throw new RangeError(`replicate must be a whole number ≥ 0, got ${replicate}`);
  const simulation = prepareSimulation(scenario, policy, 'window', seed);
  const recorded: {
    metrics: WindowMetrics;
    decision: Decision;
    share: number;
    trueControl: number;
    trueCandidate: number;
    start: number;
    duration: number;
  }[] = [];
  const outcome = runReplicate(simulation.world, simulation.policy, simulation.plan, streamFor(seed, replicate), {
    mode: 'window',
    // The simulator reuses its objects from window to window: keep copies.
    onWindow: (request, metrics, decision) =>
      recorded.push({
        metrics: copyPlainData(metrics),
        decision,
        share: request.candidateShare,
        trueControl: request.control.errorRate,
        trueCandidate: request.candidate.errorRate,
        start: request.start,
        duration: request.duration,
      }),
  });

  const stages = simulation.plan.compiled.stages;
  const policyStages = simulation.policy.stages;
  const historical = simulation.policy.baseline.mode === 'historical';
  const state = initialState(simulation.policy, 0);
  // Running sums of the current stage: shadow agreements and A/B outcomes.
  let sumsStage = -1;
  const sums = { agreements: 0, compared: 0, controlSuccesses: 0, controlOutcomes: 0, candidateSuccesses: 0, candidateOutcomes: 0 };
  const stageControl = emptyArmTotals();
  const stageCandidate = emptyArmTotals();
  const windows: PlaybackWindow[] = recorded.map((window, index) => {
    const stageIndex = state.stageIndex;
    const result = step(state, [window.metrics], simulation.policy);
    if (stageIndex !== sumsStage) {
      sumsStage = stageIndex;
      for (const key of Object.keys(sums) as (keyof typeof sums)[]) sums[key] = 0;
      clearArmTotals(stageControl);
      clearArmTotals(stageCandidate);
    }
    const stage = policyStages[stageIndex];
    const rules = stageRules(stage);
    const controlArm = window.metrics.control;
    const candidateArm = window.metrics.candidate;
    const metrics = {} as Record<PanelMetric, MetricReading>;
    if (stage.kind === 'shadow') {
      if (controlArm) addArmWindow(stageControl, controlArm);
      if (candidateArm) addArmWindow(stageCandidate, candidateArm);
    }
    for (const metric of panelMetrics) {
      if (stage.kind === 'shadow') {
        // The shadow gates judge the stage's totals so far, candidate against control (error rate and p95 ratios).
        const reference = finite(totalsMetric(stageControl, metric));
        const gate = metric === 'errorRate' ? stage.gates.maxErrorRatio : metric === 'latencyP95' ? stage.gates.maxLatencyRatio : null;
        metrics[metric] = {
          candidate: finite(totalsMetric(stageCandidate, metric)),
          reference,
          limit: gate === null || reference === null ? null : gate * reference,
        };
        continue;
      }
      const candidateValue =
        candidateArm && candidateArm.requests > 0 && stage.kind !== 'baseline' ? finite(armMetric(candidateArm, metric)) : null;
      const reference = historical
        ? state.baselineEstablished || stage.kind === 'baseline'
          ? finite(totalsMetric(state.baseline, metric))
          : null
        : controlArm && controlArm.requests > 0
          ? finite(armMetric(controlArm, metric))
          : null;
      metrics[metric] = { candidate: candidateValue, reference, limit: metricLimit(rules, metric, reference) };
    }
    let shadow: ShadowReading | null = null;
    if (stage.kind === 'shadow') {
      sums.agreements += candidateArm?.agreements ?? 0;
      sums.compared += candidateArm?.compared ?? 0;
      shadow = {
        agreement: sums.compared > 0 ? sums.agreements / sums.compared : null,
        compared: sums.compared,
        minAgreement: stage.gates.minAgreement,
      };
    }
    let ab: AbReading | null = null;
    if (stage.kind === 'ab') {
      sums.controlSuccesses += controlArm?.successes ?? 0;
      sums.controlOutcomes += controlArm?.outcomes ?? 0;
      sums.candidateSuccesses += candidateArm?.successes ?? 0;
      sums.candidateOutcomes += candidateArm?.outcomes ?? 0;
      ab = {
        controlRate: sums.controlOutcomes > 0 ? sums.controlSuccesses / sums.controlOutcomes : null,
        candidateRate: sums.candidateOutcomes > 0 ? sums.candidateSuccesses / sums.candidateOutcomes : null,
        z: pooledZ(sums.controlSuccesses, sums.controlOutcomes, sums.candidateSuccesses, sums.candidateOutcomes),
      };
    }
    // The replay must reproduce the run: a divergence would mean a non-deterministic engine.
    if (result.decision !== window.decision) {
      throw new Error(`playback diverged from the simulation at window ${index}: ${result.decision} instead of ${window.decision}`);
    }
    const control = window.metrics.control;
    const candidate = window.metrics.candidate;
    const controlErrorRate = rate(control?.errors, control?.requests);
    const candidateErrorRate = rate(candidate?.errors, candidate?.requests);
    const served = (control?.requests ?? 0) + (window.share > 0 ? (candidate?.requests ?? 0) : 0);
    return {
      index,
      startHours: window.start / 3600,
      endHours: (window.start + window.duration) / 3600,
      stageIndex,
      stage: stages[stageIndex].name,
      candidateShare: window.share,
      controlRequests: control?.requests ?? 0,
      candidateRequests: candidate?.requests ?? 0,
      controlErrorRate,
      candidateErrorRate,
      errorRatio: controlErrorRate && candidateErrorRate !== null ? candidateErrorRate / controlErrorRate : null,
      trueControlErrorRate: window.trueControl,
      trueCandidateErrorRate: window.trueCandidate,
      servedRequests: served,
      decision: result.decision,
      reasons: result.reasons,
      metrics,
      shadow,
      ab,
    };
  });
  const naive = windows.reduce(
    (sum, w) => ({
      requests: sum.requests + w.servedRequests,
      expectedFailures: sum.expectedFailures + w.servedRequests * w.trueCandidateErrorRate,
      controlFailures: sum.controlFailures + w.servedRequests * w.trueControlErrorRate,
    }),
    { requests: 0, expectedFailures: 0, controlFailures: 0 },
  );
  return { windows, outcome, naive };
}
