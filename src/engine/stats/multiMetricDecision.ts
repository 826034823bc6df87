/**
 * The decision rule for an A/B test with several metrics, and the sample size it needs, after
 * Schultzberg, Ankargren & Frånberg, "Risk-aware product decisions in A/B tests with multiple
 * metrics" (arXiv 2402.11609, 2024), Spotify's rule:
 *
 *   ship  ⇔  at least one success metric is significantly better (superiority, one-sided)
 *            ∧ every guardrail is significantly non-inferior (one-sided, with its margin)
 *            ∧ no metric is significantly worse (a deterioration test, when given).
 *
 * Error rates of the *decision* (§4 of the paper):
 * - false shipping: the success family is Bonferroni-corrected (α/S for S success metrics);
 *   guardrails are *not* corrected — all of them must reject, an intersection–union test whose
 *   level is that of each test (Berger 1982), so each is tested at α;
 * - missed shipping: the rule needs G + 1 events (the G guardrails and the success family), so
 *   by the union bound each test is powered at 1 − β/(G + 1) for the decision's power to be ≥ 1 − β.
 * The sample size of the test is the maximum over the metrics of what each needs at those levels.
 */
import { designExperiment } from './experimentDesign.ts';
import type { MetricDirection } from './nonInferiority.ts';

/** A metric's role in the decision. */
export type MetricRole = 'success' | 'guardrail';

/** What the sizer needs to know about one metric. */
export interface MetricDesign {
  name: string;
  role: MetricRole;
  /** 'proportion' uses the variance p(1 − p); 'mean' and 'ratio' the given per-unit variance (for a ratio, `ratioMetricSummary`'s perUnitVariance). */
  kind: 'proportion' | 'mean' | 'ratio';
  /** The control's rate or mean. */
  baseline: number;
  /** Per-unit standard deviation (mean, ratio). */
  standardDeviation?: number;
  /** Default 'higher-is-better'. */
  direction?: MetricDirection;
  /** Success metrics: the smallest improvement worth detecting (absolute, or with `relative` a share of the baseline). */
  minimumEffect?: number;
  /** Guardrails: the non-inferiority margin (absolute, or with `relative` a share of the baseline). */
  margin?: number;
  /** Read minimumEffect / margin as a share of the baseline. */
  relative?: boolean;
  /** CUPED pre-period correlation ρ for this metric, default 0. */
  cupedCorrelation?: number;
}

/** Inputs of `multiMetricSampleSize`. */
export interface MultiMetricDesignOptions {
  metrics: readonly MetricDesign[];
  /** Level of the decision (false shipping), default 0.05. */
  alpha?: number;
  /** Power of the decision (shipping a candidate that meets every effect), default 0.8. */
  power?: number;
  /** n_candidate / n_control, default 1. */
  ratio?: number;
}

/** One metric's share of the design. */
export interface MetricSampleSize {
  name: string;
  role: MetricRole;
  /** The one-sided level its test uses: α/S (success) or α (guardrail). */
  alpha: number;
  /** 1 − β/(G + 1). */
  power: number;
  /** candidate − control under the alternative the metric is sized for (the minimum effect, or 0 for a guardrail). */
  difference: number;
  /** candidate − control under H0 (0, or ∓margin). */
  nullDifference: number;
  nPerArm: number;
  nSecondArm: number;
}

/** Result of `multiMetricSampleSize`. */
export interface MultiMetricSampleSizeResult {
  successCount: number;
  guardrailCount: number;
  alpha: number;
  power: number;
  /** β/(G + 1): each test's type II error. */
  perTestBeta: number;
  metrics: MetricSampleSize[];
  /** The largest need: the test runs until every metric has its sample. */
  nPerArm: number;
  nSecondArm: number;
  nTotal: number;
  /** The metric that sets nPerArm. */
  limitingMetric: string;
}

/**
 * Sizes a multi-metric test by the rule above: success metric i at one-sided α/S and power
 * 1 − β/(G + 1) for its minimum effect; guardrail j at one-sided α and the same power for
 * non-inferiority with its margin when the true difference is 0; n = max over metrics. Each
 * metric's n by `meanSampleSize` (variances p(1 − p) for rates, unpooled). The two-arm, one-sided,
 * z-test case of `designExperiment` (experimentDesign.ts), which owns the computation. O(metrics).
 */
