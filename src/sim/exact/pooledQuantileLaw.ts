/**
 * The exact law of the historical baseline's pooled latency percentile: the q-quantile the
 * engine reads from the sketch of ALL the baseline windows' control requests merged
 * (`LatencySketch.quantile`, src/engine/stats/latencySketch.ts).
 *
 * The sketch reads the representative 2γ^i/(γ + 1) of the bucket i holding the value of 0-based
 * rank r = q·(N − 1) among the N pooled values: the first bucket whose running count exceeds r,
 * in the engine's own floating point (`running > q * (total - 1)`, counts being exact integers).
 * So the reported bucket is ≤ i exactly when A_i > fl(q·(A_i + B_i − 1)), with A_i the number of
 * values ≤ the bucket's upper edge e_i = γ^i and B_i = N − A_i.
 *
 * Window w serves N_w ~ Poisson(Λ_w) control requests, independent across windows, with i.i.d.
 * latencies of CDF F(x/m_w) (base law F, the window's multiplier m_w). By Poisson thinning and
 * superposition (Kingman, "Poisson Processes", 1993, §2.2 and §5.1) A_i and B_i are INDEPENDENT
 * Poissons with means a_i = Σ_w Λ_w F(e_i/m_w) and b_i = Σ_w Λ_w (1 − F(e_i/m_w)). For fixed A
 * the condition is monotone in B (the rounded product is monotone), so it holds exactly for
 * B ≤ β(A), the largest such B (found with the predicate itself), and
 *   P(reported bucket ≤ i) = Σ_{A ≥ 1} Pois(A; a_i)·P(Poisson(b_i) ≤ β(A)).
 * A = 0 never passes, so N = 0 (an empty sketch: no quantile, the engine throws) is left out of
 * every bucket: its probability e^{−Λ} is part of `neglected`.
 *
 * The sum runs over Poisson(a_i)'s central range, from the mode outwards until the geometric
 * tail bound pmf·r/(1 − r) (r the ratio of successive terms, < 1 beyond the mode) falls below a
 * budget; that bound is the sum's truncation. The pmf is stepped by its ratio recurrence and
 * re-anchored every 1,024 steps on Loader's saddle-point form (`poissonPmf`, accurate to ~1e-13
 * relative at any mean, where exp(k ln μ − μ − ln k!) loses ~1e-8 at μ ~ 10⁷). β(A) grows by
 * ~(1 − q)/q per unit of A, so B's CDF is advanced by adding pmf terms, not recomputed: it is
 * computed once at the range's first β by summing its pmf towards the near tail (the same tail
 * bound), then stepped. Cost per bucket: O(√a_i·z) terms (z ≈ 8 for the budget) plus O(√b_i·z)
 * for the first CDF — ~4·10⁴ terms at the lab's 24 h baseline at 100 req/s (a ≈ 8·10⁶). Both
 * sides of the CDF are summed (`reportedSplit`), so a bucket's P(≤ i) near 1 is read from its
 * small complement.
 *
 * Measured 2026-12-05 (Node 20, CPU time, shared 2-core machine at load 6–8; tolerance 1e-12) on
 * the lab's default scenario's 24 h baseline (288 five-minute windows, daily cycle ±30%, lognormal
 * median 120 ms / p95 400 ms): at 100 req/s (Λ = 8.64·10⁶) p50, p95 and p99 are one atom each
 * (the neighbouring buckets hold < 1e-27; both sides' Chernoff bounds settle them), 0.2–0.3 ms
 * warm and ~1.3 ms for a process's first call; at 20 req/s (the lab's first visit) p50 is one
 * atom (0.1–0.3 ms), p95 one atom and p99 three (6e-7, 1 − 2e-6, 9e-7), summed: 0.5–6 ms warm,
 * 20–35 ms for the first summing call of a process (CPU time including the optimising
 * compiler's thread). At 100,000 req/s (Λ = 8.64·10⁹) every side is settled by its bound.
 *
 * The atoms are the buckets with P(≤ i) − P(≤ i − 1) > 0 found by scanning outwards from the
 * bucket where the pooled law's CDF Σ_w Λ_w F(x/m_w)/Λ crosses q, until the computed
 * S_{lo−1} ≈ P(≤ lo − 1) and U_hi ≈ P(N ≥ 1, reported > hi) are both ≤ tolerance/4. Each of S_i
 * and U_i is within ε_i of the truth (ε_i the truncations' bound: A's two tails — the terms are
 * ≤ the Poisson pmf — and the tail of B's first CDF, either side), so each atom's probability is
 * within ε_i + ε_{i−1} of the truth, and
 *   neglected = S_{lo−1} + U_hi + P(N = 0) + 2 Σ_{i = lo−1}^{hi} ε_i
 * bounds the total-variation distance between the atoms and the true law — rigorously up to
 * floating-point rounding: the pmf's ~1e-13 relative error on each side's value, and ~1e-15
 * absolute from B's CDF and upper tail stepped by 10⁴–10⁵ additions (measured: a U of 1e-190 by
 * its Chernoff bound summed as ≤ 5e-15). The atoms sum to 1 − neglected + 2Σε_i; each ε_i is at
 * most three truncations of tolerance/4,096, so 2Σε_i ≤ 0.0015·tolerance per bucket visited (a
 * few at a real baseline, ~500 at Λ = 5). A bucket whose side's Chernoff bound (`chernoffBound`)
 * is within tolerance/4,096 is not summed: that side is 0 within the bound, its ε_i — so at the
 * lab's 24 h baseline at 100 req/s, whose neighbouring buckets hold < 1e-27, nothing is summed.
 *
 * What `value` does not model, stated:
 * - The engine clamps the quantile to the sketch's [min, max]. This moves the value off rep(i)
 *   (within bucket i) exactly when the reported bucket is i and either the pooled minimum is above
 *   rep(i) or the maximum below it — disjoint events, each again a sum of the same form by thinning
 *   at rep(i) (`clampedMass`). `clamped` is their probability: ~0 at any real baseline size (it
 *   needs e^{−Λ·F(rep)} or e^{−Λ·(1 − F(rep))} to matter), 15% for a baseline of ~4 requests.
 *   The windowed mode's banded sketches carry min/max on bucket representatives and never clamp,
 *   so `clamped` is not part of `neglected`: a caller that models the per-request mode adds it.
 * - The bucket of x is ⌈ln x · (1/ln γ)⌉ in floating point: a value within ~1e-15 relative of an
 *   edge may fall on the other side (as in latencyLimitLaw.ts).
 * - Collapsed lowest buckets (more than maxBuckets = 2,048 between the smallest and largest
 *   value: a max/min ratio of ~10¹⁸ at α = 1%) are not modelled.
 * - A latency law with mass at 0 (an empirical law with repeated zeros) reports 0 when the zeros
 *   outnumber the rank: that atom has bucket −Infinity and value 0.
 *
 * Sketches at relative accuracy α = 1% (the simulators' and the engine's default).
 */
