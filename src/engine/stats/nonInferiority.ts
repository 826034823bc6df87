/**
 * Non-inferiority tests and sample sizes for guardrail metrics: instead of hoping a superiority
 * test "finds nothing", show that the candidate is not worse than control by more than a margin.
 *
 * With Δ = candidate − control and a margin m > 0 (absolute, or relative: m = share × control):
 * - higher is better (success rate, tokens accepted): H0: Δ ≤ −m against H1: Δ > −m;
 * - lower is better (error rate, latency, cost):        H0: Δ ≥ +m against H1: Δ < +m;
 * each one-sided at level α (Chow, Shao & Wang, "Sample Size Calculations in Clinical Research",
 * 2nd ed., §4.2 and §3.2.2; Blackwelder, Controlled Clinical Trials 3, 1982).
 *
 * References matched in the tests: statsmodels 0.13.5 `test_proportions_2indep(count1, nobs1,
 * count2, nobs2, value=∓m, method='wald'|'score', compare='diff', alternative='larger'|'smaller')`
 * with arm 1 = candidate; scipy `ttest_ind_from_stats` on the shifted mean; the sample size by
 * statsmodels `normal_sample_size_one_tail(Δ + m, power, α, std_null=std_alt, std_alternative=std_alt)`.
 */

import { normalCdf, normalSf } from './distributions.ts';
import type { MeanSampleSizeResult } from './meanSampleSize.ts';
import { meanSampleSize } from './meanSampleSize.ts';
import type { ProportionCounts } from './proportions.ts';
import { checkProportionCounts } from './proportions.ts';
import type { MomentsSummary, WelchTestResult } from './welch.ts';
import { welchTTest } from './welch.ts';

/** Which way is good for the metric. */
export type MetricDirection = 'higher-is-better' | 'lower-is-better';

/** A non-inferiority margin: how much worse the candidate may be. */
export interface NonInferiorityMargin {
  /** The margin, positive: an absolute difference, or with `relative` a share of the control value (0.02 = 2 %). */
  margin: number;
  /** Read `margin` as a share of the control's value (rate or mean). Default false. */
  relative?: boolean;
  /** Default 'higher-is-better'. */
  direction?: MetricDirection;
}

/** The null value and one-sided alternative for Δ = candidate − control, with the margin resolved to absolute. */
export interface NonInferiorityHypothesis {
  /** Absolute margin m. */
  absoluteMargin: number;
  /** −m (higher is better) or +m (lower is better). */
  nullDifference: number;
  /** 'greater' (higher is better) or 'less'. */
  alternative: 'greater' | 'less';
  direction: MetricDirection;
}

/** Resolves a margin against the control's value (checked once here). */
export function nonInferiorityHypothesis(spec: NonInferiorityMargin, controlValue: number): NonInferiorityHypothesis {
  const { margin, relative = false, direction = 'higher-is-better' } = spec;
  if (!(margin > 0 && Number.isFinite(margin))) throw new RangeError(`margin must be a positive number, got ${margin}`);
  if (direction !== 'higher-is-better' && direction !== 'lower-is-better') {
    throw new RangeError(`direction must be 'higher-is-better' or 'lower-is-better', got '${String(direction)}'`);
  }
  if (relative && !(controlValue !== 0 && Number.isFinite(controlValue))) {
    throw new RangeError(`a relative margin needs a non-zero control value, got ${controlValue}`);
  }
  const absoluteMargin = relative ? margin * Math.abs(controlValue) : margin;
  return direction === 'higher-is-better'
    ? { absoluteMargin, nullDifference: -absoluteMargin, alternative: 'greater', direction }
    : { absoluteMargin, nullDifference: absoluteMargin, alternative: 'less', direction };
}

/** Test statistic of a proportion non-inferiority test. */
export type NonInferiorityProportionMethod = 'wald' | 'score';

/** Result of `nonInferiorityProportionTest`. */
export interface NonInferiorityProportionResult extends NonInferiorityHypothesis {
  method: NonInferiorityProportionMethod;
  /** p̂_candidate − p̂_control. */
  difference: number;
  z: number;
  pValue: number;
  /** pValue < alpha: the candidate is shown not worse than the margin. */
  nonInferior: boolean;
  alpha: number;
}

/**
 * Miettinen & Nurminen's (1985) restricted maximum-likelihood rates under p1 − p0 = Δ₀, by the
 * closed-form root of their cubic (Farrington & Manning 1990, Statistics in Medicine 9, §2), as
 * statsmodels `score_test_proportions_2indep`. Index 1 = candidate, 0 = control.
 */
