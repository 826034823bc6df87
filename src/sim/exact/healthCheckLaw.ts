/**
 * The exact hold/pass/fail probabilities of one canary or full check window (the law described
 * in checkLaw.ts), as a finite sum over the window's request counts:
 *
 *   P(pass) = Σ_{n ≥ minRequests} P(n) · P(errors pass | n) · P(timeouts pass | n) · P(latency passes | n)
 *
 * in historical mode (the reference a fixed `BaselineReference`) and for absolute rules, and
 *
 *   P(pass) = Σ_{n, n₀ ≥ minRequests} P(n, n₀) · Π_groups P(group passes | n, n₀)
 *
 * in concurrent mode, each group's factor summing over the control's counts too:
 * P(errors pass | n, n₀) = Σ_x b(x; n, p) · P(X₀ ≥ x₀min(x) | n₀), x₀min(x) the least control
 * error count for which x/n ≤ k·x₀/n₀ — found with the controller's own floating-point
 * comparison `observed > threshold × reference`, so ties break as the controller breaks them.
 *
 * Errors, timeouts and latency are independent given the counts (checkLaw.ts), so the groups
 * multiply. Within the latency group the percentiles are joint: the rules' pass levels are
 * nested (a p50 limit above the p95's is implied by it) and the probability that every latency
 * rule passes is bracketed by Bonferroni, [1 − Σ fᵢ, 1 − max fᵢ] (fᵢ the rules' marginal fail
 * probabilities); when the bracket is wider than the tolerance, two percentiles are summed
 * exactly (`jointOrderStatisticsAtMost`); three percentiles all near their limits at once, or
 * several concurrent latency ratio rules near their limits, throw `ExactUnsupportedError`.
 * Half a bracket's width is reported in `neglected` with the truncated sums' mass.
 *
 * Cost: historical O(range of n) array reads (≈ 14·√(Λf) for a 1e-12 tolerance) once P(pass | n)
 * is in the scenario's table for these limits, one binomial range per new (p, n) before; a node
 * that stands for a cell of the baseline's law reads the rows by n that every window with the
 * same conditions shares (cellCheckMatrix.ts): one pass over n per window for all its cells;
 * concurrent O(range of n × range of n₀ × range of errors) additions — use the chain's per-window cache —
 * except when one count metric alone compares with the control: O(range of n × range of its count)
 * to sort the candidate's rates (shared by a threshold sweep's settings) plus the control's atoms
 * near the limit (concurrentCountTable.ts).
 */
import type { CompiledRule, CompiledStage } from '../../engine/controller/compilePolicy.ts';
import type { HealthMetric } from '../../engine/policy/policy.ts';
import { latencyLevels } from '../../engine/policy/policy.ts';
import { expectedArrivals, exposedShare, replayArrivals } from '../traffic.ts';
import { sketchRank } from '../windowsOrderStatistics.ts';
import type { ArmConditions, World } from '../world.ts';
import type { CheckRow } from './cellCheckMatrix.ts';
import { CellCheckMatrix } from './cellCheckMatrix.ts';
import type { BaselineReference, CheckLawOptions, CheckProbabilities } from './checkLaw.ts';
import { defaultTolerance, ExactUnsupportedError } from './checkLaw.ts';
import type { CandidateRuns } from './concurrentCountTable.ts';
import { passAgainstControl, sharedCandidateRateTable } from './concurrentCountTable.ts';
import type { CountLaw } from './countRange.ts';
import { binomialLaw, poissonLaw } from './countRange.ts';
import {
  bucketRepresentative,
  jointOrderStatisticsAtMost,
  largestIndexWithin,
  orderStatisticAbove,
  orderStatisticAtMost,
  passLevel,
} from './latencyLimitLaw.ts';

/** The window a check law reads (a subset of the chain's `ChainWindow`). */
export interface CheckWindow {
  stage: CompiledStage;
  start: number;
  duration: number;
  control: ArmConditions;
  candidate: ArmConditions;
  /** The flag's share (stage.traffic); the realized share is `exposedShare` of it. */
  candidateShare: number;
}

const latencyMetrics = ['latencyP50', 'latencyP95', 'latencyP99'] as const;

/**
 * Values of the per-check sums that depend on neither the historical baseline's node nor the
 * swept thresholds, memoised per scenario object so the chain's node loop (evaluateExact.ts runs
 * 1.75 × 16 nodes), the windows of a daily cycle and a sweep over error thresholds reuse them:
 * - `binomial`: per error/timeout probability p and request count n, the cumulative law
 *   P(Binomial(n, p) ≤ t) on the central range of t (countRange.ts), in a typed array — every
 *   count limit t (every node's and every threshold's) is then one array read, where an
 *   incomplete beta per (n, t) behind three hash lookups cost 45% of a historical sweep (profile
 *   of bench/exact.ts, 2026-12-04). The value is exact within the range's left-out mass, which
 *   the caller counts in `neglected`.
 * - `latency`: the latency group's pass probability at fixed levels given n, in a typed table
 *   indexed by n: the levels do not depend on the baseline's error or timeout node, nor on the
 *   window's expected arrivals Λ, so every node and every window of a daily cycle (each its own
 *   Λ) reads one table. (An earlier version kept the whole check's pass table per set of fixed
 *   limits: one table per baseline node and threshold, rebuilt and evicted — 64 nodes spent a
 *   third of their time allocating and collecting those tables.)
 * A WeakMap on the scenario: the memo goes when the scenario does, and it changes no result — the
 * memoised functions are pure arithmetic of their keys (n, p, the tolerance; the percentiles,
 * their levels; the limits), so even a scenario edited in place cannot make an entry stale.
 */
interface SharedLaws {
  /** tolerance → p → n → P(Binomial(n, p) ≤ ·) on its central range. */
  binomial: Map<number, Map<number, (CumulativeRow | undefined)[]>>;
  /** tolerance, percentiles and levels → the latency group's pass probability by n. */
  latency: Map<string, PassTable>;
  /**
   * A historical check's pass probability by request count and cell of the baseline's law
   * (`historicalMatrix`, cellCheckMatrix.ts), by everything but the window's law it reads: every
   * window of a daily cycle (each its own Λ) with those conditions reads one matrix.
   */
  matrices: Map<string, CellCheckMatrix>;
  /**
   * The matrix (or null: none applies) by the stage and the values the check reads besides the
   * window's arrivals and the cell's bounds (`historicalMatrixFor`): found by comparing a dozen
   * numbers, where building the check's factors and the matrix's key cost more than the window's
   * dot product (candidateFactors and the key 16% of a 20-setting lab curve).
   */
  handles: WeakMap<CompiledStage, HandleEntry[]>;
  /** tolerance → mean → Poisson(mean) on its central range (a window's Λf is the same for every node and threshold). */
  poisson: Map<number, Map<number, CountLaw>>;
}
const sharedLawsByScenario = new WeakMap<object, SharedLaws>();

