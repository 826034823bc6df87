/**
 * Sample size, power and minimum detectable effect for a difference in means (latency per
 * request, tokens per user, revenue per user — or any metric whose per-unit variance is known),
 * by the normal (z) approximation, with unequal variances and unequal arms allowed.
 *
 * Arms: the first (control) has variance σ₁² per unit and n₁ units, the second (candidate)
 * σ₂² and n₂ = r·n₁ (statsmodels' convention for `ratio`). The estimate of Δ = μ₂ − μ₁ has
 * variance σ₁²/n₁ + σ₂²/n₂ = σ_d²/n₁ with σ_d² = σ₁² + σ₂²/r, so with c = Φ⁻¹(1 − α/sides):
 *
 *   one-sided power  Φ(√n₁·|Δ − Δ₀|/σ_d − c),
 *   two-sided power  Φ(√n₁·|Δ − Δ₀|/σ_d − c) + Φ(−√n₁·|Δ − Δ₀|/σ_d − c)   (both tails, as statsmodels),
 *   one-sided size   n₁ = (c + z_power)²·σ_d²/(Δ − Δ₀)²   (e.g. Chow, Shao & Wang, "Sample Size
 *                    Calculations in Clinical Research", 2nd ed., §3.2.1 and §4.2 for Δ₀ ≠ 0).
 *
 * Δ₀ is the difference under H0: 0 for superiority, −margin (or +margin) for non-inferiority.
 * With σ₁ = σ₂ = σ this is exactly statsmodels `NormalIndPower()` with the standardised effect
 * d = (Δ − Δ₀)/σ (its effective size n₁n₂/(n₁ + n₂) equals n₁/(1 + 1/r)).
 *
 * CUPED (Deng, Xu, Kohavi & Walker, WSDM 2013, §3.2): adjusting by a pre-period covariate whose
 * correlation with the metric is ρ multiplies every variance by 1 − ρ², hence the sample size
 * too; give `cupedCorrelation`.
 */
import { normalCdf, normalQuantile } from './distributions.ts';

/** 1 for a one-sided test (in the direction of Δ − Δ₀), 2 for two-sided. */
export type MeanTestSides = 1 | 2;

/** The variances of one unit's value in each arm. */
export interface MeanVariances {
  /** Standard deviation common to both arms; or give `controlVariance` and `candidateVariance`. */
  standardDeviation?: number;
  /** Variance per unit in the first arm (control). */
  controlVariance?: number;
  /** Variance per unit in the second arm (candidate); defaults to `controlVariance`. */
  candidateVariance?: number;
  /**
   * Correlation ρ between the metric and its pre-period value (CUPED): variances are multiplied
   * by 1 − ρ². Default 0 (no adjustment).
   */
  cupedCorrelation?: number;
}

/** Test settings shared by the three calculations. */
export interface MeanTestDesign extends MeanVariances {
  /** Significance level, default 0.05. */
  alpha?: number;
  /** n₂/n₁, default 1. */
  ratio?: number;
  /** Default 2. */
  sides?: MeanTestSides;
  /** The difference Δ₀ = μ₂ − μ₁ under the null hypothesis, default 0 (superiority). */
  nullDifference?: number;
}

/** Inputs of `meanSampleSize`. */
export interface MeanSampleSizeOptions extends MeanTestDesign {
  /** Δ = μ₂ − μ₁ under the alternative (same units as the metric). */
  difference: number;
  /** Default 0.8. */
  power?: number;
}

/** Inputs of `meanPower`. */
export interface MeanPowerOptions extends MeanTestDesign {
  difference: number;
  /** Units in the first arm (may be fractional). */
  nPerArm: number;
}

/** Inputs of `meanMinimumDetectableEffect`. */
export interface MeanMinimumDetectableEffectOptions extends MeanTestDesign {
  nPerArm: number;
  /** Default 0.8. */
  power?: number;
}

