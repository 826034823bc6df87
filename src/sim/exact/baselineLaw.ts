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
 * Nodes: the central range of E's lattice (all but `tolerance` of its mass) is cut into `nodes`
 * bins of equal mass; a node is a bin's mass and the rate at its conditional mean count,
 * Ē/(Ē + E[M]). This is a discretisation of a law whose spread is ~1/√E[E] relative (0.3% for a
 * day at 100 req/s and 1% errors): the evaluator's answer converges as the nodes double, and the
 * tests state the difference between 16 and 32 nodes. With rules on both the error and the
 * timeout rate, the timeout count given the error bin is Binomial(Ē, p_both/p_error) (the
 * requests that did both) plus an independent Poisson (timeouts only), binned the same way:
 * nodes × nodes product nodes.
 *
 * `neglected` adds the mass of the truncated tails, P(N < the stage's minimum requests at its
 * minimum duration) (the chain advances the baseline at its minimum duration) and P(some window
 * has no control request) (such a window holds instead of counting).
 *
 * Latency references are request-weighted MEANS of the windows' percentiles (armTotals.ts): no
 * tractable exact law; each node carries a bracket holding them except with probability 1e-9
 * (latencyBaselineBracket.ts, added to `neglected`), and the check is evaluated at both ends.
 */
import type { CompiledPolicy } from '../../engine/controller/compilePolicy.ts';
import type { HealthMetric } from '../../engine/policy/policy.ts';
import { expectedArrivals } from '../traffic.ts';
import type { World } from '../world.ts';
import { conditionsAt, emptyConditions } from '../world.ts';
import type { BaselineReference } from './checkLaw.ts';
import { defaultTolerance, ExactUnsupportedError } from './checkLaw.ts';
import type { CountLaw } from './countRange.ts';
import { binomialLaw, poissonLaw } from './countRange.ts';
import type { BaselineWindowLatency } from './latencyBaselineBracket.ts';
import { latencyBaselineBracket } from './latencyBaselineBracket.ts';

/** One node of the baseline's law. */
export interface BaselineNode {
  weight: number;
  reference: BaselineReference;
}

/** The baseline's law as weighted nodes, and the probability mass the nodes leave out. */
export interface BaselineLaw {
  nodes: BaselineNode[];
  neglected: number;
}

/** Settings of `baselineLaw`. */
export interface BaselineLawOptions {
  /** Bins per measured rate (default 16; 8 per rate when both error and timeout rates are read). */
  nodes?: number;
  tolerance?: number;
}

/**
 * Cuts a lattice law into `bins` bins of (about) equal mass — each point goes to the bin its
 * cumulative mid-mass falls in — and returns [mass, conditional mean][] of the non-empty bins.
 */
export function equalMassBins(law: CountLaw, bins: number): [number, number][] {
  const total = law.pmf.reduce((a, b) => a + b, 0);
  const mass = new Float64Array(bins);
  const moment = new Float64Array(bins);
  let before = 0;
  for (let i = 0; i < law.pmf.length; i++) {
    const p = law.pmf[i];
    const bin = Math.min(bins - 1, Math.floor(((before + p / 2) / total) * bins));
    mass[bin] += p;
    moment[bin] += p * (law.first + i);
    before += p;
  }
  const result: [number, number][] = [];
  for (let j = 0; j < bins; j++) if (mass[j] > 0) result.push([mass[j], moment[j] / mass[j]]);
  return result;
}

