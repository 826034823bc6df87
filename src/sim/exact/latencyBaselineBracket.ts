/**
 * A bracket for the historical baseline's latency reference. The baseline's p50/p95/p99 are the
 * request-weighted MEANS of its windows' reported percentiles (src/engine/controller/armTotals.ts:
 * L = Σ n_w q_w / Σ n_w over the baseline windows with n_w > 0 control requests, q_w the window's
 * reported percentile, a sketch bucket representative), whose law has no tractable exact form.
 * Two brackets [a, c] with P(L < a) + P(L > c) ≤ ε are computed and the tighter is returned:
 *
 * 1. Union bound (`unionBoundBracket`). A weighted mean lies between the smallest and the largest
 *    of the values it averages: if every window's reported percentile lies in buckets [lo, hi] —
 *    which fails with probability at most ε by a union bound over the windows — L lies in
 *    [rep(lo), rep(hi)]. Per window (n ~ Poisson(Λ), the rank k = ⌊q(n − 1)⌋ + 1, the control's
 *    latency law F with its multiplier m), P(reported > rep(hi)) = P(U₍ₖ₎ > F(γ^hi/m)) =
 *    P(Bin(n, u) ≤ k − 1), bounded by Chernoff's exp(−n·D((k − 1)/n ‖ u)) with D the Bernoulli
 *    Kullback–Leibler divergence (Hoeffding, JASA 58, 1963, eq. 2.1), summed over n's central range
 *    plus the range's tail mass; the lower side likewise. Tight for a baseline of one or two
 *    windows; several buckets wide for a day of windows, whose mean is ~√windows times tighter.
 *
 * 2. Chernoff on the weighted mean (`chernoffBracket`). For any b and t > 0,
 *      P(L ≥ b) = P(Σ_w n_w (q_w − b) ≥ 0) ≤ Π_w E[exp(t·n_w (q_w − b))]
 *    (Markov's inequality on exp(t·S); Chernoff, Ann. Math. Stat. 23, 1952), the windows being
 *    independent (Poisson arrivals in disjoint windows, each window's latencies independent); the
 *    lower side with t < 0. Each factor is a finite sum over the window's count n and reported
 *    bucket I, restricted to an event G_w = {n in Poisson(Λ)'s central range, lo ≤ I ≤ hi} whose
 *    complement's probability is bounded (the Poisson tail, and the union bound's KL tails above)
 *    and added: P(L ≥ b) ≤ Π_w E[e^{tS_w} 1{G_w}] + Σ_w P(G_wᶜ). The bucket law given n is exact:
 *    P(I ≤ i | n) = P(U₍ₖ₎ ≤ F(γ^i/m)) = P(Bin(n, u) ≥ k) (latencyLimitLaw.ts), swept over n by
 *    the recurrences P(Bin(n + 1, u) ≥ k) = P(Bin(n, u) ≥ k) + u·b(k − 1; n, u) and
 *    P(Bin(n, u) ≥ k + 1) = P(Bin(n, u) ≥ k) − b(k; n, u), re-anchored on the incomplete beta
 *    every 512 counts (within 1.3e-11 of `orderStatisticAtMost` at n ~ 6,000 — the incomplete
 *    beta's own error there — measured in the test). To keep each factor to a few hundred terms,
 *    the counts are cut in blocks of ~2%/c of Λ (c ≈ t·n·sd(q) ≈ √(2 ln(1/ε)/windows)) and each
 *    count's mass is split between its block's two ends in the proportions that keep its mean:
 *    e^{s·n} ≤ ((e₂ − n)·e^{s·e₁} + (n − e₁)·e^{s·e₂})/(e₂ − e₁) for n in [e₁, e₂] (the chord of a
 *    convex function), so the factor is bounded by a sum over these atoms, rigorously and loose
 *    only at second order in t·(block width)·(rep − b). The log of the product is then convex in t
 *    (a sum of log-sum-exps of affine functions): t starts at the normal approximation
 *    t* = −E[S]/Var(S) (the exact per-window moments) and takes safeguarded Newton steps (its two
 *    derivatives are the tilted mean and variance, summed in the same pass); whatever t is
 *    reached, the bound is evaluated exactly for it (log-sum-exp per window). The ends a and c are
 *    found by secant steps on √(−ln bound), nearly linear in b, each side given half of ε less
 *    the excluded mass; a final relative widening of 1e-12 covers the controller's floating-point
 *    sums (288 additions: ~3e-14 relative).
 *
 * The health check's fail probability is monotone in the reference (a larger reference raises a
 * ratio rule's limit), so the chain's check is bracketed between its values at the two ends:
 * healthCheckLaw.ts reports the midpoint and adds half the width, with ε, to `neglected`. A ratio
 * rule `reported > ratio × L` is a step function of L with steps at rep_j / ratio only: when the
 * bracket holds no step, both ends give the same bucket limit and the width costs nothing.
 *
 * The law of the reported bucket given n does not depend on the window's expected arrivals: the
 * windows sharing a latency multiplier (all of a day's, without faults) share one sweep per bucket
 * edge and one KL tail bound per count and edge (`CountGrid`), and each window adds only its
 * Poisson weights.
 *
 * Cost, measured 2026-12-04 on the lab's 24 h baseline (288 distinct windows of 4,400–7,800
 * requests, one multiplier) in CPU time on the shared 2-core machine (load average 5–7, so
 * perhaps half that when quiet): the whole bracket 33 ms (p50), 40 ms (p95), 59 ms (p99), of which
 * the tables (the windows' atoms: windows × ~1,200 counts × 15–30 buckets) 23–41 ms and each
 * evaluation of the product 0.1–0.3 ms; the union bound alone 8–11 ms (26–62 ms before the shared
 * grid). Identical windows are computed once; baselineLaw.ts memoises each bracket by its key
 * (metric, control latency law, windows) across scenarios.
 */
