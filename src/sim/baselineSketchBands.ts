/**
 * The windowed mode's latency sketch of a historical baseline window: a BANDED histogram on the
 * sketch's buckets, with exact counts in the buckets where the baseline's POOLED p50, p95 or p99
 * can land (those the policy's ratio rules read: `referencedQuantiles`) and one lump per gap
 * elsewhere — what the engine pools into the historical latency reference (the percentile of the
 * pooled histogram, as the Argo Rollouts and Flagger exports compute it:
 * `histogram_quantile(q, sum by (le)(...))`), at O(bands) draws per window instead of one per
 * request.
 *
 * Buckets: a `LatencySketch` of relative accuracy α puts x > 0 in bucket i = ⌈ln x / ln γ⌉,
 * γ = (1 + α)/(1 − α), i.e. (γ^(i−1), γ^i], and reads it back as 2γ^i/(γ + 1)
 * (src/engine/stats/latencySketch.ts); the same expressions here (`bucketOf`, `representative`).
 *
 * Where the pooled quantile lands. The baseline's windows w (those of the baseline stage until its
 * minimum duration, listed as src/sim/exact/baselineLaw.ts lists them: `baselineSketchWindows`)
 * receive n_w ~ Poisson(Λ_w) control requests, independent, each latency of law
 * F_w(x) = F(x/m_w) (the control's law F times the window's latency multiplier m_w). By the
 * superposition and marking theorems (Kingman, "Poisson Processes", 1993, §2.2 and §5.2) the
 * pooled requests are N ~ Poisson(ΣΛ) and, GIVEN N, each carries a window label i.i.d.
 * Categorical(Λ_w/ΣΛ) and a latency of its window's law: the N pooled latencies are i.i.d. from
 * the mixture F = Σ Λ_w F_w / Σ Λ_w. (Given the window counts (n_w) instead, they are independent
 * but not identically distributed, and their average law Σ n_w F_w / N is random: the argument goes
 * through N alone.) So the Dvoretzky–Kiefer–Wolfowitz inequality with Massart's constant
 * (Massart, Ann. Probab. 18, 1990) holds conditionally on N:
 * P(sup_x |F_N(x) − F(x)| > ε | N) ≤ 2 exp(−2Nε²). With N ≥ N_min and
 * ε = √(ln(2/δ)/(2 N_min)), the pooled empirical law is within ε of F everywhere except with
 * probability δ. The sketch's q-quantile is the order statistic of 1-based rank
 * k = ⌊q(N − 1)⌋ + 1, and q − 1/N < k/N < q + 1/N, so on that event
 * F_N(x_lo−) ≤ q − 1/N < k/N at x_lo = F⁻¹(q − ε − 1/N_min) and F_N(x_hi) ≥ q + 1/N > k/N at
 * x_hi = F⁻¹(q + ε + 1/N_min): the order statistic lies in [x_lo, x_hi], so in the buckets from
 * bucket(x_lo) to bucket(x_hi) — widened by one bucket each side for the rounding of F⁻¹ and of
 * the logarithm. N_min is the larger of the stage's minimum requests (the engine reads the
 * reference only once the baseline has them) and the Poisson lower bound
 * max{n : P(Poisson(ΣΛ) < n) ≤ δ} (its probability added to the failure probability when it is the
 * one used). δ = 1e-15.
 *
 * Replayed arrivals give fixed window counts n_w (`replayArrivals`): then N is fixed and the
 * latencies independent with average law F = Σ n_w F_w / N, deterministic. With one multiplier
 * they are i.i.d. (DKW as above); with several, Hoeffding's inequality at each of the six fixed band
 * edges (one-sided, for independent Bernoulli indicators of different means; Hoeffding, JASA 58,
 * 1963, Theorem 2) gives the same two events per quantile with probability ≤ 6 exp(−2Nε²), so
 * ε = √(ln(6/δ)/(2N)).
 *
 * Tails: where q ± ε ± 1/N_min leaves (τ, 1 − τ) the band stops at F⁻¹(τ) or F⁻¹(1 − τ), with
 * τ = max(δ/ΣΛ, 2⁻⁵⁰) (1 − τ must be a double below 1); the pooled sample has a value beyond with
 * probability ≤ ΣΛ·(mass beyond), added to the failure probability (`failureProbability`). Latency
 * 0 (an empirical law with zeros) is its own exact cell, the sketch's zero count.
 *
 * Guarantee, precisely: for a baseline that ends at its minimum duration (or later with the same
 * latency multiplier in every window: the mixture is then F itself and N only grows), the pooled
 * quantiles (of those made exact) of the banded sketches equal those of the windows' full
 * sketches (the same counts in every band bucket) except with probability `failureProbability`
 * (2e-15 for the lab's default scenario and policy; up to ~1e-11 where a band reaches a tail). A
 * baseline that runs past its minimum duration with other multipliers pools a different mixture:
 * the counts stay exact in law in every band bucket, but the bands are not recomputed for it.
 *
 * Per window (`drawBandedSketch`): the counts of the cells — zero, the lump below the bands, each
 * band bucket, each gap between bands, the lump above — are Multinomial(n, their probabilities under
 * the window's law F_w), drawn by sequential binomials (Devroye, "Non-Uniform Random Variate
 * Generation", 1986, §XI.1.3). A band bucket's count goes in its bucket; a lump's in one bucket
 * inside its gap: the bucket just below the lowest band (lower lump), just above the highest band
 * (upper lump), or the middle bucket ⌊(first + last)/2⌋ of a gap between bands. The sketch's
 * count is n, its min and max the representatives of its lowest and highest non-empty buckets (0
 * when it has zeros) and its sum Σ count × representative: those of the banded histogram, not of the
 * draws (the engine reads only quantiles of a pooled baseline).
 *
 * Costs: the bands O(baseline windows + distinct multipliers × 200 CDF evaluations) (4 ms for the
 * lab's default scenario), once per world, baseline stage and quantiles read
 * (`baselineSketchBands`); per window O(cells) binomial draws and a counts array of the bands'
 * span — for the lab's default scenario and policy 10 cells (p50 band buckets 239–241, p95
 * 299–302, N_min = 8,616,668, ε = 0.00143), 1.6 µs a window, a 66-bucket sketch.
 */
