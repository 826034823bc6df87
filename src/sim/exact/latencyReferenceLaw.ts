/**
 * The law of the historical baseline's LATENCY references — the pooled p50/p95/p99 the ratio
 * rules compare with (`totalsMetric(state.baseline, metric)`: the quantile of the baseline
 * windows' merged sketches, src/engine/controller/armTotals.ts) — as the exact evaluator's
 * baseline law (baselineLaw.ts) splits its nodes by them.
 *
 * Each metric's marginal law is `pooledQuantileLaw` (pooledQuantileLaw.ts): atoms on sketch
 * buckets, value = the number the engine reads. The atoms whose mass is negligible (the smallest,
 * together at most `negligibleAtoms`) are dropped into `neglected`.
 *
 * Dependence. The references are not independent of one another, nor of the baseline's error
 * and timeout rates: all read the same requests. Given the baseline's request count N the
 * latencies are i.i.d. (each request's window drawn in proportion to Λ_w, then its latency from
 * that window's law), so the pooled count at or below a bucket edge is A | N ~ Bin(N, ū), ū =
 * Σ_w Λ_w F(γ^i/m_w)/Σ_w Λ_w, and the windowed mode draws the errors and timeouts of a window
 * independently of its latencies given its count (src/sim/windowsOrderStatistics.ts, module
 * comment: "Timeouts and the latency percentiles are drawn independently"; the four Poisson
 * classes of `poissonArm` carry no latency) — so given N the rates and the references are
 * independent, but through N they are not: the rates' and the percentiles' conditional laws both
 * move with N (a lattice effect of ~1e-3 a count at a day's volume). And two percentiles of one
 * pooled sample are dependent given N too (the same counts: their correlation is
 * √(q₁(1 − q₂)/(q₂(1 − q₁))) ≈ 0.23 for p50 and p95). Hence:
 * - a metric whose law keeps ONE atom (its other atoms dropped, `spread` false): its reference is
 *   that atom's value with weight 1, and the whole mass D = P(reference ≠ that value) ≤ the
 *   dropped atoms + the law's neglected goes to `neglected`. Rigorous whatever the dependence:
 *   for any outcome g(ref, …) in [0, 1], |E g(ref, …) − E g(atom, …)| = |E[(g(ref, …) −
 *   g(atom, …))·1{ref ≠ atom}]| ≤ D.
 * - ONE spread metric (several atoms kept): its atoms are the combinations; its dependence on the
 *   rates is handled by the caller, which weights each (rate cell, atom) by its exact joint
 *   probability Σ_N P(N)·P(rate cell | N)·P(atom | N) (`jointCellAtomWeights`).
 * - TWO spread metrics (`spread` and `paired`): their joint law given N is the multinomial of the
 *   pooled counts at or below each one's bucket edges, a one-dimensional sum per N
 *   (`pairAtMost`); with the rate, `jointPairWeights` weights each (rate cell, atom, atom).
 * - A THIRD spread metric is read at its most likely bucket, as a metric with one atom is, and the
 *   mass of its other buckets D goes to `neglected` — the same bound — with a note saying so
 *   (`notes`): the evaluator then answers within that mass, or refuses for numerical tolerance
 *   naming it, never silently. `readAtMostLikely` does the same to a spread metric the caller
 *   cannot weight jointly with its rates (ratio rules on both the error and the timeout rate; a
 *   rate and the latency both varying across the baseline's windows).
 */
import type { HealthMetric } from '../../engine/policy/policy.ts';
import { latencyLevels } from '../../engine/policy/policy.ts';
import { incompleteBeta, logGamma } from '../../engine/stats/distributions.ts';
import type { LatencyModel } from '../latencyModel.ts';
import { ExactUnsupportedError } from './checkLaw.ts';
import type { CountLaw } from './countRange.ts';
import { BoundaryWalker, largestCountWithin } from './jointBaselineRates.ts';
import { bucketUpperEdge } from './latencyLimitLaw.ts';
import type { BaselineWindowLatency, PooledQuantileAtom } from './pooledQuantileLaw.ts';
import { pooledQuantileLaw } from './pooledQuantileLaw.ts';

