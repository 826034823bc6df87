/**
 * The law of the historical baseline's measurement — the reference every historical ratio rule
 * compares with (`totalsMetric(state.baseline, metric)`): the exact evaluator runs its chain once
 * per node of this law and averages (the baseline's own noise integrated over, not ignored).
 *
 * The baseline stage's windows are [0, c), [c, 2c), … (c its check interval) until its minimum
 * duration, each with the control's conditions at its midpoint (faults and outages included),
 * as the simulator draws them: control serves all N ~ Poisson(Λᵢ) arrivals of window i, and by
 * Poisson thinning (Kingman, "Poisson Processes", 1993, §5.1) the requests that error and time
 * out, error only, time out only, or neither are independent Poisson counts, over the whole
 * stage with means Σᵢ Λᵢ·pₑᵢ·pₜᵢ, … So the baseline's error count E and its other requests
 * M = N − E are independent Poissons, and its error rate is E/(E + M).
 *
 * Nodes and cells: R = E/(E + M) with E and M independent Poissons, its distribution function
 * F summed exactly over E's range with M's survival. Both E's and M's spread are in the law (an
 * earlier version put M at its mean: a silent approximation). n cells of equal width in R between
 * its quantiles at 1/(4n²) and 1 − 1/(4n²), the end cells reaching out to the tails
 * (`equalWidthCells`); each cell's mass P(cut ≤ R < next cut) exact (`rateBelow`, the controller's
 * floating-point rate), a node at its median. Each node's reference carries its cell
 * (`rateCell`, as a U-interval of R = F⁻¹(U)) and the range of R (`rateSupports`): a check whose
 * pass probability is a step function of R (healthCheckLaw.ts, `historicalCurve`) returns its
 * AVERAGE over the cell, other checks their value at the node.
 *
 * Accuracy. The chain's outcome probability is multi-affine in the windows' check laws (a path
 * visits each window once), so running it on the cell averages is the chain with an independent
 * draw of R per window within the cell: the first-order error of a point node (the staircase of
 * the lattice counts, a noise of about 1/n that made the midpoint rule converge erratically) is
 * gone; what is left is second order, the covariance of the windows' checks within a cell, ≤
 * ½(e^{2V} − 1 − 2V) per cell with V = Σ over the windows a path may visit (each window counts,
 * identical ones too) of the check's oscillation over the cell. The evaluator does not compute
 * that bound: it still estimates the error from n, n/2 and n/4 nodes (evaluateExact.ts). Near a
 * rule's limit V is large (≈ 0.16 a cell at 16 nodes for baselineLaw.test.ts's 1.6× candidate:
 * a bound of ~1e-2 where the error is ~1e-4), so the bound would need far more nodes than the
 * estimate; a single window has no second-order term at all (tested: exact at any node count). That covariance grows with the cell's variance of R: equal-mass cells
 * (the quantile cells tried first) leave it to the two tail cells, equal widths spread it evenly.
 * Measured on scenarios/identical-candidate.json (18:30–18:50 UTC 2026-12-04), P(rollback) at
 * 4, 8, 16, 32, 64, 128, 256, 512 nodes:
 * - the framework default without A/B: equal-width cells 0.0151318877, …8470, …8353, …8297,
 *   …8291, …8286, …8282, …8281 (at 16 nodes 9.5e-8 neglected in all: answered at the default
 *   1e-6, where point nodes were refused); quantile cells 0.0151318969, …8557, …8396, …8330,
 *   …8302, …8290, …8284, …8281; point nodes at 16 … 8192 nodes 0.0151292, …1332, …1305, …1315,
 *   …1309, …1313, …1320, …1316, …1320, …1319 — within ~1e-7 of the cells' limit only at thousands;
 * - 2 h baseline, error ratio 2× at 5% and 100% (evaluateExact.test.ts): equal-width
 *   0.0424540411, …512655, …503545, …500532, …499594, …499305, …499197, …499149; quantile cells
 *   0.0424548336, …519506, …507835, …502941, …500869, …499945, …499503, …499297; point nodes at
 *   8192: 0.0424497857;
 * - a candidate with 1.6× the errors (baselineLaw.test.ts's end-to-end case, error rule only),
 *   the check near its limit, error against ≈ 0.6231192: equal-width 1.0e-4, 9.6e-6, 8.2e-7 at
 *   16, 64, 256 nodes; quantile cells 1.7e-4, 2.8e-5, 5e-6; point nodes 1.7e-4, 1.8e-5, 1.6e-5
 *   (erratic in between).
 * The error at n was ≈ 0.4–0.7 of the last difference in every case, so the evaluator's 2 × the
 * larger of two differences covers it ~3×. The first-order bound the issue proposed,
 * Koksma–Hlawka |error| ≤ V/(2n) with V the total variation of the windows' fail probabilities
 * over R's range (1e-9 quantiles), measured V = 0.0124 for the framework default (6,200 nodes for
 * 1e-6, 620 for 1e-5) and 0.118 for the 2 h baseline (58,800 and 5,880): too many nodes, hence
 * the cells.
 *
 * With ratio rules on both the error and the timeout rate the two rates share N and the requests
 * that did both: the nodes are then a product of cells, each rate's cells cut at its marginal
 * quantiles, with the cells' exact joint probabilities as weights (`jointRateNodes`,
 * jointBaselineRates.ts), checks read at the nodes (no cell averaging in two dimensions yet). A
 * rate with probability 0 in every window is surely 0 (no timeout configured): a point mass, no
 * law to discretise.
 *
 * `neglected` adds the mass of the truncated tails, P(N < the stage's minimum requests at its
 * minimum duration) (the chain advances the baseline at its minimum duration) and P(some window
 * has no control request) (such a window holds instead of counting).
 *
 * Latency references are the POOLED percentiles of the baseline windows' sketches (armTotals.ts:
 * the quantile of their merged sketch), whose law is exact: atoms on sketch buckets
 * (pooledQuantileLaw.ts). The nodes are split by them — each node's reference carries the atom's
 * value, its weight times the atom's probability — and the chain runs once per (rate node,
 * atom). The reference is shared by every window of the rollout, so the chain conditions on it;
 * the references' dependence on one another and on the rates (they read the same requests) is
 * handled as latencyReferenceLaw.ts says: a reference with one atom (the lab's: the pooled p50
 * and p95 of a day of requests sit in one bucket but for ~2e-12) is that value, with the mass
 * of its other atoms neglected — a bound whatever the dependence; one spread reference (several
 * atoms) against a random rate gets the exact joint weights of (rate cell, atom), summed over
 * the baseline's request count N (`jointCellAtomWeights`), two spread references the joint
 * weights of (rate cell, atom, atom) (`jointPairWeights`); a third spread reference, or spread
 * ones against both rates, are read at their most likely bucket with the rest neglected and the
 * reason in `notes` (quoted by the evaluator's refusals). In the windowed mode the errors and timeouts of a
 * window are drawn independently of its latencies given its request count
 * (src/sim/windowsOrderStatistics.ts, module comment), which is what makes the joint weights a
 * sum over N alone.
 */