import type { HealthMetric } from '../../engine/policy/policy.ts';
import { logGamma } from '../../engine/stats/distributions.ts';
import type { LatencyModel } from '../latencyModel.ts';
import { sketchRank } from '../windowsOrderStatistics.ts';
import type { CountLaw } from './countRange.ts';
import { poissonLaw } from './countRange.ts';
import { bucketRepresentative, bucketUpperEdge, largestIndexWithin, orderStatisticAtMost } from './latencyLimitLaw.ts';

const percentileOf: Partial<Record<HealthMetric, number>> = { latencyP50: 0.5, latencyP95: 0.95, latencyP99: 0.99 };

const logGammaRatio = Math.log(1.01 / 0.99);

/** The percentile level of a latency metric; throws for another metric. */
function levelOf(metric: HealthMetric): number {
  const q = percentileOf[metric];
  if (q === undefined) throw new RangeError(`metric must be a latency percentile, got ${metric}`);
  return q;
}

/** x·ln x, 0 at 0. */
function xLogX(x: number): number {
  return x === 0 ? 0 : x * Math.log(x);
}

/** One baseline window as the bracket reads it: its expected arrivals and the control's latency multiplier. */
export interface BaselineWindowLatency {
  expected: number;
  multiplier: number;
}

/** A bracket [low, high] of the baseline's reference and the probability `spent` that it misses. */
export interface LatencyBracket {
  low: number;
  high: number;
  spent: number;
}

/**
 * The per-count laws of the windows that share a latency multiplier: the law of the reported
 * bucket given n does not depend on the window's expected arrivals, so a day of windows of one
 * multiplier shares one sweep per bucket edge and one tail bound per count and edge, over the
 * union of their count ranges [from, to] (from ≥ 1), each computed on first use:
 * - `atMost(e)`: P(I ≤ e | n), swept over n (`sweepOrderStatisticAtMost`);
 * - `above(e)` ≥ P(I > e | n) and `below(e)` ≥ P(I ≤ e − 1 | n), by Chernoff's bound on the
 *   binomial (module comment, 1): P(Bin(n, u) ≤ k − 1) ≤ exp(−n·D((k − 1)/n ‖ u)) when
 *   (k − 1)/n < u, and P(Bin(n, v) ≥ k) ≤ exp(−n·D(k/n ‖ v)) when k/n > v, with
 *   D(a ‖ p) = a ln a + (1 − a) ln(1 − a) − a ln p − (1 − a) ln(1 − p), its first two terms per
 *   n computed once; capped at 1.
 * A window's tail bound at an edge is then a dot product with its Poisson weights.
 */
class CountGrid {
  readonly from: number;
  readonly size: number;
  private readonly steps: SweepSteps;
  private readonly aboveLevel: Float64Array;
  private readonly aboveEntropy: Float64Array;
  private readonly belowLevel: Float64Array;
  private readonly belowEntropy: Float64Array;
  private readonly sweeps = new Map<number, Float64Array>();
  private readonly aboveBounds = new Map<number, Float64Array>();
  private readonly belowBounds = new Map<number, Float64Array>();

