/**
 * Drift between a reference window (e.g. training data, or the weeks before launch) and a
 * current window, for numeric and categorical inputs and for the model's prediction
 * distribution: population stability index (PSI), two-sample Kolmogorov–Smirnov for numbers,
 * Pearson χ² for categories, and a recommendation NONE | INVESTIGATE | RETRAIN with its reasons.
 */

import { chiSquareSf } from '../stats/distributions.ts';
import type { KsTestResult } from '../stats/kolmogorov.ts';
import { twoSampleKsTest } from '../stats/kolmogorov.ts';
import { quantiles } from '../stats/quantile.ts';

/** One bin of a PSI computation. */
export interface PsiBin {
  /** For numeric bins: (lower, upper], with −Infinity / Infinity at the ends. */
  lower?: number;
  upper?: number;
  /** For categorical bins: the category. */
  category?: string;
  referenceCount: number;
  currentCount: number;
  /** Shares after the empty-bin floor ε. */
  referenceShare: number;
  currentShare: number;
  /** (current − reference)·ln(current / reference). */
  contribution: number;
}

/** A PSI value with its bins. */
export interface PsiResult {
  psi: number;
  bins: PsiBin[];
}

/** Options of the PSI functions. */
export interface PsiOptions {
  /** Number of reference-quantile bins for numeric data (default 10, deciles). */
  bins?: number;
  /** Floor for an empty bin's share (default 1e-4). */
  epsilon?: number;
}

function checkPsiOptions(options: PsiOptions): { bins: number; epsilon: number } {
  const bins = options.bins ?? 10;
  const epsilon = options.epsilon ?? 1e-4;
  if (!Number.isInteger(bins) || bins < 2) throw new RangeError(`bins must be a whole number of at least 2, got ${bins}`);
  if (!(epsilon > 0 && epsilon < 1)) throw new RangeError(`epsilon must be between 0 and 1 (exclusive), got ${epsilon}`);
  return { bins, epsilon };
}

function checkNumbers(values: readonly number[], field: string): void {
  if (values.length === 0) throw new RangeError(`${field} must not be empty`);
  for (let i = 0; i < values.length; i++) {
    if (typeof values[i] !== 'number' || !Number.isFinite(values[i])) {
      throw new RangeError(`${field}[${i}] must be a finite number, got ${String(values[i])}`);
    }
  }
}

function psiFromCounts(
  referenceCounts: number[],
  currentCounts: number[],
  epsilon: number,
): { psi: number; shares: [number, number, number][] } {
  const referenceTotal = referenceCounts.reduce((a, b) => a + b, 0);
  const currentTotal = currentCounts.reduce((a, b) => a + b, 0);
  let psi = 0;
  const shares: [number, number, number][] = referenceCounts.map((count, i) => {
    const r = Math.max(count / referenceTotal, epsilon);
    const c = Math.max(currentCounts[i] / currentTotal, epsilon);
    const contribution = (c - r) * Math.log(c / r);
    psi += contribution;
    return [r, c, contribution];
  });
  return { psi, shares };
}

/**
 * PSI of numeric data: Σ_i (c_i − r_i)·ln(c_i / r_i) over bins i, with r_i, c_i the shares of the
 * reference and current windows in bin i (Siddiqi, "Credit Risk Scorecards", Wiley 2006, ch. 8;
 * Yurdakul, "Statistical properties of population stability index", Western Michigan Univ. 2018).
 *
 * Binning (documented because PSI depends on it): edges are the reference's type-7 quantiles at
 * k/B, k = 1…B−1 (deciles by default), duplicates removed (so heavily tied data gets fewer bins);
 * bins are right-closed, (−∞, e₁], (e₁, e₂], …, (e_last, +∞), so current values beyond the
 * reference range fall in the end bins. A share of 0 is replaced by ε = 1e-4 (shares are not
 * renormalised) so that the logarithm stays finite; an empty bin on one side then contributes
 * about share·ln(share/ε).
 *
 * Common reading (Siddiqi 2006): PSI < 0.1 no significant shift; 0.1–0.25 moderate shift,
 * investigate; ≥ 0.25 significant shift, the model likely needs retraining.
 * Cost O((n + m) log n).
 */