/** The metrics read by historical ratio rules in the policy's serving stages. */
function referencedMetrics(compiled: CompiledPolicy): Set<HealthMetric> {
  const metrics = new Set<HealthMetric>();
  for (const stage of compiled.stages) for (const rule of stage.rules) if (rule.type === 'ratio') metrics.add(rule.metric);
  return metrics;
}

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
    time += duration;
    passed += duration;
  }
  const totalMean = both + errorOnly + timeoutOnly + neither;
  // P(N < minimum requests), N ~ Poisson(totalMean): the baseline would not advance at its minimum duration.
  let short = 0;
  if (stage.baselineMinRequests > 0) {
    const law = poissonLaw(totalMean, tolerance);
    for (let i = 0; i < law.pmf.length && law.first + i < stage.baselineMinRequests; i++) short += law.pmf[i];
    if (law.first > 0) short += law.neglected;
  }
  let neglected = short + Math.min(1, emptyWindow);
  // Latency references: a bracket each (latencyBaselineBracket.ts), the same for every node.
  const latencyBrackets: Partial<Record<HealthMetric, readonly [number, number]>> = {};
  for (const metric of latency) {
    const bracket = latencyBaselineBracket(metric, latencyWindows, world.controlLatency, 1e-9);
    latencyBrackets[metric] = [bracket.low, bracket.high];
    neglected += bracket.spent;
  }
  const withBrackets = (node: BaselineNode): BaselineNode => {
    if (latency.length === 0) return node;
    const reference = { ...node.reference, latencyBrackets };
    for (const metric of latency) reference[metric] = (latencyBrackets[metric]![0] + latencyBrackets[metric]![1]) / 2;
    return { weight: node.weight, reference };
  };
  const readsErrors = metrics.has('errorRate');
  const readsTimeouts = metrics.has('timeoutRate');
  const meanRequests = totalMean;
  const reference = (errors: number, timeouts: number): BaselineReference => ({
    errorRate: errors / meanRequests,
    timeoutRate: timeouts / meanRequests,
    latencyP50: NaN,
    latencyP95: NaN,
    latencyP99: NaN,
  });
  const bins = options.nodes ?? (readsErrors && readsTimeouts ? 8 : 16);
  if (!readsErrors && !readsTimeouts)
    return { nodes: [withBrackets({ weight: 1, reference: reference(both + errorOnly, both + timeoutOnly) })], neglected };
  const nodes: BaselineNode[] = [];
  const errorMean = both + errorOnly;
  const timeoutMean = both + timeoutOnly;
  if (readsErrors !== readsTimeouts) {
    const law = poissonLaw(readsErrors ? errorMean : timeoutMean, tolerance);
    neglected += law.neglected;
    for (const [weight, count] of equalMassBins(law, bins)) {
      // E/(E + M) at the bin's mean count and M's mean: the other requests' spread is √(E[M]), ≪ E[M].
      const rate = count / (count + (totalMean - (readsErrors ? errorMean : timeoutMean)));
      nodes.push({ weight, reference: { ...reference(errorMean, timeoutMean), [readsErrors ? 'errorRate' : 'timeoutRate']: rate } });
    }
    return { nodes: nodes.map(withBrackets), neglected };
  }
  // Both rates: the error count's bins, then the timeout count given the bin's error count.
  const errorLaw = poissonLaw(errorMean, tolerance);
  neglected += errorLaw.neglected;
  for (const [errorWeight, errors] of equalMassBins(errorLaw, bins)) {
    const errorCount = Math.round(errors);
    const shared = binomialLaw(errorCount, errorMean > 0 ? both / errorMean : 0, tolerance);
    const own = poissonLaw(timeoutOnly, tolerance);
    // The convolution of the two lattice laws.
    const pmf = new Float64Array(shared.pmf.length + own.pmf.length - 1);
    for (let a = 0; a < shared.pmf.length; a++) for (let b = 0; b < own.pmf.length; b++) pmf[a + b] += shared.pmf[a] * own.pmf[b];
    const timeoutLaw: CountLaw = { first: shared.first + own.first, pmf, neglected: shared.neglected + own.neglected };
    neglected += errorWeight * timeoutLaw.neglected;
    for (const [timeoutWeight, timeouts] of equalMassBins(timeoutLaw, bins)) {
      // N given the error bin: its errors and the others' mean (as in the one-rate case).
      const requests = errors + (totalMean - errorMean);
      nodes.push({
        weight: errorWeight * timeoutWeight,
        reference: { ...reference(0, 0), errorRate: errors / requests, timeoutRate: timeouts / requests },
      });
    }
  }
  return { nodes: nodes.map(withBrackets), neglected };
}
