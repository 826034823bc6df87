/**
 * Per-request and per-user metric values of a model (issue 15): the laws a scenario gives for
 * tokens, cost, revenue…, and the draws both fidelity modes make from them — one value, the sum of
 * k i.i.d. values (from its closed-form law where there is one), and a value from a normal score
 * (for the pre-period copula of CUPED).
 *
 * The vocabulary (scenario field `values` of a model; field table in scenarioFields.ts):
 *
 * - a value law: `constant` (value), `normal` (mean, sd), `lognormal` (median, sigma of ln x),
 *   `gamma` (shape, scale), `poisson` (mean), or `zeroInflated` (zeroProbability, value: one of
 *   the others) — 0 with probability zeroProbability, else a draw of `value`;
 * - a metric, one of three kinds, each fixing the per-unit pair (x, y) the windows report
 *   (`ArmWindow.values`, contracts C3; a unit is a user active in the window):
 *   `perRequest` (value): a value per request — x = the user's total, y = its request count
 *   (analysed as a ratio: value per request, delta method);
 *   `ratio` (numerator, denominator): two values per request — x = the user's numerator total,
 *   y = its denominator total;
 *   `perUser` (value, preCorrelation?): one value per user and window (revenue per user) —
 *   x = that value, y = the user's pre-period value (CUPED's covariate; 0 without preCorrelation).
 * - per-user clustering, `userEffectSigma` σ_u (default 0): each user carries a persistent
 *   standard normal Z_u per metric, drawn once per replicate, and its values (the numerator of a
 *   ratio) are multiplied by f_u = exp(σ_u·Z_u − σ_u²/2), a lognormal factor of mean 1 — so the
 *   law's mean stays the population mean, and a user's requests, in one window and across
 *   windows, are correlated (the reason the delta method on per-user sums is needed).
 * - `preCorrelation` ρ (perUser only): the user-window's value and its pre-period value come from
 *   standard normal scores (S, S′) with correlation ρ (a Gaussian copula): x = f_u·T(S) with T
 *   the model's law as a function of a normal score, y = f_u·T_control(S′) — the pre-period is
 *   drawn from the CONTROL's law whatever the arm (nobody had the candidate before the test), so
 *   the covariate carries no treatment effect (Deng, Xu, Kohavi & Walker, WSDM 2013, §3.3). For a
 *   normal law without user effect ρ is exactly the Pearson correlation of x and y, the ρ of
 *   CUPED's 1 − ρ²; for a lognormal it is the correlation of ln x and ln y (Pearson's is
 *   (e^{ρσ²} − 1)/(e^{σ²} − 1), lower); a user effect shared by both periods raises it.
 *   T exists in closed form for constant, normal, lognormal and a zeroInflated one of those;
 *   gamma and poisson laws are refused with a preCorrelation.
 */

import { binomialSampler } from '../engine/random/binomial.ts';
import { poissonSampler } from '../engine/random/poisson.ts';
import type { Random } from '../engine/random/prng.ts';
import { normalCdf, normalQuantile } from '../engine/stats/distributions.ts';
import { GammaVariates } from './gammaVariates.ts';

/** A law of values that is not a mixture with zero. */
export type SimpleValueLaw =
  | { kind: 'constant'; value: number }
  | { kind: 'normal'; mean: number; sd: number }
  | { kind: 'lognormal'; median: number; sigma: number }
  | { kind: 'gamma'; shape: number; scale: number }
  | { kind: 'poisson'; mean: number };

/** The law of one value: a simple law, or 0 with probability zeroProbability and else a draw of `value`. */
export type ValueLaw = SimpleValueLaw | { kind: 'zeroInflated'; zeroProbability: number; value: SimpleValueLaw };

/** One named metric of a model (see the module comment for the (x, y) pair each kind reports). */
export type MetricValues =
  | { kind: 'perRequest'; value: ValueLaw; userEffectSigma: number }
  | { kind: 'ratio'; numerator: ValueLaw; denominator: ValueLaw; userEffectSigma: number }
  | { kind: 'perUser'; value: ValueLaw; userEffectSigma: number; preCorrelation?: number };

/** E[value] of a law (closed form). */
export function valueLawMean(law: ValueLaw): number {
  switch (law.kind) {
    case 'constant':
      return law.value;
    case 'normal':
      return law.mean;
    case 'lognormal':
      return law.median * Math.exp((law.sigma * law.sigma) / 2);
    case 'gamma':
      return law.shape * law.scale;
    case 'poisson':
      return law.mean;
    default:
      return (1 - law.zeroProbability) * valueLawMean(law.value);
  }
}