import type { CompiledPolicy, CompiledStage } from '../engine/controller/compilePolicy.ts';
import { latencyLevels } from '../engine/policy/policy.ts';
import { binomialVariate } from '../engine/random/binomial.ts';
import type { Random } from '../engine/random/prng.ts';
import { upperIncompleteGamma } from '../engine/stats/distributions.ts';
import type { LatencySketchJson } from '../engine/stats/latencySketch.ts';
import type { LatencyModel } from './latencyModel.ts';
import { expectedArrivals, replayArrivals } from './traffic.ts';
import type { World } from './world.ts';
import { conditionsAt, emptyConditions } from './world.ts';

/** Probability that the DKW event fails (and that N falls below its Poisson lower bound). */
export const bandFailureProbability = 1e-15;

/** The quantiles the engine's latency metrics read (p50, p95, p99). */
export const bandQuantiles: readonly number[] = [0.5, 0.95, 0.99];

/** The quantile each latency metric reads. */

/** One baseline window: its expected control requests (or replayed count) and latency multiplier. */
export interface BaselineSketchWindow {
  expected: number;
  multiplier: number;
}

/** What the bands are computed from. */
export interface SketchBandsInput {
  windows: readonly BaselineSketchWindow[];
  /** The control's latency law (before the multiplier). */
  latency: LatencyModel;
  /** The baseline stage's minimum requests (the engine reads the reference only after them). */
  minimumRequests: number;
  /** True for replayed arrivals: the windows' counts are fixed, `expected` is the count. */
  fixedCounts: boolean;
  /** The sketch's relative accuracy α (default 0.01, the `LatencySketch` default). */
  relativeAccuracy?: number;
  /** The sketch's bucket limit (default 2048, the `LatencySketch` default; copied to the JSON). */
  maxBuckets?: number;
  /** The quantiles to make exact (default `bandQuantiles`: p50, p95 and p99), each in (0, 1). */
  quantiles?: readonly number[];
}