/** The percentile level of each latency metric. */

/**
 * Total mass of a metric's smallest atoms dropped into `neglected` (module comment): each kept
 * atom is a column of the evaluator's chain per rate node, so an atom of 1e-12 would cost as
 * much as the main one.
 */
export const negligibleAtoms = 1e-9;

/** The joint law of the latency references, as the baseline law splits its nodes by it (module comment). */
export interface LatencyReferenceLaw {
  /** The references of the metrics with one atom: their values. */
  fixed: Partial<Record<HealthMetric, number>>;
  /**
   * The spread metric (several atoms kept), if any, with its kept atoms ascending by bucket and
   * `offMostLikely`, the mass of its law off its most likely bucket (what `readAtMostLikely` neglects).
   */
  spread: { metric: HealthMetric; level: number; atoms: PooledQuantileAtom[]; offMostLikely: number } | null;
  /** A second spread metric, weighted jointly with `spread` (module comment); null when there is none. */
  paired: LatencyReferenceLaw['spread'];
  /**
   * Why mass is neglected beyond the sums' truncation, one sentence each (empty: nothing but
   * truncation): a spread reference read at its most likely bucket (module comment).
   */
  notes: string[];
  /**
   * Mass left out: for each metric the dropped atoms and its law's neglected mass (for a metric
   * with one atom that also bounds its dependence on everything else, module comment).
   */
  neglected: number;
}

/**
 * The latency references' law for `metrics` (latency percentiles) over the baseline's `windows`
 * and the control's latency law: one `pooledQuantileLaw` per metric, then the module comment's
 * classification. Cost: the pooled laws' (pooledQuantileLaw.ts), O(atoms) after.
 */
export function latencyReferenceLaw(
  metrics: readonly HealthMetric[],
  windows: readonly BaselineWindowLatency[],
  latency: LatencyModel,
  tolerance: number,
): LatencyReferenceLaw {
  const fixed: Partial<Record<HealthMetric, number>> = {};
  const spread: NonNullable<LatencyReferenceLaw['spread']>[] = [];
  let neglected = 0;
  for (const metric of metrics) {
    const level = latencyLevels[metric];
    if (level === undefined) throw new RangeError(`metric must be a latency percentile, got ${metric}`);
    const law = pooledQuantileLaw(level, windows, latency, tolerance);
    // Drop the smallest atoms while their total stays within negligibleAtoms.
    const bySize = [...law.atoms].sort((a, b) => a.probability - b.probability);
    let dropped = 0;
    let count = 0;
    while (count < bySize.length - 1 && dropped + bySize[count].probability <= negligibleAtoms) dropped += bySize[count++].probability;
    const kept = bySize.slice(count).sort((a, b) => a.bucket - b.bucket);
    neglected += law.neglected + dropped;
    if (kept.length === 0)
      throw new ExactUnsupportedError(['historical latency reference'], `the pooled ${metric} of the baseline has no atom`);
    if (kept.length === 1) fixed[metric] = kept[0].value;
    else if (kept.some((atom) => !Number.isFinite(atom.bucket)))
      throw new ExactUnsupportedError(
        ['historical latency reference spread between the zero bucket and others'],
        `the pooled ${metric} of the baseline may read 0 (latencies of 0 ms outnumbering its rank) or a bucket: not split by atoms here`,
      );
    else {
      const mostLikely = kept.reduce((best, atom) => (atom.probability > best.probability ? atom : best));
      spread.push({ metric, level, atoms: kept, offMostLikely: 1 - mostLikely.probability });
    }
  }
  // The two most spread metrics stay spread; a third is read at its most likely bucket.
  spread.sort((a, b) => b.offMostLikely - a.offMostLikely);
  let law: LatencyReferenceLaw = { fixed, spread: null, paired: null, neglected, notes: [] };
  for (const other of spread.slice(2))
    law = readAtMostLikely(
      { ...law, spread: other },
      `its joint law with the pooled ${spread[0].metric} and ${spread[1].metric} (also spread over several buckets, read from the same pooled counts) is not summed here`,
    );
  return { ...law, spread: spread[0] ?? null, paired: spread[1] ?? null };
}