  constructor(
    private readonly q: number,
    private readonly multiplier: number,
    private readonly latency: LatencyModel,
    from: number,
    to: number,
  ) {
    this.from = from;
    this.size = Math.max(0, to - from + 1);
    this.steps = sweepSteps(q, from, this.size);
    this.aboveLevel = new Float64Array(this.size);
    this.aboveEntropy = new Float64Array(this.size);
    this.belowLevel = new Float64Array(this.size);
    this.belowEntropy = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) {
      const n = from + i;
      const k = sketchRank(q, n);
      const a = (k - 1) / n;
      this.aboveLevel[i] = a;
      this.aboveEntropy[i] = n * (xLogX(a) + xLogX(1 - a));
      const c = k / n;
      this.belowLevel[i] = c;
      this.belowEntropy[i] = n * (xLogX(c) + xLogX(1 - c));
    }
  }

  /** u = F(γ^e/m): the uniform level of bucket edge e. */
  private level(edge: number): number {
    return this.latency.cdf(bucketUpperEdge(edge) / this.multiplier);
  }

  /** P(I ≤ edge | n) for n = from … to. */
  atMost(edge: number): Float64Array {
    let out = this.sweeps.get(edge);
    if (!out) {
      out = new Float64Array(this.size);
      if (this.size > 0) sweepOrderStatisticAtMost(this.q, this.level(edge), this.from, out, this.steps);
      this.sweeps.set(edge, out);
    }
    return out;
  }

  /** The Chernoff bound, capped at 1, per n at level p; `side` +1: lower binomial tail below (k − 1), −1: upper tail from k. */
  private chernoff(p: number, level: Float64Array, entropy: Float64Array, side: 1 | -1): Float64Array {
    const out = new Float64Array(this.size).fill(1);
    if (side === 1 ? p >= 1 : p <= 0) return out.fill(0);
    if (side === 1 ? p <= 0 : p >= 1) return out;
    const logP = Math.log(p);
    const logQ = Math.log1p(-p);
    for (let i = 0; i < this.size; i++) {
      const n = this.from + i;
      const a = level[i];
      if (side * (a - p) < 0) out[i] = Math.min(1, Math.exp(-(entropy[i] - n * a * logP - n * (1 - a) * logQ)));
    }
    return out;
  }

  /** Per n, a bound on P(I > edge | n). */
  above(edge: number): Float64Array {
    let out = this.aboveBounds.get(edge);
    if (!out) {
      out = this.chernoff(this.level(edge), this.aboveLevel, this.aboveEntropy, 1);
      this.aboveBounds.set(edge, out);
    }
    return out;
  }

  /** Per n, a bound on P(I ≤ edge − 1 | n). */
  below(edge: number): Float64Array {
    let out = this.belowBounds.get(edge);
    if (!out) {
      out = this.chernoff(this.level(edge - 1), this.belowLevel, this.belowEntropy, -1);
      this.belowBounds.set(edge, out);
    }
    return out;
  }
}

/** Σ over the law's counts n ≥ 1 of P(n)·values[n − grid.from]. */
function weighted(law: CountLaw, grid: CountGrid, values: Float64Array): number {
  let sum = 0;
  const first = Math.max(1, law.first);
  const last = law.first + law.pmf.length - 1;
  for (let n = first; n <= last; n++) sum += law.pmf[n - law.first] * values[n - grid.from];
  return sum;
}

/** The bucket index around which the window's reported percentile lies. */
function centreBucket(q: number, window: BaselineWindowLatency, latency: LatencyModel): number {
  return Math.ceil(Math.log(window.multiplier * latency.quantile(q)) / logGammaRatio);
}

/**
 * A first guess of how many buckets from the centre a tail of `tail` starts: the normal
 * approximation of the order statistic's log, sd ≈ √(q(1 − q)/Λ)/(x·f(x)) (David & Nagaraja §10.2),
 * x·f(x) by a central difference of F in log x. Only a starting point: the searches check
 * the bound itself (`nearestValid`), so a poor guess costs time, not validity.
 */
function tailGuess(q: number, window: BaselineWindowLatency, latency: LatencyModel, tail: number): number {
  const x = latency.quantile(q);
  const h = 0.01;
  const density = (latency.cdf(x * Math.exp(h)) - latency.cdf(x * Math.exp(-h))) / (2 * h);
  const sd = Math.sqrt((q * (1 - q)) / Math.max(1, window.expected)) / density / logGammaRatio;
  const offset = Math.ceil(Math.sqrt(2 * Math.log(1 / tail)) * sd) + 1;
  return Number.isFinite(offset) ? Math.min(offset, 4096) : 0;
}

/**
 * The index nearest `from` on the side `direction` (+1: the smallest index ≥ centre, −1: the
 * largest ≤ centre) whose `bound` is ≤ `limit`, assuming the bound falls away from the centre:
 * starts at `start` and steps inwards while the inner neighbour is still valid, outwards while
 * the current one is not. Returns the index and its bound.
 */
function nearestValid(centre: number, start: number, direction: 1 | -1, bound: (index: number) => number, limit: number): [number, number] {
  let index = start;
  let value = bound(index);
  while (value > limit) value = bound((index += direction));
  while (direction * (index - centre) > 0) {
    const inner = bound(index - direction);
    if (inner > limit) break;
    index -= direction;
    value = inner;
  }
  return [index, value];
}

/** One distinct baseline window with its count law, its multiplier's count grid, bucket tail bounds and centre bucket. */
interface PreparedWindow {
  window: BaselineWindowLatency;
  /** How many baseline windows it stands for. */
  multiplicity: number;
  law: CountLaw;
  grid: CountGrid;
  /** `above(b)` ≥ P(I > b), `below(b)` ≥ P(I ≤ b − 1), over the law's counts n ≥ 1. */
  tails: { above: (b: number) => number; below: (b: number) => number };
  centre: number;
}

/**
 * The distinct windows of `windows` (by expected arrivals and multiplier), n's range leaving out
 * ≤ `delta` each, with one count grid per multiplier over the union of its windows' ranges.
 */
