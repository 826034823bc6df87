/**
 * Welch's unequal-variance t-test for a continuous metric (mean latency, mean score), from raw
 * samples or from streaming sufficient statistics, plus the mergeable moments reducer that
 * produces those statistics in workers and in the simulator's inner loop.
 *
 * Reference implementation matched in the tests: scipy 1.10 `stats.ttest_ind(a, b,
 * equal_var=False, alternative=…)` / `ttest_ind_from_stats`, degrees of freedom and confidence
 * interval as statsmodels 0.13 `CompareMeans.tconfint_diff(usevar='unequal')`.
 */
import { betaQuantile, logGamma, normalQuantile, studentTCdf } from './distributions.ts';

/** Direction of the alternative hypothesis, in scipy's words, about `a − b`. */
export type Alternative = 'two-sided' | 'less' | 'greater';

/**
 * Running state of the moments reducer: the count, the mean and M2 = Σ(x − mean)², the sum of
 * squared deviations (Welford 1962). Plain data, so it crosses worker boundaries as is.
 */
export interface MomentsState {
  count: number;
  mean: number;
  m2: number;
}

/** What a sample's first two moments say: count, mean and the unbiased (n − 1) variance. */
export interface MomentsSummary {
  count: number;
  mean: number;
  variance: number;
}

/** Running sums as many metric stores keep them: n, Σx and Σx². */
export interface SumsSummary {
  count: number;
  sum: number;
  sumOfSquares: number;
}

/** The empty state of the moments reducer (count 0). */
export function momentsInit(): MomentsState {
  return { count: 0, mean: 0, m2: 0 };
}

/**
 * Folds one value into `state` in place (and returns it), by Welford's update:
 * δ = x − mean; mean += δ/n; M2 += δ·(x − mean_new). Numerically stable, O(1), no allocation;
 * meant for inner loops, so `x` is trusted (not checked): pass finite numbers.
 * Source: Welford (1962), Technometrics 4(3); Knuth TAOCP vol. 2 §4.2.2.
 */
export function momentsAdd(state: MomentsState, x: number): MomentsState {
  const count = state.count + 1;
  const delta = x - state.mean;
  const mean = state.mean + delta / count;
  state.m2 += delta * (x - mean);
  state.mean = mean;
  state.count = count;
  return state;
}

/**
 * Merges two states into a new one, as if all values had been added to one state:
 * n = n_a + n_b, δ = mean_b − mean_a, mean = mean_a + δ·n_b/n,
 * M2 = M2_a + M2_b + δ²·n_a·n_b/n. Associative and commutative up to rounding.
 * Source: Chan, Golub & LeVeque (1979), "Updating formulae and a pairwise algorithm for
 * computing sample variances"; the same combination Arquero and Spark use.
 */
export function momentsMerge(a: MomentsState, b: MomentsState): MomentsState {
  if (a.count === 0) return { ...b };
  if (b.count === 0) return { ...a };
  const count = a.count + b.count;
  const delta = b.mean - a.mean;
  return {
    count,
    mean: a.mean + (delta * b.count) / count,
    m2: a.m2 + b.m2 + (delta * delta * a.count * b.count) / count,
  };
}

/**
 * Reads a state as `{ count, mean, variance }` with the unbiased variance M2/(n − 1).
 * With fewer than two values the variance is undefined and reported as NaN (and the mean is
 * NaN when the state is empty); `welchTTest` rejects such summaries with a RangeError.
 */
export function momentsValue(state: MomentsState): MomentsSummary {
  return {
    count: state.count,
    mean: state.count > 0 ? state.mean : NaN,
    variance: state.count > 1 ? state.m2 / (state.count - 1) : NaN,
  };
}

/** The moments summary of an array of numbers (one Welford pass, O(n)). */
export function momentsOfSamples(values: ArrayLike<number>): MomentsSummary {
  const state = momentsInit();
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) throw new RangeError(`sample values must be finite numbers, got ${x} at index ${i}`);
    momentsAdd(state, x);
  }
  return momentsValue(state);
}

