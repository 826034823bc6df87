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
 * - TWO or more spread metrics: their joint law (the same pooled counts, given N a bivariate sum)
 *   is not summed here. The most spread one (the largest mass off its most likely bucket) stays
 *   spread; every other is read at its most likely bucket, as a metric with one atom is, and the
 *   mass of its other buckets D goes to `neglected` — the same bound — with a note saying so
 *   (`notes`): the evaluator then answers within that mass, or refuses for numerical tolerance
 *   naming it, never silently. `readAtMostLikely` does the same to the spread metric when the
 *   caller cannot weight it jointly with its rates (ratio rules on both the error and the timeout
 *   rate; a rate and the latency both varying across the baseline's windows).
 */
import type { HealthMetric } from '../../engine/policy/policy.ts';
import type { LatencyModel } from '../latencyModel.ts';
import { ExactUnsupportedError } from './checkLaw.ts';
import type { CountLaw } from './countRange.ts';
import { BoundaryWalker, largestCountWithin } from './jointBaselineRates.ts';
import type { BaselineWindowLatency } from './latencyBaselineBracket.ts';
import { bucketUpperEdge } from './latencyLimitLaw.ts';
import type { PooledQuantileAtom } from './pooledQuantileLaw.ts';
import { pooledQuantileLaw } from './pooledQuantileLaw.ts';

/** The percentile level of each latency metric. */
export const latencyLevels: Partial<Record<HealthMetric, number>> = { latencyP50: 0.5, latencyP95: 0.95, latencyP99: 0.99 };

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
  // The most spread metric stays spread; the others are read at their most likely bucket.
  spread.sort((a, b) => b.offMostLikely - a.offMostLikely);
  let law: LatencyReferenceLaw = { fixed, spread: spread[0] ?? null, neglected, notes: [] };
  for (const other of spread.slice(1))
    law = readAtMostLikely(
      { ...law, spread: other },
      `its joint law with the pooled ${spread[0].metric} (also spread over several buckets, read from the same pooled counts) is not summed here`,
    );
  return { ...law, spread: spread[0] ?? null };
}

/**
 * `law` with its spread metric read at its most likely bucket (module comment): a fixed value,
 * the mass of its other buckets added to `neglected` and a note giving `reason`. O(atoms).
 */
export function readAtMostLikely(law: LatencyReferenceLaw, reason: string): LatencyReferenceLaw {
  const spread = law.spread;
  if (spread === null) return law;
  const mostLikely = spread.atoms.reduce((best, atom) => (atom.probability > best.probability ? atom : best));
  return {
    fixed: { ...law.fixed, [spread.metric]: mostLikely.value },
    spread: null,
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
  let neglected = requests.neglected;
  let first = requests.first;
  if (first === 0) {
    neglected += requests.pmf[0];
    first = 1;
  }
  let total = 0;
  for (const window of windows) total += window.expected;
  // ū at an edge: the pooled share of values at or below it.
  const share = (edge: number): number => {
    let below = 0;
    for (const window of windows) below += window.expected * latency.cdf(bucketUpperEdge(edge) / window.multiplier);
    return below / total;
  };
  // Edges b − 1 and b of every atom, each once: P(bucket ≤ edge | N) = 1 − P(A ≤ ⌊q(N − 1)⌋).
  const edges = [...new Set(atoms.flatMap((atom) => [atom.bucket - 1, atom.bucket]))].sort((a, b) => a - b);
  const rank = (n: number): number => Math.floor(level * (n - 1));
  const edgeWalkers = edges.map((edge) => {
    const u = share(edge);
    return { edge, u, walker: u > 0 && u < 1 ? new BoundaryWalker(u, rank, first, tolerance) : null };
  });
  // C/N < cut ⟺ C/N ≤ the double below cut: the largest such count is largestCountWithin's.
  const rateWalkers = cuts.map(
    (cut) => new BoundaryWalker(rateProbability, (n) => largestCountWithin(n, cut > 0 ? nextDown(cut) : -1), first, tolerance),
  );
  for (const entry of edgeWalkers) if (entry.walker) neglected += 2 * entry.walker.neglected;
  for (const walker of rateWalkers) neglected += 2 * walker.neglected;
  const edgeAtMost = new Map<number, number>();
  const atomMass = new Float64Array(atomCount);
  const cellMass = new Float64Array(cells);
  const last = requests.first + requests.pmf.length - 1;
  for (let n = first; n <= last; n++) {
    if (n > first) {
      for (const entry of edgeWalkers) entry.walker?.step();
      for (const walker of rateWalkers) walker.step();
    }
    const weight = requests.pmf[n - requests.first];
    if (weight === 0) continue;
    for (const { edge, u, walker } of edgeWalkers) edgeAtMost.set(edge, walker ? 1 - walker.cdf : u >= 1 ? 1 : 0);
    for (let i = 0; i < atomCount; i++) {
      const bucket = atoms[i].bucket;
      atomMass[i] = Math.max(0, (edgeAtMost.get(bucket) as number) - (edgeAtMost.get(bucket - 1) as number));
    }
    let below = 0;
    for (let j = 0; j < cells; j++) {
      const upTo = j < rateWalkers.length ? rateWalkers[j].cdf : 1;
      cellMass[j] = Math.max(0, upTo - below);
      below = upTo;
    }
    for (let j = 0; j < cells; j++) {
      const row = weight * cellMass[j];
      if (row === 0) continue;
      for (let i = 0; i < atomCount; i++) weights[j * atomCount + i] += row * atomMass[i];
    }
  }
  return { weights, neglected };
}