function prepareWindows(q: number, windows: readonly BaselineWindowLatency[], latency: LatencyModel, delta: number): PreparedWindow[] {
  const byKey = new Map<string, { window: BaselineWindowLatency; multiplicity: number; law: CountLaw }>();
  for (const window of windows) {
    const key = `${window.expected}|${window.multiplier}`;
    const found = byKey.get(key);
    if (found) found.multiplicity++;
    else byKey.set(key, { window, multiplicity: 1, law: poissonLaw(window.expected, delta) });
  }
  const distinct = [...byKey.values()];
  const ranges = new Map<number, [number, number]>();
  for (const { window, law } of distinct) {
    const range = ranges.get(window.multiplier) ?? [Infinity, -Infinity];
    range[0] = Math.min(range[0], Math.max(1, law.first));
    range[1] = Math.max(range[1], law.first + law.pmf.length - 1);
    ranges.set(window.multiplier, range);
  }
  const grids = new Map<number, CountGrid>();
  for (const [multiplier, [from, to]] of ranges) grids.set(multiplier, new CountGrid(q, multiplier, latency, from, Math.max(from - 1, to)));
  return distinct.map(({ window, multiplicity, law }) => {
    const grid = grids.get(window.multiplier) as CountGrid;
    return {
      window,
      multiplicity,
      law,
      grid,
      tails: { above: (b: number) => weighted(law, grid, grid.above(b)), below: (b: number) => weighted(law, grid, grid.below(b)) },
      centre: centreBucket(q, window, latency),
    };
  });
}

/**
 * The union-bound bracket from prepared windows (`count` windows in all); null as soon as it is
 * known to be at least `widerThan` wide (the bracket only widens as windows are added).
 */
function unionFromPrepared(
  q: number,
  prepared: readonly PreparedWindow[],
  latency: LatencyModel,
  epsilon: number,
  count: number,
  widerThan = Infinity,
): LatencyBracket | null {
  const perSide = epsilon / (2 * Math.max(1, count));
  let lowIndex = Infinity;
  let highIndex = -Infinity;
  let spent = 0;
  for (const { window, multiplicity, law, tails, centre } of prepared) {
    if (bucketRepresentative(highIndex) - bucketRepresentative(lowIndex) >= widerThan) return null;
    // P(reported > rep(b)) bound, and P(reported < rep(b)) = P(index ≤ b − 1) bound, each with n's left-out mass.
    const offset = tailGuess(q, window, latency, perSide);
    const [high, highBound] = nearestValid(centre, centre + offset, 1, (b) => law.neglected + tails.above(b), perSide);
    const [low, lowBound] = nearestValid(centre, centre - offset, -1, (b) => law.neglected + tails.below(b), perSide);
    lowIndex = Math.min(lowIndex, low);
    highIndex = Math.max(highIndex, high);
    spent += multiplicity * (highBound + lowBound);
  }
  return { low: bucketRepresentative(lowIndex), high: bucketRepresentative(highIndex), spent };
}

/** The tolerance of each window's excluded tails (its count's and its bucket's, each side) for a bracket at ε. */
function windowTolerance(epsilon: number, count: number): number {
  return epsilon / (64 * Math.max(1, count));
}

/**
 * The union-bound bracket (module comment, 1): the bucket range [lo, hi] holding the reported
 * percentile of every window except with probability ≤ `epsilon`, as [rep(lo), rep(hi)].
 * Cost: O(distinct windows × √Λ × a few bucket edges).
 */
export function unionBoundBracket(
  metric: HealthMetric,
  windows: readonly BaselineWindowLatency[],
  latency: LatencyModel,
  epsilon: number,
): LatencyBracket {
  const q = levelOf(metric);
  const prepared = prepareWindows(q, windows, latency, windowTolerance(epsilon, windows.length));
  return unionFromPrepared(q, prepared, latency, epsilon, windows.length) as LatencyBracket;
}

/** ln b(j; n, u), the binomial log-probability (0 < u < 1, 0 ≤ j ≤ n). */
function logBinomialPmf(j: number, n: number, u: number): number {
  return logGamma(n + 1) - logGamma(j + 1) - logGamma(n - j + 1) + j * Math.log(u) + (n - j) * Math.log1p(-u);
}

/** Counts between re-anchoring the sweep's recurrences on the incomplete beta. */
const anchorEvery = 512;

/**
 * The u-free factors of the sweep's recurrences for n = from … from + count − 1 (from ≥ 1): going
 * from n − 1 to n, b(k − 1; n, u) = b(k − 1; n − 1, u)·grow[i]·(1 − u) with grow = n/(n + 1 − k),
 * then, when the rank steps to k + 1, b(k; n, u) = b(k − 1; n, u)·split[i]·u/(1 − u) with
 * split = (n − k + 1)/k (0 when the rank stays). Shared by every bucket edge of a window.
 */
export interface SweepSteps {
  q: number;
  from: number;
  grow: Float64Array;
  split: Float64Array;
}

/** The sweep's factors for level q over `count` counts from `from` (≥ 1). O(count). */
export function sweepSteps(q: number, from: number, count: number): SweepSteps {
  const grow = new Float64Array(count);
  const split = new Float64Array(count);
  for (let i = 1; i < count; i++) {
    const n = from + i;
    const k = sketchRank(q, n - 1);
    grow[i] = n / (n + 1 - k);
    split[i] = sketchRank(q, n) === k + 1 ? (n - k + 1) / k : 0;
  }
  return { q, from, grow, split };
}

/**
 * P(U₍ₖ₍ₙ₎₎ ≤ u) = P(Bin(n, u) ≥ k(n)), k(n) = ⌊q(n − 1)⌋ + 1, for n = from … from + out.length − 1
 * (from ≥ 1), written into `out` by the recurrences of the module comment, re-anchored on the
 * incomplete beta every `anchorEvery` counts. O(out.length).
 */
