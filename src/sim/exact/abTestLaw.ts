/**
 * The law of an A/B stage's test of the success rate, as the exact chain (stageChain.ts) asks
 * for it: for the stage-local window index j (1 = the stage's first window) and the looks already
 * made, the probabilities that the test concludes at that window — candidate better, candidate
 * worse, or ended without showing a difference — given that it had not concluded before and that
 * the window passed its guardrails. The chain multiplies them by the guardrails' pass probability.
 *
 * What the controller does (src/engine/controller/step.ts, `runAbTest` and `plannedSampleSize`):
 * - the arms' outcomes accumulate over the stage's checked windows (`checkHealth` adds the window
 *   before its rules, so a failing window is accumulated; a too-little-data window is not — the
 *   chain counts the A/B hold mass as neglected, so every window it keeps is accumulated);
 * - the test runs only at windows whose guardrails passed; the planned n per arm is fixed at the
 *   first run: `test.sampleSize`, else from `test.baselineRate`, else the historical baseline's
 *   measured success rate (≥ 100 outcomes), else the stage's control rate, through the pooled
 *   two-sided sample size (`requiredSampleSize`);
 * - fixed design: the single look is the first such window where min(control, candidate
 *   outcomes) ≥ n; `decideAB` then says B_WINS (candidate better), A_WINS (worse), TIE or
 *   INCONCLUSIVE — the last two reach `onInconclusive` alike, so the chain needs only "ended";
 * - group-sequential: look k at the first such window with information fraction min(1, n_min/N) ≥
 *   k/K, recorded on the 1/200 grid at non-final looks (lookBoundaries.ts), final when the fraction
 *   reaches 1 or k = K; stop at |z| ≥ the Lan–DeMets boundary (`lookBoundary`).
 *
 * The counts: with Poisson arrivals, the arms' cumulative outcomes over the stage's first j
 * windows are independent Poisson counts, candidate ~ Poisson(Λ_j f), control ~ Poisson(Λ_j (1 − f))
 * (Λ_j the expected arrivals of those windows, the daily cycle integrated; f the realized sticky
 * share `exposedShare`). Fixed design: the look's window is random — P_j = P(the planned n is
 * reached by window j) over those counts and the planned n's law — and the chain is given its
 * hazard (P_j − P_{j−1}) / (1 − P_{j−1}); that is exact when every window the chain continues from
 * passed its guardrails (a failure limit of 1), and otherwise the window must be determined (P_j
 * within `tolerance` of 0 or 1 at every window, the masses in between counted in `neglected`) or
 * the law throws `ExactUnsupportedError` naming the stage. The crossing is taken independent of
 * the crossing window's guardrail outcome (both read that window's request count: named as part
 * of the approximation). Where the planned n comes from a measured rate (the historical
 * baseline's, or the stage's first control window), its law is that of the planned n at the
 * measured rate's normal limit (`plannedOverRate`) — taken independent of the node of the
 * baseline's error and latency law the chain runs for (the baseline's successes and errors share
 * only its request count, and only the look's window depends on the planned n). Group-sequential design: the planned n must be
 * known (sampleSize or baselineRate) and every look's window determined, else refused by name.
 *
 * The statistic — an APPROXIMATION the evaluator names (`abTestApproximations`): the pooled
 * two-proportion z at the looks follows the canonical joint normal law (Jennison & Turnbull
 * 2000, §3.1): Z_k ~ N(δ √I_k, 1) with independent score increments, I_k = 1 / (p_t q_t / n_t +
 * p_c q_c / n_c) at the looks' EXPECTED arm counts and the arms' true success rates p (their
 * accuracy, weighted by each window's arrivals). The group-sequential exit probabilities are the
 * engine's recursion (`crossingProbabilities`, groupSequential.ts) at t_k = I_k / I_K with the
 * boundaries the controller uses at the rounded EXPECTED fractions; decideAB's significance (p < α
 * and Newcombe's interval excluding 0) is read as |z| > z_{1−α/2}. With equal success rates the
 * law of z does not depend on n, so the guardrails (which read the same request counts) and the
 * test are independent given the arms' counts exactly as the windowed mode draws them (successes
 * are Binomial given n, independent of errors, timeouts and latency); with unequal rates the
 * dependence through n is of the order of the counts' relative noise and is not carried.
 * test/sim/exact/abTestLaw.test.ts states the error of the normal law against the exact binomial
 * sum (scripts/reference/exact_ab_law.py).
 */
