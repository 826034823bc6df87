/**
 * One simulated rollout, window by window, for the playback view. Plain functions (no DOM): the
 * simulator runs one replicate (`runReplicate`, the same code and stream as replicate i of a
 * `simulate` run), its window metrics are recorded, and the engine's controller is replayed over
 * them (`step` is pure and deterministic, so the replay reproduces every decision) to recover
 * each decision's reasons with their numbers.
 */
import { initialState, step } from '../../engine/controller/index.ts';
import type { Decision, DecisionReason } from '../../engine/controller/decision.ts';
import type { WindowMetrics } from '../../engine/metrics/windowMetrics.ts';
import type { Policy } from '../../engine/policy/policy.ts';
import { runReplicate, type ReplicateOutcome } from '../../sim/replicate.ts';
import { prepareSimulation } from '../../sim/runner.ts';
import type { Scenario } from '../../sim/scenario.ts';
import { streamFor } from '../../engine/random/streams.ts';

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
  const recorded: { metrics: WindowMetrics; decision: Decision; share: number; trueControl: number; trueCandidate: number; start: number; duration: number }[] = [];
  const outcome = runReplicate(simulation.world, simulation.policy, simulation.plan, streamFor(seed, replicate), {
    mode: 'window',
    // The simulator reuses its objects from window to window: keep copies.
    onWindow: (request, metrics, decision) =>
      recorded.push({
        metrics: structuredClone(metrics),
        decision,
        share: request.candidateShare,
        trueControl: request.control.errorRate,
        trueCandidate: request.candidate.errorRate,
        start: request.start,
        duration: request.duration,
      }),
  });

  const stages = simulation.plan.compiled.stages;
  const state = initialState(simulation.policy, 0);
  const windows: PlaybackWindow[] = recorded.map((window, index) => {
    const stageIndex = state.stageIndex;
    const result = step(state, [window.metrics], simulation.policy);
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
