/**
 * The concurrent count-ratio check's sum by sorted rates: the part of a concurrent-baseline check
 * window's law (healthCheckLaw.ts, `concurrentSingleCount`) where ONE count metric (errors or
 * timeouts) compares with the control's, and everything else has a fixed limit.
 *
 * The rule passes when !(x/n > k·x₀/n₀) — the controller's floating-point comparison
 * `observed > threshold × reference` (src/engine/controller/step.ts), so ties break as the
 * controller breaks them — for every threshold k on the metric. Both sides are observed rates:
 * the candidate's r = x/n, the control's ρ = x₀/n₀, each with a probability. So
 *
 *   P(pass) = Σ_{control (x₀, m₀), n₀ = x₀ + m₀ ≥ minRequests} P(X₀ = x₀)·P(M₀ = m₀) · C(min_k k·ρ),
 *   C(v) = Σ_{candidate (n, x): x/n ≤ v} P(n)·others(n)·b(x; n, p)·[x ≤ fixed(n)],
 *
 * the control's errors X₀ ~ Poisson(Λ₀p₀) and other requests M₀ ~ Poisson(Λ₀(1 − p₀)) independent
 * (Poisson thinning), others(n) the fixed-limit groups' pass probability and fixed(n) the largest
 * count within the metric's absolute limit. C is read from the candidate's rates sorted once
 * (`candidateRateTable`, by equal-width buckets of rate) with their cumulative weights, one bucket
 * per read (`lastAtMost`). For each control error count x₀ the limit min_k k·x₀/(x₀ + m₀) falls as
 * m₀ grows (correctly rounded division and multiplication are monotone), so in
 * `passAgainstControl` the m₀ whose limit is above every candidate rate pass in bulk (one
 * difference of M₀'s cumulative law), those below every rate fail, and only the band between
 * reads the table.
 *
 * This replaces a search for the least passing m₀ per (n, x, x₀): the cost was range(n) ×
 * range(x) × range(x₀) ≈ 10⁸ steps for a 25% canary at 100 requests/s over 10 minutes (≈ 2 s a
 * window); it is now the candidate's atoms range(n) × range(x) once per window — shared by the
 * settings of a threshold sweep (`sharedCandidateRateTable`) — and the control's range(x₀) ×
 * range(m₀) atoms in the band, O(1) each. Every term is the same product of the same truncated
 * laws as before, so results agree to rounding (test/sim/exact/concurrentCountTable.test.ts pins
 * the earlier code's values to 1e-12).
 */
import type { CountLaw } from './countRange.ts';
import { binomialLaw } from './countRange.ts';

/**
 * The candidate's request counts n = first … first + weights.length − 1 that are checked (n ≥
 * minRequests, n > 0), each with its weight P(n)·others(n) and the largest count within the
 * metric's fixed limit, `lasts[i]` (x ≤ lasts[i] are kept; may be below the law's range).
 */
export interface CandidateRuns {
  first: number;
  weights: Float64Array;
  lasts: Int32Array;
}

/** The candidate's observed rates x/n, ascending (ties kept), and their cumulative weights. */
export interface CandidateRateTable {
  rates: Float64Array;
  /** cumulative[i] = Σ_{j ≤ i} P(n)·others(n)·b(x; n, p) of rates[j] (compensated sums). */
  cumulative: Float64Array;
  /** The mass each run's binomial law left out (`CountLaw.neglected`), by run. */
  lawNeglected: Float64Array;
  /**
   * The rates' equal-width buckets: rates[starts[b] … starts[b + 1] − 1] are those whose
   * min(buckets − 1, ⌊(rate − lowest)·scale⌋) is b — monotone in the rate, so every rate in an
   * earlier bucket is smaller than any rate in a later one (`lastAtMost` reads one bucket).
   */
  buckets: { lowest: number; scale: number; starts: Int32Array };
}

/**
 * Sorts the runs' atoms (rate x/n, weight·b(x; n, p) on Binomial(n, p)'s central range within
 * `tolerance`, x ≤ the run's last) by rate, zero weights dropped: a counting sort into as many
 * equal-width buckets of rate as atoms (the bucket index is a monotone function of the rate), then
 * an insertion sort within each bucket — the atoms of every n spread over the same band of rates,
 * so a bucket holds about one. O(atoms) time (atoms ≈ range n × range x), 5 numbers per atom.
 */