import { stirlingCorrection } from '../../engine/random/stirlingCorrection.ts';
import type { LatencyModel } from '../latencyModel.ts';
import { bucketRepresentative, bucketUpperEdge } from './latencyLimitLaw.ts';

/**
 * One baseline window as the laws of the historical latency references read it (this file and
 * latencyReferenceLaw.ts): its expected control requests and the control's latency multiplier.
 */
export interface BaselineWindowLatency {
  expected: number;
  multiplier: number;
}

/** One value the pooled percentile can take: the engine reads `value` when the quantile falls in `bucket`. */
export interface PooledQuantileAtom {
  /** The sketch bucket index i (values in (γ^{i−1}, γ^i]); −Infinity for the zero bucket. */
  bucket: number;
  /** What `LatencySketch.quantile` returns for that bucket (its representative 2γ^i/(γ + 1), bit for bit); 0 for the zero bucket. */
  value: number;
  probability: number;
}

/** The law of the pooled percentile: atoms ascending by bucket, and the mass they leave out. */
export interface PooledQuantileLaw {
  atoms: PooledQuantileAtom[];
  /**
   * A bound on the total-variation distance between `atoms` and the true law: the mass of the
   * buckets not kept, the sums' truncation (twice), and P(N = 0) — no baseline request, no quantile.
   */
  neglected: number;
  /**
   * The probability that the engine's clamp to the sketch's [min, max] moves the value off its
   * atom's, inside the atom's bucket (module comment; exact up to the sums' truncation, rounded
   * up); not included in `neglected`.
   */
  clamped: number;
}

