/**
 * The sample size of a whole experiment: success metrics and guardrails (the multi-metric rule of
 * `multiMetricDecision.ts`), over two or more arms, by the z-test (known variances) or the t-test
 * (estimated variances) — the one design the CLI's `size --guardrail` and the app's sizer share,
 * so that both give the same numbers for the same inputs.
 *
 * Levels. With S success metrics, G guardrails and k = arms − 1 candidates:
 * - a success metric is tested at α/(S·k) (Bonferroni over success metrics and over comparisons),
 *   one-sided (the rule) or two-sided when asked;
 * - a guardrail at α/k, one-sided non-inferiority: shipping candidate i needs all of its guardrails
 *   non-inferior (an intersection–union test at the level of each test, Berger 1982), and any of k
 *   candidates may be the one shipped, so the union bound over candidates asks for α/k;
 * - every test is powered at 1 − β/(G + 1) (Schultzberg, Ankargren & Frånberg 2024, §4).
 * With k = 1 and one-sided tests this is exactly `multiMetricSampleSize`.
 *
 * Allocation. The traffic split must be one for all metrics; with k candidates it is the
 * square-root rule n_control/n_candidate = √k (Dunnett 1955), optimal for every metric whose
 * variance is the same in all arms (`multiArmDesign.ts`), so each metric's size is `meanSampleSize`
 * (or `tTestSampleSize`) with ratio n_candidate/n_control = 1/√k. A design of one metric takes that
 * metric's own optimum, σ_t/(σ_c·√k), which differs for a rate (p(1 − p) moves with the effect) and
 * equals `multiArmSampleSize`'s optimal allocation. With two arms the ratio is given
 * (default 1). The experiment needs the largest n of any metric.
 */
import type { MeanTestDesign } from './meanSampleSize.ts';
import { meanPower, meanSampleSize } from './meanSampleSize.ts';
import type { MetricDesign, MetricRole } from './multiMetricDecision.ts';
import { nonInferiorityHypothesis } from './nonInferiority.ts';
import { tTestPower, tTestSampleSize, tTestSmallestFirstArm } from './tTestPower.ts';

/** 'z': variances known (normal theory); 't': estimated from the test's data (noncentral t). */
export type DesignTest = 'z' | 't';

/** Inputs of `designExperiment`. */
export interface ExperimentDesignOptions {
  /** At least one success metric; guardrails need a margin. */
  metrics: readonly MetricDesign[];
  /** Control plus candidates, default 2. */
  arms?: number;
  /** Level of the decision (false shipping), default 0.05. */
  alpha?: number;
  /** Power of the decision, default 0.8. */
  power?: number;
  /** Sides of the success metrics' tests, default 1 (guardrails are always one-sided). */
  sides?: 1 | 2;
  /** n_candidate / n_control with two arms, default 1; more arms use the square-root rule. */
  ratio?: number;
  /** Default 'z'. 't' applies to mean and ratio metrics; rates keep the normal approximation. */
  test?: DesignTest;
}

/** One metric's need. */
export interface MetricNeed {
  name: string;
  role: MetricRole;
  kind: MetricDesign['kind'];
  /** The test each metric uses: 't' only for a mean or ratio metric under `test: 't'`. */
  test: DesignTest;
  /** The level of its test: α/(S·k) or α/k. */
  alpha: number;
  sides: 1 | 2;
  /** 1 − β/(G + 1). */
  power: number;
  /** candidate − control it is sized for (± the minimum effect; 0 for a guardrail). */
  difference: number;
  /** candidate − control under H0 (0, or ∓ the absolute margin). */
  nullDifference: number;
  controlVariance: number;
  candidateVariance: number;
  cupedCorrelation: number;
  /** Units in control (`multiMetricSampleSize`'s name). */
  nPerArm: number;
  /** Units in each candidate arm. */
  nSecondArm: number;
  /** nPerArm + k·nSecondArm. */
  nTotal: number;
}

/** Result of `designExperiment`: a superset of `MultiMetricSampleSizeResult`'s fields. */
export interface ExperimentDesignResult {
  arms: number;
  successCount: number;
  guardrailCount: number;
  alpha: number;
  power: number;
  /** β/(G + 1). */
  perTestBeta: number;
  /** α/k: the level of one comparison before the split over success metrics. */
  comparisonAlpha: number;
  /** n_candidate / n_control: 1/√k (one metric: σ_t/(σ_c·√k)), or the given ratio with two arms. */
  ratio: number;
  /** Share of all traffic: control first, then each candidate. */
  shares: number[];
  test: DesignTest;
  metrics: MetricNeed[];
  /** Units in control: the largest need. */
  nPerArm: number;
  /** Units in each candidate. */
  nSecondArm: number;
  nTotal: number;
  /** The metric that sets nPerArm. */
  limitingMetric: string;
}