export function sweepOrderStatisticAtMost(
  q: number,
  u: number,
  from: number,
  out: Float64Array,
  steps: SweepSteps = sweepSteps(q, from, out.length),
): void {
  const count = out.length;
  if (u <= 0 || u >= 1) {
    out.fill(u <= 0 ? 0 : 1);
    return;
  }
  const odds = u / (1 - u);
  const stay = 1 - u;
  const { grow, split } = steps;
  let atMost = 0;
  // b(k − 1; n, u) for the current n and its rank k.
  let previousPmf = 0;
  for (let i = 0; i < count; i++) {
    if (i % anchorEvery === 0) {
      const n = from + i;
      const k = sketchRank(q, n);
      atMost = orderStatisticAtMost(n, k, u);
      previousPmf = Math.exp(logBinomialPmf(k - 1, n, u));
    } else {
      // P(Bin(n, u) ≥ k) = P(Bin(n − 1, u) ≥ k) + u·b(k − 1; n − 1, u); P(≥ k + 1) = P(≥ k) − b(k; n, u).
      atMost += u * previousPmf;
      previousPmf *= grow[i] * stay;
      const factor = split[i];
      if (factor > 0) {
        previousPmf *= factor * odds;
        atMost -= previousPmf;
      }
    }
    out[i] = Math.min(1, Math.max(0, atMost));
  }
}

/**
 * One distinct baseline window's factor E[e^{t·n(q − b)} 1{G}] bounded as a sum over atoms
 * (module comment, 2): each count's mass is split between the two ends of its block in the
 * proportions that keep its mean (the chord of the convex n ↦ e^{s·n}), so the factor is bounded
 * by Σ_atoms w·e^{t·end·(rep − b)}; with the exact moments the normal approximation of t reads.
 */
interface WindowTable {
  /** How many baseline windows share this table. */
  multiplicity: number;
  /** P(n = 0) within the range: such a window adds nothing (its factor's term is 1). */
  zeroMass: number;
  /** Per atom: ln of its mass, its count (a block end) and its bucket representative. */
  logMass: Float64Array;
  ends: Float64Array;
  values: Float64Array;
  /** P(G_wᶜ) bound: n outside the range, or the bucket outside [lo, hi]. */
  excluded: number;
  /** Σ over the atoms of w·n, w·n·r, w·n², w·n²·r, w·n²·r² (module comment: the normal approximation's moments). */
  moments: Float64Array;
}

/** Reusable work arrays of `windowTable`, grown as needed. */
class TableScratch {
  private arrays = new Map<string, Float64Array>();
  /** A zeroed array of at least `size` entries named `name`. */
  take(name: string, size: number): Float64Array {
    let array = this.arrays.get(name);
    if (!array || array.length < size) {
      array = new Float64Array(Math.max(size, 2 * (array?.length ?? 0)));
      this.arrays.set(name, array);
    } else array.fill(0, 0, size);
    return array;
  }
}

