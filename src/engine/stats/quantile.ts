/**
 * Quantiles of raw samples by linear interpolation between order statistics: Hyndman & Fan's
 * type 7, the default of R's `quantile` and numpy's `np.quantile(method='linear')`.
 * For streams too large to keep, use the mergeable `LatencySketch` instead.
 */

/**
 * The q-quantile of `sorted` (ascending, no NaN — trusted, not checked): with h = (n − 1)·q,
 * x₍⌊h⌋₎ + (h − ⌊h⌋)·(x₍⌊h⌋+1₎ − x₍⌊h⌋₎) (0-based order statistics; Hyndman & Fan 1996,
 * "Sample Quantiles in Statistical Packages", definition 7). The interpolation is evaluated as
 * numpy 1.24 `_lerp` does (from the upper neighbour when the weight is ≥ ½), so results agree
 * with `np.quantile` to the last bit. O(1).
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  const position = (n - 1) * q;
  const below = Math.floor(position);
  if (below >= n - 1) return sorted[n - 1];
  const weight = position - below;
  const low = sorted[below];
  const high = sorted[below + 1];
  const difference = high - low;
  return weight >= 0.5 ? high - difference * (1 - weight) : low + difference * weight;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of `values` by linear interpolation (R type 7, numpy default).
 * Copies and sorts: O(n log n). For several quantiles of the same data use `quantiles`.
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`q must be between 0 and 1, got ${q}`);
  return quantiles(values, [q])[0];
}

/** Several quantiles of `values` (R type 7, numpy default), sorting once: O(n log n + k). */
export function quantiles(values: ArrayLike<number>, probabilities: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError('values must contain at least one number');
  probabilities.forEach((q, i) => {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`probabilities[${i}] must be between 0 and 1, got ${q}`);
  });
  const sorted = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || Number.isNaN(value)) {
      throw new RangeError(`values must contain only numbers, got ${value} at index ${i}`);
    }
    sorted[i] = value;
  }
  sorted.sort();
  return probabilities.map((q) => quantileSorted(sorted, q));
}