const RELATIVE_ACCURACY = 0.01;
const LOG_GAMMA = Math.log((1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY));
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
/** Steps of a pmf recurrence between re-anchorings on `poissonPmf` (relative drift ≤ ~1e-13). */
const ANCHOR_EVERY = 1024;
/** Below this a pmf recurrence may run through subnormals: recomputed directly now and then. */
const TINY_PMF = 1e-200;
/** Most buckets the scan visits on each side before it stops (their mass then counts as neglected). */
const MAX_SCAN = 4096;

/**
 * Loader's deviance term bd0(x, M) = x ln(x/M) + M − x, by its series in v = (x − M)/(x + M)
 * near M so that it keeps relative precision (C. Loader, "Fast and accurate computation of
 * binomial probabilities", 2000; R's dpois_raw).
 */
function deviance(x: number, mean: number): number {
  if (Math.abs(x - mean) < 0.1 * (x + mean)) {
    const v = (x - mean) / (x + mean);
    const v2 = v * v;
    let sum = (x - mean) * v;
    let term = 2 * x * v;
    for (let j = 1; j < 1000; j++) {
      term *= v2;
      const next = sum + term / (2 * j + 1);
      if (next === sum) return next;
      sum = next;
    }
    return sum;
  }
  return x * Math.log(x / mean) + mean - x;
}

/**
 * P(Poisson(mean) = k) for an integer k ≥ 0, mean > 0, to ~1e-13 relative at any mean:
 * ln P = −bd0(k + 1, μ) + ln((k + 1)/μ) − ½ ln(2π(k + 1)) − fc(k), with fc the Stirling remainder
 * of ln k! written at k + 1 (`stirlingCorrection`), so no two huge logarithms are subtracted.
 */
export function poissonPmf(k: number, mean: number): number {
  if (k === 0) return Math.exp(-mean);
  const x = k + 1;
  return Math.exp(-deviance(x, mean) + Math.log(x / mean) - HALF_LOG_TWO_PI - 0.5 * Math.log(x) - stirlingCorrection(k));
}

/** Whether the engine's rank test passes with A values at or below the edge and B above: A > fl(q·(A + B − 1)). */
function rankPasses(q: number, atOrBelow: number, above: number): boolean {
  return atOrBelow > q * (atOrBelow + above - 1);
}

/** β(A): the largest B with `rankPasses(q, A, B)`, for A ≥ 1 (B = 0 always passes). */
function largestAbove(q: number, atOrBelow: number): number {
  let above = Math.max(0, Math.ceil(atOrBelow / q - atOrBelow + 1) - 1);
  while (above > 0 && !rankPasses(q, atOrBelow, above)) above--;
  while (rankPasses(q, atOrBelow, above + 1)) above++;
  return above;
}

/**
 * P(Poisson(mean) ≤ k) and P(Poisson(mean) > k), the smaller side summed from k towards its tail
 * (the other its complement), with the truncation bound of that sum.
 */