/** The table of one prepared window (`delta`: the tolerance of each of its bucket tails; `blockFraction`: the blocks' width as a share of Λ). */
function windowTable(
  q: number,
  prepared: PreparedWindow,
  latency: LatencyModel,
  delta: number,
  blockFraction: number,
  scratch: TableScratch,
): WindowTable {
  const { window, law, tails, centre } = prepared;
  const offset = tailGuess(q, window, latency, delta);
  const [hi, aboveMass] = nearestValid(centre, centre + offset, 1, tails.above, delta);
  const [lo, belowMass] = nearestValid(centre, centre - offset, -1, tails.below, delta);
  const buckets = hi - lo + 1;
  const firstCount = Math.max(1, law.first);
  const lastCount = law.first + law.pmf.length - 1;
  const zeroMass = law.first === 0 ? law.pmf[0] : 0;
  const counts = Math.max(0, lastCount - firstCount + 1);
  // Block ends firstCount, firstCount + width, …, lastCount; count n in [end_k, end_k+1] gives
  // (end_k+1 − n)/(end_k+1 − end_k) of its mass to end_k and the rest to end_k+1.
  const width = Math.max(1, Math.floor(blockFraction * window.expected));
  const endCount = counts === 0 ? 0 : Math.ceil((counts - 1) / width) + 1;
  const ends = new Float64Array(endCount);
  for (let e = 0; e < endCount; e++) ends[e] = Math.min(lastCount, firstCount + e * width);
  // Per count: its probability, the block end to its left and the share of its mass that end takes
  // (the last count, itself an end, gives everything to it through a padding row never read).
  const probability = scratch.take('probability', counts);
  const leftEnd = scratch.take('leftEnd', counts);
  const leftShare = scratch.take('leftShare', counts);
  for (let i = 0; i < counts; i++) {
    const n = firstCount + i;
    probability[i] = law.pmf[n - law.first];
    const left = Math.min(endCount - 1, Math.floor(i / width));
    leftEnd[i] = left;
    leftShare[i] = left === endCount - 1 ? 1 : (ends[left + 1] - n) / (ends[left + 1] - ends[left]);
  }
  const mass = new Float64Array((endCount + 1) * buckets);
  // Edges lo − 1 … hi: P(I ≤ edge | n) from the multiplier's grid, two at a time.
  const grid = prepared.grid;
  const offsetInGrid = firstCount - grid.from;
  let previous = counts > 0 ? grid.atMost(lo - 1) : new Float64Array(0);
  for (let j = 0; j < buckets && counts > 0; j++) {
    const current = grid.atMost(lo + j);
    for (let i = 0; i < counts; i++) {
      const inBucket = current[i + offsetInGrid] - previous[i + offsetInGrid];
      if (!(inBucket > 0)) continue;
      const w = probability[i] * inBucket;
      const cell = leftEnd[i] * buckets + j;
      const share = leftShare[i];
      mass[cell] += w * share;
      mass[cell + buckets] += w * (1 - share);
    }
    previous = current;
  }
  let atoms = 0;
  for (let cell = 0; cell < endCount * buckets; cell++) if (mass[cell] > 0) atoms++;
  const logMass = new Float64Array(atoms);
  const atomEnds = new Float64Array(atoms);
  const values = new Float64Array(atoms);
  let atom = 0;
  for (let e = 0; e < endCount; e++)
    for (let j = 0; j < buckets; j++) {
      const cell = e * buckets + j;
      if (!(mass[cell] > 0)) continue;
      logMass[atom] = Math.log(mass[cell]);
      atomEnds[atom] = ends[e];
      values[atom] = bucketRepresentative(lo + j);
      atom++;
    }
  // The moments of the atoms: E[n], E[n·r] exact (the split keeps each count's mean), E[n²·…]
  // slightly above (the split spreads n); they only choose t and the search's first step.
  const moments = new Float64Array(5);
  for (let a = 0; a < atoms; a++) {
    const w = Math.exp(logMass[a]);
    const n = atomEnds[a];
    const r = values[a];
    moments[0] += w * n;
    moments[1] += w * n * r;
    moments[2] += w * n * n;
    moments[3] += w * n * n * r;
    moments[4] += w * n * n * r * r;
  }
  return {
    multiplicity: prepared.multiplicity,
    zeroMass,
    logMass,
    ends: atomEnds,
    values,
    excluded: law.neglected + aboveMass + belowMass,
    moments,
  };
}

/**
 * The Chernoff tail bounds of the weighted mean L for one metric and baseline (module comment,
 * 2): `logProduct(t, b)` = ln Π_w E[e^{t·n_w(q_w − b)} 1{G_w}] (an upper bound on it, from the
 * blocks), `excluded` = Σ_w P(G_wᶜ) bound, and the normal approximation's mean and sd of L.
 */
export interface WeightedMeanTails {
  mean: number;
  sd: number;
  excluded: number;
  logProduct(t: number, b: number): number;
  /** The t of the normal approximation for the tail at b (positive above the mean). */
  normalT(b: number): number;
  /** An upper bound on P(L ≥ b) (b above the mean) or on P(L ≤ b) (below), with the excluded mass. */
  tailBound(b: number): number;
  /** ln of the product at the best t found for b (module comment: normal t, then parabola steps). */
  bestLogProduct(b: number): number;
}

/**
 * The weighted mean's tail bounds for `metric` over `windows` (each window's tails left out up to
 * `delta`; counts grouped in blocks of `blockFraction` × Λ). Cost: the tables, O(distinct windows
 * × edges × √Λ); each `logProduct` O(distinct windows × blocks × buckets).
 */