/** The bands of one baseline and the cells a window's banded histogram counts. */
export interface BaselineSketchBands {
  relativeAccuracy: number;
  maxBuckets: number;
  /** N_min: the pooled count the bands assume at least. */
  minimumTotal: number;
  /** The DKW (or Hoeffding) ε. */
  epsilon: number;
  /** Probability that some pooled p50/p95/p99 lands outside the bands (module comment). */
  failureProbability: number;
  /** Per quantile made exact, its bucket range [first, last] (before the union). */
  quantileBands: { q: number; first: number; last: number }[];
  /**
   * Cells in ascending order, after the zero cell: cell j covers buckets cellFirst[j] … cellLast[j]
   * (the first cell reaches down to 0, the last up to ∞) and its count goes in bucket cellTarget[j].
   */
  cellFirst: Int32Array;
  cellLast: Int32Array;
  cellTarget: Int32Array;
  /** 1 for a band bucket (exact), 0 for a lump. */
  cellIsBand: Uint8Array;
  /** The representative of each cell's target bucket (`representative`). */
  cellValue: Float64Array;
  /** The control's latency law. */
  latency: LatencyModel;
  /** Per latency multiplier, the sequential-binomial probabilities (`cellProbabilities`). */
  conditionals: Map<number, Float64Array>;
}

/** γ of relative accuracy α, exactly as `LatencySketch` computes it. */
function gammaOf(relativeAccuracy: number): number {
  return (1 + relativeAccuracy) / (1 - relativeAccuracy);
}

/** The bucket `LatencySketch.add(x)` puts x > 0 in: ⌈ln x · (1/ln γ)⌉, the sketch's expression. */
export function bucketOf(x: number, relativeAccuracy = 0.01): number {
  return Math.ceil(Math.log(x) * (1 / Math.log(gammaOf(relativeAccuracy))));
}

/** The value a `LatencySketch` reads bucket i back as: 2γ^i/(γ + 1), the sketch's expression. */
export function representative(bucket: number, relativeAccuracy = 0.01): number {
  const gamma = gammaOf(relativeAccuracy);
  return (2 * Math.exp(bucket * Math.log(gamma))) / (1 + gamma);
}

/**
 * The baseline stage's windows for the bands, as src/sim/exact/baselineLaw.ts lists them: from
 * time 0, each of the stage's check interval (clipped at the horizon) until its minimum duration,
 * with the expected arrivals (or the replayed count) and the control's latency multiplier at the
 * window's midpoint. O(windows).
 */
export function baselineSketchWindows(world: World, stage: CompiledStage): BaselineSketchWindow[] {
  const scenario = world.scenario;
  const arrivals = scenario.traffic.arrivals;
  const replay = arrivals.kind === 'replay' ? arrivals : null;
  const control = emptyConditions();
  const candidate = emptyConditions();
  const windows: BaselineSketchWindow[] = [];
  let time = 0;
  // At least one window: the engine pools the first window even with no minimum duration.
  while ((windows.length === 0 || time < stage.minDuration) && time < scenario.horizon) {
    const duration = Math.min(stage.checkInterval, scenario.horizon - time);
    const expected = replay
      ? replayArrivals(replay.times, replay.period, time, time + duration)
      : expectedArrivals(scenario.traffic, time, time + duration);
    conditionsAt(world, time + duration / 2, 0, control, candidate);
    windows.push({ expected, multiplier: control.latencyMultiplier });
    time += duration;
  }
  return windows;
}

/** max{n ≥ 0 : P(Poisson(mean) < n) ≤ δ}, with P(Poisson(μ) ≤ n − 1) = Q(n, μ). O(log mean) evaluations. */
export function poissonLowerBound(mean: number, delta: number): number {
  if (!(mean > 0)) return 0;
  const below = (n: number): number => (n <= 0 ? 0 : upperIncompleteGamma(n, mean));
  // Q(n, μ) increases with n; below(0) = 0 ≤ δ and below(⌈μ⌉ + 1) ≈ ½ > δ.
  let low = 0;
  let high = Math.ceil(mean) + 1;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (below(middle) <= delta) low = middle;
    else high = middle;
  }
  return low;
}

