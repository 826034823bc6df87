/**
 * The decision of a fixed-horizon A/B test on a success rate: who wins, practically equal, or
 * not enough data yet — with the numbers behind it and a plain-language recommendation.
 */

import { formatPercent } from '../text/format.ts';
import { normalQuantile } from './distributions.ts';
import type { ProportionCounts } from './proportions.ts';
import { checkProportionCounts, twoProportionZTest } from './proportions.ts';
import { requiredSampleSize } from './sampleSize.ts';
import type { Interval } from './wilson.ts';
import { newcombeInterval, wilsonInterval } from './wilson.ts';

/** Outcome of `decideAB`. */
export type ABDecision = 'A_WINS' | 'B_WINS' | 'TIE' | 'INCONCLUSIVE';

/** Inputs of `decideAB`. */
export interface ABTestInput {
  /** Successes/total of arm A (control). */
  a: ProportionCounts;
  /** Successes/total of arm B (candidate). */
  b: ProportionCounts;
  /** Significance level of the two-sided test; the intervals have confidence 1 − alpha. Default 0.05. */
  alpha?: number;
  /** Power at which the minimum effect should be detectable (for the planned sample). Default 0.8. */
  power?: number;
  /** Smallest absolute difference of rates that matters, e.g. 0.02 for 2 percentage points. */
  minimumEffect: number;
}

/** Everything `decideAB` found, with the numbers that caused the decision. */
export interface ABTestResult {
  decision: ABDecision;
  /** Two-sided pooled z-test p-value. */
  pValue: number;
  /** z for rateB − rateA (statsmodels `proportions_ztest([xB, xA], [nB, nA])`); positive when B is higher. */
  z: number;
  rateA: number;
  rateB: number;
  /** rateB − rateA. */
  effect: number;
  /** Newcombe hybrid score interval for rateB − rateA at confidence 1 − alpha. */
  effectInterval: Interval;
  /** Wilson interval for rateA. */
  intervalA: Interval;
  /** Wilson interval for rateB. */
  intervalB: Interval;
  /** Units per arm to detect `minimumEffect` from A's rate (two-sided, pooled method, ratio 1). */
  requiredSampleSizePerArm: number;
  /** Both arms have at least `requiredSampleSizePerArm` units. */
  sampleSizeReached: boolean;
  /** Estimated extra units per arm for a conclusive answer; 0 when decided, null when no estimate. */
  additionalSamplesPerArm: number | null;
  alpha: number;
  power: number;
  minimumEffect: number;
  /** What to do next, in plain language with the numbers. */
  recommendation: string;
}

function checkOpenProbability(value: number, name: string): void {
  if (!(value > 0 && value < 1)) throw new RangeError(`${name} must be between 0 and 1 (exclusive), got ${value}`);
}

const points = (difference: number): string =>
  `${difference > 0 ? '+' : difference < 0 ? '−' : ''}${Math.abs(100 * difference).toFixed(2)}`;
const pText = (p: number): string => (p < 1e-4 ? p.toExponential(1) : p.toFixed(4));

/**
 * Decides a two-arm test on success rates from the counts.
 *
 * Statistics (all at level α, two-sided): the pooled two-proportion z-test of B vs A
 * (statsmodels `proportions_ztest`), Wilson intervals for each rate, Newcombe's hybrid score
 * interval for B − A, and the planned sample size per arm to detect ±`minimumEffect` from A's
 * observed rate with the given power (R `power.prop.test`, pooled method; the target is
 * rateA + minimumEffect, or rateA − minimumEffect when that would exceed 1).
 *
 * Rules, in order:
 * 1. p < α and the effect interval excludes 0 → the arm with the higher rate wins
 *    (`B_WINS` / `A_WINS`), whether or not the planned sample was reached (the recommendation
 *    then warns that an early significant estimate tends to overstate the difference).
 * 2. not significant (p ≥ α), the whole effect interval lies within [−minimumEffect,
 *    +minimumEffect] and both arms reached the planned sample → `TIE` (practically equivalent).
 * 3. otherwise `INCONCLUSIVE`, with an estimate of how many more units per arm are needed:
 *    the planned sample minus the smaller arm when it is not reached; once it is reached, the
 *    n per arm at which a Wald-width interval z·√((pA qA + pB qB)/n) around the observed
 *    difference d would fit inside ±minimumEffect, n = z²(pA qA + pB qB)/(minimumEffect − |d|)²
 *    (null when |d| ≥ minimumEffect: the difference may be real but is not yet significant).
 *
 * Cost O(1).
 */