export function weightedMeanTails(
  metric: HealthMetric,
  windows: readonly BaselineWindowLatency[],
  latency: LatencyModel,
  delta: number,
  blockFraction: number,
  prepared?: readonly PreparedWindow[],
): WeightedMeanTails {
  const q = levelOf(metric);
  const work = new TableScratch();
  const tables = (prepared ?? prepareWindows(q, windows, latency, delta)).map((window) =>
    windowTable(q, window, latency, delta, blockFraction, work),
  );
  let excluded = 0;
  const sums = new Float64Array(5);
  for (const table of tables) {
    excluded += table.multiplicity * table.excluded;
    for (let m = 0; m < 5; m++) sums[m] += table.multiplicity * table.moments[m];
  }
  const mean = sums[1] / sums[0];
  // Var(S(b)) = Σ_w Var(n(r − b)) with each window's own moments.
  const variance = (b: number): number => {
    let total = 0;
    for (const table of tables) {
      const [en, enr, en2, en2r, en2r2] = table.moments;
      const second = en2r2 - 2 * b * en2r + b * b * en2;
      const first = enr - b * en;
      total += table.multiplicity * Math.max(0, second - first * first);
    }
    return total;
  };
  const sd = Math.sqrt(variance(mean)) / sums[0];
  let scratch = new Float64Array(64);
  /** A window's log-terms ln P(atom) + t·end·(value − b) into `scratch`; returns their largest (with the zero atom's), −∞ when none. */
  const tiltedTerms = (table: (typeof tables)[number], t: number, b: number): number => {
    const atoms = table.logMass.length;
    if (scratch.length < atoms) scratch = new Float64Array(atoms);
    let largest = table.zeroMass > 0 ? Math.log(table.zeroMass) : -Infinity;
    for (let atom = 0; atom < atoms; atom++) {
      const term = table.logMass[atom] + t * table.ends[atom] * (table.values[atom] - b);
      scratch[atom] = term;
      if (term > largest) largest = term;
    }
    return largest;
  };
  const logProduct = (t: number, b: number): number => {
    let total = 0;
    for (const table of tables) {
      const atoms = table.logMass.length;
      const largest = tiltedTerms(table, t, b);
      if (largest === -Infinity) continue;
      let sum = table.zeroMass > 0 ? table.zeroMass * Math.exp(-largest) : 0;
      for (let atom = 0; atom < atoms; atom++) sum += Math.exp(scratch[atom] - largest);
      total += table.multiplicity * (largest + Math.log(sum));
    }
    return total;
  };
  const normalT = (b: number): number => {
    let first = 0;
    for (const table of tables) first += table.multiplicity * (table.moments[1] - b * table.moments[0]);
    return -first / variance(b);
  };
  /** ln of the product at t with its first two derivatives in t (the tilted mean and variance of S). */
  const withDerivatives = (t: number, b: number): [number, number, number] => {
    let value = 0;
    let first = 0;
    let second = 0;
    for (const table of tables) {
      const atoms = table.logMass.length;
      const largest = tiltedTerms(table, t, b);
      if (largest === -Infinity) continue;
      let sum = table.zeroMass > 0 ? table.zeroMass * Math.exp(-largest) : 0;
      let sum1 = 0;
      let sum2 = 0;
      for (let atom = 0; atom < atoms; atom++) {
        const weight = Math.exp(scratch[atom] - largest);
        const slope = table.ends[atom] * (table.values[atom] - b);
        sum += weight;
        sum1 += weight * slope;
        sum2 += weight * slope * slope;
      }
      const mean = sum1 / sum;
      value += table.multiplicity * (largest + Math.log(sum));
      first += table.multiplicity * mean;
      second += table.multiplicity * Math.max(0, sum2 / sum - mean * mean);
    }
    return [value, first, second];
  };
  const bestLogProduct = (b: number): number => {
    const t0 = normalT(b);
    if (!(Number.isFinite(t0) && t0 !== 0)) return 0;
    // The log of the product is convex in t (a sum over windows of log Σ_atoms e^{affine in t}):
    // safeguarded Newton from the normal t, within [0, ∞) on t0's side, bisecting when a step
    // leaves the bracket of the derivative's sign change. Any t gives a valid bound: the smallest
    // value seen is kept.
    const side = Math.sign(t0);
    let low = 0;
    let high = Infinity;
    let t = t0;
    let best = 0;
    for (let step = 0; step < 30; step++) {
      const [value, first, second] = withDerivatives(t, b);
      if (value < best) best = value;
      // In the variable τ = side·t the derivative is side·first; the minimum lies where it is 0.
      const slope = side * first;
      if (slope > 0) high = Math.min(high, side * t);
      else low = Math.max(low, side * t);
      let next = side * t - slope / second;
      if (!(second > 0) || !(next > low && next < high)) next = high === Infinity ? 2 * Math.max(side * t, low) : (low + high) / 2;
      if (Math.abs(next - side * t) <= 1e-6 * Math.abs(t)) break;
      t = side * next;
    }
    return best;
  };
  const tailBound = (b: number): number => Math.min(1, Math.exp(bestLogProduct(b)) + excluded);
  return { mean, sd, excluded, logProduct, normalT, tailBound, bestLogProduct };
}

/**
 * The end of the Chernoff bracket on one side (`side` +1: the smallest c found with
 * ln bound(c) ≤ ln `target`; −1: the largest a), by secant steps on √(−ln bound), and the bound
 * there. Returns ±Infinity (bound 0 spent) when no end is found in 64 steps.
 */
function bracketEnd(tails: WeightedMeanTails, side: 1 | -1, target: number): { end: number; bound: number } {
  const goal = Math.sqrt(-Math.log(target));
  const scale = tails.sd > 0 ? tails.sd : Math.abs(tails.mean) * 1e-6;
  // y(b) = √(−ln bound(b)) ≈ |b − mean|/sd: secant from (mean, 0).
  let previous = tails.mean;
  let previousY = 0;
  let current = tails.mean + side * scale * goal * Math.SQRT2;
  let best = side * Infinity;
  let bestLog = 0;
  for (let step = 0; step < 64; step++) {
    const log = tails.bestLogProduct(current);
    const y = Math.sqrt(Math.max(0, -log));
    const valid = log <= Math.log(target);
    if (valid && side * current < side * best) {
      best = current;
      bestLog = log;
    }
    if (valid && y - goal < 1e-4 * goal) break;
    const slope = (y - previousY) / (current - previous);
    let next = slope * side > 0 ? current + (goal - y) / slope : current + side * scale;
    // Never step back past the mean, nor more than 4 sds at once.
    if (side * (next - current) > 4 * scale) next = current + side * 4 * scale;
    if (side * (next - tails.mean) <= 0) next = (current + tails.mean) / 2;
    // Aim a hair outside the root so that the step lands on the valid side.
    if (y < goal) next += side * 1e-5 * scale;
    previous = current;
    previousY = y;
    current = next;
  }
  return { end: best, bound: Number.isFinite(best) ? Math.exp(bestLog) : 0 };
}