/** E[value²] of a law (closed form): e.g. a lognormal's median²·e^{2σ²}. */
export function valueLawSecondMoment(law: ValueLaw): number {
  switch (law.kind) {
    case 'constant':
      return law.value * law.value;
    case 'normal':
      return law.mean * law.mean + law.sd * law.sd;
    case 'lognormal':
      return law.median * law.median * Math.exp(2 * law.sigma * law.sigma);
    case 'gamma':
      return law.shape * (law.shape + 1) * law.scale * law.scale;
    case 'poisson':
      return law.mean + law.mean * law.mean;
    default:
      return (1 - law.zeroProbability) * valueLawSecondMoment(law.value);
  }
}

/** Whether a law has a closed-form map from a normal score (`ValueDraws.fromScore`). */
export function hasScoreTransform(law: ValueLaw): boolean {
  const simple = law.kind === 'zeroInflated' ? law.value : law;
  return simple.kind === 'constant' || simple.kind === 'normal' || simple.kind === 'lognormal';
}

/**
 * Draws from value laws with one random stream (normals by the ziggurat, gammas by
 * Marsaglia–Tsang: `GammaVariates`). Samplers are
 * built per call where a law's parameter changes with k (Poisson, binomial): values are drawn
 * only in A/B stages of scenarios that give them, so the allocation is off the hot path.
 */
export class ValueDraws {
  readonly random: Random;
  readonly normal: () => number;
  private readonly gammas: GammaVariates;
  /** Poisson samplers by mean (the means of sums repeat: k·λ for small k), kept for the replicate. */
  private readonly poissons = new Map<number, () => number>();

  constructor(random: Random) {
    this.random = random;
    this.gammas = new GammaVariates(random);
    this.normal = this.gammas.normal;
  }

  /** One value of `law`. */
  one(law: ValueLaw): number {
    switch (law.kind) {
      case 'constant':
        return law.value;
      case 'normal':
        return law.mean + law.sd * this.normal();
      case 'lognormal':
        return law.median * Math.exp(law.sigma * this.normal());
      case 'gamma':
        return law.scale * this.gammas.gamma(law.shape);
      case 'poisson':
        return this.poisson(law.mean);
      default:
        return this.random() < law.zeroProbability ? 0 : this.one(law.value);
    }
  }

  /** A Poisson(mean) count, its sampler built once per mean. */
  private poisson(mean: number): number {
    if (!(mean > 0)) return 0;
    let sampler = this.poissons.get(mean);
    if (sampler === undefined) {
      sampler = poissonSampler(this.random, mean);
      this.poissons.set(mean, sampler);
    }
    return sampler();
  }

  /** A Binomial(k, p) count: for small k, k uniforms (no sampler to build); else the engine's sampler. */
  private binomial(k: number, p: number): number {
    if (k > 16) return binomialSampler(this.random, k, p)();
    let count = 0;
    for (let i = 0; i < k; i++) if (this.random() < p) count += 1;
    return count;
  }

  /**
   * The sum of k ≥ 0 i.i.d. values of `law`, from its closed-form law where there is one: k·c;
   * Normal(kμ, kσ²); Gamma(k·shape, scale); Poisson(kλ); zeroInflated: Binomial(k, 1 − π) non-zero
   * values, then their sum. A lognormal sum has no closed form: k draws (Fenton–Wilkinson would be
   * an approximation, and the simulator promises the exact law).
   */
  sum(law: ValueLaw, k: number): number {
    if (k === 0) return 0;
    switch (law.kind) {
      case 'constant':
        return k * law.value;
      case 'normal':
        return k * law.mean + law.sd * Math.sqrt(k) * this.normal();
      case 'lognormal': {
        let total = 0;
        for (let i = 0; i < k; i++) total += Math.exp(law.sigma * this.normal());
        return law.median * total;
      }
      case 'gamma':
        return law.scale * this.gammas.gamma(k * law.shape);
      case 'poisson':
        return this.poisson(k * law.mean);
      default: {
        const p = 1 - law.zeroProbability;
        const nonZero = p <= 0 ? 0 : p >= 1 ? k : this.binomial(k, p);
        return this.sum(law.value, nonZero);
      }
    }
  }

  /**
   * The value of `law` whose standard normal score is s: T(s) = F⁻¹(Φ(s)), in closed form for
   * the laws `hasScoreTransform` accepts (μ + σs; median·e^{σs}; a zeroInflated one: 0 when
   * Φ(s) < π, else the inner law at Φ⁻¹((Φ(s) − π)/(1 − π))). Others: not called (refused at parse).
   */
  fromScore(law: ValueLaw, s: number): number {
    switch (law.kind) {
      case 'constant':
        return law.value;
      case 'normal':
        return law.mean + law.sd * s;
      case 'lognormal':
        return law.median * Math.exp(law.sigma * s);
      case 'zeroInflated': {
        const u = normalCdf(s);
        if (u < law.zeroProbability) return 0;
        const inner = (u - law.zeroProbability) / (1 - law.zeroProbability);
        return this.fromScore(law.value, normalQuantile(Math.min(1 - 1e-16, Math.max(1e-300, inner))));
      }
      default:
        throw new RangeError(`a ${law.kind} law has no closed-form normal-score transform`);
    }
  }
}
