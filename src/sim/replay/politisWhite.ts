/**
 * Automatic block length for the block bootstrap of a dependent series: Politis & White,
 * "Automatic block-length selection for the dependent bootstrap", Econometric Reviews 23 (2004)
 * 53–70, with the corrected constants of Patton, Politis & White, "Correction to …",
 * Econometric Reviews 28 (2009) 372–375: D_SB = 2·ĝ(0)², D_CB = (4/3)·ĝ(0)².
 *
 * For a series x of length n with sample autocovariances R̂(k) (divisor n, mean removed):
 * 1. m̂ is the smallest lag m such that the next K_n autocorrelations are all insignificant,
 *    |ρ̂(m + k)| < c·√(log₁₀ n / n) for k = 1…K_n, with c = 2 and K_n = max(5, ⌈√(log₁₀ n)⌉)
 *    (the paper's recommendation); the bandwidth is M = 2·max(m̂, 1) (as the `arch` package's
 *    `optimal_block_length`, so that a white-noise series still gets a bandwidth), capped at
 *    m_max = ⌈√n⌉ + K_n; when no such m exists, M = m_max;
 * 2. with the flat-top lag window λ(t) = 1 for |t| ≤ ½, 2(1 − |t|) for ½ ≤ |t| ≤ 1, 0 beyond:
 *    Ĝ = Σ_{|k|≤M} λ(k/M)·|k|·R̂(k) and ĝ(0) = Σ_{|k|≤M} λ(k/M)·R̂(k);
 * 3. b_CB = (2Ĝ² / D̂_CB)^{1/3} · n^{1/3} with D̂_CB = (4/3)·ĝ(0)² (circular / moving block),
 *    b_SB = (2Ĝ² / D̂_SB)^{1/3} · n^{1/3} with D̂_SB = 2·ĝ(0)² (stationary bootstrap, mean block),
 *    each capped at b_max = ⌈min(3√n, n/3)⌉.
 *
 * Checked against an independent NumPy implementation written from the papers
 * (scripts/reference/politis_white.py). Cost O(n·m_max) = O(n^{3/2}).
 */

/** Politis–White block lengths of one series. */
export interface BlockLengths {
  /** Circular (and moving) block bootstrap, in series steps; unrounded. */
  circular: number;
  /** Stationary bootstrap: mean block length, in series steps; unrounded. */
  stationary: number;
  /** The bandwidth M used. */
  bandwidth: number;
}

/**
 * Politis–White (with the 2009 correction) block lengths of `series` (at least 3 finite
 * values). A series with no variation (all equal) has no dependence to keep: both lengths are 1.
 */
export function politisWhiteBlockLength(series: ArrayLike<number>): BlockLengths {
  const n = series.length;
  if (n < 3) throw new RangeError(`series must hold at least 3 values for an automatic block length, got ${n}`);
  let mean = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(series[i])) throw new RangeError(`series[${i}] must be a finite number, got ${series[i]}`);
    mean += series[i];
  }
  mean /= n;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = series[i] - mean;
  const kn = Math.max(5, Math.ceil(Math.sqrt(Math.log10(n))));
  const mMax = Math.min(n - 1, Math.ceil(Math.sqrt(n)) + kn);
  const bMax = Math.ceil(Math.min(3 * Math.sqrt(n), n / 3));
  const autocovariance = new Float64Array(mMax + 1);
  for (let k = 0; k <= mMax; k++) {
    let sum = 0;
    for (let i = 0; i + k < n; i++) sum += x[i] * x[i + k];
    autocovariance[k] = sum / n;
  }
  if (autocovariance[0] === 0) return { circular: 1, stationary: 1, bandwidth: 0 };
  const critical = 2 * Math.sqrt(Math.log10(n) / n);
  let mHat = -1;
  for (let m = 0; m + kn <= mMax; m++) {
    let insignificant = true;
    for (let k = 1; k <= kn; k++) {
      if (Math.abs(autocovariance[m + k] / autocovariance[0]) >= critical) {
        insignificant = false;
        break;
      }
    }
    if (insignificant) {
      mHat = m;
      break;
    }
  }
  const bandwidth = mHat < 0 ? mMax : Math.min(mMax, 2 * Math.max(1, mHat));
  let g = 0;
  let spectrum = autocovariance[0];
  for (let k = 1; k <= bandwidth; k++) {
    const t = k / bandwidth;
    const weight = t <= 0.5 ? 1 : 2 * (1 - t);
    g += 2 * weight * k * autocovariance[k];
    spectrum += 2 * weight * autocovariance[k];
  }
  const lengthFor = (d: number) => (d === 0 ? bMax : Math.min(bMax, Math.cbrt((2 * g * g) / d) * Math.cbrt(n)));
  return {
    circular: Math.max(1, lengthFor((4 / 3) * spectrum * spectrum)),
    stationary: Math.max(1, lengthFor(2 * spectrum * spectrum)),
    bandwidth,
  };
}
