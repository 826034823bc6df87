/**
 * The stage chain (stageChain.ts: the states, the transitions, what each means) run ONCE for C
 * "columns" at a time: each state's probability mass is a vector over the columns, and every
 * transition multiplies it elementwise by the columns' own probabilities.
 *
 * Why it is exact: the chain's STATE SPACE — the keys (stage, stage start, time, passed time,
 * failure counts, worse seen, first exposed worse, time served, volumes served while worse) and
 * which transitions exist — is fixed by the policy's structure (its stages' kinds, traffic,
 * durations, check intervals, counting modes), the world and the horizon; only the transition
 * probabilities depend on what the columns vary: the historical baseline's node (the reference of
 * the ratio rules, evaluateExact.ts) and a sweep's thresholds, rule limits and minimum requests.
 * Running C chains that share the structure visits the same states in the same order, so one run
 * with vector masses is the C runs, each column's arithmetic unchanged (`test/sim/exact/
 * vectorChain.test.ts` checks C = 1 against the scalar chain it replaced and C > 1 against one-column runs).
 * The bookkeeping (keys, merges, the time queue, the windows' conditions and served volumes) is
 * paid once; the per-column work is a Float64Array loop.
 *
 * Columns must share `chainStructureKey` (checked, RangeError naming the column and the field);
 * callers group their columns by it and run one chain per group.
 *
 * Pruning: each column as its own run — an arriving mass below `pruneBelow` is dropped into that
 * column's `neglected` (its entry set to 0), and a state goes when no column keeps mass. A
 * column's law is evaluated at a window only once a state reaches it with mass in that column
 * (`ensureColumns`), so each column costs the laws its own run would: a setting that rolls back
 * early does not pay for the windows another setting reaches.
 *
 * Memory: the mass vectors are pooled (`take`/`give` in `runVectorChain`) and the A/B stage's
 * outcome vectors are scratch, so a run allocates vectors only for the states alive at once. For
 * the lab's flat100 question (560 columns, CPU profile of three 20-setting curves, 00:00 UTC
 * 2026-12-05, load ~3.5) the chain's own time (runVectorChain less the laws it asks) went from
 * 941 / 643 ms to 736 / 334 ms and the collector's from 1,089 / 693 to 922 / 523 ms (two runs
 * each, alternated), the answers unchanged to the bit.
 *
 * Keys: a state is found among its time's states by a 32-bit hash of its integer fields and the
 * bits of its volumes, then compared field by field (no strings per state); times, durations and
 * the candidate's time served are whole seconds as the compiled policy gives them. Cost:
 * O(Σ over windows of the live states × C) arithmetic plus, per distinct window law, one law
 * evaluation per column.
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
import { firstAtOrAfter } from '../firstAtOrAfter.ts';
import { expectedArrivals, expectedUsersServed, replayArrivals, rolloutPercentage } from '../traffic.ts';
import type { ArmConditions, World } from '../world.ts';
import { candidateIsWorse, conditionsAt, emptyConditions } from '../world.ts';
import type { AbLookOutcome, AbTestSchedule } from './abTestLaw.ts';
import type { VectorTally } from './exactTally.ts';
import { emptyVectorTally } from './exactTally.ts';
import { hashNumbers, mix, mixNumber, NumberKeyMap } from './numberKey.ts';
import { poissonAtMost } from './poissonTail.ts';
import type { ChainLaws, ChainOptions, ChainWindow, StageWindowRecord } from './stageChain.ts';

/** A check's outcome probabilities over the columns (`CheckProbabilities` per column). */
export interface ColumnProbabilities {
  hold: Float64Array;
  pass: Float64Array;
  fail: Float64Array;
  neglected: Float64Array;
}

/** One column of a vector run: its compiled policy (sharing the structure) and its laws. */
export interface ChainColumn {
  compiled: CompiledPolicy;
  laws: ChainLaws;
}

/** Settings of a vector run. */
export interface VectorChainOptions extends ChainOptions {
  /** Record the per-stage tallies (`ExactTally.stages`, the audit's breakdown). Default false. */
  stageBreakdown?: boolean;
}

/**
 * What of a compiled policy the chain's states and transitions read — not the rules, their
 * thresholds or minimum requests, which only the laws read. Columns of one run must share it.
 */
export function chainStructureKey(compiled: CompiledPolicy): string {
  const stages = compiled.stages.map((stage) => {
    const counting = stage.failureCounting;
    return [
      stage.kind,
      stage.traffic,
      stage.mirrorTraffic,
      stage.minDuration,
      stage.maxDuration,
      stage.checkInterval,
      stage.onMaxDuration,
      stage.baselineMinRequests,
      counting.mode,
      counting.limit,
      counting.window,
      counting.scope,
      counting.onNoData,
      counting.inconclusiveLimit,
      // The A/B test's design: its looks are part of the state (abTestLaw.ts).
      JSON.stringify(stage.ab),
    ].join(',');
  });
  return `${compiled.baselineMode}|${compiled.killSwitch}|${stages.join(';')}`;
}