import type { CompiledPolicy } from '../../engine/controller/compilePolicy.ts';
import type { HealthMetric } from '../../engine/policy/policy.ts';
import { firstAtOrAfter } from '../firstAtOrAfter.ts';
import { expectedArrivals } from '../traffic.ts';
import type { World } from '../world.ts';
import { conditionsAt, emptyConditions } from '../world.ts';
import type { BaselineReference } from './checkLaw.ts';
import { defaultTolerance, ExactUnsupportedError } from './checkLaw.ts';
import type { CountLaw } from './countRange.ts';
import { poissonLaw } from './countRange.ts';
import { jointRateCells } from './jointBaselineRates.ts';
import type { CellAtomWeights, LatencyReferenceLaw } from './latencyReferenceLaw.ts';
import { jointCellAtomWeights, jointPairWeights, latencyReferenceLaw, readAtMostLikely } from './latencyReferenceLaw.ts';
import type { BaselineWindowLatency } from './pooledQuantileLaw.ts';

/** One node of the baseline's law. */
export interface BaselineNode {
  weight: number;
  reference: BaselineReference;
}

/** The baseline's law as weighted nodes, and the probability mass the nodes leave out. */
export interface BaselineLaw {
  nodes: BaselineNode[];
  neglected: number;
  /**
   * Why mass is neglected beyond the sums' truncation, one sentence each (latencyReferenceLaw.ts
   * `notes`: a latency reference read at its most likely bucket); absent or empty: nothing else.
   * The evaluator's refusals for numerical tolerance quote them.
   */
  notes?: string[];
}

/** Settings of `baselineLaw`. */
export interface BaselineLawOptions {
  /** Nodes of the measured rate's law (default 16). */
  nodes?: number;
  tolerance?: number;
}

/** The metrics read by historical ratio rules in the policy's serving stages. */
function referencedMetrics(compiled: CompiledPolicy): Set<HealthMetric> {
  const metrics = new Set<HealthMetric>();
  for (const stage of compiled.stages) for (const rule of stage.rules) if (rule.type === 'ratio') metrics.add(rule.metric);
  return metrics;
}

/** Memo by scenario of the node sets (by their means, tolerance and node count). */
const nodesByScenario = new WeakMap<object, Map<string, unknown>>();

/**
 * The latency references' laws by metrics, control latency law, baseline windows and tolerance
 * (a pure function of the key: pooledQuantileLaw.ts per metric), the 32 latest kept — shared
 * across scenarios: the lab's healthy and regressed worlds have the same control.
 */
const latencyMemo = new Map<string, LatencyReferenceLaw>();

/**
 * The law of the historical baseline's reference for `compiled` in `world` (module comment).
 * Throws `ExactUnsupportedError` for a baseline stage that is not the
 * first stage. Cost: O(baseline windows + nodes² + √(expected errors)).
 */