/**
 * Converts running sums (n, Σx, Σx²) to `{ count, mean, variance }`.
 *
 * Cancellation risk: variance = (n·Σx² − (Σx)²) / (n(n − 1)) subtracts two nearly equal numbers
 * when the coefficient of variation is small (mean² ≫ variance). Evaluated naively in doubles,
 * the relative error of the variance is about ε·mean²/variance (ε = 2⁻⁵²), so latencies of
 * 10⁸ ns with a spread of a few ns come out as 0, negative, or wrong by 100%.
 * Here the two products n·Σx² and (Σx)² are formed exactly as double-double values (Dekker's
 * TwoProduct, Dekker 1971), so the subtraction itself loses nothing and the result is
 * as accurate as the sums passed in. It cannot recover what the caller's accumulation of Σx²
 * already lost (that error is ≈ n·ε·Σx², amplified by the same mean²/variance factor): prefer
 * the `momentsAdd`/`momentsMerge` reducer, which never forms Σx². A result that is negative
 * beyond rounding means the sums are inconsistent and throws a RangeError; rounding-level
 * negatives are clamped to 0.
 */
export function momentsFromSums(sums: SumsSummary): MomentsSummary {
  const { count, sum, sumOfSquares } = sums;
  if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`count must be a positive integer, got ${count}`);
  if (!Number.isFinite(sum)) throw new RangeError(`sum must be a finite number, got ${sum}`);
  if (!(Number.isFinite(sumOfSquares) && sumOfSquares >= 0)) {
    throw new RangeError(`sumOfSquares must be a non-negative finite number, got ${sumOfSquares}`);
  }
  const mean = sum / count;
  if (count === 1) return { count, mean, variance: NaN };
  const [p1, e1] = twoProduct(count, sumOfSquares);
  const [p2, e2] = twoProduct(sum, sum);
  const numerator = p1 - p2 + (e1 - e2);
  // What rounding of the inputs can explain: a few ulps of n·Σx².
  const tolerance = 8 * Number.EPSILON * p1;
  if (numerator < -tolerance) {
    throw new RangeError(`sumOfSquares is smaller than sum²/count (${sumOfSquares} < ${(sum * sum) / count}): inconsistent sums`);
  }
  return { count, mean, variance: Math.max(0, numerator) / count / (count - 1) };
}

/** Result of Welch's t-test of `a` against `b`. */
export interface WelchTestResult {
  /** t = (mean_a − mean_b) / √(var_a/n_a + var_b/n_b). */
  t: number;
  /** Welch–Satterthwaite degrees of freedom (fractional). */
  degreesOfFreedom: number;
  pValue: number;
  /** mean_a − mean_b. */
  meanDifference: number;
  /** Standard error of the mean difference. */
  standardError: number;
  /**
   * Confidence interval for mean_a − mean_b at `confidenceLevel`, two-sided or one-sided to
   * match the alternative (the open side is ±Infinity).
   */
  confidenceInterval: [number, number];
}

/** Options of `welchTTest`. */
export interface WelchTestOptions {
  /** Default 'two-sided'. 'greater' tests mean_a > mean_b. */
  alternative?: Alternative;
  /** Level of the confidence interval, default 0.95. */
  confidenceLevel?: number;
}

/**
 * Welch's t-test for the difference of two means without assuming equal variances, from
 * summaries. With s² = var_a/n_a + var_b/n_b:
 *   t = (mean_a − mean_b)/s,
 *   df = s⁴ / ((var_a/n_a)²/(n_a − 1) + (var_b/n_b)²/(n_b − 1))   (Welch 1947; Satterthwaite 1946),
 *   p from Student's t with df (two-sided 2·P(T > |t|)), CI = diff ± t_{df}(level)·s.
 * O(1). Matches scipy `ttest_ind_from_stats(…, equal_var=False, alternative=…)`.
 * Use `momentsFromSums` first when all you have is n, Σx and Σx².
 */
export function welchTTest(a: MomentsSummary, b: MomentsSummary, options: WelchTestOptions | Alternative = {}): WelchTestResult {
  const { alternative = 'two-sided', confidenceLevel = 0.95 } = typeof options === 'string' ? { alternative: options } : options;
  checkSummary(a, 'a');
  checkSummary(b, 'b');
  checkAlternative(alternative);
  if (!(confidenceLevel > 0 && confidenceLevel < 1)) {
    throw new RangeError(`confidenceLevel must be between 0 and 1, got ${confidenceLevel}`);
  }
  const shareA = a.variance / a.count;
  const shareB = b.variance / b.count;
  const variance = shareA + shareB;
  if (!(variance > 0)) throw new RangeError('a and b both have zero variance: the t statistic is undefined');
  const standardError = Math.sqrt(variance);
  const meanDifference = a.mean - b.mean;
  const t = meanDifference / standardError;
  const degreesOfFreedom = (variance * variance) / ((shareA * shareA) / (a.count - 1) + (shareB * shareB) / (b.count - 1));

  let pValue: number;
  let confidenceInterval: [number, number];
  if (alternative === 'two-sided') {
    pValue = Math.min(1, 2 * studentTCdf(-Math.abs(t), degreesOfFreedom));
    const margin = studentTQuantile(1 - (1 - confidenceLevel) / 2, degreesOfFreedom) * standardError;
    confidenceInterval = [meanDifference - margin, meanDifference + margin];
  } else if (alternative === 'greater') {
    pValue = studentTCdf(-t, degreesOfFreedom);
    confidenceInterval = [meanDifference - studentTQuantile(confidenceLevel, degreesOfFreedom) * standardError, Infinity];
  } else {
    pValue = studentTCdf(t, degreesOfFreedom);
    confidenceInterval = [-Infinity, meanDifference + studentTQuantile(confidenceLevel, degreesOfFreedom) * standardError];
  }
  return { t, degreesOfFreedom, pValue, meanDifference, standardError, confidenceInterval };
}