export function candidateRateTable(runs: CandidateRuns, p: number, tolerance: number): CandidateRateTable {
  const runCount = runs.weights.length;
  const laws: CountLaw[] = [];
  const lawNeglected = new Float64Array(runCount);
  let atoms = 0;
  for (let i = 0; i < runCount; i++) {
    const law = binomialLaw(runs.first + i, p, tolerance);
    laws.push(law);
    lawNeglected[i] = law.neglected;
    if (runs.weights[i] > 0) atoms += Math.max(0, Math.min(runs.lasts[i], law.first + law.pmf.length - 1) - law.first + 1);
  }
  const rates = new Float64Array(atoms);
  const weights = new Float64Array(atoms);
  let at = 0;
  let lowest = Infinity;
  let highest = -Infinity;
  for (let i = 0; i < runCount; i++) {
    const weight = runs.weights[i];
    if (!(weight > 0)) continue;
    const n = runs.first + i;
    const law = laws[i];
    const last = Math.min(runs.lasts[i], law.first + law.pmf.length - 1);
    for (let x = law.first; x <= last; x++) {
      const rate = x / n;
      rates[at] = rate;
      weights[at++] = weight * law.pmf[x - law.first];
      if (rate < lowest) lowest = rate;
      if (rate > highest) highest = rate;
    }
  }
  // Counting sort by bucket (rate − lowest)·scale, monotone in the rate: fl(a − c) and fl(a·s) are.
  const buckets = Math.max(1, atoms);
  const scale = highest > lowest ? buckets / (highest - lowest) : 0;
  const bucketOf = (rate: number): number => Math.min(buckets - 1, Math.floor((rate - lowest) * scale));
  const starts = new Int32Array(buckets + 1);
  for (let i = 0; i < atoms; i++) starts[bucketOf(rates[i]) + 1]++;
  for (let b = 0; b < buckets; b++) starts[b + 1] += starts[b];
  const sortedRates = new Float64Array(atoms);
  const sortedWeights = new Float64Array(atoms);
  const next = starts.slice(0, buckets);
  for (let i = 0; i < atoms; i++) {
    const to = next[bucketOf(rates[i])]++;
    sortedRates[to] = rates[i];
    sortedWeights[to] = weights[i];
  }
  for (let b = 0; b < buckets; b++) {
    for (let i = starts[b] + 1; i < starts[b + 1]; i++) {
      const rate = sortedRates[i];
      const weight = sortedWeights[i];
      let j = i - 1;
      while (j >= starts[b] && sortedRates[j] > rate) {
        sortedRates[j + 1] = sortedRates[j];
        sortedWeights[j + 1] = sortedWeights[j];
        j--;
      }
      sortedRates[j + 1] = rate;
      sortedWeights[j + 1] = weight;
    }
  }
  // Neumaier's compensated running sum (~10⁵ terms whose total is read at every index), into the unsorted buffer.
  const cumulative = weights;
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < atoms; i++) {
    const term = sortedWeights[i];
    const total = sum + term;
    compensation += Math.abs(sum) >= Math.abs(term) ? sum - total + term : term - total + sum;
    sum = total;
    cumulative[i] = sum + compensation;
  }
  return { rates: sortedRates, cumulative, lawNeglected, buckets: { lowest, scale, starts } };
}

/**
 * The last index i with !(rates[i] > limit) (−1 if none): the rates of the buckets before
 * `limit`'s are ≤ it and those after are > it (the bucket index is monotone), so only `limit`'s
 * own bucket (about one rate) is compared. O(bucket size).
 */
export function lastAtMost(table: CandidateRateTable, limit: number): number {
  return lastRateAtMost(table.rates, table.buckets, limit);
}

/** `lastAtMost` on the table's parts (the inner loop of `passAgainstControl` calls it per control atom). */
function lastRateAtMost(rates: Float64Array, buckets: CandidateRateTable['buckets'], limit: number): number {
  if (!(limit >= buckets.lowest)) return -1;
  const starts = buckets.starts;
  const scale = buckets.scale;
  const bucket = scale > 0 ? Math.min(starts.length - 2, Math.floor((limit - buckets.lowest) * scale)) : 0;
  let index = starts[bucket] - 1;
  const end = starts[bucket + 1];
  while (index + 1 < end && !(rates[index + 1] > limit)) index++;
  return index;
}

/**
 * Atoms of the rate tables kept per scenario (20 bytes each: 40 MB): the concurrent policy of
 * agreement.test.ts on identical-candidate.json (canaries at 5% and 25%, six 10-minute windows)
 * needs 0.70 million for all its windows, which a threshold sweep reads once per setting; the
 * oldest tables go first.
 */
const keptAtoms = 2 ** 21;

interface KeptTable {
  p: number;
  tolerance: number;
  runs: CandidateRuns;
  table: CandidateRateTable;
}
const tablesByScenario = new WeakMap<object, KeptTable[]>();

function sameRuns(a: CandidateRuns, b: CandidateRuns): boolean {
  if (a.first !== b.first || a.weights.length !== b.weights.length) return false;
  for (let i = 0; i < a.weights.length; i++) if (a.weights[i] !== b.weights[i] || a.lasts[i] !== b.lasts[i]) return false;
  return true;
}

