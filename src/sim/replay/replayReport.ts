/**
 * What a request replay reports (DESIGN.md §4, issue 12), and the mergeable tally it is built
 * from (`initReplayTally / addRunOutcome / mergeReplayTallies / tallyValue`, the Arquero
 * aggregate pattern of STYLE.md: plain JSON counts, so shards of replicates merge exactly and in
 * any order).
 *
 * A replay runs each policy run twice on the same traffic (common random numbers): a **healthy**
 * world, where the candidate answers every request exactly as the log says control did, and a
 * **regressed** world, where the injected regression is applied to the candidate's requests. The
 * pairs separate detection from noise: a regressed run that rolled back while its healthy twin
 * did not was rolled back only because of the regression.
 */
import type { FailureCounting } from '../../engine/controller/failureCount.ts';
import { resolveFailureCounting } from '../../engine/controller/failureCount.ts';
import type { Policy } from '../../engine/policy/policy.ts';
import type { RateEstimate } from '../summary.ts';
import { histogramQuantile, rateEstimate } from '../summary.ts';
import type { Injection } from './injection.ts';
import type { StatusCount } from './parseLog.ts';

/** How one run of the policy ended. */
export interface RunOutcome {
  decision: 'rollback' | 'promote' | 'undecided';
  /** Name of the stage the run ended in. */
  stage: string;
  /** Seconds from the run's start to the decision; null when undecided. */
  decisionTime: number | null;
  /**
   * Why it rolled back: one key per failing check of the rollback step, `stage · rule metric`
   * (e.g. `canary 5% · ratio errorRate`), or `stage · maxDuration`; empty otherwise.
   */
  reasons: string[];
  /** Failing checks counted, as the policy's counting mode counts them (in a row, in total, M of the last N), when it rolled back on its failure limit; null otherwise. */
  failingChecks: number | null;
  /**
   * The run ended (timed out at a stage's maximum duration, or reached the end of the replayed
   * time) in a stage that never got the requests it needs: what it saw and needed. Null otherwise.
   */
  starved: StarvedStage | null;
}

/** A stage that ended without the requests it needed. */
export interface StarvedStage {
  stage: string;
  /** 'timedOut': rolled back or held at the stage's maximum duration; 'endOfReplay': the replayed time ran out. */
  ending: 'timedOut' | 'endOfReplay';
  /** 'window': the candidate's most requests in one check window vs the stage's minRequests per window; 'stage': the baseline's control requests vs its minRequests. */
  per: 'window' | 'stage';
  seen: number;
  needed: number;
}

/** Counts of one world's runs: outcomes, reasons, starved stages. Plain JSON, mergeable. */
export interface WorldTally {
  runs: number;
  rollbacks: number;
  promotions: number;
  undecided: number;
  /** `RunOutcome.reasons` key → runs that rolled back with it (a run can count under several). */
  reasons: Record<string, number>;
  /** Failing checks counted (the policy's counting mode) at rollback → runs. */
  failingChecks: Record<string, number>;
  /** `stage|ending|per|needed` → runs, and the largest and smallest `seen` among them. */
  starved: Record<string, { runs: number; seenMin: number; seenMax: number }>;
}

/** The paired tally of a bootstrap replay. */
export interface ReplayTally {
  healthy: WorldTally;
  regressed: WorldTally;
  /** Pairs: regressed rolled back, healthy did not. */
  onlyBecauseOfRegression: number;
  /** Pairs: both rolled back. */
  inBoth: number;
  /** Pairs: healthy rolled back, regressed did not (noise that the regression changed). */
  onlyWithoutRegression: number;
  /** Pairs: the regressed run promoted the candidate. */
  missed: number;
  /** Detection time (whole seconds from the regression's onset to the rollback) of `onlyBecauseOfRegression` pairs → count. */
  detectionTimes: Record<string, number>;
}

/** How one counting mode counts, in words: "in a row", "in total over the rollout", "among the last 5 checks". */
function countingWords(counting: FailureCounting): string {
  const over = counting.scope === 'rollout' ? ' over the rollout' : '';
  if (counting.mode === 'total') return `in total${over}`;
  if (counting.mode === 'mOfN') return `among the last ${counting.window} checks${over}`;
  return `in a row${over}`;
}