export function baselineLaw(world: World, compiled: CompiledPolicy, options: BaselineLawOptions = {}): BaselineLaw {
  const tolerance = options.tolerance ?? defaultTolerance;
  const metrics = referencedMetrics(compiled);
  const latency = [...metrics].filter((metric) => metric.startsWith('latency'));
  const stage = compiled.stages.find((candidate) => candidate.kind === 'baseline');
  if (!stage) throw new ExactUnsupportedError(['historical baseline without a baseline stage'], 'the policy has no baseline stage');
  if (stage.index !== 0)
    throw new ExactUnsupportedError(['baseline stage after another stage'], `the baseline stage is stage ${stage.index}`);
  const scenario = world.scenario;
  if (scenario.traffic.arrivals.kind === 'replay')
    throw new ExactUnsupportedError(
      ['historical baseline with replayed arrivals'],
      'the baseline totals of a replayed trace are fixed counts with binomial errors: not implemented',
    );
  const control = emptyConditions();
  const candidate = emptyConditions();
  // Σ over the windows: means of the four thinned classes, and P(some window empty).
  let both = 0;
  let errorOnly = 0;
  let timeoutOnly = 0;
  let neither = 0;
  let emptyWindow = 0;
  const latencyWindows: BaselineWindowLatency[] = [];
  // Whether the error rate, the timeout probability and the latency multiplier are the same in
  // every baseline window (the joint weights of a spread latency reference need one of a rate's
  // and the latency's to be: latencyReferenceLaw.ts).
  const firstConditions: number[] = [];
  const sameAcross = { errorRate: true, timeoutRate: true, latency: true };
  let time = 0;
  let passed = 0;
  while (passed < stage.minDuration && time < scenario.horizon) {
    const duration = Math.min(stage.checkInterval, scenario.horizon - time);
    const expected = expectedArrivals(scenario.traffic, time, time + duration);
    conditionsAt(world, time + duration / 2, 0, control, candidate);
    const pe = control.errorRate;
    const pt = control.timeoutProbability;
    both += expected * pe * pt;
    errorOnly += expected * pe * (1 - pt);
    timeoutOnly += expected * (1 - pe) * pt;
    neither += expected * (1 - pe) * (1 - pt);
    emptyWindow += Math.exp(-expected);
    latencyWindows.push({ expected, multiplier: control.latencyMultiplier });
    if (firstConditions.length === 0) firstConditions.push(pe, pt, control.latencyMultiplier);
    sameAcross.errorRate &&= pe === firstConditions[0];
    sameAcross.timeoutRate &&= pt === firstConditions[1];
    sameAcross.latency &&= control.latencyMultiplier === firstConditions[2];
    time += duration;
    passed += duration;
  }
  const totalMean = both + errorOnly + timeoutOnly + neither;
  // Memo per scenario (the count laws, the node sets, the joint weights): pure functions of their
  // keys; evaluateExact asks for n, n/2 and n/4 nodes for every setting of a sweep.
  let memo = nodesByScenario.get(scenario);
  if (!memo) {
    memo = new Map();
    nodesByScenario.set(scenario, memo);
  }
  // P(N < minimum requests), N ~ Poisson(totalMean): the baseline would not advance at its minimum duration.
  let short = 0;
  if (stage.baselineMinRequests > 0) {
    const shortKey = `short|${totalMean}|${tolerance}|${stage.baselineMinRequests}`;
    const known = memo.get(shortKey) as number | undefined;
    if (known !== undefined) short = known;
    else {
      const law = poissonLaw(totalMean, tolerance);
      for (let i = 0; i < law.pmf.length && law.first + i < stage.baselineMinRequests; i++) short += law.pmf[i];
      if (law.first > 0) short += law.neglected;
      memo.set(shortKey, short);
    }
  }
  let neglected = short + Math.min(1, emptyWindow);
  // Latency references: their law (latencyReferenceLaw.ts), the same for every rate node. The
  // control's latency law, the windows, the metrics and the tolerance determine it (the law in
  // the key too: a scenario edited in place cannot make an entry stale).
  const windowsKey = latency.length === 0 ? '' : latencyWindows.map((window) => `${window.expected}:${window.multiplier}`).join(',');
  const latencyKey = `${[...latency].sort().join(',')}|${JSON.stringify(scenario.control.latency)}|${windowsKey}|${tolerance}`;
  let latencyLaw: LatencyReferenceLaw | null = null;
  if (latency.length > 0) {
    latencyLaw = latencyMemo.get(latencyKey) ?? null;
    if (latencyLaw === null) {
      latencyLaw = latencyReferenceLaw(latency, latencyWindows, world.controlLatency, tolerance);
      if (latencyMemo.size >= 32) latencyMemo.delete(latencyMemo.keys().next().value as string);
      latencyMemo.set(latencyKey, latencyLaw);
    }
  }
  // A rate whose every window has probability 0 is surely measured as 0: no law to discretise.
  const readsErrors = metrics.has('errorRate') && both + errorOnly > 0;
  const readsTimeouts = metrics.has('timeoutRate') && both + timeoutOnly > 0;
  // A spread latency reference is weighted jointly with ONE random rate (`jointCellAtomWeights`)
  // when, given N, that rate and the latency are independent (one of them the same in every
  // window); otherwise it is read at its most likely bucket, the rest neglected and noted.
  if (latencyLaw?.spread && readsErrors && readsTimeouts)
    latencyLaw = readAtMostLikely(latencyLaw, 'its joint law with both the error and the timeout rate is not summed here');
  else if (
    latencyLaw?.spread &&
    (readsErrors || readsTimeouts) &&
    !(sameAcross[readsErrors ? 'errorRate' : 'timeoutRate'] || sameAcross.latency)
  )
    latencyLaw = readAtMostLikely(
      latencyLaw,
      `the baseline's ${readsErrors ? 'error rate' : 'timeout probability'} and latency both vary across its windows, so a request's ${readsErrors ? 'error' : 'timeout'} and latency are dependent given the request count`,
    );
  if (latencyLaw !== null) neglected += latencyLaw.neglected;
  const notes = latencyLaw?.notes ?? [];
  const spread = latencyLaw?.spread ?? null;
  const paired = latencyLaw?.paired ?? null;
  // The latency combinations a node is split by: index c = i·(paired atoms) + k for the spread
  // reference's atom i and the paired one's atom k (one combination per spread atom without a
  // paired reference; none without a spread one).
  const pairedAtoms = paired === null ? 1 : paired.atoms.length;
  const combinations = spread === null ? 0 : spread.atoms.length * pairedAtoms;
  /** The node with the latency references set: the fixed ones, and combination `combination`'s atoms (its weight the caller's). */
  const withLatency = (node: BaselineNode, combination?: number): BaselineNode => {
    if (latencyLaw === null) return node;
    const reference: BaselineReference = { ...node.reference, ...latencyLaw.fixed };
    if (spread !== null && combination !== undefined) {
      reference[spread.metric] = spread.atoms[Math.floor(combination / pairedAtoms)].value;
      if (paired !== null) reference[paired.metric] = paired.atoms[combination % pairedAtoms].value;
    }
    return { weight: node.weight, reference };
  };
  /**
   * The combinations' weights jointly with the rate's cells `cuts` (null: no random rate), memoised
   * by `key`: per spread atom (and paired atom) summed over N (latencyReferenceLaw.ts).
   */
  const combinationWeights = (key: string, rate: { probability: number; cuts: readonly number[] } | null): Float64Array => {
    let found = memo.get(key) as CellAtomWeights | undefined;
    if (!found) {
      const requests = poissonLaw(totalMean, tolerance);
      const references = spread as NonNullable<typeof spread>;
      found =
        paired !== null
          ? jointPairWeights(requests, rate, [references, paired], latencyWindows, world.controlLatency, tolerance)
          : rate !== null
            ? jointCellAtomWeights(
                requests,
                rate.probability,
                rate.cuts,
                references.level,
                references.atoms,
                latencyWindows,
                world.controlLatency,
                tolerance,
              )
            : { weights: Float64Array.from(references.atoms, (atom) => atom.probability), neglected: 0 };
      memo.set(key, found);
    }
    neglected += found.neglected;
    return found.weights;
  };
  /** Nodes of a rate law that is not random (or none): split by the latency combinations, weighted by their own law. */
  const splitByAtoms = (nodes: BaselineNode[]): BaselineNode[] => {
    if (spread === null) return nodes.map((node) => withLatency(node));
    const weights = combinationWeights(`combinations|${totalMean}|${latencyKey}`, null);
    const out: BaselineNode[] = [];
    for (const node of nodes)
      for (let c = 0; c < combinations; c++) out.push(withLatency({ weight: node.weight * weights[c], reference: node.reference }, c));
    return out;
  };
  const meanRequests = totalMean;
  const reference = (errors: number, timeouts: number): BaselineReference => ({
    errorRate: errors / meanRequests,
    timeoutRate: timeouts / meanRequests,
    latencyP50: NaN,
    latencyP95: NaN,
    latencyP99: NaN,
  });
  const bins = options.nodes ?? 16;
  if (!readsErrors && !readsTimeouts)
    return { nodes: splitByAtoms([{ weight: 1, reference: reference(both + errorOnly, both + timeoutOnly) }]), neglected, notes };
  const errorMean = both + errorOnly;
  const timeoutMean = both + timeoutOnly;
  if (readsErrors && readsTimeouts) {
    const jointKey = `joint|${both}|${errorOnly}|${timeoutOnly}|${neither}|${tolerance}|${bins}`;
    let joint = memo.get(jointKey) as JointRateNodes | undefined;
    if (!joint) {
      joint = jointRateNodes({ both, errorOnly, timeoutOnly, neither }, bins, tolerance);
      memo.set(jointKey, joint);
    }
    neglected += joint.neglected;
    const nodes: BaselineNode[] = [];
    for (const node of joint.nodes)
      nodes.push({
        weight: node.weight,
        reference: { ...reference(errorMean, timeoutMean), errorRate: node.errorRate, timeoutRate: node.timeoutRate },
      });
    return { nodes: nodes.map((node) => withLatency(node)), neglected, notes };
  }
  // One rate: its count C and the other requests O = N − C are independent Poissons (thinning).
  const countedMean = readsErrors ? errorMean : timeoutMean;
  const lawKey = `${countedMean}|${totalMean - countedMean}|${tolerance}`;
  // The two count laws, memoised: a day at 100 req/s puts ~35,000 terms in O's range, and every
  // setting of a sweep and every node count asks for the same two.
  const countsKey = `counts|${lawKey}`;
  let counts = memo.get(countsKey) as readonly [CountLaw, CountLaw] | undefined;
  if (!counts) {
    counts = [poissonLaw(countedMean, tolerance), poissonLaw(totalMean - countedMean, tolerance)] as const;
    memo.set(countsKey, counts);
  }
  const [counted, others] = counts;
  neglected += counted.neglected + others.neglected;
  const metric = readsErrors ? 'errorRate' : 'timeoutRate';
  // Every node lies between the quantiles at 1e-13 and 1 − 1e-13: the check law may tabulate each
  // window's check over that range once and read every node (and cell: the part of a cell outside
  // the range, ≤ 1e-13, is counted as neglected) from it.
  // (The same range for every node count, so n, n/2 and n/4 nodes read the same tables; a node
  // outside it would be summed directly.)
  const supportKey = `support|${lawKey}`;
  let support = memo.get(supportKey) as readonly [number, number] | undefined;
  if (!support) {
    const [low, high] = rateQuantiles(counted, others, [1e-13, 1 - 1e-13]);
    support = [low, high] as const;
    memo.set(supportKey, support);
  }
  const rateSupports = { [metric]: support };
  const belowKey = `below|${lawKey}`;
  let below = memo.get(belowKey) as RateBelow | undefined;
  if (!below) {
    below = rateBelow(counted, others);
    memo.set(belowKey, below);
  }
  const cellBelow = below;
  const cellsKey = `cells|${lawKey}|${bins}`;
  let cells = memo.get(cellsKey) as RateCells | undefined;
  if (!cells) {
    cells = equalWidthCells(counted, others, cellBelow, bins);
    memo.set(cellsKey, cells);
  }
  const kept = 1 - counted.neglected - others.neglected;
  // Spread latency references against this random rate: each (cell, combination) weighted by its
  // exact joint probability (latencyReferenceLaw.ts), memoised as the cells are.
  const joint =
    spread === null
      ? null
      : combinationWeights(`cellcombinations|${lawKey}|${bins}|${latencyKey}`, { probability: countedMean / totalMean, cuts: cells.cuts });
  const nodes: BaselineNode[] = [];
  for (let j = 0; j < cells.rates.length; j++) {
    const from = cells.bounds[j];
    const to = cells.bounds[j + 1];
    if (!(to > from)) continue;
    const node: BaselineNode = {
      weight: kept * (to - from),
      reference: {
        ...reference(errorMean, timeoutMean),
        [metric]: cells.rates[j],
        rateSupports,
        rateCell: { metric, from, to, below: cellBelow, key: lawKey },
      },
    };
    if (joint === null) nodes.push(withLatency(node));
    else
      for (let c = 0; c < combinations; c++) nodes.push(withLatency({ weight: joint[j * combinations + c], reference: node.reference }, c));
  }
  return { nodes, neglected, notes };
}

