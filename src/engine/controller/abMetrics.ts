/**
 * The A/B stage decided on several metrics with roles (`AbTest.metrics`), by the rule of
 * Schultzberg, Ankargren & Frånberg, "Risk-aware product decisions in A/B tests with multiple
 * metrics" (arXiv 2402.11609, 2024) as stats/multiMetricDecision.ts implements it:
 *
 *   ship (advance)  ⇔ some success metric improved (superiority, one-sided at a/S for S success metrics)
 *                     ∧ every guardrail is non-inferior (one-sided at a with its margin; a not split)
 *                     ∧ no metric is significantly worse (one-sided deterioration test at a);
 *   roll back       ⇔ some metric is significantly worse;
 *
 * with a = alpha/2: the test's `alpha` stays the two-sided level it is for the single success
 * rate, each one-sided test gets one side of it (so a single success metric tests exactly as the
 * single-metric test does, at ±z_{1−α/2}).
 *
 * Planned sample: per metric, what it needs at its level with power 1 − β/(G + 1) for G
 * guardrails (`multiMetricSampleSize`), its control rate, mean, standard deviation, delta-method
 * variance and CUPED correlation estimated from the control's data of the stage once each metric
 * has `guards.minRequests` units (or the test's `baselineRate` for the success rate; `sampleSize`
 * overrides it for every metric). The test's information is the smallest share of its plan any
 * metric has reached, min_i n_i/N_i — the sample is "the maximum over metrics" when the metrics
 * share their units, and stays right when they do not (outcomes vs users).
 *
 * Looks, by design (the same statistics, `abMetricEstimate.ts`):
 * - fixed: once, when the information reaches 1; nominal one-sided p-values;
 * - groupSequential: when the information reaches the next k/K (and 1 at the last look), each
 *   test against the Lan–DeMets boundary of its own one-sided level a' (a two-sided design at 2a',
 *   lookBoundaries.ts); the decision is fed the boundary-equivalent p-value
 *   1 − Φ(z − b_k + z_{1−a'}), below a' exactly when z ≥ b_k; a hypothesis rejected at a look
 *   stays rejected (running minimum);
 * - alwaysValid: every window, the one-sided mSPRT p-value of each test (Johari et al. 2022;
 *   the mixture over N(θ0, τ²) with τ = the minimum effect for success metrics and the margin for
 *   guardrails), its running minimum counted only when the estimate lies on the alternative's side.
 * The test ENDS without showing a difference (`'inconclusive'`, then `onInconclusive`) when it
 * reaches its planned maximum information neither shipping nor rolling back: the fixed design's
 * look, the group-sequential final look, the always-valid design's planned sample (its maximum).
 */

import type { ArmWindow, WindowMetrics } from '../metrics/windowMetrics.ts';
import type { AbMetric } from '../policy/policy.ts';
import { mixtureLikelihoodRatio } from '../stats/alwaysValid.ts';
import { bivariateMomentsFromSums, bivariateMomentsValue, swappedSums } from '../stats/bivariateMoments.ts';
import { normalQuantile, normalSf } from '../stats/distributions.ts';
import type { MetricDesign, MetricResult, MetricVerdict } from '../stats/multiMetricDecision.ts';
import { multiMetricDecision, multiMetricSampleSize } from '../stats/multiMetricDecision.ts';
import { ratioMetricSummary } from '../stats/ratioMetric.ts';
import type { CompiledAbMetric, MetricEstimate } from './abMetricEstimate.ts';
import { metricEstimate, metricUnits } from './abMetricEstimate.ts';
import type { CompiledPolicy, CompiledStage } from './compilePolicy.ts';
import type { AbConclusion, ControllerState } from './controllerState.ts';
import type { DecisionReason } from './decision.ts';
import { decisionReason } from './decision.ts';
import { fourSignificantDigits as show } from './formatSignificant.ts';
import { lookBoundary, lookInformationFraction } from './lookBoundaries.ts';

/** Where the metric list's test is (kept in `state.ab.metrics`; plain JSON). */
export interface AbMetricsState {
  /** Planned units per arm, per metric, once known. */
  plannedUnits: Record<string, number> | null;
  /**
   * Per metric, the running minimum of its role's test p-value (superiority or non-inferiority)
   * and of its deterioration p-value — design-adjusted for the group-sequential design (module
   * comment); 1 before any evidence.
   */
  pValues: Record<string, { test: number; deterioration: number }>;
}