function sharedLaws(world: World): SharedLaws {
  let shared = sharedLawsByScenario.get(world.scenario);
  if (!shared) {
    shared = { binomial: new Map(), latency: new Map(), matrices: new Map(), handles: new WeakMap(), poisson: new Map() };
    sharedLawsByScenario.set(world.scenario, shared);
  }
  return shared;
}

/** A historical check's shared matrix (cellCheckMatrix.ts), whether a rule reads a missing reference, and the rate it varies in. */
interface HistoricalMatrix {
  matrix: CellCheckMatrix;
  missing: boolean;
  metric: 'errorRate' | 'timeoutRate';
}

/** What `historicalMatrixFor` compares: everything candidateFactors and the matrix read, but the window's arrivals and the cell's bounds. */
interface HandleEntry {
  tolerance: number;
  /** The world's candidate latency law (by identity: a recompiled world is another entry). */
  latency: object;
  candidate: [number, number, number];
  /** The reference's values (NaN-aware), its two rate ranges (NaN: none), the cell's metric and law key. */
  values: number[];
  cellMetric: string;
  cellKey: string;
  handle: HistoricalMatrix | null;
}

/** Entries kept per stage (FIFO): one per candidate's conditions and reference family — a few, unless conditions drift window by window. */
const keptHandles = 64;

/** The numbers a handle is found by (`HandleEntry.values`), in the order `sameReference` compares them. */
function referenceValues(reference: BaselineReference): number[] {
  const supports = reference.rateSupports;
  return [
    reference.errorRate,
    reference.timeoutRate,
    reference.latencyP50,
    reference.latencyP95,
    reference.latencyP99,
    supports?.errorRate?.[0] ?? NaN,
    supports?.errorRate?.[1] ?? NaN,
    supports?.timeoutRate?.[0] ?? NaN,
    supports?.timeoutRate?.[1] ?? NaN,
  ];
}

/**
 * Whether `values` (a memo entry's `referenceValues`) are those of `reference`, in its order:
 * NaN equals NaN; the cell's own rate (index `skip`) compared only as NaN or not. Read field by
 * field in this one function, without building the reference's array or calling out per field:
 * the lookup runs once per window and cell, and that array (and, through a helper call, each
 * double boxed) was the largest allocation of the lab's first visit after the chain's states.
 */
function sameReference(values: readonly number[], reference: BaselineReference, skip: number): boolean {
  const errorSupport = reference.rateSupports?.errorRate;
  const timeoutSupport = reference.rateSupports?.timeoutRate;
  for (let i = 0; i < values.length; i++) {
    const a = values[i];
    const b =
      i === 0
        ? reference.errorRate
        : i === 1
          ? reference.timeoutRate
          : i === 2
            ? reference.latencyP50
            : i === 3
              ? reference.latencyP95
              : i === 4
                ? reference.latencyP99
                : i === 5
                  ? (errorSupport?.[0] ?? Number.NaN)
                  : i === 6
                    ? (errorSupport?.[1] ?? Number.NaN)
                    : i === 7
                      ? (timeoutSupport?.[0] ?? Number.NaN)
                      : (timeoutSupport?.[1] ?? Number.NaN);
    if (i === skip ? Number.isNaN(a) !== Number.isNaN(b) : a !== b && !(Number.isNaN(a) && Number.isNaN(b))) return false;
  }
  return true;
}

/**
 * The historical check's matrix for `window` and a cell `reference` (candidateFactors'
 * `historicalMatrix`), memoised per stage by the values it reads: the check's conditions but
 * not the cell's bounds — the rate the cell stands for is not read (the matrix averages over
 * cells), only whether it is missing — nor the window's arrivals.
 */
function historicalMatrixFor(
  world: World,
  window: CheckWindow,
  reference: BaselineReference,
  cell: NonNullable<BaselineReference['rateCell']>,
  tolerance: number,
): HistoricalMatrix | null {
  const shared = sharedLaws(world);
  let entries = shared.handles.get(window.stage);
  if (!entries) {
    entries = [];
    shared.handles.set(window.stage, entries);
  }
  const candidate = window.candidate;
  const skip = cell.metric === 'errorRate' ? 0 : 1;
  for (const entry of entries) {
    if (
      entry.tolerance === tolerance &&
      entry.latency === world.candidateLatency &&
      entry.candidate[0] === candidate.errorRate &&
      entry.candidate[1] === candidate.timeoutProbability &&
      entry.candidate[2] === candidate.latencyMultiplier &&
      entry.cellMetric === cell.metric &&
      entry.cellKey === cell.key &&
      sameReference(entry.values, reference, skip)
    )
      return entry.handle;
  }
  const handle = candidateFactors(world, window, reference, tolerance).historicalMatrix(reference, window.stage.minRequests);
  if (entries.length >= keptHandles) entries.shift();
  entries.push({
    tolerance,
    latency: world.candidateLatency,
    candidate: [candidate.errorRate, candidate.timeoutProbability, candidate.latencyMultiplier],
    values: referenceValues(reference),
    cellMetric: cell.metric,
    cellKey: cell.key,
    handle,
  });
  return handle;
}

/** Scratch arrays of a matrix row's steps (cellCheckMatrix.ts copies them at once). */
const rowSteps: number[] = [];
const rowJumps: number[] = [];

/** P(Binomial(n, p) ≤ first + i) = cumulative[i] on the central range; the rest of the support has mass `neglected`. */
interface CumulativeRow {
  first: number;
  cumulative: Float64Array;
  neglected: number;
}

/** The scenario's memo of binomial rows for one success probability (indexed by n). */
type BinomialRows = (CumulativeRow | undefined)[];

/** The memo's rows for probability p and the tolerance (looked up once per window, not per n). */
function binomialRows(shared: SharedLaws, p: number, tolerance: number): BinomialRows {
  let byProbability = shared.binomial.get(tolerance);
  if (!byProbability) {
    byProbability = new Map();
    shared.binomial.set(tolerance, byProbability);
  }
  let rows = byProbability.get(p);
  if (!rows) {
    rows = [];
    byProbability.set(p, rows);
  }
  return rows;
}

/**
 * P(Binomial(n, p) ≤ t) from the rows for p (`binomialRows`), exact within `row.neglected`
 * (returned in `binomialNeglected`): 0 below the kept range, the kept mass above it.
 */