/** The mixture Σ w_g F(x/m_g) (weights summing to 1) with its generalized inverse. */
interface Mixture {
  cdf(x: number): number;
  quantile(u: number): number;
}

function mixtureOf(latency: LatencyModel, multipliers: readonly number[], weights: readonly number[]): Mixture {
  const cdf = (x: number): number => {
    let sum = 0;
    for (let g = 0; g < multipliers.length; g++) sum += weights[g] * latency.cdf(x / multipliers[g]);
    return sum;
  };
  if (multipliers.length === 1) {
    const m = multipliers[0];
    return { cdf, quantile: (u) => m * latency.quantile(u) };
  }
  return {
    cdf,
    quantile(u) {
      // The mixture's u-quantile lies between its components' (F is their average).
      let low = Infinity;
      let high = 0;
      for (const m of multipliers) {
        const x = m * latency.quantile(u);
        if (x < low) low = x;
        if (x > high) high = x;
      }
      // Bisection keeping F(high) ≥ u: inf{x : F(x) ≥ u} up to 1e-13 relative.
      for (let i = 0; i < 200 && high - low > 1e-13 * high; i++) {
        const middle = 0.5 * (low + high);
        if (cdf(middle) >= u) high = middle;
        else low = middle;
      }
      return high;
    },
  };
}

/**
 * The bands and cells of a baseline (module comment). Checks its input (RangeError naming the
 * field). Cost O(windows + 6 quantiles of the mixture + the bands' span).
 */