/** The first field in which two policies' chain structures differ, for the error message. */
function structureDifference(a: CompiledPolicy, b: CompiledPolicy): string {
  if (a.baselineMode !== b.baselineMode) return `baselineMode ${b.baselineMode} (column 0: ${a.baselineMode})`;
  if (a.killSwitch !== b.killSwitch) return `killSwitch ${b.killSwitch} (column 0: ${a.killSwitch})`;
  if (a.stages.length !== b.stages.length) return `${b.stages.length} stages (column 0: ${a.stages.length})`;
  const fields = [
    'kind',
    'traffic',
    'mirrorTraffic',
    'minDuration',
    'maxDuration',
    'checkInterval',
    'onMaxDuration',
    'baselineMinRequests',
  ] as const;
  for (let i = 0; i < a.stages.length; i++) {
    for (const field of fields)
      if (a.stages[i][field] !== b.stages[i][field]) return `stages[${i}].${field} ${b.stages[i][field]} (column 0: ${a.stages[i][field]})`;
    for (const field of ['mode', 'limit', 'window', 'scope', 'onNoData', 'inconclusiveLimit'] as const)
      if (a.stages[i].failureCounting[field] !== b.stages[i].failureCounting[field])
        return `stages[${i}].failureCounting.${field} ${b.stages[i].failureCounting[field]} (column 0: ${a.stages[i].failureCounting[field]})`;
    if (JSON.stringify(a.stages[i].ab) !== JSON.stringify(b.stages[i].ab))
      return `stages[${i}].ab ${JSON.stringify(b.stages[i].ab)} (column 0: ${JSON.stringify(a.stages[i].ab)})`;
  }
  return 'nothing';
}

/**
 * A window's check over the columns, asked lazily: a column's law is evaluated the first time a
 * state reaches the window with mass in that column (`ensureColumns`) — a column whose rollouts
 * never reach the window costs no law, as in its own run — each column about its own stage (its
 * rules and limits).
 */
interface ColumnCheck {
  probabilities: ColumnProbabilities;
  known: Uint8Array;
  /** Columns not evaluated yet: at 0 the check is complete and `ensureColumns` returns at once. */
  unknown: number;
  window: ChainWindow;
  ask: (laws: ChainLaws, window: ChainWindow) => { hold: number; pass: number; fail: number; neglected?: number };
}

/** The check's probabilities with every column that has mass in `mass` evaluated. */
function ensureColumns(check: ColumnCheck, columns: readonly ChainColumn[], mass: Float64Array): ColumnProbabilities {
  const { probabilities, known, window } = check;
  if (check.unknown === 0) return probabilities;
  // Each column's window names its own stage; a policy's columns (its baseline nodes) are
  // consecutive, so they share one copy rather than one each.
  let compiled = columns[0].compiled;
  let own = window;
  for (let i = 0; i < columns.length; i++) {
    if (known[i] === 1 || !(mass[i] > 0)) continue;
    known[i] = 1;
    check.unknown--;
    if (columns[i].compiled !== compiled) {
      compiled = columns[i].compiled;
      own = { ...window, stage: compiled.stages[window.stage.index] };
    }
    const outcome = check.ask(columns[i].laws, own);
    probabilities.hold[i] = outcome.hold;
    probabilities.pass[i] = outcome.pass;
    probabilities.fail[i] = outcome.fail;
    probabilities.neglected[i] = outcome.neglected ?? 0;
  }
  return probabilities;
}

interface WindowFacts {
  control: ArmConditions;
  candidate: ArmConditions;
  worse: boolean;
  check: ColumnCheck | null;
  served: { requests: number; errors: number; arrivals: number };
}

/** A cached window: what its facts were keyed by besides its start and stage. */
interface FactsEntry {
  duration: number;
  servedSeconds: number;
  judgeStart: number;
  facts: WindowFacts;
}

/** A live state of the chain (stageChain.ts's key fields, the mass a vector over the columns). */
interface VectorState {
  stageIndex: number;
  stageStart: number;
  passed: number;
  /** The failure counts, with the fields no stage reads zeroed. */
  count: FailureCount;
  worseSeen: boolean;
  /** Start of the first worse window with traffic, −1 for none. */
  firstExposedWorse: number;
  /** Seconds the candidate has served (kept in the key only when a slow leak reads it). */
  servedSeconds: number;
  /** Per rollout level: expected arrivals while worse (shared between states, never mutated). */
  volumes: Float64Array;
  /** The current stage's windows (shadow only; shared, never mutated). */
  stageWindows: StageWindowRecord[];
  /** A/B stage: the test's status (0 running, 1 concluded better, 2 ended without a difference) and its looks made. */
  abStatus: number;
  abLooks: number;
  /** Whether an A/B stage was entered, and the last A/B conclusion's winner (0 none, 1 candidate, 2 control: the controller's `lastAbConclusion`). */
  abReached: boolean;
  abWinner: number;
  mass: Float64Array;
  hash: number;
  /** The next state of the same hash in its time's bucket. */
  collision: VectorState | null;
}