/**
 * `law` with its spread metrics (`paired` and `spread`) read at their most likely bucket (module
 * comment): fixed values, the mass of their other buckets added to `neglected` and a note each
 * giving `reason`. O(atoms).
 */
export function readAtMostLikely(law: LatencyReferenceLaw, reason: string): LatencyReferenceLaw {
  const withoutPaired = law.paired === null ? law : readOneAtMostLikely({ ...law, spread: law.paired, paired: null }, reason);
  return readOneAtMostLikely({ ...withoutPaired, spread: law.spread, paired: null }, reason);
}

/** `law`'s `spread` metric read at its most likely bucket (`readAtMostLikely`); `paired` kept. */
function readOneAtMostLikely(law: LatencyReferenceLaw, reason: string): LatencyReferenceLaw {
  const spread = law.spread;
  if (spread === null) return law;
  const mostLikely = spread.atoms.reduce((best, atom) => (atom.probability > best.probability ? atom : best));
  return {
    fixed: { ...law.fixed, [spread.metric]: mostLikely.value },
    spread: null,
    paired: null,
    neglected: law.neglected + spread.offMostLikely,
    notes: [
      ...law.notes,
      `the historical ${spread.metric} reference (the pooled percentile, spread over ${spread.atoms.length} sketch buckets) is read at its most likely bucket, ${mostLikely.value.toFixed(2)} ms, and the other buckets' ${spread.offMostLikely.toExponential(2)} of probability neglected: ${reason}`,
    ],
  };
}

/** The next double below a positive finite x. */
function nextDown(x: number): number {
  const bits = new Float64Array([x]);
  const words = new BigInt64Array(bits.buffer);
  words[0] -= 1n;
  return bits[0];
}

/** Weights by (rate cell, atom) and the mass they leave out (`jointCellAtomWeights`). */
export interface CellAtomWeights {
  /** weights[j·atoms + i] = P(rate in cell j, reference on atom i). */
  weights: Float64Array;
  neglected: number;
}

/**
 * The pooled share of the baseline's values at or below bucket `edge`'s upper edge: the windows'
 * latency CDFs weighted by their expected requests, ū = Σ_w Λ_w F(γ^edge / m_w) / Σ_w Λ_w (given
 * the pooled count N, each value falls at or below the edge independently with this probability).
 * O(windows) per edge.
 */
function pooledShare(windows: readonly BaselineWindowLatency[], latency: LatencyModel): (edge: number) => number {
  let total = 0;
  for (const window of windows) total += window.expected;
  return (edge: number): number => {
    let below = 0;
    for (const window of windows) below += window.expected * latency.cdf(bucketUpperEdge(edge) / window.multiplier);
    return below / total;
  };
}

/** The bucket edges b − 1 and b of every atom b, each once, ascending: where P(reference ≤ edge | N) is read. */
function atomEdges(atoms: readonly PooledQuantileAtom[]): number[] {
  return [...new Set(atoms.flatMap((atom) => [atom.bucket - 1, atom.bucket]))].sort((a, b) => a - b);
}

/** The counts N ≥ 1 of the requests' law (N = 0 has no reference: the callers neglect its mass). */
function positiveCounts(requests: CountLaw): { first: number; last: number } {
  return { first: Math.max(requests.first, 1), last: requests.first + requests.pmf.length - 1 };
}

/**
 * One walker per edge share u of P(A ≤ ⌊q(N − 1)⌋ | N), A | N ~ Bin(N, u), from N = `first`
 * (null when u is 0 or 1: the probability is then certain, `atMost`).
 */