function poissonSplitSummed(k: number, mean: number, tail: number): { atMost: number; above: number; truncated: number } {
  const at = poissonPmf(k, mean);
  if (k < mean) {
    // Downwards: P(j − 1)/P(j) = j/μ < 1, falling; the rest after a term t at ratio r is ≤ t·r/(1 − r).
    let sum = at;
    let term = at;
    let truncated = 0;
    for (let j = k; j > 0; j--) {
      term *= j / mean;
      sum += term;
      const ratio = (j - 1) / mean;
      const rest = (term * ratio) / (1 - ratio);
      if (rest < tail) {
        truncated = rest;
        break;
      }
    }
    return { atMost: sum, above: 1 - sum, truncated };
  }
  // Upwards: P(j + 1)/P(j) = μ/(j + 1) < 1 beyond the mean.
  let upper = 0;
  let term = at;
  for (let j = k; ; j++) {
    term *= mean / (j + 1);
    upper += term;
    const ratio = mean / (j + 2);
    const rest = (term * ratio) / (1 - ratio);
    if (rest < tail || term === 0) return { atMost: 1 - upper, above: upper, truncated: rest };
  }
}

/**
 * A Chernoff bound (Chernoff, Ann. Math. Stat. 23, 1952) on one side of the rank test, for
 * X = (1 − q)A − qB with A ~ Poisson(a), B ~ Poisson(b) independent, whose log-MGF is
 * K(t) = a(e^{t(1−q)} − 1) + b(e^{−tq} − 1). The bucket ≤ i is reported when A > fl(q(A + B − 1)),
 * which implies X ≥ −1 (q plus the product's rounding, ≤ 2⁻⁵²·q(N − 1), is below 1 for
 * N < 2⁵¹); above it when A ≤ fl(q(A + B − 1)), which implies X ≤ 1. So
 *   side +1: P(reported ≤ i) ≤ P(X ≥ −1) ≤ exp(K(t) + t), t > 0;
 *   side −1: P(N ≥ 1, reported > i) ≤ P(X ≤ 1) ≤ exp(K(t) − t), t < 0.
 * Any such t gives a valid bound; t starts at the normal approximation's and takes a few Newton
 * steps on the convex exponent, the smallest value seen kept. 1 when the mean is on the wrong side. O(1).
 */
function chernoffBound(q: number, a: number, b: number, side: 1 | -1): number {
  const mean = (1 - q) * a - q * b;
  const shift = side; // the exponent is K(t) + side·t
  if (side * (mean + side) >= 0) return 1;
  const variance = (1 - q) * (1 - q) * a + q * q * b;
  let t = -(mean + side) / variance;
  let best = Infinity;
  for (let step = 0; step < 8; step++) {
    const up = a * Math.exp(t * (1 - q));
    const down = b * Math.exp(-t * q);
    const exponent = up - a + down - b + shift * t;
    if (exponent < best) best = exponent;
    const slope = (1 - q) * up - q * down + shift;
    const curvature = (1 - q) * (1 - q) * up + q * q * down;
    const next = t - slope / curvature;
    // Stay on the bound's side of 0 (t > 0 for side +1, t < 0 for side −1).
    t = side * next > 0 ? next : t / 2;
  }
  return Math.min(1, Math.exp(best));
}

/** Both sides of the reported bucket's CDF at an edge (`reportedSplit`). */
interface ReportedSplit {
  /** S: P(reported bucket ≤ i) within `truncated`. */
  atMost: number;
  /** U: P(N ≥ 1 and reported bucket > i) within `truncated`. */
  above: number;
  /** The bound on what the truncations (or a Chernoff bound taken for a side) leave out. */
  truncated: number;
}

/**
 * S = Σ_{A ≥ 1} Pois(A; a)·P(Poisson(b) ≤ β(A)) and U = Σ_{A ≥ 0} Pois(A; a)·P(Poisson(b) > β(A))
 * (β(0) = 0: with no value at or below the edge, any value reports above it) over Poisson(a)'s
 * central range, with the bound on what the truncations leave out. Both sides are summed — each
 * with B's CDF or upper tail stepped by the same pmf terms, in compensated (Kahan) sums — so
 * that the smaller keeps its precision: a CDF of 1 − 1e-13 read from S would carry the pmf's
 * ~1e-13 relative error and the rounding of 10⁵ additions. `tail`: each truncation's budget.
 */