import type { CompiledPolicy, CompiledStage } from '../../engine/controller/compilePolicy.ts';
import { lookBoundary, lookInformationFraction } from '../../engine/controller/lookBoundaries.ts';
import { normalCdf, normalQuantile, normalSf } from '../../engine/stats/distributions.ts';
import { crossingProbabilities } from '../../engine/stats/groupSequential.ts';
import { requiredSampleSize } from '../../engine/stats/sampleSize.ts';
import { expectedArrivals, exposedShare } from '../traffic.ts';
import type { World } from '../world.ts';
import { conditionsAt, emptyConditions } from '../world.ts';
import { ExactUnsupportedError } from './checkLaw.ts';
import { poissonAbove, poissonAtMost } from './poissonTail.ts';

/** The test's outcome at one window, given it had not concluded and the window's guardrails passed. */
export interface AbLookOutcome {
  /**
   * Whether the test may conclude in this window: the chain applies the probabilities below and
   * counts the window in its looks (the group-sequential design's look index; the fixed design
   * ignores the count). False: nothing happens to the test.
   */
  look: boolean;
  /** P(candidate better: B_WINS, or the upper boundary crossed). */
  better: number;
  /** P(candidate worse: A_WINS, or the lower boundary crossed). */
  worse: number;
  /** P(the test ends without showing a difference: TIE or INCONCLUSIVE, or the final look in between). */
  ended: number;
  /** Mass of the look's undetermined schedule, counted once per rollout reaching the look. */
  neglected: number;
}

/** The test's law for an A/B stage entered at a given time (stageStart). */
export interface AbTestSchedule {
  /** Window j (1-based) of the stage with `looks` group-sequential looks made: the test's outcome. Cached. */
  at(window: number, looks: number): AbLookOutcome;
}

/** Settings of the A/B law. */
export interface AbTestLawOptions {
  /** Largest probability that a look's window differs from the determined one (default 1e-10). */
  tolerance?: number;
  /**
   * The group-sequential boundary at a look (recorded fractions so far, whether it is final):
   * default the controller's `lookBoundary` with the stage's α and spending. Tests route constant
   * boundaries through the chain to reproduce naive peeking.
   */
  boundary?: (fractions: readonly number[], isFinal: boolean) => number;
}

const noLook: AbLookOutcome = { look: false, better: 0, worse: 0, ended: 0, neglected: 0 };

/**
 * Features of an A/B stage the law does not cover (refused by name in `chainFeatures`): the
 * always-valid design (its running minimum of 1/LR over every look is a path functional with no
 * tractable exact form here), `test.metrics`, segment keys (the segment report is tallied),
 * and a group-sequential design whose guardrails may fail without rolling back
 * (a failing window delays a look, and the looks' information then depends on the guardrail path).
 */
export function abTestFeatures(compiled: CompiledPolicy, stage: CompiledStage): string[] {
  const where = `stage ${stage.index} '${stage.name}'`;
  const test = stage.ab;
  if (test === null) return [];
  const features: string[] = [];
  const source = compiled.policy.stages[stage.index];
  if (source.kind === 'ab' && source.test.metrics !== undefined)
    features.push(`A/B test on a metric list (${where}: test.metrics is decided by the multi-metric rule, not chained)`);
  if (test.design.type === 'alwaysValid')
    features.push(
      `always-valid A/B design (${where}: its p-value is the running minimum of 1/likelihood ratio over every look, a path functional with no tractable exact law here)`,
    );
  if (stage.segmentKeys.length > 0) features.push(`A/B segment report (${where}: segmentKeys tally per-segment outcomes)`);
  if (test.design.type === 'groupSequential' && stage.failureCounting.limit > 1)
    features.push(
      `group-sequential A/B design with a guardrail failure limit of ${stage.failureCounting.limit} (${where}: a failing check delays a look, and the looks' information then depends on the guardrail path)`,
    );
  return features;
}

/**
 * The approximations an evaluation of `compiled` makes in its A/B stages (module comment), one
 * sentence per stage, for `ExactResult.approximations`. O(stages).
 */