export function sketchBands(input: SketchBandsInput): BaselineSketchBands {
  const { windows, latency, minimumRequests, fixedCounts } = input;
  const relativeAccuracy = input.relativeAccuracy ?? 0.01;
  const maxBuckets = input.maxBuckets ?? 2048;
  if (!(relativeAccuracy > 0 && relativeAccuracy < 1))
    throw new RangeError(`relativeAccuracy must be between 0 and 1, got ${relativeAccuracy}`);
  if (!(Number.isInteger(maxBuckets) && maxBuckets >= 2))
    throw new RangeError(`maxBuckets must be an integer of at least 2, got ${maxBuckets}`);
  if (!(minimumRequests >= 0)) throw new RangeError(`minimumRequests must be non-negative, got ${minimumRequests}`);
  if (windows.length === 0) throw new RangeError('windows must list at least one baseline window');
  const quantiles = input.quantiles ?? bandQuantiles;
  if (quantiles.length === 0) throw new RangeError('quantiles must list at least one quantile');
  quantiles.forEach((q, i) => {
    if (!(q > 0 && q < 1)) throw new RangeError(`quantiles[${i}] must be between 0 and 1 (exclusive), got ${q}`);
  });
  // Group the windows by multiplier: the mixture's weights.
  const byMultiplier = new Map<number, number>();
  let total = 0;
  windows.forEach((window, i) => {
    if (!(window.expected >= 0 && window.expected < Infinity))
      throw new RangeError(`windows[${i}].expected must be a non-negative finite number, got ${window.expected}`);
    if (!(window.multiplier > 0 && window.multiplier < Infinity))
      throw new RangeError(`windows[${i}].multiplier must be a positive finite number, got ${window.multiplier}`);
    total += window.expected;
    byMultiplier.set(window.multiplier, (byMultiplier.get(window.multiplier) ?? 0) + window.expected);
  });
  const multipliers = [...byMultiplier.keys()];
  const weights = multipliers.map((m) => (total > 0 ? (byMultiplier.get(m) as number) / total : 1 / multipliers.length));
  const mixture = mixtureOf(latency, multipliers, weights);
  const delta = bandFailureProbability;
  // N_min and ε (module comment).
  let failureProbability = delta;
  let minimumTotal: number;
  if (fixedCounts) minimumTotal = Math.max(total, minimumRequests);
  else {
    const poissonBound = poissonLowerBound(total, delta);
    if (poissonBound >= minimumRequests) failureProbability += delta;
    minimumTotal = Math.max(poissonBound, Math.ceil(minimumRequests));
  }
  const events = fixedCounts && multipliers.length > 1 ? 6 : 2;
  const epsilon = minimumTotal >= 1 ? Math.sqrt(Math.log(events / delta) / (2 * minimumTotal)) : Infinity;
  const slack = minimumTotal >= 1 ? epsilon + 1 / minimumTotal : Infinity;
  const tail = Math.max(delta / Math.max(total, 1), 2 ** -50);
  // The band of each quantile, in buckets.
  const multiplier = 1 / Math.log(gammaOf(relativeAccuracy));
  const bucket = (x: number): number => Math.ceil(Math.log(x) * multiplier);
  /**
   * The bucket of F⁻¹(u), or, when F⁻¹(u) = 0 (an atom at 0: an empirical law with zeros), of the
   * first positive quantile above u (bisection on u up to `ceiling`; bucket 0 if there is none).
   */
  const positiveBucket = (u: number, ceiling: number): number => {
    const x = mixture.quantile(u);
    if (x > 0) return bucket(x);
    let low = u;
    let high = ceiling;
    if (!(mixture.quantile(high) > 0)) return 0;
    for (let i = 0; i < 100; i++) {
      const middle = 0.5 * (low + high);
      if (mixture.quantile(middle) > 0) high = middle;
      else low = middle;
    }
    return bucket(mixture.quantile(high));
  };
  const quantileBands = quantiles.map((q) => {
    const uLow = Math.max(tail, q - slack);
    const uHigh = Math.min(1 - tail, q + slack);
    return { q, first: positiveBucket(uLow, 1 - tail) - 1, last: positiveBucket(uHigh, 1 - tail) + 1 };
  });
  // Mass beyond the tail cuts, when a band reaches them.
  const lowest = Math.min(...quantileBands.map((band) => band.first));
  const highest = Math.max(...quantileBands.map((band) => band.last));
  const edge = (i: number): number => Math.exp(i / multiplier);
  const zeroMass = mixture.cdf(0);
  if (quantileBands.some((band) => band.q - slack <= tail)) failureProbability += total * (mixture.cdf(edge(lowest - 1)) - zeroMass);
  if (quantileBands.some((band) => band.q + slack >= 1 - tail)) failureProbability += total * (1 - mixture.cdf(edge(highest)));
  // The union of the bands, in ascending order, and the cells around them.
  const sorted = [...quantileBands].sort((a, b) => a.first - b.first);
  const merged: [number, number][] = [];
  for (const band of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && band.first <= last[1] + 1) last[1] = Math.max(last[1], band.last);
    else merged.push([band.first, band.last]);
  }
  const first: number[] = [];
  const last: number[] = [];
  const target: number[] = [];
  const isBand: number[] = [];
  const push = (from: number, to: number, into: number, band: boolean): void => {
    first.push(from);
    last.push(to);
    target.push(into);
    isBand.push(band ? 1 : 0);
  };
  push(-Infinity, lowest - 1, lowest - 1, false);
  merged.forEach(([from, to], j) => {
    if (j > 0) {
      const gapFrom = merged[j - 1][1] + 1;
      const gapTo = from - 1;
      push(gapFrom, gapTo, Math.floor((gapFrom + gapTo) / 2), false);
    }
    for (let i = from; i <= to; i++) push(i, i, i, true);
  });
  push(highest + 1, Infinity, highest + 1, false);
  if (highest + 1 - (lowest - 1) + 1 > maxBuckets)
    throw new RangeError(`the bands span ${highest - lowest + 3} buckets, more than maxBuckets (${maxBuckets})`);
  const toInt = (values: number[]): Int32Array =>
    Int32Array.from(values, (value) => (value === -Infinity ? -0x80000000 : value === Infinity ? 0x7fffffff : value));
  return {
    relativeAccuracy,
    maxBuckets,
    minimumTotal,
    epsilon,
    failureProbability: Math.min(1, failureProbability),
    quantileBands,
    cellFirst: toInt(first),
    cellLast: toInt(last),
    cellTarget: Int32Array.from(target),
    cellIsBand: Uint8Array.from(isBand),
    cellValue: Float64Array.from(target, (bucket) => representative(bucket, relativeAccuracy)),
    latency,
    conditionals: new Map(),
  };
}