/**
 * The midpoint rule in probability for the rate R = C/(C + O) of two independent lattice laws:
 * the nodes F⁻¹((j + ½)/n), j = 0 … n − 1 (`rateQuantiles` at those levels). Each node stands
 * for 1/n of the mass: ∫₀¹ g(F⁻¹(u)) du ≈ (1/n)·Σ g(F⁻¹((j + ½)/n)) — a discretisation whose
 * error the evaluator estimates by halving n (evaluateExact.ts) and counts in its neglected mass.
 * Cost: O(n × 60 × |C's range| + |O's range|).
 */
export function rateQuantileNodes(counted: CountLaw, others: CountLaw, nodes: number): number[] {
  return rateQuantiles(
    counted,
    others,
    Array.from({ length: nodes }, (_, j) => (j + 0.5) / nodes),
  );
}

/**
 * Quantiles F⁻¹(u) = min{r : F(r) ≥ u} of R = C/(C + O), C and O independent lattice laws, at
 * each level u in (0, 1), with F(r) = P(R ≤ r) = Σ_c P(C = c)·P(O ≥ c(1 − r)/r) summed exactly
 * over C's range (O's survival from its prefix sums), normalised to the kept mass; found by 60
 * bisections (the upper end returned, within 2⁻⁶⁰ above the atom). Each F(r) visits only the c
 * whose threshold falls inside O's kept range (as `rateBelow`): the c below it count with all
 * of O, from C's prefix sums. Cost: O(levels × 60 × (log |C's range| + the c in O's range)).
 */
