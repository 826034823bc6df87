/**
 * The windowed fidelity mode: each window's sufficient statistics drawn directly, never
 * generating requests (DESIGN.md §4).
 *
 * - Requests: Poisson arrivals thinned by the sticky flag are independent Poisson counts per arm
 *   (Poisson thinning: Kingman, "Poisson Processes", 1993, §5.1): control ~ Poisson(Λ(1 − f)),
 *   candidate ~ Poisson(Λf), with Λ the window's expected arrivals and f the exact share of
 *   requests from users in the rollout (`exposedShare`). Thinning once more, the requests of an
 *   arm that error and/or time out are four independent Poisson counts, which gives n, errors and
 *   timeouts jointly (`poissonArm`). Replayed arrivals give a fixed N, split Binomial(N, f). In
 *   baseline and shadow, control serves all N ~ Poisson(Λ) and the candidate sees Binomial(N, f_mirror).
 * - Given n: errors ~ Binomial(n, errorRate), timeouts ~ Binomial(n, P(latency > timeout)),
 *   successes ~ Binomial(n, accuracy), agreements ~ Binomial(n, agreement) — exact marginals.
 *   (Timeouts and the latency percentiles are drawn independently; in the per-request mode they
 *   come from the same latencies. Each is exact on its own; the engine's rules read them
 *   separately.)
 * - Latency percentiles: the q-quantile a `LatencySketch` reports is (up to its bucket rounding)
 *   the order statistic of 1-based rank k(q) = ⌊q(n − 1)⌋ + 1. For i.i.d. latencies with quantile
 *   function F⁻¹, X₍ₖ₎ = F⁻¹(U₍ₖ₎) where U₍ₖ₎ is the k-th order statistic of n uniforms,
 *   U₍ₖ₎ ~ Beta(k, n − k + 1) (David & Nagaraja, "Order Statistics", 2003, §2.2). The three ranks
 *   k₁ ≤ k₂ ≤ k₃ (p50, p95, p99) are drawn JOINTLY by the spacings representation: the n + 1
 *   spacings of n sorted uniforms are Dirichlet(1, …, 1), i.e. E₁…E_{n+1}/ΣE with i.i.d.
 *   exponentials (Devroye, "Non-Uniform Random Variate Generation", 1986, §V.2), so grouping them
 *   G₁ ~ Gamma(k₁), G₂ ~ Gamma(k₂ − k₁), G₃ ~ Gamma(k₃ − k₂), G₄ ~ Gamma(n + 1 − k₃) gives
 *   U₍ₖ₁₎ = G₁/T, U₍ₖ₂₎ = (G₁ + G₂)/T, U₍ₖ₃₎ = (G₁ + G₂ + G₃)/T with T = ΣG — exactly the joint
 *   law (equivalent to drawing U₍ₖ₃₎ ~ Beta(k₃, n − k₃ + 1) and the lower ones as scaled Betas).
 *   Four gamma draws per arm per window whatever n; the upper tail 1 − U₍ₖ₃₎ = G₄/T keeps its
 *   relative precision. Each value is then mapped through F⁻¹ × the latency multiplier and
 *   rounded to the sketch's bucket representative (`sketchRoundingFromLog`, in log space).
 *
 * - Inputs (when the scenario has `inputs`): each arm's n requests are i.i.d. draws of the
 *   window-midpoint input law, so its bin counts are Multinomial(n, p(t)) — drawn by sequential
 *   binomials (inputDrift.ts), O(bins) per feature per arm. Without inputs nothing is drawn.
 *
 * - Segments (an A/B stage with segment keys): each arm's counts are drawn per segment and summed
 *   (`segmentedArm`), so the window carries `segments` and the A/B report can break the test down.
 *
 * - Metric values (a scenario whose models give `values`, in A/B stages): each arm's n requests
 *   are given to its users, Multinomial by their weights, and each active user's sums are drawn
 *   from the law of a sum (metricValuesWindow.ts), from a sub-stream forked at the start of the
 *   replicate; scenarios without values fork and draw nothing more.
 *
 * - Baseline sketches (`WindowRequest.needsLatencySketch`: the baseline stage of a historical policy
 *   whose ratio rules read latency): the control arm's latency also carries a BANDED sketch — exact
 *   counts in the buckets where the baseline's pooled p50/p95/p99 can land, lumps elsewhere
 *   (baselineSketchBands.ts) — drawn from a sub-stream forked at the start of the replicate, and
 *   only for policies that ask for it (`orderStatisticsWindows`'s `sketchBands`): every other
 *   policy's draws are unchanged. (The fork takes two numbers from the replicate's stream, so a
 *   policy that reads the pooled latency reference and one that does not no longer share common
 *   random numbers in this mode; two policies that both read it, such as the settings of a
 *   threshold sweep, still do.) The sketch is drawn independently of the window's three reported
 *   percentiles: each is exact in law; the engine pools the sketches and reads no baseline
 *   window's own percentiles once every window carries one.
 *
 * Cost per window: O(1) — about 12 random draws and 3 quantile evaluations per arm (the
 * lognormal's by `approximateQuantile`, accurate to 1e-9 before the 1% sketch rounding).
 */
