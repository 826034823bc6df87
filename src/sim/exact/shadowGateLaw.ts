/**
 * The exact law of the shadow stage's gates, judged as the controller judges them
 * (src/engine/controller/step.ts `stepShadow`): at the window that reaches the stage's minimum
 * duration, on the counts accumulated over all the stage's windows —
 *   hold   when fewer than `minComparisons` comparisons were made;
 *   pass   when agreement A/(A + D) > minAgreement, the candidate's p95 (the request-weighted mean
 *          of its windows' p95, `totalsMetric`) < maxLatencyRatio × the control's, and the
 *          candidate's error rate is 0 or < maxErrorRatio × the control's;
 *   fail   otherwise.
 *
 * The windowed mode's law (windowsOrderStatistics.ts): in window w the control serves
 * N_w ~ Poisson(Λ_w), the candidate sees n_w ~ Binomial(N_w, f) (f the realized share of the
 * mirrored users, `exposedShare`), and given n_w its agreements are Binomial(n_w, a_w) and its
 * errors Binomial(n_w, e_w); the control's errors are Binomial(N_w, e⁰_w).
 *
 * - Agreement, exactly: by Poisson thinning (Kingman, "Poisson Processes", 1993, §5.1) the
 *   stage's agreements A and disagreements D are independent, A ~ Poisson(Σ_w Λ_w·f·a_w) and
 *   D ~ Poisson(Σ_w Λ_w·f·(1 − a_w)). So
 *     P(pass) = Σ_d P(D = d)·P(A ≥ a*(d)),  a*(d) = the least a with a + d ≥ minComparisons and
 *     a/(a + d) > minAgreement (found with the controller's own floating-point comparison),
 *   and P(hold) = P(A + D < minComparisons) = P(Poisson(μ_A + μ_D) < minComparisons).
 *   Cost: O(range of D + range of A), about 2·z·(√μ_A + √μ_D) terms.
 * - Error ratio and p95 ratio: not summed but BOUNDED. With the stage's counts in the hundreds of
 *   thousands these gates are decided far from their thresholds; each is shown to pass, or to
 *   fail, up to a mass ε that is added to `neglected`; when neither side bounds it below 1e-7
 *   (`decidedBelow`) the law refuses, naming "shadow p95 gate near its threshold" or "shadow
 *   error-ratio gate near its threshold" — a refusal of that case only, never an approximation:
 *   · error ratio r = E/n against q = E⁰/N: for any level c, r > c requires n < n_lo or
 *     E > c·n_lo, and q ≤ c/k requires N > N_hi or E⁰ ≤ (c/k)·N_hi — Poisson tails (the
 *     marginals of n, E, N, E⁰ are Poisson), with c the geometric mean of the expected r and k·q,
 *     n_lo/N_hi 10 standard deviations out. Fail ⇒ r ≥ k·q ⇒ (r > c or q ≤ c/k) gives the fail
 *     bound; pass ⇒ E = 0 or r < c or q > c/k gives the pass bound.
 *   · p95 ratio: a weighted mean lies between its smallest and largest terms, so if every
 *     candidate window's p95 is ≤ c and every control window's is > c/k the gate passes, and if
 *     every candidate's is ≥ c and every control's ≤ c/k it fails. A union bound over windows of
 *     each window's percentile tail — the reported p95 is ≤ L exactly when U₍ₖ₎ ≤ u(L)
 *     (latencyLimitLaw.ts `passLevel`), and P(U₍ₖ₎ > u | n) = P(Bin(n, u) ≤ k − 1) ≤
 *     exp(−n·D(q‖u)) for u > q, P(U₍ₖ₎ ≤ u | n) ≤ exp(−n·D(q − q/n‖u)) for u < q − q/n (the
 *     Chernoff–Hoeffding bound in relative entropy D, Hoeffding 1963, Theorem 1, with
 *     k − 1 ≤ q(n − 1) < k), the same for all n ≥ n_lo, plus P(n < n_lo) — bounds either side;
 *     c is scanned on a log grid between the largest candidate and k × the smallest control p95
 *     of the windows' latency laws (or the reverse for a fail), keeping the least bound.
 * - A window without control or candidate requests holds (the stage's passed time stops): its
 *   probability Σ_w P(N_w = 0) + P(n_w = 0) is added to `neglected` too.
 */