export function rateQuantiles(counted: CountLaw, others: CountLaw, levels: readonly number[]): number[] {
  // survival[i] = P(O ≥ others.first + i) within the kept range (normalised to the kept mass).
  const survival = new Float64Array(others.pmf.length + 1);
  for (let i = others.pmf.length - 1; i >= 0; i--) survival[i] = survival[i + 1] + others.pmf[i];
  const keptOthers = survival[0];
  // prefix[i] = Σ_{j < i} P(C = first + j), summed in order.
  const pmf = counted.pmf;
  const prefix = new Float64Array(pmf.length + 1);
  for (let i = 0; i < pmf.length; i++) prefix[i + 1] = prefix[i] + pmf[i];
  const keptCounted = prefix[pmf.length];
  const othersFirst = others.first;
  const othersLength = others.pmf.length;
  // O's survival at ⌈x⌉, x = c(1 − r)/r, with a relative slack for rounding at an atom of R (a few ulps).
  const index = (c: number, complement: number, r: number): number => Math.ceil(((c * complement) / r) * (1 - 1e-13)) - othersFirst;
  const cdf = (r: number): number => {
    if (r >= 1) return 1;
    const complement = 1 - r;
    // The index is non-decreasing in c (products and quotients by positive constants are
    // monotone in floating point): the c whose index is ≤ 0 (all of O counts; c = 0 among them)
    // form a prefix of C's range, those past O's range (none counts) a suffix; both ends by
    // bisection, and only the c between visited (rateBelow's skipping).
    let allEnd = 0;
    let to = pmf.length;
    while (allEnd < to) {
      const middle = (allEnd + to) >>> 1;
      if (index(counted.first + middle, complement, r) <= 0) allEnd = middle + 1;
      else to = middle;
    }
    let noneStart = allEnd;
    to = pmf.length;
    while (noneStart < to) {
      const middle = (noneStart + to) >>> 1;
      if (index(counted.first + middle, complement, r) < othersLength) noneStart = middle + 1;
      else to = middle;
    }
    let sum = prefix[allEnd] * keptOthers;
    for (let i = allEnd; i < noneStart; i++) sum += pmf[i] * survival[index(counted.first + i, complement, r)];
    return sum / (keptCounted * keptOthers);
  };
  return levels.map((u) => {
    let low = 0;
    let high = 1;
    for (let iteration = 0; iteration < 60; iteration++) {
      const middle = (low + high) / 2;
      if (cdf(middle) >= u) high = middle;
      else low = middle;
    }
    return high;
  });
}

/**
 * Cells of the rate's law in probability: cell j is U ∈ [bounds[j], bounds[j + 1]] — the rates
 * cuts[j − 1] ≤ R < cuts[j] (no cut below the first cell nor above the last) — its node `rates[j]`.
 */
interface RateCells {
  bounds: number[];
  rates: number[];
  cuts: number[];
}

/**
 * n cells of EQUAL WIDTH in the rate between its quantiles at ε = 1/(4n²) and 1 − ε, the two end
 * cells reaching out to the tails: cell j = {lowₑ + j·h ≤ R < lowₑ + (j + 1)·h} as U-intervals
 * [P(R < cut), P(R < next cut)] (`below`), its node the cell's median. Why not cells of equal
 * mass: with the check laws averaged over each cell the node average errs by about the mean
 * within-cell variance of R (baselineLaw's Accuracy), which equal-mass cells let the two tail cells
 * dominate (their variance falls only as 1/ln n); equal widths make it ≈ h²/12, falling as
 * (ln n)/n². Cost: O(n × |C's range|) for the cuts, as for the quantiles.
 */
function equalWidthCells(counted: CountLaw, others: CountLaw, below: (rate: number) => number, bins: number): RateCells {
  const epsilon = 1 / (4 * bins * bins);
  const [low, high] = rateQuantiles(counted, others, [epsilon, 1 - epsilon]);
  const width = (high - low) / bins;
  const bounds = [0];
  const cuts: number[] = [];
  for (let j = 1; j < bins; j++) {
    cuts.push(low + j * width);
    bounds.push(Math.min(1, Math.max(bounds[j - 1], below(low + j * width))));
  }
  bounds.push(1);
  const middles: number[] = [];
  for (let j = 0; j < bins; j++) middles.push((bounds[j] + bounds[j + 1]) / 2);
  return { bounds, rates: rateQuantiles(counted, others, middles), cuts };
}

/**
 * P(R < r) for one rate and for many at once (`rateBelow`): `many(rates, from, to)` replaces each
 * of rates[from … to) — in any order, repeats allowed — by P(R < rate), bit for bit the value the
 * one-rate form returns for it.
 */
export interface RateBelow {
  (rate: number): number;
  many(rates: Float64Array, from: number, to: number): void;
}

/** What the sums of `rateBelow` read: C's law with its prefix sums, O's survival. */
interface RateSums {
  /** P(C = first + i), C's kept range. */
  pmf: Float64Array;
  first: number;
  /** prefix[i] = Σ_{j < i} P(C = first + j). */
  prefix: Float64Array;
  /**
   * survival[i] = P(O ≥ othersFirst + i) within O's kept range, i = 0 … othersLength: survival[0]
   * is O's kept mass (all of O at or above), survival[othersLength] = 0 (none).
   */
  survival: Float64Array;
  othersFirst: number;
  othersLength: number;
  keptOthers: number;
}

/**
 * The index in `survival` of the least o with c/(c + o) < rate, k = (1 − rate)/rate, clamped to
 * [0, othersLength] (0: all of O counts, othersLength: none): c's term of `rateBelow`'s sum is
 * P(C = c)·survival[this]. An integer, so that a call the compiler does not inline returns it
 * without boxing a double. q = c·k ≈ c(1 − r)/r within 3 roundings (≤ 4e-16·q). The float rate
 * c/(c + o) is < r for every o above the real threshold c(1 − r)/r except where c/(c + o) lies
 * within half an ulp of r — o within ≈ 2⁻⁵³·(c + o) of the threshold — and never for o at or below
 * it (r is a double and rounding is monotone). So when q is farther than `margin` ≥
 * 1e-12·(c + q + 1) from every integer, the least o is ⌈q⌉ exactly, with no division to confirm
 * it; otherwise (q at or beside an integer: r at or next to an atom of R) the float search. Either
 * way the least o itself: the margin decides only how it is found.
 */
function survivalIndex(law: RateSums, c: number, k: number, margin: number, rate: number): number {
  const q = c * k;
  let o = Math.ceil(q);
  const above = o - q;
  if (!(above > margin && above < 1 - margin)) {
    o = Math.max(0, o - 2);
    while (!(c / (c + o) < rate)) o++;
    while (o > 0 && c / (c + o - 1) < rate) o--;
  }
  const index = o - law.othersFirst;
  // biome-ignore lint/complexity/useMathMinMax: Math.min(Math.max(…)) measured ~15% slower here (bench/exact's batch, 2026-12-05)
  return index <= 0 ? 0 : index >= law.othersLength ? law.othersLength : index;
}

/** `sum` plus the terms of c = first + from … first + to − 1 of a rate's sum, in that order. */
function addTerms(law: RateSums, sum: number, from: number, to: number, k: number, margin: number, rate: number): number {
  const pmf = law.pmf;
  const first = law.first;
  const survival = law.survival;
  for (let i = from; i < to; i++) sum += pmf[i] * survival[survivalIndex(law, first + i, k, margin, rate)];
  return sum;
}