import type { ArmWindow, LatencySummary, WindowMetrics } from '../engine/metrics/windowMetrics.ts';
import { binomialVariate } from '../engine/random/binomial.ts';
import { poissonSampler, poissonVariate } from '../engine/random/poisson.ts';
import type { Random } from '../engine/random/prng.ts';
import { forkStream } from '../engine/random/streams.ts';
import type { BaselineSketchBands } from './baselineSketchBands.ts';
import { drawBandedSketch } from './baselineSketchBands.ts';
import { GammaVariates } from './gammaVariates.ts';
import { inputBinCount, inputBinProbabilities, multinomialCounts } from './inputDrift.ts';
import type { LatencyModel } from './latencyModel.ts';
import type { ValueUnits } from './metricValuesWindow.ts';
import { attachMetricValues, MetricValuesTally } from './metricValuesWindow.ts';
import { sketchRoundingFromLog } from './sketchRounding.ts';
import { expectedArrivals, expectedUsersServed, exposedShare, replayArrivals, rolloutPercentage } from './traffic.ts';
import type { Exposure, WindowGenerator, WindowRequest } from './windowRequest.ts';
import type { ArmConditions, World } from './world.ts';

/** 1-based rank of the order statistic a `LatencySketch` reads as its q-quantile among n values. */
export function sketchRank(q: number, n: number): number {
  return Math.floor(q * (n - 1)) + 1;
}

/**
 * Draws the jointly distributed p50, p95 and p99 order-statistic uniforms of n i.i.d. uniforms,
 * as [U₍k₅₀₎, U₍k₉₅₎, 1 − U₍k₉₉₎] written into `into` (see the module comment). n ≥ 1.
 */
export function drawPercentileUniforms(gammas: GammaVariates, n: number, into: Float64Array): Float64Array {
  const k1 = sketchRank(0.5, n);
  const k2 = sketchRank(0.95, n);
  const k3 = sketchRank(0.99, n);
  const g1 = gammas.gamma(k1);
  const g2 = k2 > k1 ? gammas.gamma(k2 - k1) : 0;
  const g3 = k3 > k2 ? gammas.gamma(k3 - k2) : 0;
  const g4 = gammas.gamma(n + 1 - k3);
  const total = g1 + g2 + g3 + g4;
  into[0] = g1 / total;
  into[1] = (g1 + g2) / total;
  into[2] = g4 / total;
  return into;
}

// One-shot draws (no sampler closure per draw: n and p change at every window).
function binomial(random: Random, n: number, p: number): number {
  return n === 0 || p <= 0 ? 0 : p >= 1 ? n : binomialVariate(random, n, p);
}

function poisson(random: Random, mean: number): number {
  return mean <= 0 ? 0 : poissonVariate(random, mean);
}