/**
 * The probability of each cell under the law F(x/multiplier): index 0 the zero cell (P(latency = 0)),
 * then the cells in order (they sum to 1 up to rounding). O(cells) CDF evaluations.
 */
export function cellProbabilities(bands: BaselineSketchBands, multiplier: number): Float64Array {
  const cells = bands.cellFirst.length;
  const probabilities = new Float64Array(cells + 1);
  const logGamma = Math.log(gammaOf(bands.relativeAccuracy));
  const cdf = (x: number): number => bands.latency.cdf(x / multiplier);
  const zero = cdf(0);
  probabilities[0] = zero;
  let below = zero;
  for (let j = 0; j < cells; j++) {
    // Bucket i holds (γ^(i−1), γ^i]: the cell's mass is F(γ^last) − F(γ^(first−1)).
    const upper = j === cells - 1 ? 1 : cdf(Math.exp(bands.cellLast[j] * logGamma));
    probabilities[j + 1] = Math.max(0, upper - below);
    below = Math.max(below, upper);
  }
  return probabilities;
}

/**
 * The sequential-binomial probabilities p_j / Σ_{i ≥ j} p_i of the cells (zero cell first), for a
 * window of latency multiplier `multiplier`; memoised on the bands.
 */
function conditionalProbabilities(bands: BaselineSketchBands, multiplier: number): Float64Array {
  let conditionals = bands.conditionals.get(multiplier);
  if (conditionals !== undefined) return conditionals;
  const probabilities = cellProbabilities(bands, multiplier);
  conditionals = new Float64Array(probabilities.length);
  let rest = 0;
  for (let j = probabilities.length - 1; j >= 0; j--) {
    rest += probabilities[j];
    conditionals[j] = rest > 0 ? Math.min(1, probabilities[j] / rest) : 0;
  }
  conditionals[probabilities.length - 1] = 1; // the last cell takes what remains
  if (bands.conditionals.size < 64) bands.conditionals.set(multiplier, conditionals);
  return conditionals;
}

/** Scratch counts of one window's cells (zero cell first), reused: `drawBandedSketch` is not reentrant. */
let scratch = new Float64Array(0);

/**
 * The banded sketch of a window of n ≥ 1 control requests whose latencies are the control's law ×
 * `multiplier`: the cells' counts Multinomial(n, `cellProbabilities`) drawn from `random`, as a
 * `LatencySketchJson` (module comment). O(cells) draws.
 */
export function drawBandedSketch(bands: BaselineSketchBands, n: number, multiplier: number, random: Random): LatencySketchJson {
  const conditionals = conditionalProbabilities(bands, multiplier);
  const cells = conditionals.length;
  if (scratch.length < cells) scratch = new Float64Array(cells);
  const counts = scratch;
  let remaining = n;
  for (let j = 0; j < cells; j++) {
    if (remaining === 0) {
      counts[j] = 0;
      continue;
    }
    const p = conditionals[j];
    const count = p <= 0 ? 0 : p >= 1 ? remaining : binomialVariate(random, remaining, p);
    counts[j] = count;
    remaining -= count;
  }
  return sketchOfCellCounts(bands, counts);
}

