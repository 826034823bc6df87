/**
 * A mergeable reducer of the first and second moments of pairs (x, y) per randomisation unit:
 * the sufficient statistics of a ratio metric (x = requests of a user, y = errors or tokens of
 * that user) and of CUPED (x = the user's pre-period value, y = the experiment-period value).
 *
 * State: n, the means and the co-moments M_xx = Σ(x − x̄)², M_yy = Σ(y − ȳ)², M_xy = Σ(x − x̄)(y − ȳ),
 * updated one unit at a time by Welford's recurrence and merged by Chan, Golub & LeVeque's
 * pairwise formula (the bivariate form: Pébay, "Formulas for robust, one-pass parallel computation
 * of covariances and arbitrary-order statistical moments", Sandia SAND2008-6212, 2008, eq. 3.12).
 * A store that keeps n, Σx, Σy, Σx², Σy², Σxy instead converts with `bivariateMomentsFromSums`.
 */

/** Running state: plain data, so it crosses worker boundaries as is. */
export interface BivariateMomentsState {
  count: number;
  meanX: number;
  meanY: number;
  /** Σ(x − x̄)². */
  m2X: number;
  /** Σ(y − ȳ)². */
  m2Y: number;
  /** Σ(x − x̄)(y − ȳ). */
  coMoment: number;
}

/** The sums many metric stores keep per arm: n, Σx, Σy, Σx², Σy², Σxy. */
export interface BivariateSums {
  count: number;
  sumX: number;
  sumY: number;
  sumXSquares: number;
  sumYSquares: number;
  sumXY: number;
}

/** Means, unbiased (n − 1) variances and covariance of the pairs. */
export interface BivariateSummary {
  count: number;
  meanX: number;
  meanY: number;
  varianceX: number;
  varianceY: number;
  covariance: number;
  /**
   * Pearson's correlation M_xy/√(M_xx·M_yy): with x a pre-period value and y the metric, the ρ that
   * CUPED's sizer takes (`cupedCorrelation`), estimated from a log. NaN when x or y does not vary.
   */
  correlation: number;
}

/** The empty state. */
export function bivariateMomentsInit(): BivariateMomentsState {
  return { count: 0, meanX: 0, meanY: 0, m2X: 0, m2Y: 0, coMoment: 0 };
}

/**
 * Folds one unit's pair into `state` in place (and returns it): δx = x − x̄, δy = y − ȳ;
 * x̄ += δx/n, ȳ += δy/n; M_xx += δx(x − x̄'), M_yy += δy(y − ȳ'), M_xy += δx(y − ȳ').
 * O(1); inputs trusted (inner loops): pass finite numbers.
 */
export function bivariateMomentsAdd(state: BivariateMomentsState, x: number, y: number): BivariateMomentsState {
  const count = state.count + 1;
  const deltaX = x - state.meanX;
  const deltaY = y - state.meanY;
  state.meanX += deltaX / count;
  state.meanY += deltaY / count;
  state.m2X += deltaX * (x - state.meanX);
  state.m2Y += deltaY * (y - state.meanY);
  state.coMoment += deltaX * (y - state.meanY);
  state.count = count;
  return state;
}

/** Merges two states into a new one as if every pair had been added to one (Pébay 2008, eq. 3.12). */
export function bivariateMomentsMerge(a: BivariateMomentsState, b: BivariateMomentsState): BivariateMomentsState {
  if (a.count === 0) return { ...b };
  if (b.count === 0) return { ...a };
  const count = a.count + b.count;
  const deltaX = b.meanX - a.meanX;
  const deltaY = b.meanY - a.meanY;
  const weight = (a.count * b.count) / count;
  return {
    count,
    meanX: a.meanX + (deltaX * b.count) / count,
    meanY: a.meanY + (deltaY * b.count) / count,
    m2X: a.m2X + b.m2X + deltaX * deltaX * weight,
    m2Y: a.m2Y + b.m2Y + deltaY * deltaY * weight,
    coMoment: a.coMoment + b.coMoment + deltaX * deltaY * weight,
  };
}

/** Reads a state as means, (n − 1) variances and covariance; NaN where fewer than two units make them undefined. */
export function bivariateMomentsValue(state: BivariateMomentsState): BivariateSummary {
  const { count } = state;
  const denominator = count > 1 ? count - 1 : NaN;
  return {
    count,
    meanX: count > 0 ? state.meanX : NaN,
    meanY: count > 0 ? state.meanY : NaN,
    varianceX: state.m2X / denominator,
    varianceY: state.m2Y / denominator,
    covariance: state.coMoment / denominator,
    correlation: state.m2X > 0 && state.m2Y > 0 ? state.coMoment / Math.sqrt(state.m2X * state.m2Y) : NaN,
  };
}

/** The state of paired arrays x[i], y[i] (one unit each), checked: same length, finite values. O(n). */
export function bivariateMomentsOfSamples(x: ArrayLike<number>, y: ArrayLike<number>): BivariateMomentsState {
  if (x.length !== y.length) throw new RangeError(`x and y must have the same length, got ${x.length} and ${y.length}`);
  const state = bivariateMomentsInit();
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new RangeError(`x[${i}] must be a finite number, got ${x[i]}`);
    if (!Number.isFinite(y[i])) throw new RangeError(`y[${i}] must be a finite number, got ${y[i]}`);
    bivariateMomentsAdd(state, x[i], y[i]);
  }
  return state;
}

/**
 * Converts running sums to a state: M_xx = Σx² − (Σx)²/n, M_yy likewise, M_xy = Σxy − ΣxΣy/n.
 * These subtract nearly equal numbers when a mean is large against its spread (relative error
 * ≈ ε·mean²/variance); prefer the reducer when you control the accumulation. Checks: count a
 * positive integer, sums finite, Σx² and Σy² not below (Σ)²/n beyond rounding (clamped to 0 within it).
 */
export function bivariateMomentsFromSums(sums: BivariateSums): BivariateMomentsState {
  const { count, sumX, sumY, sumXSquares, sumYSquares, sumXY } = sums;
  if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`count must be a positive integer, got ${count}`);
  for (const [name, value] of Object.entries({ sumX, sumY, sumXSquares, sumYSquares, sumXY })) {
    if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number, got ${value}`);
  }
  const centred = (squares: number, sum: number, name: string): number => {
    const value = squares - (sum * sum) / count;
    if (value < -8 * Number.EPSILON * Math.abs(squares)) {
      throw new RangeError(`${name} is smaller than its sum²/count (${squares} < ${(sum * sum) / count}): inconsistent sums`);
    }
    return Math.max(0, value);
  };
  return {
    count,
    meanX: sumX / count,
    meanY: sumY / count,
    m2X: centred(sumXSquares, sumX, 'sumXSquares'),
    m2Y: centred(sumYSquares, sumY, 'sumYSquares'),
    coMoment: sumXY - (sumX * sumY) / count,
  };
}

/**
 * The same sums with x and y exchanged: Σx ↔ Σy, Σx² ↔ Σy² (n and Σxy unchanged). Metric stores
 * keep a ratio or CUPED metric as x = the metric, y = its denominator or covariate, while
 * `ratioMetric` and `cuped` read x = denominator or covariate; this is the one place that reads
 * one convention in the other. O(1).
 */
export function swappedSums(sums: BivariateSums): BivariateSums {
  return {
    count: sums.count,
    sumX: sums.sumY,
    sumY: sums.sumX,
    sumXSquares: sums.sumYSquares,
    sumYSquares: sums.sumXSquares,
    sumXY: sums.sumXY,
  };
}
