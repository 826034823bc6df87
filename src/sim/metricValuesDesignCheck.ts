/**
 * Type I error and power of the A/B designs on simulated metric values (issue 15, check (c)), at
 * the level of the statistics: each replicate simulates an A/B stage's windows in a fidelity mode,
 * keeps each arm's per-unit sums over the windows as a controller would — the latest window's
 * cumulative per-user sums (`ArmWindow.valuesSince`: the unit is the user over the stage, the
 * simulator's default), or, with `valueUnits: 'userWindow'`, the windows' sums added (user-windows
 * taken as independent units, the additive form) — and applies each design to the running totals:
 *
 * - fixed: one two-sided z-test at the end (after `windows` windows) at level α;
 * - groupSequential: `looks` equally spaced looks (by windows) with Lan–DeMets O'Brien–Fleming-type
 *   two-sided boundaries (`groupSequentialBoundaries`, α/2 per side), rejecting at the first look
 *   whose |z| reaches its boundary;
 * - alwaysValid: the mixture SPRT after every window (`updateAlwaysValidTest`, mixing variance τ²),
 *   rejecting when the always-valid p-value falls to α.
 *
 * The statistic per metric kind: a proportion — successes/outcomes, the unpooled difference of
 * proportions; a mean — the per-unit x (Welch variance), or CUPED's adjusted difference with the
 * pre-period y (`cupedTest`); a ratio — Σx/Σy with the delta method (`ratioDifferenceTest`).
 * A rejection counts whichever the sign (two-sided): under A/A its rate is the type I error, at
 * the planned effect the power. The simulation (`simulateLooks`: every analysis's running estimate
 * and variance after each window) is separate from the designs (`designRates`), so several
 * analyses and designs share one set of simulated windows. Pure: everything is drawn from
 * `streamFor(seed, replicate)`.
 */
import type { ArmWindow, WindowMetrics } from '../engine/metrics/windowMetrics.ts';
import { addValueSums, emptyValueSums } from '../engine/metrics/windowMetrics.ts';
import { streamFor } from '../engine/random/streams.ts';
import type { EffectEstimate } from '../engine/stats/alwaysValid.ts';
import {
  differenceInMeansEstimate,
  differenceInProportionsEstimate,
  initAlwaysValidTest,
  updateAlwaysValidTest,
} from '../engine/stats/alwaysValid.ts';
import type { BivariateSums } from '../engine/stats/bivariateMoments.ts';
import { bivariateMomentsFromSums, swappedSums } from '../engine/stats/bivariateMoments.ts';
import { cupedTest } from '../engine/stats/cuped.ts';
import { normalQuantile } from '../engine/stats/distributions.ts';
import { equallySpacedFractions, groupSequentialBoundaries } from '../engine/stats/groupSequential.ts';
import { ratioDifferenceTest } from '../engine/stats/ratioMetric.ts';
import type { ValueUnits } from './metricValuesWindow.ts';
import { parseScenario } from './scenario.ts';
import type { FidelityMode, WindowRequest } from './windowRequest.ts';
import { orderStatisticsWindows } from './windowsOrderStatistics.ts';
import { perRequestWindows } from './windowsPerRequest.ts';
import type { World } from './world.ts';
import { compileWorld, conditionsAt, emptyConditions } from './world.ts';

/** The metric a check tests: 'successRate' counts for a proportion, else a name of the scenario's values. */
export interface CheckedMetric {
  name: string;
  kind: 'proportion' | 'mean' | 'ratio';
  /** Mean metrics: CUPED with the pre-period y. */
  cuped?: boolean;
}

/** Settings of `simulateLooks`. */
export interface LookSimulationOptions {
  world: World;
  mode: FidelityMode;
  /** The analyses to trace, each on the same simulated windows. */
  metrics: readonly CheckedMetric[];
  /** Windows of the stage: the fixed design's sample and the others' maximum. */
  windows: number;
  /** Seconds per window. */
  windowDuration: number;
  seed: number | string;
  replicates: number;
  /** Candidate share of the A/B stage (default 0.5). */
  share?: number;
  /** The windows' units: 'user' (cumulative values, default) or 'userWindow' (per window, added). */
  valueUnits?: ValueUnits;
}

