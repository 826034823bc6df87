/**
 * `rollout-lab size`: units per arm needed to detect a change of a success rate, by the pooled
 * (R `power.prop.test`) or arcsine (statsmodels `NormalIndPower`) method; and, by the normal
 * theory of the engine's experiment-design statistics, for mean and ratio metrics, with CUPED,
 * a non-inferiority margin, several arms (Bonferroni, optimal or given allocation), guardrails
 * (`designExperiment`, the design the app's sizer uses too), the t-test for estimated variances
 * (`--t`) and the days a given number of users per day needs — linear, and with returning users
 * (`userAccrual`: --population or --returning).
 */

import type { ExperimentDesignResult } from '../../engine/stats/experimentDesign.ts';
import { designExperiment } from '../../engine/stats/experimentDesign.ts';
import { meanSampleSize } from '../../engine/stats/meanSampleSize.ts';
import { multiArmSampleSize } from '../../engine/stats/multiArmDesign.ts';
import type { MetricDesign } from '../../engine/stats/multiMetricDecision.ts';
import type { NonInferiorityHypothesis } from '../../engine/stats/nonInferiority.ts';
import { nonInferiorityHypothesis } from '../../engine/stats/nonInferiority.ts';
import type { SampleSizeMethod, SampleSizeResult } from '../../engine/stats/sampleSize.ts';
import { requiredSampleSize } from '../../engine/stats/sampleSize.ts';
import { tTestSampleSize } from '../../engine/stats/tTestPower.ts';
import type { UserAccrualModel } from '../../engine/stats/userAccrual.ts';
import { daysToReachUsers, linearDaysToReachUsers, userAccrualModel } from '../../engine/stats/userAccrual.ts';
import { formatPercentSignificant } from '../../engine/text/format.ts';
import type { ParsedArgs } from '../args.ts';
import { choiceOption, numberOption, parseCommandArgs, parseNumber, UsageError } from '../args.ts';
import type { CliIo, Command } from '../io.ts';
import { formatNumber, writeJson } from '../io.ts';

const METHOD_SOURCES: Record<SampleSizeMethod, string> = {
  pooled: 'pooled variance, as R power.prop.test',
  arcsine: "arcsine / Cohen's h, as statsmodels NormalIndPower",
};

/** Reads --target or --lift (exactly one) and returns the target rate, checked against the baseline. */
function readTarget(args: ParsedArgs, baseline: number): number {
  const hasTarget = args.values.target !== undefined;
  const hasLift = args.values.lift !== undefined;
  if (hasTarget && hasLift) throw new UsageError('give either --target or --lift, not both');
  if (!hasTarget && !hasLift) throw new UsageError('--target is required (or give --lift, a relative change)');
  if (hasTarget) {
    const target = numberOption(args, 'target', { min: 0, max: 1 });
    if (target === baseline) throw new UsageError(`--target must differ from --baseline, both are ${target}`);
    return target;
  }
  const lift = numberOption(args, 'lift');
  const target = baseline * (1 + lift);
  if (!(target >= 0 && target <= 1)) {
    throw new UsageError(`--lift must keep the target rate between 0 and 1, got ${baseline}·(1 + ${lift}) = ${target}`);
  }
  if (target === baseline) throw new UsageError(`--lift must change the rate, got ${lift}`);
  return target;
}

function summary(result: SampleSizeResult): string {
  const sign = result.absoluteEffect > 0 ? '+' : '−';
  const relative = Number.isFinite(result.relativeEffect)
    ? `, ${sign}${formatNumber(Math.abs(100 * result.relativeEffect))}% relative`
    : '';
  const lines = [
    `Sample size (${METHOD_SOURCES[result.method]}; method: ${result.method})`,
    `  baseline ${formatPercentSignificant(result.baseline)} → target ${formatPercentSignificant(result.target)} ` +
      `(${sign}${formatNumber(Math.abs(100 * result.absoluteEffect))} points${relative})`,
    `  ${result.sides === 2 ? 'two-sided' : 'one-sided'} test, α = ${result.alpha}, power ${formatNumber(100 * result.power)}%, ` +
      `allocation 1:${result.ratio}`,
  ];
  if (result.ratio === 1) {
    lines.push(`  n per arm: ${result.nPerArm}  (unrounded ${result.nPerArmExact.toFixed(2)})`);
  } else {
    lines.push(
      `  first arm (baseline): ${result.nPerArm}  (unrounded ${result.nPerArmExact.toFixed(2)})`,
      `  second arm (target):  ${result.nSecondArm}  (${result.ratio} × first arm, rounded up)`,
    );
  }
  lines.push(`  total: ${result.nTotal}`);
  return lines.join('\n') + '\n';
}

