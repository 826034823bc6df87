/**
 * Auto-tuning: search a policy's thresholds, check interval and guards with the simulator for
 * the user's targets — false-rollback rate at most a, the stated regression rolled back with
 * probability at least b within c of first serving users — and return every evaluated
 * candidate, the Pareto front, and a recommended policy, or a plain "no policy meets the
 * targets" with the closest candidates.
 *
 * Method (budgeted, reproducible):
 * 1. **Search**: a coordinate search (cyclic coordinate descent over a discrete grid, Nocedal &
 *    Wright, "Numerical Optimization", §9.3) from the base policy's own setting: for each
 *    coordinate of the `TuningSpace` in turn, every value is simulated with the others held, and
 *    the best becomes the current setting; passes repeat until none changes or the evaluation
 *    budget is spent. Every candidate uses replicates [0, searchReplicates) of the same seed —
 *    common random numbers — so differences between candidates are not sampling noise between
 *    runs.
 *    With `search: 'exact'` the search numbers come from the exact evaluator instead
 *    (exactTuningEvaluation.ts: no seed, no replicates, intervals of zero width), issue 16: when
 *    the base policy × worlds has no exact form, the whole search is simulated (`fallback` names
 *    the features); when one candidate has none (a setting the base policy did not have, e.g. a
 *    statistical error rule or a long M-of-N window), that candidate alone is simulated on the
 *    search replicates (`TunedCandidate.searchFallback` names why).
 * 2. **Confirmation**: the best `finalists` candidates are re-simulated on replicates
 *    [searchReplicates, searchReplicates + confirmReplicates) — fresh streams the search never
 *    saw, so the winner's curse of picking the luckiest search result does not carry over — and
 *    only these confirmation numbers decide the recommendation.
 * 3. **Judgement**, conservative: a candidate meets the targets when the upper Wilson 95% bound
 *    of its false-rollback rate is ≤ a and the lower bound of its detection rate ≥ b
 *    (`tuningTargets.ts`). Among those, the recommendation is the one with the best detection
 *    rate (then the shortest median time to detect, then the fewest false rollbacks), or with
 *    `prefer: 'exposure'` the one serving the regression to the fewest requests.
 *
 * Ranking during the search: candidates closer to the targets (smaller `targetShortfall`) first,
 * then by the preference above. The Pareto front is over (false-rollback rate, missed-detection
 * rate, median time to detect), all minimised, on the search numbers (every candidate measured
 * on the same streams).
 */
import type { Policy } from '../engine/policy/policy.ts';
import { formatMinutes, formatPercentSignificant } from '../engine/text/format.ts';
import type { ExactTuningEvaluator } from './exactTuningEvaluation.ts';
import { exactTuningEvaluator } from './exactTuningEvaluation.ts';
import { paretoFront } from './paretoFront.ts';
import type { Scenario } from './scenario.ts';
import type { TuningEvaluation, TuningWorlds } from './tuningEvaluation.ts';
import { evaluateCandidate, prepareCandidate } from './tuningEvaluation.ts';
import type { TuningSetting, TuningSpace } from './tuningSpace.ts';
import {
  applyTuningSetting,
  baseTuningSetting,
  defaultTuningSpace,
  describeTuningSetting,
  tuningCoordinates,
  tuningSettingKey,
} from './tuningSpace.ts';
import type { TuningTargets } from './tuningTargets.ts';
import { checkTuningTargets, meetsTargets, targetShortfall } from './tuningTargets.ts';
import type { FidelityMode } from './windowRequest.ts';

/** Options of `tune`. */
export interface TuneOptions {
  targets: TuningTargets;
  seed: number | string;
  /** Monte-Carlo fidelity mode of the confirmation and of any simulated search (default `'window'`, fast). */
  mode?: FidelityMode;
  /**
   * What the search runs on (default `'simulation'`): `'exact'` evaluates the candidates with the
   * exact evaluator where it applies (module comment) and simulates only the rest; the
   * confirmation is simulated either way.
   */
  search?: 'exact' | 'simulation';
  /** Replicates per world for each searched candidate (default 200). */
  searchReplicates?: number;
  /** Replicates per world for each finalist's confirmation (default 5 × searchReplicates). */
  confirmReplicates?: number;
  /** Candidates the search may simulate, the base included (default 40). */
  maxEvaluations?: number;
  /** Passes over the coordinates (default 2). */
  maxPasses?: number;
  /** Candidates confirmed (default 4). */
  finalists?: number;
  /** The search space (default `defaultTuningSpace(basePolicy, healthy)`). */
  space?: TuningSpace;
  /** What "best" means among candidates meeting the targets (default `'detection'`). */
  prefer?: 'detection' | 'exposure';
  /** Called after every simulated candidate with replicates done and the planned maximum. */
  onProgress?: (progress: TuneProgress) => void;
}

