/**
 * Several candidates against one control: the allocation of traffic that minimises the total
 * sample, the sample size with a Bonferroni correction over the k comparisons, and the decision.
 *
 * Allocation. Each comparison i estimates μ_i − μ_c with variance σ_c²/n_c + σ_i²/n_i. Asking every
 * comparison for the same variance V (the same minimum detectable effect) and minimising
 * N = n_c + Σ n_i gives, with S = √(Σ σ_i²) (Lagrange; for equal variances this is Dunnett's
 * square-root rule n_c/n_t = √k, Dunnett 1955, JASA 50, §2):
 *
 *   n_c = σ_c·(σ_c + S)/V,   n_i = σ_i²·(σ_c + S)/(V·S),   so n_c/n_i = σ_c·S/σ_i².
 *
 * Sample size. Each comparison is tested at α/k (Bonferroni, one- or two-sided) and powered at
 * `power` for the common effect Δ: V = (Δ/s)² where s solves the power equation of
 * `meanSampleSize` at level α/k. The family-wise error of "some candidate declared different
 * when none is" is then ≤ α; the power is per comparison.
 */
import { meanSampleSize } from './meanSampleSize.ts';
import { adjustPValues } from './multipleComparisons.ts';

/** Shares of the traffic for control and each candidate. */
export interface ArmAllocation {
  /** Share of the control, in (0, 1). */
  control: number;
  /** Share of each candidate; control + Σ candidates = 1. */
  candidates: number[];
  /** n_control / n_candidate_i for each candidate. */
  controlToCandidate: number[];
}

function checkVariances(controlVariance: number, candidateVariances: readonly number[]): void {
  if (!(controlVariance > 0 && Number.isFinite(controlVariance))) {
    throw new RangeError(`controlVariance must be a positive number, got ${controlVariance}`);
  }
  if (!Array.isArray(candidateVariances) || candidateVariances.length === 0) {
    throw new RangeError('candidateVariances must list at least one candidate');
  }
  candidateVariances.forEach((variance, i) => {
    if (!(variance > 0 && Number.isFinite(variance)))
      throw new RangeError(`candidateVariances[${i}] must be a positive number, got ${variance}`);
  });
}

/**
 * The allocation minimising the total sample when every comparison needs the same variance:
 * shares ∝ σ_c·S (control) and σ_i² (candidate i), S = √(Σσ_i²) (module comment). With k equal
 * variances: control √k/(√k + k), each candidate 1/(√k + k). O(k).
 */
export function optimalAllocation(controlVariance: number, candidateVariances: readonly number[]): ArmAllocation {
  checkVariances(controlVariance, candidateVariances);
  const spread = Math.sqrt(candidateVariances.reduce((sum, variance) => sum + variance, 0));
  const controlWeight = Math.sqrt(controlVariance) * spread;
  const total = controlWeight + spread * spread;
  return {
    control: controlWeight / total,
    candidates: candidateVariances.map((variance) => variance / total),
    controlToCandidate: candidateVariances.map((variance) => controlWeight / variance),
  };
}

/** Inputs of `multiArmSampleSize`. */
export interface MultiArmSampleSizeOptions {
  /** Number of candidates k (each compared with control); or give `candidateVariances`. */
  candidates?: number;
  /** Per-unit variance of the control. */
  controlVariance: number;
  /** Per-unit variance of each candidate; default k copies of controlVariance. */
  candidateVariances?: readonly number[];
  /** The smallest |μ_i − μ_c| every comparison must detect. */
  difference: number;
  /** Family-wise level, default 0.05 (each comparison at α/k). */
  alpha?: number;
  /** Per-comparison power, default 0.8. */
  power?: number;
  /** Default 2. */
  sides?: 1 | 2;
  /** 'optimal' (default, the allocation above) or 'equal' (same n in every arm). */
  allocation?: 'optimal' | 'equal';
}

/** Result of `multiArmSampleSize`. */
export interface MultiArmSampleSizeResult {
  /** α/k, the level of each comparison. */
  comparisonAlpha: number;
  allocation: ArmAllocation;
  /** ⌈n_c⌉. */
  nControl: number;
  /** ⌈n_i⌉ per candidate. */
  nCandidates: number[];
  nTotal: number;
}

/**
 * Units per arm so that every comparison reaches `power` for Δ at α/k. 'optimal': n_c and n_i from
 * the allocation with V = (Δ/s)²; 'equal': n = s²·(σ_c² + max σ_i²)/Δ² in every arm. Rounded up.
 * s comes from `meanSampleSize` (one comparison, level α/k). O(k).
 */