function rowsAtMost(rows: BinomialRows, n: number, p: number, t: number, tolerance: number): number {
  if (t < 0) {
    binomialNeglected = 0;
    return 0;
  }
  if (t >= n || p <= 0) {
    binomialNeglected = 0;
    return 1;
  }
  if (p >= 1) {
    binomialNeglected = 0;
    return 0;
  }
  let row = rows[n];
  if (row === undefined) {
    const law = binomialLaw(n, p, tolerance);
    const cumulative = new Float64Array(law.pmf.length);
    let sum = 0;
    for (let i = 0; i < law.pmf.length; i++) {
      sum += law.pmf[i];
      cumulative[i] = sum;
    }
    row = { first: law.first, cumulative, neglected: law.neglected };
    while (rows.length < n) rows.push(undefined);
    rows[n] = row;
  }
  binomialNeglected = row.neglected;
  const index = t - row.first;
  if (index < 0) return 0;
  return row.cumulative[Math.min(index, row.cumulative.length - 1)];
}

/**
 * P(Binomial(n, p) ≤ t) through the scenario's memo, exact within `row.neglected` (returned in
 * `binomialNeglected`). 0 ≤ t < n.
 */
function sharedBinomialAtMost(shared: SharedLaws, n: number, p: number, t: number, tolerance: number): number {
  return rowsAtMost(binomialRows(shared, p, tolerance), n, p, t, tolerance);
}
/** The mass the last `sharedBinomialAtMost` left out (a module variable: the inner loop allocates nothing). */
let binomialNeglected = 0;
/** The mass the last fixed-level latency factor left out (as `binomialNeglected`). */
let latencyNeglected = 0;
/** The mass the last historical P(pass | n) left out (as `binomialNeglected`). */
let historicalNeglected = 0;

/** `poissonLaw` through the scenario's memo (the law is a pure function of its mean and the tolerance). */
function sharedPoissonLaw(shared: SharedLaws, mean: number, tolerance: number): CountLaw {
  let byMean = shared.poisson.get(tolerance);
  if (!byMean) {
    byMean = new Map();
    shared.poisson.set(tolerance, byMean);
  }
  let law = byMean.get(mean);
  if (!law) {
    law = poissonLaw(mean, tolerance);
    byMean.set(mean, law);
  }
  return law;
}

/** A pass probability and left-out mass by the candidate's request count n (`known[n]` 0: not yet computed). */
interface PassTable {
  pass: Float64Array;
  neglected: Float64Array;
  known: Uint8Array;
}

/** The reference's cell hint (baselineLaw.ts), if any. */
function cellOf(reference: BaselineReference): BaselineReference['rateCell'] {
  return reference.rateCell;
}

/**
 * Doubles the matrices of a scenario may hold (FIFO past it, 64 MB): one matrix per check's
 * conditions and setting, ≈ (range of n) × (4 + 2 × steps per n) doubles each, whatever the node
 * count (cellCheckMatrix.ts).
 */
const keptMatrixDoubles = 2 ** 23;

/** Bits of a double, for stepping by one ulp. */
const ulpFloat = new Float64Array(1);
const ulpBits = new BigInt64Array(ulpFloat.buffer);

/** The next double above a finite x ≥ 0. */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  ulpFloat[0] = x;
  ulpBits[0] += 1n;
  return ulpFloat[0];
}

/** The next double below a finite x > 0 (0 stays 0: rates are not negative). */
function nextDown(x: number): number {
  if (x <= 0) return 0;
  ulpFloat[0] = x;
  ulpBits[0] -= 1n;
  return ulpFloat[0];
}

/**
 * The least rate r ≥ 0 (a double) at which a ratio rule with `maxRatio` lets x errors among n
 * requests pass, by the controller's comparison !(x/n > maxRatio·r): from x/n/maxRatio, one ulp
 * at a time (a few steps: the quotient is within an ulp or two).
 */
function leastRateAllowing(x: number, n: number, maxRatio: number): number {
  const observed = x / n;
  let r = observed / maxRatio;
  while (observed > maxRatio * r) r = nextUp(r);
  while (r > 0 && !(observed > maxRatio * nextDown(r))) r = nextDown(r);
  return r;
}

/** The table grown to hold index n (new entries unknown). */
function passTableHolding(table: PassTable, n: number): PassTable {
  if (n < table.pass.length) return table;
  const length = Math.max(n + 1, 2 * table.pass.length);
  const pass = new Float64Array(length);
  const neglected = new Float64Array(length);
  const known = new Uint8Array(length);
  pass.set(table.pass);
  neglected.set(table.neglected);
  known.set(table.known);
  table.pass = pass;
  table.neglected = neglected;
  table.known = known;
  return table;
}

/** The largest count x ≤ n with `!(x / n > limit)`, by the controller's floating-point comparison (−1 if none). */
function largestPassingCount(n: number, limit: number): number {
  if (limit === Infinity) return n;
  let t = Math.min(n, Math.max(-1, Math.floor(limit * n)));
  while (t + 1 <= n && !((t + 1) / n > limit)) t++;
  while (t >= 0 && t / n > limit) t--;
  return t;
}

/** A rule's number: `max` of an absolute rule, `maxRatio` of a ratio rule (compilePolicy.ts). */
function limitOf(rule: CompiledRule): number {
  return rule.type === 'absolute' ? rule.max : rule.type === 'ratio' ? rule.maxRatio : NaN;
}

/** The rules of a stage on one metric, split by type. */
function rulesOn(stage: CompiledStage, metric: HealthMetric): { absolute: CompiledRule[]; ratio: CompiledRule[] } {
  const on = stage.rules.filter((rule) => rule.metric === metric);
  return { absolute: on.filter((rule) => rule.type === 'absolute'), ratio: on.filter((rule) => rule.type === 'ratio') };
}

function conditionsRate(conditions: ArmConditions, metric: 'errorRate' | 'timeoutRate'): number {
  return metric === 'errorRate' ? conditions.errorRate : conditions.timeoutProbability;
}

/**
 * The exact { hold, pass, fail } of the stage's health check in `window`; `reference` is the
 * historical baseline's value (historical mode) or null (concurrent: the window's control arm).
 * Throws `ExactUnsupportedError` for statistical rules, a concurrent check at 100% (its
 * reference is the previous stage's control) and the latency combinations named above.
 */
