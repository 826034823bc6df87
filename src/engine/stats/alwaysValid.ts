/**
 * Always-valid inference for continuous monitoring: the normal-mixture sequential probability
 * ratio test (mSPRT) and its confidence sequence.
 *
 * Johari, Koomen, Pekelis & Walsh, "Always Valid Inference: Continuous Monitoring of A/B Tests",
 * Operations Research 70(3), 2022 (arXiv:1512.04922), §4; Robbins 1970, "Statistical methods
 * related to the law of the iterated logarithm". The running estimate θ̂_n of an effect (candidate
 * minus control) is treated as N(θ, V_n). Mixing the likelihood ratio over θ ~ N(θ0, τ²) gives the
 * closed form
 *
 *   Λ_n = √(V_n / (V_n + τ²)) · exp( τ² (θ̂_n − θ0)² / (2 V_n (V_n + τ²)) ),
 *
 * a nonnegative martingale under H0: θ = θ0, so by Ville's inequality P(sup_n Λ_n ≥ 1/α) ≤ α:
 * the always-valid p-value p_n = min(1, min_{m ≤ n} 1/Λ_m) may be checked after every window
 * without inflating the false-positive rate. Inverting Λ_n(θ0) < 1/α in θ0 gives the interval
 *
 *   θ̂_n ± √( V_n (V_n + τ²) / τ² · (ln((V_n + τ²) / V_n) − 2 ln α) ),
 *
 * and the running intersection of these intervals is the confidence sequence (the set of θ0
 * whose always-valid p-value exceeds α). The guarantee is exact for Gaussian data with known
 * variance and asymptotic when V_n is estimated (difference in means, difference in proportions
 * through the normal approximation). τ² is the prior guess of the squared effect size; Johari et
 * al. §5 tune it to the effects one expects to detect. The test is two-sided.
 *
 * The reducer (`init / update / value`) is pure: it never mutates a state, so the engine can feed
 * one window at a time and keep every intermediate state in its audit log.
 */

/** Settings of an always-valid test. */
export interface AlwaysValidOptions {
  /** Level of the test and 1 − coverage of the confidence sequence, in (0, 1). */
  alpha: number;
  /** τ², variance of the normal mixing distribution over the effect (effect units squared), > 0. */
  mixingVariance: number;
  /** θ0, the effect under the null hypothesis (default 0). */
  nullValue?: number;
}

/** The running estimate of the effect after a window: all data so far, not just the window. */
export interface EffectEstimate {
  /** θ̂_n, e.g. candidate mean minus control mean over all observations so far. */
  estimate: number;
  /** V_n, its variance (squared standard error), ≥ 0. */
  variance: number;
}

/** The state of an always-valid test: a plain, serialisable value. */
export interface AlwaysValidState {
  alpha: number;
  mixingVariance: number;
  nullValue: number;
  /** Number of looks that carried information (variance > 0). */
  looks: number;
  /** Running minimum of 1/Λ, capped at 1. */
  pValue: number;
  /** Λ at the last informative look (1 before any). */
  likelihoodRatio: number;
  /** Running intersection of the per-look intervals (−∞, ∞ before any look). */
  lower: number;
  upper: number;
  /** The last informative estimate (NaN before any). */
  estimate: number;
  variance: number;
}

/** What an always-valid test says now. */
export interface AlwaysValidResult {
  /** Always-valid p-value for H0: effect = nullValue. */
  pValue: number;
  /** pValue ≤ alpha: the null may be rejected now, however often we have looked. */
  rejected: boolean;
  /** Current mixture likelihood ratio Λ_n. */
  likelihoodRatio: number;
  /** The (1 − α) confidence sequence, valid simultaneously over all looks. */
  confidenceSequence: { lower: number; upper: number };
  estimate: number;
  looks: number;
}

/**
 * Λ, the normal-mixture likelihood ratio of Johari et al. (2022) §4 for an estimate θ̂ ~ N(θ, V)
 * against H0: θ = θ0 with mixing N(θ0, τ²) (formula in the module comment). Computed in log
 * space and exponentiated, so it is +Infinity only when the evidence overflows a double.
 */
export function mixtureLikelihoodRatio(estimate: number, variance: number, mixingVariance: number, nullValue = 0): number {
  checkFinite('estimate', estimate);
  checkPositive('variance', variance);
  checkPositive('mixingVariance', mixingVariance);
  checkFinite('nullValue', nullValue);
  return Math.exp(logMixtureLikelihoodRatio(estimate, variance, mixingVariance, nullValue));
}

/**
 * The per-look (1 − α) interval {θ0 : Λ(θ0) < 1/α}:
 * θ̂ ± √(V (V + τ²) / τ² · (ln((V + τ²)/V) − 2 ln α)). Wider than the fixed-sample interval
 * θ̂ ± z_{α/2}√V — the price of looking at every window.
 */
export function mixtureConfidenceInterval(
  estimate: number,
  variance: number,
  mixingVariance: number,
  alpha: number,
): { lower: number; upper: number } {
  checkFinite('estimate', estimate);
  checkPositive('variance', variance);
  checkPositive('mixingVariance', mixingVariance);
  checkAlpha(alpha);
  const halfWidth = intervalHalfWidth(variance, mixingVariance, alpha);
  return { lower: estimate - halfWidth, upper: estimate + halfWidth };
}