/** Per analysis, per replicate: the running estimate and its variance after each window (2·windows numbers). */
export type LookTraces = Float64Array[][];

/** Settings of `designRates`. */
export interface DesignOptions {
  /** Group-sequential looks, equally spaced; the number of windows must be a multiple. */
  looks: number;
  /** Two-sided level. */
  alpha: number;
  /** τ² of the always-valid test (effect units²). */
  mixingVariance: number;
}

/** One design's rejections. */
export interface DesignRate {
  rejections: number;
  rate: number;
  /** √(rate(1 − rate)/replicates). */
  standardError: number;
}

/** Result of `designRates`. */
export interface DesignCheckResult {
  replicates: number;
  fixed: DesignRate;
  groupSequential: DesignRate;
  alwaysValid: DesignRate;
  /** Mean over replicates of the final look's variance of the estimate (to plan an effect: Δ = (z_{α/2} + z_β)·√V). */
  meanFinalVariance: number;
  /** Mean over replicates of the final estimate. */
  meanFinalEstimate: number;
}

/** C3's sums (x = metric, y = denominator or covariate) as the stats functions' moments (x = denominator or covariate). */
export function statsMoments(sums: BivariateSums) {
  return bivariateMomentsFromSums(swappedSums(sums));
}

/** The estimate candidate − control and its variance for the running totals. */
export function metricEstimate(metric: CheckedMetric, control: ArmTotals, candidate: ArmTotals): EffectEstimate {
  if (metric.kind === 'proportion')
    return differenceInProportionsEstimate(control.successes, control.outcomes, candidate.successes, candidate.outcomes);
  if (metric.kind === 'ratio') {
    const test = ratioDifferenceTest(statsMoments(control.sums), statsMoments(candidate.sums));
    return { estimate: test.estimate, variance: test.standardError ** 2 };
  }
  if (metric.cuped) {
    const test = cupedTest(statsMoments(control.sums), statsMoments(candidate.sums));
    return { estimate: test.estimate, variance: test.standardError ** 2 };
  }
  const summary = (sums: BivariateSums) => ({
    mean: sums.sumX / sums.count,
    variance: Math.max(0, (sums.sumXSquares - (sums.sumX * sums.sumX) / sums.count) / (sums.count - 1)),
    count: sums.count,
  });
  return differenceInMeansEstimate(summary(control.sums), summary(candidate.sums));
}

/** One arm's running totals over the stage. */
export interface ArmTotals {
  successes: number;
  outcomes: number;
  sums: BivariateSums;
}

function addArm(into: ArmTotals, arm: ArmWindow | undefined, name: string): void {
  if (arm === undefined) return;
  into.successes += arm.successes ?? 0;
  into.outcomes += arm.outcomes ?? 0;
  const sums = arm.values?.[name];
  if (sums === undefined) return;
  // Cumulative values replace the totals (they hold the earlier windows' users); per-window values add.
  if (arm.valuesSince !== undefined) into.sums = { ...sums };
  else addValueSums(into.sums, sums);
}

function rate(rejections: number, replicates: number): DesignRate {
  const value = rejections / replicates;
  return { rejections, rate: value, standardError: Math.sqrt((value * (1 - value)) / replicates) };
}

/**
 * Simulates `replicates` A/B stages of `windows` windows and traces, for each analysis, the
 * running estimate and variance after every window. Cost: replicates × windows windows of the mode.
 */
export function simulateLooks(options: LookSimulationOptions): LookTraces {
  const { world, mode, metrics, windows, windowDuration, seed, replicates } = options;
  const control = emptyConditions();
  const candidate = emptyConditions();
  conditionsAt(world, windowDuration / 2, 0, control, candidate);
  const request: WindowRequest = {
    start: 0,
    duration: windowDuration,
    stageKind: 'ab',
    stageStart: 0,
    candidateShare: options.share ?? 0.5,
    mirrorShare: 0,
    needsLatency: false,
    needsOutcomes: true,
    needsSegments: false,
    control,
    candidate,
    candidateWorse: false,
  };
  const traces: LookTraces = metrics.map(() => []);
  for (let r = 0; r < replicates; r++) {
    const random = streamFor(seed, r);
    const units = options.valueUnits ?? 'user';
    const generator = mode === 'request' ? perRequestWindows(world, random, units) : orderStatisticsWindows(world, random, units);
    const totals = metrics.map((): [ArmTotals, ArmTotals] => [
      { successes: 0, outcomes: 0, sums: emptyValueSums() },
      { successes: 0, outcomes: 0, sums: emptyValueSums() },
    ]);
    const trace = metrics.map(() => new Float64Array(2 * windows));
    for (let w = 0; w < windows; w++) {
      request.start = w * windowDuration;
      const window: WindowMetrics = generator.next(request);
      for (let m = 0; m < metrics.length; m++) {
        addArm(totals[m][0], window.control, metrics[m].name);
        addArm(totals[m][1], window.candidate, metrics[m].name);
        const look = metricEstimate(metrics[m], totals[m][0], totals[m][1]);
        trace[m][2 * w] = look.estimate;
        trace[m][2 * w + 1] = look.variance;
      }
    }
    for (let m = 0; m < metrics.length; m++) traces[m].push(trace[m]);
  }
  return traces;
}