/**
 * Welch's t-test from raw samples: one stable moments pass per sample (O(n)), then `welchTTest`.
 * Matches scipy `ttest_ind(a, b, equal_var=False, alternative=…)`.
 */
export function welchTTestFromSamples(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: WelchTestOptions | Alternative = {},
): WelchTestResult {
  if (a.length < 2) throw new RangeError(`a must have at least 2 values, got ${a.length}`);
  if (b.length < 2) throw new RangeError(`b must have at least 2 values, got ${b.length}`);
  return welchTTest(momentsOfSamples(a), momentsOfSamples(b), options);
}

/**
 * Quantile of Student's t law with `df` degrees of freedom (df may be fractional).
 * Start: the inverse regularised incomplete beta, since P(T ≤ −t) = ½·I_{df/(df+t²)}(df/2, ½)
 * (Abramowitz & Stegun 26.7.1); then Newton steps on `studentTCdf` so that the result carries
 * the accuracy of the CDF rather than of the beta inversion. Matches scipy `t.ppf` to ~1e-12.
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be between 0 and 1 (exclusive), got ${p}`);
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be positive, got ${df}`);
  if (p === 0.5) return 0;
  if (!Number.isFinite(df) || df > 1e10) return normalQuantile(p);
  const lower = Math.min(p, 1 - p);
  const x = betaQuantile(2 * lower, df / 2, 0.5);
  let t = -Math.sqrt((df * (1 - x)) / x);
  if (!Number.isFinite(t)) t = normalQuantile(lower);
  // ln of the density's constant: Γ((df+1)/2) / (√(df·π) Γ(df/2)).
  const logConstant = logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  for (let step = 0; step < 8; step++) {
    const density = Math.exp(logConstant - ((df + 1) / 2) * Math.log1p((t * t) / df));
    const correction = (studentTCdf(t, df) - lower) / density;
    if (!Number.isFinite(correction)) break;
    t -= correction;
    if (Math.abs(correction) <= 1e-15 * Math.max(1, Math.abs(t))) break;
  }
  return p < 0.5 ? t : -t;
}

/** Dekker's TwoProduct: a·b = product + error exactly (Veltkamp splitting, no FMA needed). */
function twoProduct(a: number, b: number): [number, number] {
  const product = a * b;
  const [aHigh, aLow] = split(a);
  const [bHigh, bLow] = split(b);
  const error = aLow * bLow - (product - aHigh * bHigh - aLow * bHigh - aHigh * bLow);
  return [product, error];
}

function split(a: number): [number, number] {
  const c = 134217729 * a; // 2^27 + 1
  const high = c - (c - a);
  return [high, a - high];
}

function checkSummary(summary: MomentsSummary, name: string): void {
  const { count, mean, variance } = summary;
  if (!(Number.isInteger(count) && count >= 2)) {
    throw new RangeError(`${name}.count must be an integer of at least 2, got ${count}`);
  }
  if (!Number.isFinite(mean)) throw new RangeError(`${name}.mean must be a finite number, got ${mean}`);
  if (!(Number.isFinite(variance) && variance >= 0)) {
    throw new RangeError(`${name}.variance must be a non-negative finite number, got ${variance}`);
  }
}

/** Throws a RangeError unless `alternative` is one of 'two-sided', 'less', 'greater'. */
export function checkAlternative(alternative: string): asserts alternative is Alternative {
  if (alternative !== 'two-sided' && alternative !== 'less' && alternative !== 'greater') {
    throw new RangeError(`alternative must be one of two-sided, less, greater, got '${alternative}'`);
  }
}