/** The metric kinds `--metric` takes. */
const METRICS = ['proportion', 'mean', 'ratio'] as const;
type MetricKind = (typeof METRICS)[number];

/** What the general (normal-theory) path computed. */
interface DesignResult {
  metric: MetricKind;
  method: 'normal' | 't';
  baseline: number;
  target: number;
  difference: number;
  nullDifference: number;
  nonInferiority: (NonInferiorityHypothesis & { margin: number; relative: boolean }) | null;
  controlVariance: number;
  candidateVariance: number;
  cupedCorrelation: number;
  alpha: number;
  comparisonAlpha: number;
  power: number;
  sides: 1 | 2;
  arms: string[];
  allocation: 'optimal' | 'weights' | 'ratio';
  shares: number[];
  nPerArm: number[];
  nTotal: number;
}

/** Reads `--target`/`--lift` for a mean or ratio metric (any finite value), or none in a non-inferiority design. */
function readMeanTarget(args: ParsedArgs, baseline: number, optional: boolean): number {
  const hasTarget = args.values.target !== undefined;
  const hasLift = args.values.lift !== undefined;
  if (hasTarget && hasLift) throw new UsageError('give either --target or --lift, not both');
  if (!hasTarget && !hasLift) {
    if (optional) return baseline;
    throw new UsageError('--target is required (or give --lift, a relative change)');
  }
  if (hasTarget) return numberOption(args, 'target');
  return baseline * (1 + numberOption(args, 'lift'));
}

/** Reads `--non-inferiority MARGIN`: an absolute margin, or `2%` for a share of the baseline. */
function readMargin(args: ParsedArgs): { margin: number; relative: boolean } | null {
  const raw = args.values['non-inferiority'];
  if (raw === undefined) return null;
  const text = String(raw).trim();
  const relative = text.endsWith('%');
  const margin = parseNumber(relative ? text.slice(0, -1) : text, '--non-inferiority', { min: 0, exclusiveMin: true });
  return { margin: relative ? margin / 100 : margin, relative };
}

/** Reads the per-unit variance of a mean or ratio metric from `--sd` or `--variance` (exactly one). */
function readVariance(args: ParsedArgs, metric: MetricKind): number {
  const hasSd = args.values.sd !== undefined;
  const hasVariance = args.values.variance !== undefined;
  if (hasSd && hasVariance) throw new UsageError('give either --sd or --variance, not both');
  const unit = metric === 'ratio' ? 'per user (delta method)' : 'per unit';
  if (!hasSd && !hasVariance) throw new UsageError(`--sd (or --variance) is required for a ${metric} metric: the spread ${unit}`);
  return hasSd
    ? numberOption(args, 'sd', { min: 0, exclusiveMin: true }) ** 2
    : numberOption(args, 'variance', { min: 0, exclusiveMin: true });
}

/** `--t`: size by the t-test (variances estimated from the test's data), for mean and ratio metrics. */
function readT(args: ParsedArgs, metric: MetricKind): boolean {
  if (args.values.t !== true) return false;
  if (metric === 'proportion') throw new UsageError('--t applies to mean and ratio metrics; a rate is sized by the normal approximation');
  return true;
}

/**
 * The general design: each comparison candidate − control at α/k (k = arms − 1, Bonferroni), power
 * `power`, variances p(1 − p) for a rate or the given per-unit variance, times 1 − ρ² with CUPED;
 * a non-inferiority margin makes it one-sided against Δ₀ = ∓margin. Two arms: `meanSampleSize`
 * with the ratio from --weights or --ratio. More arms: the optimal allocation (`multiArmSampleSize`)
 * or, with --weights, the smallest total whose split gives every comparison its variance.
 */