/** The resolved settings every result reports. */
export interface ResolvedMeanDesign {
  alpha: number;
  ratio: number;
  sides: MeanTestSides;
  nullDifference: number;
  controlVariance: number;
  candidateVariance: number;
  /** 1 − ρ² (1 without CUPED). */
  varianceFactor: number;
  /** σ_d = √((σ₁² + σ₂²/r)·(1 − ρ²)): the standard error of Δ̂ times √n₁. */
  standardDeviationOfDifference: number;
}

/** Result of `meanSampleSize`. */
export interface MeanSampleSizeResult extends ResolvedMeanDesign {
  difference: number;
  power: number;
  /** Unrounded n₁. */
  nPerArmExact: number;
  /** ⌈n₁⌉. */
  nPerArm: number;
  /** ⌈r·n₁⌉. */
  nSecondArm: number;
  nTotal: number;
}

/** Result of `meanPower`. */
export interface MeanPowerResult extends ResolvedMeanDesign {
  difference: number;
  nPerArm: number;
  power: number;
}

/** Result of `meanMinimumDetectableEffect`: the smallest |Δ − Δ₀| detected with `power`. */
export interface MeanMinimumDetectableEffectResult extends ResolvedMeanDesign {
  nPerArm: number;
  power: number;
  /** The smallest |Δ − Δ₀| detected with the requested power. */
  minimumDetectableEffect: number;
}

function checkOpen(value: number, name: string): void {
  if (!(value > 0 && value < 1)) throw new RangeError(`${name} must be between 0 and 1 (exclusive), got ${value}`);
}

/** Checks the design once and fills in defaults (the edge of every calculation here). */
export function resolveMeanDesign(design: MeanTestDesign): ResolvedMeanDesign {
  const { alpha = 0.05, ratio = 1, sides = 2, nullDifference = 0, cupedCorrelation = 0 } = design;
  checkOpen(alpha, 'alpha');
  if (!(ratio > 0 && Number.isFinite(ratio))) throw new RangeError(`ratio must be a positive number, got ${ratio}`);
  if (sides !== 1 && sides !== 2) throw new RangeError(`sides must be 1 or 2, got ${String(sides)}`);
  if (!Number.isFinite(nullDifference)) throw new RangeError(`nullDifference must be a finite number, got ${nullDifference}`);
  if (!(cupedCorrelation > -1 && cupedCorrelation < 1)) {
    throw new RangeError(`cupedCorrelation must be between -1 and 1 (exclusive), got ${cupedCorrelation}`);
  }
  const { standardDeviation, controlVariance, candidateVariance } = design;
  let first: number;
  let second: number;
  if (standardDeviation !== undefined) {
    if (controlVariance !== undefined || candidateVariance !== undefined) {
      throw new RangeError('give either standardDeviation or controlVariance/candidateVariance, not both');
    }
    if (!(standardDeviation > 0 && Number.isFinite(standardDeviation))) {
      throw new RangeError(`standardDeviation must be a positive number, got ${standardDeviation}`);
    }
    first = second = standardDeviation * standardDeviation;
  } else {
    if (controlVariance === undefined) throw new RangeError('standardDeviation (or controlVariance) is required');
    first = controlVariance;
    second = candidateVariance ?? controlVariance;
    if (!(first > 0 && Number.isFinite(first))) throw new RangeError(`controlVariance must be a positive number, got ${first}`);
    if (!(second > 0 && Number.isFinite(second))) throw new RangeError(`candidateVariance must be a positive number, got ${second}`);
  }
  const varianceFactor = 1 - cupedCorrelation * cupedCorrelation;
  return {
    alpha,
    ratio,
    sides,
    nullDifference,
    controlVariance: first,
    candidateVariance: second,
    varianceFactor,
    standardDeviationOfDifference: Math.sqrt((first + second / ratio) * varianceFactor),
  };
}

