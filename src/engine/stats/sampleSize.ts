/**
 * Sample size, power and minimum detectable effect for comparing two proportions, by two
 * methods that every result names in its `method` field:
 *
 * - `'arcsine'` — Cohen's h on the arcsine scale, exactly as statsmodels
 *   `NormalIndPower().power/solve_power(effect_size=proportion_effectsize(target, baseline),
 *   nobs1, alpha, ratio, alternative)`; its two-sided power counts both rejection tails.
 * - `'pooled'` — the z-test with the pooled variance under H0 and the unpooled variance under
 *   H1, exactly as R `power.prop.test(p1, p2, sig.level, power, alternative)` (default
 *   `strict = FALSE`: a two-sided test's far tail is ignored), generalised to unequal arms.
 *
 * Arms: the first arm (control) has rate `baseline` and n1 units; the second (candidate) has
 * rate `target` and n2 = ratio · n1 units (statsmodels' convention for `ratio`). A one-sided
 * test is taken in the direction of the effect (target above or below baseline).
 */
import { normalCdf, normalQuantile, normalSf } from './distributions.ts';

/** Which sample-size formula produced a number. */
export type SampleSizeMethod = 'arcsine' | 'pooled';

/** 1 for a one-sided test (in the direction of the effect), 2 for two-sided. */
export type TestSides = 1 | 2;

/** The two rates to tell apart: the target rate directly, or a lift relative to the baseline. */
export interface ProportionEffect {
  /** Rate of the first arm (control), between 0 and 1. */
  baseline: number;
  /** Rate of the second arm under the alternative. Give this or `lift`, not both. */
  target?: number;
  /** Relative change of the rate: target = baseline · (1 + lift), e.g. 0.1 for +10 %. */
  lift?: number;
}

/** Test settings shared by every calculation. */
export interface TestDesign {
  /** Significance level (type I error), default 0.05. */
  alpha?: number;
  /** n2 / n1, the size of the second arm relative to the first, default 1. */
  ratio?: number;
  /** One- or two-sided test, default 2. */
  sides?: TestSides;
  /** Sample-size formula, default `'pooled'` (R `power.prop.test`). */
  method?: SampleSizeMethod;
}

/** Inputs of `requiredSampleSize`. */
export interface SampleSizeOptions extends ProportionEffect, TestDesign {
  /** Probability of detecting the effect when it is real, default 0.8. */
  power?: number;
}

/** The settings a result was computed with, all defaults filled in. */
export interface ResolvedDesign {
  method: SampleSizeMethod;
  baseline: number;
  target: number;
  /** target − baseline. */
  absoluteEffect: number;
  /** (target − baseline) / baseline; Infinity when baseline is 0. */
  relativeEffect: number;
  alpha: number;
  power: number;
  ratio: number;
  sides: TestSides;
}

/** Result of `requiredSampleSize`. */
export interface SampleSizeResult extends ResolvedDesign {
  /** The unrounded solution n1 for the first arm. */
  nPerArmExact: number;
  /** ⌈n1⌉, units needed in the first arm. */
  nPerArm: number;
  /** ⌈ratio · n1⌉ (from the unrounded n1), units needed in the second arm. */
  nSecondArm: number;
  /** nPerArm + nSecondArm. */
  nTotal: number;
}

/** Inputs of `powerForSampleSize`. */
export interface PowerOptions extends ProportionEffect, TestDesign {
  /** Units in the first arm (may be fractional); the second arm has ratio times as many. */
  nPerArm: number;
}

/** Result of `powerForSampleSize`. */
export interface PowerResult extends ResolvedDesign {
  nPerArm: number;
}

/** Inputs of `minimumDetectableEffect`. */
export interface MinimumDetectableEffectOptions extends TestDesign {
  baseline: number;
  /** Units in the first arm; the second arm has ratio times as many. */
  nPerArm: number;
  /** Power at which the effect must be detected, default 0.8. */
  power?: number;
  /** Look for a target above (default) or below the baseline. */
  direction?: 'increase' | 'decrease';
}