function reportedSplit(q: number, a: number, b: number, tail: number): ReportedSplit {
  if (!(a > 0)) return { atMost: 0, above: -Math.expm1(-b), truncated: 0 };
  if (!(b > 0)) return { atMost: -Math.expm1(-a), above: 0, truncated: 0 };
  // A side whose Chernoff bound is within budget needs no sum: it is 0 within that bound.
  const reported = -Math.expm1(-(a + b));
  const below = chernoffBound(q, a, b, 1);
  if (below <= tail) return { atMost: 0, above: reported, truncated: below };
  const over = chernoffBound(q, a, b, -1);
  if (over <= tail) return { atMost: reported, above: 0, truncated: over };
  // The range's first A: down from the mode until the geometric bound on the lower tail is within budget.
  const mode = Math.max(1, Math.floor(a));
  let first = mode;
  let truncated = 0;
  let term = poissonPmf(first, a);
  while (first > 1) {
    const ratio = first / a; // P(first − 1)/P(first)
    if (ratio < 1) {
      const rest = (term * ratio) / (1 - ratio);
      if (rest < tail) {
        truncated += rest;
        break;
      }
    }
    term *= ratio;
    first--;
  }
  let pmf = poissonPmf(first, a);
  let beta = largestAbove(q, first);
  const start = poissonSplitSummed(beta, b, tail);
  let atMostB = start.atMost;
  let aboveB = start.above;
  truncated += start.truncated;
  let pmfB = poissonPmf(beta, b);
  let stepsB = 0;
  let atMost = 0;
  let atMostCarry = 0;
  // A = 0 (inside the range only when the walk reached A = 1 untruncated): above whenever N ≥ 1.
  let above = first === 1 ? Math.exp(-a) * -Math.expm1(-b) : 0;
  let aboveCarry = 0;
  for (let count = first, steps = 0; ; ) {
    // Kahan summation of pmf·P(B ≤ β) and pmf·P(B > β).
    const low = pmf * atMostB - atMostCarry;
    const lowSum = atMost + low;
    atMostCarry = lowSum - atMost - low;
    atMost = lowSum;
    const high = pmf * aboveB - aboveCarry;
    const highSum = above + high;
    aboveCarry = highSum - above - high;
    above = highSum;
    const ratio = a / (count + 1);
    if (ratio < 1) {
      const rest = (pmf * ratio) / (1 - ratio);
      if (rest < tail) {
        truncated += rest;
        break;
      }
    }
    count++;
    if (++steps === ANCHOR_EVERY) {
      steps = 0;
      pmf = poissonPmf(count, a);
    } else pmf *= ratio;
    while (rankPasses(q, count, beta + 1)) {
      beta++;
      if (++stepsB === ANCHOR_EVERY) {
        stepsB = 0;
        pmfB = poissonPmf(beta, b);
      } else {
        const tiny = pmfB < TINY_PMF;
        pmfB *= b / beta;
        // Far in B's tail the recurrence may have run through subnormals and lost its digits:
        // recomputed every 16 steps there (the terms are < 1e-200: nothing to add meanwhile) and
        // on the way out (in 16 steps a term grows by less than e²⁴⁸ from below 1e-308, so the
        // way out is seen in time).
        if (tiny && (pmfB >= TINY_PMF || (stepsB & 15) === 0)) pmfB = poissonPmf(beta, b);
      }
      atMostB += pmfB;
      aboveB -= pmfB;
    }
  }
  return { atMost, above: Math.max(0, above), truncated };
}