export function healthCheckLaw(
  world: World,
  window: CheckWindow,
  reference: BaselineReference | null,
  options: CheckLawOptions = {},
): CheckProbabilities {
  const tolerance = options.tolerance ?? defaultTolerance;
  const stage = window.stage;
  if (stage.rules.some((rule) => rule.type === 'statistical')) {
    throw new ExactUnsupportedError(
      ['statistical rules'],
      `stage ${stage.index} ('${stage.name}') has a statistical rule: its test reads the stage's cumulative counts`,
    );
  }
  const concurrent = reference === null;
  if (concurrent && window.candidateShare >= 1) {
    throw new ExactUnsupportedError(
      ['concurrent baseline at 100%'],
      `stage ${stage.index} ('${stage.name}') serves everyone: its reference is the previous stage's accumulated control`,
    );
  }
  const traffic = world.scenario.traffic;
  const share = exposedShare(world.population, window.candidateShare);
  const replay = traffic.arrivals.kind === 'replay' ? traffic.arrivals : null;
  const end = window.start + window.duration;
  const total = replay ? replayArrivals(replay.times, replay.period, window.start, end) : 0;
  const expected = replay ? 0 : expectedArrivals(traffic, window.start, end);
  const minRequests = stage.minRequests;
  const result: CheckProbabilities = { hold: 0, pass: 0, fail: 0, neglected: 0 };

  const candidateLaw: CountLaw = replay
    ? binomialLaw(total, share, tolerance)
    : sharedPoissonLaw(sharedLaws(world), expected * share, tolerance);
  result.neglected! += candidateLaw.neglected;

  const cell = reference === null ? undefined : cellOf(reference);
  if (reference !== null && cell && reference.rateSupports && cell.to > cell.from) {
    // One count rate read against a cell of the baseline's law: the check averaged over the
    // cell, read with the window's Poisson weights from the rows every window of these
    // conditions shares (`historicalMatrixFor`, cellCheckMatrix.ts).
    const handle = historicalMatrixFor(world, window, reference, cell, tolerance);
    if (handle !== null) {
      const value = handle.matrix.window(candidateLaw, cell.from, cell.to);
      result.hold += value.hold + (handle.missing ? value.pass : 0);
      result.pass += handle.missing ? 0 : value.pass;
      result.fail += Math.max(0, value.checked - value.pass);
      result.neglected! += value.neglected;
      return result;
    }
  }

  const candidateGroups = candidateFactors(world, window, reference, tolerance);
  if (!concurrent) {
    // P(pass | n) = Π_count metrics P(Bin(n, p) ≤ t(n)) × latency(n), each factor an array read
    // (SharedLaws): nothing is rebuilt per baseline node but the count limits t(n), so the node
    // loop of evaluateExact costs O(range of n) per window and node, without allocation.
    const factors = candidateGroups.historicalFactors();
    const missing = candidateGroups.missing;
    let hold = 0;
    let passed = 0;
    let failed = 0;
    let neglected = 0;
    for (let i = 0; i < candidateLaw.pmf.length; i++) {
      const n = candidateLaw.first + i;
      const weight = candidateLaw.pmf[i];
      if (n < minRequests || n === 0) {
        hold += weight;
        continue;
      }
      const given = factors(n);
      neglected += weight * historicalNeglected;
      if (missing) hold += weight * given;
      else passed += weight * given;
      failed += weight * (1 - given);
    }
    result.hold += hold;
    result.pass += passed;
    result.fail += failed;
    result.neglected! += neglected;
    return result;
  }

  const single = candidateGroups.singleConcurrentCount();
  if (!replay && single !== null && minRequests >= 1 && !options.pairwise) {
    return concurrentSingleCount(
      world,
      window,
      expected * (1 - share),
      candidateLaw,
      single,
      candidateGroups,
      minRequests,
      tolerance,
      result,
    );
  }

  // Concurrent: the control's window count is n₀ ~ Poisson(Λ(1 − f)) independent of n, or N − n with replayed arrivals.
  const controlLaw: CountLaw | null = replay ? null : poissonLaw(expected * (1 - share), tolerance);
  if (controlLaw) result.neglected! += controlLaw.neglected;
  const control = controlFactors(world, window, tolerance);
  const latencyOnly = candidateGroups.singleConcurrentLatency();
  if (controlLaw !== null && latencyOnly !== null && minRequests >= 1 && !options.pairwise) {
    // Only one percentile compares with the control, nothing else does: the control's reported
    // bucket enters only through its marginal law over n₀ ≥ minRequests, Q(j) = Σ_{n₀} P(n₀)·P(bucket j | n₀),
    // so P(pass | n) = Σ_j Q(j)·P(the candidate's rules pass with the limit of bucket j | n).
    const marginal = new Map<number, number>();
    let controlShort = 0;
    for (let j = 0; j < controlLaw.pmf.length; j++) {
      const n0 = controlLaw.first + j;
      const p0 = controlLaw.pmf[j];
      if (n0 < minRequests) {
        controlShort += p0;
        continue;
      }
      const law = control.bucketLaw(latencyOnly, n0);
      result.neglected! += p0 * law.neglected;
      for (const [index, probability] of law.buckets) marginal.set(index, (marginal.get(index) ?? 0) + p0 * probability);
    }
    for (let i = 0; i < candidateLaw.pmf.length; i++) {
      const n = candidateLaw.first + i;
      const weight = candidateLaw.pmf[i];
      if (n < minRequests) {
        result.hold += weight;
        continue;
      }
      const { pass, neglected } = candidateGroups.passGivenControlBucket(n, marginal);
      result.neglected! += weight * neglected;
      result.pass += weight * pass;
      result.hold += weight * controlShort;
      result.fail += weight * Math.max(0, 1 - controlShort - pass);
    }
    return result;
  }
  for (let i = 0; i < candidateLaw.pmf.length; i++) {
    const n = candidateLaw.first + i;
    const weight = candidateLaw.pmf[i];
    if (n < minRequests || n === 0) {
      result.hold += weight;
      continue;
    }
    const pairCount = controlLaw ? controlLaw.pmf.length : 1;
    for (let j = 0; j < pairCount; j++) {
      const n0 = controlLaw ? controlLaw.first + j : total - n;
      const mass = weight * (controlLaw ? controlLaw.pmf[j] : 1);
      if (n0 < minRequests) {
        result.hold += mass;
        continue;
      }
      const { pass, neglected } = candidateGroups.passGiven(n, n0 === 0 ? null : { n0, control });
      result.neglected! += mass * neglected;
      const missing = candidateGroups.missing || (n0 === 0 && candidateGroups.hasRatio);
      if (missing) result.hold += mass * pass;
      else result.pass += mass * pass;
      result.fail += mass * (1 - pass);
    }
  }
  return result;
}

/**
 * Concurrent mode when only ONE count metric (errors or timeouts) compares with the control and
 * every other rule has a fixed limit: by Poisson thinning the control's events X₀ ~ Poisson(Λ₀p₀)
 * and its other requests M₀ ~ Poisson(Λ₀(1 − p₀)) are independent, so n₀ need not be summed
 * over with everything else —
 *   P(pass) = Σ_n P(n)·others(n)·Σ_x b(x; n, p)·P(n₀ ≥ minRequests, !(x/n > k·X₀/n₀)),
 * summed by sorting the candidate's rates x/n once (a table the settings of a threshold sweep
 * share) and reading it at each control (x₀, m₀) near the limit (concurrentCountTable.ts):
 * O(range n × range x + range x₀ × range m₀) instead of a search per (n, x, x₀) — 2 s a window at
 * the lab's traffic before, each of a daily cycle's windows its own.
 */