/** Result of `minimumDetectableEffect`: the closest target detected with the requested power. */
export interface MinimumDetectableEffectResult extends ResolvedDesign {
  nPerArm: number;
  direction: 'increase' | 'decrease';
}

const ROOT_TOLERANCE = 1e-12;

function checkOpenProbability(value: number, name: string): void {
  if (!(value > 0 && value < 1)) throw new RangeError(`${name} must be between 0 and 1 (exclusive), got ${value}`);
}

function checkRate(value: number, name: string): void {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be between 0 and 1, got ${value}`);
}

interface CheckedDesign {
  method: SampleSizeMethod;
  alpha: number;
  ratio: number;
  sides: TestSides;
}

function resolveDesign(options: TestDesign): CheckedDesign {
  const { alpha = 0.05, ratio = 1, sides = 2, method = 'pooled' } = options;
  checkOpenProbability(alpha, 'alpha');
  if (!(ratio > 0 && Number.isFinite(ratio))) throw new RangeError(`ratio must be a positive number, got ${ratio}`);
  if (sides !== 1 && sides !== 2) throw new RangeError(`sides must be 1 or 2, got ${String(sides)}`);
  if (method !== 'arcsine' && method !== 'pooled') {
    throw new RangeError(`method must be 'arcsine' or 'pooled', got '${String(method)}'`);
  }
  return { method, alpha, ratio, sides };
}

function resolveTarget(effect: ProportionEffect): { baseline: number; target: number } {
  const { baseline, target, lift } = effect;
  checkRate(baseline, 'baseline');
  if (target !== undefined && lift !== undefined) throw new RangeError('give either target or lift, not both');
  let resolved: number;
  if (target !== undefined) {
    checkRate(target, 'target');
    resolved = target;
  } else if (lift !== undefined) {
    if (!Number.isFinite(lift)) throw new RangeError(`lift must be a number, got ${lift}`);
    resolved = baseline * (1 + lift);
    if (!(resolved >= 0 && resolved <= 1)) {
      throw new RangeError(`lift must keep the target rate between 0 and 1, got baseline·(1 + lift) = ${resolved}`);
    }
  } else {
    throw new RangeError('target (or lift) is required');
  }
  if (resolved === baseline) throw new RangeError(`target must differ from baseline, both are ${baseline}`);
  return { baseline, target: resolved };
}

function summarise(design: CheckedDesign, baseline: number, target: number, power: number): ResolvedDesign {
  return {
    method: design.method,
    baseline,
    target,
    absoluteEffect: target - baseline,
    relativeEffect: (target - baseline) / baseline,
    alpha: design.alpha,
    power,
    ratio: design.ratio,
    sides: design.sides,
  };
}

/** Cohen's h = 2·asin√target − 2·asin√baseline (statsmodels `proportion_effectsize(target, baseline)`). */
export function cohensH(baseline: number, target: number): number {
  return 2 * Math.asin(Math.sqrt(target)) - 2 * Math.asin(Math.sqrt(baseline));
}

/**
 * Power of the arcsine test, as statsmodels `NormalIndPower().power`: with the effective size
 * m = n1·n2/(n1 + n2) and c = Φ⁻¹(1 − α/sides),
 * two-sided 1 − Φ(c − |h|√m) + Φ(−c − |h|√m), one-sided 1 − Φ(c − |h|√m).
 */
function arcsinePower(baseline: number, target: number, n1: number, design: CheckedDesign): number {
  const effective = (n1 * design.ratio) / (1 + design.ratio);
  const shift = Math.abs(cohensH(baseline, target)) * Math.sqrt(effective);
  const critical = normalQuantile(1 - design.alpha / design.sides);
  const nearTail = normalSf(critical - shift);
  return design.sides === 2 ? nearTail + normalCdf(-critical - shift) : nearTail;
}

/**
 * Standard deviations of the difference of the rates times √n1, under H0 (pooled rate
 * p̄ = (p1 + r·p2)/(1 + r)) and under H1 — as statsmodels `_std_2prop_power`.
 */
function pooledDeviations(baseline: number, target: number, ratio: number): { null: number; alternative: number } {
  const pooled = (baseline + ratio * target) / (1 + ratio);
  return {
    null: Math.sqrt(pooled * (1 - pooled) * (1 + 1 / ratio)),
    alternative: Math.sqrt(baseline * (1 - baseline) + (target * (1 - target)) / ratio),
  };
}

/**
 * Power of the pooled-variance test, generalising R `power.prop.test` (strict = FALSE) to
 * n2 = r·n1 as statsmodels `power_proportions_2indep` does for one tail: with c = Φ⁻¹(1 − α/sides),
 *
 *   power = Φ((√n1·|p2 − p1| − c·√(p̄(1 − p̄)(1 + 1/r))) / √(p1(1 − p1) + p2(1 − p2)/r)).
 *
 * With r = 1 this is R's formula term for term (√((p1 + p2)(1 − (p1 + p2)/2)) = √(2p̄(1 − p̄))).
 */
function pooledPower(baseline: number, target: number, n1: number, design: CheckedDesign): number {
  const deviation = pooledDeviations(baseline, target, design.ratio);
  const critical = normalQuantile(1 - design.alpha / design.sides);
  const numerator = Math.sqrt(n1) * Math.abs(target - baseline) - critical * deviation.null;
  // Both arms all-or-nothing (baseline 0, target 1 or the reverse): no noise under H1.
  if (deviation.alternative === 0) return numerator > 0 ? 1 : numerator === 0 ? 0.5 : 0;
  return normalCdf(numerator / deviation.alternative);
}

function powerOf(baseline: number, target: number, n1: number, design: CheckedDesign): number {
  return design.method === 'arcsine' ? arcsinePower(baseline, target, n1, design) : pooledPower(baseline, target, n1, design);
}

/**
 * Root of an increasing function on [low, high] with f(low) < 0 ≤ f(high), by bisection to an
 * interval width of `ROOT_TOLERANCE`·max(1, |x|). Bisection is enough: the functions here are
 * monotone and cost nanoseconds; at most ~1100 halvings for any double-precision bracket.
 */
function increasingRoot(f: (x: number) => number, low: number, high: number): number {
  for (let iteration = 0; iteration < 2000; iteration++) {
    const middle = 0.5 * (low + high);
    if (high - low <= ROOT_TOLERANCE * Math.max(1, Math.abs(middle)) || middle === low || middle === high) break;
    if (f(middle) < 0) low = middle;
    else high = middle;
  }
  return 0.5 * (low + high);
}

/**
 * Units per arm needed to detect `baseline → target` with probability `power` at level `alpha`.
 *
 * - pooled (R `power.prop.test`, generalised to n2 = r·n1; matches statsmodels
 *   `samplesize_proportions_2indep_onetail(diff = baseline − target, prop2 = target, power,
 *   ratio, alpha, alternative)`), closed form with c = Φ⁻¹(1 − α/sides), z_β = Φ⁻¹(power):
 *     n1 = ((c·√(p̄(1 − p̄)(1 + 1/r)) + z_β·√(p1(1 − p1) + p2(1 − p2)/r)) / (p2 − p1))²,
 *     p̄ = (p1 + r·p2)/(1 + r).
 * - arcsine (statsmodels `NormalIndPower().solve_power`): one-sided m = ((c + z_β)/h)²; two-sided,
 *   the root of the two-tail power (just below the one-tail value), then n1 = m·(1 + r)/r.
 *
 * Returns the unrounded n1, ⌈n1⌉, ⌈r·n1⌉ and their sum. Cost O(1) (≈ 100 bisection steps for
 * the two-sided arcsine case).
 */
export function requiredSampleSize(options: SampleSizeOptions): SampleSizeResult {
  const design = resolveDesign(options);
  const { baseline, target } = resolveTarget(options);
  const power = options.power ?? 0.8;
  checkOpenProbability(power, 'power');
  if (!(power > design.alpha)) throw new RangeError(`power must be greater than alpha (${design.alpha}), got ${power}`);
  const critical = normalQuantile(1 - design.alpha / design.sides);
  const powerQuantile = normalQuantile(power);
  let exact: number;
  if (design.method === 'pooled') {
    const deviation = pooledDeviations(baseline, target, design.ratio);
    const numerator = critical * deviation.null + powerQuantile * deviation.alternative;
    if (!(numerator > 0)) {
      throw new RangeError(`power ${power} is reached with any sample size: ask for a higher power`);
    }
    exact = (numerator / (target - baseline)) ** 2;
  } else {
    const h = Math.abs(cohensH(baseline, target));
    const oneTail = ((critical + powerQuantile) / h) ** 2;
    let effective = oneTail;
    if (design.sides === 2) {
      // The far tail only adds power, so the two-tail root lies in (0, oneTail].
      const twoTailPower = (m: number): number => normalSf(critical - h * Math.sqrt(m)) + normalCdf(-critical - h * Math.sqrt(m)) - power;
      effective = increasingRoot(twoTailPower, 0, oneTail);
    }
    exact = (effective * (1 + design.ratio)) / design.ratio;
  }
  const nPerArm = Math.ceil(exact);
  const nSecondArm = Math.ceil(design.ratio * exact);
  return {
    ...summarise(design, baseline, target, power),
    nPerArmExact: exact,
    nPerArm,
    nSecondArm,
    nTotal: nPerArm + nSecondArm,
  };
}

/**
 * Probability of detecting `baseline → target` with `nPerArm` units in the first arm and
 * ratio·nPerArm in the second, by the formulas documented on `requiredSampleSize` (arcsine:
 * statsmodels `NormalIndPower().power`; pooled: R `power.prop.test(n, p1, p2)`). Cost O(1).
 */
export function powerForSampleSize(options: PowerOptions): PowerResult {
  const design = resolveDesign(options);
  const { baseline, target } = resolveTarget(options);
  const { nPerArm } = options;
  if (!(nPerArm > 0 && Number.isFinite(nPerArm))) throw new RangeError(`nPerArm must be a positive number, got ${nPerArm}`);
  return { ...summarise(design, baseline, target, powerOf(baseline, target, nPerArm, design)), nPerArm };
}

/**
 * The target rate closest to `baseline` (above it for `'increase'`, below for `'decrease'`)
 * that `nPerArm` units per first arm detect with probability `power` — R
 * `power.prop.test(n, p1, power)` solving for p2 (pooled), or statsmodels
 * `NormalIndPower().solve_power(effect_size=None, …)` mapped back from h to a rate (arcsine).
 * Bisection on the target rate to 1e-12. Throws a `RangeError` when even a target of 1 (or 0)
 * is not detected with that power. Cost O(1) (≈ 40 power evaluations).
 */
export function minimumDetectableEffect(options: MinimumDetectableEffectOptions): MinimumDetectableEffectResult {
  const design = resolveDesign(options);
  const { baseline, nPerArm, direction = 'increase' } = options;
  const power = options.power ?? 0.8;
  checkRate(baseline, 'baseline');
  checkOpenProbability(power, 'power');
  if (!(power > design.alpha)) throw new RangeError(`power must be greater than alpha (${design.alpha}), got ${power}`);
  if (!(nPerArm > 0 && Number.isFinite(nPerArm))) throw new RangeError(`nPerArm must be a positive number, got ${nPerArm}`);
  if (direction !== 'increase' && direction !== 'decrease') {
    throw new RangeError(`direction must be 'increase' or 'decrease', got '${String(direction)}'`);
  }
  const extreme = direction === 'increase' ? 1 : 0;
  if (baseline === extreme) throw new RangeError(`baseline ${baseline} leaves no room for an ${direction}`);
  if (powerOf(baseline, extreme, nPerArm, design) < power) {
    throw new RangeError(`nPerArm ${nPerArm} is too small: even a target rate of ${extreme} is detected with less than power ${power}`);
  }
  // Distance from the baseline as the unknown, so that the function increases in both directions.
  const span = Math.abs(extreme - baseline);
  const shortfall = (distance: number): number => {
    const target = direction === 'increase' ? baseline + distance : baseline - distance;
    return powerOf(baseline, target, nPerArm, design) - power;
  };
  const distance = increasingRoot(shortfall, 0, span);
  const target = direction === 'increase' ? baseline + distance : baseline - distance;
  return { ...summarise(design, baseline, target, power), nPerArm, direction };
}