/** A fresh always-valid test (no looks yet: p-value 1, confidence sequence (−∞, ∞)). */
export function initAlwaysValidTest(options: AlwaysValidOptions): AlwaysValidState {
  checkAlpha(options.alpha);
  checkPositive('mixingVariance', options.mixingVariance);
  const nullValue = options.nullValue ?? 0;
  checkFinite('nullValue', nullValue);
  return {
    alpha: options.alpha,
    mixingVariance: options.mixingVariance,
    nullValue,
    looks: 0,
    pValue: 1,
    likelihoodRatio: 1,
    lower: -Infinity,
    upper: Infinity,
    estimate: NaN,
    variance: NaN,
  };
}

/**
 * The state after one more look at the running estimate. Returns a new state; `state` is not
 * changed. A look with variance 0 (e.g. no errors yet in either arm) carries no usable
 * information under the normal approximation and returns `state` unchanged. Cost: O(1).
 */
export function updateAlwaysValidTest(state: AlwaysValidState, look: EffectEstimate): AlwaysValidState {
  checkFinite('estimate', look.estimate);
  if (!(look.variance >= 0) || !Number.isFinite(look.variance)) {
    throw new RangeError(`variance must be a finite number ≥ 0, got ${look.variance}`);
  }
  if (look.variance === 0) return state;
  const logRatio = logMixtureLikelihoodRatio(look.estimate, look.variance, state.mixingVariance, state.nullValue);
  const halfWidth = intervalHalfWidth(look.variance, state.mixingVariance, state.alpha);
  return {
    ...state,
    looks: state.looks + 1,
    pValue: Math.min(state.pValue, Math.exp(-Math.max(logRatio, 0))),
    likelihoodRatio: Math.exp(logRatio),
    lower: Math.max(state.lower, look.estimate - halfWidth),
    upper: Math.min(state.upper, look.estimate + halfWidth),
    estimate: look.estimate,
    variance: look.variance,
  };
}

/**
 * What the test says in `state`. If the running intersection has become empty (lower > upper),
 * the data contradict the model (e.g. the effect drifted over time); the interval is reported as
 * it is so that the caller can see it.
 */
export function alwaysValidTestResult(state: AlwaysValidState): AlwaysValidResult {
  return {
    pValue: state.pValue,
    rejected: state.pValue <= state.alpha,
    likelihoodRatio: state.likelihoodRatio,
    confidenceSequence: { lower: state.lower, upper: state.upper },
    estimate: state.estimate,
    looks: state.looks,
  };
}

/** The always-valid test as one reducer value, `init / update / value`. */
export const alwaysValidTest = {
  init: initAlwaysValidTest,
  update: updateAlwaysValidTest,
  value: alwaysValidTestResult,
} as const;

/** Running summaries of a continuous metric in one arm. */
export interface ArmMeanSummary {
  mean: number;
  /** Sample variance of the observations (n − 1 denominator). */
  variance: number;
  count: number;
}

/**
 * Difference in means, candidate − control, with the unpooled (Welch) variance
 * s²_candidate/n_candidate + s²_control/n_control.
 */
export function differenceInMeansEstimate(control: ArmMeanSummary, candidate: ArmMeanSummary): EffectEstimate {
  for (const [name, arm] of [
    ['control', control],
    ['candidate', candidate],
  ] as const) {
    checkFinite(`${name}.mean`, arm.mean);
    if (!(arm.variance >= 0) || !Number.isFinite(arm.variance)) {
      throw new RangeError(`${name}.variance must be a finite number ≥ 0, got ${arm.variance}`);
    }
    if (!(arm.count >= 1)) throw new RangeError(`${name}.count must be at least 1, got ${arm.count}`);
  }
  return {
    estimate: candidate.mean - control.mean,
    variance: candidate.variance / candidate.count + control.variance / control.count,
  };
}

/**
 * Difference in proportions, candidate − control, with the unpooled normal-approximation
 * variance p̂_c(1 − p̂_c)/n_c + p̂_t(1 − p̂_t)/n_t (the variance Johari et al. use for conversion
 * rates). Counts: successes (or errors) out of trials per arm.
 */
export function differenceInProportionsEstimate(
  controlSuccesses: number,
  controlTrials: number,
  candidateSuccesses: number,
  candidateTrials: number,
): EffectEstimate {
  checkCounts('control', controlSuccesses, controlTrials);
  checkCounts('candidate', candidateSuccesses, candidateTrials);
  const control = controlSuccesses / controlTrials;
  const candidate = candidateSuccesses / candidateTrials;
  return {
    estimate: candidate - control,
    variance: (candidate * (1 - candidate)) / candidateTrials + (control * (1 - control)) / controlTrials,
  };
}

function logMixtureLikelihoodRatio(estimate: number, variance: number, mixingVariance: number, nullValue: number): number {
  const total = variance + mixingVariance;
  const deviation = estimate - nullValue;
  return 0.5 * Math.log(variance / total) + (mixingVariance * deviation * deviation) / (2 * variance * total);
}

function intervalHalfWidth(variance: number, mixingVariance: number, alpha: number): number {
  const total = variance + mixingVariance;
  return Math.sqrt(((variance * total) / mixingVariance) * (Math.log(total / variance) - 2 * Math.log(alpha)));
}

function checkFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number, got ${value}`);
}

function checkPositive(name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a positive finite number, got ${value}`);
}

function checkAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, got ${alpha}`);
}

function checkCounts(arm: string, successes: number, trials: number): void {
  if (!Number.isInteger(trials) || trials < 1) throw new RangeError(`${arm} trials must be a whole number ≥ 1, got ${trials}`);
  if (!Number.isInteger(successes) || successes < 0 || successes > trials) {
    throw new RangeError(`${arm} successes must be a whole number between 0 and ${trials}, got ${successes}`);
  }
}