const compiledMetrics = new WeakMap<CompiledStage, CompiledAbMetric[] | null>();

/**
 * The A/B stage's metric list, resolved (cached per compiled stage), or null when the test decides
 * on the success rate alone. Defaults: direction higher-is-better for success metrics and
 * lower-is-better for guardrails; a listed `'successRate'` success metric without its own
 * minimumEffect takes the test's. The policy was validated when compiled.
 */
export function abMetricsOf(compiled: CompiledPolicy, stage: CompiledStage): CompiledAbMetric[] | null {
  const known = compiledMetrics.get(stage);
  if (known !== undefined) return known;
  const source = compiled.policy.stages[stage.index];
  const list: AbMetric[] | undefined = source.kind === 'ab' ? source.test.metrics : undefined;
  const metrics =
    list === undefined
      ? null
      : list.map(
          (metric): CompiledAbMetric => ({
            name: metric.name,
            kind: metric.kind,
            role: metric.role,
            direction: metric.direction ?? (metric.role === 'success' ? 'higher-is-better' : 'lower-is-better'),
            minimumEffect:
              metric.role === 'success' ? (metric.minimumEffect ?? (source.kind === 'ab' ? source.test.minimumEffect : NaN)) : NaN,
            margin:
              metric.margin === undefined
                ? null
                : 'absolute' in metric.margin
                  ? { value: metric.margin.absolute, relative: false }
                  : { value: metric.margin.relative, relative: true },
            cuped: metric.cuped === true,
          }),
        );
  compiledMetrics.set(stage, metrics);
  return metrics;
}

/** The metrics for which one of the window's arms carries no data (success-rate counts or `values[name]`). */
export function missingAbMetrics(
  metrics: readonly CompiledAbMetric[],
  control: ArmWindow | undefined,
  candidate: ArmWindow | undefined,
): string[] {
  const has = (arm: ArmWindow | undefined, metric: CompiledAbMetric): boolean =>
    arm !== undefined && (metric.name === 'successRate' ? arm.outcomes !== undefined : arm.values?.[metric.name] !== undefined);
  return metrics.filter((metric) => !(has(control, metric) && has(candidate, metric))).map((metric) => metric.name);
}

/**
 * Why an arm's cumulative metric values (`ArmWindow.valuesSince`) cannot replace the stage's
 * totals, or null when they can (or are additive): they start after the A/B stage started (its
 * first users would be missing from the sums), or some metric's count is smaller than the stage
 * totals' (cumulative counts of users seen only grow: values that go backwards were reset or mixed
 * up); and, once the stage has cumulative values, a window whose values are per window (they
 * cannot be added to cumulative sums) or accumulate since another time. The message names the
 * field. O(metrics).
 */
export function cumulativeValuesProblem(
  state: ControllerState,
  control: ArmWindow | undefined,
  candidate: ArmWindow | undefined,
): string | null {
  for (const [label, arm, totals] of [
    ['control', control, state.stageControl],
    ['candidate', candidate, state.stageCandidate],
  ] as const) {
    if (arm?.values === undefined) continue;
    if (arm.valuesSince === undefined) {
      if (totals.valuesSince !== undefined) {
        return `${label}.valuesSince is missing after cumulative values since ${totals.valuesSince} in this stage: per-window values cannot be added to cumulative ones`;
      }
      continue;
    }
    if (totals.valuesSince !== undefined && arm.valuesSince !== totals.valuesSince) {
      return `${label}.valuesSince ${arm.valuesSince} differs from the stage's earlier cumulative values (since ${totals.valuesSince}): the accumulation must not restart within the stage`;
    }
    if (arm.valuesSince > state.stageStartTime) {
      return `${label}.valuesSince ${arm.valuesSince} is after the A/B stage's start ${state.stageStartTime}: cumulative values must cover the whole stage`;
    }
    for (const name in arm.values) {
      const before = totals.values?.[name]?.count ?? 0;
      if (arm.values[name].count < before) {
        return `${label}.values.${name}.count ${arm.values[name].count} is smaller than the previous cumulative count ${before}: cumulative values (valuesSince) cannot go backwards`;
      }
    }
  }
  return null;
}