/** Each design's rejections over one analysis's traces (module comment). O(replicates × windows). */
export function designRates(traces: readonly Float64Array[], options: DesignOptions): DesignCheckResult {
  const { looks, alpha, mixingVariance } = options;
  const replicates = traces.length;
  const windows = traces[0].length / 2;
  if (!(Number.isInteger(looks) && looks >= 1 && windows % looks === 0))
    throw new RangeError(`looks must be a whole number dividing the windows (${windows}), got ${looks}`);
  const boundaries = groupSequentialBoundaries({ alpha, sides: 2, informationFractions: equallySpacedFractions(looks) }).z;
  const fixedBound = normalQuantile(1 - alpha / 2);
  const perLook = windows / looks;
  let fixed = 0;
  let sequential = 0;
  let alwaysValid = 0;
  let finalVariance = 0;
  let finalEstimate = 0;
  for (const trace of traces) {
    let test = initAlwaysValidTest({ alpha, mixingVariance });
    let sequentialRejected = false;
    let alwaysValidRejected = false;
    for (let w = 0; w < windows; w++) {
      const estimate = trace[2 * w];
      const variance = trace[2 * w + 1];
      test = updateAlwaysValidTest(test, { estimate, variance });
      if (test.pValue <= alpha) alwaysValidRejected = true;
      if ((w + 1) % perLook === 0 && variance > 0 && Math.abs(estimate / Math.sqrt(variance)) >= boundaries[(w + 1) / perLook - 1])
        sequentialRejected = true;
    }
    const estimate = trace[2 * windows - 2];
    const variance = trace[2 * windows - 1];
    if (variance > 0 && Math.abs(estimate / Math.sqrt(variance)) >= fixedBound) fixed += 1;
    if (sequentialRejected) sequential += 1;
    if (alwaysValidRejected) alwaysValid += 1;
    finalVariance += variance / replicates;
    finalEstimate += estimate / replicates;
  }
  return {
    replicates,
    fixed: rate(fixed, replicates),
    groupSequential: rate(sequential, replicates),
    alwaysValid: rate(alwaysValid, replicates),
    meanFinalVariance: finalVariance,
    meanFinalEstimate: finalEstimate,
  };
}

/** The laws of the design-check world that the candidate changes. */
interface DesignCheckArms {
  accuracy: number;
  revenueMean: number;
  costScale: number;
}

/**
 * The world of the design-check table: 300,000 uniform users at 1 request per second, so that in a
 * stage of 8 windows of 15 minutes (~7,200 requests) a user is active in two windows with
 * probability ≈ 0.1%, so users and user-windows nearly coincide (a smaller `population` makes them
 * return: the returning-users check).
 * Metrics: successes with accuracy 0.3 (proportion); revenue per user, Normal(50, 20²), pre-period
 * correlation 0.7 (mean, CUPED); cost per token, Gamma(2, scale) over Poisson(3) per request with
 * user effect σ_u = 0.5 (ratio, E = 2·scale/3).
 */