/** Progress of a tuning run. */
export interface TuneProgress {
  phase: 'search' | 'confirm';
  /** Candidates simulated so far in this phase. */
  evaluations: number;
  /** Replicates simulated so far (both worlds) and the most the run may simulate. */
  replicatesDone: number;
  replicatesPlanned: number;
}

/** One evaluated candidate. */
export interface TunedCandidate {
  /** Index in `TuneResult.candidates` (the order in which they were simulated; 0 is the base policy). */
  id: number;
  setting: TuningSetting;
  /** The setting in words. */
  label: string;
  policy: Policy;
  /** Search numbers (replicates [0, searchReplicates), common to all candidates; exact ones, with 0 replicates, when `searchedBy` is 'exact'). */
  search: TuningEvaluation;
  /** What computed the search numbers: the exact evaluator or a Monte-Carlo mode. */
  searchedBy: 'exact' | FidelityMode;
  /** In an exact search, the features that sent this candidate to Monte-Carlo (empty otherwise). */
  searchFallback: string[];
  /** Confirmation numbers on fresh replicates (finalists only). */
  confirmation: TuningEvaluation | null;
  /** On the Pareto front of the search numbers. */
  pareto: boolean;
  /** Meets both targets on the confirmation's Wilson bounds (null when not confirmed). */
  meetsTargets: boolean | null;
  /** `targetShortfall` on the confirmation numbers if confirmed, else on the search numbers. */
  shortfall: number;
}

/** The tuner's answer. */
export interface TuneResult {
  targets: TuningTargets;
  seed: number | string;
  /** The Monte-Carlo mode (confirmation, and any simulated search). */
  mode: FidelityMode;
  /** What searched: 'exact', or the Monte-Carlo mode (asked for, or fallen back to). */
  search: 'exact' | FidelityMode;
  /** When an exact search was asked for and the base policy has no exact form: the features (else empty). */
  fallback: string[];
  searchReplicates: number;
  confirmReplicates: number;
  /** Every candidate simulated, in order. */
  candidates: TunedCandidate[];
  /** Ids of the Pareto-front candidates, by false-rollback rate ascending. */
  paretoFront: number[];
  /** The recommended candidate, or null when no candidate meets the targets. */
  recommended: TunedCandidate | null;
  /** The confirmed candidates ranked best first (the closest ones when none meets the targets). */
  finalists: TunedCandidate[];
  /** One sentence saying what was found, in the user's words. */
  message: string;
  /** Replicates simulated in total (both worlds). */
  replicatesRun: number;
}

function checkWhole(name: string, value: number, min: number): void {
  if (!(Number.isSafeInteger(value) && value >= min))
    throw new RangeError(`${name} must be a whole number of at least ${min}, got ${value}`);
}

/** A rate in the tuner's messages: `12.5%` (3 significant digits), `n/a` when there is none. */
function rateText(rate: number | null): string {
  return rate === null ? 'n/a' : formatPercentSignificant(rate, 3);
}

/**
 * Orders evaluations best first: smaller target shortfall, then (prefer 'detection') higher
 * detection rate, shorter median time to detect, fewer false rollbacks — or (prefer 'exposure')
 * fewer requests served while worse, then higher detection rate, fewer false rollbacks.
 */
function compareEvaluations(a: TuningEvaluation, b: TuningEvaluation, targets: TuningTargets, prefer: 'detection' | 'exposure'): number {
  const shortfall = targetShortfall(a, targets) - targetShortfall(b, targets);
  if (shortfall !== 0) return shortfall;
  const detection = (b.detectionRate.rate ?? 0) - (a.detectionRate.rate ?? 0);
  const time = (a.timeToDetect.median ?? Infinity) - (b.timeToDetect.median ?? Infinity);
  const falseRollbacks = (a.falseRollbackRate.rate ?? 1) - (b.falseRollbackRate.rate ?? 1);
  const exposure = a.exposure.requestsServedWhileWorse - b.exposure.requestsServedWhileWorse;
  const order = prefer === 'exposure' ? [exposure, detection, falseRollbacks] : [detection, time, falseRollbacks];
  for (const difference of order) if (difference !== 0 && !Number.isNaN(difference)) return difference;
  return 0;
}

