/**
 * The noncentral t law: T = (Z + δ)/√(V/ν) with Z standard normal and V χ² on ν degrees of
 * freedom — the law of a t statistic when the true effect is not zero, hence the power of a
 * t-test (`tTestPower.ts`).
 *
 * CDF by Lenth's series (R. V. Lenth, "Algorithm AS 243: Cumulative distribution function of
 * the non-central t distribution", Applied Statistics 38, 1989, pp. 185–189), for t ≥ 0:
 *
 *   F(t; ν, δ) = Φ(−δ) + ½ Σ_{j≥0} [p_j·I_x(j + ½, ν/2) + q_j·I_x(j + 1, ν/2)],   x = t²/(t² + ν),
 *   p_j = e^{−δ²/2}(δ²/2)^j / j!,   q_j = δ·e^{−δ²/2}(δ²/2)^j / (√2·Γ(j + 3/2)),
 *
 * and F(t; ν, δ) = 1 − F(−t; ν, −δ) for t < 0. The weights are Poisson-shaped around j = δ²/2 and
 * fall below 1e-25 of the total past mode + 12√(δ²/2) + 30, where the sum stops; it starts at
 * j = 0, not at the mode, because in a far tail the product p_j·I_x(…) peaks near j = x·δ²/2, well
 * below the weights' mode. The terms are taken in logarithms so that a large δ does not underflow.
 * Cost: O(δ²/2 + 12√(δ²/2) + 30) incomplete-beta evaluations (see the bounds below for large δ).
 * Pinned against scipy 1.10 `stats.nct` (scripts/reference/design_ttest.py).
 */
import { chiSquareSf, incompleteBeta, logGamma, normalCdf, studentTCdf } from './distributions.ts';

function check(degreesOfFreedom: number, noncentrality: number): void {
  if (!(degreesOfFreedom > 0)) throw new RangeError(`degrees of freedom must be positive, got ${degreesOfFreedom}`);
  if (!Number.isFinite(noncentrality)) throw new RangeError(`noncentrality must be a finite number, got ${noncentrality}`);
}

/**
 * The series costs O(λ) terms, seconds at δ in the thousands (the power curve of a metric whose
 * sample is far beyond its need). There the answer is 0 or 1 to double precision, by two
 * bounds: for δ > 0, T ≤ t needs Z ≤ −δ/2 or t·√(V/ν) ≥ δ/2, so F ≤ Φ(−δ/2) + P(χ²_ν ≥ ν·(δ/2t)²);
 * for δ < 0, T > t ≥ 0 needs Z + δ > 0, so 1 − F ≤ Φ(δ). Below 1e-300 the bound is the answer.
 */
const NEGLIGIBLE = 1e-300;

/** Lenth's series for t ≥ 0 (module comment). */
function seriesCdf(t: number, degreesOfFreedom: number, noncentrality: number): number {
  const base = normalCdf(-noncentrality);
  if (t === 0) return base;
  if (noncentrality > 0) {
    const bound = normalCdf(-noncentrality / 2) + chiSquareSf(degreesOfFreedom * (noncentrality / (2 * t)) ** 2, degreesOfFreedom);
    if (bound < NEGLIGIBLE) return 0;
  } else if (normalCdf(noncentrality) < NEGLIGIBLE) {
    return 1;
  }
  const x = (t * t) / (t * t + degreesOfFreedom);
  const lambda = (noncentrality * noncentrality) / 2;
  const halfDf = degreesOfFreedom / 2;
  const mode = Math.floor(lambda);
  const reach = Math.ceil(12 * Math.sqrt(lambda) + 30);
  const logLambda = Math.log(lambda);
  const logAbsDelta = Math.log(Math.abs(noncentrality));
  const sign = Math.sign(noncentrality);
  let sum = 0;
  for (let j = 0; j <= mode + reach; j++) {
    const logPoisson = -lambda + j * logLambda - logGamma(j + 1);
    const p = Math.exp(logPoisson);
    const q = sign * Math.exp(logAbsDelta - lambda + j * logLambda - 0.5 * Math.LN2 - logGamma(j + 1.5));
    sum += p * incompleteBeta(x, j + 0.5, halfDf) + q * incompleteBeta(x, j + 1, halfDf);
  }
  return Math.min(1, Math.max(0, base + 0.5 * sum));
}

/** P(T ≤ t) for the noncentral t law with ν = `degreesOfFreedom` (may be fractional) and δ = `noncentrality`. */
export function noncentralTCdf(t: number, degreesOfFreedom: number, noncentrality: number): number {
  check(degreesOfFreedom, noncentrality);
  if (Number.isNaN(t)) return NaN;
  if (noncentrality === 0) return studentTCdf(t, degreesOfFreedom);
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  return t >= 0 ? seriesCdf(t, degreesOfFreedom, noncentrality) : 1 - seriesCdf(-t, degreesOfFreedom, -noncentrality);
}

/** P(T > t), the upper tail; for t < 0 computed from the reflected series so that it keeps its precision. */
export function noncentralTSf(t: number, degreesOfFreedom: number, noncentrality: number): number {
  check(degreesOfFreedom, noncentrality);
  if (Number.isNaN(t)) return NaN;
  if (noncentrality === 0) return studentTCdf(-t, degreesOfFreedom);
  if (t === Infinity) return 0;
  if (t === -Infinity) return 1;
  return t >= 0 ? 1 - seriesCdf(t, degreesOfFreedom, noncentrality) : seriesCdf(-t, degreesOfFreedom, -noncentrality);
}