/** The window without its arms' metric values (what the health rules may still read of a refused window). */
export function withoutMetricValues(window: WindowMetrics): WindowMetrics {
  const strip = (arm: ArmWindow | undefined): ArmWindow | undefined => {
    if (arm === undefined) return undefined;
    const { values: _values, valuesSince: _since, ...rest } = arm;
    return rest;
  };
  const result: WindowMetrics = { startTime: window.startTime, duration: window.duration };
  const control = strip(window.control);
  const candidate = strip(window.candidate);
  if (control) result.control = control;
  if (candidate) result.candidate = candidate;
  return result;
}

/** What the sizer needs of one metric, estimated from the control's data, or why not yet. */
function metricDesign(metric: CompiledAbMetric, state: ControllerState, stage: CompiledStage): MetricDesign | string {
  const test = stage.ab!;
  const common = {
    name: metric.name,
    role: metric.role,
    direction: metric.direction,
    ...(metric.role === 'success' ? { minimumEffect: metric.minimumEffect } : {}),
    ...(metric.margin !== null ? { margin: metric.margin.value, relative: metric.margin.relative } : {}),
  };
  const clampRate = (rate: number) => Math.min(Math.max(rate, 1e-4), 1 - 1e-4);
  if (metric.name === 'successRate') {
    let rate = test.baselineRate;
    if (rate === null && state.baseline.outcomes >= 100) rate = state.baseline.successes / state.baseline.outcomes;
    if (rate === null && state.stageControl.outcomes >= stage.minRequests)
      rate = state.stageControl.successes / state.stageControl.outcomes;
    if (rate === null) return `successRate: ${state.stageControl.outcomes} control outcomes, ${stage.minRequests} needed to plan`;
    return { ...common, kind: 'proportion', baseline: clampRate(rate) };
  }
  const sums = state.stageControl.values?.[metric.name];
  const units = sums?.count ?? 0;
  if (sums === undefined || units < Math.max(2, stage.minRequests)) {
    return `${metric.name}: ${units} control units, ${Math.max(2, stage.minRequests)} needed to plan`;
  }
  if (metric.kind === 'ratio') {
    const moments = bivariateMomentsFromSums(swappedSums(sums));
    if (!(moments.meanX > 0)) return `${metric.name}: the control's ratio denominator is 0`;
    const summary = ratioMetricSummary(moments, 'control');
    if (!(summary.perUnitVariance > 0)) return `${metric.name}: no variance yet in the control`;
    return { ...common, kind: 'ratio', baseline: summary.ratio, standardDeviation: Math.sqrt(summary.perUnitVariance) };
  }
  const summary = bivariateMomentsValue(bivariateMomentsFromSums(sums));
  if (metric.kind === 'proportion') return { ...common, kind: 'proportion', baseline: clampRate(summary.meanX) };
  if (!(summary.varianceX > 0)) return `${metric.name}: no variance yet in the control`;
  const correlation = metric.cuped && Number.isFinite(summary.correlation) ? summary.correlation : 0;
  return {
    ...common,
    kind: 'mean',
    baseline: summary.meanX,
    standardDeviation: Math.sqrt(summary.varianceX),
    cupedCorrelation: correlation,
  };
}

/** Planned units per metric (module comment), or null with the reason when not yet known. */
function planUnits(state: ControllerState, stage: CompiledStage, metrics: readonly CompiledAbMetric[], reasons: DecisionReason[]) {
  const test = stage.ab!;
  if (test.sampleSize !== null) return Object.fromEntries(metrics.map((metric) => [metric.name, test.sampleSize as number]));
  const designs: MetricDesign[] = [];
  for (const metric of metrics) {
    const design = metricDesign(metric, state, stage);
    if (typeof design === 'string') {
      reasons.push(
        decisionReason('abTest', 'sampleSize', null, null, `A/B metrics: waiting for control data to plan the sample size (${design})`),
      );
      return null;
    }
    designs.push(design);
  }
  try {
    const plan = multiMetricSampleSize({ metrics: designs, alpha: test.alpha / 2, power: test.power });
    return Object.fromEntries(plan.metrics.map((metric) => [metric.name, metric.nPerArm]));
  } catch (error) {
    reasons.push(
      decisionReason('abTest', 'sampleSize', null, null, `A/B metrics: the sample size cannot be planned: ${(error as Error).message}`),
    );
    return null;
  }
}

