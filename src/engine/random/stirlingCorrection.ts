/**
 * The Stirling-series remainder fc(k) = ln k! − [(k + ½)·ln(k + 1) − (k + 1) + ½·ln 2π], for
 * integers k ≥ 0. Hörmann's rejection samplers (PTRS, BTRS) write ln k! this way so that the
 * acceptance test is a sum of small terms instead of a difference of huge ln-factorials (at
 * n = 10⁹, ln n! ≈ 2·10¹⁰ would lose 6 digits).
 *
 * k ≤ 9: table computed with mpmath at 40 digits (scripts/reference/random_streams.py,
 * `loggamma(k+1) − (k+½)·log(k+1) + (k+1) − log(2π)/2`, rounded to 17 digits).
 * k ≥ 10: the asymptotic series 1/(12x) − 1/(360x³) + 1/(1260x⁵) − 1/(1680x⁷), x = k + 1
 * (Abramowitz & Stegun 6.1.41), whose error is below 1/(1188x⁹) < 5·10⁻¹³ there.
 * Cost: O(1).
 */
export function stirlingCorrection(k: number): number {
  if (k <= 9) return STIRLING_TABLE[k];
  const x = k + 1;
  const inverseSquare = 1 / (x * x);
  return (1 / 12 - (1 / 360 - (1 / 1260 - inverseSquare / 1680) * inverseSquare) * inverseSquare) / x;
}

const STIRLING_TABLE = [
  0.081061466795327258, 0.041340695955409294, 0.027677925684998339, 0.020790672103765093, 0.016644691189821192, 0.013876128823070748,
  0.01189670994589177, 0.010411265261972096, 0.0092554621827127329, 0.0083305634333628713,
];