function edgeAtMostWalkers(level: number, shares: readonly number[], first: number, tolerance: number): (BoundaryWalker | null)[] {
  const rank = (n: number): number => Math.floor(level * (n - 1));
  return shares.map((u) => (u > 0 && u < 1 ? new BoundaryWalker(u, rank, first, tolerance) : null));
}

/** P(the pooled quantile is at or below the edge | N) from its walker (or its certain value). */
function atMost(walker: BoundaryWalker | null, u: number): number {
  return walker ? 1 - walker.cdf : u >= 1 ? 1 : 0;
}

/** One walker per cut of P(C/N < cut | N): C/N < cut ⟺ C/N ≤ the double below cut, the largest such count `largestCountWithin`'s. */
function rateCellWalkers(probability: number, cuts: readonly number[], first: number, tolerance: number): BoundaryWalker[] {
  return cuts.map((cut) => new BoundaryWalker(probability, (n) => largestCountWithin(n, cut > 0 ? nextDown(cut) : -1), first, tolerance));
}

/** The rate cells' masses given N from the cut walkers' CDFs (the last cell up to 1), into `into`. */
function fillCellMasses(rateWalkers: readonly BoundaryWalker[], into: Float64Array): void {
  let below = 0;
  for (let j = 0; j < into.length; j++) {
    const upTo = j < rateWalkers.length ? rateWalkers[j].cdf : 1;
    into[j] = Math.max(0, upTo - below);
    below = upTo;
  }
}

/**
 * The exact joint probabilities P(cut_j ≤ R < cut_{j+1}, reported bucket = atom i) of the
 * baseline's rate R = C/N (C ~ Bin(N, p) given N, as the controller divides) and one spread
 * latency reference, summed over N's law (module comment):
 *   w_ji = Σ_N P(N)·P(cut_j ≤ C/N < cut_{j+1} | N)·P(bucket = b_i | N),
 * P(bucket ≤ b | N) = P(A > q(N − 1)) with A | N ~ Bin(N, ū_b) — the engine's pooled sketch puts
 * its q-quantile at or below bucket b exactly when more than q(N − 1) values lie at or below γ^b
 * (src/engine/stats/latencySketch.ts `quantile`: the first bucket whose running count exceeds
 * the rank q·(n − 1)). `cuts` ascending (−∞ and +∞ implied at the ends: cells.length + 1 cells).
 * Each conditional probability is walked along N by the binomial recurrences of
 * jointBaselineRates.ts (`BoundaryWalker`), one walker per cut and per atom edge.
 * `neglected`: N's left-out mass, P(N = 0) (no reference), twice each walker's starting
 * truncation. Requires the requests' error (or timeout) and latency to be independent given N:
 * the caller checks that the rate or the latency law is the same in every baseline window.
 * Cost: O(|N's range| × (cuts + atoms)) recurrence steps and O(|N's range| × cells × atoms)
 * multiply-adds.
 */