/** A metric's per-unit variances in control and candidate: p(1 − p) for a rate (the candidate at baseline + difference), σ² otherwise. */
export function variancesOf(
  metric: MetricDesign,
  difference: number,
  label: string,
): { controlVariance: number; candidateVariance: number } {
  if (metric.kind === 'proportion') {
    const candidate = metric.baseline + difference;
    if (!(metric.baseline > 0 && metric.baseline < 1))
      throw new RangeError(`${label}.baseline must be a rate between 0 and 1, got ${metric.baseline}`);
    if (!(candidate > 0 && candidate < 1)) throw new RangeError(`${label}: baseline + effect must stay between 0 and 1, got ${candidate}`);
    return { controlVariance: metric.baseline * (1 - metric.baseline), candidateVariance: candidate * (1 - candidate) };
  }
  const { standardDeviation } = metric;
  if (!(standardDeviation !== undefined && standardDeviation > 0 && Number.isFinite(standardDeviation))) {
    throw new RangeError(`${label}.standardDeviation must be a positive number for a ${metric.kind} metric, got ${standardDeviation}`);
  }
  return { controlVariance: standardDeviation ** 2, candidateVariance: standardDeviation ** 2 };
}

/** The settings `meanSampleSize` / `meanPower` take for one metric. */
interface MetricTest extends MeanTestDesign {
  difference: number;
  power: number;
  test: DesignTest;
}