import type { CompiledStage } from '../../engine/controller/compilePolicy.ts';
import { expectedArrivals, exposedShare } from '../traffic.ts';
import type { World } from '../world.ts';
import type { CheckProbabilities } from './checkLaw.ts';
import { ExactUnsupportedError } from './checkLaw.ts';
import { poissonLaw } from './countRange.ts';
import { passLevel } from './latencyLimitLaw.ts';
import { hashNumbers, mixNumber, NumberKeyMap } from './numberKey.ts';
import { poissonAbove, poissonAtMost } from './poissonTail.ts';
import type { StageWindowRecord } from './stageChain.ts';

/**
 * Largest bound accepted for a bounded gate (the error and p95 ratios) before the law refuses,
 * naming the gate: a tenth of the evaluator's default tolerance (1e-6 on rates).
 */
const decidedBelow = 1e-7;

/** Standard deviations out at which the bounds put their count levels (tails ~ e^−50). */
const spread = 10;

/** P(Poisson(mean) ≥ x) for a real x. */
function poissonAtLeast(mean: number, x: number): number {
  return poissonAbove(mean, Math.ceil(x) - 1);
}

/** P(Poisson(mean) ≤ x) for a real x. */
function poissonAtMostReal(mean: number, x: number): number {
  return poissonAtMost(mean, Math.floor(x));
}

/** The count level `spread` standard deviations below a Poisson mean (at least 0). */
function lowLevel(mean: number): number {
  return Math.max(0, Math.floor(mean - spread * Math.sqrt(mean)));
}

/** The count level `spread` standard deviations above a Poisson mean. */
function highLevel(mean: number): number {
  return Math.ceil(mean + spread * Math.sqrt(mean));
}

/**
 * Exact P(pass) and P(hold) of the agreement gate with A ~ Poisson(meanAgree) and
 * D ~ Poisson(meanDisagree) independent (module comment). O(range of D + range of A).
 */
export function agreementGateLaw(
  meanAgree: number,
  meanDisagree: number,
  minAgreement: number,
  minComparisons: number,
  tolerance: number,
): { pass: number; hold: number; neglected: number } {
  const agree = poissonLaw(meanAgree, tolerance / 4);
  const disagree = poissonLaw(meanDisagree, tolerance / 4);
  // atLeast[i] = P(A ≥ agree.first + i) within the kept range.
  const size = agree.pmf.length;
  const atLeast = new Float64Array(size + 1);
  for (let i = size - 1; i >= 0; i--) atLeast[i] = atLeast[i + 1] + agree.pmf[i];
  const agreeAtLeast = (a: number): number => {
    const i = a - agree.first;
    if (i <= 0) return atLeast[0];
    if (i >= size) return 0;
    return atLeast[i];
  };
  let pass = 0;
  for (let j = 0; j < disagree.pmf.length; j++) {
    const d = disagree.first + j;
    // The least a with a/(a + d) > m, by the controller's own floating-point test.
    let a = d === 0 ? 1 : Math.max(1, Math.floor((minAgreement * d) / (1 - minAgreement)));
    while (a > 1 && (a - 1) / (a - 1 + d) > minAgreement) a--;
    while (!(a / (a + d) > minAgreement)) a++;
    a = Math.max(a, minComparisons - d);
    pass += disagree.pmf[j] * agreeAtLeast(a);
  }
  const hold = minComparisons > 0 ? poissonAtMost(meanAgree + meanDisagree, minComparisons - 1) : 0;
  return { pass, hold, neglected: agree.neglected + disagree.neglected };
}

/** One arm's window for the p95 bound: its expected requests and where its p95 is read. */
interface PercentileWindow {
  mean: number;
  /** The reported p95 is ≤ L exactly when U₍ₖ₎ ≤ level(L). */
  level: (limit: number) => number;
  /** The window's latency law's p95 (no noise), ms. */
  typical: number;
}

const q95 = 0.95;

/** Levels c tried between the candidate's and k × the control's typical p95 (the bound keeps the least). */
const levelsScanned = 16;

/** Relative entropy D(a ‖ b) of Bernoulli(a) from Bernoulli(b), 0 < a, b < 1. */
function bernoulliDivergence(a: number, b: number): number {
  return a * Math.log(a / b) + (1 - a) * Math.log((1 - a) / (1 - b));
}