/**
 * The least o is within a few units of ⌈c(1 − r)/r⌉; far outside O's kept range the answer is all
 * or nothing (and the float search would not move there).
 */
function guess(c: number, complement: number, rate: number): number {
  return Math.ceil((c * complement) / rate);
}

/** The c a rate's sum visits one by one: indices [allEnd, noneStart) of C's range, and its k and margin. */
interface RateSpan {
  allEnd: number;
  noneStart: number;
  k: number;
  margin: number;
}

/** Whether all of O counts for c (c = 0: R = 0; or the guess below O's range): true on a prefix of C's range. */
function allCount(c: number, complement: number, rate: number, othersFirst: number): boolean {
  return c === 0 || guess(c, complement, rate) < othersFirst - 2;
}

/**
 * `rateBelow`'s span of a rate 0 < rate ≤ 1: allEnd ends the prefix of C's range where all of O
 * counts (`allCount`), noneStart starts the suffix where none does (the guess above O's range);
 * the margin ≥ 1e-12·(c + q + 1) for every c visited. Each end is where its predicate turns
 * (monotone in c): tried first at the turn c·k would put it (k = (1 − r)/r), which two
 * evaluations confirm or refute — else bisection. The same ends either way (a monotone predicate
 * turns once); the guess saves ~20 of the bisections' 24 divisions a rate.
 */
function rateSpan(law: RateSums, rate: number, span: RateSpan): void {
  const first = law.first;
  const length = law.pmf.length;
  const othersFirst = law.othersFirst;
  const lastOther = othersFirst + law.othersLength - 1;
  const complement = 1 - rate;
  const k = complement / rate;
  let allEnd = Math.min(length, Math.max(0, Math.ceil((othersFirst - 2) / k) - first));
  if (
    !(
      (allEnd === 0 || allCount(first + allEnd - 1, complement, rate, othersFirst)) &&
      (allEnd === length || !allCount(first + allEnd, complement, rate, othersFirst))
    )
  ) {
    allEnd = 0;
    let to = length;
    while (allEnd < to) {
      const middle = (allEnd + to) >>> 1;
      if (allCount(first + middle, complement, rate, othersFirst)) allEnd = middle + 1;
      else to = middle;
    }
  }
  let noneStart = Math.min(length, Math.max(allEnd, Math.floor((lastOther + 2) / k) + 1 - first));
  if (
    !(
      (noneStart === allEnd || guess(first + noneStart - 1, complement, rate) <= lastOther + 2) &&
      (noneStart === length || guess(first + noneStart, complement, rate) > lastOther + 2)
    )
  ) {
    noneStart = allEnd;
    let to = length;
    while (noneStart < to) {
      const middle = (noneStart + to) >>> 1;
      if (guess(first + middle, complement, rate) <= lastOther + 2) noneStart = middle + 1;
      else to = middle;
    }
  }
  span.allEnd = allEnd;
  span.noneStart = noneStart;
  span.k = k;
  span.margin = 1e-12 * ((first + noneStart) * (1 + k) + 1);
}

/**
 * Σ_c P(C = c)·P(O ≥ the least o with c/(c + o) < rate) for 0 < rate ≤ 1, unnormalised: C's
 * prefix where all of O counts first, then the span's c ascending.
 */
function sumBelow(law: RateSums, rate: number, span: RateSpan): number {
  rateSpan(law, rate, span);
  return addTerms(law, law.prefix[span.allEnd] * law.keptOthers, span.allEnd, span.noneStart, span.k, span.margin, rate);
}

/**
 * `sumBelow` for two rates low < high at once, into sums[0] and sums[1]: each the same terms in
 * the same order, but the c both spans hold share one loop — two independent chains of additions,
 * the two rates reading neighbouring entries of O's survival. The spans' ends are non-decreasing
 * in the rate (the guess is non-increasing in r for every c: rounding is monotone), so low's span
 * starts and ends first: low's own c up to high's start, then the shared c, then high's own past
 * low's end. (Were they not, each sum alone.)
 */
function sumBelowPair(law: RateSums, low: number, high: number, lowSpan: RateSpan, highSpan: RateSpan, sums: Float64Array): void {
  rateSpan(law, low, lowSpan);
  rateSpan(law, high, highSpan);
  const { allEnd: lowAllEnd, noneStart: lowNoneStart, k: lowK, margin: lowMargin } = lowSpan;
  const { allEnd: highAllEnd, noneStart: highNoneStart, k: highK, margin: highMargin } = highSpan;
  let lowSum = law.prefix[lowAllEnd] * law.keptOthers;
  let highSum = law.prefix[highAllEnd] * law.keptOthers;
  if (lowAllEnd <= highAllEnd && lowNoneStart <= highNoneStart) {
    lowSum = addTerms(law, lowSum, lowAllEnd, Math.min(highAllEnd, lowNoneStart), lowK, lowMargin, low);
    const pmf = law.pmf;
    const first = law.first;
    const survival = law.survival;
    for (let i = highAllEnd; i < lowNoneStart; i++) {
      const c = first + i;
      const mass = pmf[i];
      lowSum += mass * survival[survivalIndex(law, c, lowK, lowMargin, low)];
      highSum += mass * survival[survivalIndex(law, c, highK, highMargin, high)];
    }
    highSum = addTerms(law, highSum, Math.max(highAllEnd, lowNoneStart), highNoneStart, highK, highMargin, high);
  } else {
    lowSum = addTerms(law, lowSum, lowAllEnd, lowNoneStart, lowK, lowMargin, low);
    highSum = addTerms(law, highSum, highAllEnd, highNoneStart, highK, highMargin, high);
  }
  sums[0] = lowSum;
  sums[1] = highSum;
}

