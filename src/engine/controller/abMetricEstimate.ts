/**
 * One A/B metric's estimate of candidate − control and the z statistics of the three one-sided
 * tests the multi-metric rule uses (stats/multiMetricDecision.ts), from the stage's accumulated
 * totals: the success-rate counts, or the per-unit value sums of `ArmWindow.values` (the units are
 * users over the stage when the producer sends cumulative values — `valuesSince`, which the totals
 * take as they come, armTotals.ts — and user-windows when it sends per-window values, right only
 * when users do not return across windows).
 *
 * Everything is read on the metric's "good" scale, s·Δ with s = +1 when higher is better and −1
 * when lower is better, so each test rejects for a large z:
 * - superiority (success metrics):           z = s·Δ / SE             (H0: s·Δ ≤ 0);
 * - deterioration (every metric):            z = −s·Δ / SE            (H0: s·Δ ≥ 0);
 * - non-inferiority with margin m (guardrails): z = (s·Δ + m) / SE     (H0: s·Δ ≤ −m; Chow, Shao &
 *   Wang §4.2; a relative margin is a share of the observed control value, as nonInferiority.ts).
 * The estimate and SE come from the statistics modules, per kind:
 * - 'successRate': the pooled two-proportion z (statsmodels `proportions_ztest`, the house
 *   convention) for superiority and deterioration, `nonInferiorityProportionTest` (Wald) for
 *   non-inferiority;
 * - a 'proportion' or 'mean' from values: x̄_t − x̄_c with the Welch variance
 *   (`differenceInMeansEstimate`), or CUPED's adjusted difference (`cupedTest`);
 * - 'ratio': Σx/Σy per arm with the delta-method variance (`ratioDifferenceTest`; the windows
 *   carry x = numerator, y = denominator, so the arms' moments are read with x and y swapped into
 *   that module's x = denominator convention).
 * Large-sample z statistics throughout, so that the same statistic meets the fixed, the
 * group-sequential and the always-valid designs.
 */

import { differenceInMeansEstimate } from '../stats/alwaysValid.ts';
import { bivariateMomentsFromSums, bivariateMomentsValue, swappedSums } from '../stats/bivariateMoments.ts';
import { cupedTest } from '../stats/cuped.ts';
import { nonInferiorityProportionTest } from '../stats/nonInferiority.ts';
import { twoProportionZTest } from '../stats/proportions.ts';
import { ratioDifferenceTest, ratioMetricSummary } from '../stats/ratioMetric.ts';
import type { ArmTotals } from './armTotals.ts';

/** An A/B metric of the policy (`AbMetric`), resolved: direction and margin defaults applied. */
export interface CompiledAbMetric {
  name: string;
  kind: 'proportion' | 'mean' | 'ratio';
  role: 'success' | 'guardrail';
  direction: 'higher-is-better' | 'lower-is-better';
  /** Success metrics: the planned improvement (absolute); NaN for guardrails. */
  minimumEffect: number;
  /** Guardrails: the margin, absolute or as a share of the control value; null for success metrics. */
  margin: { value: number; relative: boolean } | null;
  cuped: boolean;
}

/** What one metric shows at one look. */
export interface MetricEstimate {
  /** The control's value (rate, mean or ratio) and the candidate's. */
  control: number;
  candidate: number;
  /** Candidate − control (CUPED-adjusted when `cuped`). */
  difference: number;
  /** Its standard error (unpooled; pooled for the success rate's superiority and deterioration z). */
  standardError: number;
  /** Units per arm so far: the smaller arm's. */
  units: number;
  /** The absolute non-inferiority margin (guardrails), else NaN. */
  absoluteMargin: number;
  /** z of superiority, deterioration and non-inferiority (NaN when not the metric's role). */
  superiorityZ: number;
  deteriorationZ: number;
  nonInferiorityZ: number;
}

/** Units per arm of `metric` in the totals (outcomes for the success rate, value units otherwise). */
export function metricUnits(metric: CompiledAbMetric, totals: ArmTotals): number {
  if (metric.name === 'successRate') return totals.outcomes;
  return totals.values?.[metric.name]?.count ?? 0;
}

function resolveMargin(metric: CompiledAbMetric, controlValue: number): number {
  if (metric.margin === null) return NaN;
  return metric.margin.relative ? metric.margin.value * Math.abs(controlValue) : metric.margin.value;
}

/**
 * The metric's estimate and test statistics from the stage totals, or a sentence saying why it
 * cannot be tested yet (fewer than 2 units in an arm, no variance, a zero control value under a
 * relative margin). O(1).
 */
