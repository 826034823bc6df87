/**
 * Sequential (anytime-valid) sample-ratio-mismatch test: the Dirichlet–multinomial Bayes factor
 * of Lindon, Semmens & Gotwalt, "Anytime-Valid Inference for Multinomial Count Data" (arXiv
 * 2011.01808, 2022), §3. Unlike Pearson's χ² (`sampleRatioMismatch`), it may be checked after
 * every day or window, forever, without inflating the false-alarm rate.
 *
 * H0: each unit lands in arm i with the planned probability θ₀ᵢ = wᵢ/Σw. H1 puts a Dirichlet(α)
 * prior on θ with αᵢ = concentration·θ₀ᵢ (centred on the plan). After counts x (n units) the Bayes
 * factor is the ratio of the Dirichlet–multinomial and multinomial likelihoods, the multinomial
 * coefficients cancelling:
 *
 *   BF(x) = [Γ(Σα)/Γ(Σα + n)]·Πᵢ[Γ(αᵢ + xᵢ)/Γ(αᵢ)] / Πᵢ θ₀ᵢ^{xᵢ}.
 *
 * BF is a nonnegative martingale under H0 with mean 1, so by Ville's inequality
 * P(sup_t BF_t ≥ 1/α) ≤ α and p_t = min(1, 1/max_{s≤t} BF_s) is an anytime-valid p-value, never
 * increasing (paper, Theorem 3.1 and eq. 11). Counts arrive in batches (a day, a window): a batch
 * y multiplies BF by the posterior predictive ratio with the posterior α + x (the batch's own
 * Dirichlet–multinomial over its multinomial) — the recursion of §3.2 — so the product over batches
 * equals the one-shot BF of the total (batching invariance), which the tests check.
 * Looking only at batch ends can miss a maximum inside a batch: p is then larger (conservative), never smaller.
 */
import { logGamma } from './distributions.ts';
import { DEFAULT_SRM_THRESHOLD } from './sampleRatioMismatch.ts';

/** Default Dirichlet concentration Σα: the prior weighs as much as 100 units (the default of Lindon's savvi `Multinomial`, k = 100). */
export const DEFAULT_SRM_CONCENTRATION = 100;

/** Options of `sequentialSrmInit`. */
export interface SequentialSrmOptions {
  /** Planned share of each arm (any positive scale); its length is the number of arms. */
  weights: readonly number[];
  /** Σα of the Dirichlet prior, default 100. */
  concentration?: number;
  /** p below which a mismatch is declared, default 0.001 (as the χ² check). */
  threshold?: number;
}

/** State after some batches: plain data. */
export interface SequentialSrmState {
  /** θ₀: the planned shares, normalised. */
  nullProbabilities: number[];
  /** α of the prior. */
  prior: number[];
  /** Cumulative counts per arm. */
  counts: number[];
  /** ln BF of the cumulative counts (the sum of the batches' log ratios). */
  logBayesFactor: number;
  /** The anytime-valid p-value: min(1, 1/max BF so far). */
  pValue: number;
  threshold: number;
  /** Batches folded in. */
  batches: number;
}

/** The state before any data: BF = 1, p = 1. Checks the weights, concentration and threshold. */
export function sequentialSrmInit(options: SequentialSrmOptions): SequentialSrmState {
  const { weights, concentration = DEFAULT_SRM_CONCENTRATION, threshold = DEFAULT_SRM_THRESHOLD } = options;
  if (!Array.isArray(weights) || weights.length < 2) throw new RangeError(`weights must list at least 2 arms, got ${weights?.length}`);
  weights.forEach((weight, i) => {
    if (!(weight > 0 && Number.isFinite(weight))) throw new RangeError(`weights[${i}] must be a positive finite number, got ${weight}`);
  });
  if (!(concentration > 0 && Number.isFinite(concentration))) {
    throw new RangeError(`concentration must be a positive number, got ${concentration}`);
  }
  if (!(threshold > 0 && threshold < 1)) throw new RangeError(`threshold must be between 0 and 1, got ${threshold}`);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const nullProbabilities = weights.map((weight) => weight / total);
  return {
    nullProbabilities,
    prior: nullProbabilities.map((p) => concentration * p),
    counts: weights.map(() => 0),
    logBayesFactor: 0,
    pValue: 1,
    threshold,
    batches: 0,
  };
}