/**
 * P(R < r) for R = C/(C + O) as the controller computes it (`errors / requests` in floating
 * point), C and O independent lattice laws normalised to their kept mass, memoised by r: for each
 * c the least o with c/(c + o) < r (the quotient falls as o grows) and O's survival there. R = 0
 * when c = 0. The check laws read it at every breakpoint of their step functions (thousands per
 * window and threshold), so the sum skips what it can: the guess ⌈c(1 − r)/r⌉ of the least o is
 * non-decreasing in c (floating-point products and quotients by positive constants are
 * monotone), so the c whose o lies below O's kept range (all of O counts) form a prefix of C's
 * range, summed from C's prefix sums, and those above it (none counts) a suffix, skipped; both
 * ends found by bisection (`rateSpan`). Only the c whose o falls in O's range — O's kept range
 * scaled by r/(1 − r), about √(E[C]/E[O]) of C's range (409 of 4,194 c on average for
 * bench/exact.ts's 24-hour baseline at a 1% error rate) — are visited one by one, each with one
 * product c·(1 − r)/r whose ceiling is the least o unless the product is within 1e-12 relative of
 * an integer (r at or beside an atom; then the float search, `survivalIndex`): the same o as the
 * search for every c, so the same values to the last bit (pinned in baselineLaw.test.ts). Cost
 * O(log |C's range| + the c in O's range) per new r. (The search took ~4 divisions per c, the
 * product a multiplication: bench/exact.ts's exact part 10.5–10.8 → 6.9–7.4 s CPU, 2026-12-04
 * 22:06 UTC, load ~3.5.)
 *
 * `many` answers a batch (cellCheckMatrix.ts asks for a block of rows' breakpoints at once): the
 * rates not yet known, sorted and distinct, two at a time (`sumBelowPair`), each sum the same
 * additions in the same order as one at a time, so the same doubles (tested against the one-rate
 * form at bench/exact.ts's law sizes, atoms and their neighbours included). What was tried, on
 * bench/exact.ts's covered policy (/work/briefs/tools/benchbatch.mjs: 20 settings × 2 worlds;
 * per round ~1.46M new rates and ~600M c in ~1,000 batches of ~1,430 new rates, ≈ 409 c a rate):
 * - c-major, as first planned — for each c the run of sorted rates whose span holds it, each
 *   adding to its own entry of a sums array: slower than one rate at a time (5.6 → 7.0 s CPU),
 *   the sums in memory instead of a register, and no locality won: neighbouring rates of a batch
 *   read O's survival ≈ c·Δk ≈ 300 entries apart, not neighbouring entries;
 * - rate-major over the sorted rates: no faster — a row's breakpoints ascend, so the rates arrive
 *   nearly sorted already and each rate's reads hit the lines its predecessor loaded;
 * - two rates per loop (kept): two independent chains of additions (one chain waits ~4 cycles a
 *   term) and one read of P(C = c) for two terms; four per loop was slower (registers spill);
 * - the per-c step returning O's survival INDEX (`survivalIndex`), an integer, instead of the
 *   survival value: a double returned from a call the compiler does not inline is boxed (GC).
 * With the memo's key beside its value (`doubleMemo`) and the span's ends guessed (`rateSpan`):
 * the batch 6.0 → 3.95 s CPU (medians of rounds 2–3, three alternating runs each against
 * 9432262's build; cold rounds 6.7–7.2 → 5.1–6.2 s), 2026-12-05 00:38 UTC, load ~3.3 (with the
 * check matrix's own changes, on c966111 against it with these files as at 9432262: 5.74 →
 * 3.47 s, cellCheckMatrix.ts); the sums
 * ~39% of the CPU (58% before), the memo's reads and writes ~23% (a lookup in a table of ~30 MB
 * is a cache miss; without the memo the batch was no faster: its hits, ~17% of the rates asked,
 * pay for it). Cost per new rate as for one, plus the batch's sort (O(m log m)).
 */
export function rateBelow(counted: CountLaw, others: CountLaw): RateBelow {
  const survival = new Float64Array(others.pmf.length + 1);
  for (let i = others.pmf.length - 1; i >= 0; i--) survival[i] = survival[i + 1] + others.pmf[i];
  const keptOthers = survival[0];
  const keptCounted = counted.pmf.reduce((a, b) => a + b, 0);
  const prefix = new Float64Array(counted.pmf.length + 1);
  for (let i = 0; i < counted.pmf.length; i++) prefix[i + 1] = prefix[i] + counted.pmf[i];
  const law: RateSums = {
    pmf: counted.pmf,
    first: counted.first,
    prefix,
    survival,
    othersFirst: others.first,
    othersLength: others.pmf.length,
    keptOthers,
  };
  const kept = keptCounted * keptOthers;
  const known = doubleMemo();
  const span: RateSpan = { allEnd: 0, noneStart: 0, k: 0, margin: 0 };
  const otherSpan: RateSpan = { allEnd: 0, noneStart: 0, k: 0, margin: 0 };
  const pair = new Float64Array(2);
  const one = (rate: number): number => {
    const cached = known.get(rate);
    if (!Number.isNaN(cached)) return cached; // NaN: not memoised
    const sum = rate > 1 ? kept : rate > 0 ? sumBelow(law, rate, span) : 0;
    const value = sum / kept;
    known.set(rate, value);
    return value;
  };
  // The batch's scratch, grown as needed: the positions of its new rates, and the new rates
  // (sorted, distinct) with their values.
  let waiting = new Int32Array(0);
  let pending = new Float64Array(0);
  let values = new Float64Array(0);
  const many = (rates: Float64Array, from: number, to: number): void => {
    if (to - from > pending.length) {
      const length = Math.max(to - from, 2 * pending.length);
      waiting = new Int32Array(length);
      pending = new Float64Array(length);
      values = new Float64Array(length);
    }
    // Memo hits answered at once; rates outside (0, 1] need no sum; the rest wait for the sums.
    let count = 0;
    for (let i = from; i < to; i++) {
      const rate = rates[i];
      const cached = known.get(rate);
      if (!Number.isNaN(cached)) rates[i] = cached;
      else if (!(rate > 0 && rate <= 1)) rates[i] = one(rate);
      else {
        waiting[count] = i;
        pending[count++] = rate;
      }
    }
    // Ascending, each once, two at a time.
    const sorted = pending.subarray(0, count).sort();
    let distinct = 0;
    for (let j = 0; j < count; j++) if (j === 0 || sorted[j] !== sorted[j - 1]) sorted[distinct++] = sorted[j];
    let j = 0;
    for (; j + 1 < distinct; j += 2) {
      sumBelowPair(law, sorted[j], sorted[j + 1], span, otherSpan, pair);
      values[j] = pair[0] / kept;
      values[j + 1] = pair[1] / kept;
    }
    if (j < distinct) values[j] = sumBelow(law, sorted[j], span) / kept;
    for (let j = 0; j < distinct; j++) known.set(sorted[j], values[j]);
    const found = sorted.subarray(0, distinct);
    for (let w = 0; w < count; w++) rates[waiting[w]] = values[firstAtOrAfter(found, rates[waiting[w]])];
  };
  return Object.assign(one, { many });
}