function concurrentSingleCount(
  world: World,
  window: CheckWindow,
  controlMean: number,
  candidateLaw: CountLaw,
  single: { metric: 'errorRate' | 'timeoutRate'; p: number; fixedLimit: number; ratioThresholds: number[] },
  groups: ReturnType<typeof candidateFactors>,
  minRequests: number,
  tolerance: number,
  result: CheckProbabilities,
): CheckProbabilities {
  const p0 = conditionsRate(window.control, single.metric);
  const eventLaw = poissonLaw(controlMean * p0, tolerance);
  const otherLaw = poissonLaw(controlMean * (1 - p0), tolerance);
  const totalLaw = poissonLaw(controlMean, tolerance);
  result.neglected! += eventLaw.neglected + otherLaw.neglected + totalLaw.neglected;
  // P(n₀ < minRequests).
  let controlShort = 0;
  for (let j = 0; j < totalLaw.pmf.length && totalLaw.first + j < minRequests; j++) controlShort += totalLaw.pmf[j];
  // The checked n (n ≥ minRequests ≥ 1), each with P(n)·others(n) and its count within the fixed limit.
  const first = Math.max(candidateLaw.first, minRequests);
  const count = Math.max(0, candidateLaw.first + candidateLaw.pmf.length - first);
  const runs: CandidateRuns = { first, weights: new Float64Array(count), lasts: new Int32Array(count) };
  const othersNeglected = new Float64Array(count);
  let checked = 0;
  for (let i = 0; i < candidateLaw.pmf.length; i++) {
    const n = candidateLaw.first + i;
    const weight = candidateLaw.pmf[i];
    if (n < first) {
      result.hold += weight;
      continue;
    }
    checked += weight;
    const others = groups.passGivenExcept(n, single.metric);
    runs.weights[n - first] = weight * others.pass;
    runs.lasts[n - first] = largestPassingCount(n, single.fixedLimit);
    othersNeglected[n - first] = others.neglected;
  }
  const table = sharedCandidateRateTable(world.scenario, runs, single.p, tolerance);
  for (let i = 0; i < count; i++)
    result.neglected! += candidateLaw.pmf[first + i - candidateLaw.first] * (othersNeglected[i] + table.lawNeglected[i]);
  const pass = passAgainstControl(table, eventLaw, otherLaw, minRequests, single.ratioThresholds);
  result.pass += pass;
  result.hold += checked * controlShort;
  result.fail += Math.max(0, checked * (1 - controlShort) - pass);
  return result;
}

/** The control arm's laws given its count n₀ (concurrent mode), cached per n₀. */
interface ControlFactors {
  /** P(control errors/timeouts ≥ x | n₀) as a function of x. */
  countAtLeast(metric: 'errorRate' | 'timeoutRate', n0: number): (x: number) => number;
  /** The law of the control's reported percentile bucket index given n₀: [index, probability][] and the mass left out. */
  bucketLaw(metric: (typeof latencyMetrics)[number], n0: number): { buckets: [number, number][]; neglected: number };
}

function controlFactors(world: World, window: CheckWindow, tolerance: number): ControlFactors {
  const countCache = new Map<number, (x: number) => number>();
  const bucketCache = new Map<number, { buckets: [number, number][]; neglected: number }>();
  const conditions = window.control;
  const latency = world.controlLatency;
  const logGamma = Math.log((1 + 0.01) / (1 - 0.01));
  return {
    countAtLeast(metric, n0) {
      const key = n0 * 2 + (metric === 'errorRate' ? 0 : 1);
      let cached = countCache.get(key);
      if (cached) return cached;
      const p = conditionsRate(conditions, metric);
      const law = binomialLaw(n0, p, tolerance);
      // Survival table over the kept range: tail[j] = P(X₀ ≥ first + j).
      const tail = new Float64Array(law.pmf.length + 1);
      for (let j = law.pmf.length - 1; j >= 0; j--) tail[j] = tail[j + 1] + law.pmf[j];
      const last = law.first + law.pmf.length - 1;
      cached = (x: number) => (x <= law.first ? 1 : x > last ? 0 : tail[x - law.first]);
      countCache.set(key, cached);
      return cached;
    },
    bucketLaw(metric, n0) {
      const key = n0 * 4 + latencyMetrics.indexOf(metric);
      const cached = bucketCache.get(key);
      if (cached) return cached;
      const k = sketchRank(latencyLevels[metric] as number, n0);
      const multiplier = conditions.latencyMultiplier;
      // P(index ≤ i) = P(U₍ₖ₎ ≤ F(γ^i / m)); start at the bucket of the median of U₍ₖ₎ and walk out.
      const atMost = (index: number) => orderStatisticAtMost(n0, k, latency.cdf(Math.exp(index * logGamma) / multiplier));
      const centre = Math.ceil(Math.log(multiplier * latency.quantile(k / (n0 + 1))) / logGamma);
      const buckets: [number, number][] = [];
      let low = centre;
      while (atMost(low - 1) > tolerance / 2) low--;
      let high = centre;
      while (1 - atMost(high) > tolerance / 2) high++;
      let previous = atMost(low - 1);
      const neglectedLow = previous;
      for (let index = low; index <= high; index++) {
        const current = atMost(index);
        if (current > previous) buckets.push([index, current - previous]);
        previous = current;
      }
      const value = { buckets, neglected: neglectedLow + (1 - previous) };
      bucketCache.set(key, value);
      return value;
    },
  };
}