export function numericPsi(reference: readonly number[], current: readonly number[], options: PsiOptions = {}): PsiResult {
  const { bins, epsilon } = checkPsiOptions(options);
  checkNumbers(reference, 'reference');
  checkNumbers(current, 'current');
  const probabilities = Array.from({ length: bins - 1 }, (_, k) => (k + 1) / bins);
  const rawEdges = quantiles(reference, probabilities);
  const edges = rawEdges.filter((edge, i) => i === 0 || edge !== rawEdges[i - 1]);
  const binOf = (x: number): number => {
    // Number of edges strictly below x = index of the right-closed bin holding x.
    let low = 0;
    let high = edges.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (edges[mid] < x) low = mid + 1;
      else high = mid;
    }
    return low;
  };
  const referenceCounts = new Array<number>(edges.length + 1).fill(0);
  const currentCounts = new Array<number>(edges.length + 1).fill(0);
  for (const x of reference) referenceCounts[binOf(x)]++;
  for (const x of current) currentCounts[binOf(x)]++;
  const { psi, shares } = psiFromCounts(referenceCounts, currentCounts, epsilon);
  return {
    psi,
    bins: shares.map(([r, c, contribution], i) => ({
      lower: i === 0 ? -Infinity : edges[i - 1],
      upper: i === edges.length ? Infinity : edges[i],
      referenceCount: referenceCounts[i],
      currentCount: currentCounts[i],
      referenceShare: r,
      currentShare: c,
      contribution,
    })),
  };
}

/**
 * PSI of data already counted in common bins (e.g. `ArmWindow.inputs`, counts on fixed reference
 * decile edges summed over windows): the same Σ_i (c_i − r_i)·ln(c_i / r_i) with the same ε floor
 * for empty bins as `numericPsi` (Siddiqi 2006, ch. 8), the binning being the producer's.
 * Both arrays must have the same length ≥ 2, whole counts ≥ 0, and a positive total. O(bins).
 */
export function binnedPsi(
  referenceCounts: readonly number[],
  currentCounts: readonly number[],
  options: Pick<PsiOptions, 'epsilon'> = {},
): PsiResult {
  const { epsilon } = checkPsiOptions({ epsilon: options.epsilon });
  if (referenceCounts.length < 2) throw new RangeError(`referenceCounts must have at least 2 bins, got ${referenceCounts.length}`);
  if (currentCounts.length !== referenceCounts.length) {
    throw new RangeError(
      `currentCounts must have as many bins as referenceCounts (${referenceCounts.length}), got ${currentCounts.length}`,
    );
  }
  for (const [field, counts] of [
    ['referenceCounts', referenceCounts],
    ['currentCounts', currentCounts],
  ] as const) {
    counts.forEach((count, i) => {
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 0)
        throw new RangeError(`${field}[${i}] must be a whole number ≥ 0, got ${String(count)}`);
    });
    if (counts.reduce((a, b) => a + b, 0) === 0) throw new RangeError(`${field} must have a positive total`);
  }
  const { psi, shares } = psiFromCounts([...referenceCounts], [...currentCounts], epsilon);
  return {
    psi,
    bins: shares.map(([r, c, contribution], i) => ({
      referenceCount: referenceCounts[i],
      currentCount: currentCounts[i],
      referenceShare: r,
      currentShare: c,
      contribution,
    })),
  };
}

/**
 * PSI of categorical data: the same sum over categories (the union of the categories seen in
 * either window, sorted), with the same ε floor for a category absent from one window.
 * Cost O(n + m + k log k).
 */
export function categoricalPsi(reference: readonly string[], current: readonly string[], options: PsiOptions = {}): PsiResult {
  const { epsilon } = checkPsiOptions(options);
  const { categories, referenceCounts, currentCounts } = categoryCounts(reference, current);
  const { psi, shares } = psiFromCounts(referenceCounts, currentCounts, epsilon);
  return {
    psi,
    bins: shares.map(([r, c, contribution], i) => ({
      category: categories[i],
      referenceCount: referenceCounts[i],
      currentCount: currentCounts[i],
      referenceShare: r,
      currentShare: c,
      contribution,
    })),
  };
}