/**
 * The label of a replay's failing-check counts for `policy` (a valid policy): "failing checks
 * counted (in total over the rollout)", from the counting mode of its checked stages (guards:
 * stage over policy, src/engine/controller/failureCount.ts), several modes joined by "or" when
 * its stages count differently — `RunOutcome.failingChecks` is the count the mode reached.
 */
export function failingChecksLabel(policy: Policy): string {
  const modes = new Set<string>();
  for (const stage of policy.stages) {
    if (stage.kind === 'promote' || stage.kind === 'baseline') continue;
    modes.add(countingWords(resolveFailureCounting({ ...policy.guards, ...stage.guards })));
  }
  return `failing checks counted (${[...modes].join(' or ')})`;
}

/** One world's rates as people read them. */
export interface WorldSummary {
  runs: number;
  rollbackRate: RateEstimate;
  promoteRate: RateEstimate;
  undecidedRate: RateEstimate;
  /** Rollbacks by reason, most frequent first: `count` runs of `runs`. */
  reasons: { reason: string; count: number }[];
  /** Rollbacks by failing checks counted (the policy's counting mode, `failingChecksLabel`), ascending. */
  failingChecks: { checks: number; count: number }[];
  /** Runs that ended in a stage that never got its requests, with a sentence each. */
  starved: {
    stage: string;
    ending: 'timedOut' | 'endOfReplay';
    per: 'window' | 'stage';
    needed: number;
    seenMin: number;
    seenMax: number;
    runs: number;
    message: string;
  }[];
}

/** How the error definition was applied to the log. */
export interface ErrorDefinition {
  /** The `--error-when` expression, or `default` (5xx and the known error words). */
  rule: string;
  /** A sentence saying what counts as an error. */
  description: string;
  /** Distinct status values of the accepted rows with counts and classification, most frequent first. */
  statuses: StatusCount[];
  /** Status values rejected as unrecognised by the rule (default rule only), with counts. */
  rejectedStatuses: { status: string; count: number }[];
  requests: number;
  errors: number;
  errorRate: number;
}

/** How the block length was chosen. */
export interface BlockLengthChoice {
  /** Block length used, minutes. */
  minutes: number;
  /** 'politisWhite': from the data; 'user': set with `blockMinutes` / `--block-minutes`. */
  how: 'politisWhite' | 'user';
  /** Politis–White (with the Patton–Politis–White correction) circular-block length of the per-minute error-count series, minutes (unrounded); null when not computed. */
  errorSeries: number | null;
  /** The same for the per-minute mean-latency series; null when not computed or the log has no latency. */
  latencySeries: number | null;
  /** A sentence: which series set the length and why. */
  explanation: string;
}

/** The regression injected into the candidate in the regressed world. */
export interface RegressionDescription {
  /** The injections as parsed. */
  injections: Injection[];
  /** What the candidate does differently, in words ("every candidate latency × 1.3"). */
  description: string;
  /** When it starts: the first check window in which the candidate receives traffic (mirrored or served). */
  onset: string;
  /** What a missed regression means for users. */
  missedMeaning: string;
}

/** The check against the log itself: the policy run on the log's own consecutive windows. */
export interface OwnWindowsCheck {
  /** Runs started every `startEverySeconds` through the log (each needs the rollout's length of log after its start). */
  runs: number;
  startEverySeconds: number;
  /** Runs that do not overlap (log span ÷ rollout length): the overlapping runs are far from independent, so the interval is optimistic. */
  nonOverlappingRuns: number;
  /** The candidate is the control (identical requests): every rollback is false. */
  falseRollbackRate: RateEstimate;
  summary: WorldSummary;
}