/** The states of one window start time, in insertion order, with a hash index. */
interface Bucket {
  states: VectorState[];
  byHash: Map<number, VectorState>;
}

function copyConditions(conditions: ArmConditions): ArmConditions {
  return { ...conditions, segmentShares: [...conditions.segmentShares], segmentAccuracy: [...conditions.segmentAccuracy] };
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
 * Runs the chain for every column at once (module comment): `columns[i]` is column i's compiled
 * policy and laws. Throws a RangeError when the columns' structures differ (`chainStructureKey`).
 * Returns the columns' tallies (`columnTally` reads one).
 */
export function runVectorChain(world: World, columns: readonly ChainColumn[], options: VectorChainOptions = {}): VectorTally {
  if (columns.length === 0) throw new RangeError('columns must hold at least one column');
  const compiled = columns[0].compiled;
  const structure = chainStructureKey(compiled);
  // Each distinct policy checked once (a setting's baseline nodes are columns of one policy).
  const checked = new Set<CompiledPolicy>([compiled]);
  for (let i = 1; i < columns.length; i++) {
    if (checked.has(columns[i].compiled)) continue;
    checked.add(columns[i].compiled);
    if (chainStructureKey(columns[i].compiled) !== structure)
      throw new RangeError(
        `columns[${i}] must share the chain's structure with column 0 (stages, durations, check intervals, counting, traffic): it has ${structureDifference(compiled, columns[i].compiled)}`,
      );
  }
  const C = columns.length;
  const healthCheck = (laws: ChainLaws, window: ChainWindow) => laws.healthCheck(window);
  const shadowGates = (laws: ChainLaws, window: ChainWindow) => laws.shadowGates(window);
  const lazyCheck = (window: ChainWindow, ask: ColumnCheck['ask']): ColumnCheck => ({
    probabilities: { hold: new Float64Array(C), pass: new Float64Array(C), fail: new Float64Array(C), neglected: new Float64Array(C) },
    known: new Uint8Array(C),
    unknown: C,
    window,
    ask,
  });
  const served = (window: ChainWindow) => columns[0].laws.servedRequests(window);
  const pruneBelow = options.pruneBelow ?? 1e-15;
  const stages = compiled.stages;
  const tally = emptyVectorTally(C, options.stageBreakdown ? stages.length : null);
  const stageTallies = tally.stages;
  const horizon = world.scenario.horizon;
  const tracksHours = world.scenario.faults.some((fault) => fault.kind === 'leak');
  // Distinct flag percentages of the serving stages: the levels of the users-while-worse volumes.
  const levels = [
    ...new Set(stages.filter((stage) => stage.traffic > 0).map((stage) => Math.floor(rolloutPercentage(stage.traffic) + 1e-9))),
  ].sort((a, b) => a - b);
  const levelOfStage = stages.map((stage) =>
    stage.traffic > 0 ? levels.indexOf(Math.floor(rolloutPercentage(stage.traffic) + 1e-9)) : -1,
  );
  const facts = new Map<number, FactsEntry[]>();
  /** Windows' facts by their law's key (`windowFacts`): hash → the entries with that hash, each with its key's numbers. */
  const lawFacts = new NumberKeyMap<WindowFacts>();
  const lawKey = new Float64Array(10);
  const replay = world.scenario.traffic.arrivals.kind === 'replay' ? world.scenario.traffic.arrivals : null;
  const control = emptyConditions();
  const candidate = emptyConditions();
  const keptCount = failureCountKeeper(compiled);
  const concurrent = compiled.baselineMode === 'concurrent';
  const exposureByBucket = new Float64Array(101);

  /**
   * Mass vectors are pooled: a branch's vector comes from `take` and goes back through `give` once
   * no state holds it — merged into an equal state, pruned, absorbed by `end`, or its state
   * processed (`step`'s caller). The lab's question (20 settings × 28 nodes = 560 columns) made ~10
   * vectors of 4.5 kB per state, each a fresh ArrayBuffer for the collector to track and free.
   * Every vector is written in full before it is read (`scaled`, the onNoData 'fail' branch), so
   * a reused one carries nothing over. `current` is the mass of the state being processed, which
   * the sinks leave to `step`'s caller: it goes back unless a new state kept it (`handedOn`).
   */
  const free: Float64Array[] = [];
  const take = (): Float64Array => free.pop() ?? new Float64Array(C);
  const give = (vector: Float64Array): void => {
    free.push(vector);
  };
  let current: Float64Array | null = null;
  let handedOn = false;
  /** A/B stage scratch (read within one state's step, never kept): the test's outcomes over the columns. */
  const abBetter = new Float64Array(C);
  const abWorse = new Float64Array(C);
  const abEnded = new Float64Array(C);
  const abRunning = new Float64Array(C);
  const abNeglected = new Float64Array(C);

  /**
   * Expected distinct users served while worse given the arrivals while worse per level (the
   * windowed mode's `exposure()`): E_b = Σ_{levels ≥ b} volume, users = Σ_u 1 − exp(−w_u·E_b(u)).
   */
  function usersServed(volumes: Float64Array): number {
    let any = false;
    for (let j = 0; j < volumes.length; j++) if (volumes[j] !== 0) any = true;
    if (!any) return 0;
    exposureByBucket.fill(0);
    for (let j = 0; j < levels.length; j++) for (let b = 1; b <= levels[j]; b++) exposureByBucket[b] += volumes[j];
    return expectedUsersServed(world.population, exposureByBucket);
  }

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

  function windowFacts(state: VectorState, stage: CompiledStage, start: number, duration: number, judge: boolean): WindowFacts {
    const servedSeconds = tracksHours ? state.servedSeconds : 0;
    const judgeStart = judge ? state.stageStart : -1;
    const slot = start * stages.length + stage.index;
    let entries = facts.get(slot);
    if (entries) {
      for (const entry of entries)
        if (entry.duration === duration && entry.servedSeconds === servedSeconds && entry.judgeStart === judgeStart) return entry.facts;
    } else {
      entries = [];
      facts.set(slot, entries);
    }
    conditionsAt(world, start + duration / 2, state.servedSeconds / 3600, control, candidate);
    // Windows with the same law share one evaluation (stageChain.ts): the key is what the laws read.
    const arrivals = replay
      ? replayArrivals(replay.times, replay.period, start, start + duration)
      : expectedArrivals(world.scenario.traffic, start, start + duration);
    const worse = candidateIsWorse(world, control, candidate);
    let hash = 0;
    let fact: WindowFacts | undefined;
    if (stage.kind !== 'shadow') {
      // The law's key: what the laws read (stageChain.ts), compared as numbers (no string a window).
      lawKey[0] = stage.index;
      lawKey[1] = duration;
      lawKey[2] = arrivals;
      lawKey[3] = control.errorRate;
      lawKey[4] = control.timeoutProbability;
      lawKey[5] = control.latencyMultiplier;
      lawKey[6] = candidate.errorRate;
      lawKey[7] = candidate.timeoutProbability;
      lawKey[8] = candidate.latencyMultiplier;
      lawKey[9] = worse ? 1 : 0;
      hash = hashNumbers(lawKey);
      fact = lawFacts.get(lawKey, hash);
    }
    if (!fact) {
      fact = {
        control: copyConditions(control),
        candidate: copyConditions(candidate),
        worse,
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
        // Only the judging window's gates read the stage's windows (the others' facts never ask).
        stageWindows:
          stage.kind === 'shadow' && judge
            ? [...state.stageWindows, { start, duration, control: fact.control, candidate: fact.candidate }]
            : [],
      };
      if (stage.kind === 'canary' || stage.kind === 'full' || stage.kind === 'ab') fact.check = lazyCheck(window, healthCheck);
      else if (stage.kind === 'shadow' && judge) fact.check = lazyCheck(window, shadowGates);
      if (stage.traffic > 0 && stage.mirrorTraffic === 0) fact.served = served(window);
      if (stage.kind !== 'shadow') lawFacts.set(lawKey, hash, fact);
    }
    entries.push({ duration, servedSeconds, judgeStart, facts: fact });
    return fact;
  }

  // A/B stages: each column's test law per stage (abTestLaw.ts), asked once per stage.
  const abSchedules = new Map<number, ((stageStart: number) => AbTestSchedule)[]>();
  /**
   * The columns' test outcomes at a window of the A/B stage entered at `stageStart`, written to
   * the scratch vectors `abBetter`, `abWorse`, `abEnded` and `abNeglected`; false when no column
   * looks then. Columns sharing one law (memoisedAbTestLaw: every setting of a threshold curve,
   * every baseline node) ask it once: the next column copies the outcome.
   */
  function abOutcomes(stage: CompiledStage, stageStart: number, window: number, looks: number): boolean {
    let laws = abSchedules.get(stage.index);
    if (!laws) {
      laws = columns.map(({ compiled: own, laws: columnLaw }) => {
        const ownStage = own.stages[stage.index];
        if (!columnLaw.abTest) throw new RangeError(`the chain's laws have no A/B test law (stage ${stage.index}, '${stage.name}')`);
        return columnLaw.abTest(ownStage);
      });
      abSchedules.set(stage.index, laws);
    }
    let look: boolean | null = null;
    let asked: ((stageStart: number) => AbTestSchedule) | null = null;
    let outcome: AbLookOutcome | null = null;
    for (let c = 0; c < C; c++) {
      if (laws[c] !== asked) {
        asked = laws[c];
        outcome = asked(stageStart).at(window, looks);
      }
      const { look: looked, better, worse, ended, neglected } = outcome as AbLookOutcome;
      if (look === null) look = looked;
      else if (look !== looked)
        throw new RangeError(
          `columns[${c}] looks at the A/B test of stage ${stage.index} in window ${window} where column 0 does not (or the reverse): the columns must share the test's looks`,
        );
      abBetter[c] = better;
      abWorse[c] = worse;
      abEnded[c] = ended;
      abNeglected[c] = neglected;
    }
    return look === true;
  }

  function hashOf(state: VectorState): number {
    let hash = mix(state.stageIndex, state.stageStart | 0);
    hash = mix(hash, state.passed | 0);
    hash = mix(hash, state.count.consecutive);
    hash = mix(hash, state.count.total);
    hash = mix(hash, state.count.recent);
    hash = mix(hash, state.count.inconclusive);
    hash = mix(hash, state.worseSeen ? 1 : 0);
    hash = mix(hash, state.firstExposedWorse | 0);
    if (tracksHours) hash = mix(hash, state.servedSeconds | 0);
    hash = mix(hash, state.stageWindows.length);
    hash = mix(hash, state.abStatus * 4096 + state.abLooks * 8 + (state.abReached ? 4 : 0) + state.abWinner);
    const volumes = state.volumes;
    for (let j = 0; j < volumes.length; j++) hash = mixNumber(hash, volumes[j]);
    return hash;
  }

  function sameKey(a: VectorState, b: VectorState): boolean {
    if (
      a.stageIndex !== b.stageIndex ||
      a.stageStart !== b.stageStart ||
      a.passed !== b.passed ||
      a.count.consecutive !== b.count.consecutive ||
      a.count.total !== b.count.total ||
      a.count.recent !== b.count.recent ||
      a.count.inconclusive !== b.count.inconclusive ||
      a.worseSeen !== b.worseSeen ||
      a.firstExposedWorse !== b.firstExposedWorse ||
      (tracksHours && a.servedSeconds !== b.servedSeconds) ||
      a.stageWindows.length !== b.stageWindows.length ||
      a.abStatus !== b.abStatus ||
      a.abLooks !== b.abLooks ||
      a.abReached !== b.abReached ||
      a.abWinner !== b.abWinner
    )
      return false;
    if (a.volumes !== b.volumes) for (let j = 0; j < a.volumes.length; j++) if (a.volumes[j] !== b.volumes[j]) return false;
    return true;
  }

  // Pending states by window start time, processed in increasing time.
  const pending = new Map<number, Bucket>();
  const times: number[] = [];
  function schedule(time: number, state: VectorState): void {
    // Each column pruned as its own run prunes: an arriving mass below the threshold is dropped
    // into that column's neglected mass (the state's other columns may keep it alive).
    const mass = state.mass;
    let kept = false;
    for (let c = 0; c < C; c++) {
      const m = mass[c];
      if (m < pruneBelow) {
        if (m !== 0) {
          tally.neglected[c] += m;
          mass[c] = 0;
        }
      } else kept = true;
    }
    if (!kept) {
      if (mass !== current) give(mass);
      return;
    }
    let bucket = pending.get(time);
    if (!bucket) {
      bucket = { states: [], byHash: new Map() };
      pending.set(time, bucket);
      // Insert keeping `times` sorted.
      times.splice(firstAtOrAfter(times, time), 0, time);
    }
    state.hash = hashOf(state);
    const first = bucket.byHash.get(state.hash);
    for (let other: VectorState | null = first ?? null; other !== null; other = other.collision) {
      if (sameKey(other, state)) {
        const into = other.mass;
        for (let c = 0; c < C; c++) into[c] += mass[c];
        if (mass !== current) give(mass);
        return;
      }
    }
    if (mass === current) handedOn = true;
    state.collision = first ?? null;
    bucket.byHash.set(state.hash, state);
    bucket.states.push(state);
  }

  /** mass ⊙ p, or null when no column has mass left. */
  function scaled(mass: Float64Array, p: Float64Array): Float64Array | null {
    const result = take();
    let any = false;
    for (let c = 0; c < C; c++) {
      const value = mass[c] * p[c];
      result[c] = value;
      if (value > 0) any = true;
    }
    if (any) return result;
    give(result);
    return null;
  }

  /** The masses over the columns at `time` of a distribution, created (zero) when it has none yet. */
  function massesAt(distribution: Map<number, Float64Array>, time: number): Float64Array {
    let masses = distribution.get(time);
    if (!masses) {
      masses = new Float64Array(C);
      distribution.set(time, masses);
    }
    return masses;
  }

  /** Absorbs `mass` ending as `decision` at `time` (exactTally.ts's `absorb`, per column). */
  function end(
    stageIndex: number,
    decision: 'rollback' | 'promote' | 'undecided',
    time: number,
    mass: Float64Array,
    worse: boolean,
    firstExposedWorse: number,
    volumes: Float64Array,
    abReached: boolean,
    abWinner: number,
  ): void {
    const users = usersServed(volumes);
    const outcome = decision === 'rollback' ? tally.rollback : decision === 'promote' ? tally.promote : tally.undecided;
    const stageTally = stageTallies === null ? null : stageTallies[stageIndex];
    const detection = firstExposedWorse < 0 ? 0 : time - firstExposedWorse;
    // The distributions' entries at this time are looked up once, not once per column (560 Map
    // lookups an absorption for the lab's question), and created only when some column has mass.
    let some = false;
    for (let c = 0; c < C && !some; c++) if (mass[c] > 0) some = true;
    const decided = some && decision !== 'undecided' ? massesAt(tally.decisionTimes, time) : null;
    const detected = some && decision === 'rollback' && worse ? massesAt(tally.detectionTimes, detection) : null;
    const stageDetected =
      some && stageTally !== null && decision === 'rollback' && worse ? massesAt(stageTally.detectionTimes, detection) : null;
    for (let c = 0; c < C; c++) {
      const m = mass[c];
      if (!(m > 0)) continue;
      outcome[c] += m;
      if (worse) tally.worse[c] += m;
      if (decision === 'rollback' && !worse) tally.falseRollback[c] += m;
      if (decision === 'promote' && worse) tally.missedRegression[c] += m;
      if (decided !== null) decided[c] += m;
      if (detected !== null) detected[c] += m;
      tally.usersServedWhileWorse[c] += m * users;
      if (abReached) tally.abTests[c] += m;
      if (abWinner === 1) tally.candidateWins[c] += m;
      else if (abWinner === 2) tally.controlWins[c] += m;
      if (stageTally !== null) {
        if (decision === 'rollback') {
          stageTally.rollback[c] += m;
          if (!worse) stageTally.falseRollback[c] += m;
          else (stageDetected as Float64Array)[c] += m;
        }
        stageTally.usersServedWhileWorse[c] += m * users;
      }
    }
    // Absorbed: nothing holds the vector any more (the processed state's own goes back in the loop).
    if (mass !== current) give(mass);
  }

  const initialMass = new Float64Array(C).fill(1);
  if (stageTallies !== null) stageTallies[0].reached.fill(1);
  schedule(0, {
    stageIndex: 0,
    stageStart: 0,
    passed: 0,
    count: keptCount(emptyFailureCount()),
    worseSeen: false,
    firstExposedWorse: -1,
    servedSeconds: 0,
    volumes: new Float64Array(levels.length),
    stageWindows: [],
    abStatus: 0,
    abLooks: 0,
    abReached: false,
    abWinner: 0,
    mass: initialMass,
    hash: 0,
    collision: null,
  });

  while (times.length > 0) {
    const time = times.shift() as number;
    const bucket = pending.get(time) as Bucket;
    pending.delete(time);
    for (const state of bucket.states) {
      current = state.mass;
      handedOn = false;
      step(state, time);
      // The state's mass vector goes back to the pool unless a successor state keeps it.
      if (!handedOn) give(current);
    }
  }
  return tally;

  /** The transitions out of `state` at window start `time` (stageChain.ts's module comment). */
  function step(state: VectorState, time: number): void {
    const mass = state.mass;
    if (time >= horizon) {
      end(
        state.stageIndex,
        'undecided',
        time,
        mass,
        state.worseSeen,
        state.firstExposedWorse,
        state.volumes,
        state.abReached,
        state.abWinner,
      );
      return;
    }
    const stageIndex = state.stageIndex;
    const stage = stages[stageIndex];
    const duration = Math.min(stage.checkInterval, horizon - time);
    const windowEnd = time + duration;
    const judge = stage.kind === 'shadow' && state.passed + duration >= stage.minDuration;
    const fact = windowFacts(state, stage, time, duration, judge);
    const exposed = stage.traffic > 0 || stage.mirrorTraffic > 0;
    const worseSeen = state.worseSeen || fact.worse;
    const firstExposedWorse = state.firstExposedWorse >= 0 ? state.firstExposedWorse : exposed && fact.worse ? time : -1;
    const servedSeconds = exposed ? state.servedSeconds + duration : state.servedSeconds;
    // Exposure of this window (served, not mirrored): expectation × P(reached).
    let volumes = state.volumes;
    const service = fact.served;
    if (service.requests > 0 || service.arrivals > 0) {
      for (let c = 0; c < C; c++) {
        tally.candidateRequests[c] += mass[c] * service.requests;
        tally.failedRequests[c] += mass[c] * service.errors;
      }
      if (fact.worse) {
        for (let c = 0; c < C; c++) tally.requestsServedWhileWorse[c] += mass[c] * service.requests;
        if (stageTallies !== null) {
          const target = stageTallies[stageIndex].requestsServedWhileWorse;
          for (let c = 0; c < C; c++) target[c] += mass[c] * service.requests;
        }
        volumes = volumes.slice();
        volumes[levelOfStage[stageIndex]] += service.arrivals;
      }
    }
    const abReached = state.abReached || stage.kind === 'ab';
    const next = (
      passed: number,
      count: FailureCount,
      stageWindows: StageWindowRecord[],
      abStatus: number,
      abLooks: number,
      abWinner: number,
      branch: Float64Array,
    ): void => {
      schedule(windowEnd, {
        stageIndex,
        stageStart: state.stageStart,
        passed,
        count,
        worseSeen,
        firstExposedWorse,
        servedSeconds,
        volumes,
        stageWindows,
        abStatus,
        abLooks,
        abReached,
        abWinner,
        mass: branch,
        hash: 0,
        collision: null,
      });
    };
    // `abWinner`: the A/B winner after the decision (the controller's lastAbConclusion outlives the stage).
    const finish = (decision: 'rollback' | 'promote', branch: Float64Array | null, abWinner = state.abWinner): void => {
      if (branch !== null) end(stageIndex, decision, windowEnd, branch, worseSeen, firstExposedWorse, volumes, abReached, abWinner);
    };
    // `count`: the counts after the check that completes the stage (a passing check is counted first, as in the controller).
    const advanceWith = (branch: Float64Array | null, count: FailureCount, abWinner = state.abWinner): void => {
      if (branch === null) return;
      const nextIndex = stageIndex + 1;
      if (nextIndex >= stages.length || stages[nextIndex].kind === 'promote') {
        finish('promote', branch, abWinner);
        return;
      }
      if (stageTallies !== null) {
        // The prefix cut here would promote: its users are counted at this stage's end.
        const users = usersServed(volumes);
        const leaving = stageTallies[stageIndex];
        const entering = stageTallies[nextIndex];
        for (let c = 0; c < C; c++) {
          entering.reached[c] += branch[c];
          leaving.usersServedWhileWorse[c] += branch[c] * users;
          entering.usersServedWhileWorse[c] -= branch[c] * users;
        }
      }
      const entered = keptCount(countOnStageEntry(count, stages[nextIndex].failureCounting));
      schedule(windowEnd, {
        stageIndex: nextIndex,
        stageStart: windowEnd,
        passed: 0,
        count: entered,
        worseSeen,
        firstExposedWorse,
        servedSeconds,
        volumes,
        stageWindows: [],
        abStatus: 0,
        abLooks: 0,
        abReached,
        abWinner,
        mass: branch,
        hash: 0,
        collision: null,
      });
    };
    // checkMaxDuration for a 'continue' or 'hold' decision of `branch` (the A/B fields as the state's unless given).
    const maxedOut = windowEnd - state.stageStart >= stage.maxDuration && stage.onMaxDuration === 'rollback';
    const continueOrHold = (
      passed: number,
      count: FailureCount,
      stageWindows: StageWindowRecord[],
      branch: Float64Array | null,
      abStatus = state.abStatus,
      abLooks = state.abLooks,
      abWinner = state.abWinner,
    ): void => {
      if (branch === null) return;
      if (maxedOut) finish('rollback', branch, abWinner);
      else next(passed, count, stageWindows, abStatus, abLooks, abWinner, branch);
    };
    // A failing check (canary, full and A/B guardrails: settle's failure count): rollback at the
    // failure limit, else a hold with the failure counted.
    const failWith = (branch: Float64Array | null): void => {
      if (branch === null) return;
      const failed = countCheck(state.count, true);
      if (reachesFailureLimit(failed, stage.failureCounting)) finish('rollback', branch);
      else continueOrHold(state.passed, keptCount(failed), state.stageWindows, branch);
    };
    if (compiled.killSwitch) {
      finish('rollback', mass);
      return;
    }
    // A checking stage paused at the inconclusive limit: served, not checked (canary, full and A/B alike).
    if ((stage.kind === 'canary' || stage.kind === 'full' || stage.kind === 'ab') && isPaused(state.count, stage.failureCounting)) {
      continueOrHold(state.passed, state.count, state.stageWindows, mass);
      return;
    }
    switch (stage.kind) {
      case 'baseline': {
        const reaches = state.passed + duration >= stage.minDuration;
        if (concurrent) {
          const hold = baselineHold(state.stageStart, time, duration, stage, reaches);
          for (let c = 0; c < C; c++) tally.neglected[c] += mass[c] * hold;
        }
        if (reaches) advanceWith(mass, state.count);
        else continueOrHold(state.passed + duration, state.count, state.stageWindows, mass);
        break;
      }
      case 'shadow': {
        if (!judge) {
          const stageWindows = [...state.stageWindows, { start: time, duration, control: fact.control, candidate: fact.candidate }];
          continueOrHold(state.passed + duration, state.count, stageWindows, mass);
          break;
        }
        const check = ensureColumns(fact.check as ColumnCheck, columns, mass);
        finish('rollback', scaled(mass, check.fail));
        advanceWith(scaled(mass, check.pass), state.count);
        for (let c = 0; c < C; c++) tally.neglected[c] += mass[c] * (check.hold[c] + check.neglected[c]);
        break;
      }
      case 'canary':
      case 'full': {
        const counting = stage.failureCounting;
        const check = ensureColumns(fact.check as ColumnCheck, columns, mass);
        for (let c = 0; c < C; c++) tally.neglected[c] += mass[c] * check.neglected[c];
        // Fail (and, with onNoData 'fail', the too-little-data hold).
        let failMass: Float64Array | null;
        if (counting.onNoData === 'fail') {
          failMass = take();
          let any = false;
          for (let c = 0; c < C; c++) {
            failMass[c] = mass[c] * (check.fail[c] + check.hold[c]);
            if (failMass[c] > 0) any = true;
          }
          if (!any) {
            give(failMass);
            failMass = null;
          }
        } else failMass = scaled(mass, check.fail);
        failWith(failMass);
        // Hold: nothing counted, or one more inconclusive check.
        if (counting.onNoData === 'hold') continueOrHold(state.passed, state.count, state.stageWindows, scaled(mass, check.hold));
        else if (counting.onNoData === 'inconclusive') {
          const holdMass = scaled(mass, check.hold);
          if (holdMass !== null) continueOrHold(state.passed, keptCount(countInconclusive(state.count)), state.stageWindows, holdMass);
        }
        // Pass.
        const passMass = scaled(mass, check.pass);
        if (passMass !== null) {
          const passed = state.passed + duration;
          const passedCount = keptCount(countCheck(state.count, false));
          if (passed >= stage.minDuration) advanceWith(passMass, passedCount);
          else continueOrHold(passed, passedCount, state.stageWindows, passMass);
        }
        break;
      }
      case 'ab': {
        // step.ts stepAb: the guardrails (checkHealth) as a canary window, then runAbTest on a pass.
        const check = ensureColumns(fact.check as ColumnCheck, columns, mass);
        // A too-little-data window is not accumulated into the test (checkHealth returns before
        // addArmWindow): not chained, its mass counted as neglected.
        for (let c = 0; c < C; c++) tally.neglected[c] += mass[c] * (check.hold[c] + check.neglected[c]);
        // Fail: settle's failure count (→ rollback at the limit, else hold).
        failWith(scaled(mass, check.fail));
        const passMass = scaled(mass, check.pass);
        if (passMass === null) break;
        // Pass: the test (abTestLaw.ts), given it runs and had not concluded. The outcomes go to
        // the run's scratch vectors: only `scaled` below reads them, before the next state.
        const better = abBetter;
        const worse = abWorse;
        const ended = abEnded;
        let looks = state.abLooks;
        better.fill(0);
        worse.fill(0);
        ended.fill(0);
        if (state.abStatus === 1) better.fill(1);
        else if (state.abStatus === 2) ended.fill(1);
        else {
          const window = Math.round((time - state.stageStart) / stage.checkInterval) + 1;
          if (abOutcomes(stage, state.stageStart, window, state.abLooks)) {
            looks += 1;
            for (let c = 0; c < C; c++) tally.neglected[c] += passMass[c] * abNeglected[c];
          } else {
            better.fill(0);
            worse.fill(0);
            ended.fill(0);
          }
        }
        const running = abRunning;
        for (let c = 0; c < C; c++) running[c] = Math.max(0, 1 - better[c] - worse[c] - ended[c]);
        const passed = state.passed + duration;
        const passedCount = keptCount(countCheck(state.count, false));
        const minimumMet = passed >= stage.minDuration;
        // candidateWorse → rollBack.
        finish('rollback', scaled(passMass, worse), 2);
        // candidateBetter, or ended with onInconclusive 'advance': settle 'pass', ready when the minimum is met.
        const proceed = (branch: Float64Array | null, abStatus: number, abWinner: number): void => {
          if (minimumMet) advanceWith(branch, passedCount, abWinner);
          else continueOrHold(passed, passedCount, state.stageWindows, branch, abStatus, looks, abWinner);
        };
        proceed(scaled(passMass, better), 1, 1);
        const onInconclusive = stage.ab?.onInconclusive ?? 'hold';
        if (onInconclusive === 'rollback') finish('rollback', scaled(passMass, ended), 0);
        else if (onInconclusive === 'advance') proceed(scaled(passMass, ended), 2, 0);
        // 'hold': a passing check for the failure count, no passed time, checkMaxDuration.
        else continueOrHold(state.passed, passedCount, state.stageWindows, scaled(passMass, ended), 2, looks, 0);
        // Still running: settle 'pass' not ready (passed time grows, checkMaxDuration).
        continueOrHold(passed, passedCount, state.stageWindows, scaled(passMass, running), state.abStatus, looks);
        // The pass branch was only split above, never kept: back to the pool.
        give(passMass);
        break;
      }
      default:
        throw new RangeError(`the exact chain does not cover ${stage.kind} stages (stage ${stage.index}, '${stage.name}')`);
    }
  }
}