/** Bound on P(some window's reported p95 > c) (above) or ≤ c (below). O(windows). */
function percentileTail(windows: readonly PercentileWindow[], limit: number, side: 'above' | 'atMost'): number {
  let bound = 0;
  for (const window of windows) {
    const nLow = lowLevel(window.mean);
    const u = window.level(limit);
    let tail = 1;
    // Chernoff–Hoeffding in its relative-entropy form (Hoeffding 1963, Theorem 1): for n ≥ nLow,
    // P(Bin(n, u) ≤ qn) ≤ e^{−n·D(q‖u)} (u > q) and P(Bin(n, u) ≥ q′n) ≤ e^{−n·D(q′‖u)} (u < q′),
    // q′ = q − q/nLow ≤ q − q/n < k/n; both fall with n, so nLow's bound holds for all n ≥ nLow.
    if (nLow > 0 && side === 'above' && u > q95) tail = u >= 1 ? 0 : Math.exp(-nLow * bernoulliDivergence(q95, u));
    if (nLow > 0 && side === 'atMost') {
      const level = q95 - q95 / nLow;
      if (u < level) tail = u <= 0 ? 0 : Math.exp(-nLow * bernoulliDivergence(level, u));
    }
    bound += Math.min(1, tail + poissonAtMost(window.mean, nLow - 1));
    if (bound >= 1) return 1;
  }
  return bound;
}

/** Which way a bounded gate goes, and the mass of the other way. */
interface BoundedGate {
  outcome: 'pass' | 'fail' | 'undecided';
  bound: number;
}

/** The p95 gate (module comment): pass or fail up to a union bound over the stage's windows. */
function latencyGate(candidate: PercentileWindow[], control: PercentileWindow[], ratio: number): BoundedGate {
  const candidateHigh = Math.max(...candidate.map((window) => window.typical));
  const candidateLow = Math.min(...candidate.map((window) => window.typical));
  const controlHigh = Math.max(...control.map((window) => window.typical));
  const controlLow = Math.min(...control.map((window) => window.typical));
  // The level c is scanned on a log grid between the two typical values; the least bound is kept.
  const scan = (low: number, high: number, bound: (c: number) => number): number => {
    let best = 1;
    for (let i = 1; i < levelsScanned; i++) best = Math.min(best, bound(low * (high / low) ** (i / levelsScanned)));
    return best;
  };
  if (candidateHigh < ratio * controlLow) {
    return {
      outcome: 'pass',
      bound: scan(
        candidateHigh,
        ratio * controlLow,
        (c) => percentileTail(candidate, c, 'above') + percentileTail(control, c / ratio, 'atMost'),
      ),
    };
  }
  if (candidateLow > ratio * controlHigh) {
    // Fail unless some candidate window is below c (≤ c bounds it) or some control window above c/k.
    return {
      outcome: 'fail',
      bound: scan(
        ratio * controlHigh,
        candidateLow,
        (c) => percentileTail(candidate, c, 'atMost') + percentileTail(control, c / ratio, 'above'),
      ),
    };
  }
  return { outcome: 'undecided', bound: 1 };
}

/** The error-ratio gate (module comment): pass or fail up to Poisson tail bounds. */
function errorGate(meanRequests: number, meanErrors: number, controlRequests: number, controlErrors: number, ratio: number): BoundedGate {
  if (meanErrors === 0) return { outcome: 'pass', bound: 0 };
  const expectedRate = meanErrors / meanRequests;
  const expectedControl = controlErrors / controlRequests;
  const nLow = lowLevel(meanRequests);
  const nHigh = highLevel(meanRequests);
  const controlLow = lowLevel(controlRequests);
  const controlHigh = highLevel(controlRequests);
  if (expectedRate < ratio * expectedControl) {
    const c = Math.sqrt(expectedRate * ratio * expectedControl);
    const bound =
      poissonAtMost(meanRequests, nLow - 1) +
      poissonAtLeast(meanErrors, c * nLow) +
      poissonAbove(controlRequests, controlHigh) +
      poissonAtMostReal(controlErrors, (c / ratio) * controlHigh);
    return { outcome: 'pass', bound: Math.min(1, bound) };
  }
  const c = Math.sqrt(expectedRate * ratio * expectedControl);
  const bound =
    poissonAtMost(meanErrors, 0) +
    poissonAtMostReal(meanErrors, c * nHigh) +
    poissonAbove(meanRequests, nHigh) +
    poissonAtLeast(controlErrors, (c / ratio) * controlLow) +
    poissonAtMost(controlRequests, controlLow - 1);
  return { outcome: 'fail', bound: Math.min(1, bound) };
}

/**
 * The shadow gates' probabilities on the windows `stageWindows` of `stage` in `world` (module
 * comment), or `ExactUnsupportedError` when a bounded gate sits near its threshold. `tolerance`
 * is the mass the agreement's sums may leave out. Cost: O(windows + √(stage's comparisons)).
 */
