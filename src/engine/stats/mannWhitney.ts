/**
 * Mann–Whitney U (Wilcoxon rank-sum) test for latency distributions: does one arm tend to be
 * slower than the other, without assuming a shape for the distribution?
 *
 * Reference implementation matched in the tests: scipy 1.10 `stats.mannwhitneyu(x, y,
 * method='asymptotic', use_continuity=True, alternative=…)`; R `wilcox.test(x, y, exact=FALSE,
 * correct=TRUE)` computes the same p-value.
 */
import { normalCdf } from './distributions.ts';
import type { Alternative } from './welch.ts';
import { checkAlternative } from './welch.ts';

/** Result of `mannWhitneyU`. */
export interface MannWhitneyResult {
  /** U of the first sample: R_x − n_x(n_x + 1)/2, the number of pairs (x, y) with x > y, ties counting ½. */
  u: number;
  /**
   * The continuity-corrected standard score the p-value comes from, oriented so that z > 0
   * means x tends to be larger: 'greater' uses (U − μ − ½)/σ, 'less' (U − μ + ½)/σ, and
   * 'two-sided' (U − μ − ½·sign(U − μ))/σ with p = 2·P(Z > |z|) (as R's `wilcox.test`).
   */
  z: number;
  pValue: number;
}

/**
 * Mann–Whitney U test of x against y by the normal approximation.
 *   U = R_x − n_x(n_x+1)/2, with R_x the sum of x's ranks in the pooled sample (ties get the
 *       average of the ranks they span);
 *   μ = n_x·n_y/2,  σ² = n_x·n_y/12 · ((n + 1) − Σ(t³ − t)/(n(n − 1))), the tie-corrected
 *       variance (t = size of each group of tied values; Lehmann 1975, Nonparametrics, §1.4);
 *   z with a continuity correction of ½ towards μ, p from the standard normal.
 * 'greater' means x is stochastically larger than y. When every value is tied (σ = 0) there is
 * no evidence either way: z = 0 and p = 1 (scipy returns NaN there).
 * Cost: O(n log n) for the two sorts, O(n) extra memory (two Float64Array copies).
 */
export function mannWhitneyU(x: ArrayLike<number>, y: ArrayLike<number>, alternative: Alternative = 'two-sided'): MannWhitneyResult {
  checkAlternative(alternative);
  if (x.length === 0) throw new RangeError('x must contain at least one value');
  if (y.length === 0) throw new RangeError('y must contain at least one value');
  const sortedX = sortedCopy(x, 'x');
  const sortedY = sortedCopy(y, 'y');
  const nx = sortedX.length;
  const ny = sortedY.length;
  const n = nx + ny;

  // Walk both sorted samples together, one group of equal values at a time.
  let rankSumX = 0;
  let tieTerm = 0;
  let i = 0;
  let j = 0;
  let ranked = 0; // values ranked so far
  while (i < nx || j < ny) {
    const value = j >= ny || (i < nx && sortedX[i] <= sortedY[j]) ? sortedX[i] : sortedY[j];
    let inX = 0;
    while (i < nx && sortedX[i] === value) {
      i++;
      inX++;
    }
    let inY = 0;
    while (j < ny && sortedY[j] === value) {
      j++;
      inY++;
    }
    const group = inX + inY;
    const averageRank = ranked + (group + 1) / 2; // ranks ranked+1 … ranked+group
    rankSumX += inX * averageRank;
    tieTerm += group * group * group - group;
    ranked += group;
  }

  const u = rankSumX - (nx * (nx + 1)) / 2;
  const mean = (nx * ny) / 2;
  const sd = Math.sqrt(((nx * ny) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (!(sd > 0)) return { u, z: 0, pValue: 1 };
  const deviation = u - mean;
  let z: number;
  let pValue: number;
  if (alternative === 'greater') {
    z = (deviation - 0.5) / sd;
    pValue = normalCdf(-z);
  } else if (alternative === 'less') {
    z = (deviation + 0.5) / sd;
    pValue = normalCdf(z);
  } else {
    z = (deviation - 0.5 * Math.sign(deviation)) / sd;
    pValue = Math.min(1, 2 * normalCdf(-Math.abs(z)));
  }
  return { u, z, pValue };
}

function sortedCopy(values: ArrayLike<number>, name: string): Float64Array {
  const copy = new Float64Array(values.length);
  for (let k = 0; k < values.length; k++) {
    const value = values[k];
    if (Number.isNaN(value) || typeof value !== 'number') {
      throw new RangeError(`${name} must contain only numbers, got ${value} at index ${k}`);
    }
    copy[k] = value;
  }
  return copy.sort(); // typed arrays sort numerically
}