export function multiArmSampleSize(options: MultiArmSampleSizeOptions): MultiArmSampleSizeResult {
  const { controlVariance, difference, alpha = 0.05, power = 0.8, sides = 2, allocation = 'optimal' } = options;
  let candidateVariances = options.candidateVariances;
  if (candidateVariances === undefined) {
    const k = options.candidates;
    if (!(k !== undefined && Number.isInteger(k) && k >= 1)) throw new RangeError(`candidates must be a positive integer, got ${k}`);
    candidateVariances = new Array<number>(k).fill(controlVariance);
  } else if (options.candidates !== undefined && options.candidates !== candidateVariances.length) {
    throw new RangeError(`candidates (${options.candidates}) must equal the length of candidateVariances (${candidateVariances.length})`);
  }
  checkVariances(controlVariance, candidateVariances);
  if (!(difference !== 0 && Number.isFinite(difference))) throw new RangeError(`difference must be a non-zero number, got ${difference}`);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, got ${alpha}`);
  if (allocation !== 'optimal' && allocation !== 'equal')
    throw new RangeError(`allocation must be 'optimal' or 'equal', got '${String(allocation)}'`);
  const k = candidateVariances.length;
  const comparisonAlpha = alpha / k;
  // s² = n₁·Δ²/σ_d² for any one-comparison design; read it from a unit-variance design.
  const unit = meanSampleSize({ controlVariance: 1, candidateVariance: 1, difference: 1, alpha: comparisonAlpha, power, sides });
  const shiftSquared = unit.nPerArmExact / 2;
  const targetVariance = (difference * difference) / shiftSquared;
  let nControlExact: number;
  let nCandidatesExact: number[];
  let shares: ArmAllocation;
  if (allocation === 'optimal') {
    shares = optimalAllocation(controlVariance, candidateVariances);
    const spread = Math.sqrt(candidateVariances.reduce((sum, variance) => sum + variance, 0));
    const sigmaControl = Math.sqrt(controlVariance);
    nControlExact = (sigmaControl * (sigmaControl + spread)) / targetVariance;
    nCandidatesExact = candidateVariances.map((variance) => (variance * (sigmaControl + spread)) / (targetVariance * spread));
  } else {
    const n = (controlVariance + Math.max(...candidateVariances)) / targetVariance;
    nControlExact = n;
    nCandidatesExact = candidateVariances.map(() => n);
    shares = {
      control: 1 / (k + 1),
      candidates: candidateVariances.map(() => 1 / (k + 1)),
      controlToCandidate: candidateVariances.map(() => 1),
    };
  }
  const nControl = Math.ceil(nControlExact);
  const nCandidates = nCandidatesExact.map((n) => Math.ceil(n));
  return {
    comparisonAlpha,
    allocation: shares,
    nControl,
    nCandidates,
    nTotal: nControl + nCandidates.reduce((sum, n) => sum + n, 0),
  };
}

/** One candidate's comparison with control. */
export interface ArmComparison {
  name: string;
  /** candidate − control, oriented so that larger is better. */
  estimate: number;
  /** p-value of that comparison (unadjusted), one- or two-sided as planned. */
  pValue: number;
}

/** Result of `multiArmDecision`. */
export interface MultiArmDecisionResult {
  /** The candidate to ship: the best estimate among those significantly better; null if none. */
  winner: string | null;
  comparisons: { name: string; estimate: number; pValue: number; adjustedPValue: number; better: boolean; worse: boolean }[];
}

/**
 * Bonferroni-adjusted comparisons (p̃ = min(1, k·p), statsmodels `multipletests(method='bonferroni')`):
 * a candidate is better when p̃ < α and its estimate is positive, worse when p̃ < α and negative.
 * The winner is the better candidate with the largest estimate. O(k log k).
 */
export function multiArmDecision(comparisons: readonly ArmComparison[], alpha = 0.05): MultiArmDecisionResult {
  if (!Array.isArray(comparisons) || comparisons.length === 0) throw new RangeError('comparisons must list at least one candidate');
  comparisons.forEach((comparison, i) => {
    if (!Number.isFinite(comparison.estimate))
      throw new RangeError(`comparisons[${i}].estimate must be a finite number, got ${comparison.estimate}`);
  });
  const adjusted = adjustPValues(
    comparisons.map((comparison) => comparison.pValue),
    'bonferroni',
    alpha,
  );
  const rows = comparisons.map((comparison, i) => ({
    name: comparison.name,
    estimate: comparison.estimate,
    pValue: comparison.pValue,
    adjustedPValue: adjusted.adjustedPValues[i],
    better: adjusted.reject[i] && comparison.estimate > 0,
    worse: adjusted.reject[i] && comparison.estimate < 0,
  }));
  const better = rows.filter((row) => row.better);
  const winner = better.length === 0 ? null : better.reduce((best, row) => (row.estimate > best.estimate ? row : best)).name;
  return { winner, comparisons: rows };
}