function generalDesign(args: ParsedArgs, metric: MetricKind): DesignResult {
  const isRate = metric === 'proportion';
  const baseline = numberOption(args, 'baseline', isRate ? { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true } : {});
  const marginSpec = readMargin(args);
  const lowerIsBetter = args.values['lower-is-better'] === true;
  const target = readMeanTarget(args, baseline, marginSpec !== null);
  if (isRate && !(target > 0 && target < 1)) throw new UsageError(`--target (or --lift) must give a rate between 0 and 1, got ${target}`);
  const alpha = numberOption(args, 'alpha', { default: 0.05, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true });
  const power = numberOption(args, 'power', { default: 0.8, min: alpha, max: 1, exclusiveMin: true, exclusiveMax: true });
  const cupedCorrelation = numberOption(args, 'cuped-r', { default: 0, min: -1, max: 1, exclusiveMin: true, exclusiveMax: true });
  const armCount = numberOption(args, 'arms', { default: 2, min: 2, integer: true });
  const useT = readT(args, metric);
  const difference = target - baseline;
  let nullDifference = 0;
  let sides = Number(choiceOption(args, 'sides', ['1', '2'] as const, '2')) as 1 | 2;
  let nonInferiority: DesignResult['nonInferiority'] = null;
  if (marginSpec !== null) {
    if (baseline === 0 && marginSpec.relative) throw new UsageError('--non-inferiority as a percentage needs a non-zero --baseline');
    const hypothesis = nonInferiorityHypothesis(
      { ...marginSpec, direction: lowerIsBetter ? 'lower-is-better' : 'higher-is-better' },
      baseline,
    );
    nullDifference = hypothesis.nullDifference;
    const beyond = hypothesis.alternative === 'greater' ? difference <= nullDifference : difference >= nullDifference;
    if (beyond)
      throw new UsageError(
        `the expected difference ${difference} is already beyond the margin (${nullDifference}): non-inferiority cannot be shown`,
      );
    if (args.values.sides !== undefined && sides !== 1)
      throw new UsageError('--non-inferiority is a one-sided test: --sides must be 1 or left out');
    sides = 1;
    nonInferiority = { ...hypothesis, ...marginSpec };
  } else if (difference === 0) {
    throw new UsageError('--target must differ from --baseline (or give --non-inferiority for a margin)');
  }
  let controlVariance: number;
  let candidateVariance: number;
  if (isRate) {
    if (args.values.sd !== undefined || args.values.variance !== undefined)
      throw new UsageError('--sd and --variance apply to mean and ratio metrics; a rate has variance p(1 − p)');
    controlVariance = baseline * (1 - baseline);
    candidateVariance = target * (1 - target);
  } else {
    controlVariance = candidateVariance = readVariance(args, metric);
  }
  const arms = ['control', ...Array.from({ length: armCount - 1 }, (_, i) => (armCount === 2 ? 'candidate' : `candidate ${i + 1}`))];
  let weights: number[] | null = null;
  if (args.values.weights !== undefined) {
    if (args.values.ratio !== undefined) throw new UsageError('give either --weights or --ratio, not both');
    weights = String(args.values.weights)
      .split(',')
      .map((item, i) => parseNumber(item.trim(), `--weights item ${i + 1}`, { min: 0, exclusiveMin: true }));
    if (weights.length !== armCount)
      throw new UsageError(`--weights must list one weight per arm (${armCount}, control first), got ${weights.length}`);
  }
  const k = armCount - 1;
  const comparisonAlpha = alpha / k;
  const shift = Math.abs(difference - nullDifference);
  const factor = 1 - cupedCorrelation * cupedCorrelation;
  let nPerArm: number[];
  let shares: number[];
  let allocation: DesignResult['allocation'];
  if (useT && k > 1 && weights !== null) throw new UsageError('--t with --weights over more than two arms is not supported');
  if (k === 1) {
    const ratio = weights ? weights[1] / weights[0] : numberOption(args, 'ratio', { default: 1, min: 0, exclusiveMin: true });
    const result = (useT ? tTestSampleSize : meanSampleSize)({
      controlVariance,
      candidateVariance,
      difference,
      nullDifference,
      alpha,
      power,
      ratio,
      sides,
      cupedCorrelation,
    });
    nPerArm = [result.nPerArm, result.nSecondArm];
    shares = [1 / (1 + ratio), ratio / (1 + ratio)];
    allocation = weights ? 'weights' : 'ratio';
  } else if (useT) {
    if (args.values.ratio !== undefined)
      throw new UsageError('--ratio applies to two arms; with --arms above 2 give --weights or let the optimal allocation decide');
    // The square-root split (the optimal allocation for equal variances), each comparison by the t-test at α/k.
    const ratio = 1 / Math.sqrt(k);
    const result = tTestSampleSize({
      controlVariance,
      difference,
      nullDifference,
      alpha: comparisonAlpha,
      power,
      ratio,
      sides,
      cupedCorrelation,
    });
    nPerArm = [result.nPerArm, ...Array.from({ length: k }, () => result.nSecondArm)];
    shares = [1 / (1 + k * ratio), ...Array.from({ length: k }, () => ratio / (1 + k * ratio))];
    allocation = 'optimal';
  } else if (weights === null) {
    if (args.values.ratio !== undefined)
      throw new UsageError('--ratio applies to two arms; with --arms above 2 give --weights or let the optimal allocation decide');
    const result = multiArmSampleSize({
      controlVariance: controlVariance * factor,
      candidateVariances: Array.from({ length: k }, () => candidateVariance * factor),
      difference: shift,
      alpha,
      power,
      sides,
    });
    nPerArm = [result.nControl, ...result.nCandidates];
    shares = [result.allocation.control, ...result.allocation.candidates];
    allocation = 'optimal';
  } else {
    // s² = n₁Δ²/σ_d² of one comparison at α/k; every comparison needs σ_c²/n_c + σ_t²/n_i ≤ V = (shift/s)².
    const unit = meanSampleSize({ controlVariance: 1, difference: 1, alpha: comparisonAlpha, power, sides });
    const targetVariance = shift ** 2 / (unit.nPerArmExact / 2);
    const sum = weights.reduce((total, weight) => total + weight, 0);
    shares = weights.map((weight) => weight / sum);
    const total =
      Math.max(...shares.slice(1).map((share) => (controlVariance * factor) / shares[0] + (candidateVariance * factor) / share)) /
      targetVariance;
    nPerArm = shares.map((share) => Math.ceil(total * share));
    allocation = 'weights';
  }
  return {
    metric,
    method: useT ? 't' : 'normal',
    baseline,
    target,
    difference,
    nullDifference,
    nonInferiority,
    controlVariance,
    candidateVariance,
    cupedCorrelation,
    alpha,
    comparisonAlpha,
    power,
    sides,
    arms,
    allocation,
    shares,
    nPerArm,
    nTotal: nPerArm.reduce((total, n) => total + n, 0),
  };
}