/** The candidate's groups: P(every rule passes | n[, control]) and whether a rule reads a missing reference. */
function candidateFactors(world: World, window: CheckWindow, reference: BaselineReference | null, tolerance: number) {
  const stage = window.stage;
  const candidate = window.candidate;
  const concurrent = reference === null;
  let missing = false;
  let hasRatio = false;
  const cdf = (x: number) => world.candidateLatency.cdf(x);

  // Per metric (counts and latency percentiles alike): absolute limits and (historical) ratio limits are fixed; concurrent ratios keep their thresholds.
  const limitsOn = (metric: HealthMetric) => {
    const { absolute, ratio } = rulesOn(stage, metric);
    let fixedLimit = Infinity;
    for (const rule of absolute) fixedLimit = Math.min(fixedLimit, limitOf(rule));
    const ratioThresholds: number[] = [];
    for (const rule of ratio) {
      hasRatio = true;
      if (concurrent) ratioThresholds.push(limitOf(rule));
      else if (Number.isNaN(reference[metric])) missing = true;
      else fixedLimit = Math.min(fixedLimit, limitOf(rule) * reference[metric]);
    }
    return { active: absolute.length + ratio.length > 0, fixedLimit, ratioThresholds };
  };
  const counts = (['errorRate', 'timeoutRate'] as const).map((metric) => ({
    metric,
    ...limitsOn(metric),
    p: conditionsRate(candidate, metric),
  }));

  const latency = latencyMetrics.map((metric) => ({ metric, q: latencyLevels[metric] as number, ...limitsOn(metric) }));
  const activeLatency = latency.filter((entry) => entry.active);
  const multiplier = candidate.latencyMultiplier;
  // Pass levels of the fixed limits, once per window.
  const fixedLevel = new Map(activeLatency.map((entry) => [entry.metric, passLevel(entry.fixedLimit, multiplier, cdf)]));
  const shared = sharedLaws(world);
  // The fixed-level latency factor's memo for this window's levels (sharedLaws).
  const latencyKey = `${tolerance}|${activeLatency.map((entry) => `${entry.q}:${fixedLevel.get(entry.metric)}`).join(',')}`;
  let sharedLatency = shared.latency.get(latencyKey);
  if (!sharedLatency) {
    sharedLatency = { pass: new Float64Array(0), neglected: new Float64Array(0), known: new Uint8Array(0) };
    shared.latency.set(latencyKey, sharedLatency);
  }
  const latencyTable = sharedLatency;
  /** The latency group's pass probability at the fixed levels given n (its left-out mass in `latencyNeglected`), from the table. */
  const fixedLatencyAt = (n: number): number => {
    passTableHolding(latencyTable, n);
    if (latencyTable.known[n] === 0) {
      const value = fixedLatencyFactor(n);
      latencyTable.pass[n] = value.pass;
      latencyTable.neglected[n] = value.neglected;
      latencyTable.known[n] = 1;
    }
    latencyNeglected = latencyTable.neglected[n];
    return latencyTable.pass[n];
  };
  const levelCache = new Map<number, number>();
  const levelForLimit = (limit: number): number => {
    const index = largestIndexWithin(limit);
    let level = levelCache.get(index);
    if (level === undefined) {
      level = passLevel(limit, multiplier, cdf);
      levelCache.set(index, level);
    }
    return level;
  };

  const countLaws = new Map<number, CountLaw>();
  function countFactor(
    entry: (typeof counts)[number],
    n: number,
    control: { n0: number; control: ControlFactors } | null,
  ): { pass: number; neglected: number } {
    if (!entry.active) return { pass: 1, neglected: 0 };
    const fixed = largestPassingCount(n, entry.fixedLimit);
    if (!concurrent || entry.ratioThresholds.length === 0 || control === null) {
      const pass = sharedBinomialAtMost(shared, n, entry.p, fixed, tolerance);
      return { pass, neglected: binomialNeglected };
    }
    // Concurrent ratio: Σ_x b(x; n, p)·P(X₀ ≥ x₀min(x) | n₀).
    const lawKey = n * 2 + (entry.metric === 'errorRate' ? 0 : 1);
    let law = countLaws.get(lawKey);
    if (!law) {
      law = binomialLaw(n, entry.p, tolerance);
      countLaws.set(lawKey, law);
    }
    const atLeast = control.control.countAtLeast(entry.metric, control.n0);
    const n0 = control.n0;
    let sum = 0;
    const last = Math.min(fixed, law.first + law.pmf.length - 1);
    for (let x = law.first; x <= last; x++) {
      let need = 0;
      for (const threshold of entry.ratioThresholds) {
        // Least x₀ with !(x/n > threshold·(x₀/n₀)).
        const observed = x / n;
        let x0 = Math.max(0, Math.ceil((observed / threshold) * n0) - 1);
        while (x0 > 0 && !(observed > threshold * ((x0 - 1) / n0))) x0--;
        while (x0 <= n0 && observed > threshold * (x0 / n0)) x0++;
        need = Math.max(need, x0);
      }
      sum += law.pmf[x - law.first] * atLeast(need);
    }
    return { pass: sum, neglected: law.neglected };
  }

  /** The latency group's pass probability given n (and the control), with half the bracket width. */
  const ratioLatencyCache = new Map<number, { pass: number; neglected: number }>();
  const candidateAtMostCache = new Map<number, number>();
  /** P(U₍ₖ₎ ≤ level of `limit`) for the candidate's rank k of percentile j at n, cached (many control values share it). */
  function candidateAtMost(n: number, j: number, rank: number, limit: number, limitIndex = largestIndexWithin(limit)): number {
    // Numeric keys (n, percentile, bucket index): bucket indices stay within ±2²⁰ for any latency in (1e-9, 1e9) ms.
    const key = (n * 4 + j) * 2 ** 21 + limitIndex + 2 ** 20;
    let value = candidateAtMostCache.get(key);
    if (value === undefined) {
      value = orderStatisticAtMost(n, rank, levelForLimit(limit));
      candidateAtMostCache.set(key, value);
    }
    return value;
  }

  /** The candidate's limit (and its bucket index) when percentile j's reference is the control's bucket `controlIndex`; cached. */
  const ratioLimitCache = new Map<number, { limit: number; index: number }>();
  function ratioLimit(j: number, controlIndex: number): { limit: number; index: number } {
    const key = j * 2 ** 21 + controlIndex + 2 ** 20;
    let value = ratioLimitCache.get(key);
    if (!value) {
      const entry = activeLatency[j];
      let limit = entry.fixedLimit;
      for (const threshold of entry.ratioThresholds) limit = Math.min(limit, threshold * bucketRepresentative(controlIndex));
      value = { limit, index: largestIndexWithin(limit) };
      ratioLimitCache.set(key, value);
    }
    return value;
  }

  /**
   * Σ over a law of the control's bucket (index → probability) of the candidate's joint latency
   * pass when percentile `r`'s limit is set by that bucket and the others keep their fixed limits
   * (cached per request count and limit): the one-ratio-percentile case, per n₀ or over its marginal.
   */
  function passOverControlBuckets(
    r: number,
    n: number,
    ranks: number[],
    buckets: Iterable<[number, number]>,
  ): { pass: number; neglected: number } {
    let pass = 0;
    let neglected = 0;
    for (const [index, probability] of buckets) {
      const { limit, index: limitIndex } = ratioLimit(r, index);
      const key = n * 2 ** 21 + limitIndex + 2 ** 20;
      let value = ratioLatencyCache.get(key);
      if (!value) {
        const levels = activeLatency.map((other, j) => (j === r ? levelForLimit(limit) : (fixedLevel.get(other.metric) as number)));
        value = nestedLatencyPass(n, ranks, levels);
        ratioLatencyCache.set(key, value);
      }
      pass += probability * value.pass;
      neglected += probability * value.neglected;
    }
    return { pass, neglected };
  }

  function latencyFactor(n: number, control: { n0: number; control: ControlFactors } | null): { pass: number; neglected: number } {
    if (activeLatency.length === 0) return { pass: 1, neglected: 0 };
    const concurrentRatio = concurrent && control !== null && activeLatency.some((entry) => entry.ratioThresholds.length > 0);
    if (!concurrentRatio) {
      const pass = fixedLatencyAt(n);
      return { pass, neglected: latencyNeglected };
    }
    const ranks = activeLatency.map((entry) => sketchRank(entry.q, n));
    const ratioEntries = activeLatency.filter((entry) => entry.ratioThresholds.length > 0);
    if (ratioEntries.length === 1) {
      // One percentile compares with the control's: sum over the control's bucket law, the candidate's percentiles jointly for each.
      const r = activeLatency.indexOf(ratioEntries[0]);
      const entry = ratioEntries[0];
      const law = control!.control.bucketLaw(entry.metric, control!.n0);
      const summed = passOverControlBuckets(r, n, ranks, law.buckets);
      return { pass: summed.pass, neglected: law.neglected + summed.neglected };
    }
    // Several percentiles compare with the control's: each one's marginal fail probability summed over the control's bucket law, Bonferroni.
    let neglected = 0;
    const fails = activeLatency.map((entry, j) => {
      if (entry.ratioThresholds.length === 0) return 1 - candidateAtMost(n, j, ranks[j], entry.fixedLimit);
      const law = control!.control.bucketLaw(entry.metric, control!.n0);
      neglected += law.neglected;
      let pass = 0;
      for (const [index, probability] of law.buckets) {
        const { limit, index: limitIndex } = ratioLimit(j, index);
        pass += probability * candidateAtMost(n, j, ranks[j], limit, limitIndex);
      }
      return 1 - pass;
    });
    const combined = combineFails(fails, null);
    return { pass: combined.pass, neglected: combined.neglected + neglected };
  }

  /** The latency group with fixed limits (absolute, or ratio to a historical value) given n. */
  function fixedLatencyFactor(n: number): { pass: number; neglected: number } {
    const ranks = activeLatency.map((entry) => sketchRank(entry.q, n));
    return nestedLatencyPass(
      n,
      ranks,
      activeLatency.map((entry) => fixedLevel.get(entry.metric) as number),
    );
  }

  /** P(every active percentile's order statistic is within its level | n), levels nested from the top percentile down. */
  function nestedLatencyPass(n: number, ranks: number[], given: number[]): { pass: number; neglected: number } {
    {
      const levels = [...given];
      for (let j = levels.length - 2; j >= 0; j--) levels[j] = Math.min(levels[j], levels[j + 1]);
      const fails = levels.map((level, j) => orderStatisticAbove(n, ranks[j], level));
      return combineFails(fails, (a, b) => {
        const joint = jointOrderStatisticsAtMost(n, ranks[a], levels[a], ranks[b], levels[b], tolerance);
        return { fail: 1 - joint.probability, neglected: joint.neglected };
      });
    }
  }

  /**
   * P(no rule fails) from marginal fail probabilities: exact for one; Bonferroni's bracket when
   * narrow; else the exact joint of the two largest (`joint`), the third bracketed.
   */
  function combineFails(
    fails: number[],
    joint: ((a: number, b: number) => { fail: number; neglected: number }) | null,
  ): { pass: number; neglected: number } {
    if (fails.length === 1) return { pass: 1 - fails[0], neglected: 0 };
    const largest = Math.max(...fails);
    const sum = Math.min(
      1,
      fails.reduce((a, b) => a + b, 0),
    );
    if (sum - largest <= tolerance) return { pass: 1 - (largest + sum) / 2, neglected: (sum - largest) / 2 };
    const order = fails.map((fail, j) => [fail, j] as const).sort((x, y) => y[0] - x[0]);
    const rest = order.slice(2).reduce((a, [fail]) => a + fail, 0);
    if (joint === null || rest > tolerance) {
      throw new ExactUnsupportedError(
        ['several latency rules near their limits'],
        `stage ${stage.index} ('${stage.name}'): ${joint === null ? 'concurrent latency ratio rules on several percentiles' : 'three latency percentiles'} are each likely to fail (${fails.map((f) => f.toPrecision(3)).join(', ')}) and their joint law is not summed exactly`,
      );
    }
    const [a, b] = [order[0][1], order[1][1]].sort((x, y) => x - y);
    const pair = joint(a, b);
    // The third rule (if any) brackets: P(fail any) ∈ [pair, pair + its fail].
    return { pass: 1 - Math.min(1, pair.fail + rest / 2), neglected: pair.neglected + rest / 2 };
  }

  return {
    get missing() {
      return missing;
    },
    /**
     * Historical mode, when exactly one count metric's ratio rules read a rate the reference gives
     * a range for (`rateSupports`) and the reference stands for a cell of that rate's law
     * (`rateCell`, both set by baselineLaw.ts): the matrix of c(n, cell) that every window with
     * these conditions shares (cellCheckMatrix.ts, memoised per scenario in SharedLaws.matrices);
     * one pass over a window's n reads its check averaged over every cell. Else null (the caller sums
     * over n at the reference's value — the same value a step function read there would give).
     *
     * With t(n, R) = min(t_abs(n), the largest x with !(x/n > k·R)) (k the smallest maxRatio),
     *   P(pass; R) = Σ_n P(n) · other(n) · P(Bin(n, p) ≤ t(n, R)),
     * other(n) the other factors at n, and t(n, ·) steps up by one at each breakpoint
     * R*(x, n) = the least double r with !(x/n > k·r) — the controller's comparison, found exactly
     * by stepping r an ulp at a time from x/n/k. Per n (once for all windows) the row holds
     * P(Bin ≤ t(n, low)), the jumps P(Bin = x) and the breakpoints R*(x, n) of the steps over the
     * range; the matrix turns a block's breakpoints into P(R < R*(x, n)) in one batch (`below.many`).
     * Cost: a new n O(1 + steps of t over the range); a window O(range of n) per cell.
     */
    historicalMatrix(reference: BaselineReference, minRequests: number): HistoricalMatrix | null {
      const supports = reference.rateSupports;
      const cell = cellOf(reference);
      if (!supports || !cell || concurrent) return null;
      const varying = counts.filter(
        (entry) => entry.active && supports[entry.metric] !== undefined && rulesOn(stage, entry.metric).ratio.length > 0,
      );
      if (varying.length !== 1 || varying[0].metric !== cell.metric) return null;
      const entry = varying[0];
      const metric = entry.metric;
      const [low, high] = supports[metric]!;
      const { absolute, ratio } = rulesOn(stage, metric);
      let absoluteLimit = Infinity;
      for (const rule of absolute) absoluteLimit = Math.min(absoluteLimit, limitOf(rule));
      let smallestRatio = Infinity;
      for (const rule of ratio) smallestRatio = Math.min(smallestRatio, limitOf(rule));
      const others = counts.filter((other) => other !== entry && other.active);
      // Everything the rows read but n (the window's law and the cell's bounds are read per window).
      const key = [
        tolerance,
        minRequests,
        latencyKey,
        cell.key,
        others.map((other) => `${other.metric}:${other.p}:${other.fixedLimit}`).join(','),
        metric,
        entry.p,
        absoluteLimit,
        smallestRatio,
        low,
        high,
      ].join('|');
      let matrix = shared.matrices.get(key);
      if (!matrix) {
        // FIFO within the budget: a matrix is a pure function of its key, so an evicted one is rebuilt alike.
        let held = 0;
        for (const kept of shared.matrices.values()) held += kept.size;
        for (const [oldKey, kept] of shared.matrices) {
          if (held <= keptMatrixDoubles) break;
          held -= kept.size;
          shared.matrices.delete(oldKey);
          // The handles hold their matrices: forget them all (each is found again at its next call).
          shared.handles = new WeakMap();
        }
        const below = cell.below;
        const rows = binomialRows(shared, entry.p, tolerance);
        const p = entry.p;
        const rowAt = (n: number): CheckRow => {
          let other = 1;
          let neglected = 0;
          for (const factor of others) {
            other *= sharedBinomialAtMost(shared, n, factor.p, largestPassingCount(n, factor.fixedLimit), tolerance);
            neglected += binomialNeglected;
          }
          if (activeLatency.length > 0 && other > 0) {
            other *= fixedLatencyAt(n);
            neglected += latencyNeglected;
          }
          const absoluteCount = largestPassingCount(n, absoluteLimit);
          const lowCount = Math.min(absoluteCount, largestPassingCount(n, smallestRatio * low));
          const highCount = Math.min(absoluteCount, largestPassingCount(n, smallestRatio * high));
          let atMost = rowsAtMost(rows, n, p, lowCount, tolerance);
          const atLow = atMost;
          let rowNeglected = binomialNeglected;
          const steps = rowSteps;
          const jumps = rowJumps;
          steps.length = 0;
          jumps.length = 0;
          if (other > 0)
            for (let x = lowCount + 1; x <= highCount; x++) {
              const upTo = rowsAtMost(rows, n, p, x, tolerance);
              rowNeglected = Math.max(rowNeglected, binomialNeglected);
              if (upTo > atMost) {
                steps.push(leastRateAllowing(x, n, smallestRatio));
                jumps.push(upTo - atMost);
              }
              atMost = upTo;
            }
          return {
            other,
            atLow,
            rates: steps,
            jumps: jumps,
            neglected: neglected + rowNeglected,
          };
        };
        matrix = new CellCheckMatrix(rowAt, below.many, minRequests, [below(low), below(nextUp(high))]);
        shared.matrices.set(key, matrix);
      }
      return { matrix, missing, metric };
    },
    /**
     * Historical mode: n → P(every rule passes | n), its left-out mass in `historicalNeglected`.
     * Each count metric's factor is P(Bin(n, p) ≤ t(n)) with t(n) the largest count within its
     * fixed limit (the controller's comparison), read from the scenario's binomial rows; the
     * latency factor from the scenario's table for these levels. Allocates nothing per n.
     */
    historicalFactors(): (n: number) => number {
      const active = counts.filter((entry) => entry.active);
      const limits = active.map((entry) => entry.fixedLimit);
      const probabilities = active.map((entry) => entry.p);
      const rows = active.map((entry) => binomialRows(shared, entry.p, tolerance));
      const hasLatency = activeLatency.length > 0;
      return (n: number): number => {
        let pass = 1;
        let neglected = 0;
        for (let k = 0; k < rows.length; k++) {
          pass *= rowsAtMost(rows[k], n, probabilities[k], largestPassingCount(n, limits[k]), tolerance);
          neglected += binomialNeglected;
        }
        if (hasLatency && pass > 0) {
          pass *= fixedLatencyAt(n);
          neglected += latencyNeglected;
        }
        historicalNeglected = neglected;
        return pass;
      };
    },
    hasRatio,
    /** Concurrent mode: the one count metric compared with the control, when no other rule is (else null). */
    singleConcurrentCount(): { metric: 'errorRate' | 'timeoutRate'; p: number; fixedLimit: number; ratioThresholds: number[] } | null {
      if (!concurrent || activeLatency.some((entry) => entry.ratioThresholds.length > 0)) return null;
      const ratios = counts.filter((entry) => entry.ratioThresholds.length > 0);
      return ratios.length === 1 ? ratios[0] : null;
    },
    /** Concurrent mode: the one latency percentile compared with the control, when nothing else is (else null). */
    singleConcurrentLatency(): (typeof latencyMetrics)[number] | null {
      if (!concurrent || counts.some((entry) => entry.ratioThresholds.length > 0)) return null;
      const ratios = activeLatency.filter((entry) => entry.ratioThresholds.length > 0);
      return ratios.length === 1 ? ratios[0].metric : null;
    },
    /**
     * P(every rule passes, n₀ ≥ minRequests | n) given the control's bucket law `marginal` (index →
     * probability, total P(n₀ ≥ minRequests)): the count groups' fixed factors times
     * Σ_j marginal(j)·P(latency rules pass with the ratio percentile's limit from bucket j | n).
     */
    passGivenControlBucket(n: number, marginal: Map<number, number>): { pass: number; neglected: number } {
      let pass = 1;
      let neglected = 0;
      for (const entry of counts) {
        const factor = countFactor(entry, n, null);
        pass *= factor.pass;
        neglected += factor.neglected;
      }
      const ranks = activeLatency.map((entry) => sketchRank(entry.q, n));
      const r = activeLatency.findIndex((entry) => entry.ratioThresholds.length > 0);
      const latency = passOverControlBuckets(r, n, ranks, marginal);
      return { pass: pass * latency.pass, neglected: neglected + latency.neglected };
    },
    /** P(every group but `metric`'s passes | n), with fixed limits only. */
    passGivenExcept(n: number, metric: 'errorRate' | 'timeoutRate'): { pass: number; neglected: number } {
      let pass = 1;
      let neglected = 0;
      for (const entry of counts) {
        if (entry.metric === metric) continue;
        const factor = countFactor(entry, n, null);
        pass *= factor.pass;
        neglected += factor.neglected;
      }
      const lat = latencyFactor(n, null);
      return { pass: pass * lat.pass, neglected: neglected + lat.neglected };
    },
    passGiven(n: number, control: { n0: number; control: ControlFactors } | null): { pass: number; neglected: number } {
      let pass = 1;
      let neglected = 0;
      for (const entry of counts) {
        const factor = countFactor(entry, n, control);
        pass *= factor.pass;
        neglected += factor.neglected;
        if (pass === 0) return { pass: 0, neglected };
      }
      const lat = latencyFactor(n, control);
      return { pass: pass * lat.pass, neglected: neglected + lat.neglected };
    },
  };
}
