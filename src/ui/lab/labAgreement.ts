/**
 * Does the Monte-Carlo run confirm the exact answer? For each of the lab's two headline rates
 * (false rollbacks of the healthy candidate, missed regressions of the regressed one), the
 * Monte-Carlo estimate agrees when it lies within 4 standard errors of the exact rate (issue 16's
 * agreement criterion), the standard error being the binomial one of the exact rate at the
 * Monte-Carlo run's denominator, √(p(1 − p)/n) — the spread the estimate would have if the exact
 * answer is right. A bounded exact answer (`OperatingPoint.bound`, labExact.ts) is an interval of
 * half-width X around its rate, not a point: the estimate then agrees when it lies within 4
 * standard errors of that interval, |m − p| − X ≤ 4·SE. Plain functions, no DOM.
 */
import type { RateEstimate } from '../../sim/summary.ts';
import type { OperatingPoint } from './labModel.ts';

/** Standard errors within which a Monte-Carlo rate agrees with the exact one. */
export const agreementStandardErrors = 4;

/** One rate compared. */
export interface RateAgreement {
  rate: 'falseRollback' | 'missedRegression';
  /** The exact rate; null when it has no denominator. */
  exact: number | null;
  /** The Monte-Carlo estimate with its Wilson interval. */
  monteCarlo: RateEstimate;
  /** √(p(1 − p)/n) at the exact p and the Monte-Carlo denominator n; null without both. */
  standardError: number | null;
  /**
   * |estimate − exact| (less the exact side's bound, at least 0) in standard errors (0 when both
   * are equal, Infinity when they differ with no spread).
   */
  distance: number | null;
  agrees: boolean | null;
}

/**
 * Compares one rate: agrees when |m − p| − bound ≤ 4·√(p(1 − p)/n) (with p 0 or 1 the estimate
 * must be within the bound); null when either side has no data. `bound` is the exact side's
 * half-width (0: exact). O(1).
 */
export function rateAgreement(rate: RateAgreement['rate'], exact: RateEstimate, monteCarlo: RateEstimate, bound = 0): RateAgreement {
  const p = exact.rate;
  const m = monteCarlo.rate;
  const n = monteCarlo.total;
  if (p === null || m === null || !(n > 0)) return { rate, exact: p, monteCarlo, standardError: null, distance: null, agrees: null };
  const standardError = Math.sqrt((p * (1 - p)) / n);
  const difference = Math.max(0, Math.abs(m - p) - bound);
  const distance = standardError > 0 ? difference / standardError : difference === 0 ? 0 : Number.POSITIVE_INFINITY;
  return { rate, exact: p, monteCarlo, standardError, distance, agrees: distance <= agreementStandardErrors };
}

/** The agreement of a setting's two headline rates, and whether all that can be compared agree. */
export interface LabAgreement {
  rates: RateAgreement[];
  /** True when every comparable rate agrees; null when none can be compared. */
  agrees: boolean | null;
}

/** Compares the exact and the Monte-Carlo answers for the same setting. O(1). */
export function labAgreement(exact: OperatingPoint, monteCarlo: OperatingPoint): LabAgreement {
  if (exact.errorRatio !== monteCarlo.errorRatio) {
    throw new RangeError(
      `the Monte-Carlo run is for the ${monteCarlo.errorRatio}× threshold, the exact answer for ${exact.errorRatio}×: they cannot be compared`,
    );
  }
  const rates = [
    rateAgreement('falseRollback', exact.healthy.falseRollbackRate, monteCarlo.healthy.falseRollbackRate, exact.bound),
    rateAgreement('missedRegression', exact.regressed.missedRegressionRate, monteCarlo.regressed.missedRegressionRate, exact.bound),
  ];
  const compared = rates.filter((rate) => rate.agrees !== null);
  return { rates, agrees: compared.length === 0 ? null : compared.every((rate) => rate.agrees) };
}