/**
 * An arm's window with exactly the fields it reports — requests, errors, timeouts, then latency,
 * successes and outcomes, agreements and compared when present, in that order — built as one
 * object literal of its final shape: adding the optional fields one at a time grew each arm's
 * property store, one more allocation per arm per window in the hot loop (issue 16).
 */
function armWindow(
  requests: number,
  errors: number,
  timeouts: number,
  latency: LatencySummary | undefined,
  withOutcomes: boolean,
  successes: number,
  mirrored: boolean,
  agreements: number,
): ArmWindow {
  if (!mirrored) {
    if (withOutcomes)
      return latency === undefined
        ? { requests, errors, timeouts, successes, outcomes: requests }
        : { requests, errors, timeouts, latency, successes, outcomes: requests };
    return latency === undefined ? { requests, errors, timeouts } : { requests, errors, timeouts, latency };
  }
  if (!withOutcomes)
    return latency === undefined
      ? { requests, errors, timeouts, agreements, compared: requests }
      : { requests, errors, timeouts, latency, agreements, compared: requests };
  // Mirrored with outcomes: no stage asks for both today (shadow stages read no outcomes).
  const window: ArmWindow = latency === undefined ? { requests, errors, timeouts } : { requests, errors, timeouts, latency };
  window.successes = successes;
  window.outcomes = requests;
  window.agreements = agreements;
  window.compared = requests;
  return window;
}

/**
 * A windowed-mode generator for one replicate drawing from `random`. Exposure: requests are
 * counted; distinct users served while worse are their expectation given the windows' traffic,
 * Σ_users [1 − exp(−w_u·E_b(u))] with E_b the expected arrivals of the windows in which bucket b
 * was in the rollout while the candidate was worse — O(100) per window, and at the end O(100)
 * for uniform users or O(runs × 100) for a Zipf population (`expectedUsersServed`).
 */