export function abTestApproximations(compiled: CompiledPolicy): string[] {
  const notes: string[] = [];
  for (const stage of compiled.stages) {
    if (stage.kind !== 'ab' || stage.ab === null) continue;
    const design = stage.ab.design;
    const what =
      design.type === 'groupSequential'
        ? `its z statistics at the ${design.looks} looks (the engine's recursion, crossingProbabilities, with the boundaries at the 1/200 rounding of the expected information fractions)`
        : "its z statistic at the look (whose window's law — from the arms' Poisson counts and the planned n's law, a measured rate taken by its normal limit — is taken independent of that window's guardrail outcome)";
    notes.push(
      `A/B test of stage ${stage.index} '${stage.name}' by the normal law of ${what}: Z ~ N(δ√I, 1) at the looks' expected arm counts (Jennison & Turnbull 2000 §3.1), not the binomial law of the successes; decideAB's Newcombe condition read as |z| > z(1−α/2)`,
    );
  }
  return notes;
}

/**
 * The fixed design's look by the normal law (module comment): with arm counts n_c, n_t and true
 * success rates p_c, p_t, Z ~ N(δ√I, 1), δ = p_t − p_c, I = 1 / (p_t q_t / n_t + p_c q_c / n_c);
 * P(better) = P(Z > z_{1−α/2}), P(worse) = P(Z < −z_{1−α/2}). O(1).
 */
export function fixedLookLaw(
  controlCount: number,
  controlRate: number,
  candidateCount: number,
  candidateRate: number,
  alpha: number,
): { better: number; worse: number } {
  const critical = normalQuantile(1 - alpha / 2);
  const variance = (candidateRate * (1 - candidateRate)) / candidateCount + (controlRate * (1 - controlRate)) / controlCount;
  const mean = variance > 0 ? (candidateRate - controlRate) / Math.sqrt(variance) : 0;
  return { better: normalSf(critical - mean), worse: normalCdf(-critical - mean) };
}

/**
 * The planned n per arm: its law as value → probability (one value when given), its range, and
 * the mass the law leaves out.
 */
interface PlannedLaw {
  values: Map<number, number>;
  low: number;
  high: number;
  neglected: number;
}

/** The controller's planned n for a control rate (step.ts `plannedSampleSize`, after its rate is known). */
function plannedFor(stage: CompiledStage, measured: number): number {
  const test = stage.ab!;
  const rate = Math.min(Math.max(measured, 1e-4), 1 - 1e-4);
  const target = rate + test.minimumEffect <= 1 ? rate + test.minimumEffect : rate - test.minimumEffect;
  return requiredSampleSize({ baseline: rate, target, alpha: test.alpha, power: test.power, sides: 2, method: 'pooled' }).nPerArm;
}

/** A planned n known in advance. */
function pointLaw(planned: number): PlannedLaw {
  return { values: new Map([[planned, 1]]), low: planned, high: planned, neglected: 0 };
}

/** Equal-probability nodes of the measured rate's normal law (plannedOverRate). */
const rateNodes = 400;

/**
 * The planned n's law when it comes from a rate measured on a Poisson(`expectedOutcomes`) count
 * of outcomes of true success rate p: the measured rate's law is taken as its normal limit
 * N(p, pq/Λ) (an approximation named by `abTestApproximations`; with Λ in the thousands its
 * error is of the order of the normal law's skewness, 1/√Λ, on probabilities that only move the
 * look window), discretised at 400 equal-probability nodes (the midpoint rule in probability, as
 * baselineLaw.ts), and the planned n — a step function of the rate — tallied per value. The
 * count's lower tail below `atLeast` (the controller waits for that many) is counted as neglected.
 */
function plannedOverRate(stage: CompiledStage, p: number, expectedOutcomes: number, atLeast: number): PlannedLaw {
  const spread = Math.sqrt((p * (1 - p)) / Math.max(1, expectedOutcomes));
  const values = new Map<number, number>();
  for (let i = 0; i < rateNodes; i++) {
    const planned = plannedFor(stage, p + spread * normalQuantile((i + 0.5) / rateNodes));
    values.set(planned, (values.get(planned) ?? 0) + 1 / rateNodes);
  }
  const all = [...values.keys()];
  return {
    values,
    low: Math.min(...all),
    high: Math.max(...all),
    neglected: poissonAtMost(expectedOutcomes, atLeast - 1),
  };
}