/** The banded sketch JSON of the cells' counts (index 0 the zero cell). O(span of the bands). */
export function sketchOfCellCounts(bands: BaselineSketchBands, counts: ArrayLike<number>): LatencySketchJson {
  const cells = bands.cellTarget.length;
  let low = -1;
  let high = -1;
  let count = counts[0];
  for (let j = 0; j < cells; j++) {
    if (counts[j + 1] > 0) {
      if (low < 0) low = j;
      high = j;
      count += counts[j + 1];
    }
  }
  const zeroCount = counts[0];
  if (low < 0)
    return {
      type: 'ddsketch',
      version: 1,
      relativeAccuracy: bands.relativeAccuracy,
      maxBuckets: bands.maxBuckets,
      count,
      sum: 0,
      min: count > 0 ? 0 : null,
      max: count > 0 ? 0 : null,
      zeroCount,
      offset: 0,
      counts: [],
    };
  const offset = bands.cellTarget[low];
  const buckets = new Array<number>(bands.cellTarget[high] - offset + 1).fill(0);
  let sum = 0;
  for (let j = low; j <= high; j++) {
    const c = counts[j + 1];
    if (c > 0) {
      buckets[bands.cellTarget[j] - offset] = c;
      sum += c * bands.cellValue[j];
    }
  }
  return {
    type: 'ddsketch',
    version: 1,
    relativeAccuracy: bands.relativeAccuracy,
    maxBuckets: bands.maxBuckets,
    count,
    sum,
    min: zeroCount > 0 ? 0 : bands.cellValue[low],
    max: bands.cellValue[high],
    zeroCount,
    offset,
    counts: buckets,
  };
}

/**
 * The cell counts (zero cell first) of a full sketch: each bucket's count added to the cell that
 * covers it — the banded form of the same latencies (`sketchOfCellCounts` of the result). O(buckets).
 */
export function cellCountsOfSketch(bands: BaselineSketchBands, sketch: LatencySketchJson): Float64Array {
  const cells = bands.cellFirst.length;
  const counts = new Float64Array(cells + 1);
  counts[0] = sketch.zeroCount;
  let j = 0;
  sketch.counts.forEach((count, position) => {
    if (count === 0) return;
    const bucket = sketch.offset + position;
    while (bucket > bands.cellLast[j]) j++;
    counts[j + 1] += count;
  });
  return counts;
}

/** Bands by world, baseline stage and quantiles read (check interval, minimum duration and requests, accuracy). */
const bandsByWorld = new WeakMap<World, Map<string, BaselineSketchBands>>();

/**
 * The quantiles `compiled`'s ratio rules read of the historical reference (p50, p95, p99 for
 * latencyP50, latencyP95, latencyP99), ascending; empty when none does.
 */
export function referencedQuantiles(compiled: CompiledPolicy): number[] {
  const quantiles = new Set<number>();
  for (const stage of compiled.stages)
    for (const rule of stage.rules) {
      const level = latencyLevels[rule.metric];
      if (rule.type === 'ratio' && level !== undefined) quantiles.add(level);
    }
  return [...quantiles].sort((a, b) => a - b);
}

/**
 * The banded sketches' bands of `compiled`'s baseline stage in `world` (module comment), exact for
 * the quantiles its ratio rules read (`referencedQuantiles`: a percentile no rule reads is not made
 * exact, which saves a quarter to a half of the draws when p99 is not read), memoised per world,
 * baseline stage and quantiles: the settings of a sweep share them. Null when the policy has no
 * baseline stage or reads no latency reference.
 */
export function baselineSketchBands(world: World, compiled: CompiledPolicy, relativeAccuracy = 0.01): BaselineSketchBands | null {
  const stage = compiled.stages.find((candidate) => candidate.kind === 'baseline');
  const quantiles = referencedQuantiles(compiled);
  if (stage === undefined || quantiles.length === 0) return null;
  let memo = bandsByWorld.get(world);
  if (memo === undefined) {
    memo = new Map();
    bandsByWorld.set(world, memo);
  }
  const key = `${stage.checkInterval}|${stage.minDuration}|${stage.baselineMinRequests}|${relativeAccuracy}|${quantiles.join(',')}`;
  let bands = memo.get(key);
  if (bands === undefined) {
    bands = sketchBands({
      windows: baselineSketchWindows(world, stage),
      latency: world.controlLatency,
      minimumRequests: stage.baselineMinRequests,
      fixedCounts: world.scenario.traffic.arrivals.kind === 'replay',
      relativeAccuracy,
      quantiles,
    });
    memo.set(key, bands);
  }
  return bands;
}