/**
 * Reads one `--guardrail KIND:BASELINE:MARGIN[:SD][:lower]`, e.g. `proportion:0.02:0.002:lower` (an
 * error rate that must not rise by more than 0.2 points) or `mean:300:1%:120:lower` (latency, margin
 * 1 % of 300, standard deviation 120 per unit).
 */
function readGuardrail(text: string, index: number): MetricDesign {
  const label = `--guardrail ${index + 1} ('${text}')`;
  const parts = text.split(':').map((part) => part.trim());
  const lower = parts[parts.length - 1] === 'lower';
  if (lower) parts.pop();
  const [kind, baselineText, marginText, sdText, ...rest] = parts;
  if (!(METRICS as readonly string[]).includes(kind))
    throw new UsageError(`${label}: the kind must be one of ${METRICS.join(', ')}, got '${kind}'`);
  if (rest.length > 0 || marginText === undefined) throw new UsageError(`${label} must read KIND:BASELINE:MARGIN[:SD][:lower]`);
  const isRate = kind === 'proportion';
  const baseline = parseNumber(baselineText, `${label} baseline`, isRate ? { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true } : {});
  const relative = marginText.endsWith('%');
  const margin = parseNumber(relative ? marginText.slice(0, -1) : marginText, `${label} margin`, { min: 0, exclusiveMin: true });
  if (isRate && sdText !== undefined) throw new UsageError(`${label}: a rate has variance p(1 − p); give no SD`);
  if (!isRate && sdText === undefined) throw new UsageError(`${label}: a ${kind} guardrail needs its SD per unit`);
  return {
    name: `guardrail ${index + 1}`,
    role: 'guardrail',
    kind: kind as MetricKind,
    baseline,
    margin: relative ? margin / 100 : margin,
    relative,
    direction: lower ? 'lower-is-better' : 'higher-is-better',
    ...(sdText === undefined ? {} : { standardDeviation: parseNumber(sdText, `${label} SD`, { min: 0, exclusiveMin: true }) }),
  };
}