/** The pooled count means at an upper edge: a = Σ Λ_g F(edge/m_g), b = Σ Λ_g (1 − F(edge/m_g)). */
function pooledMeans(edge: number, expected: Float64Array, multipliers: Float64Array, latency: LatencyModel): [number, number] {
  let a = 0;
  let b = 0;
  for (let g = 0; g < expected.length; g++) {
    const level = Math.min(1, Math.max(0, latency.cdf(edge / multipliers[g])));
    a += expected[g] * level;
    b += expected[g] * (1 - level);
  }
  return [a, b];
}

/** One bucket edge: the pooled means at or below it and above it, and the reported bucket's CDF there. */
interface Edge extends ReportedSplit {
  a: number;
  b: number;
}

/** The zero bucket's edge for a law without mass at 0: nothing at or below it. */
function noZeros(total: number): Edge {
  return { atMost: 0, above: -Math.expm1(-total), truncated: 0, a: 0, b: total };
}

/**
 * P(the reported bucket is i and the engine's clamp to [min, max] moves the value off rep(i)),
 * an upper bound exact up to the sums' truncation (module comment). The two ways are disjoint:
 * - below: no value ≤ rep(i) (probability e^{−a′}, a′ the pooled mean at rep(i)) and the bucket
 *   ≤ i reported — A, the values in (rep(i), e_i], against B_i: e^{−a′}·S(a_i − a′, b_i);
 * - above: no value > rep(i) (e^{−b′}) and some value, but the bucket ≤ i − 1 not reported —
 *   A_{i−1} against the values in (e_{i−1}, rep(i)]: e^{−b′}·U(a_{i−1}, a′ − a_{i−1}).
 * (S and U as in `reportedSplit`, each rounded up by its truncation.)
 * A factor below `tail` is taken as the bound itself, without its sum.
 */
function clampedMass(
  q: number,
  value: number,
  previous: { a: number },
  current: { a: number; b: number },
  expected: Float64Array,
  multipliers: Float64Array,
  latency: LatencyModel,
  tail: number,
): number {
  const [atOrBelow, above] = pooledMeans(value, expected, multipliers, latency);
  let mass = 0;
  const none = Math.exp(-atOrBelow);
  if (none > tail) {
    const reported = reportedSplit(q, Math.max(0, current.a - atOrBelow), current.b, tail);
    mass += none * (reported.atMost + reported.truncated);
  } else mass += none;
  const noneAbove = Math.exp(-above);
  if (noneAbove > tail) {
    const lower = reportedSplit(q, previous.a, Math.max(0, atOrBelow - previous.a), tail);
    mass += noneAbove * (lower.above + lower.truncated);
  } else mass += noneAbove;
  return mass;
}

/**
 * The exact law of the q-quantile the engine reads from the pooled sketch of the baseline windows'
 * control requests (module comment): `windows` give each window's expected requests and latency
 * multiplier, `latency` the control's base law, `tolerance` the mass the scan may leave on each
 * side (each side ≤ tolerance/4; each sum's truncation ≤ 3·tolerance/4,096). 0 < q < 1.
 * Cost: O(√Λ) per bucket visited (a few buckets) plus O(distinct multipliers) CDF evaluations
 * per bucket; ~1–4 ms at a 24 h baseline of 100 req/s (module comment).
 */