export function jointCellAtomWeights(
  requests: CountLaw,
  rateProbability: number,
  cuts: readonly number[],
  level: number,
  atoms: readonly PooledQuantileAtom[],
  windows: readonly BaselineWindowLatency[],
  latency: LatencyModel,
  tolerance: number,
): CellAtomWeights {
  const cells = cuts.length + 1;
  const atomCount = atoms.length;
  const weights = new Float64Array(cells * atomCount);
  const { first, last } = positiveCounts(requests);
  let neglected = requests.neglected + (requests.first === 0 ? requests.pmf[0] : 0);
  // P(bucket ≤ edge | N) = 1 − P(A ≤ ⌊q(N − 1)⌋) at the atoms' edges.
  const edges = atomEdges(atoms);
  const shares = edges.map(pooledShare(windows, latency));
  const edgeWalkers = edgeAtMostWalkers(level, shares, first, tolerance);
  const rateWalkers = rateCellWalkers(rateProbability, cuts, first, tolerance);
  const walkers = [...edgeWalkers, ...rateWalkers];
  for (const walker of walkers) if (walker) neglected += 2 * walker.neglected;
  const edgeIndex = new Map(edges.map((edge, index) => [edge, index]));
  const atomEdgeIndices = atoms.map((atom) => [edgeIndex.get(atom.bucket) as number, edgeIndex.get(atom.bucket - 1) as number]);
  const edgeAtMost = new Float64Array(edges.length);
  const atomMass = new Float64Array(atomCount);
  const cellMass = new Float64Array(cells);
  for (let n = first; n <= last; n++) {
    if (n > first) for (const walker of walkers) walker?.step();
    const weight = requests.pmf[n - requests.first];
    if (weight === 0) continue;
    for (let e = 0; e < edges.length; e++) edgeAtMost[e] = atMost(edgeWalkers[e], shares[e]);
    for (let i = 0; i < atomCount; i++) {
      const [upper, lower] = atomEdgeIndices[i];
      atomMass[i] = Math.max(0, edgeAtMost[upper] - edgeAtMost[lower]);
    }
    fillCellMasses(rateWalkers, cellMass);
    for (let j = 0; j < cells; j++) {
      const row = weight * cellMass[j];
      if (row === 0) continue;
      for (let i = 0; i < atomCount; i++) weights[j * atomCount + i] += row * atomMass[i];
    }
  }
  return { weights, neglected };
}