/**
 * `--guardrail`: the primary metric is the success metric and each guardrail a non-inferiority test,
 * sized together by the engine's multi-metric rule (success at α, guardrails at α, each test powered
 * at 1 − β/(G + 1), n = the maximum over metrics; Schultzberg, Ankargren & Frånberg 2024).
 */
function multiMetricDesign(args: ParsedArgs, metric: MetricKind, guardrails: string[]): ExperimentDesignResult {
  for (const name of ['non-inferiority', 'weights', 'lower-is-better']) {
    if (args.values[name] !== undefined)
      throw new UsageError(`--${name} cannot be combined with --guardrail (one success metric; the split is the square-root rule)`);
  }
  const arms = numberOption(args, 'arms', { default: 2, min: 2, integer: true });
  const useT = readT(args, metric);
  const isRate = metric === 'proportion';
  const baseline = numberOption(args, 'baseline', isRate ? { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true } : {});
  const target = readMeanTarget(args, baseline, false);
  if (target === baseline) throw new UsageError('--target must differ from --baseline');
  const alpha = numberOption(args, 'alpha', { default: 0.05, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true });
  const power = numberOption(args, 'power', { default: 0.8, min: alpha, max: 1, exclusiveMin: true, exclusiveMax: true });
  if (arms > 2 && args.values.ratio !== undefined)
    throw new UsageError('--ratio applies to two arms; with --arms above 2 the square-root rule sets the split');
  const ratio = arms > 2 ? undefined : numberOption(args, 'ratio', { default: 1, min: 0, exclusiveMin: true });
  if (args.values.sides !== undefined && args.values.sides !== '1')
    throw new UsageError('the multi-metric rule tests one-sided: --sides must be 1 or left out');
  const success: MetricDesign = {
    name: 'success',
    role: 'success',
    kind: metric,
    baseline,
    minimumEffect: Math.abs(target - baseline),
    direction: target > baseline ? 'higher-is-better' : 'lower-is-better',
    cupedCorrelation: numberOption(args, 'cuped-r', { default: 0, min: -1, max: 1, exclusiveMin: true, exclusiveMax: true }),
    ...(isRate ? {} : { standardDeviation: Math.sqrt(readVariance(args, metric)) }),
  };
  try {
    return designExperiment({ metrics: [success, ...guardrails.map(readGuardrail)], arms, alpha, power, ratio, test: useT ? 't' : 'z' });
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
}

function multiMetricSummary(result: ExperimentDesignResult, duration: Duration | null): string {
  const k = result.arms - 1;
  const level = k > 1 ? `α/${k} = ${formatNumber(result.comparisonAlpha)} (Bonferroni over ${k} comparisons)` : `α = ${result.alpha}`;
  const lines = [
    'Sample size for one success metric and its guardrails (Schultzberg, Ankargren & Frånberg 2024)',
    `  success one-sided at ${level}; guardrails non-inferiority at ${level} each (not split over guardrails); ` +
      `each test powered at 1 − β/(G + 1) = ${formatNumber(1 - result.perTestBeta)} for a decision power of ${formatNumber(result.power)}` +
      (result.test === 't' ? '; mean and ratio metrics by the t-test' : ''),
    ...result.metrics.map(
      (metric) =>
        `  ${metric.name.padEnd(12)} ${metric.role === 'success' ? `detect ${formatNumber(metric.difference)}` : `margin ${formatNumber(metric.nullDifference)}`}: ${metric.nPerArm} per arm`,
    ),
  ];
  if (k > 1) {
    lines.push(
      `  allocation: square-root rule, control/candidate = √${k} = ${formatNumber(Math.sqrt(k))} ` +
        `(control ${formatNumber(100 * result.shares[0])}%, each candidate ${formatNumber(100 * result.shares[1])}% of traffic)`,
      `  needed: ${result.nPerArm} control + ${k} × ${result.nSecondArm} candidates = ${result.nTotal} (set by ${result.limitingMetric})`,
    );
  } else {
    lines.push(`  needed: ${result.nPerArm} control + ${result.nSecondArm} candidate = ${result.nTotal} (set by ${result.limitingMetric})`);
  }
  lines.push(...durationLines(duration));
  return lines.join('\n') + '\n';
}

/** The users per day and, with --population or --returning, the model of returning users. */
interface Traffic {
  usersPerDay: number;
  accrual: UserAccrualModel | null;
}

/** Reads --users-per-day and the accrual options (--population or --returning, --heterogeneity). */
function readTraffic(args: ParsedArgs): Traffic | null {
  const hasPopulation = args.values.population !== undefined;
  const hasReturning = args.values.returning !== undefined;
  const hasShape = args.values.heterogeneity !== undefined;
  if (args.values['users-per-day'] === undefined) {
    if (hasPopulation || hasReturning || hasShape)
      throw new UsageError('--population, --returning and --heterogeneity need --users-per-day');
    return null;
  }
  const usersPerDay = numberOption(args, 'users-per-day', { min: 0, exclusiveMin: true });
  if (hasPopulation && hasReturning) throw new UsageError('give either --population or --returning, not both');
  if (!hasPopulation && !hasReturning) {
    if (hasShape) throw new UsageError('--heterogeneity needs --population or --returning');
    return { usersPerDay, accrual: null };
  }
  const heterogeneity = hasShape ? numberOption(args, 'heterogeneity', { min: 0, exclusiveMin: true }) : 1;
  const population = hasPopulation ? numberOption(args, 'population', { min: usersPerDay, exclusiveMin: true }) : undefined;
  const returningShare = hasReturning
    ? numberOption(args, 'returning', { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true })
    : undefined;
  return { usersPerDay, accrual: userAccrualModel({ usersPerDay, population, returningShare, heterogeneity }) };
}

/** The days a test of `nTotal` users needs: linear (every user new) and, with a model, with returning users (null: never). */
interface Duration {
  usersPerDay: number;
  /** ⌈nTotal / usersPerDay⌉. */
  days: number;
  accrual: (UserAccrualModel & { days: number | null }) | null;
}

function durationOf(nTotal: number, traffic: Traffic | null): Duration | null {
  if (traffic === null) return null;
  return {
    usersPerDay: traffic.usersPerDay,
    days: linearDaysToReachUsers(nTotal, traffic.usersPerDay),
    accrual: traffic.accrual && { ...traffic.accrual, days: daysToReachUsers(traffic.accrual, nTotal) },
  };
}

/** The JSON keys of a duration: usersPerDay, days (linear) and accrual (the model and its days), null without traffic. */
function durationJson(duration: Duration | null) {
  return { usersPerDay: duration?.usersPerDay ?? null, days: duration?.days ?? null, accrual: duration?.accrual ?? null };
}

function durationLines(duration: Duration | null): string[] {
  if (duration === null) return [];
  const lines = [`  days at ${duration.usersPerDay} users per day: ${duration.days}`];
  const model = duration.accrual;
  if (model !== null) {
    lines[0] += ' (if every user is new)';
    lines.push(
      `  days with returning users: ${model.days === null ? `never (only ${formatNumber(model.population)} users in all)` : model.days} ` +
        `(negative binomial visits: population ${formatNumber(model.population)}, ` +
        `${formatNumber(100 * model.returningShare)}% of a day's users came the day before, heterogeneity k = ${model.heterogeneity})`,
    );
  }
  return lines;
}

function designSummary(result: DesignResult, duration: Duration | null): string {
  const sign = result.difference >= 0 ? '+' : '−';
  const value = (x: number) => (result.metric === 'proportion' ? formatPercentSignificant(x) : formatNumber(x));
  const lines = [
    result.method === 't'
      ? `Sample size for a ${result.metric} metric (t-test, variances estimated from the test's data; method: t)`
      : `Sample size for a ${result.metric} metric (normal theory, per-unit variances; method: normal)`,
  ];
  if (result.nonInferiority) {
    const ni = result.nonInferiority;
    lines.push(
      `  non-inferiority: candidate − control ${ni.alternative === 'greater' ? '>' : '<'} ${formatNumber(ni.nullDifference)} ` +
        `(margin ${ni.relative ? `${formatNumber(100 * ni.margin)}% of the baseline = ` : ''}${formatNumber(ni.absoluteMargin)}, ${ni.direction}), ` +
        `true difference ${formatNumber(result.difference)}`,
    );
  } else {
    lines.push(
      `  baseline ${value(result.baseline)} → target ${value(result.target)} (${sign}${formatNumber(Math.abs(result.difference))})`,
    );
  }
  if (result.metric !== 'proportion')
    lines.push(
      `  standard deviation per ${result.metric === 'ratio' ? 'user' : 'unit'}: ${formatNumber(Math.sqrt(result.controlVariance))}`,
    );
  if (result.cupedCorrelation !== 0) {
    lines.push(`  CUPED: pre-period correlation ${result.cupedCorrelation}, variance × ${formatNumber(1 - result.cupedCorrelation ** 2)}`);
  }
  const comparisons = result.arms.length - 1;
  lines.push(
    `  ${result.sides === 2 ? 'two-sided' : 'one-sided'} test, α = ${result.alpha}` +
      (comparisons > 1 ? ` (Bonferroni over ${comparisons} comparisons: ${formatNumber(result.comparisonAlpha)} each)` : '') +
      `, power ${formatNumber(100 * result.power)}%${comparisons > 1 ? ' per comparison' : ''}`,
  );
  const perControl = formatNumber(result.shares[1] / result.shares[0]);
  if (result.allocation === 'optimal')
    lines.push(`  allocation: optimal (control/candidate = ${formatNumber(result.shares[0] / result.shares[1])})`);
  else if (result.allocation === 'ratio') lines.push(`  allocation 1:${perControl}`);
  else lines.push(`  allocation: the given weights`);
  result.arms.forEach((arm, i) => lines.push(`  ${arm}: ${result.nPerArm[i]}  (${formatNumber(100 * result.shares[i])}% of traffic)`));
  lines.push(`  total: ${result.nTotal}`, ...durationLines(duration));
  return lines.join('\n') + '\n';
}

/** The `size` command object (register it in src/cli/commands/index.ts). */
export const sizeCommand: Command = {
  name: 'size',
  summary:
    'sample size per arm to detect a change of a success rate (pooled or arcsine method), or of a mean or ratio metric, ' +
    'with CUPED, a non-inferiority margin, guardrails, several arms and the t-test; the days with returning users',
  usage:
    'size --baseline <value> (--target <value> | --lift <relative change>) [--metric proportion|mean|ratio] ' +
    '[--sd <per unit> | --variance <per unit>] [--cuped-r <correlation>] [--non-inferiority <margin>|<percent>%] [--lower-is-better] ' +
    '[--t] [--arms 2] [--weights w1,w2,…] [--guardrail KIND:BASELINE:MARGIN[:SD][:lower] …] ' +
    '[--users-per-day <n> [--population <n> | --returning <share>] [--heterogeneity 1]] [--alpha 0.05] [--power 0.8] [--ratio 1] [--sides 2] [--method pooled|arcsine|normal] [--json]',
  run(argv: string[], io: CliIo): number {
    const args = parseCommandArgs(argv, {
      baseline: { type: 'string' },
      target: { type: 'string' },
      lift: { type: 'string' },
      alpha: { type: 'string' },
      power: { type: 'string' },
      ratio: { type: 'string' },
      sides: { type: 'string' },
      method: { type: 'string' },
      metric: { type: 'string' },
      sd: { type: 'string' },
      variance: { type: 'string' },
      'cuped-r': { type: 'string' },
      'non-inferiority': { type: 'string' },
      'lower-is-better': { type: 'boolean' },
      arms: { type: 'string' },
      weights: { type: 'string' },
      'users-per-day': { type: 'string' },
      population: { type: 'string' },
      returning: { type: 'string' },
      heterogeneity: { type: 'string' },
      t: { type: 'boolean' },
      guardrail: { type: 'string', multiple: true },
    });
    const metric = choiceOption(args, 'metric', METRICS, 'proportion');
    const traffic = readTraffic(args);
    const guardrails = args.values.guardrail as string[] | undefined;
    if (guardrails !== undefined) {
      if (args.values.method !== undefined) throw new UsageError('--method applies to the two-arm superiority test of a rate only');
      const design = multiMetricDesign(args, metric, guardrails);
      const duration = durationOf(design.nTotal, traffic);
      if (args.values.json) writeJson(io, { metric, ...design, ...durationJson(duration) });
      else io.stdout.write(multiMetricSummary(design, duration));
      return 0;
    }
    // `--method normal`: the general (unpooled, normal-theory) design for a plain rate too — what the app's sizer computes.
    const general =
      args.values.method === 'normal' ||
      ['sd', 'variance', 'cuped-r', 'non-inferiority', 'arms', 'weights', 't'].some((name) => args.values[name] !== undefined);
    if (metric !== 'proportion' || general) {
      if (args.values.method !== undefined && !(metric === 'proportion' && args.values.method === 'normal'))
        throw new UsageError(
          '--method pooled|arcsine applies to the two-arm superiority test of a rate only (--method normal to any rate design)',
        );
      if (args.values['lower-is-better'] && args.values['non-inferiority'] === undefined)
        throw new UsageError('--lower-is-better applies with --non-inferiority');
      const design = generalDesign(args, metric);
      const duration = durationOf(design.nTotal, traffic);
      if (args.values.json) writeJson(io, { ...design, ...durationJson(duration) });
      else io.stdout.write(designSummary(design, duration));
      return 0;
    }
    if (args.values['lower-is-better']) throw new UsageError('--lower-is-better applies with --non-inferiority');
    const baseline = numberOption(args, 'baseline', { min: 0, max: 1 });
    const target = readTarget(args, baseline);
    const alpha = numberOption(args, 'alpha', { default: 0.05, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true });
    const power = numberOption(args, 'power', { default: 0.8, min: alpha, max: 1, exclusiveMin: true, exclusiveMax: true });
    const ratio = numberOption(args, 'ratio', { default: 1, min: 0, exclusiveMin: true });
    const sides = Number(choiceOption(args, 'sides', ['1', '2'] as const, '2')) as 1 | 2;
    const method = choiceOption(args, 'method', ['pooled', 'arcsine'] as const, 'pooled');

    const result = requiredSampleSize({ baseline, target, alpha, power, ratio, sides, method });
    if (args.values.json) {
      writeJson(io, {
        method: result.method,
        baseline: result.baseline,
        target: result.target,
        absoluteEffect: result.absoluteEffect,
        lift: Number.isFinite(result.relativeEffect) ? result.relativeEffect : null,
        alpha: result.alpha,
        power: result.power,
        ratio: result.ratio,
        sides: result.sides,
        nPerArmExact: result.nPerArmExact,
        nPerArm: result.nPerArm,
        nSecondArm: result.nSecondArm,
        nTotal: result.nTotal,
        ...(traffic === null ? {} : durationJson(durationOf(result.nTotal, traffic))),
      });
    } else {
      io.stdout.write(summary(result));
      io.stdout.write(
        durationLines(durationOf(result.nTotal, traffic))
          .map((line) => `${line}\n`)
          .join(''),
      );
    }
    return 0;
  },
};