export function pooledQuantileLaw(
  q: number,
  windows: readonly BaselineWindowLatency[],
  latency: LatencyModel,
  tolerance: number,
): PooledQuantileLaw {
  if (!(q > 0 && q < 1)) throw new RangeError(`q must be strictly between 0 and 1, got ${q}`);
  if (!(tolerance > 0 && tolerance < 1)) throw new RangeError(`tolerance must be between 0 and 1, got ${tolerance}`);
  if (!Array.isArray(windows)) throw new RangeError('windows must be an array of { expected, multiplier }');
  // Windows of one multiplier pool into one Poisson: group them.
  const byMultiplier = new Map<number, number>();
  windows.forEach((window, w) => {
    const { expected, multiplier } = window;
    if (!(expected >= 0 && expected < Infinity))
      throw new RangeError(`windows[${w}].expected must be a finite number ≥ 0, got ${expected}`);
    if (!(multiplier > 0 && multiplier < Infinity))
      throw new RangeError(`windows[${w}].multiplier must be a finite number > 0, got ${multiplier}`);
    if (expected > 0) byMultiplier.set(multiplier, (byMultiplier.get(multiplier) ?? 0) + expected);
  });
  const multipliers = Float64Array.from(byMultiplier.keys());
  const expected = Float64Array.from(byMultiplier.values());
  let total = 0;
  for (let g = 0; g < expected.length; g++) total += expected[g];
  if (total === 0) return { atoms: [], neglected: 1, clamped: 0 };
  const empty = Math.exp(-total);
  const reported = -Math.expm1(-total); // P(N ≥ 1): the mass the buckets share
  const side = tolerance / 4;
  const tail = tolerance / 4096;

  const means = (index: number): [number, number] => pooledMeans(bucketUpperEdge(index, RELATIVE_ACCURACY), expected, multipliers, latency);
  const computed = new Map<number, Edge>();
  const atEdge = (index: number): Edge => {
    let entry = computed.get(index);
    if (entry === undefined) {
      const [a, b] = index === -Infinity ? pooledMeans(0, expected, multipliers, latency) : means(index);
      entry = { ...reportedSplit(q, a, b, tail), a, b };
      computed.set(index, entry);
    }
    return entry;
  };
  // P(lower edge < reported bucket ≤ upper edge), from the sides that are small (`reportedSplit`).
  const between = (lower: Edge, upper: Edge): number => {
    if (upper.atMost <= 0.5) return upper.atMost - lower.atMost;
    if (lower.above <= 0.5) return lower.above - upper.above;
    return reported - upper.above - lower.atMost;
  };

  // The bucket where the pooled law's CDF crosses q: a guess at the Λ-weighted geometric mean
  // multiplier, then stepped until CDF(edge(i − 1)) < q ≤ CDF(edge(i)).
  let logMultiplier = 0;
  for (let g = 0; g < expected.length; g++) logMultiplier += (expected[g] / total) * Math.log(multipliers[g]);
  const guess = Math.ceil((logMultiplier + Math.log(latency.quantile(q))) / LOG_GAMMA);
  let centre = Number.isFinite(guess) ? guess : 0;
  const pooledCdf = (index: number) => means(index)[0] / total;
  for (let steps = 0; steps < MAX_SCAN && pooledCdf(centre) < q; steps++) centre++;
  for (let steps = 0; steps < MAX_SCAN && pooledCdf(centre - 1) >= q; steps++) centre--;

  // The zero bucket (a law with mass at 0): reported 0 when the zeros exceed the rank.
  const zero: Edge = pooledMeans(0, expected, multipliers, latency)[0] > 0 ? atEdge(-Infinity) : noZeros(total);
  let low = centre;
  for (let steps = 0; steps < MAX_SCAN && atEdge(low - 1).atMost - zero.atMost > side; steps++) low--;
  let high = centre;
  for (let steps = 0; steps < MAX_SCAN && atEdge(high).above > side; steps++) high++;

  const atoms: PooledQuantileAtom[] = [];
  let truncated = zero.truncated;
  let clamped = 0;
  if (zero.atMost > 0) atoms.push({ bucket: -Infinity, value: 0, probability: zero.atMost });
  let previous = atEdge(low - 1);
  truncated += previous.truncated;
  for (let index = low; index <= high; index++) {
    const current = atEdge(index);
    truncated += current.truncated;
    const probability = between(previous, current);
    if (probability > 0) {
      const value = bucketRepresentative(index, RELATIVE_ACCURACY);
      atoms.push({ bucket: index, value, probability });
      clamped += Math.min(probability, clampedMass(q, value, previous, current, expected, multipliers, latency, tail));
    }
    previous = current;
  }
  const below = Math.max(0, between(zero, atEdge(low - 1)));
  return { atoms, neglected: below + atEdge(high).above + empty + 2 * truncated, clamped };
}