export function multiMetricSampleSize(options: MultiMetricDesignOptions): MultiMetricSampleSizeResult {
  const { metrics, alpha = 0.05, power = 0.8, ratio = 1 } = options;
  const design = designExperiment({ metrics, alpha, power, ratio, arms: 2, sides: 1, test: 'z' });
  return {
    successCount: design.successCount,
    guardrailCount: design.guardrailCount,
    alpha: design.alpha,
    power: design.power,
    perTestBeta: design.perTestBeta,
    metrics: design.metrics.map(({ name, role, alpha, power, difference, nullDifference, nPerArm, nSecondArm }) => ({
      name,
      role,
      alpha,
      power,
      difference,
      nullDifference,
      nPerArm,
      nSecondArm,
    })),
    nPerArm: design.nPerArm,
    nSecondArm: design.nSecondArm,
    nTotal: design.nTotal,
    limitingMetric: design.limitingMetric,
  };
}

/** One metric's test results, as the decision needs them. */
export interface MetricResult {
  name: string;
  role: MetricRole;
  /**
   * One-sided p-value of the rule's test: superiority (success) or non-inferiority with the
   * metric's margin (guardrail).
   */
  pValue: number;
  /** One-sided p-value of "the candidate is worse" (optional; without it no deterioration check). */
  deteriorationPValue?: number;
}

/** Per-metric verdict. */
export type MetricVerdict = 'improved' | 'not-improved' | 'non-inferior' | 'inferiority-not-excluded' | 'deteriorated';

/** Result of `multiMetricDecision`. */
export interface MultiMetricDecisionResult {
  ship: boolean;
  /** Why, in one line. */
  reason: string;
  metrics: { name: string; role: MetricRole; verdict: MetricVerdict; pValue: number; threshold: number }[];
}

/**
 * Applies the rule: success metrics at α/S, guardrails at α, deterioration tests at α (each).
 * Ships only when some success metric improved, every guardrail is non-inferior and nothing
 * deteriorated. O(metrics).
 */
export function multiMetricDecision(results: readonly MetricResult[], alpha = 0.05): MultiMetricDecisionResult {
  if (!Array.isArray(results) || results.length === 0) throw new RangeError('results must list at least one metric');
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, got ${alpha}`);
  const successCount = results.filter((result) => result.role === 'success').length;
  if (successCount === 0) throw new RangeError('results must include at least one success metric');
  const metrics = results.map((result, i) => {
    const label = `results[${i}]`;
    if (!(result.pValue >= 0 && result.pValue <= 1)) throw new RangeError(`${label}.pValue must be between 0 and 1, got ${result.pValue}`);
    const worse = result.deteriorationPValue;
    if (worse !== undefined && !(worse >= 0 && worse <= 1)) {
      throw new RangeError(`${label}.deteriorationPValue must be between 0 and 1, got ${worse}`);
    }
    if (result.role !== 'success' && result.role !== 'guardrail') {
      throw new RangeError(`${label}.role must be 'success' or 'guardrail', got '${String(result.role)}'`);
    }
    const threshold = result.role === 'success' ? alpha / successCount : alpha;
    let verdict: MetricVerdict;
    if (worse !== undefined && worse < alpha) verdict = 'deteriorated';
    else if (result.role === 'success') verdict = result.pValue < threshold ? 'improved' : 'not-improved';
    else verdict = result.pValue < threshold ? 'non-inferior' : 'inferiority-not-excluded';
    return { name: result.name, role: result.role, verdict, pValue: result.pValue, threshold };
  });
  const deteriorated = metrics.filter((metric) => metric.verdict === 'deteriorated');
  const unproven = metrics.filter((metric) => metric.verdict === 'inferiority-not-excluded');
  const improved = metrics.filter((metric) => metric.verdict === 'improved');
  let reason: string;
  if (deteriorated.length > 0) reason = `significantly worse: ${deteriorated.map((metric) => metric.name).join(', ')}`;
  else if (unproven.length > 0) reason = `non-inferiority not shown for guardrail(s): ${unproven.map((metric) => metric.name).join(', ')}`;
  else if (improved.length === 0) reason = 'no success metric improved significantly';
  else reason = `improved: ${improved.map((metric) => metric.name).join(', ')}; every guardrail non-inferior`;
  const ship = deteriorated.length === 0 && unproven.length === 0 && improved.length > 0;
  return { ship, reason, metrics };
}