/** The whole result of `replayRequests`. */
export interface RequestReplayResult {
  log: { requests: number; firstTime: number; spanSeconds: number; users: number | null };
  errorDefinition: ErrorDefinition;
  /** Sticky routing: by the log's user column (named), or by hashing each request when the log has none. */
  routing: { by: 'user' | 'request'; column: string | null; group: string };
  blockLength: BlockLengthChoice;
  /** How long a replayed rollout may run (`rolloutSeconds`: each stage's maximum duration, or twice its minimum when it has none), seconds: the replayed time. */
  rolloutSeconds: number;
  /** The log is shorter than the rollout and the caller allowed blocks to be reused to fill it. */
  shorterThanRollout: boolean;
  regression: RegressionDescription | null;
  replicates: number;
  seed: number | string;
  /** Healthy world: every rollback is a false rollback. */
  falseRollbackRate: RateEstimate;
  healthy: WorldSummary;
  /** Regressed world and the pairs; null when no regression was injected. */
  detection: {
    regressed: WorldSummary;
    /** Rolled back in the regressed world and not in its healthy twin. */
    onlyBecauseOfRegression: RateEstimate;
    /** Rolled back in both worlds: the noise would have stopped it anyway. */
    inBoth: RateEstimate;
    /** Rolled back in the healthy world only. */
    onlyWithoutRegression: RateEstimate;
    /** The regressed run promoted the candidate. */
    missed: RateEstimate;
    /** Seconds from the regression's onset to the rollback, over `onlyBecauseOfRegression` pairs. */
    detectionTime: { count: number; median: number | null; p90: number | null; mean: number | null };
  } | null;
  ownWindows: OwnWindowsCheck;
}

/** An empty world tally. */
export function initWorldTally(): WorldTally {
  return { runs: 0, rollbacks: 0, promotions: 0, undecided: 0, reasons: {}, failingChecks: {}, starved: {} };
}

/** An empty paired tally. */
export function initReplayTally(): ReplayTally {
  return {
    healthy: initWorldTally(),
    regressed: initWorldTally(),
    onlyBecauseOfRegression: 0,
    inBoth: 0,
    onlyWithoutRegression: 0,
    missed: 0,
    detectionTimes: {},
  };
}

function bump(record: Record<string, number>, key: string, by = 1): void {
  record[key] = (record[key] ?? 0) + by;
}

/** Adds one run to a world tally. */
export function addWorldOutcome(tally: WorldTally, outcome: RunOutcome): WorldTally {
  tally.runs += 1;
  if (outcome.decision === 'rollback') tally.rollbacks += 1;
  else if (outcome.decision === 'promote') tally.promotions += 1;
  else tally.undecided += 1;
  for (const reason of outcome.reasons) bump(tally.reasons, reason);
  if (outcome.failingChecks !== null) bump(tally.failingChecks, String(outcome.failingChecks));
  const starved = outcome.starved;
  if (starved !== null) {
    const key = `${starved.stage}|${starved.ending}|${starved.per}|${starved.needed}`;
    const entry = (tally.starved[key] ??= { runs: 0, seenMin: starved.seen, seenMax: starved.seen });
    entry.runs += 1;
    entry.seenMin = Math.min(entry.seenMin, starved.seen);
    entry.seenMax = Math.max(entry.seenMax, starved.seen);
  }
  return tally;
}

/**
 * Adds one pair (the healthy run and, when a regression is injected, the regressed run on the
 * same traffic; `onset` the regression's onset in seconds from the run's start).
 */
export function addRunPair(tally: ReplayTally, healthy: RunOutcome, regressed: RunOutcome | null, onset: number | null): ReplayTally {
  addWorldOutcome(tally.healthy, healthy);
  if (regressed === null) return tally;
  addWorldOutcome(tally.regressed, regressed);
  const healthyRolledBack = healthy.decision === 'rollback';
  const regressedRolledBack = regressed.decision === 'rollback';
  if (regressedRolledBack && healthyRolledBack) tally.inBoth += 1;
  else if (regressedRolledBack) {
    tally.onlyBecauseOfRegression += 1;
    const time = Math.max(0, Math.round((regressed.decisionTime as number) - (onset ?? 0)));
    bump(tally.detectionTimes, String(time));
  } else if (healthyRolledBack) tally.onlyWithoutRegression += 1;
  if (regressed.decision === 'promote') tally.missed += 1;
  return tally;
}