export function metricEstimate(metric: CompiledAbMetric, control: ArmTotals, candidate: ArmTotals): MetricEstimate | string {
  const sign = metric.direction === 'higher-is-better' ? 1 : -1;
  const finish = (
    controlValue: number,
    candidateValue: number,
    difference: number,
    standardError: number,
    units: number,
    overrides: { superiorityZ?: number; nonInferiorityZ?: number } = {},
  ): MetricEstimate | string => {
    if (!(standardError > 0 && Number.isFinite(standardError))) return `${metric.name}: no variance yet in either arm`;
    const absoluteMargin = resolveMargin(metric, controlValue);
    if (metric.role === 'guardrail' && !(absoluteMargin > 0)) {
      return `${metric.name}: a relative margin of a control value of ${controlValue} is 0; non-inferiority cannot be tested`;
    }
    const superiorityZ = overrides.superiorityZ ?? (sign * difference) / standardError;
    return {
      control: controlValue,
      candidate: candidateValue,
      difference,
      standardError,
      units,
      absoluteMargin,
      superiorityZ: metric.role === 'success' ? superiorityZ : NaN,
      deteriorationZ: -superiorityZ,
      nonInferiorityZ:
        metric.role === 'guardrail' ? (overrides.nonInferiorityZ ?? (sign * difference + absoluteMargin) / standardError) : NaN,
    };
  };

  if (metric.name === 'successRate') {
    const a = { successes: control.successes, total: control.outcomes };
    const b = { successes: candidate.successes, total: candidate.outcomes };
    const units = Math.min(a.total, b.total);
    if (units < 2) return `${metric.name}: fewer than 2 outcomes in an arm`;
    const rateA = a.successes / a.total;
    const rateB = b.successes / b.total;
    const pooled = (a.successes + b.successes) / (a.total + b.total);
    const pooledStandardError = Math.sqrt(pooled * (1 - pooled) * (1 / a.total + 1 / b.total));
    if (!(pooledStandardError > 0)) return `${metric.name}: no variance yet in either arm`;
    const { z } = twoProportionZTest(b, a, 'two-sided');
    let nonInferiorityZ: number | undefined;
    if (metric.role === 'guardrail' && metric.margin !== null) {
      const waldVariance = (rateA * (1 - rateA)) / a.total + (rateB * (1 - rateB)) / b.total;
      if (!(waldVariance > 0) || (metric.margin.relative && rateA === 0)) return `${metric.name}: no variance yet in either arm`;
      const test = nonInferiorityProportionTest(
        a,
        b,
        { margin: metric.margin.value, relative: metric.margin.relative, direction: metric.direction },
        { method: 'wald' },
      );
      // Its z is (Δ − Δ₀)/SE; on the good scale it is s times that.
      nonInferiorityZ = sign * test.z;
    }
    return finish(rateA, rateB, rateB - rateA, pooledStandardError, units, { superiorityZ: sign * z, nonInferiorityZ });
  }

  const controlSums = control.values?.[metric.name];
  const candidateSums = candidate.values?.[metric.name];
  const units = Math.min(controlSums?.count ?? 0, candidateSums?.count ?? 0);
  if (controlSums === undefined || candidateSums === undefined || units < 2) return `${metric.name}: fewer than 2 units in an arm`;

  if (metric.kind === 'ratio') {
    const c = bivariateMomentsFromSums(swappedSums(controlSums));
    const t = bivariateMomentsFromSums(swappedSums(candidateSums));
    if (!(c.meanX > 0 && t.meanX > 0)) return `${metric.name}: the ratio's denominator is 0 in an arm`;
    const first = ratioMetricSummary(c, 'control');
    const second = ratioMetricSummary(t, 'candidate');
    const standardError = Math.sqrt(first.variance + second.variance);
    if (!(standardError > 0)) return `${metric.name}: no variance yet in either arm`;
    const test = ratioDifferenceTest(c, t);
    return finish(first.ratio, second.ratio, test.estimate, test.standardError, units);
  }

  if (metric.cuped) {
    // cupedTest's x is the covariate and y the metric; the windows carry x = metric, y = covariate.
    const cx = bivariateMomentsFromSums(swappedSums(controlSums));
    const tx = bivariateMomentsFromSums(swappedSums(candidateSums));
    if (!(cx.m2X + tx.m2X > 0)) return `${metric.name}: the pre-period values do not vary yet (CUPED's θ is undefined)`;
    let test: ReturnType<typeof cupedTest>;
    try {
      test = cupedTest(cx, tx);
    } catch {
      return `${metric.name}: the CUPED-adjusted metric has no variance yet`;
    }
    return finish(cx.meanY, tx.meanY, test.estimate, test.standardError, units);
  }
  const controlSummary = bivariateMomentsValue(bivariateMomentsFromSums(controlSums));
  const candidateSummary = bivariateMomentsValue(bivariateMomentsFromSums(candidateSums));
  const estimate = differenceInMeansEstimate(
    { mean: controlSummary.meanX, variance: controlSummary.varianceX, count: controlSummary.count },
    { mean: candidateSummary.meanX, variance: candidateSummary.varianceX, count: candidateSummary.count },
  );
  return finish(controlSummary.meanX, candidateSummary.meanX, estimate.estimate, Math.sqrt(estimate.variance), units);
}