/**
 * ln of the Bayes factor contributed by `batch` given the posterior `posterior` (= prior + counts so far):
 * ln Γ(A) − ln Γ(A + m) + Σ[ln Γ(aᵢ + yᵢ) − ln Γ(aᵢ)] − Σ yᵢ ln θ₀ᵢ, A = Σa, m = Σy. O(arms).
 */
function logBatchRatio(posterior: readonly number[], batch: readonly number[], nullProbabilities: readonly number[]): number {
  let sumPosterior = 0;
  let size = 0;
  let value = 0;
  for (let i = 0; i < batch.length; i++) {
    sumPosterior += posterior[i];
    size += batch[i];
    if (batch[i] > 0) value += logGamma(posterior[i] + batch[i]) - logGamma(posterior[i]) - batch[i] * Math.log(nullProbabilities[i]);
  }
  if (size === 0) return 0;
  return value + logGamma(sumPosterior) - logGamma(sumPosterior + size);
}

/** Folds one period's counts per arm (non-negative integers, one per arm) into a new state. O(arms). */
export function sequentialSrmUpdate(state: SequentialSrmState, batch: readonly number[]): SequentialSrmState {
  if (!Array.isArray(batch) || batch.length !== state.counts.length) {
    throw new RangeError(`batch must list one count per arm (${state.counts.length}), got ${batch?.length}`);
  }
  batch.forEach((count, i) => {
    if (!(Number.isInteger(count) && count >= 0)) throw new RangeError(`batch[${i}] must be a non-negative integer, got ${count}`);
  });
  const posterior = state.prior.map((alpha, i) => alpha + state.counts[i]);
  const logBayesFactor = state.logBayesFactor + logBatchRatio(posterior, batch, state.nullProbabilities);
  return {
    ...state,
    counts: state.counts.map((count, i) => count + batch[i]),
    logBayesFactor,
    pValue: Math.min(state.pValue, Math.exp(-logBayesFactor)),
    batches: state.batches + 1,
  };
}

/** ln BF of cumulative `counts` in one shot (the formula in the module comment). O(arms). */
export function srmLogBayesFactor(counts: readonly number[], options: Omit<SequentialSrmOptions, 'threshold'>): number {
  const state = sequentialSrmInit(options);
  if (counts.length !== state.counts.length) {
    throw new RangeError(`counts must list one count per arm (${state.counts.length}), got ${counts.length}`);
  }
  return sequentialSrmUpdate(state, counts).logBayesFactor;
}

/** One row of `sequentialSampleRatioMismatch`'s series. */
export interface SequentialSrmStep {
  /** Cumulative counts after this period. */
  counts: number[];
  logBayesFactor: number;
  pValue: number;
  mismatch: boolean;
}

/** Result of `sequentialSampleRatioMismatch`. */
export interface SequentialSrmResult {
  series: SequentialSrmStep[];
  /** The final anytime-valid p-value. */
  pValue: number;
  mismatch: boolean;
  threshold: number;
  nullProbabilities: number[];
  /** Index of the first period at which p fell below the threshold, or null. */
  firstMismatchPeriod: number | null;
}

/** Runs the test over periods of counts (rows: periods, columns: arms). O(periods·arms). */
export function sequentialSampleRatioMismatch(periods: readonly (readonly number[])[], options: SequentialSrmOptions): SequentialSrmResult {
  let state = sequentialSrmInit(options);
  const series: SequentialSrmStep[] = [];
  let firstMismatchPeriod: number | null = null;
  periods.forEach((batch, period) => {
    try {
      state = sequentialSrmUpdate(state, batch);
    } catch (error) {
      throw new RangeError(`periods[${period}]: ${(error as Error).message}`);
    }
    const mismatch = state.pValue < state.threshold;
    if (mismatch && firstMismatchPeriod === null) firstMismatchPeriod = period;
    series.push({ counts: [...state.counts], logBayesFactor: state.logBayesFactor, pValue: state.pValue, mismatch });
  });
  return {
    series,
    pValue: state.pValue,
    mismatch: state.pValue < state.threshold,
    threshold: state.threshold,
    nullProbabilities: state.nullProbabilities,
    firstMismatchPeriod,
  };
}