function categoryCounts(reference: readonly string[], current: readonly string[]) {
  if (reference.length === 0) throw new RangeError('reference must not be empty');
  if (current.length === 0) throw new RangeError('current must not be empty');
  const counts = new Map<string, [number, number]>();
  const add = (values: readonly string[], side: 0 | 1, field: string) => {
    values.forEach((value, i) => {
      if (typeof value !== 'string') throw new RangeError(`${field}[${i}] must be a string category, got ${String(value)}`);
      const entry = counts.get(value) ?? [0, 0];
      entry[side]++;
      counts.set(value, entry);
    });
  };
  add(reference, 0, 'reference');
  add(current, 1, 'current');
  const categories = [...counts.keys()].sort();
  return {
    categories,
    referenceCounts: categories.map((c) => counts.get(c)![0]),
    currentCounts: categories.map((c) => counts.get(c)![1]),
  };
}

/** A χ² test result. */
export interface ChiSquareResult {
  statistic: number;
  degreesOfFreedom: number;
  pValue: number;
}

/**
 * Pearson χ² test of homogeneity of the category distribution between the two windows (2 × k
 * table of counts, expected = row total × column total / grand total, df = k − 1, no continuity
 * correction), as scipy `stats.chi2_contingency(table, correction=False)`. With a single category
 * the windows cannot differ: χ² = 0, p = 1. Cost O(n + m + k log k).
 */
export function categoricalChiSquare(reference: readonly string[], current: readonly string[]): ChiSquareResult {
  const { referenceCounts, currentCounts } = categoryCounts(reference, current);
  const k = referenceCounts.length;
  if (k < 2) return { statistic: 0, degreesOfFreedom: 0, pValue: 1 };
  const n1 = reference.length;
  const n2 = current.length;
  const total = n1 + n2;
  let statistic = 0;
  for (let i = 0; i < k; i++) {
    const column = referenceCounts[i] + currentCounts[i];
    const expected1 = (n1 * column) / total;
    const expected2 = (n2 * column) / total;
    statistic += (referenceCounts[i] - expected1) ** 2 / expected1 + (currentCounts[i] - expected2) ** 2 / expected2;
  }
  return { statistic, degreesOfFreedom: k - 1, pValue: chiSquareSf(statistic, k - 1) };
}

/** What drift calls for. */
export type DriftRecommendation = 'NONE' | 'INVESTIGATE' | 'RETRAIN';

/** One feature (or the prediction) in a reference and a current window. */
export type DriftFeature =
  | { name: string; kind?: 'numeric'; reference: readonly number[]; current: readonly number[] }
  | { name: string; kind: 'categorical'; reference: readonly string[]; current: readonly string[] };

/** Thresholds of the drift recommendation. */
export interface DriftOptions extends PsiOptions {
  /** PSI at or above this → INVESTIGATE (default 0.1, Siddiqi 2006). */
  psiInvestigate?: number;
  /** PSI at or above this → RETRAIN (default 0.25, Siddiqi 2006). */
  psiRetrain?: number;
  /** A KS or χ² p-value below this → INVESTIGATE (default 0.01). */
  alpha?: number;
}

/** Drift of one feature. */
export interface FeatureDrift {
  name: string;
  kind: 'numeric' | 'categorical';
  psi: number;
  bins: PsiBin[];
  /** Two-sample KS (numeric only). */
  ks?: KsTestResult;
  /** χ² homogeneity test (categorical only). */
  chiSquare?: ChiSquareResult;
  recommendation: DriftRecommendation;
  reasons: string[];
}

/** 3 significant digits, scientific notation below 0.001 (p-values). */
function formatValue(x: number): string {
  return x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toPrecision(3);
}

const severity: Record<DriftRecommendation, number> = { NONE: 0, INVESTIGATE: 1, RETRAIN: 2 };