export function designCheckWorld(candidate: DesignCheckArms, population = 300_000): World {
  const model = (arms: DesignCheckArms) => ({
    latency: { kind: 'exponential', mean: 100 },
    errorRate: 0.01,
    accuracy: arms.accuracy,
    values: {
      revenue: { kind: 'perUser', value: { kind: 'normal', mean: arms.revenueMean, sd: 20 }, preCorrelation: 0.7 },
      cost: {
        kind: 'ratio',
        numerator: { kind: 'gamma', shape: 2, scale: arms.costScale },
        denominator: { kind: 'poisson', mean: 3 },
        userEffectSigma: 0.5,
      },
    },
  });
  const parsed = parseScenario({
    version: 1,
    name: 'design check',
    traffic: { requestsPerSecond: 1, users: { count: population } },
    control: model(designCheckControl),
    candidate: model(candidate),
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return compileWorld(parsed.scenario, 'design-check');
}

const designCheckControl: DesignCheckArms = { accuracy: 0.3, revenueMean: 50, costScale: 0.5 };

/** The analyses of the design-check table. */
export const designCheckAnalyses: readonly { label: string; metric: CheckedMetric }[] = [
  { label: 'proportion', metric: { name: 'successRate', kind: 'proportion' } },
  { label: 'mean', metric: { name: 'revenue', kind: 'mean' } },
  { label: 'mean with CUPED', metric: { name: 'revenue', kind: 'mean', cuped: true } },
  { label: 'ratio', metric: { name: 'cost', kind: 'ratio' } },
];

/** One row of the design-check table: an analysis under A/A and at its planned effect. */
export interface DesignCheckRow {
  label: string;
  /** Δ = (z_{1−α/2} + z_{power})·√V̄ with V̄ the A/A mean final variance. */
  plannedEffect: number;
  nullCell: DesignCheckResult;
  effectCell: DesignCheckResult;
}

/**
 * The design-check table (issue 15, check (c)): one A/A simulation traced by every analysis; the
 * planned effect of each from its mean final variance at `power`; one simulation with the
 * proportion, mean and ratio effects together (independent metrics: each analysis sees only its
 * own) and one with CUPED's smaller effect on the mean; each design applied to each (designRates,
 * τ² = Δ², Johari et al. 2022 §5). Cost: 3 × replicates × windows windows of the mode.
 */
export function designCheckTable(options: {
  mode: FidelityMode;
  replicates: number;
  seed: string;
  windows?: number;
  looks?: number;
  alpha?: number;
  power?: number;
}): DesignCheckRow[] {
  const { mode, replicates, seed, windows = 8, looks = 4, alpha = 0.05, power = 0.8 } = options;
  const zSum = normalQuantile(1 - alpha / 2) + normalQuantile(power);
  const simulate = (candidate: DesignCheckArms, metrics: CheckedMetric[], label: string) =>
    simulateLooks({
      world: designCheckWorld(candidate),
      mode,
      metrics,
      windows,
      windowDuration: 900,
      seed: `${seed}-${label}`,
      replicates,
    });
  const nullTraces = simulate(
    designCheckControl,
    designCheckAnalyses.map((analysis) => analysis.metric),
    'aa',
  );
  const planned = nullTraces.map((traces) => zSum * Math.sqrt(designRates(traces, { looks, alpha, mixingVariance: 1 }).meanFinalVariance));
  const [proportionEffect, meanEffect, cupedEffect, ratioEffect] = planned;
  const analyses = designCheckAnalyses.map((analysis) => analysis.metric);
  const effectTraces = simulate(
    {
      accuracy: designCheckControl.accuracy + proportionEffect,
      revenueMean: designCheckControl.revenueMean + meanEffect,
      // Σcost/Σtokens → 2·scale/3: Δ in the ratio is 3Δ/2 in the scale.
      costScale: designCheckControl.costScale + (3 * ratioEffect) / 2,
    },
    [analyses[0], analyses[1], analyses[3]],
    'effect',
  );
  const cupedTraces = simulate(
    { ...designCheckControl, revenueMean: designCheckControl.revenueMean + cupedEffect },
    [analyses[2]],
    'cuped',
  )[0];
  const effectByAnalysis = [effectTraces[0], effectTraces[1], cupedTraces, effectTraces[2]];
  return designCheckAnalyses.map((analysis, i) => {
    const designs = { looks, alpha, mixingVariance: planned[i] ** 2 };
    return {
      label: analysis.label,
      plannedEffect: planned[i],
      nullCell: designRates(nullTraces[i], designs),
      effectCell: designRates(effectByAnalysis[i], designs),
    };
  });
}