export function orderStatisticsWindows(
  world: World,
  random: Random,
  valueUnits: ValueUnits = 'user',
  sketchBands: BaselineSketchBands | null = null,
): WindowGenerator {
  const traffic = world.scenario.traffic;
  const population = world.population;
  const round = sketchRoundingFromLog();
  const gammas = new GammaVariates(random);
  const uniforms = new Float64Array(3);
  const exposureByBucket = new Float64Array(101);
  const totals: Exposure = { candidateRequests: 0, requestsServedWhileWorse: 0, usersServedWhileWorse: 0, failedRequests: 0 };
  // Metric values: a sub-stream forked only for scenarios that give them (others draw as before).
  const valuesStream = world.metricValues !== null ? forkStream(random, 'metric values') : null;
  let valuesTally: MetricValuesTally | null = null;
  // Baseline sketches: a sub-stream forked only for policies that ask for them (after the values'
  // fork, so that its stream is unchanged too).
  const sketchStream = sketchBands !== null ? forkStream(random, 'baseline latency sketches') : null;

  /** Attaches the banded sketch of a baseline window to its control arm's latency (module comment). */
  function attachSketch(control: ArmWindow, multiplier: number): void {
    if (control.latency === undefined) return;
    if (sketchBands === null || sketchStream === null)
      throw new Error('a window asked for a latency sketch, but the windowed generator was made without baseline sketch bands');
    control.latency.sketch = drawBandedSketch(sketchBands, control.requests, multiplier, sketchStream);
  }

  /**
   * An A/B window's metric values: each arm's requests given to its users, then the per-user sums
   * (metricValuesWindow.ts).
   */
  function attachValues(window: WindowMetrics, candidateShare: number, stageStart: number | undefined): void {
    valuesTally ??= new MetricValuesTally(world.metricValues ?? [], population, valuesStream as Random, 'window', valueUnits);
    valuesTally.beginWindow(window.startTime, window.duration, stageStart);
    const percentage = rolloutPercentage(candidateShare);
    valuesTally.drawArmRequests(0, window.control?.requests ?? 0, percentage);
    valuesTally.drawArmRequests(1, window.candidate?.requests ?? 0, percentage);
    attachMetricValues(window.control, valuesTally.flush(0), valuesTally.valuesSince);
    attachMetricValues(window.candidate, valuesTally.flush(1), valuesTally.valuesSince);
  }

  /**
   * Draws a Poisson count for cache `slot` with `mean`, reusing a sampler while the mean is
   * unchanged. A new mean is drawn once without a sampler (under a daily cycle the mean changes
   * at every window, and a sampler used once is only garbage); the sampler is made at the mean's
   * second draw. Both give the same value from the same uniforms.
   */
  const poissonMeans = new Float64Array(8).fill(-1);
  const poissonSamplers: ((() => number) | null)[] = new Array(8).fill(null);
  function cachedPoisson(slot: number, mean: number): number {
    if (mean <= 0) return 0;
    if (poissonMeans[slot] !== mean) {
      poissonMeans[slot] = mean;
      poissonSamplers[slot] = null;
      return poissonVariate(random, mean);
    }
    let sampler = poissonSamplers[slot];
    if (sampler === null) sampler = poissonSamplers[slot] = poissonSampler(random, mean);
    return sampler();
  }

  /** A Poisson count of `mean` from cache slot `slot + k`, or from a fresh sampler when `slot` < 0. */
  function poissonAt(slot: number, k: number, mean: number): number {
    return slot < 0 ? poisson(random, mean) : cachedPoisson(slot + k, mean);
  }

  /** The p50, p95 and p99 an arm of n requests reports, when the request asks for latency and n > 0. */
  function latencyOf(n: number, conditions: ArmConditions, latency: LatencyModel, request: WindowRequest): LatencySummary | undefined {
    if (!(request.needsLatency && n > 0)) return undefined;
    drawPercentileUniforms(gammas, n, uniforms);
    const logScale = Math.log(conditions.latencyMultiplier);
    return {
      p50: round(logScale + latency.approximateLogQuantile(uniforms[0])),
      p95: round(logScale + latency.approximateLogQuantile(uniforms[1])),
      p99: round(logScale + latency.approximateLogQuantile(1 - uniforms[2])),
    };
  }

  /**
   * An arm of `requests` requests (errors and timeouts drawn): latency, then outcomes, then
   * agreements (mirrored traffic) drawn in that order, and the window built in its final shape.
   */
  function complete(
    requests: number,
    errors: number,
    timeouts: number,
    conditions: ArmConditions,
    latency: LatencyModel,
    request: WindowRequest,
    mirrored: boolean,
  ): ArmWindow {
    const quantiles = latencyOf(requests, conditions, latency, request);
    const withOutcomes = request.needsOutcomes;
    const successes = withOutcomes ? binomial(random, requests, conditions.accuracy) : 0;
    const agreements = mirrored ? binomial(random, requests, conditions.agreement) : 0;
    return armWindow(requests, errors, timeouts, quantiles, withOutcomes, successes, mirrored, agreements);
  }

  /**
   * An arm broken down by segment (an A/B stage with segment keys). Poisson arrivals of mean
   * `mean` (when `n` is null) thin into independent Poisson counts per segment, of mean
   * mean·w_s, and each into its four error/timeout classes as in `poissonArm`; a fixed count n
   * splits Multinomial(n, w) by sequential binomials, then errors and timeouts are Binomial given
   * n_s. Successes are Binomial(n_s, accuracy_s). The arm's counts are the segments' sums: the
   * same joint law for (n, errors, timeouts) as the unsegmented draws, and successes from the
   * per-segment accuracies. Latency is drawn for the arm as a whole (segments share one latency
   * law). O(segments) draws, samplers not cached.
   */
  function segmentedArm(
    n: number | null,
    mean: number,
    conditions: ArmConditions,
    latency: LatencyModel,
    request: WindowRequest,
  ): ArmWindow {
    const names = world.segments;
    const shares = conditions.segmentShares;
    const pe = conditions.errorRate;
    const pt = conditions.timeoutProbability;
    const window: ArmWindow = { requests: 0, errors: 0, timeouts: 0, successes: 0, outcomes: 0, segments: {} };
    let remaining = n ?? 0;
    let remainingShare = 1;
    for (let s = 0; s < names.length; s++) {
      let segment: ArmWindow;
      if (n === null) {
        thinnedPoissonCounts(-1, mean * shares[s], pe, pt);
        segment = { requests: thinnedRequests, errors: thinnedErrors, timeouts: thinnedTimeouts };
      } else {
        const last = s === names.length - 1;
        const count = last ? remaining : binomial(random, remaining, remainingShare > 0 ? Math.min(1, shares[s] / remainingShare) : 0);
        remaining -= count;
        remainingShare -= shares[s];
        segment = { requests: count, errors: binomial(random, count, pe), timeouts: binomial(random, count, pt) };
      }
      segment.successes = binomial(random, segment.requests, conditions.segmentAccuracy[s]);
      segment.outcomes = segment.requests;
      window.requests += segment.requests;
      window.errors += segment.errors;
      window.timeouts += segment.timeouts;
      window.successes! += segment.successes;
      window.outcomes! += segment.outcomes;
      window.segments![names[s]] = segment;
    }
    // Latency for the arm as a whole, drawn after the segments' counts.
    const quantiles = latencyOf(window.requests, conditions, latency, request);
    if (quantiles !== undefined) window.latency = quantiles;
    return window;
  }

  /** An arm of a known request count n: errors and timeouts Binomial given n. */
  function arm(n: number, conditions: ArmConditions, latency: LatencyModel, request: WindowRequest, mirrored: boolean): ArmWindow {
    if (request.needsSegments && request.needsOutcomes && !mirrored) return segmentedArm(n, 0, conditions, latency, request);
    const errors = binomial(random, n, conditions.errorRate);
    const timeouts = binomial(random, n, conditions.timeoutProbability);
    return complete(n, errors, timeouts, conditions, latency, request, mirrored);
  }

  /**
   * An arm fed by Poisson(mean) arrivals: by Poisson thinning the requests that fail and time
   * out, fail only, time out only, or neither are four independent Poisson counts (errors and
   * timeouts being independent given the request), so n, errors and timeouts come from Poisson
   * draws whose means rarely change between windows — their samplers are reused (`slot`…`slot+3`).
   */
  function poissonArm(slot: number, mean: number, conditions: ArmConditions, latency: LatencyModel, request: WindowRequest): ArmWindow {
    if (request.needsSegments && request.needsOutcomes) return segmentedArm(null, mean, conditions, latency, request);
    thinnedPoissonCounts(slot, mean, conditions.errorRate, conditions.timeoutProbability);
    return complete(thinnedRequests, thinnedErrors, thinnedTimeouts, conditions, latency, request, false);
  }

  /**
   * Requests, errors and timeouts of Poisson(mean) arrivals with error and timeout probabilities
   * pe and pt, left in `thinnedRequests`, `thinnedErrors` and `thinnedTimeouts` (no object per
   * call): the four classes (both, error only, timeout only, neither) are independent Poisson
   * counts. With `slot` ≥ 0 the samplers of cache slots slot…slot+3 are reused; with −1 each
   * count is drawn on its own.
   */
  let thinnedRequests = 0;
  let thinnedErrors = 0;
  let thinnedTimeouts = 0;
  function thinnedPoissonCounts(slot: number, mean: number, pe: number, pt: number): void {
    const both = poissonAt(slot, 0, mean * pe * pt);
    const errorOnly = poissonAt(slot, 1, mean * pe * (1 - pt));
    const timeoutOnly = poissonAt(slot, 2, mean * (1 - pe) * pt);
    const neither = poissonAt(slot, 3, mean * (1 - pe) * (1 - pt));
    thinnedRequests = both + errorOnly + timeoutOnly + neither;
    thinnedErrors = both + errorOnly;
    thinnedTimeouts = both + timeoutOnly;
  }

  const inputs = world.scenario.inputs;
  const inputNames = inputs ? Object.keys(inputs) : [];
  const inputProbabilities = inputNames.map((name) => new Float64Array(inputBinCount((inputs as NonNullable<typeof inputs>)[name])));

  /** Draws each input feature's bin counts for an arm of n requests (window-midpoint law). */
  function attachInputs(window: ArmWindow | undefined): void {
    if (window === undefined || inputs === undefined) return;
    const counts: Record<string, number[]> = {};
    for (let f = 0; f < inputNames.length; f++) {
      const bins = inputProbabilities[f].length;
      counts[inputNames[f]] = multinomialCounts(random, window.requests, inputProbabilities[f], bins, new Array<number>(bins));
    }
    window.inputs = counts;
  }

  function draw(request: WindowRequest): WindowMetrics {
    const { start, duration } = request;
    const replay = traffic.arrivals.kind === 'replay' ? traffic.arrivals : null;
    const expected = replay ? 0 : expectedArrivals(traffic, start, start + duration);
    const fixedTotal = replay ? replayArrivals(replay.times, replay.period, start, start + duration) : 0;
    // Each window is built in its final shape (startTime, duration, control, candidate: the arms
    // that exist), after its arms are drawn, control first.
    if (request.mirrorShare > 0 || request.candidateShare === 0) {
      // Baseline or shadow: control serves everyone; in shadow the candidate sees a mirrored share.
      const total = replay ? fixedTotal : poisson(random, expected);
      const control = arm(total, request.control, world.controlLatency, request, false);
      if (request.needsLatencySketch === true) attachSketch(control, request.control.latencyMultiplier);
      if (!(request.mirrorShare > 0)) return { startTime: start, duration, control };
      const mirrored = binomial(random, total, exposedShare(population, request.mirrorShare));
      const candidate = arm(mirrored, request.candidate, world.candidateLatency, request, true);
      return { startTime: start, duration, control, candidate };
    }
    const share = exposedShare(population, request.candidateShare);
    let control: ArmWindow | undefined;
    let candidate: ArmWindow;
    if (replay) {
      const candidateCount = binomial(random, fixedTotal, share);
      if (request.candidateShare < 1) control = arm(fixedTotal - candidateCount, request.control, world.controlLatency, request, false);
      candidate = arm(candidateCount, request.candidate, world.candidateLatency, request, false);
    } else {
      if (request.candidateShare < 1) control = poissonArm(0, expected * (1 - share), request.control, world.controlLatency, request);
      candidate = poissonArm(4, expected * share, request.candidate, world.candidateLatency, request);
    }
    const window: WindowMetrics =
      control === undefined ? { startTime: start, duration, candidate } : { startTime: start, duration, control, candidate };
    if (valuesStream !== null && request.stageKind === 'ab') attachValues(window, request.candidateShare, request.stageStart);
    const candidateCount = candidate.requests;
    totals.failedRequests += candidate.errors;
    totals.candidateRequests += candidateCount;
    if (request.candidateWorse) {
      totals.requestsServedWhileWorse += candidateCount;
      const volume = replay ? fixedTotal : expected;
      const percentage = Math.floor(rolloutPercentage(request.candidateShare) + 1e-9);
      for (let b = 1; b <= percentage; b++) exposureByBucket[b] += volume;
    }
    return window;
  }

  return {
    next(request) {
      const window = draw(request);
      if (inputs !== undefined) {
        const middle = request.start + request.duration / 2;
        for (let f = 0; f < inputNames.length; f++) inputBinProbabilities(inputs[inputNames[f]], middle, inputProbabilities[f]);
        attachInputs(window.control);
        attachInputs(window.candidate);
      }
      return window;
    },
    exposure() {
      // O(buckets), or O(runs × buckets) for Zipf users: no per-user arrays (populationSummary.ts).
      return { ...totals, usersServedWhileWorse: expectedUsersServed(population, exposureByBucket) };
    },
  };
}