function restrictedRates(count1: number, nobs1: number, count0: number, nobs0: number, delta: number): [number, number] {
  const nobs = nobs1 + nobs0;
  const count = count1 + count0;
  if (delta === 0) return [count / nobs, count / nobs];
  const a3 = nobs;
  const a2 = (nobs1 + 2 * nobs0) * delta - nobs - count;
  const a1 = (count0 * delta - nobs - 2 * count0) * delta + count;
  const a0 = count0 * delta * (1 - delta);
  const q = (a2 / (3 * a3)) ** 3 - (a1 * a2) / (6 * a3 ** 2) + a0 / (2 * a3);
  const p = Math.sign(q) * Math.sqrt((a2 / (3 * a3)) ** 2 - a1 / (3 * a3));
  // q/p³ can leave [−1, 1] by rounding when the root is double.
  const angle = (Math.PI + Math.acos(Math.max(-1, Math.min(1, p === 0 ? 0 : q / p ** 3)))) / 3;
  const rate0 = 2 * p * Math.cos(angle) - a2 / (3 * a3);
  return [rate0 + delta, rate0];
}

/**
 * One-sided non-inferiority test of a rate (success rate, error rate):
 * - 'wald': z = (p̂_t − p̂_c − Δ₀)/√(p̂_t(1 − p̂_t)/n_t + p̂_c(1 − p̂_c)/n_c);
 * - 'score' (default; Farrington–Manning / Miettinen–Nurminen): the variance at the rates restricted
 *   to Δ₀, times N/(N − 1) as statsmodels 0.13.5 always applies for differences.
 * p = 1 − Φ(z) (higher is better) or Φ(z). A relative margin is a share of the observed control rate. O(1).
 */
export function nonInferiorityProportionTest(
  control: ProportionCounts,
  candidate: ProportionCounts,
  margin: NonInferiorityMargin,
  options: { alpha?: number; method?: NonInferiorityProportionMethod } = {},
): NonInferiorityProportionResult {
  checkProportionCounts(control, 'control');
  checkProportionCounts(candidate, 'candidate');
  const { alpha = 0.05, method = 'score' } = options;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, got ${alpha}`);
  if (method !== 'wald' && method !== 'score') throw new RangeError(`method must be 'wald' or 'score', got '${String(method)}'`);
  const rateControl = control.successes / control.total;
  const rateCandidate = candidate.successes / candidate.total;
  const hypothesis = nonInferiorityHypothesis(margin, rateControl);
  const difference = rateCandidate - rateControl;
  let variance: number;
  if (method === 'wald') {
    variance = (rateCandidate * (1 - rateCandidate)) / candidate.total + (rateControl * (1 - rateControl)) / control.total;
  } else {
    const [restricted1, restricted0] = restrictedRates(
      candidate.successes,
      candidate.total,
      control.successes,
      control.total,
      hypothesis.nullDifference,
    );
    const nobs = candidate.total + control.total;
    variance =
      ((restricted1 * (1 - restricted1)) / candidate.total + (restricted0 * (1 - restricted0)) / control.total) * (nobs / (nobs - 1));
  }
  if (!(variance > 0)) throw new RangeError('both arms are all successes or all failures: the variance is 0 and the test undefined');
  const z = (difference - hypothesis.nullDifference) / Math.sqrt(variance);
  const pValue = hypothesis.alternative === 'greater' ? normalSf(z) : normalCdf(z);
  return { ...hypothesis, method, difference, z, pValue, nonInferior: pValue < alpha, alpha };
}

/** Result of `nonInferiorityMeanTest`. */
export interface NonInferiorityMeanResult extends NonInferiorityHypothesis {
  /** Welch's test of candidate − control against the shifted null. */
  welch: WelchTestResult;
  pValue: number;
  nonInferior: boolean;
  alpha: number;
}

/**
 * One-sided non-inferiority Welch t-test of a mean: t = (x̄_t − x̄_c − Δ₀)/√(s_t²/n_t + s_c²/n_c),
 * Welch–Satterthwaite df (as scipy `ttest_ind_from_stats(mean_t − Δ₀, …, equal_var=False,
 * alternative=…)`). A relative margin is a share of the observed control mean. O(1).
 */
export function nonInferiorityMeanTest(
  control: MomentsSummary,
  candidate: MomentsSummary,
  margin: NonInferiorityMargin,
  options: { alpha?: number } = {},
): NonInferiorityMeanResult {
  const { alpha = 0.05 } = options;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, got ${alpha}`);
  const hypothesis = nonInferiorityHypothesis(margin, control.mean);
  const shifted = { ...candidate, mean: candidate.mean - hypothesis.nullDifference };
  const welch = welchTTest(shifted, control, { alternative: hypothesis.alternative, confidenceLevel: 1 - alpha });
  // Report the difference itself, not the shifted one.
  welch.meanDifference += hypothesis.nullDifference;
  welch.confidenceInterval = welch.confidenceInterval.map((bound) => bound + hypothesis.nullDifference) as [number, number];
  return { ...hypothesis, welch, pValue: welch.pValue, nonInferior: welch.pValue < alpha, alpha };
}