export function shadowGateLaw(
  world: World,
  stage: CompiledStage,
  stageWindows: readonly StageWindowRecord[],
  tolerance = 1e-10,
): CheckProbabilities {
  const shadow = stage.shadow;
  if (shadow === null) throw new RangeError(`stage ${stage.index} is not a shadow stage`);
  const gates = shadow.gates;
  const traffic = world.scenario.traffic;
  if (traffic.arrivals.kind === 'replay')
    throw new ExactUnsupportedError(['shadow stage with replayed arrivals'], 'the shadow law is written for Poisson arrivals');
  const share = exposedShare(world.population, stage.mirrorTraffic);
  let meanAgree = 0;
  let meanDisagree = 0;
  let meanErrors = 0;
  let controlRequests = 0;
  let controlErrors = 0;
  let emptyWindows = 0;
  const candidateWindows: PercentileWindow[] = [];
  const controlWindows: PercentileWindow[] = [];
  const candidateLatency = world.candidateLatency;
  const controlLatency = world.controlLatency;
  for (const window of stageWindows) {
    const arrivals = expectedArrivals(traffic, window.start, window.start + window.duration);
    const mirrored = arrivals * share;
    meanAgree += mirrored * window.candidate.agreement;
    meanDisagree += mirrored * (1 - window.candidate.agreement);
    meanErrors += mirrored * window.candidate.errorRate;
    controlRequests += arrivals;
    controlErrors += arrivals * window.control.errorRate;
    emptyWindows += Math.exp(-arrivals) + Math.exp(-mirrored);
    const candidateMultiplier = window.candidate.latencyMultiplier;
    const controlMultiplier = window.control.latencyMultiplier;
    candidateWindows.push({
      mean: mirrored,
      level: (limit) => passLevel(limit, candidateMultiplier, (x) => candidateLatency.cdf(x)),
      typical: candidateMultiplier * candidateLatency.quantile(q95),
    });
    controlWindows.push({
      mean: arrivals,
      level: (limit) => passLevel(limit, controlMultiplier, (x) => controlLatency.cdf(x)),
      typical: controlMultiplier * controlLatency.quantile(q95),
    });
  }
  const meanRequests = meanAgree + meanDisagree;
  const agreement = agreementGateLaw(meanAgree, meanDisagree, gates.minAgreement, gates.minComparisons, tolerance);
  const latency = latencyGate(candidateWindows, controlWindows, gates.maxLatencyRatio);
  const errors = errorGate(meanRequests, meanErrors, controlRequests, controlErrors, gates.maxErrorRatio);
  const where = `stage ${stage.index} ('${stage.name}')`;
  if (latency.outcome === 'undecided' || latency.bound > decidedBelow)
    throw new ExactUnsupportedError(
      ['shadow p95 gate near its threshold'],
      `${where}: the candidate's and control's p95 laws are too close to the ratio ${gates.maxLatencyRatio} to bound the gate below ${decidedBelow} (the request-weighted mean of window percentiles has no tractable exact law)`,
    );
  if (errors.bound > decidedBelow)
    throw new ExactUnsupportedError(
      ['shadow error-ratio gate near its threshold'],
      `${where}: the stage's error counts are too few or too close to the ratio ${gates.maxErrorRatio} to bound the gate below ${decidedBelow}`,
    );
  const bounded = latency.bound + errors.bound + emptyWindows;
  if (latency.outcome === 'fail' || errors.outcome === 'fail') {
    // A gate fails whatever the agreement: only the too-few-comparisons hold differs (bounded too).
    return { hold: 0, pass: 0, fail: 1, neglected: bounded + agreement.hold };
  }
  const pass = agreement.pass;
  // The agreement sums' truncated tails are neglected mass, not failures.
  return {
    hold: agreement.hold,
    pass,
    fail: Math.max(0, 1 - pass - agreement.hold - agreement.neglected),
    neglected: bounded + agreement.neglected,
  };
}