/**
 * A memo from doubles to doubles in an open-addressing table hashed on the key's bits (linear
 * probing, grown at half full): `get` returns NaN when the key is absent. `rateBelow`'s memo
 * holds every breakpoint rate of every check curve (hundreds of thousands); as a Map of number
 * keys its lookups cost more than the sums they saved (47% of rateBelow's profile, 2026-12-04).
 * Keys compare with ===, so a NaN key is never found: it is not stored, and NaN marks an empty
 * slot. Each key sits beside its value, so a lookup in a table far larger than the caches costs
 * one cache line, not three (separate key, value and occupancy arrays: `set` and `get` were 11%
 * and 14% of bench/exact.ts's CPU once the sums were paired, 2026-12-05).
 */
function doubleMemo(): { get(key: number): number; set(key: number, value: number): void } {
  let capacity = 1 << 12;
  // table[2i] the key of slot i (NaN: empty), table[2i + 1] its value.
  let table = new Float64Array(2 * capacity).fill(NaN);
  let size = 0;
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  /** The slot holding `key`, or the empty slot where it would go. */
  const slot = (key: number): number => {
    bits[0] = key;
    let hash = Math.imul(words[0] ^ Math.imul(words[1], 0x9e3779b1), 0x85ebca6b);
    hash ^= hash >>> 15;
    let index = hash & (capacity - 1);
    for (let held = table[2 * index]; !Number.isNaN(held) && held !== key; held = table[2 * index]) index = (index + 1) & (capacity - 1);
    return index;
  };
  return {
    get(key: number): number {
      return table[2 * slot(key) + 1];
    },
    set(key: number, value: number): void {
      if (Number.isNaN(key)) return;
      if (2 * (size + 1) > capacity) {
        const old = table;
        capacity *= 2;
        table = new Float64Array(2 * capacity).fill(NaN);
        for (let i = 0; i < old.length; i += 2)
          if (!Number.isNaN(old[i])) {
            const index = slot(old[i]);
            table[2 * index] = old[i];
            table[2 * index + 1] = old[i + 1];
          }
      }
      const index = slot(key);
      if (Number.isNaN(table[2 * index])) size++;
      table[2 * index] = key;
      table[2 * index + 1] = value;
    },
  };
}

/** The two-dimensional node set: one node per cell of the product, at the cell's midpoint quantiles, weighted exactly. */
export interface JointRateNodes {
  nodes: { weight: number; errorRate: number; timeoutRate: number }[];
  neglected: number;
}

/**
 * Cells per rate for `nodes` nodes in all: mₜ the largest divisor of `nodes` not above √nodes,
 * mₑ = nodes/mₜ (16 → 4 × 4, 8 → 4 × 2, 4 → 2 × 2; 64 → 8 × 8, 32 → 8 × 4), so that n, n/2 and
 * n/4 nodes refine one another along the axes as the evaluator's error estimate compares them.
 * Nodes a power of 4 halve each axis in turn; other counts refine as their divisors allow.
 */
export function jointCellCounts(nodes: number): { errorCells: number; timeoutCells: number } {
  let timeoutCells = 1;
  for (let d = 1; d * d <= nodes; d++) if (nodes % d === 0) timeoutCells = d;
  return { errorCells: nodes / timeoutCells, timeoutCells };
}

/**
 * The joint law of the baseline's error and timeout rates as a product of cells
 * (jointBaselineRates.ts): each rate's cells split at its marginal quantiles i/m, a node at each
 * cell's marginal midpoint quantiles ((i + ½)/m), weighted by the cell's exact joint probability.
 * Refuses (ExactUnsupportedError) when the requests' error and timeout are not independent over
 * the stage (the timeout probability varies across baseline windows along with the error rate).
 */
export function jointRateNodes(
  means: { both: number; errorOnly: number; timeoutOnly: number; neither: number },
  bins: number,
  tolerance: number,
): JointRateNodes {
  const { both, errorOnly, timeoutOnly, neither } = means;
  const total = both + errorOnly + timeoutOnly + neither;
  const errorMean = both + errorOnly;
  const timeoutMean = both + timeoutOnly;
  // Independence per request over the stage: P(both) = P(error)·P(timeout) (jointBaselineRates.ts).
  if (Math.abs(both * total - errorMean * timeoutMean) > 1e-9 * errorMean * timeoutMean) {
    throw new ExactUnsupportedError(
      ['historical baseline whose timeout probability varies across its windows with the error rate'],
      "given the request count, the baseline's error and timeout counts are then not independent binomials: their joint law is not discretised",
    );
  }
  const { errorCells, timeoutCells } = jointCellCounts(bins);
  // A cut F⁻¹(i/m) is an atom of the rate, found within the bisection's rounding slack (1e-13
  // relative, either side): raised by 1e-12 relative so the atom falls in the cell below, as
  // min{r : F(r) ≥ i/m} says. (Any cut gives a valid partition; this one is the stated one.)
  const aboveAtom = (cut: number) => cut * (1 + 1e-12);
  const cuts = (m: number) => Array.from({ length: m - 1 }, (_, i) => (i + 1) / m);
  const middles = (m: number) => Array.from({ length: m }, (_, i) => (i + 0.5) / m);
  const errors = poissonLaw(errorMean, tolerance);
  const notErrors = poissonLaw(total - errorMean, tolerance);
  const timeouts = poissonLaw(timeoutMean, tolerance);
  const notTimeouts = poissonLaw(total - timeoutMean, tolerance);
  const errorRates = rateQuantiles(errors, notErrors, middles(errorCells));
  const timeoutRates = rateQuantiles(timeouts, notTimeouts, middles(timeoutCells));
  const cells = jointRateCells(
    errorMean / total,
    timeoutMean / total,
    poissonLaw(total, tolerance),
    rateQuantiles(errors, notErrors, cuts(errorCells)).map(aboveAtom),
    rateQuantiles(timeouts, notTimeouts, cuts(timeoutCells)).map(aboveAtom),
    tolerance,
  );
  const nodes: JointRateNodes['nodes'] = [];
  for (let i = 0; i < errorCells; i++)
    for (let j = 0; j < timeoutCells; j++) {
      const weight = cells.weights[i * timeoutCells + j];
      if (weight > 0) nodes.push({ weight, errorRate: errorRates[i], timeoutRate: timeoutRates[j] });
    }
  return { nodes, neglected: cells.neglected };
}