/** Inputs of `nonInferioritySampleSize`. */
export interface NonInferioritySampleSizeOptions extends NonInferiorityMargin {
  /** The metric: a rate (variance p(1 − p)) or a mean with its per-unit standard deviation(s). */
  metric:
    | { kind: 'proportion'; controlRate: number; candidateRate?: number }
    | {
        kind: 'mean';
        controlMean: number;
        candidateMean?: number;
        standardDeviation?: number;
        controlVariance?: number;
        candidateVariance?: number;
      };
  alpha?: number;
  /** Default 0.8. */
  power?: number;
  /** n_candidate / n_control, default 1. */
  ratio?: number;
  /** CUPED's pre-period correlation ρ (means only), default 0. */
  cupedCorrelation?: number;
}

/** Result of `nonInferioritySampleSize`. */
export interface NonInferioritySampleSizeResult extends MeanSampleSizeResult {
  hypothesis: NonInferiorityHypothesis;
}

/**
 * Units per arm to show non-inferiority with probability `power` when the true difference is
 * candidate − control (0 by default: "the candidate is as good"), one-sided at α:
 *
 *   n_control = (z_{1−α} + z_power)²·(σ_c² + σ_t²/r)/(Δ − Δ₀)²,
 *
 * σ² = p(1 − p) for a rate (the Wald variance under H1: Chow, Shao & Wang §4.2.2; statsmodels
 * `normal_sample_size_one_tail` with std_null = std_alternative), the given variances for a mean. O(1).
 */
export function nonInferioritySampleSize(options: NonInferioritySampleSizeOptions): NonInferioritySampleSizeResult {
  const { metric, alpha = 0.05, power = 0.8, ratio = 1, cupedCorrelation = 0 } = options;
  if (metric === null || typeof metric !== 'object') throw new RangeError('metric is required');
  let control: number;
  let candidate: number;
  let variances: { controlVariance?: number; candidateVariance?: number; standardDeviation?: number };
  if (metric.kind === 'proportion') {
    control = metric.controlRate;
    candidate = metric.candidateRate ?? control;
    if (!(control > 0 && control < 1)) throw new RangeError(`metric.controlRate must be between 0 and 1 (exclusive), got ${control}`);
    if (!(candidate > 0 && candidate < 1))
      throw new RangeError(`metric.candidateRate must be between 0 and 1 (exclusive), got ${candidate}`);
    variances = { controlVariance: control * (1 - control), candidateVariance: candidate * (1 - candidate) };
  } else if (metric.kind === 'mean') {
    control = metric.controlMean;
    candidate = metric.candidateMean ?? control;
    if (!Number.isFinite(control)) throw new RangeError(`metric.controlMean must be a finite number, got ${control}`);
    if (!Number.isFinite(candidate)) throw new RangeError(`metric.candidateMean must be a finite number, got ${candidate}`);
    variances = {
      standardDeviation: metric.standardDeviation,
      controlVariance: metric.controlVariance,
      candidateVariance: metric.candidateVariance,
    };
  } else {
    throw new RangeError(`metric.kind must be 'proportion' or 'mean', got '${String((metric as { kind: unknown }).kind)}'`);
  }
  const hypothesis = nonInferiorityHypothesis(options, control);
  const difference = candidate - control;
  const wrongSide =
    hypothesis.alternative === 'greater' ? difference <= hypothesis.nullDifference : difference >= hypothesis.nullDifference;
  if (wrongSide) {
    throw new RangeError(
      `the expected difference ${difference} is already beyond the margin (${hypothesis.nullDifference}): non-inferiority cannot be shown`,
    );
  }
  const result = meanSampleSize({
    ...variances,
    difference,
    nullDifference: hypothesis.nullDifference,
    alpha,
    power,
    ratio,
    sides: 1,
    cupedCorrelation,
  });
  return { ...result, hypothesis };
}