/**
 * What the tuner asks to have simulated: each policy of `policies` on replicates [from, to) of
 * both worlds. The answers (one `TuningEvaluation` per policy, in order) may be computed in any
 * way that gives `evaluateCandidate`'s numbers — in this thread (`tune`) or on a worker pool
 * (`tuneWith`) — so the result does not depend on how.
 */
export interface TuningBatch {
  policies: Policy[];
  from: number;
  to: number;
  worlds: TuningWorlds;
  detectWithin: number;
  /** Call once per policy as its evaluation completes (any order): drives `onProgress`. */
  evaluated: () => void;
}

/**
 * Tunes `basePolicy` for `targets` on the `healthy` and `regressed` scenarios (module comment),
 * simulating in this thread. Inputs are checked once: RangeError naming the field. Cost: at most
 * 2 · (maxEvaluations · searchReplicates + finalists · confirmReplicates) replicates.
 */
export function tune(basePolicy: Policy, healthy: Scenario, regressed: Scenario, options: TuneOptions): TuneResult {
  const process = tuneProcess(basePolicy, healthy, regressed, options);
  let step = process.next();
  while (!step.done) {
    const batch = step.value;
    step = process.next(
      batch.policies.map((policy) => {
        const evaluation = evaluateCandidate(prepareCandidate(policy, batch.worlds), batch.from, batch.to, batch.detectWithin);
        batch.evaluated();
        return evaluation;
      }),
    );
  }
  return step.value;
}

/**
 * `tune` with the simulations done by `evaluate`, which may run them in parallel (the CLI's
 * worker threads): the same candidates, numbers and result as `tune`, since the search asks for
 * every value of a coordinate at once and reads the answers in order.
 */
export async function tuneWith(
  basePolicy: Policy,
  healthy: Scenario,
  regressed: Scenario,
  options: TuneOptions,
  evaluate: (batch: TuningBatch) => Promise<TuningEvaluation[]>,
): Promise<TuneResult> {
  const process = tuneProcess(basePolicy, healthy, regressed, options);
  let step = process.next();
  while (!step.done) step = process.next(await evaluate(step.value));
  return step.value;
}

