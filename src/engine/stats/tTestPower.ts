/**
 * Power and sample size of the two-sample t-test for a difference in means whose variances are
 * *estimated* from the test's own data (the usual case): the z-based `meanSampleSize` assumes
 * them known and so slightly under-sizes small tests.
 *
 * With n₁ units in control, n₂ = r·n₁ in the candidate, σ_d² = (σ₁² + σ₂²/r)·(1 − ρ²) as in
 * `meanSampleSize`, the t statistic follows a noncentral t law with noncentrality
 * δ = √n₁·|Δ − Δ₀|/σ_d and ν degrees of freedom, so with c = t_{ν}⁻¹(1 − α/sides):
 *
 *   one-sided power  P(T > c),   two-sided power  P(T > c) + P(T < −c)   (both tails, as statsmodels).
 *
 * ν: equal variances → the pooled test's n₁ + n₂ − 2 — exactly statsmodels `TTestIndPower` on the
 * standardised effect d = (Δ − Δ₀)/σ (its `ttest_power` with df = n₁ + n₂ − 2 and
 * nobs = n₁n₂/(n₁ + n₂)); unequal variances → Welch–Satterthwaite's
 * ν = (v₁/n₁ + v₂/n₂)² / ((v₁/n₁)²/(n₁ − 1) + (v₂/n₂)²/(n₂ − 1)), the test the engine runs
 * (`welchTTest`). With CUPED the variances are multiplied by 1 − ρ² and ν is left unchanged (the
 * adjustment estimates one coefficient, a loss of one degree of freedom that is negligible at
 * experiment sizes). The sample size is the smallest real n₁ whose power reaches the target, found
 * by bisection (the power increases with n₁), as `TTestIndPower().solve_power` solves for a real nobs1.
 */
import type {
  MeanPowerOptions,
  MeanPowerResult,
  MeanSampleSizeOptions,
  MeanSampleSizeResult,
  MeanTestDesign,
  ResolvedMeanDesign,
} from './meanSampleSize.ts';
import { meanSampleSize, resolveMeanDesign } from './meanSampleSize.ts';
import { noncentralTCdf, noncentralTSf } from './noncentralT.ts';
import { studentTQuantile } from './welch.ts';

/** How the degrees of freedom were counted. */
export type TTestDegreesOfFreedom = 'pooled' | 'welch';

/** `meanPower`'s result, by the t-test, with its degrees of freedom. */
export interface TTestPowerResult extends MeanPowerResult {
  degreesOfFreedom: number;
  degreesOfFreedomMethod: TTestDegreesOfFreedom;
}

/** `meanSampleSize`'s result, by the t-test, with the degrees of freedom at the unrounded n₁. */
export interface TTestSampleSizeResult extends MeanSampleSizeResult {
  degreesOfFreedom: number;
  degreesOfFreedomMethod: TTestDegreesOfFreedom;
}

function methodOf(design: ResolvedMeanDesign): TTestDegreesOfFreedom {
  return design.controlVariance === design.candidateVariance ? 'pooled' : 'welch';
}

/** ν at n₁ (module comment). */
function degreesOfFreedomAt(nFirst: number, design: ResolvedMeanDesign): number {
  const nSecond = design.ratio * nFirst;
  if (methodOf(design) === 'pooled') return nFirst + nSecond - 2;
  const first = (design.controlVariance * design.varianceFactor) / nFirst;
  const second = (design.candidateVariance * design.varianceFactor) / nSecond;
  return (first + second) ** 2 / (first ** 2 / (nFirst - 1) + second ** 2 / (nSecond - 1));
}

/** The smallest n₁ for which ν > 0: both arms above one unit (Welch), or n₁ + n₂ above two (pooled). */
export function tTestSmallestFirstArm(settings: MeanTestDesign): number {
  return smallestFirstArm(resolveMeanDesign(settings));
}

function smallestFirstArm(design: ResolvedMeanDesign): number {
  return methodOf(design) === 'pooled' ? 2 / (1 + design.ratio) : Math.max(1, 1 / design.ratio);
}

function powerAt(nFirst: number, effect: number, design: ResolvedMeanDesign): number {
  const degreesOfFreedom = degreesOfFreedomAt(nFirst, design);
  const noncentrality = (Math.sqrt(nFirst) * effect) / design.standardDeviationOfDifference;
  const critical = studentTQuantile(1 - design.alpha / design.sides, degreesOfFreedom);
  const upper = noncentralTSf(critical, degreesOfFreedom, noncentrality);
  return design.sides === 2 ? upper + noncentralTCdf(-critical, degreesOfFreedom, noncentrality) : upper;
}

function checkDifference(difference: number, nullDifference: number): number {
  if (!Number.isFinite(difference)) throw new RangeError(`difference must be a finite number, got ${difference}`);
  if (difference === nullDifference) throw new RangeError(`difference must differ from the null difference, both are ${difference}`);
  return Math.abs(difference - nullDifference);
}

/**
 * Probability that the t-test detects Δ (against Δ₀) with n₁ = `nPerArm` units in control
 * (formulas in the module comment). `nPerArm` must leave ν > 0. O(√δ² + 30) incomplete-beta calls.
 */
export function tTestPower(options: MeanPowerOptions): TTestPowerResult {
  const design = resolveMeanDesign(options);
  const effect = checkDifference(options.difference, design.nullDifference);
  const { nPerArm } = options;
  const smallest = smallestFirstArm(design);
  if (!(nPerArm > smallest && Number.isFinite(nPerArm))) {
    throw new RangeError(`nPerArm must be a number above ${smallest} (the t-test needs a positive degrees of freedom), got ${nPerArm}`);
  }
  return {
    ...design,
    difference: options.difference,
    nPerArm,
    power: powerAt(nPerArm, effect, design),
    degreesOfFreedom: degreesOfFreedomAt(nPerArm, design),
    degreesOfFreedomMethod: methodOf(design),
  };
}

/**
 * Units per arm for the t-test to detect Δ with probability `power`: bisection on n₁ between the
 * z-based size (the t-test never needs fewer) and a doubling upper bound, to a relative 1e-12.
 * About 60 power evaluations.
 */
export function tTestSampleSize(options: MeanSampleSizeOptions): TTestSampleSizeResult {
  // The z-based size checks every input and is the lower end of the bracket.
  const normal = meanSampleSize(options);
  const design = resolveMeanDesign(options);
  const effect = checkDifference(options.difference, design.nullDifference);
  const power = normal.power;
  const smallest = smallestFirstArm(design);
  let low = Math.max(normal.nPerArmExact, smallest * (1 + 1e-9));
  let high = Math.max(2 * low, smallest + 2);
  for (let i = 0; i < 200 && powerAt(high, effect, design) < power; i++) {
    low = high;
    high *= 2;
  }
  if (powerAt(low, effect, design) >= power) high = low;
  for (let i = 0; i < 200 && high - low > 1e-12 * high; i++) {
    const middle = 0.5 * (low + high);
    if (powerAt(middle, effect, design) < power) low = middle;
    else high = middle;
  }
  const exact = high;
  const nPerArm = Math.ceil(exact);
  const nSecondArm = Math.ceil(design.ratio * exact);
  return {
    ...design,
    difference: options.difference,
    power,
    nPerArmExact: exact,
    nPerArm,
    nSecondArm,
    nTotal: nPerArm + nSecondArm,
    degreesOfFreedom: degreesOfFreedomAt(exact, design),
    degreesOfFreedomMethod: methodOf(design),
  };
}