/** Power at standardised shift s = √n₁·|Δ − Δ₀|/σ_d (both tails when two-sided). */
function powerAtShift(shift: number, design: ResolvedMeanDesign): number {
  const critical = normalQuantile(1 - design.alpha / design.sides);
  const near = normalCdf(shift - critical);
  return design.sides === 2 ? near + normalCdf(-shift - critical) : near;
}

/** The shift s with powerAtShift(s) = power: closed form one-sided, bisection on the two-tail sum. */
function shiftForPower(power: number, design: ResolvedMeanDesign): number {
  const oneTail = normalQuantile(1 - design.alpha / design.sides) + normalQuantile(power);
  if (!(oneTail > 0)) throw new RangeError(`power must be greater than alpha/sides (${design.alpha / design.sides}), got ${power}`);
  if (design.sides === 1) return oneTail;
  // The far tail only adds power, so the two-tail root lies in (0, oneTail].
  let low = 0;
  let high = oneTail;
  for (let i = 0; i < 200 && high - low > 1e-15 * high; i++) {
    const middle = 0.5 * (low + high);
    if (powerAtShift(middle, design) < power) low = middle;
    else high = middle;
  }
  return 0.5 * (low + high);
}

function checkDifference(difference: number, nullDifference: number): void {
  if (!Number.isFinite(difference)) throw new RangeError(`difference must be a finite number, got ${difference}`);
  if (difference === nullDifference) {
    throw new RangeError(`difference must differ from the null difference, both are ${difference}`);
  }
}

/**
 * Units per arm needed to detect Δ (against Δ₀) with probability `power`: n₁ = (s·σ_d/|Δ − Δ₀|)²
 * where s solves the power equation (s = c + z_power one-sided; the two-tail root two-sided, as
 * statsmodels `NormalIndPower().solve_power`). O(1).
 */
export function meanSampleSize(options: MeanSampleSizeOptions): MeanSampleSizeResult {
  const design = resolveMeanDesign(options);
  const { difference } = options;
  const power = options.power ?? 0.8;
  checkDifference(difference, design.nullDifference);
  checkOpen(power, 'power');
  const shift = shiftForPower(power, design);
  const exact = ((shift * design.standardDeviationOfDifference) / (difference - design.nullDifference)) ** 2;
  const nPerArm = Math.ceil(exact);
  const nSecondArm = Math.ceil(design.ratio * exact);
  return { ...design, difference, power, nPerArmExact: exact, nPerArm, nSecondArm, nTotal: nPerArm + nSecondArm };
}

/** Probability of detecting Δ with n₁ = `nPerArm` (formulas in the module comment). O(1). */
export function meanPower(options: MeanPowerOptions): MeanPowerResult {
  const design = resolveMeanDesign(options);
  const { difference, nPerArm } = options;
  checkDifference(difference, design.nullDifference);
  if (!(nPerArm > 0 && Number.isFinite(nPerArm))) throw new RangeError(`nPerArm must be a positive number, got ${nPerArm}`);
  const shift = (Math.sqrt(nPerArm) * Math.abs(difference - design.nullDifference)) / design.standardDeviationOfDifference;
  return { ...design, difference, nPerArm, power: powerAtShift(shift, design) };
}

/** The smallest |Δ − Δ₀| that n₁ = `nPerArm` units detect with `power`: s·σ_d/√n₁. O(1). */
export function meanMinimumDetectableEffect(options: MeanMinimumDetectableEffectOptions): MeanMinimumDetectableEffectResult {
  const design = resolveMeanDesign(options);
  const { nPerArm } = options;
  const power = options.power ?? 0.8;
  checkOpen(power, 'power');
  if (!(nPerArm > 0 && Number.isFinite(nPerArm))) throw new RangeError(`nPerArm must be a positive number, got ${nPerArm}`);
  const minimumDetectableEffect = (shiftForPower(power, design) * design.standardDeviationOfDifference) / Math.sqrt(nPerArm);
  return { ...design, nPerArm, power, minimumDetectableEffect };
}