/** Relative widening of the ends for the controller's floating-point weighted sums. */
const roundingMargin = 1e-12;

/** The Chernoff bracket from prepared windows (`count` windows in all). */
function chernoffFromPrepared(
  metric: HealthMetric,
  prepared: readonly PreparedWindow[],
  latency: LatencyModel,
  epsilon: number,
  count: number,
): LatencyBracket {
  // t·n·sd(q) is about c = √(2 ln(1/ε)/windows): blocks of 2%/c of Λ keep the chord's loss small.
  const scale = Math.sqrt((2 * Math.log(1 / epsilon)) / Math.max(1, count));
  const tails = weightedMeanTails(metric, [], latency, windowTolerance(epsilon, count), 0.02 / Math.max(1, scale), prepared);
  if (!(Number.isFinite(tails.mean) && tails.sd >= 0)) return { low: -Infinity, high: Infinity, spent: 0 };
  const perSide = (epsilon - tails.excluded) / 2;
  if (!(perSide > 0)) return { low: -Infinity, high: Infinity, spent: 0 };
  const above = bracketEnd(tails, 1, perSide);
  const below = bracketEnd(tails, -1, perSide);
  return {
    low: below.end * (1 - roundingMargin),
    high: above.end * (1 + roundingMargin),
    spent: below.bound + above.bound + tails.excluded,
  };
}

/**
 * The Chernoff bracket of the weighted mean (module comment, 2): P(L < low) + P(L > high) ≤
 * `spent` ≤ `epsilon`. [−Infinity, Infinity] when the baseline has no latency to average.
 */
export function chernoffBracket(
  metric: HealthMetric,
  windows: readonly BaselineWindowLatency[],
  latency: LatencyModel,
  epsilon: number,
): LatencyBracket {
  const prepared = prepareWindows(levelOf(metric), windows, latency, windowTolerance(epsilon, windows.length));
  return chernoffFromPrepared(metric, prepared, latency, epsilon, windows.length);
}

/**
 * The bracket of the baseline's `metric` reference for the control's latency law `latency`
 * over `windows`: the tighter of the union-bound and the Chernoff brackets (module comment),
 * each missing with probability ≤ `epsilon`. The two share each distinct window's count law and
 * bucket tail bounds; the union bracket is abandoned as soon as it is wider than the Chernoff one.
 */
export function latencyBaselineBracket(
  metric: HealthMetric,
  windows: readonly BaselineWindowLatency[],
  latency: LatencyModel,
  epsilon: number,
): LatencyBracket {
  if (!(epsilon > 0 && epsilon < 1)) throw new RangeError(`epsilon must be between 0 and 1, got ${epsilon}`);
  const q = levelOf(metric);
  const prepared = prepareWindows(q, windows, latency, windowTolerance(epsilon, windows.length));
  const chernoff = chernoffFromPrepared(metric, prepared, latency, epsilon, windows.length);
  // The union bracket only where it can be the tighter (it holds every window's own bracket: a
  // single window's already wider than the Chernoff bracket settles it).
  const union = unionFromPrepared(q, prepared, latency, epsilon, windows.length, chernoff.high - chernoff.low);
  return union !== null && union.high - union.low <= chernoff.high - chernoff.low ? union : chernoff;
}

/** A step of a latency ratio rule that lies inside the historical reference's bracket (`ratioStepsInside`). */
export interface BracketStep {
  metric: HealthMetric;
  stage: string;
  maxRatio: number;
  /** The reference value at which the rule's verdict changes: the bucket representative crossed ÷ maxRatio. */
  at: number;
  bracket: readonly [number, number];
}

/**
 * The steps of the stages' latency ratio rules inside the references' brackets. A rule fails when
 * the window's reported bucket representative exceeds maxRatio × L, so its verdict changes with the
 * reference L only where maxRatio × L crosses a representative: at rep(j)/maxRatio. A bracket that
 * holds such a step leaves half the difference between the check at its two ends neglected
 * (healthCheckLaw.ts) — what the evaluator names when it refuses. O(rules).
 */
export function ratioStepsInside(
  stages: readonly { index: number; name: string; rules: readonly { type: string; metric: HealthMetric; maxRatio?: number }[] }[],
  brackets: Partial<Record<HealthMetric, readonly [number, number]>>,
): BracketStep[] {
  const steps: BracketStep[] = [];
  for (const stage of stages) {
    for (const rule of stage.rules) {
      const bracket = brackets[rule.metric];
      if (rule.type !== 'ratio' || bracket === undefined || rule.maxRatio === undefined) continue;
      const below = largestIndexWithin(rule.maxRatio * bracket[0]);
      if (largestIndexWithin(rule.maxRatio * bracket[1]) === below) continue;
      steps.push({
        metric: rule.metric,
        stage: `stage ${stage.index} '${stage.name}'`,
        maxRatio: rule.maxRatio,
        at: bucketRepresentative(below + 1) / rule.maxRatio,
        bracket,
      });
    }
  }
  return steps;
}