/**
 * Memo of `shadowGateLaw` per world (a WeakMap: it goes with the world), keyed by everything the
 * law reads — the stage's index, name, mirrored share and gates, and each window's place and
 * conditions — so that a sweep or operating curve over settings that leave the shadow stage alone
 * computes it (or its refusal) once per world — and evaluateExact.ts keeps a scenario object's
 * worlds between calls, so once per scenario for the lab's successive questions. It changes no result.
 *
 * The key is those numbers themselves, not a string: the chain asks once per column (20 settings ×
 * 28 baseline nodes = 560 times a run for the lab's question) about a day of 5-minute windows, and
 * joining 6 + 7 × 288 numbers into a string each time was 7% of the lab's `flat100` question's CPU
 * (self time of the old memo, 595 of 8,161 ms over three 20-setting curves, 9432262) and ~250 MB of
 * the 2.4 GB it allocated a round. Now a 32-bit hash of the numbers' bits picks the entries, and
 * each candidate's stored numbers are compared with the asked ones value by value (no allocation
 * on a hit; numberKey.ts): an entry is served only when every number the law reads is equal, so a
 * window or gate that changed can never be served a stale entry, whatever object holds it.
 */
const memoByWorld = new WeakMap<World, NumberKeyMap<Map<string, CheckProbabilities | ExactUnsupportedError>>>();

/** Numbers of the key before the windows' (stage index, mirrored share, the four gates). */
const stageFields = 6;
/** Numbers of the key per window (start, duration, candidate agreement, error rate, latency multiplier, control error rate, latency multiplier). */
const windowFields = 7;

/** The key's numbers are written here (grown as needed): a lookup allocates nothing. */
let scratch = new Float64Array(stageFields + windowFields * 288);

/**
 * The key's numbers in order — the stage's index, mirrored share and gates, then each window's
 * seven numbers — written into `scratch`; returns the view holding them. O(windows).
 */
function keyOf(
  stage: CompiledStage,
  gates: NonNullable<CompiledStage['shadow']>['gates'],
  stageWindows: readonly StageWindowRecord[],
): Float64Array {
  const length = stageFields + windowFields * stageWindows.length;
  if (scratch.length < length) scratch = new Float64Array(2 * length);
  const key = scratch.subarray(0, length);
  key[0] = stage.index;
  key[1] = stage.mirrorTraffic;
  key[2] = gates.minAgreement;
  key[3] = gates.maxErrorRatio;
  key[4] = gates.maxLatencyRatio;
  key[5] = gates.minComparisons;
  let at = stageFields;
  for (const { start, duration, candidate, control } of stageWindows) {
    key[at] = start;
    key[at + 1] = duration;
    key[at + 2] = candidate.agreement;
    key[at + 3] = candidate.errorRate;
    key[at + 4] = candidate.latencyMultiplier;
    key[at + 5] = control.errorRate;
    key[at + 6] = control.latencyMultiplier;
    at += windowFields;
  }
  return key;
}

/**
 * The windows' part of the key's hash, remembered per array of windows: the chain asks about one
 * array once per column (560 times a run for the lab's question), and hashing its 2,016 numbers
 * each time was ~1.3% of the flat100 question's CPU. A remembered hash can only misplace an entry
 * (an array changed in place hashes as it was): the numbers are compared before an entry is
 * served (`NumberKeyMap`), so a stale hash costs a recomputation, never a stale answer.
 */
const windowsHashes = new WeakMap<readonly StageWindowRecord[], number>();

/** `shadowGateLaw`, memoised per world (above). A lookup costs O(windows) arithmetic and no allocation. */
export function memoisedShadowGateLaw(world: World, stage: CompiledStage, stageWindows: readonly StageWindowRecord[]): CheckProbabilities {
  // Not a shadow stage: the law's own RangeError, never memoised.
  if (stage.shadow === null) return shadowGateLaw(world, stage, stageWindows);
  let memo = memoByWorld.get(world);
  if (memo === undefined) {
    memo = new NumberKeyMap();
    memoByWorld.set(world, memo);
  }
  const key = keyOf(stage, stage.shadow.gates, stageWindows);
  let windows = windowsHashes.get(stageWindows);
  if (windows === undefined) {
    windows = hashNumbers(key, stageFields);
    windowsHashes.set(stageWindows, windows);
  }
  const hash = mixNumber(hashNumbers(key, 0, stageFields), windows);
  // By the stage's name too: a refusal names its stage.
  let byName = memo.get(key, hash);
  if (byName === undefined) {
    byName = new Map();
    memo.set(key, hash, byName);
  }
  let law = byName.get(stage.name);
  if (law === undefined) {
    try {
      law = shadowGateLaw(world, stage, stageWindows);
    } catch (error) {
      if (!(error instanceof ExactUnsupportedError)) throw error;
      law = error;
    }
    byName.set(stage.name, law);
  }
  if (law instanceof ExactUnsupportedError) throw law;
  return law;
}