/** Λ-weighted mean accuracy of both arms and the expected arrivals over [from, to), window by window. */
function meanAccuracy(world: World, from: number, to: number, interval: number): { arrivals: number; control: number; candidate: number } {
  const control = emptyConditions();
  const candidate = emptyConditions();
  let arrivals = 0;
  let controlSum = 0;
  let candidateSum = 0;
  for (let start = from; start < to; start += interval) {
    const end = Math.min(start + interval, to);
    const lambda = expectedArrivals(world.scenario.traffic, start, end);
    conditionsAt(world, (start + end) / 2, 0, control, candidate);
    arrivals += lambda;
    controlSum += lambda * control.accuracy;
    candidateSum += lambda * candidate.accuracy;
  }
  return { arrivals, control: arrivals > 0 ? controlSum / arrivals : 0, candidate: arrivals > 0 ? candidateSum / arrivals : 0 };
}

/**
 * The A/B law of `stage` in `world` (module comment): a function of the stage's start time,
 * cached per start. Throws `ExactUnsupportedError` when a look's window is not determined.
 * Cost per start: O(windows of the stage) Poisson tails, plus one recursion (O(K · m²)) for a
 * group-sequential design.
 */
export function abTestLaw(
  world: World,
  compiled: CompiledPolicy,
  stage: CompiledStage,
  options: AbTestLawOptions = {},
): (stageStart: number) => AbTestSchedule {
  const test = stage.ab;
  if (test === null) throw new RangeError(`stage ${stage.index} '${stage.name}' is not an A/B stage`);
  if (world.scenario.traffic.arrivals.kind === 'replay')
    throw new ExactUnsupportedError(
      [`A/B stage with replayed arrivals (stage ${stage.index} '${stage.name}': the test's count law is written for Poisson arrivals)`],
      'replayed arrivals split binomially',
    );
  const tolerance = options.tolerance ?? 1e-10;
  const horizon = world.scenario.horizon;
  const share = exposedShare(world.population, stage.traffic);
  const where = `stage ${stage.index} '${stage.name}'`;
  const interval = stage.checkInterval;

  /**
   * The planned n's law measured on the historical baseline, which does not move with the stage's
   * start: computed once per law (400 sample sizes), not once per start. (The lab's questions enter
   * their A/B stage at one time only — their canaries advance at their minimum durations — but a
   * policy whose earlier stages can hold enters it at many.)
   */
  let fromBaseline: PlannedLaw | undefined;

  /** The planned n's law for a stage entered at `stageStart` (step.ts `plannedSampleSize`). */
  function plannedLaw(stageStart: number): PlannedLaw {
    if (test!.sampleSize !== null) return pointLaw(test!.sampleSize);
    if (test!.baselineRate !== null) return pointLaw(plannedFor(stage, test!.baselineRate));
    if (fromBaseline !== undefined) return fromBaseline;
    const baselines = compiled.stages.filter((candidate) => candidate.kind === 'baseline');
    if (baselines.length > 0) {
      // The historical baseline's outcomes: control serves everyone over the baseline stage.
      if (baselines.length > 1 || baselines[0].index !== 0)
        throw new ExactUnsupportedError(
          [`A/B planned sample size (${where}: measured on a baseline stage that is not the policy's only first stage)`],
          'the baseline stage must start at time 0 for its outcome count to be known',
        );
      const baseline = baselines[0];
      const measured = meanAccuracy(world, 0, baseline.minDuration, baseline.checkInterval);
      // The controller reads the baseline rate once it holds ≥ 100 outcomes.
      fromBaseline = plannedOverRate(stage, measured.control, measured.arrivals, 100);
      return fromBaseline;
    }
    // The stage's control at the first run of the test: its first window when that window passes
    // (with a failure limit above 1 a failed first window moves the measurement: refused).
    if (stage.failureCounting.limit > 1)
      throw new ExactUnsupportedError(
        [
          `A/B planned sample size measured on the stage's control with a guardrail failure limit of ${stage.failureCounting.limit} (${where}: a failing first window moves the measurement)`,
        ],
        'the planned n depends on the guardrail path',
      );
    const first = meanAccuracy(world, stageStart, Math.min(stageStart + interval, horizon), interval);
    return plannedOverRate(stage, first.control, first.arrivals * (1 - share), Math.max(1, stage.minRequests));
  }

  /** P(min(control, candidate) over the first j windows ≥ planned n), over the planned n's law. */
  function crossedBy(stageStart: number, planned: PlannedLaw, j: number, fraction = 1): number {
    const counts = countsAt(stageStart, j);
    let sum = 0;
    for (const [n, weight] of planned.values) sum += weight * reached(counts, Math.ceil(fraction * n - 1e-9));
    return sum;
  }

  /** Per stage start: cumulative expected arrivals and Λ-weighted accuracies of the first j windows (index j). */
  const cumulative = new Map<number, { arrivals: number[]; control: number[]; candidate: number[] }>();

  /** Expected arm counts and success rates over the stage's first j windows. O(1) amortised. */
  function countsAt(stageStart: number, j: number) {
    let sums = cumulative.get(stageStart);
    if (!sums) {
      sums = { arrivals: [0], control: [0], candidate: [0] };
      cumulative.set(stageStart, sums);
    }
    for (let i = sums.arrivals.length; i <= j; i++) {
      const start = stageStart + (i - 1) * interval;
      const window = start < horizon ? meanAccuracy(world, start, Math.min(start + interval, horizon), interval) : null;
      const lambda = window ? window.arrivals : 0;
      sums.arrivals.push(sums.arrivals[i - 1] + lambda);
      sums.control.push(sums.control[i - 1] + lambda * (window ? window.control : 0));
      sums.candidate.push(sums.candidate[i - 1] + lambda * (window ? window.candidate : 0));
    }
    const arrivals = sums.arrivals[j];
    return {
      candidate: arrivals * share,
      control: arrivals * (1 - share),
      pCandidate: arrivals > 0 ? sums.candidate[j] / arrivals : 0,
      pControl: arrivals > 0 ? sums.control[j] / arrivals : 0,
    };
  }

  /** P(min(control, candidate) ≥ n) for independent Poisson counts. */
  function reached(counts: { candidate: number; control: number }, n: number): number {
    return poissonAbove(counts.candidate, n - 1) * poissonAbove(counts.control, n - 1);
  }

  /** Information I = 1 / (p_t q_t / n_t + p_c q_c / n_c) and effect δ = p_t − p_c at the counts. */
  function information(counts: ReturnType<typeof countsAt>): { information: number; effect: number } {
    const variance =
      (counts.pCandidate * (1 - counts.pCandidate)) / counts.candidate + (counts.pControl * (1 - counts.pControl)) / counts.control;
    return { information: variance > 0 ? 1 / variance : Number.POSITIVE_INFINITY, effect: counts.pCandidate - counts.pControl };
  }

  const windowsOfStage = (stageStart: number): number =>
    Math.max(1, Math.ceil((Math.min(stageStart + stage.maxDuration, horizon) - stageStart) / interval));

  /**
   * The first window j (1-based) at which min(counts) ≥ `needed(planned)` for every planned n in
   * the range, with the probability that it is reached earlier or not by then (counted); null
   * when never within the stage's windows. Throws when the window is not determined.
   */
  function determinedWindow(
    stageStart: number,
    range: PlannedLaw,
    fraction: number,
    from: number,
  ): { window: number; neglected: number } | null {
    const last = windowsOfStage(stageStart);
    let early = 0;
    for (let j = from; j <= last; j++) {
      const counts = countsAt(stageStart, j);
      const atHigh = reached(counts, Math.ceil(fraction * range.high - 1e-9));
      const atLow = reached(counts, Math.ceil(fraction * range.low - 1e-9));
      if (atHigh >= 1 - tolerance) return { window: j, neglected: early + (1 - atHigh) };
      if (atLow > tolerance)
        throw new ExactUnsupportedError(
          [
            `A/B look window (${where}: the planned information is reached at window ${j} with probability ${atLow.toExponential(2)}–${atHigh.toExponential(2)}, neither negligible nor certain)`,
          ],
          'the look falls at a random window',
        );
      early += atLow;
    }
    return null;
  }

  /**
   * The fixed design's look (module comment): the hazard h_j = (P_j − P_{j−1}) / (1 − P_{j−1}) of
   * the planned n being first reached at window j, P_j = P(crossed by window j) over the Poisson
   * counts and the planned n's law, times the look's normal law at window j. The look is at the
   * first PASSING window after the crossing: with a failure limit of 1 every window the chain
   * continues from passed, so the hazard is exact; with a larger limit the crossing window must be
   * determined (P_j within `tolerance` of 0 or 1, the masses in between counted), else refused.
   */
  function fixedSchedule(stageStart: number, planned: PlannedLaw, cache: Map<string, AbLookOutcome>): AbTestSchedule {
    const last = windowsOfStage(stageStart);
    const crossed: number[] = [0];
    let neglected = planned.neglected;
    let random = false;
    for (let j = 1; j <= last; j++) {
      let probability = crossedBy(stageStart, planned, j);
      if (probability > tolerance && probability < 1 - tolerance) random = true;
      if (probability >= 1 - tolerance) {
        neglected += 1 - probability;
        probability = 1;
      }
      crossed.push(probability);
      if (probability === 1) break;
    }
    if (random && stage.failureCounting.limit > 1)
      throw new ExactUnsupportedError(
        [
          `A/B fixed-horizon look window with a guardrail failure limit of ${stage.failureCounting.limit} (${where}: the planned n is reached at a random window, and a failing check there moves the look)`,
        ],
        'the look falls at a random window',
      );
    if (!random) {
      // Determined: the look at the first window with P_j = 1 (if any); the earlier mass is neglected.
      const lastIndex = crossed.length - 1;
      neglected += crossed[lastIndex] === 1 ? crossed[lastIndex - 1] : crossed[lastIndex];
      for (let j = 1; j < crossed.length; j++) if (crossed[j] < 1) crossed[j] = 0;
    }
    return {
      at(window) {
        const after = window >= crossed.length ? crossed[crossed.length - 1] : crossed[window];
        const before = window - 1 >= crossed.length ? crossed[crossed.length - 1] : crossed[window - 1];
        const hazard = before >= 1 ? 1 : (after - before) / (1 - before);
        if (!(hazard > 0)) return noLook;
        const key = String(window);
        const known = cache.get(key);
        if (known) return known;
        const counts = countsAt(stageStart, window);
        const { better, worse } = fixedLookLaw(counts.control, counts.pControl, counts.candidate, counts.pCandidate, test!.alpha);
        const outcome: AbLookOutcome = {
          look: true,
          better: hazard * better,
          worse: hazard * worse,
          ended: hazard * Math.max(0, 1 - better - worse),
          // Counted once, at the first window with a look (every rollout reaching the look passes it).
          neglected: before === 0 ? neglected : 0,
        };
        cache.set(key, outcome);
        return outcome;
      },
    };
  }

  function schedule(stageStart: number): AbTestSchedule {
    const range = plannedLaw(stageStart);
    const cache = new Map<string, AbLookOutcome>();
    const design = test!.design;
    if (design.type === 'fixed') return fixedSchedule(stageStart, range, cache);
    if (design.type !== 'groupSequential')
      throw new ExactUnsupportedError([`always-valid A/B design (${where})`], 'no exact law for the always-valid test');
    if (range.low !== range.high)
      throw new ExactUnsupportedError(
        [
          `group-sequential A/B design with a measured planned sample size (${where}: the information fractions move with the measured rate, ${range.low}–${range.high} per arm)`,
        ],
        'the looks depend on the measured rate',
      );
    // The looks' windows (determined), their recorded fractions and boundaries, the exit law.
    const planned = range.low;
    const windows: number[] = [];
    const fractions: number[] = [];
    const boundaries: number[] = [];
    const informations: number[] = [];
    let neglected = range.neglected;
    let effect = 0;
    let from = 1;
    for (let k = 1; k <= design.looks; k++) {
      const found = determinedWindow(stageStart, range, k / design.looks, from);
      if (found === null) break;
      const counts = countsAt(stageStart, found.window);
      const expectedFraction = Math.min(1, Math.min(counts.candidate, counts.control) / planned);
      // Final when the realized fraction reaches 1 (nearly surely one way or the other) or k = K.
      const full = reached(counts, planned);
      if (full > tolerance && full < 1 - tolerance)
        throw new ExactUnsupportedError(
          [
            `group-sequential A/B final look (${where}: whether look ${k} at window ${found.window} is final has probability ${full.toExponential(2)})`,
          ],
          'the final look is random',
        );
      const isFinal = full >= 1 - tolerance || k === design.looks;
      neglected += found.neglected + Math.min(full, 1 - full);
      const previous = fractions.length > 0 ? fractions[fractions.length - 1] : 0;
      fractions.push(isFinal ? 1 : lookInformationFraction(expectedFraction, previous));
      boundaries.push(
        options.boundary
          ? options.boundary(fractions, isFinal)
          : lookBoundary(fractions, isFinal, test!.alpha, design.spending as 'obrienFleming' | 'pocock'),
      );
      const info = information(counts);
      informations.push(info.information);
      effect = info.effect;
      windows.push(found.window);
      from = found.window + 1;
      if (isFinal) break;
    }
    const total = informations.length > 0 ? informations[informations.length - 1] : 1;
    const exits =
      windows.length > 0
        ? crossingProbabilities(
            boundaries,
            informations.map((info) => info / total),
            effect * Math.sqrt(total),
            boundaries.map((b) => -b),
          )
        : null;
    let survival = 1;
    const outcomes: AbLookOutcome[] = windows.map((_, k) => {
      const up = (exits as NonNullable<typeof exits>).upper[k];
      const down = (exits as NonNullable<typeof exits>).lower[k];
      const final = k === windows.length - 1 && fractions[k] === 1;
      const better = survival > 0 ? up / survival : 0;
      const worse = survival > 0 ? down / survival : 0;
      survival -= up + down;
      return {
        look: true,
        better,
        worse,
        ended: final ? Math.max(0, 1 - better - worse) : 0,
        neglected: k === 0 ? neglected : 0,
      };
    });
    return {
      at(window, looks) {
        if (looks >= windows.length || window !== windows[looks]) return noLook;
        return outcomes[looks];
      },
    };
  }

  const schedules = new Map<number, AbTestSchedule>();
  return (stageStart) => {
    let known = schedules.get(stageStart);
    if (!known) {
      known = schedule(stageStart);
      schedules.set(stageStart, known);
    }
    return known;
  };
}