function driftThresholds(options: DriftOptions) {
  const psiInvestigate = options.psiInvestigate ?? 0.1;
  const psiRetrain = options.psiRetrain ?? 0.25;
  const alpha = options.alpha ?? 0.01;
  if (!(psiInvestigate > 0)) throw new RangeError(`psiInvestigate must be greater than 0, got ${psiInvestigate}`);
  if (!(psiRetrain >= psiInvestigate))
    throw new RangeError(`psiRetrain must be at least psiInvestigate (${psiInvestigate}), got ${psiRetrain}`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, got ${alpha}`);
  return { psiInvestigate, psiRetrain, alpha };
}

/**
 * Drift of one feature: PSI (binning as in `numericPsi` / `categoricalPsi`) plus, for numbers,
 * the two-sample KS test (`twoSampleKsTest`, method 'auto') and, for categories, Pearson's χ².
 * RETRAIN when PSI ≥ psiRetrain; INVESTIGATE when PSI ≥ psiInvestigate or the test's p < α (a
 * test alone never asks for retraining: with large windows it flags shifts too small to matter,
 * which PSI sizes); otherwise NONE. Cost as the tests: O((n + m) log(n + m)) plus the exact KS
 * p-value.
 */
export function analyzeDrift(feature: DriftFeature, options: DriftOptions = {}): FeatureDrift {
  const { psiInvestigate, psiRetrain, alpha } = driftThresholds(options);
  const reasons: string[] = [];
  let psi: PsiResult;
  let ks: KsTestResult | undefined;
  let chiSquare: ChiSquareResult | undefined;
  let testP: number;
  let testText: string;
  if (feature.kind === 'categorical') {
    psi = categoricalPsi(feature.reference, feature.current, options);
    chiSquare = categoricalChiSquare(feature.reference, feature.current);
    testP = chiSquare.pValue;
    testText = `χ²(${chiSquare.degreesOfFreedom}) = ${chiSquare.statistic.toPrecision(4)}, p = ${formatValue(chiSquare.pValue)}`;
  } else {
    psi = numericPsi(feature.reference, feature.current, options);
    ks = twoSampleKsTest(feature.reference, feature.current);
    testP = ks.pValue;
    testText = `KS D = ${formatValue(ks.statistic)}, p = ${formatValue(ks.pValue)}`;
  }
  let recommendation: DriftRecommendation = 'NONE';
  const psiText = `PSI ${formatValue(psi.psi)}`;
  if (psi.psi >= psiRetrain) {
    recommendation = 'RETRAIN';
    reasons.push(`${feature.name}: ${psiText} ≥ ${psiRetrain} (significant shift)`);
  } else if (psi.psi >= psiInvestigate) {
    recommendation = 'INVESTIGATE';
    reasons.push(`${feature.name}: ${psiText} ≥ ${psiInvestigate} (moderate shift)`);
  }
  if (testP < alpha) {
    if (recommendation === 'NONE') recommendation = 'INVESTIGATE';
    reasons.push(`${feature.name}: ${testText} < α = ${alpha} (distribution changed)`);
  }
  if (reasons.length === 0) reasons.push(`${feature.name}: ${psiText} < ${psiInvestigate} and ${testText} ≥ α = ${alpha}`);
  const result: FeatureDrift = {
    name: feature.name,
    kind: feature.kind === 'categorical' ? 'categorical' : 'numeric',
    psi: psi.psi,
    bins: psi.bins,
    recommendation,
    reasons,
  };
  if (ks) result.ks = ks;
  if (chiSquare) result.chiSquare = chiSquare;
  return result;
}

/** Drift over several inputs and the prediction distribution. */
export interface DriftReport {
  features: FeatureDrift[];
  prediction?: FeatureDrift;
  /** The most severe recommendation of all. */
  recommendation: DriftRecommendation;
  /** The reasons of every input that is not NONE (or all reasons when everything is NONE). */
  reasons: string[];
}

/**
 * Drift report: `analyzeDrift` on every input feature and on the prediction distribution (scores
 * as numeric, predicted labels as categorical), with the most severe recommendation overall.
 * A drifting prediction with stable inputs points at the model or labels; drifting inputs with a
 * stable prediction may be harmless — the reasons list both.
 */
export function driftReport(
  input: { features: readonly DriftFeature[]; prediction?: DriftFeature },
  options: DriftOptions = {},
): DriftReport {
  if (input.features.length === 0 && input.prediction === undefined) {
    throw new RangeError('features must hold at least one feature, or a prediction must be given');
  }
  const features = input.features.map((feature) => analyzeDrift(feature, options));
  const prediction = input.prediction ? analyzeDrift(input.prediction, options) : undefined;
  const all = prediction ? [...features, prediction] : features;
  const recommendation = all.reduce<DriftRecommendation>(
    (worst, f) => (severity[f.recommendation] > severity[worst] ? f.recommendation : worst),
    'NONE',
  );
  const flagged = all.filter((f) => f.recommendation !== 'NONE');
  const reasons = (flagged.length > 0 ? flagged : all).flatMap((f) => f.reasons);
  const report: DriftReport = { features, recommendation, reasons };
  if (prediction) report.prediction = prediction;
  return report;
}