function mergeWorld(into: WorldTally, other: WorldTally): void {
  into.runs += other.runs;
  into.rollbacks += other.rollbacks;
  into.promotions += other.promotions;
  into.undecided += other.undecided;
  for (const [key, n] of Object.entries(other.reasons)) bump(into.reasons, key, n);
  for (const [key, n] of Object.entries(other.failingChecks)) bump(into.failingChecks, key, n);
  for (const [key, entry] of Object.entries(other.starved)) {
    const mine = into.starved[key];
    if (mine === undefined) into.starved[key] = { ...entry };
    else {
      mine.runs += entry.runs;
      mine.seenMin = Math.min(mine.seenMin, entry.seenMin);
      mine.seenMax = Math.max(mine.seenMax, entry.seenMax);
    }
  }
}

/** Merges `other` into `into` (exact, order-free) and returns `into`. */
export function mergeReplayTallies(into: ReplayTally, other: ReplayTally): ReplayTally {
  mergeWorld(into.healthy, other.healthy);
  mergeWorld(into.regressed, other.regressed);
  into.onlyBecauseOfRegression += other.onlyBecauseOfRegression;
  into.inBoth += other.inBoth;
  into.onlyWithoutRegression += other.onlyWithoutRegression;
  into.missed += other.missed;
  for (const [key, n] of Object.entries(other.detectionTimes)) bump(into.detectionTimes, key, n);
  return into;
}

/** "1,000": whole numbers with thousands separators, as the CLI prints counts. */
function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** The sentence for a starved stage: "timed out: canary 5% saw at most 41 candidate requests in a check window, of the 100 needed (12 runs)". */
export function starvedMessage(entry: {
  stage: string;
  ending: 'timedOut' | 'endOfReplay';
  per: 'window' | 'stage';
  needed: number;
  seenMax: number;
  runs: number;
}): string {
  const how = entry.ending === 'timedOut' ? 'timed out' : 'ran out of replayed time';
  const what =
    entry.per === 'window'
      ? `${entry.stage} saw at most ${count(entry.seenMax)} candidate requests in a check window, of the ${count(entry.needed)} needed`
      : `${entry.stage} saw at most ${count(entry.seenMax)} control requests, of the ${count(entry.needed)} needed`;
  return `${how}: ${what} (${count(entry.runs)} run${entry.runs === 1 ? '' : 's'})`;
}

/** A world tally as people read it. */
export function worldSummary(tally: WorldTally): WorldSummary {
  const reasons = Object.entries(tally.reasons)
    .map(([reason, n]) => ({ reason, count: n }))
    .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1));
  const failingChecks = Object.entries(tally.failingChecks)
    .map(([checks, n]) => ({ checks: Number(checks), count: n }))
    .sort((a, b) => a.checks - b.checks);
  const starved = Object.entries(tally.starved)
    .map(([key, entry]) => {
      const [stage, ending, per, needed] = key.split('|');
      const item = {
        stage,
        ending: ending as 'timedOut' | 'endOfReplay',
        per: per as 'window' | 'stage',
        needed: Number(needed),
        ...entry,
      };
      return { ...item, message: starvedMessage(item) };
    })
    .sort((a, b) => b.runs - a.runs || (a.stage < b.stage ? -1 : 1));
  return {
    runs: tally.runs,
    rollbackRate: rateEstimate(tally.rollbacks, tally.runs),
    promoteRate: rateEstimate(tally.promotions, tally.runs),
    undecidedRate: rateEstimate(tally.undecided, tally.runs),
    reasons,
    failingChecks,
    starved,
  };
}

/** The detection part of a tally as people read it. */
export function detectionSummary(tally: ReplayTally): NonNullable<RequestReplayResult['detection']> {
  const runs = tally.regressed.runs;
  let sum = 0;
  let n = 0;
  for (const [value, k] of Object.entries(tally.detectionTimes)) {
    sum += Number(value) * k;
    n += k;
  }
  return {
    regressed: worldSummary(tally.regressed),
    onlyBecauseOfRegression: rateEstimate(tally.onlyBecauseOfRegression, runs),
    inBoth: rateEstimate(tally.inBoth, runs),
    onlyWithoutRegression: rateEstimate(tally.onlyWithoutRegression, runs),
    missed: rateEstimate(tally.missed, runs),
    detectionTime: {
      count: n,
      median: histogramQuantile(tally.detectionTimes, 0.5),
      p90: histogramQuantile(tally.detectionTimes, 0.9),
      mean: n === 0 ? null : sum / n,
    },
  };
}
