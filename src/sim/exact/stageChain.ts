/**
 * The stage walk as a time-inhomogeneous Markov chain over check windows: exactly the engine's
 * controller (src/engine/controller/step.ts) driven by the simulator's replicate loop
 * (src/sim/replicate.ts), with the per-window draws replaced by their laws.
 *
 * State (what the controller's decisions depend on, for the stages covered): the stage, when it
 * started, the window's start time (the daily cycle and faults make every window's law its own),
 * the passed time of the stage, the failure counts the policy's counting modes read
 * (src/engine/controller/failureCount.ts: consecutive failures, total failures, the last N
 * outcomes as a bit pattern, inconclusive checks — only those some stage reads are kept in the
 * key, the others zeroed, so 'total' adds at most `limit` states and 'mOfN' at most 2^N), plus
 * what scoring needs — whether a
 * worse window has been seen, the start of the first worse window with traffic, the hours the
 * candidate has served (only when a slow leak reads them) and the arrivals served while worse per
 * rollout percentage (for the users served while worse). States with equal keys merge; states are
 * processed in order of time, so each (state, window) pair is visited once.
 *
 * Transitions, as the controller (settle / checkMaxDuration / advance):
 * - canary, full: the window's check holds, passes or fails with the probabilities of the
 *   `ChainLaws`. Fail: counted as the stage's `failureCounting` says (`countCheck`); at the
 *   failure limit → rollback, below it the check holds. Hold (the laws' hold is the controller's
 *   too-little-data outcome): as `onNoData` says — nothing changes ('hold'), a failure ('fail'),
 *   or one more inconclusive check ('inconclusive'). Pass: counted (a consecutive count resets)
 *   and the window's duration is added to the passed time; when it reaches the minimum duration →
 *   advance. A stage whose inconclusive count reached `inconclusiveLimit` is paused: its windows
 *   are served but not checked. A decision that is neither advance nor rollback then meets the
 *   maximum duration: once the stage has run `maxDuration`, onMaxDuration 'rollback' rolls back
 *   ('hold' changes nothing). Advancing starts the counts again unless the next stage's failure
 *   scope is 'rollout'.
 * - baseline: every window passes (control requests are surely above zero and the minimum
 *   requests surely met by the minimum duration — the mass of the contrary is neglected mass: the
 *   historical baseline's law counts it (baselineLaw.ts), under a concurrent baseline the chain
 *   does (`baselineHold`, Poisson tails), and the evaluator refuses when it is not negligible); the
 *   stage advances at its minimum duration.
 * - shadow: windows pass until the minimum duration; the window that reaches it judges the gates
 *   on the stage's accumulated comparisons (`ChainLaws.shadowGates`, shadowGateLaw.ts): pass →
 *   advance, fail → rollback; the gates' too-few-comparisons hold and a window without requests
 *   (which holds in the controller) are counted as neglected mass.
 * - ab (step.ts `stepAb`, lines 850–918 at commit 44eb514): the guardrails exactly as a canary
 *   window (`checkHealth`, the same `ChainLaws.healthCheck` at the stage's share and reference).
 *   Fail: counted as in canary (`settle`, 861) — rollback at the limit, else hold. A
 *   too-little-data hold is counted as neglected mass (`checkHealth` returns before
 *   `addArmWindow`, 495, so that window would be missing from the test's counts). Pass: the test
 *   (`runAbTest`, 705–830) concludes in the window with the probabilities of `ChainLaws.abTest`
 *   (abTestLaw.ts) given it had not: candidate worse → rollback (882); better → `settle` 'pass'
 *   ready once the minimum duration is met (912–913: advance, else passed time grows and the
 *   maximum duration applies); ended without a difference (inconclusive or equivalent, 887) →
 *   `onInconclusive`: 'rollback' rolls back, 'advance' is as better, 'hold' counts a passing check
 *   without passed time and meets the maximum duration (905–909); still running → `settle` 'pass'
 *   not ready. The test's status (running / better / ended), its looks made, whether an A/B
 *   stage was entered and the last conclusion's winner (`lastAbConclusion`, for the A/B winner
 *   rates) are part of the state; a concluded test keeps its conclusion (`runAbTest`'s early return).
 * - advancing past the last stage, or into `promote`, promotes; the kill switch rolls back at the
 *   end of the first window.
 * The run ends undecided when the horizon passes; the last window is clipped at the horizon.
 *
 * The walk is implemented once, in vectorChain.ts, for many columns of laws at a time (the
 * historical baseline's nodes, a sweep's settings); `runStageChain` is its one-column case.
 *
 * Cost: O(Σ over windows of the states alive in them) plus one law evaluation per distinct window
 * law — cached by what the laws read (the stage, the window's duration, its arrivals Λ or replayed
 * count, both models' error rate, timeout probability and latency multiplier): the `ChainLaws`
 * contract is that a window's law depends on nothing else. Without a daily cycle or faults a
 * stage's windows share one evaluation.
 */