/** The tuner as a generator of simulation batches (see `TuningBatch`); `tune` and `tuneWith` drive it. */
function* tuneProcess(
  basePolicy: Policy,
  healthy: Scenario,
  regressed: Scenario,
  options: TuneOptions,
): Generator<TuningBatch, TuneResult, TuningEvaluation[]> {
  const { targets, seed, mode = 'window', prefer = 'detection' } = options;
  checkTuningTargets(targets);
  const searchReplicates = options.searchReplicates ?? 200;
  const confirmReplicates = options.confirmReplicates ?? 5 * searchReplicates;
  const maxEvaluations = options.maxEvaluations ?? 40;
  const maxPasses = options.maxPasses ?? 2;
  const finalistCount = options.finalists ?? 4;
  checkWhole('searchReplicates', searchReplicates, 10);
  checkWhole('confirmReplicates', confirmReplicates, 10);
  checkWhole('maxEvaluations', maxEvaluations, 1);
  checkWhole('maxPasses', maxPasses, 1);
  checkWhole('finalists', finalistCount, 1);
  if (prefer !== 'detection' && prefer !== 'exposure')
    throw new RangeError(`prefer must be 'detection' or 'exposure', got ${String(prefer)}`);
  if (!(typeof seed === 'string' || Number.isSafeInteger(seed)))
    throw new RangeError(`seed must be a safe integer or a string, got ${seed}`);
  const searchWith = options.search ?? 'simulation';
  if (searchWith !== 'exact' && searchWith !== 'simulation')
    throw new RangeError(`search must be 'exact' or 'simulation', got ${String(searchWith)}`);
  // The exact evaluator while the search may use it: dropped (with the features) when the base policy has no exact form.
  let exact: ExactTuningEvaluator | null = searchWith === 'exact' ? exactTuningEvaluator(healthy, regressed) : null;
  let fallback: string[] = [];
  let simulatedSearches = 0;
  const space = options.space ?? defaultTuningSpace(basePolicy, healthy);
  const worlds: TuningWorlds = { healthy, regressed, mode, seed };
  const replicatesPlanned = 2 * (maxEvaluations * searchReplicates + finalistCount * confirmReplicates);
  let replicatesDone = 0;
  let searched = 0;
  let confirmed = 0;
  const searchEvaluated = (simulated = true) => {
    searched += 1;
    if (simulated) replicatesDone += 2 * searchReplicates;
    options.onProgress?.({ phase: 'search', evaluations: searched, replicatesDone, replicatesPlanned });
  };
  const confirmEvaluated = () => {
    confirmed += 1;
    replicatesDone += 2 * confirmReplicates;
    options.onProgress?.({ phase: 'confirm', evaluations: confirmed, replicatesDone, replicatesPlanned });
  };

  const candidates: TunedCandidate[] = [];
  const byKey = new Map<string, TunedCandidate | null>();
  /**
   * Simulates the settings not seen yet, in order, as one batch (cached; a setting that makes
   * the policy invalid is cached as null), and returns each setting's candidate or null. With
   * `budget`, stops before the first new valid setting past `maxEvaluations` and says so.
   */
  function* evaluate(
    settings: TuningSetting[],
    budget: boolean,
  ): Generator<TuningBatch, { results: (TunedCandidate | null)[]; budgetSpent: boolean }, TuningEvaluation[]> {
    const fresh: { setting: TuningSetting; key: string; policy: Policy; exact: TuningEvaluation | null; searchFallback: string[] }[] = [];
    const keys: string[] = [];
    let budgetSpent = false;
    for (const setting of settings) {
      const key = tuningSettingKey(setting);
      if (byKey.has(key) || fresh.some((entry) => entry.key === key)) {
        keys.push(key);
        continue;
      }
      if (budget && candidates.length + fresh.length >= maxEvaluations) {
        budgetSpent = true;
        break;
      }
      keys.push(key);
      try {
        fresh.push({ setting, key, policy: applyTuningSetting(basePolicy, setting), exact: null, searchFallback: [] });
      } catch (error) {
        // A value the policy cannot take (e.g. a check interval longer than a stage) is skipped;
        // the base setting itself must be valid.
        if (candidates.length === 0 && byKey.size === 0) throw error;
        byKey.set(key, null);
      }
    }
    // The exact evaluator first (when it applies), the round's candidates as one vector run per
    // chain structure; what it refuses is simulated below.
    const answers =
      exact === null || fresh.length === 0
        ? []
        : exact.evaluateAll(
            fresh.map((entry) => entry.policy),
            targets.detectWithin,
          );
    for (const [index, entry] of fresh.entries()) {
      if (exact === null) break;
      const answer = answers[index];
      if (answer.supported) {
        entry.exact = answer.evaluation;
        searchEvaluated(false);
      } else if (candidates.length === 0) {
        // The base policy itself: the whole search falls back to Monte-Carlo.
        fallback = answer.features;
        exact = null;
      } else {
        entry.searchFallback = answer.features;
      }
    }
    const simulate = fresh.filter((entry) => entry.exact === null);
    const evaluations =
      simulate.length > 0
        ? yield {
            policies: simulate.map((entry) => entry.policy),
            from: 0,
            to: searchReplicates,
            worlds,
            detectWithin: targets.detectWithin,
            evaluated: () => searchEvaluated(),
          }
        : [];
    simulatedSearches += simulate.length;
    fresh.forEach(({ setting, key, policy, exact: exactSearch, searchFallback }) => {
      const search = exactSearch ?? evaluations[simulate.findIndex((entry) => entry.key === key)];
      const candidate: TunedCandidate = {
        id: candidates.length,
        setting,
        label: describeTuningSetting(setting, basePolicy),
        policy,
        search,
        searchedBy: exactSearch === null ? mode : 'exact',
        searchFallback,
        confirmation: null,
        pareto: false,
        meetsTargets: null,
        shortfall: targetShortfall(search, targets),
      };
      candidates.push(candidate);
      byKey.set(key, candidate);
    });
    return { results: keys.map((key) => byKey.get(key) as TunedCandidate | null), budgetSpent };
  }
  const better = (a: TunedCandidate, b: TunedCandidate) => compareEvaluations(a.search, b.search, targets, prefer) < 0;

  // 1. Coordinate search from the base setting: every value of a coordinate simulated at once
  // (one batch), then read in order.
  let current = (yield* evaluate([baseTuningSetting(basePolicy)], false)).results[0] as TunedCandidate;
  const coordinates = tuningCoordinates.filter((coordinate) => (space[coordinate]?.length ?? 0) > 0);
  let budgetSpent = false;
  for (let pass = 0; pass < maxPasses && !budgetSpent; pass++) {
    let moved = false;
    for (const coordinate of coordinates) {
      let best = current;
      const settings = (space[coordinate] as unknown[]).map((value) => ({ ...current.setting, [coordinate]: value }) as TuningSetting);
      const batch = yield* evaluate(settings, true);
      budgetSpent = batch.budgetSpent;
      for (const candidate of batch.results) if (candidate !== null && better(candidate, best)) best = candidate;
      if (best !== current) {
        current = best;
        moved = true;
      }
      if (budgetSpent) break;
    }
    if (!moved) break;
  }

  // 2. Confirmation of the finalists on fresh replicates.
  const ranked = [...candidates].sort((a, b) => compareEvaluations(a.search, b.search, targets, prefer));
  // Candidates with identical search numbers behave alike on these streams (e.g. a guard that
  // never binds): confirm distinct behaviours, the best-ranked of each.
  const finalists: TunedCandidate[] = [];
  const behaviours = new Set<string>();
  for (const candidate of ranked) {
    if (finalists.length >= finalistCount) break;
    const { falseRollbackRate, detectionRate, timeToDetect, exposure } = candidate.search;
    // Exact numbers are probabilities: candidates that differ only in the last digits (a guard
    // that binds with probability 1e-30) behave alike too.
    const behaviour = [
      falseRollbackRate.count,
      detectionRate.count,
      timeToDetect.count,
      timeToDetect.mean,
      exposure.requestsServedWhileWorse,
    ]
      .map((value) => (candidate.searchedBy === 'exact' && value !== null ? Number(value.toPrecision(9)) : value))
      .join('/');
    if (behaviours.has(behaviour)) continue;
    behaviours.add(behaviour);
    finalists.push(candidate);
  }
  const confirmations = yield {
    policies: finalists.map((candidate) => candidate.policy),
    from: searchReplicates,
    to: searchReplicates + confirmReplicates,
    worlds,
    detectWithin: targets.detectWithin,
    evaluated: confirmEvaluated,
  };
  finalists.forEach((candidate, i) => {
    candidate.confirmation = confirmations[i];
    candidate.meetsTargets = meetsTargets(candidate.confirmation, targets);
    candidate.shortfall = targetShortfall(candidate.confirmation, targets);
  });
  finalists.sort((a, b) => compareEvaluations(a.confirmation as TuningEvaluation, b.confirmation as TuningEvaluation, targets, prefer));

  // 3. Pareto front of the search numbers, and the recommendation.
  const front = paretoFront(
    candidates.map((candidate) => [
      candidate.search.falseRollbackRate.rate ?? 1,
      candidate.search.missedDetectionRate.rate ?? 1,
      candidate.search.timeToDetect.median ?? Infinity,
    ]),
  );
  for (const id of front) candidates[id].pareto = true;
  front.sort((a, b) => (candidates[a].search.falseRollbackRate.rate ?? 1) - (candidates[b].search.falseRollbackRate.rate ?? 1) || a - b);
  const recommended = finalists.find((candidate) => candidate.meetsTargets) ?? null;
  const within = formatMinutes(targets.detectWithin);
  let message: string;
  if (recommended !== null) {
    const confirmation = recommended.confirmation as TuningEvaluation;
    message =
      `Recommended: ${recommended.label}. On ${confirmReplicates} fresh replicates per world it rolled back a healthy candidate in ` +
      `${rateText(confirmation.falseRollbackRate.rate)} (95% upper bound ${rateText(confirmation.falseRollbackRate.upper)} ≤ ${rateText(targets.maxFalseRollbackRate)}) ` +
      `and caught the regression within ${within} in ${rateText(confirmation.detectionRate.rate)} ` +
      `(95% lower bound ${rateText(confirmation.detectionRate.lower)} ≥ ${rateText(targets.minDetectionRate)}).`;
  } else {
    const closest = finalists[0];
    const confirmation = closest.confirmation as TuningEvaluation;
    message =
      `No policy meets the targets (false rollbacks ≤ ${rateText(targets.maxFalseRollbackRate)}, regression caught within ${within} in ≥ ${rateText(targets.minDetectionRate)}) ` +
      `among the ${candidates.length} candidates simulated. Closest: ${closest.label} — false rollbacks ${rateText(confirmation.falseRollbackRate.rate)} ` +
      `[upper ${rateText(confirmation.falseRollbackRate.upper)}], caught within ${within} in ${rateText(confirmation.detectionRate.rate)} [lower ${rateText(confirmation.detectionRate.lower)}]. ` +
      'Relax a target, allow more time, or change the stages (more traffic to the canary gives more evidence per window).';
  }
  return {
    targets,
    seed,
    mode,
    search: searchWith === 'exact' && fallback.length === 0 ? 'exact' : mode,
    fallback,
    searchReplicates,
    confirmReplicates,
    candidates,
    paretoFront: front,
    recommended,
    finalists,
    message,
    replicatesRun: 2 * (simulatedSearches * searchReplicates + finalists.length * confirmReplicates),
  };
}
