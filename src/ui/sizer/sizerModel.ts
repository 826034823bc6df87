/**
 * The A/B test sizer's numbers, as plain functions of its inputs (no DOM): the sample size per
 * arm and the days needed by both of the engine's methods, power curves against the effect and
 * against the duration, and the sample-ratio-mismatch check (the exact cost of peeking is
 * `src/engine/stats/peekingCost.ts`).
 */
import { type SampleRatioMismatchResult, sampleRatioMismatch } from '../../engine/stats/sampleRatioMismatch.ts';
import { powerForSampleSize, requiredSampleSize, type SampleSizeMethod, type TestSides } from '../../engine/stats/sampleSize.ts';

/** What the user tells the sizer. */
export interface SizerInputs {
  /** Success rate of the control, in (0, 1). */
  baseline: number;
  /** The smallest change worth detecting: in rate points (absolute) or as a fraction of the baseline (relative). */
  effect: number;
  effectKind: 'absolute' | 'relative';
  alpha: number;
  power: number;
  sides: TestSides;
  /** Share of the test's traffic sent to the candidate, in (0, 1). */
  split: number;
  /** Users entering the test per day, both arms together. */
  trafficPerDay: number;
}

/** One method's answer. */
export interface MethodSizing {
  method: SampleSizeMethod;
  /** Where the formula comes from, in words. */
  label: string;
  nControl: number;
  nCandidate: number;
  nTotal: number;
  /** Whole days until both arms have their sample, at the given traffic and split. */
  days: number;
}

/** The sizer's answer for valid inputs. */
export interface Sizing {
  target: number;
  absoluteEffect: number;
  relativeEffect: number;
  /** nCandidate / nControl = split / (1 − split). */
  ratio: number;
  methods: [MethodSizing, MethodSizing];
}

/** A result, or the message explaining which input is wrong. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** Human names of the two methods, with the reference implementation each matches. */
export const methodLabels: Record<SampleSizeMethod, string> = {
  pooled: 'Pooled variance (R power.prop.test)',
  arcsine: "Arcsine, Cohen's h (statsmodels NormalIndPower)",
};

/** Runs `compute`, turning a thrown `RangeError` into a message for the page. */
export function checked<T>(compute: () => T): Checked<T> {
  try {
    return { ok: true, value: compute() };
  } catch (error) {
    if (error instanceof RangeError) return { ok: false, message: error.message };
    throw error;
  }
}

function checkSizerInputs(inputs: SizerInputs): void {
  if (!(inputs.split > 0 && inputs.split < 1)) {
    throw new RangeError(`split (share of traffic to the candidate) must be between 0 and 1 (exclusive), got ${inputs.split}`);
  }
  if (!(inputs.trafficPerDay > 0 && Number.isFinite(inputs.trafficPerDay))) {
    throw new RangeError(`traffic per day must be a positive number, got ${inputs.trafficPerDay}`);
  }
  if (!Number.isFinite(inputs.effect) || inputs.effect === 0) {
    throw new RangeError(`minimum detectable effect must be a non-zero number, got ${inputs.effect}`);
  }
}

function effectOption(inputs: SizerInputs): { target: number } | { lift: number } {
  return inputs.effectKind === 'relative' ? { lift: inputs.effect } : { target: inputs.baseline + inputs.effect };
}

/** Days until an arm with `share` of `trafficPerDay` has `n` users. */
function daysFor(n: number, share: number, trafficPerDay: number): number {
  return n / (share * trafficPerDay);
}

/**
 * Sample size per arm by both methods (`requiredSampleSize`, arcsine and pooled, with
 * ratio = split/(1 − split): the candidate arm is the second arm), and the days needed:
 * ⌈max(n_control / ((1 − split)·traffic), n_candidate / (split·traffic))⌉. Throws a
 * `RangeError` naming the input when one is out of range.
 */
