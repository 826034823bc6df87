/**
 * The Kolmogorov–Smirnov distributions and tests: one-sample (a sample against a continuous
 * CDF) and two-sample (two windows of data), matching scipy 1.10 `stats.kstest`/`ks_1samp`,
 * `stats.kstwo`, `stats.ksone`, `stats.kstwobign` and `stats.ks_2samp` (two-sided).
 * Pinned against scipy in test/engine/stats/kolmogorov.test.ts (values from
 * scripts/reference/analysis.py).
 */

const TWO_POW_128 = 2 ** 128;
const TWO_POW_MINUS_128 = 2 ** -128;
const LOG_2PI = Math.log(2 * Math.PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const PI_SQUARED = Math.PI ** 2;
const PI_FOUR = Math.PI ** 4;
const PI_SIX = Math.PI ** 6;

function clipProbability(p: number): number {
  return Math.min(1, Math.max(0, p));
}

function checkSampleSize(n: number, field = 'n'): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${field} must be a whole number of at least 1, got ${n}`);
}

function checkStatistic(d: number): void {
  if (Number.isNaN(d)) throw new RangeError('statistic must be a number, got NaN');
}

/**
 * Upper tail of Kolmogorov's limit law, P(K > z) with K = lim √n·D_n (scipy `kstwobign.sf(z)`,
 * `special.kolmogorov(z)`):
 *
 *   P(K > z) = 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²z²)                       for z ≥ 1,
 *   P(K ≤ z) = (√(2π)/z) Σ_{k≥1} exp(−(2k−1)²π²/(8z²))                for z < 1
 *
 * (the second is the Jacobi-theta form, fast for small z). Kolmogorov (1933); both series are
 * summed until terms fall below 1e-17 relative. Cost: a handful of exponentials.
 */
export function kolmogorovLimitSf(z: number): number {
  checkStatistic(z);
  if (z <= 0) return 1;
  if (z < 1) {
    let sum = 0;
    for (let k = 1; k < 100; k++) {
      const term = Math.exp((-((2 * k - 1) ** 2) * PI_SQUARED) / (8 * z * z));
      sum += term;
      if (term <= 1e-17 * sum) break;
    }
    return clipProbability(1 - (SQRT_2PI / z) * sum);
  }
  let sum = 0;
  for (let k = 1; k < 100; k++) {
    const term = Math.exp(-2 * k * k * z * z);
    sum += k % 2 === 1 ? term : -term;
    if (term <= 1e-17 * Math.abs(sum)) break;
  }
  return clipProbability(2 * sum);
}

/**
 * Exact upper tail of the one-sided statistic, P(D⁺_n ≥ d) (scipy `ksone.sf(d, n)`,
 * `special.smirnov(n, d)`), by the Birnbaum–Tingey (1951) formula
 *
 *   P(D⁺_n ≥ d) = d Σ_{j=0}^{⌊n(1−d)⌋} C(n, j) (1 − d − j/n)^{n−j} (d + j/n)^{j−1},
 *
 * summed in log space; every term is positive, so there is no cancellation. Cost O(n).
 */
export function smirnovSf(n: number, d: number): number {
  checkSampleSize(n);
  checkStatistic(d);
  if (d <= 0) return 1;
  if (d >= 1) return 0;
  const last = Math.floor(n * (1 - d));
  const logD = Math.log(d);
  let logBinomial = 0; // log C(n, j), updated incrementally
  let sum = 0;
  for (let j = 0; j <= last; j++) {
    if (j > 0) logBinomial += Math.log((n - j + 1) / j);
    const lower = (n - j) / n - d;
    const upper = d + j / n;
    let logTerm = logBinomial + (j - 1) * Math.log(upper) + logD;
    if (lower > 0) logTerm += (n - j) * Math.log(lower);
    else if (n - j > 0) continue; // the term is 0
    sum += Math.exp(logTerm);
  }
  return clipProbability(sum);
}

/** log(n!/nⁿ) by Stirling's series with the n·log n removed up front (as scipy `_ksstats`). */
function logFactorialOverPower(n: number): number {
  const coefficients = [
    -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4, -5.952380952380952381e-4,
    7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
  ];
  const reciprocal = 1 / n;
  const x = reciprocal / n;
  let polynomial = 0;
  for (const c of coefficients) polynomial = polynomial * x + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + reciprocal * polynomial;
}

/**
 * P(D_n ≤ d) by the Durbin (1968) matrix method in the form of Marsaglia, Tsang & Wang (2003),
 * "Evaluating Kolmogorov's distribution", J. Stat. Softw. 8(18): write d = (k − h)/n, build the
 * (2k−1)² matrix H, and read the (k, k) entry of (n!/nⁿ)·Hⁿ, with exponent bookkeeping against
 * overflow. Exact up to rounding. Cost O(k³ log n) with k = ⌈n·d⌉ (transcribed from scipy's
 * `_kolmogn_DMTW`).
 */
function durbinMatrixCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let factorial = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = factorial;
    factorial /= j;
    v[j - 1] = (1 - h ** j) * factorial;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * factorial;
  let matrix: Float64Array = new Float64Array(m * m);
  for (let i = 1; i < m; i++) {
    for (let row = i - 1; row < m; row++) matrix[row * m + i] = w[row - i + 1];
  }
  for (let row = 0; row < m; row++) matrix[row * m] = v[row];
  for (let column = 0; column < m; column++) matrix[(m - 1) * m + column] = v[m - 1 - column];

  const multiply = (a: Float64Array, b: Float64Array): Float64Array => {
    const out = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let l = 0; l < m; l++) {
        const a_il = a[i * m + l];
        if (a_il === 0) continue;
        for (let j = 0; j < m; j++) out[i * m + j] += a_il * b[l * m + j];
      }
    }
    return out;
  };
  let power: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) power[i * m + i] = 1;
  let remaining = n;
  let exponent = 0;
  let matrixExponent = 0;
  while (remaining > 0) {
    if (remaining % 2 === 1) {
      power = multiply(power, matrix);
      exponent += matrixExponent;
    }
    matrix = multiply(matrix, matrix);
    matrixExponent *= 2;
    if (Math.abs(matrix[(k - 1) * m + (k - 1)]) > TWO_POW_128) {
      for (let i = 0; i < matrix.length; i++) matrix[i] /= TWO_POW_128;
      matrixExponent += 128;
    }
    remaining = Math.floor(remaining / 2);
  }
  let p = power[(k - 1) * m + (k - 1)];
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < TWO_POW_MINUS_128) {
      p *= TWO_POW_128;
      exponent -= 128;
    }
  }
  if (exponent !== 0) p *= 2 ** exponent;
  return clipProbability(p);
}

/**
 * Pelz & Good (1976) asymptotic expansion of P(D_n ≤ x) to order n^{−3/2}, in the theta-function
 * form used by Simard & L'Ecuyer (2011) (transcribed from scipy's `_kolmogn_PelzGood`).
 */
function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qlog = -PI_SQUARED / 8 / z2;
  if (qlog < -708) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI_SQUARED / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI_SQUARED) / 4;
  const k2c = (PI_FOUR * (1 - 2 * z2)) / 16;
  const k3d = (PI_SIX * (5 - 30 * z2)) / 64;
  const k3c = (PI_FOUR * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI_SQUARED * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const terms = [0, 0, 0, 0];
  const maxK = Math.ceil((16 * z) / Math.PI);
  for (let k = maxK; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qPower = q ** (8 * k);
    const coefficients = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) terms[i] = terms[i] * qPower + coefficients[i];
  }
  const divisors = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) terms[i] = (terms[i] * q * SQRT_2PI) / divisors[i];
  q = Math.exp(-PI_SQUARED / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  const sqrt3z = Math.sqrt(3) * z;
  for (let k = maxK; k > 0; k--) {
    const k2 = k * k;
    const qPower = q ** k2;
    k2extra += k2 * qPower;
    k3extra += (sqrt3z + Math.PI * k) * (sqrt3z - Math.PI * k) * k2 * qPower;
  }
  terms[2] += (k2extra * PI_SQUARED * SQRT_2PI) / (-36 * z3);
  terms[3] += (k3extra * PI_SQUARED * SQRT_2PI) / (216 * z6);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += terms[i] / n ** (i / 2);
  return sum;
}

/**
 * Upper tail of the two-sided one-sample statistic, P(D_n ≥ d) under H0 (scipy 1.10
 * `stats.kstwo.sf(d, n)`), following Simard & L'Ecuyer (2011), "Computing the two-sided
 * Kolmogorov–Smirnov distribution", J. Stat. Softw. 39(11), with scipy's case split:
 * - n·d ≤ 1 and n·d ≥ n − 1: Ruben–Gambino closed forms (exact);
 * - d ≥ 0.5: 2·P(D⁺_n ≥ d) (exact there);
 * - n ≤ 140: Durbin matrix (exact) while n·d² ≤ 4 — scipy uses Pomeranz' exact recursion for
 *   0.754693 < n·d² ≤ 4, which agrees to rounding — beyond that Miller's 2·P(D⁺_n ≥ d);
 * - n > 140: 0 when n·d² ≥ 370; 2·P(D⁺_n ≥ d) when n·d² ≥ 2.2; otherwise 1 − CDF with the CDF
 *   from the Durbin matrix when n·d^{3/2} ≤ 1.4 (and n ≤ 100 000), else Pelz–Good.
 * Agrees with scipy to ~1e-12 relative (see the tests). Cost: O(n) for the Smirnov branch,
 * O(k³ log n) with k = ⌈n·d⌉ ≤ 50 or so for the matrix branch.
 */
export function kolmogorovSmirnovSf(n: number, d: number): number {
  checkSampleSize(n);
  checkStatistic(d);
  if (d >= 1) return 0;
  if (d <= 0) return 1;
  const t = n * d;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    const cdf =
      n <= 140
        ? (() => {
            let product = 1;
            for (let i = 1; i <= n; i++) product *= (i / n) * (2 * t - 1);
            return product;
          })()
        : Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    return clipProbability(1 - cdf);
  }
  if (t >= n - 1) return clipProbability(2 * (1 - d) ** n);
  if (d >= 0.5) return clipProbability(2 * smirnovSf(n, d));
  const nd2 = t * d;
  if (n <= 140) {
    if (nd2 <= 4) return clipProbability(1 - durbinMatrixCdf(n, d));
    return clipProbability(2 * smirnovSf(n, d));
  }
  if (nd2 >= 370) return 0;
  if (nd2 >= 2.2) return clipProbability(2 * smirnovSf(n, d));
  const cdf = n <= 100000 && n * d ** 1.5 <= 1.4 ? durbinMatrixCdf(n, d) : pelzGoodCdf(n, d);
  return clipProbability(1 - cdf);
}

/** How a KS p-value is computed. */
export type KsMethod = 'exact' | 'asymp';

/** A Kolmogorov–Smirnov test result. */
export interface KsTestResult {
  /** The largest absolute distance between the two distribution functions. */
  statistic: number;
  pValue: number;
  /** The method that produced the p-value. */
  method: KsMethod;
}

/**
 * Two-sided one-sample KS test of `sample` against a continuous distribution function `cdf`,
 * as scipy 1.10 `stats.ks_1samp(sample, cdf)`: D = max(D⁺, D⁻) with D⁺ = max(i/n − F(x₍ᵢ₎)),
 * D⁻ = max(F(x₍ᵢ₎) − (i−1)/n); p-value `kolmogorovSmirnovSf(n, D)` (`'exact'`, scipy's default)
 * or `kolmogorovLimitSf(√n·D)` (`'asymp'`). Cost O(n log n) plus the p-value.
 */
export function oneSampleKsTest(sample: readonly number[], cdf: (x: number) => number, method: KsMethod = 'exact'): KsTestResult {
  if (sample.length === 0) throw new RangeError('sample must not be empty');
  if (method !== 'exact' && method !== 'asymp') throw new RangeError(`method must be 'exact' or 'asymp', got '${String(method)}'`);
  const sorted = [...sample].sort((a, b) => a - b);
  const n = sorted.length;
  let dPlus = -Infinity;
  let dMinus = -Infinity;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(sorted[i])) throw new RangeError(`sample must hold finite numbers, got ${sorted[i]}`);
    const f = cdf(sorted[i]);
    if (!(f >= 0 && f <= 1)) throw new RangeError(`cdf must return a probability, got ${f} at ${sorted[i]}`);
    dPlus = Math.max(dPlus, (i + 1) / n - f);
    dMinus = Math.max(dMinus, f - i / n);
  }
  const statistic = Math.max(dPlus, dMinus);
  const pValue = method === 'exact' ? kolmogorovSmirnovSf(n, statistic) : kolmogorovLimitSf(Math.sqrt(n) * statistic);
  return { statistic, pValue, method };
}

function greatestCommonDivisor(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** numpy's `round`: half to even. */
function roundHalfToEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * P(D_{n,n} ≥ h/n) for two samples of equal size n: 2·Σ_{k≥1} (−1)^{k−1} C(2n, n − kh)/C(2n, n),
 * evaluated as a Horner-like product to avoid cancellation (Gnedenko–Korolyuk; transcribed from
 * scipy's `_compute_prob_outside_square`). Cost O(n).
 */
function equalSizesOutsideProbability(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let ratio = 1;
    for (let j = 0; j < h; j++) ratio = ((n - k * h - j) * ratio) / (n + k * h + j + 1);
    p = ratio * (1 - p);
  }
  return 2 * p;
}

/**
 * P(D_{m,n} ≥ d) for unequal sizes by dynamic programming over lattice paths: a uniformly random
 * path from (0, 0) to (m, n) (one step per observation of the pooled sorted sample) stays inside
 * while |n·i − m·j| < h·g, with g = gcd(m, n) and d = h·g/(m·n) (Hodges 1958). The path
 * probabilities (m − i)/(m − i + n − j) per step keep every number ≤ 1, so nothing overflows, and
 * the p-value is accumulated as the probability flowing out of the band — a sum of positive
 * terms, so even p-values far below 1e-16 keep their relative precision (1 − P(inside) would not).
 * Cost O(m·n·d) time, O(n) memory.
 */
function unequalSizesOutsideProbability(m: number, n: number, boundary: number): number {
  // boundary = h·g; a point (i, j) is inside when |n·i − m·j| < boundary.
  const inside = (i: number, j: number) => Math.abs(n * i - m * j) < boundary;
  let column = new Float64Array(n + 1);
  let next = new Float64Array(n + 1);
  let outside = 0;
  // Column i = 0: the path goes up j steps (only draws from the second sample).
  column[0] = 1;
  let previousHigh = 0;
  for (let j = 1; j <= n; j++) {
    const flow = column[j - 1] * ((n - j + 1) / (m + n - j + 1));
    if (inside(0, j)) {
      column[j] = flow;
      previousHigh = j;
    } else {
      outside += flow;
      break;
    }
  }
  let previousLow = 0;
  for (let i = 1; i <= m; i++) {
    // Points of column i that can receive probability: j from the previous column's lowest
    // inside point up to one above this column's highest inside point.
    const high = Math.min(n, Math.ceil((n * i + boundary) / m) - 1);
    const from = previousLow;
    const to = Math.min(n, high + 1);
    let low = -1;
    let last = -1;
    for (let j = from; j <= to; j++) {
      let flow = j <= previousHigh ? column[j] * ((m - i + 1) / (m - i + 1 + n - j)) : 0;
      if (j > from) flow += next[j - 1] * ((n - j + 1) / (m - i + n - j + 1));
      if (inside(i, j)) {
        next[j] = flow;
        if (low < 0) low = j;
        last = j;
      } else {
        next[j] = 0;
        outside += flow;
      }
    }
    for (let j = previousLow; j <= previousHigh; j++) column[j] = 0;
    [column, next] = [next, column];
    previousLow = Math.max(low, 0);
    previousHigh = last;
  }
  return clipProbability(outside);
}

/** Options of `twoSampleKsTest`. */
export interface TwoSampleKsOptions {
  /**
   * `'exact'`: the exact null distribution of D_{m,n} (ties-free permutation law);
   * `'asymp'`: `kolmogorovSmirnovSf(round(m·n/(m+n)), D)`, scipy's asymptotic choice;
   * `'auto'` (default): exact when both samples have at most 10 000 values, as scipy.
   */
  method?: KsMethod | 'auto';
}

/**
 * Two-sided two-sample KS test, as scipy 1.10 `stats.ks_2samp(reference, current,
 * method=…)`: D = max_x |F_ref(x) − F_cur(x)| over the pooled values (empirical CDFs
 * right-continuous, so ties are handled as scipy does). Exact p-value: with g = gcd(m, n),
 * D is rounded to h/lcm(m, n) and P(D_{m,n} ≥ D) computed by the Gnedenko–Korolyuk series
 * (m = n) or the lattice-path recursion (m ≠ n); the returned statistic is the rounded one, as
 * scipy's. Asymptotic: `kolmogorovSmirnovSf(round(m·n/(m+n)), D)` (round half to even, as
 * numpy). Cost O((m + n) log(m + n)) for D plus O(m·n·D) for the exact unequal-size p-value.
 */
export function twoSampleKsTest(reference: readonly number[], current: readonly number[], options: TwoSampleKsOptions = {}): KsTestResult {
  const requested = options.method ?? 'auto';
  if (requested !== 'auto' && requested !== 'exact' && requested !== 'asymp') {
    throw new RangeError(`method must be 'auto', 'exact' or 'asymp', got '${String(requested)}'`);
  }
  if (reference.length === 0) throw new RangeError('reference must not be empty');
  if (current.length === 0) throw new RangeError('current must not be empty');
  for (const [name, values] of [
    ['reference', reference],
    ['current', current],
  ] as const) {
    for (const value of values) if (!Number.isFinite(value)) throw new RangeError(`${name} must hold finite numbers, got ${value}`);
  }
  const a = [...reference].sort((x, y) => x - y);
  const b = [...current].sort((x, y) => x - y);
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let statistic = 0;
  while (i < n1 || j < n2) {
    const value = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
    while (i < n1 && a[i] === value) i++;
    while (j < n2 && b[j] === value) j++;
    statistic = Math.max(statistic, Math.abs(i / n1 - j / n2));
  }
  const method: KsMethod = requested === 'auto' ? (Math.max(n1, n2) <= 10000 ? 'exact' : 'asymp') : requested;
  if (method === 'exact') {
    const g = greatestCommonDivisor(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = roundHalfToEven(statistic * lcm);
    const rounded = h / lcm;
    if (h === 0) return { statistic: rounded, pValue: 1, method };
    const pValue =
      n1 === n2
        ? clipProbability(equalSizesOutsideProbability(n1, h))
        : unequalSizesOutsideProbability(Math.max(n1, n2), Math.min(n1, n2), h * g);
    return { statistic: rounded, pValue, method };
  }
  const larger = Math.max(n1, n2);
  const smaller = Math.min(n1, n2);
  const effective = roundHalfToEven((larger * smaller) / (larger + smaller));
  return { statistic, pValue: kolmogorovSmirnovSf(Math.max(1, effective), statistic), method };
}