/**
 * What `abTestLaw` reads of a policy, as a string: the stage's test (`stage.ab`, whole), index,
 * name, traffic, check interval, maximum duration, failure limit and minimum requests, and where
 * the policy's baseline stages are and how long they run (the planned n measured on the baseline).
 * Nothing else of the policy reaches the law — not the rules, their thresholds or other stages —
 * so the settings of a threshold curve share one law. O(stages).
 */
export function abTestLawKey(compiled: CompiledPolicy, stage: CompiledStage): string {
  const baselines = compiled.stages
    .filter((candidate) => candidate.kind === 'baseline')
    .map((baseline) => `${baseline.index}:${baseline.minDuration}:${baseline.checkInterval}`);
  return [
    stage.index,
    stage.name,
    stage.traffic,
    stage.checkInterval,
    stage.maxDuration,
    stage.failureCounting.limit,
    stage.minRequests,
    baselines.join(','),
    JSON.stringify(stage.ab),
  ].join('|');
}

const memo = new WeakMap<World, Map<string, (stageStart: number) => AbTestSchedule>>();

/**
 * `abTestLaw` with the default options, memoised per world and `abTestLawKey`: the law depends
 * neither on the historical baseline's node nor on the rules' thresholds, so the evaluator's node
 * loop and every setting of a threshold curve share one (each law caches its schedules per stage
 * start, and each schedule sums 400 planned sample sizes when the planned n is measured on the
 * baseline). Before, the memo was per compiled stage — one law per setting, so 20 settings solved
 * the planned sample size 20 times over: `requiredSampleSize` was 1.8% of the lab's `flat100`
 * question's CPU (147 of 8,161 ms in a CPU profile of three 20-setting curves at 9432262). O(stages) to find a known law.
 */
export function memoisedAbTestLaw(world: World, compiled: CompiledPolicy, stage: CompiledStage): (stageStart: number) => AbTestSchedule {
  let byKey = memo.get(world);
  if (!byKey) {
    byKey = new Map();
    memo.set(world, byKey);
  }
  const key = abTestLawKey(compiled, stage);
  let law = byKey.get(key);
  if (!law) {
    law = abTestLaw(world, compiled, stage);
    byKey.set(key, law);
  }
  return law;
}