export function decideAB(input: ABTestInput): ABTestResult {
  const { a, b, minimumEffect } = input;
  const alpha = input.alpha ?? 0.05;
  const power = input.power ?? 0.8;
  checkProportionCounts(a, 'a');
  checkProportionCounts(b, 'b');
  checkOpenProbability(alpha, 'alpha');
  checkOpenProbability(power, 'power');
  if (!(power > alpha)) throw new RangeError(`power must be greater than alpha (${alpha}), got ${power}`);
  checkOpenProbability(minimumEffect, 'minimumEffect');

  const rateA = a.successes / a.total;
  const rateB = b.successes / b.total;
  const effect = rateB - rateA;
  // B first, so that z and the interval are for B − A, with the sign of `effect`.
  const { z, pValue } = twoProportionZTest(b, a, 'two-sided');
  const effectInterval = newcombeInterval(b, a, alpha);
  const intervalA = wilsonInterval(a, alpha);
  const intervalB = wilsonInterval(b, alpha);
  const plannedTarget = rateA + minimumEffect <= 1 ? rateA + minimumEffect : rateA - minimumEffect;
  if (plannedTarget < 0) {
    throw new RangeError(`minimumEffect ${minimumEffect} leaves no room on either side of A's rate ${rateA}`);
  }
  const required = requiredSampleSize({
    baseline: rateA,
    target: plannedTarget,
    alpha,
    power,
    sides: 2,
    ratio: 1,
    method: 'pooled',
  }).nPerArm;
  const smallerArm = Math.min(a.total, b.total);
  const sampleSizeReached = smallerArm >= required;

  const level = `${Number((100 * (1 - alpha)).toFixed(4))}%`;
  const observed =
    `A ${formatPercent(rateA, 2)} (${a.successes}/${a.total}), B ${formatPercent(rateB, 2)} (${b.successes}/${b.total}); ` +
    `difference B − A ${points(effect)} points, ${level} interval ${points(effectInterval.lower)} to ` +
    `${points(effectInterval.upper)} points, p = ${pText(pValue)}.`;
  const margin = `±${(100 * minimumEffect).toFixed(2)} points`;

  const significant = pValue < alpha && (effectInterval.lower > 0 || effectInterval.upper < 0);
  const equivalent = effectInterval.lower >= -minimumEffect && effectInterval.upper <= minimumEffect;

  let decision: ABDecision;
  let additionalSamplesPerArm: number | null = 0;
  let recommendation: string;
  if (significant) {
    decision = effect > 0 ? 'B_WINS' : 'A_WINS';
    const winner = effect > 0 ? 'B' : 'A';
    recommendation =
      `${winner} has the higher success rate: ${observed} Prefer ${winner}.` +
      (sampleSizeReached
        ? ''
        : ` Note: the planned sample of ${required} per arm was not reached (smallest arm ${smallerArm}), ` +
          `so the estimated difference may be exaggerated (a test stopped on an early significant result tends to overstate the effect).`);
  } else if (equivalent && sampleSizeReached) {
    decision = 'TIE';
    recommendation =
      `A and B are practically equivalent: ${observed} The whole interval lies within the ${margin} ` +
      `you consider meaningful, with the planned ${required} per arm reached. Choose on other grounds (cost, latency).`;
  } else {
    decision = 'INCONCLUSIVE';
    if (!sampleSizeReached) {
      additionalSamplesPerArm = required - smallerArm;
      recommendation =
        `Not enough data to decide: ${observed} Detecting a ${(100 * minimumEffect).toFixed(2)}-point ` +
        `difference from A's ${formatPercent(rateA, 2)} with ${Math.round(100 * power)}% power at α = ${alpha} needs ` +
        `${required} per arm; you have ${a.total} (A) and ${b.total} (B). ` +
        `Collect about ${additionalSamplesPerArm} more per arm before deciding.`;
    } else if (Math.abs(effect) < minimumEffect - 1e-9) {
      // (1e-9: 0.12 − 0.10 = 0.01999… must count as reaching a 0.02 minimum effect.)
      const critical = normalQuantile(1 - alpha / 2);
      const spread = rateA * (1 - rateA) + rateB * (1 - rateB);
      const needed = Math.ceil((critical * critical * spread) / (minimumEffect - Math.abs(effect)) ** 2);
      additionalSamplesPerArm = needed > smallerArm ? needed - smallerArm : null;
      recommendation =
        `Still inconclusive although the planned ${required} per arm is reached: ${observed} The interval ` +
        `reaches beyond the ${margin} you consider meaningful. ` +
        (additionalSamplesPerArm === null
          ? 'Collect more data per arm and check again.'
          : `If the difference stays near ${points(effect)} points, about ${additionalSamplesPerArm} more per arm ` +
            `should settle whether the arms are practically equivalent.`);
    } else {
      additionalSamplesPerArm = null;
      recommendation =
        `Still inconclusive although the planned ${required} per arm is reached: ${observed} The observed ` +
        `difference is at least the ${margin} you consider meaningful but not significant; collect more data per ` +
        `arm before deciding.`;
    }
  }

  return {
    decision,
    pValue,
    z,
    rateA,
    rateB,
    effect,
    effectInterval,
    intervalA,
    intervalB,
    requiredSampleSizePerArm: required,
    sampleSizeReached,
    additionalSamplesPerArm,
    alpha,
    power,
    minimumEffect,
    recommendation,
  };
}