/** ln b(k; n, p) by log-gamma (−∞ outside 0 … n). */
function logBinomialPmf(k: number, n: number, p: number): number {
  if (k < 0 || k > n) return -Infinity;
  if (p <= 0) return k === 0 ? 0 : -Infinity;
  if (p >= 1) return k === n ? 0 : -Infinity;
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/** Terms of `pairAtMost`'s sum between re-anchorings of its recurrences on log-gamma and the incomplete beta. */
const pairAnchorEvery = 256;

/** Relative size of the last term at which `pairAtMost` stops (its geometric tail bound, counted in `pairNeglected`). */
const pairTailBound = 1e-18;

/** The mass the last `pairAtMost` left out (a module variable, as healthCheckLaw.ts does for its inner loops). */
let pairNeglected = 0;

/**
 * P(bucket of the pooled qLow-quantile ≤ e, bucket of the pooled qHigh-quantile ≤ f | N = n) for
 * qLow < qHigh and edges with pooled shares x = ū_e < y = ū_f: the counts at or below γ^e, between
 * γ^e and γ^f, and above are Multinomial(n; x, y − x, 1 − y), so with A the first and B the second,
 *   P = Σ_{a > qLow(n − 1)} b(a; n, x)·P(Bin(n − a, y′) > qHigh(n − 1) − a),  y′ = (y − x)/(1 − x)
 * (the engine's test of each quantile, `running > q * (total − 1)`, on A and on A + B). Along a
 * the binomial term steps by its ratio and the tail T(a) = P(Bin(m, y′) ≥ t) (m = n − a,
 * t = ⌊qHigh(n − 1)⌋ + 1 − a) by T(a + 1) = T(a) + (1 − y′)·b(t − 1; m − 1, y′), whose pmf steps
 * by b(t − 2; m − 2)/b(t − 1; m − 1) = (t − 1)/((m − 1)·y′); both re-anchored every 256 terms
 * (log-gamma, `incompleteBeta`). The sum starts at the larger of the first passing a and 40 sd
 * below A's mean (the Chernoff bound exp(−n·D(a/n ‖ x)) of the part below it goes to
 * `pairNeglected`) and stops past A's mode once the geometric tail bound of the terms falls below
 * 1e-18 of the sum's scale (that bound goes to `pairNeglected` too). Cost O(√(n·x(1 − x))).
 */
function pairAtMost(n: number, x: number, y: number, qLow: number, qHigh: number): number {
  pairNeglected = 0;
  const firstPassing = Math.floor(qLow * (n - 1)) + 1;
  const highNeed = Math.floor(qHigh * (n - 1)) + 1;
  const yPrime = (y - x) / (1 - x);
  const sd = Math.sqrt(n * x * (1 - x));
  const lowest = Math.max(0, Math.floor(n * x - 40 * sd - 10));
  let a = Math.max(firstPassing, lowest);
  if (a > firstPassing && lowest > 0) {
    // Chernoff: P(A ≤ lowest − 1) ≤ exp(−n·D(k/n ‖ x)), k = lowest − 1 < nx.
    const k = (lowest - 1) / n;
    const divergence = (k > 0 ? k * Math.log(k / x) : 0) + (1 - k) * Math.log((1 - k) / (1 - x));
    pairNeglected += Math.exp(-n * divergence);
  }
  const odds = x / (1 - x);
  let sum = 0;
  let term = 0;
  let tail = 0;
  let beta = 0;
  for (let step = 0; a <= n; a++, step++) {
    const m = n - a;
    const t = highNeed - a;
    if (step % pairAnchorEvery === 0) {
      term = Math.exp(logBinomialPmf(a, n, x));
      tail = t <= 0 ? 1 : t > m ? 0 : incompleteBeta(yPrime, t, m - t + 1);
      beta = m >= 1 ? Math.exp(logBinomialPmf(t - 1, m - 1, yPrime)) : 0;
    }
    sum += term * tail;
    // Past the mode the terms fall geometrically: stop when what is left is negligible.
    const ratio = ((n - a) / (a + 1)) * odds;
    if (ratio < 1 && (term * ratio) / (1 - ratio) <= pairTailBound) {
      pairNeglected += (term * ratio) / (1 - ratio);
      break;
    }
    term *= ratio;
    if (t <= 0) tail = 1;
    else {
      tail = Math.min(1, tail + (1 - yPrime) * beta);
      beta = m - 1 >= 1 && t - 1 >= 1 ? (beta * (t - 1)) / ((m - 1) * yPrime) : 0;
    }
  }
  return sum;
}

/** Weights by (rate cell, first reference's atom, second's) and the mass they leave out (`jointPairWeights`). */
export interface PairWeights {
  /** weights[(j·firstAtoms + i)·secondAtoms + k] = P(rate in cell j, first on atom i, second on atom k). */
  weights: Float64Array;
  neglected: number;
}

/**
 * The exact joint probabilities of (rate cell, atom of one spread latency reference, atom of
 * another), summed over the baseline's request count N as `jointCellAtomWeights` (module
 * comment): given N the rate and the two pooled quantiles are independent, the two quantiles
 * jointly distributed through the same pooled counts —
 *   w = Σ_N P(N)·P(rate cell | N)·P(first on i, second on k | N),
 * the last by inclusion–exclusion from P(first ≤ e, second ≤ f | N) at the atoms' edges
 * (`pairAtMost` for the interior edges; at the lowest edge of a reference 0 and at its highest its
 * other reference's marginal walker — the mass outside a reference's kept atoms, already in its
 * `neglected`, may so land on its nearest kept atom, an error within that mass). `rate` null: one
 * cell (no random rate). Cost: O(|N's range| × interior edge pairs × √N) — about 0.1 s a pair at
 * 360,000 requests.
 */
export function jointPairWeights(
  requests: CountLaw,
  rate: { probability: number; cuts: readonly number[] } | null,
  references: readonly [NonNullable<LatencyReferenceLaw['spread']>, NonNullable<LatencyReferenceLaw['spread']>],
  windows: readonly BaselineWindowLatency[],
  latency: LatencyModel,
  tolerance: number,
): PairWeights {
  const [firstReference, secondReference] = references;
  const swapped = firstReference.level > secondReference.level;
  const [low, high] = swapped ? [secondReference, firstReference] : [firstReference, secondReference];
  const cuts = rate?.cuts ?? [];
  const cells = cuts.length + 1;
  const lowAtoms = low.atoms.length;
  const highAtoms = high.atoms.length;
  const joint = new Float64Array(cells * lowAtoms * highAtoms);
  const { first, last } = positiveCounts(requests);
  let neglected = requests.neglected + (requests.first === 0 ? requests.pmf[0] : 0);
  const share = pooledShare(windows, latency);
  const lowEdges = atomEdges(low.atoms);
  const highEdges = atomEdges(high.atoms);
  const lowShares = lowEdges.map(share);
  const highShares = highEdges.map(share);
  const lowWalkers = edgeAtMostWalkers(low.level, lowShares, first, tolerance);
  const highWalkers = edgeAtMostWalkers(high.level, highShares, first, tolerance);
  const rateWalkers = rate === null ? [] : rateCellWalkers(rate.probability, cuts, first, tolerance);
  const walkers = [...lowWalkers, ...highWalkers, ...rateWalkers];
  for (const walker of walkers) if (walker) neglected += 2 * walker.neglected;
  // G[e·|highEdges| + f] = P(low ≤ lowEdges[e], high ≤ highEdges[f] | N).
  const grid = new Float64Array(lowEdges.length * highEdges.length);
  const lowIndex = new Map(lowEdges.map((edge, index) => [edge, index]));
  const highIndex = new Map(highEdges.map((edge, index) => [edge, index]));
  const pairMass = new Float64Array(lowAtoms * highAtoms);
  const cellMass = new Float64Array(cells);
  const lastLow = lowEdges.length - 1;
  const lastHigh = highEdges.length - 1;
  for (let n = first; n <= last; n++) {
    if (n > first) for (const walker of walkers) walker?.step();
    const weight = requests.pmf[n - requests.first];
    if (weight === 0) continue;
    let pairLeft = 0;
    for (let e = 0; e <= lastLow; e++)
      for (let f = 0; f <= lastHigh; f++) {
        let value: number;
        if (e === 0 || f === 0) value = 0;
        else if (f === lastHigh) value = atMost(lowWalkers[e], lowShares[e]);
        else if (e === lastLow) value = atMost(highWalkers[f], highShares[f]);
        else if (lowShares[e] >= highShares[f]) value = atMost(highWalkers[f], highShares[f]);
        else {
          value = pairAtMost(n, lowShares[e], highShares[f], low.level, high.level);
          pairLeft += pairNeglected;
        }
        grid[e * highEdges.length + f] = value;
      }
    neglected += weight * pairLeft;
    for (let i = 0; i < lowAtoms; i++) {
      const e1 = lowIndex.get(low.atoms[i].bucket) as number;
      const e0 = lowIndex.get(low.atoms[i].bucket - 1) as number;
      for (let k = 0; k < highAtoms; k++) {
        const f1 = highIndex.get(high.atoms[k].bucket) as number;
        const f0 = highIndex.get(high.atoms[k].bucket - 1) as number;
        const width = highEdges.length;
        pairMass[i * highAtoms + k] = Math.max(
          0,
          grid[e1 * width + f1] - grid[e0 * width + f1] - grid[e1 * width + f0] + grid[e0 * width + f0],
        );
      }
    }
    fillCellMasses(rateWalkers, cellMass);
    for (let j = 0; j < cells; j++) {
      const row = weight * cellMass[j];
      if (row === 0) continue;
      const offset = j * lowAtoms * highAtoms;
      for (let p = 0; p < lowAtoms * highAtoms; p++) joint[offset + p] += row * pairMass[p];
    }
  }
  // Back to the callers' order of the two references.
  if (!swapped) return { weights: joint, neglected };
  const weights = new Float64Array(joint.length);
  for (let j = 0; j < cells; j++)
    for (let i = 0; i < lowAtoms; i++)
      for (let k = 0; k < highAtoms; k++) weights[(j * highAtoms + k) * lowAtoms + i] = joint[(j * lowAtoms + i) * highAtoms + k];
  return { weights, neglected };
}