export function sizeABTest(inputs: SizerInputs): Sizing {
  checkSizerInputs(inputs);
  const ratio = inputs.split / (1 - inputs.split);
  const design = (method: SampleSizeMethod) =>
    requiredSampleSize({
      baseline: inputs.baseline,
      ...effectOption(inputs),
      alpha: inputs.alpha,
      power: inputs.power,
      sides: inputs.sides,
      ratio,
      method,
    });
  const size = (method: SampleSizeMethod): MethodSizing => {
    const result = design(method);
    const days = Math.max(
      daysFor(result.nPerArm, 1 - inputs.split, inputs.trafficPerDay),
      daysFor(result.nSecondArm, inputs.split, inputs.trafficPerDay),
    );
    return {
      method,
      label: methodLabels[method],
      nControl: result.nPerArm,
      nCandidate: result.nSecondArm,
      nTotal: result.nTotal,
      // Tolerance: n / (share · traffic) can land a rounding error above a whole day.
      days: Math.ceil(days - 1e-9),
    };
  };
  const { target, absoluteEffect, relativeEffect } = design('pooled');
  return { target, absoluteEffect, relativeEffect, ratio, methods: [size('pooled'), size('arcsine')] };
}

/** One point of a power curve. */
export interface PowerPoint {
  /** The series: a sample-size method's label, or a metric's name in the experiment design. */
  method: string;
  /** Absolute effect (target − baseline) for curves against the effect; days for curves against the duration. */
  x: number;
  power: number;
}

/**
 * Power against the true effect at the planned sample size of each method (its own n per
 * arm), for absolute effects from 1/20 of the planned effect to twice it, in `points` steps
 * (effects that would put the target outside [0, 1] are left out). `powerForSampleSize`, O(points).
 */
export function powerAgainstEffect(inputs: SizerInputs, sizing: Sizing, points = 40): PowerPoint[] {
  const curve: PowerPoint[] = [];
  for (const method of sizing.methods) {
    for (let k = 1; k <= points; k++) {
      const effect = (sizing.absoluteEffect * 2 * k) / points;
      const target = inputs.baseline + effect;
      if (!(target >= 0 && target <= 1)) continue;
      const { power } = powerForSampleSize({
        baseline: inputs.baseline,
        target,
        nPerArm: method.nControl,
        alpha: inputs.alpha,
        sides: inputs.sides,
        ratio: sizing.ratio,
        method: method.method,
      });
      curve.push({ method: method.label, x: effect, power });
    }
  }
  return curve;
}

/**
 * Power against the test's duration, at the planned effect: after d days the control arm has
 * (1 − split)·traffic·d users. Days from 1 to twice the longer method's need (at least 14),
 * at most `points` steps. `powerForSampleSize`, O(points).
 */
export function powerAgainstDuration(inputs: SizerInputs, sizing: Sizing, points = 60): PowerPoint[] {
  const longest = Math.max(14, 2 * Math.max(...sizing.methods.map((m) => m.days)));
  const step = Math.max(1, Math.ceil(longest / points));
  const curve: PowerPoint[] = [];
  for (const method of sizing.methods) {
    for (let day = step; day <= longest; day += step) {
      const { power } = powerForSampleSize({
        baseline: inputs.baseline,
        target: sizing.target,
        nPerArm: (1 - inputs.split) * inputs.trafficPerDay * day,
        alpha: inputs.alpha,
        sides: inputs.sides,
        ratio: sizing.ratio,
        method: method.method,
      });
      curve.push({ method: method.label, x: day, power });
    }
  }
  return curve;
}

/** The SRM check of the users actually observed in each arm against the planned split. */
export function checkSampleRatio(controlUsers: number, candidateUsers: number, split: number): SampleRatioMismatchResult {
  if (!(split > 0 && split < 1)) throw new RangeError(`split must be between 0 and 1 (exclusive), got ${split}`);
  return sampleRatioMismatch([controlUsers, candidateUsers], { weights: [1 - split, split] });
}