const verdictText: Record<MetricVerdict, string> = {
  improved: 'improved',
  'not-improved': 'not improved',
  'non-inferior': 'non-inferior',
  'inferiority-not-excluded': 'non-inferiority not shown',
  deteriorated: 'significantly worse',
};

/**
 * Folds the stage's totals into the metric list's test at this window (module comment): plans,
 * looks when the design says so, and sets `state.ab.conclusion` to 'candidateBetter' (ship),
 * 'candidateWorse' (a metric significantly worse) or 'inconclusive' (ended without either).
 * Pushes one reason per metric at a look (its verdict, difference, z and p) and a summary.
 * Returns the conclusion, or null while the test runs. Cost O(metrics), plus a boundary
 * computation per level at a group-sequential look (cached, lookBoundaries.ts).
 */
export function runAbMetrics(
  state: ControllerState,
  stage: CompiledStage,
  metrics: readonly CompiledAbMetric[],
  reasons: DecisionReason[],
): AbConclusion | null {
  const test = stage.ab!;
  const ab = state.ab;
  if (ab.conclusion !== null) return ab.conclusion;
  const progress = (ab.metrics ??= { plannedUnits: null, pValues: {} });
  const side = test.alpha / 2;
  const successCount = metrics.filter((metric) => metric.role === 'success').length;
  progress.plannedUnits ??= planUnits(state, stage, metrics, reasons);
  const planned = progress.plannedUnits;
  let fraction = Infinity;
  for (const metric of metrics) {
    const units = Math.min(metricUnits(metric, state.stageControl), metricUnits(metric, state.stageCandidate));
    if (planned !== null) fraction = Math.min(fraction, units / planned[metric.name]);
  }
  const design = test.design;

  // When to look, and how a z statistic becomes the p-value the decision reads.
  let isFinal: boolean;
  let lookLabel: string;
  let adjust: ((z: number, level: number) => number) | null = null;
  if (design.type === 'fixed') {
    if (planned === null) return null;
    if (fraction < 1) {
      reasons.push(
        decisionReason(
          'abTest',
          'informationFraction',
          fraction,
          1,
          `A/B metrics, fixed horizon: ${show(fraction)} of the planned sample (the smallest share of any metric); no peeking before it`,
        ),
      );
      return null;
    }
    isFinal = true;
    lookLabel = 'fixed horizon, at the planned sample';
    adjust = (z) => normalSf(z);
  } else if (design.type === 'groupSequential') {
    if (planned === null) return null;
    const looks = design.looks;
    const k = ab.lookFractions.length + 1;
    const current = Math.min(1, fraction);
    if (k > looks || current < k / looks) {
      reasons.push(
        decisionReason(
          'abTest',
          'informationFraction',
          current,
          Math.min(1, k / looks),
          `A/B metrics, group-sequential: information ${show(current)}, next look ${k} of ${looks} at ${show(k / looks)}`,
        ),
      );
      return null;
    }
    const previous = ab.lookFractions.length > 0 ? ab.lookFractions[ab.lookFractions.length - 1] : 0;
    isFinal = current >= 1 || k === looks;
    const lookFraction = isFinal ? 1 : lookInformationFraction(current, previous);
    ab.lookFractions.push(lookFraction);
    const fractions = ab.lookFractions;
    lookLabel = `group-sequential look ${k} of ${looks} at information ${show(lookFraction)} (${design.spending})`;
    adjust = (z, level) => normalSf(z - lookBoundary(fractions, isFinal, 2 * level, design.spending) + normalQuantile(1 - level));
  } else {
    isFinal = planned !== null && fraction >= 1;
    lookLabel = `always-valid, ${planned === null ? 'maximum sample not planned yet' : `${show(Math.min(1, fraction))} of the planned maximum sample`}`;
  }

  const results: MetricResult[] = [];
  const estimates: (MetricEstimate | string)[] = [];
  for (const metric of metrics) {
    const estimate = metricEstimate(metric, state.stageControl, state.stageCandidate);
    estimates.push(estimate);
    const running = (progress.pValues[metric.name] ??= { test: 1, deterioration: 1 });
    if (typeof estimate !== 'string') {
      const testZ = metric.role === 'success' ? estimate.superiorityZ : estimate.nonInferiorityZ;
      const testLevel = metric.role === 'success' ? side / successCount : side;
      if (adjust !== null) {
        running.test = Math.min(running.test, adjust(testZ, testLevel));
        running.deterioration = Math.min(running.deterioration, adjust(estimate.deteriorationZ, side));
      } else {
        // Always-valid: one-sided mSPRT on the good scale s·Δ (module comment).
        const sign = metric.direction === 'higher-is-better' ? 1 : -1;
        const good = sign * estimate.difference;
        const variance = estimate.standardError ** 2;
        const scale = metric.role === 'success' ? metric.minimumEffect : estimate.absoluteMargin;
        const nullValue = metric.role === 'success' ? 0 : -estimate.absoluteMargin;
        if (good > nullValue) running.test = Math.min(running.test, 1 / mixtureLikelihoodRatio(good, variance, scale * scale, nullValue));
        if (good < 0) running.deterioration = Math.min(running.deterioration, 1 / mixtureLikelihoodRatio(good, variance, scale * scale, 0));
      }
    }
    results.push({
      name: metric.name,
      role: metric.role,
      pValue: Math.min(1, running.test),
      deteriorationPValue: Math.min(1, running.deterioration),
    });
  }
  const decision = multiMetricDecision(results, side);
  const deteriorated = decision.metrics.some((metric) => metric.verdict === 'deteriorated');
  if (decision.ship) ab.conclusion = 'candidateBetter';
  else if (deteriorated) ab.conclusion = 'candidateWorse';
  else if (isFinal) ab.conclusion = 'inconclusive';

  metrics.forEach((metric, i) => {
    const estimate = estimates[i];
    const verdict = decision.metrics[i];
    const testName = metric.role === 'success' ? 'superiority' : 'non-inferiority';
    const threshold = metric.role === 'success' ? metric.minimumEffect : typeof estimate === 'string' ? NaN : estimate.absoluteMargin;
    const role = `${metric.kind}${metric.cuped ? ', CUPED' : ''}, ${metric.role}, ${metric.direction}`;
    if (typeof estimate === 'string') {
      reasons.push(
        decisionReason(
          'abTest',
          metric.name,
          null,
          threshold,
          `${metric.name} (${role}): not testable yet — ${estimate}: ${verdictText[verdict.verdict]}`,
        ),
      );
      reasons[reasons.length - 1].verdict = verdict.verdict;
      return;
    }
    const z = metric.role === 'success' ? estimate.superiorityZ : estimate.nonInferiorityZ;
    const against = metric.role === 'success' ? `minimum effect ${show(metric.minimumEffect)}` : `margin ${show(estimate.absoluteMargin)}`;
    reasons.push(
      decisionReason(
        'abTest',
        metric.name,
        estimate.difference,
        threshold,
        `${metric.name} (${role}): control ${show(estimate.control)}, candidate ${show(estimate.candidate)}, difference ${show(estimate.difference)} (SE ${show(estimate.standardError)}, ${against}, ${estimate.units} units per arm); ${testName} z ${show(z)}, p ${show(verdict.pValue)} vs ${show(verdict.threshold)}; worse: z ${show(estimate.deteriorationZ)}, p ${show(results[i].deteriorationPValue ?? 1)} vs ${show(side)}: ${verdictText[verdict.verdict]}`,
        z,
        verdict.pValue,
      ),
    );
    reasons[reasons.length - 1].verdict = verdict.verdict;
  });
  const outcome =
    ab.conclusion === 'candidateBetter'
      ? 'ship'
      : ab.conclusion === 'candidateWorse'
        ? 'roll back'
        : ab.conclusion === 'inconclusive'
          ? 'ended without showing a difference'
          : 'continue';
  reasons.push(decisionReason('abTest', 'abMetrics', null, side, `A/B metrics (${lookLabel}): ${outcome} — ${decision.reason}`));
  return ab.conclusion;
}