import type { CompiledPolicy, CompiledStage } from '../../engine/controller/compilePolicy.ts';
import type { World } from '../world.ts';
import type { AbTestSchedule } from './abTestLaw.ts';
import type { CheckProbabilities } from './checkLaw.ts';
import type { ExactTally } from './exactTally.ts';
import { columnTally } from './exactTally.ts';
import type { CheckWindow } from './healthCheckLaw.ts';
import { runVectorChain } from './vectorChain.ts';

export type { CheckProbabilities };

/**
 * One check window as the chain asks the laws about it: the check law's window (stage, start and
 * duration in seconds, both arms' conditions at the midpoint as the simulator evaluates them, the
 * flag's share) plus the mirrored share and the stage's windows so far.
 */
export interface ChainWindow extends CheckWindow {
  /** The mirrored share (baseline and shadow stages). */
  mirrorShare: number;
  /** The stage's windows so far, this one included (the shadow gates read all of them). */
  stageWindows: readonly StageWindowRecord[];
}

/** A past window of the current stage: where it was and the conditions it had. */
export type StageWindowRecord = Pick<CheckWindow, 'start' | 'duration' | 'control' | 'candidate'>;

/** What the chain needs from the per-check laws (src/sim/exact/checkLaw.ts and friends). */
export interface ChainLaws {
  /** Canary and full stages: the health check of one window (reference fixed by the laws). */
  healthCheck(window: ChainWindow): CheckProbabilities;
  /**
   * Shadow stage, at the window that reaches its minimum duration: the gates judged on all the
   * stage's windows (`window.stageWindows`). A hold (too few comparisons) is not chained: the
   * evaluator refuses shadow stages where it has mass.
   */
  shadowGates(window: ChainWindow): CheckProbabilities;
  /** Expected candidate requests served in a window at `candidateShare` (0 for baseline/shadow), and its expected errors. */
  servedRequests(window: ChainWindow): { requests: number; errors: number; arrivals: number };
  /**
   * A/B stages: the test's law for the stage entered at `stageStart` (abTestLaw.ts) — per
   * stage-local window, P(the test concludes better / worse / ended | running, guardrails passed).
   */
  abTest?(stage: CompiledStage): (stageStart: number) => AbTestSchedule;
}

/** Settings of a chain run. */
export interface ChainOptions {
  /** States whose mass falls below this are dropped into `neglected` (default 1e-15). */
  pruneBelow?: number;
}

/**
 * Runs the chain of `compiled` in `world` with the per-window `laws` from time 0 to the
 * scenario's horizon, and returns the exact outcome tally: the vector chain (vectorChain.ts) with
 * one column. Stages must be baseline, shadow, canary, ab (with `laws.abTest`), full or promote.
 * Cost: see module comment.
 */
export function runStageChain(world: World, compiled: CompiledPolicy, laws: ChainLaws, options: ChainOptions = {}): ExactTally {
  return columnTally(runVectorChain(world, [{ compiled, laws }], options), 0);
}