/** Checks the options once and resolves every metric's test (levels and effects as in the module comment). */
function resolve(options: ExperimentDesignOptions) {
  const { metrics, arms = 2, alpha = 0.05, power = 0.8, sides = 1, test = 'z' } = options;
  if (!Array.isArray(metrics) || metrics.length === 0) throw new RangeError('metrics must list at least one metric');
  if (!(Number.isInteger(arms) && arms >= 2)) throw new RangeError(`arms must be a whole number of at least 2, got ${arms}`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be between 0 and 1 (exclusive), got ${alpha}`);
  if (!(power > 0 && power < 1)) throw new RangeError(`power must be between 0 and 1 (exclusive), got ${power}`);
  if (sides !== 1 && sides !== 2) throw new RangeError(`sides must be 1 or 2, got ${String(sides)}`);
  if (test !== 'z' && test !== 't') throw new RangeError(`test must be 'z' or 't', got '${String(test)}'`);
  const candidates = arms - 1;
  if (candidates > 1 && options.ratio !== undefined) {
    throw new RangeError('ratio applies to two arms; with more arms the square-root rule sets the split');
  }
  let ratio = candidates > 1 ? 1 / Math.sqrt(candidates) : (options.ratio ?? 1);
  if (!(ratio > 0 && Number.isFinite(ratio))) throw new RangeError(`ratio must be a positive number, got ${ratio}`);
  const successCount = metrics.filter((metric) => metric.role === 'success').length;
  const guardrailCount = metrics.filter((metric) => metric.role === 'guardrail').length;
  if (successCount === 0) throw new RangeError('metrics must include at least one success metric');
  const perTestBeta = (1 - power) / (guardrailCount + 1);
  const comparisonAlpha = alpha / candidates;
  const tests = metrics.map((metric, i): MetricTest & { name: string; role: MetricRole; kind: MetricDesign['kind'] } => {
    const label = `metrics[${i}]`;
    if (typeof metric.name !== 'string' || metric.name === '') throw new RangeError(`${label}.name must be a non-empty string`);
    if (!Number.isFinite(metric.baseline)) throw new RangeError(`${label}.baseline must be a finite number, got ${metric.baseline}`);
    if (!['proportion', 'mean', 'ratio'].includes(metric.kind)) {
      throw new RangeError(`${label}.kind must be proportion, mean or ratio, got '${String(metric.kind)}'`);
    }
    const direction = metric.direction ?? 'higher-is-better';
    let difference: number;
    let nullDifference = 0;
    let testAlpha = comparisonAlpha;
    let testSides: 1 | 2 = 1;
    if (metric.role === 'success') {
      const { minimumEffect } = metric;
      if (!(minimumEffect !== undefined && minimumEffect > 0 && Number.isFinite(minimumEffect))) {
        throw new RangeError(`${label}.minimumEffect must be a positive number for a success metric, got ${minimumEffect}`);
      }
      const absolute = metric.relative ? minimumEffect * Math.abs(metric.baseline) : minimumEffect;
      difference = direction === 'lower-is-better' ? -absolute : absolute;
      testAlpha = comparisonAlpha / successCount;
      testSides = sides;
    } else if (metric.role === 'guardrail') {
      if (metric.margin === undefined) throw new RangeError(`${label}.margin is required for a guardrail`);
      difference = 0;
      nullDifference = nonInferiorityHypothesis(
        { margin: metric.margin, relative: metric.relative, direction },
        metric.baseline,
      ).nullDifference;
    } else {
      throw new RangeError(`${label}.role must be 'success' or 'guardrail', got '${String(metric.role)}'`);
    }
    return {
      name: metric.name,
      role: metric.role,
      kind: metric.kind,
      ...variancesOf(metric, difference, label),
      cupedCorrelation: metric.cupedCorrelation ?? 0,
      difference,
      nullDifference,
      alpha: testAlpha,
      sides: testSides,
      power: 1 - perTestBeta,
      ratio,
      test: metric.kind === 'proportion' ? 'z' : test,
    };
  });
  if (candidates > 1 && tests.length === 1) {
    // One metric: its own optimal split, n_candidate/n_control = σ_t/(σ_c·√k) (`optimalAllocation` with
    // k equal candidates), the square-root rule when the variances are equal — as the CLI's --arms.
    const [only] = tests;
    ratio = Math.sqrt((only.candidateVariance as number) / (only.controlVariance as number)) / Math.sqrt(candidates);
    only.ratio = ratio;
  }
  return { arms, candidates, alpha, power, ratio, successCount, guardrailCount, perTestBeta, comparisonAlpha, test, tests };
}

/**
 * Sizes the experiment (module comment): each metric by `meanSampleSize` or `tTestSampleSize` at
 * its level and power with ratio 1/√k (or the given two-arm ratio); the experiment needs the
 * maximum. O(metrics) (t-test metrics: about 60 power evaluations each).
 */
export function designExperiment(options: ExperimentDesignOptions): ExperimentDesignResult {
  const design = resolve(options);
  const k = design.candidates;
  const metrics = design.tests.map((metricTest): MetricNeed => {
    const { name, role, kind, test, ...settings } = metricTest;
    const result = test === 't' ? tTestSampleSize(settings) : meanSampleSize(settings);
    return {
      name,
      role,
      kind,
      test,
      alpha: result.alpha,
      sides: result.sides,
      power: result.power,
      difference: result.difference,
      nullDifference: result.nullDifference,
      controlVariance: result.controlVariance,
      candidateVariance: result.candidateVariance,
      cupedCorrelation: settings.cupedCorrelation ?? 0,
      nPerArm: result.nPerArm,
      nSecondArm: result.nSecondArm,
      nTotal: result.nPerArm + k * result.nSecondArm,
    };
  });
  const limiting = metrics.reduce((best, metric) => (metric.nPerArm > best.nPerArm ? metric : best));
  const nSecondArm = Math.max(...metrics.map((metric) => metric.nSecondArm));
  const controlShare = 1 / (1 + k * design.ratio);
  return {
    arms: design.arms,
    successCount: design.successCount,
    guardrailCount: design.guardrailCount,
    alpha: design.alpha,
    power: design.power,
    perTestBeta: design.perTestBeta,
    comparisonAlpha: design.comparisonAlpha,
    ratio: design.ratio,
    shares: [controlShare, ...Array.from({ length: k }, () => design.ratio * controlShare)],
    test: design.test,
    metrics,
    nPerArm: limiting.nPerArm,
    nSecondArm,
    nTotal: limiting.nPerArm + k * nSecondArm,
    limitingMetric: limiting.name,
  };
}

/**
 * Each metric's power when the control arm has `controlUnits` units (and each candidate
 * ratio × as many): the power curves of the sizer. `meanPower` or `tTestPower` at the metric's
 * own level; 0 where the t-test has no degrees of freedom yet. O(metrics).
 */
export function experimentPowerAt(options: ExperimentDesignOptions, controlUnits: number): { name: string; power: number }[] {
  const design = resolve(options);
  if (!(controlUnits > 0 && Number.isFinite(controlUnits))) {
    throw new RangeError(`controlUnits must be a positive number, got ${controlUnits}`);
  }
  return design.tests.map(({ name, test, power: _power, ...settings }) => {
    if (test === 't') {
      if (!(controlUnits > tTestSmallestFirstArm(settings))) return { name, power: 0 };
      return { name, power: tTestPower({ ...settings, nPerArm: controlUnits }).power };
    }
    return { name, power: meanPower({ ...settings, nPerArm: controlUnits }).power };
  });
}
