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
 * and F(t; ν, δ) = 1 − F(−t; ν, −δ) for t < 0. The weights are Poisson-shaped around j = δ²/2, so
 * the sum runs over the window mode ± (12√(δ²/2) + 30), outside which the weights are below
 * 1e-25 of the total; the terms are taken in logarithms so that a large δ does not underflow.
 * Cost: O(√(δ²/2) + 30) incomplete-beta evaluations. Pinned against scipy 1.10 `stats.nct`
 * (scripts/reference/design_ttest.py).
 */
import { incompleteBeta, logGamma, normalCdf, studentTCdf } from './distributions.ts';

function check(degreesOfFreedom: number, noncentrality: number): void {
  if (!(degreesOfFreedom > 0)) throw new RangeError(`degrees of freedom must be positive, got ${degreesOfFreedom}`);
  if (!Number.isFinite(noncentrality)) throw new RangeError(`noncentrality must be a finite number, got ${noncentrality}`);
}

/** Lenth's series for t ≥ 0 (module comment). */
function seriesCdf(t: number, degreesOfFreedom: number, noncentrality: number): number {
  const base = normalCdf(-noncentrality);
  if (t === 0) return base;
  const x = (t * t) / (t * t + degreesOfFreedom);
  const lambda = (noncentrality * noncentrality) / 2;
  const halfDf = degreesOfFreedom / 2;
  const mode = Math.floor(lambda);
  const reach = Math.ceil(12 * Math.sqrt(lambda) + 30);
  const logLambda = Math.log(lambda);
  const logAbsDelta = Math.log(Math.abs(noncentrality));
  const sign = Math.sign(noncentrality);
  let sum = 0;
  for (let j = Math.max(0, mode - reach); j <= mode + reach; j++) {
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
