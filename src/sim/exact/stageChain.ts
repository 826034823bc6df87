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
 * Cost: O(Σ over windows of the states alive in them) plus one law evaluation per distinct window
 * law — cached by what the laws read (the stage, the window's duration, its arrivals Λ or replayed
 * count, both models' error rate, timeout probability and latency multiplier): the `ChainLaws`
 * contract is that a window's law depends on nothing else. Without a daily cycle or faults a
 * stage's windows share one evaluation.
 */
import type { CompiledPolicy, CompiledStage } from '../../engine/controller/compilePolicy.ts';
import type { FailureCount } from '../../engine/controller/failureCount.ts';
import {
  countCheck,
  countInconclusive,
  countOnStageEntry,
  emptyFailureCount,
  isPaused,
  reachesFailureLimit,
} from '../../engine/controller/failureCount.ts';
import { expectedArrivals, expectedUsersServed, replayArrivals, rolloutPercentage } from '../traffic.ts';
import type { ArmConditions, World } from '../world.ts';
import { candidateIsWorse, conditionsAt, emptyConditions } from '../world.ts';
import type { AbTestSchedule } from './abTestLaw.ts';
import type { CheckProbabilities } from './checkLaw.ts';
import type { ExactTally } from './exactTally.ts';
import { absorb, emptyTally } from './exactTally.ts';
import type { CheckWindow } from './healthCheckLaw.ts';
import { poissonAtMost } from './poissonTail.ts';

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

interface ChainState {
  stageIndex: number;
  stageStart: number;
  time: number;
  passed: number;
  /** The failure counts, with the fields no stage reads zeroed (`keptCount`). */
  count: FailureCount;
  worseSeen: boolean;
  firstExposedWorse: number | null;
  hoursServed: number;
  /** Per rollout level (World population levels, see `levels`): expected arrivals while worse. */
  volumes: number[];
  /** The current stage's windows (shadow only; shared, never mutated in place). */
  stageWindows: StageWindowRecord[];
  /** A/B stage: the test's status (0 running, 1 concluded better, 2 ended without a difference) and its looks made. */
  abStatus: number;
  abLooks: number;
  /** Whether an A/B stage was entered, and the last A/B conclusion's winner (the controller's `lastAbConclusion`). */
  abReached: boolean;
  abWinner: 'candidate' | 'control' | null;
  mass: number;
}

interface WindowFacts {
  control: ArmConditions;
  candidate: ArmConditions;
  worse: boolean;
  check: CheckProbabilities | null;
  served: { requests: number; errors: number; arrivals: number };
}

function copyConditions(conditions: ArmConditions): ArmConditions {
  return { ...conditions, segmentShares: [...conditions.segmentShares], segmentAccuracy: [...conditions.segmentAccuracy] };
}

/**
 * Expected distinct users served while worse given the arrivals while worse per level (the
 * windowed mode's `exposure()`): E_b = Σ_{levels ≥ b} volume, users = Σ_u 1 − exp(−w_u·E_b(u)).
 */
function usersServed(world: World, levels: readonly number[], volumes: readonly number[]): number {
  if (volumes.every((volume) => volume === 0)) return 0;
  const exposureByBucket = new Float64Array(101);
  for (let j = 0; j < levels.length; j++) for (let b = 1; b <= levels[j]; b++) exposureByBucket[b] += volumes[j];
  return expectedUsersServed(world.population, exposureByBucket);
}

/**
 * The counts as the chain keys them: only the fields some stage reads, the rest zeroed —
 * consecutive failures (a 'consecutive' stage), total failures ('total'), the last N outcomes
 * masked to the largest window ('mOfN'), inconclusive checks (onNoData 'inconclusive' with a
 * limit) — and `recentChecks` (only messages read it) dropped. Equal keys mean equal futures.
 */
function failureCountKeeper(compiled: CompiledPolicy): (count: FailureCount) => FailureCount {
  const counted = compiled.stages.filter((stage) => stage.kind === 'canary' || stage.kind === 'full' || stage.kind === 'ab');
  const modes = new Set(counted.map((stage) => stage.failureCounting.mode));
  const recentMask = 2 ** Math.max(0, ...counted.map((stage) => stage.failureCounting.window)) - 1;
  const inconclusive = counted.some(
    (stage) => stage.failureCounting.onNoData === 'inconclusive' && Number.isFinite(stage.failureCounting.inconclusiveLimit),
  );
  return (count) => ({
    consecutive: modes.has('consecutive') ? count.consecutive : 0,
    total: modes.has('total') ? count.total : 0,
    recent: modes.has('mOfN') ? count.recent & recentMask : 0,
    recentChecks: 0,
    inconclusive: inconclusive ? count.inconclusive : 0,
  });
}

/**
 * Runs the chain of `compiled` in `world` with the per-window `laws` from time 0 to the
 * scenario's horizon, and returns the exact outcome tally. Stages must be baseline, shadow,
 * canary, ab (with `laws.abTest`), full or promote. Cost: see module comment.
 */
export function runStageChain(world: World, compiled: CompiledPolicy, laws: ChainLaws, options: ChainOptions = {}): ExactTally {
  const pruneBelow = options.pruneBelow ?? 1e-15;
  const tally = emptyTally();
  const horizon = world.scenario.horizon;
  const stages = compiled.stages;
  const tracksHours = world.scenario.faults.some((fault) => fault.kind === 'leak');
  // Distinct flag percentages of the serving stages: the levels of the users-while-worse volumes.
  const levels = [
    ...new Set(stages.filter((stage) => stage.traffic > 0).map((stage) => Math.floor(rolloutPercentage(stage.traffic) + 1e-9))),
  ].sort((a, b) => a - b);
  const levelOf = new Map(levels.map((level, index) => [level, index]));
  const facts = new Map<string, WindowFacts>();
  const lawFacts = new Map<string, WindowFacts>();
  const replay = world.scenario.traffic.arrivals.kind === 'replay' ? world.scenario.traffic.arrivals : null;
  const control = emptyConditions();
  const candidate = emptyConditions();
  const keptCount = failureCountKeeper(compiled);
  const concurrent = compiled.baselineMode === 'concurrent';

  /**
   * Concurrent mode: the mass of a baseline window that would not pass as the chain assumes —
   * without control requests it holds (P(N = 0) = e^−Λ), and at the minimum duration the stage
   * waits unless its control requests reached the minimum (P(Poisson(Λ of the stage so far) <
   * minRequests)). A union bound, counted as neglected. (Historical mode: baselineLaw.ts.)
   */
  function baselineHold(stageStart: number, start: number, duration: number, stage: CompiledStage, reaches: boolean): number {
    const end = start + duration;
    const count = (from: number, to: number): number =>
      replay ? replayArrivals(replay.times, replay.period, from, to) : expectedArrivals(world.scenario.traffic, from, to);
    const window = count(start, end);
    let hold = replay ? (window === 0 ? 1 : 0) : Math.exp(-window);
    if (reaches && stage.baselineMinRequests > 0) {
      const total = count(stageStart, end);
      hold += replay ? (total < stage.baselineMinRequests ? 1 : 0) : poissonAtMost(total, stage.baselineMinRequests - 1);
    }
    return Math.min(1, hold);
  }

  function windowFacts(
    state: ChainState,
    stage: CompiledStage,
    start: number,
    duration: number,
    judge: boolean,
    stageWindows: StageWindowRecord[],
  ): WindowFacts {
    const key = `${stage.index}|${start}|${duration}|${tracksHours ? state.hoursServed : 0}|${judge ? state.stageStart : ''}`;
    const cached = facts.get(key);
    if (cached) return cached;
    conditionsAt(world, start + duration / 2, state.hoursServed, control, candidate);
    // Windows with the same law share one evaluation (e.g. every window of a stage without a
    // daily cycle or faults): the key is what the laws read, the window's arrivals and conditions.
    const arrivals = replay
      ? replayArrivals(replay.times, replay.period, start, start + duration)
      : expectedArrivals(world.scenario.traffic, start, start + duration);
    const lawKey =
      stage.kind === 'shadow'
        ? null
        : `${stage.index}|${duration}|${arrivals}|${control.errorRate}|${control.timeoutProbability}|${control.latencyMultiplier}|` +
          `${candidate.errorRate}|${candidate.timeoutProbability}|${candidate.latencyMultiplier}|${candidateIsWorse(world, control, candidate)}`;
    const shared = lawKey === null ? undefined : lawFacts.get(lawKey);
    if (shared) {
      facts.set(key, shared);
      return shared;
    }
    const fact: WindowFacts = {
      control: copyConditions(control),
      candidate: copyConditions(candidate),
      worse: candidateIsWorse(world, control, candidate),
      check: null,
      served: { requests: 0, errors: 0, arrivals: 0 },
    };
    const window: ChainWindow = {
      stage,
      start,
      duration,
      control: fact.control,
      candidate: fact.candidate,
      candidateShare: stage.traffic,
      mirrorShare: stage.mirrorTraffic,
      stageWindows: stage.kind === 'shadow' ? [...stageWindows, { start, duration, control: fact.control, candidate: fact.candidate }] : [],
    };
    if (stage.kind === 'canary' || stage.kind === 'full' || stage.kind === 'ab') fact.check = laws.healthCheck(window);
    else if (stage.kind === 'shadow' && judge) fact.check = laws.shadowGates(window);
    if (stage.traffic > 0 && stage.mirrorTraffic === 0) fact.served = laws.servedRequests(window);
    facts.set(key, fact);
    if (lawKey !== null) lawFacts.set(lawKey, fact);
    return fact;
  }

  // Pending states by window start time, processed in increasing time.
  const pending = new Map<number, Map<string, ChainState>>();
  const times: number[] = [];
  function schedule(state: ChainState): void {
    if (state.mass < pruneBelow) {
      tally.neglected += state.mass;
      return;
    }
    let bucket = pending.get(state.time);
    if (!bucket) {
      bucket = new Map();
      pending.set(state.time, bucket);
      // Insert keeping `times` sorted (binary search).
      let low = 0;
      let high = times.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (times[middle] < state.time) low = middle + 1;
        else high = middle;
      }
      times.splice(low, 0, state.time);
    }
    const stage = stages[state.stageIndex];
    const key =
      `${state.stageIndex}|${state.stageStart}|${state.passed}|${state.count.consecutive}|${state.count.total}|${state.count.recent}|` +
      `${state.count.inconclusive}|${state.worseSeen ? 1 : 0}|${state.firstExposedWorse}|` +
      `${tracksHours ? state.hoursServed : 0}|${state.volumes.join(',')}|${stage.kind === 'shadow' ? state.stageWindows.length : 0}|` +
      `${state.abStatus}|${state.abLooks}|${state.abReached ? 1 : 0}|${state.abWinner}`;
    const existing = bucket.get(key);
    if (existing) existing.mass += state.mass;
    else bucket.set(key, state);
  }

  function end(
    state: ChainState,
    decision: 'rollback' | 'promote' | 'undecided',
    time: number,
    mass: number,
    worseSeen: boolean,
    firstExposedWorse: number | null,
    volumes: number[],
    ab: { reached: boolean; winner: 'candidate' | 'control' | null } = { reached: state.abReached, winner: state.abWinner },
  ): void {
    if (mass <= 0) return;
    absorb(tally, { decision, time, worse: worseSeen, firstExposedWorse, users: usersServed(world, levels, volumes), ab }, mass);
  }

  // A/B stages: the test's law per stage (abTestLaw.ts), asked once per stage.
  const abSchedules = new Map<number, (stageStart: number) => AbTestSchedule>();
  function abSchedule(stage: CompiledStage, stageStart: number): AbTestSchedule {
    let law = abSchedules.get(stage.index);
    if (!law) {
      if (!laws.abTest) throw new RangeError(`the chain's laws have no A/B test law (stage ${stage.index}, '${stage.name}')`);
      law = laws.abTest(stage);
      abSchedules.set(stage.index, law);
    }
    return law(stageStart);
  }

  schedule({
    stageIndex: 0,
    stageStart: 0,
    time: 0,
    passed: 0,
    count: emptyFailureCount(),
    worseSeen: false,
    firstExposedWorse: null,
    hoursServed: 0,
    volumes: levels.map(() => 0),
    stageWindows: [],
    abStatus: 0,
    abLooks: 0,
    abReached: false,
    abWinner: null,
    mass: 1,
  });

  while (times.length > 0) {
    const time = times.shift() as number;
    const bucket = pending.get(time) as Map<string, ChainState>;
    pending.delete(time);
    for (const state of bucket.values()) {
      if (time >= horizon) {
        end(state, 'undecided', time, state.mass, state.worseSeen, state.firstExposedWorse, state.volumes);
        continue;
      }
      const stage = stages[state.stageIndex];
      const duration = Math.min(stage.checkInterval, horizon - time);
      const windowEnd = time + duration;
      const judge = stage.kind === 'shadow' && state.passed + duration >= stage.minDuration;
      const fact = windowFacts(state, stage, time, duration, judge, state.stageWindows);
      const exposed = stage.traffic > 0 || stage.mirrorTraffic > 0;
      const worseSeen = state.worseSeen || fact.worse;
      const firstExposedWorse = state.firstExposedWorse ?? (exposed && fact.worse ? time : null);
      const hoursServed = exposed ? state.hoursServed + duration / 3600 : state.hoursServed;
      // Exposure of this window (served, not mirrored): expectation × P(reached).
      let volumes = state.volumes;
      if (fact.served.requests > 0 || fact.served.arrivals > 0) {
        tally.candidateRequests += state.mass * fact.served.requests;
        tally.failedRequests += state.mass * fact.served.errors;
        if (fact.worse) {
          tally.requestsServedWhileWorse += state.mass * fact.served.requests;
          volumes = [...volumes];
          volumes[levelOf.get(Math.floor(rolloutPercentage(stage.traffic) + 1e-9)) as number] += fact.served.arrivals;
        }
      }
      const abReached = state.abReached || stage.kind === 'ab';
      const next = (changes: Partial<ChainState>, mass: number): void => {
        if (mass <= 0) return;
        schedule({ ...state, time: windowEnd, worseSeen, firstExposedWorse, hoursServed, volumes, abReached, ...changes, mass });
      };
      // `changes`: the A/B winner it sets, if any (the controller's lastAbConclusion outlives the stage).
      const finish = (decision: 'rollback' | 'promote', mass: number, changes: Partial<ChainState> = {}): void =>
        end(state, decision, windowEnd, mass, worseSeen, firstExposedWorse, volumes, {
          reached: abReached,
          winner: 'abWinner' in changes ? (changes.abWinner ?? null) : state.abWinner,
        });
      // `count`: the counts after the check that completes the stage (a passing check is counted first, as in the controller).
      const advanceWith = (mass: number, count: FailureCount = state.count, changes: Partial<ChainState> = {}): void => {
        if (mass <= 0) return;
        const nextIndex = state.stageIndex + 1;
        if (nextIndex >= stages.length || stages[nextIndex].kind === 'promote') {
          finish('promote', mass, changes);
          return;
        }
        const entered = keptCount(countOnStageEntry(count, stages[nextIndex].failureCounting));
        next(
          {
            ...changes,
            stageIndex: nextIndex,
            stageStart: windowEnd,
            passed: 0,
            count: entered,
            stageWindows: [],
            abStatus: 0,
            abLooks: 0,
          },
          mass,
        );
      };
      // checkMaxDuration for a 'continue' or 'hold' decision of `mass`, with the state `changes`.
      const continueOrHold = (changes: Partial<ChainState>, mass: number): void => {
        if (mass <= 0) return;
        if (windowEnd - state.stageStart >= stage.maxDuration && stage.onMaxDuration === 'rollback') finish('rollback', mass, changes);
        else next(changes, mass);
      };
      if (compiled.killSwitch) {
        finish('rollback', state.mass);
        continue;
      }
      switch (stage.kind) {
        case 'baseline': {
          const reaches = state.passed + duration >= stage.minDuration;
          if (concurrent) tally.neglected += state.mass * baselineHold(state.stageStart, time, duration, stage, reaches);
          if (reaches) advanceWith(state.mass);
          else continueOrHold({ passed: state.passed + duration }, state.mass);
          break;
        }
        case 'shadow': {
          const stageWindows = [...state.stageWindows, { start: time, duration, control: fact.control, candidate: fact.candidate }];
          if (!judge) {
            continueOrHold({ passed: state.passed + duration, stageWindows }, state.mass);
            break;
          }
          const check = fact.check as CheckProbabilities;
          finish('rollback', state.mass * check.fail);
          advanceWith(state.mass * check.pass);
          tally.neglected += state.mass * (check.hold + (check.neglected ?? 0));
          break;
        }
        case 'canary':
        case 'full': {
          const counting = stage.failureCounting;
          if (isPaused(state.count, counting)) {
            // Paused at the inconclusive limit: served, not checked.
            continueOrHold({}, state.mass);
            break;
          }
          const check = fact.check as CheckProbabilities;
          tally.neglected += state.mass * (check.neglected ?? 0);
          // Fail (and, with onNoData 'fail', the too-little-data hold).
          const failMass = state.mass * (check.fail + (counting.onNoData === 'fail' ? check.hold : 0));
          const failed = countCheck(state.count, true);
          if (reachesFailureLimit(failed, counting)) finish('rollback', failMass);
          else continueOrHold({ count: keptCount(failed) }, failMass);
          // Hold: nothing counted, or one more inconclusive check.
          if (counting.onNoData === 'hold') continueOrHold({}, state.mass * check.hold);
          else if (counting.onNoData === 'inconclusive')
            continueOrHold({ count: keptCount(countInconclusive(state.count)) }, state.mass * check.hold);
          // Pass.
          const passMass = state.mass * check.pass;
          const passed = state.passed + duration;
          const passedCount = keptCount(countCheck(state.count, false));
          if (passed >= stage.minDuration) advanceWith(passMass, passedCount);
          else continueOrHold({ passed, count: passedCount }, passMass);
          break;
        }
        case 'ab': {
          // step.ts stepAb: the guardrails (checkHealth) as a canary window, then runAbTest on a pass.
          const counting = stage.failureCounting;
          if (isPaused(state.count, counting)) {
            continueOrHold({}, state.mass);
            break;
          }
          const check = fact.check as CheckProbabilities;
          // A too-little-data window is not accumulated into the test (checkHealth returns before
          // addArmWindow): not chained, its mass counted as neglected.
          tally.neglected += state.mass * (check.hold + (check.neglected ?? 0));
          // Fail: settle's failure count (→ rollback at the limit, else hold).
          const failed = countCheck(state.count, true);
          if (reachesFailureLimit(failed, counting)) finish('rollback', state.mass * check.fail);
          else continueOrHold({ count: keptCount(failed) }, state.mass * check.fail);
          const passMass = state.mass * check.pass;
          if (!(passMass > 0)) break;
          // Pass: the test (abTestLaw.ts), given it runs and had not concluded.
          let better = state.abStatus === 1 ? 1 : 0;
          let worse = 0;
          let ended = state.abStatus === 2 ? 1 : 0;
          let looks = state.abLooks;
          if (state.abStatus === 0) {
            const window = Math.round((time - state.stageStart) / stage.checkInterval) + 1;
            const outcome = abSchedule(stage, state.stageStart).at(window, state.abLooks);
            if (outcome.look) {
              looks += 1;
              better = outcome.better;
              worse = outcome.worse;
              ended = outcome.ended;
              tally.neglected += passMass * outcome.neglected;
            }
          }
          const running = Math.max(0, 1 - better - worse - ended);
          const passed = state.passed + duration;
          const passedCount = keptCount(countCheck(state.count, false));
          const minimumMet = passed >= stage.minDuration;
          // candidateWorse → rollBack.
          finish('rollback', passMass * worse, { abWinner: 'control' });
          // candidateBetter, or ended with onInconclusive 'advance': settle 'pass', ready when the minimum is met.
          const proceed = (mass: number, abStatus: number, abWinner: 'candidate' | null): void => {
            if (minimumMet) advanceWith(mass, passedCount, { abWinner });
            else continueOrHold({ passed, count: passedCount, abStatus, abLooks: looks, abWinner }, mass);
          };
          proceed(passMass * better, 1, 'candidate');
          const onInconclusive = stage.ab?.onInconclusive ?? 'hold';
          if (onInconclusive === 'rollback') finish('rollback', passMass * ended, { abWinner: null });
          else if (onInconclusive === 'advance') proceed(passMass * ended, 2, null);
          // 'hold': a passing check for the failure count, no passed time, checkMaxDuration.
          else continueOrHold({ count: passedCount, abStatus: 2, abLooks: looks, abWinner: null }, passMass * ended);
          // Still running: settle 'pass' not ready (passed time grows, checkMaxDuration).
          continueOrHold({ passed, count: passedCount, abLooks: looks }, passMass * running);
          break;
        }
        default:
          throw new RangeError(`the exact chain does not cover ${stage.kind} stages (stage ${stage.index}, '${stage.name}')`);
      }
    }
  }
  return tally;
}