/**
 * `candidateRateTable` through a memo on `scenario` (a WeakMap: it goes with the scenario): a
 * table is reused only for the same p, tolerance and runs compared value by value — it is a pure
 * function of them — so the settings of a threshold sweep (the same windows, the same weights)
 * share one table per window, and nothing else can read a stale one. The most recent `keptAtoms`.
 */
export function sharedCandidateRateTable(scenario: object, runs: CandidateRuns, p: number, tolerance: number): CandidateRateTable {
  let kept = tablesByScenario.get(scenario);
  if (!kept) {
    kept = [];
    tablesByScenario.set(scenario, kept);
  }
  const index = kept.findIndex((entry) => entry.p === p && entry.tolerance === tolerance && sameRuns(entry.runs, runs));
  if (index >= 0) {
    const [entry] = kept.splice(index, 1);
    kept.push(entry);
    return entry.table;
  }
  const table = candidateRateTable(runs, p, tolerance);
  kept.push({ p, tolerance, runs, table });
  let atoms = kept.reduce((sum, entry) => sum + entry.table.rates.length, 0);
  while (kept.length > 1 && atoms > keptAtoms) atoms -= kept.shift()!.table.rates.length;
  return table;
}

/**
 * The candidate's largest passing rate against x₀ control errors among x₀ + m₀ requests:
 * min over the thresholds k of k·(x₀/(x₀ + m₀)), as the controller computes the right-hand side.
 */
function passingLimit(x0: number, m0: number, thresholds: readonly number[]): number {
  const reference = x0 / (x0 + m0);
  let limit = thresholds[0] * reference;
  for (let t = 1; t < thresholds.length; t++) limit = Math.min(limit, thresholds[t] * reference);
  return limit;
}

/**
 * The last m₀ in [from, last] whose `passingLimit` is ≥ `rate`, or from − 1:
 * the limit falls as m₀ grows, so a bisection. O(log(last − from)).
 */
function lastLimitAtLeast(rate: number, x0: number, from: number, last: number, thresholds: readonly number[]): number {
  let low = from - 1;
  let high = last + 1;
  while (high - low > 1) {
    const middle = (low + high) >>> 1;
    if (passingLimit(x0, middle, thresholds) >= rate) low = middle;
    else high = middle;
  }
  return low;
}

/**
 * Σ over the control's (x₀, m₀) with x₀ + m₀ ≥ minRequests (≥ 1) of P(X₀ = x₀)·P(M₀ = m₀)·C(v),
 * v = min over `thresholds` of k·(x₀/(x₀ + m₀)) and C(v) the table's weight of rates ≤ v, i.e.
 * the candidate's mass that passes !(x/n > k·x₀/n₀) for every k (module comment). `events` and
 * `others` are the laws of X₀ and M₀ on their central ranges. O(range x₀ · (log range m₀ + the m₀ in the band)).
 */
export function passAgainstControl(
  table: CandidateRateTable,
  events: CountLaw,
  others: CountLaw,
  minRequests: number,
  thresholds: readonly number[],
): number {
  const { rates, cumulative } = table;
  const size = rates.length;
  if (size === 0) return 0;
  const lowest = rates[0];
  const highest = rates[size - 1];
  const total = cumulative[size - 1];
  // otherBelow[j] = P(M₀ < others.first + j), j = 0 … length.
  const otherBelow = new Float64Array(others.pmf.length + 1);
  for (let j = 0; j < others.pmf.length; j++) otherBelow[j + 1] = otherBelow[j] + others.pmf[j];
  const otherLast = others.first + others.pmf.length - 1;
  const buckets = table.buckets;
  let pass = 0;
  for (let e = 0; e < events.pmf.length; e++) {
    const x0 = events.first + e;
    const from = Math.max(minRequests - x0, others.first);
    if (from > otherLast) continue;
    // m₀ ≤ allPass: every candidate rate passes; m₀ > somePass: none does.
    const allPass = lastLimitAtLeast(highest, x0, from, otherLast, thresholds);
    const somePass = lastLimitAtLeast(lowest, x0, from, otherLast, thresholds);
    let inner = 0;
    if (allPass >= from) inner += total * (otherBelow[allPass - others.first + 1] - otherBelow[from - others.first]);
    for (let m0 = Math.max(from, allPass + 1); m0 <= somePass; m0++) {
      const index = lastRateAtMost(rates, buckets, passingLimit(x0, m0, thresholds));
      if (index >= 0) inner += others.pmf[m0 - others.first] * cumulative[index];
    }
    pass += events.pmf[e] * inner;
  }
  return pass;
}
