/**
 * Shadow analysis: the candidate answers mirrored traffic without serving anybody, and its
 * answers, latencies and errors are compared with the control's. Produces the agreement rate
 * with its Wilson interval, latency and error ratios, and one recommendation with its numbers
 * (framework gates: agreement > 85 %, p95 < 1.5 × control, error rate < 2 × control, at least
 * 1 000 comparisons).
 */

import { quantile } from '../stats/quantile.ts';
import type { Interval } from '../stats/wilson.ts';
import { wilsonInterval } from '../stats/wilson.ts';
import { formatPercent } from '../text/format.ts';

/** Decides whether two answers (control's, candidate's) agree. */
export type AnswerComparison<T = unknown> = (control: T, candidate: T) => boolean;

/**
 * Exact agreement: `===` for primitives (so `NaN` never agrees), element-wise for arrays and
 * key-wise for plain objects (recursively, key order ignored). Cost O(size of the values).
 */
export function exactMatch(control: unknown, candidate: unknown): boolean {
  if (control === candidate) return true;
  if (typeof control !== 'object' || typeof candidate !== 'object' || control === null || candidate === null) return false;
  if (Array.isArray(control) !== Array.isArray(candidate)) return false;
  if (Array.isArray(control) && Array.isArray(candidate)) {
    return control.length === candidate.length && control.every((value, i) => exactMatch(value, candidate[i]));
  }
  const a = control as Record<string, unknown>;
  const b = candidate as Record<string, unknown>;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && exactMatch(a[key], b[key]));
}

/** Tolerances of `numericTolerance`; at least one must be given. */
export interface NumericToleranceOptions {
  /** Largest absolute difference that still agrees (≥ 0). */
  absolute?: number;
  /** Largest difference relative to the larger magnitude that still agrees (≥ 0). */
  relative?: number;
}

/**
 * Numeric agreement with Python's `math.isclose` rule (PEP 485): |a − b| ≤ max(relative ·
 * max(|a|, |b|), absolute) — symmetric in a and b, unlike numpy's `isclose`. Non-finite or
 * non-number answers agree only when identical.
 */
export function numericTolerance(options: NumericToleranceOptions): AnswerComparison<number> {
  const absolute = options.absolute ?? 0;
  const relative = options.relative ?? 0;
  if (options.absolute === undefined && options.relative === undefined) {
    throw new RangeError('numericTolerance needs absolute or relative');
  }
  if (!(absolute >= 0 && Number.isFinite(absolute))) throw new RangeError(`absolute must be a finite number ≥ 0, got ${absolute}`);
  if (!(relative >= 0 && Number.isFinite(relative))) throw new RangeError(`relative must be a finite number ≥ 0, got ${relative}`);
  return (control, candidate) => {
    if (typeof control !== 'number' || typeof candidate !== 'number') return false;
    if (!Number.isFinite(control) || !Number.isFinite(candidate)) return control === candidate;
    return Math.abs(control - candidate) <= Math.max(relative * Math.max(Math.abs(control), Math.abs(candidate)), absolute);
  };
}

/** The lower-cased tokens of `text`: runs of characters that are neither white space nor punctuation (Unicode classes). */
export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[\s\p{P}\p{S}]+/u)
    .filter((token) => token !== '');
}

/**
 * Jaccard similarity |A ∩ B| / |A ∪ B| of the token sets of two texts (Jaccard 1912); 1 when both
 * have no tokens. Cost O(tokens).
 */
export function jaccardSimilarity(control: string, candidate: string): number {
  const a = new Set(tokenize(control));
  const b = new Set(tokenize(candidate));
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const token of a) if (b.has(token)) shared++;
  return shared / (a.size + b.size - shared);
}

/** Token-overlap agreement: `jaccardSimilarity(control, candidate) ≥ threshold` (default 0.8). */
export function tokenOverlap(threshold = 0.8): AnswerComparison<string> {
  if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`threshold must be between 0 and 1, got ${threshold}`);
  return (control, candidate) =>
    typeof control === 'string' && typeof candidate === 'string' && jaccardSimilarity(control, candidate) >= threshold;
}

/** The gates of the shadow stage. */
export interface ShadowThresholds {
  /** The agreement rate must exceed this (default 0.85). */
  minAgreement: number;
  /** Candidate p95 / control p95 must stay below this (default 1.5). */
  maxLatencyRatio: number;
  /** Candidate error rate / control error rate must stay below this (default 2). */
  maxErrorRatio: number;
  /** Fewer comparisons than this give INSUFFICIENT_DATA (default 1 000). */
  minComparisons: number;
}

/** The framework defaults. */
export const defaultShadowThresholds: ShadowThresholds = {
  minAgreement: 0.85,
  maxLatencyRatio: 1.5,
  maxErrorRatio: 2,
  minComparisons: 1000,
};

/** One arm's aggregate in the shadow window. */
export interface ShadowArmSummary {
  requests: number;
  errors: number;
  /** 95th-percentile latency, ms. */
  latencyP95: number;
}

/** One mirrored request: both models' answers. */
export interface ShadowPair<T = unknown> {
  id?: string;
  control: { output?: T; latencyMs: number; error?: boolean };
  candidate: { output?: T; latencyMs: number; error?: boolean };
}

/** Input of `analyzeShadow`: either aggregate counts, or per-request `pairs` with a `comparison`. */
export interface ShadowInput<T = unknown> {
  agreements?: number;
  compared?: number;
  control?: ShadowArmSummary;
  candidate?: ShadowArmSummary;
  pairs?: readonly ShadowPair<T>[];
  /** How answers are compared when `pairs` are given (default `exactMatch`). */
  comparison?: AnswerComparison<T>;
  thresholds?: Partial<ShadowThresholds>;
  /** For the agreement interval (default 0.05: a 95 % interval). */
  alpha?: number;
  /** How many disagreement examples and latency outliers to return (default 5). */
  maxExamples?: number;
}

/** What the shadow stage recommends. */
export type ShadowRecommendation =
  | 'PROMOTE_TO_CANARY'
  | 'OPTIMIZE_LATENCY'
  | 'INVESTIGATE_DISAGREEMENT'
  | 'FIX_ERRORS'
  | 'INSUFFICIENT_DATA';

/** One gate's verdict with its numbers. */
export interface ShadowGate {
  metric: 'comparisons' | 'agreement' | 'latencyRatio' | 'errorRatio';
  observed: number;
  threshold: number;
  passed: boolean;
}

/** The result of `analyzeShadow`. */
export interface ShadowAnalysis {
  recommendation: ShadowRecommendation;
  /** One sentence with the numbers behind the recommendation. */
  summary: string;
  compared: number;
  agreements: number;
  agreementRate: number;
  agreementInterval: Interval;
  control: ShadowArmSummary & { errorRate: number };
  candidate: ShadowArmSummary & { errorRate: number };
  /** Candidate p95 / control p95. */
  latencyRatio: number;
  /** Candidate error rate / max(control error rate, 1 / control requests). */
  errorRatio: number;
  gates: ShadowGate[];
  thresholds: ShadowThresholds;
  /** Up to `maxExamples` pairs whose answers disagree (only with `pairs`). */
  disagreements?: ShadowPair<unknown>[];
  /**
   * Up to `maxExamples` requests where the candidate was slower than `maxLatencyRatio` × the
   * control on the same request, slowest ratio first (only with `pairs`), and how many there were.
   */
  latencyOutliers?: (ShadowPair<unknown> & { latencyRatio: number })[];
  latencyOutlierCount?: number;
}

function checkCount(value: unknown, field: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new RangeError(`${field} must be a whole number ≥ 0, got ${String(value)}`);
  }
}

function checkArm(arm: ShadowArmSummary | undefined, field: string): ShadowArmSummary {
  if (arm === undefined) throw new RangeError(`${field} is required when pairs are not given`);
  checkCount(arm.requests, `${field}.requests`);
  checkCount(arm.errors, `${field}.errors`);
  if (arm.errors > arm.requests)
    throw new RangeError(`${field}.errors must be at most ${field}.requests (${arm.requests}), got ${arm.errors}`);
  if (!(arm.latencyP95 >= 0 && Number.isFinite(arm.latencyP95))) {
    throw new RangeError(`${field}.latencyP95 must be a finite number ≥ 0, got ${arm.latencyP95}`);
  }
  return arm;
}

function round(x: number, digits = 3): string {
  return Number(x.toPrecision(digits)).toString();
}

/**
 * Analyses a shadow window. From pairs: a pair is compared when neither side errored; it agrees
 * when `comparison(control.output, candidate.output)`; each arm's p95 is the type-7 quantile of
 * its latencies and its errors are the pairs it failed. Gates, checked in this order, the first
 * failure deciding the recommendation:
 * 1. compared ≥ minComparisons, else INSUFFICIENT_DATA;
 * 2. error ratio < maxErrorRatio, else FIX_ERRORS — the ratio's denominator is
 *    max(control error rate, 1/control requests), so an error-free control window does not make
 *    a single candidate error infinitely worse;
 * 3. agreement rate > minAgreement, else INVESTIGATE_DISAGREEMENT (the point estimate is gated,
 *    as in the framework; the Wilson interval at 1 − α is reported beside it);
 * 4. latency ratio < maxLatencyRatio, else OPTIMIZE_LATENCY;
 * otherwise PROMOTE_TO_CANARY. Cost O(pairs · comparison + pairs log pairs).
 */
export function analyzeShadow<T = unknown>(input: ShadowInput<T>): ShadowAnalysis {
  const thresholds: ShadowThresholds = { ...defaultShadowThresholds, ...input.thresholds };
  if (!(thresholds.minAgreement >= 0 && thresholds.minAgreement <= 1)) {
    throw new RangeError(`thresholds.minAgreement must be between 0 and 1, got ${thresholds.minAgreement}`);
  }
  for (const key of ['maxLatencyRatio', 'maxErrorRatio'] as const) {
    if (!(thresholds[key] > 0)) throw new RangeError(`thresholds.${key} must be greater than 0, got ${thresholds[key]}`);
  }
  checkCount(thresholds.minComparisons, 'thresholds.minComparisons');
  const alpha = input.alpha ?? 0.05;
  const maxExamples = input.maxExamples ?? 5;
  checkCount(maxExamples, 'maxExamples');

  let agreements: number;
  let compared: number;
  let control: ShadowArmSummary;
  let candidate: ShadowArmSummary;
  let disagreements: ShadowPair<unknown>[] | undefined;
  let latencyOutliers: (ShadowPair<unknown> & { latencyRatio: number })[] | undefined;
  let latencyOutlierCount: number | undefined;

  if (input.pairs !== undefined) {
    if (input.agreements !== undefined || input.compared !== undefined || input.control !== undefined || input.candidate !== undefined) {
      throw new RangeError('give either pairs or the counts (agreements, compared, control, candidate), not both');
    }
    const pairs = input.pairs;
    if (pairs.length === 0) throw new RangeError('pairs must not be empty');
    const comparison = input.comparison ?? (exactMatch as AnswerComparison<T>);
    agreements = 0;
    compared = 0;
    let controlErrors = 0;
    let candidateErrors = 0;
    const controlLatencies: number[] = [];
    const candidateLatencies: number[] = [];
    disagreements = [];
    const outliers: (ShadowPair<unknown> & { latencyRatio: number })[] = [];
    pairs.forEach((pair, i) => {
      for (const side of ['control', 'candidate'] as const) {
        const latency = pair[side]?.latencyMs;
        if (!(typeof latency === 'number' && latency >= 0 && Number.isFinite(latency))) {
          throw new RangeError(`pairs[${i}].${side}.latencyMs must be a finite number ≥ 0, got ${String(latency)}`);
        }
      }
      controlLatencies.push(pair.control.latencyMs);
      candidateLatencies.push(pair.candidate.latencyMs);
      if (pair.control.error) controlErrors++;
      if (pair.candidate.error) candidateErrors++;
      if (!pair.control.error && !pair.candidate.error) {
        compared++;
        if (comparison(pair.control.output as T, pair.candidate.output as T)) agreements++;
        else if (disagreements!.length < maxExamples) disagreements!.push(pair);
      }
      const ratio = pair.candidate.latencyMs / pair.control.latencyMs;
      if (ratio >= thresholds.maxLatencyRatio) outliers.push({ ...pair, latencyRatio: ratio });
    });
    outliers.sort((a, b) => b.latencyRatio - a.latencyRatio);
    latencyOutlierCount = outliers.length;
    latencyOutliers = outliers.slice(0, maxExamples);
    control = { requests: pairs.length, errors: controlErrors, latencyP95: quantile(controlLatencies, 0.95) };
    candidate = { requests: pairs.length, errors: candidateErrors, latencyP95: quantile(candidateLatencies, 0.95) };
  } else {
    checkCount(input.agreements, 'agreements');
    checkCount(input.compared, 'compared');
    agreements = input.agreements;
    compared = input.compared;
    if (agreements > compared) throw new RangeError(`agreements must be at most compared (${compared}), got ${agreements}`);
    control = checkArm(input.control, 'control');
    candidate = checkArm(input.candidate, 'candidate');
  }

  const agreementRate = compared > 0 ? agreements / compared : 0;
  const agreementInterval = compared > 0 ? wilsonInterval({ successes: agreements, total: compared }, alpha) : { lower: 0, upper: 1 };
  const controlErrorRate = control.requests > 0 ? control.errors / control.requests : 0;
  const candidateErrorRate = candidate.requests > 0 ? candidate.errors / candidate.requests : 0;
  const errorFloor = control.requests > 0 ? Math.max(controlErrorRate, 1 / control.requests) : 1;
  const errorRatio = candidateErrorRate / errorFloor;
  const latencyRatio = control.latencyP95 > 0 ? candidate.latencyP95 / control.latencyP95 : candidate.latencyP95 > 0 ? Infinity : 1;

  const gates: ShadowGate[] = [
    { metric: 'comparisons', observed: compared, threshold: thresholds.minComparisons, passed: compared >= thresholds.minComparisons },
    { metric: 'errorRatio', observed: errorRatio, threshold: thresholds.maxErrorRatio, passed: errorRatio < thresholds.maxErrorRatio },
    { metric: 'agreement', observed: agreementRate, threshold: thresholds.minAgreement, passed: agreementRate > thresholds.minAgreement },
    {
      metric: 'latencyRatio',
      observed: latencyRatio,
      threshold: thresholds.maxLatencyRatio,
      passed: latencyRatio < thresholds.maxLatencyRatio,
    },
  ];
  const agreementText =
    `agreement ${formatPercent(agreementRate)} (95% CI ${formatPercent(agreementInterval.lower)}–${formatPercent(agreementInterval.upper)}) over ${compared} comparisons`.replace(
      '95%',
      `${round(100 * (1 - alpha))}%`,
    );
  let recommendation: ShadowRecommendation;
  let summary: string;
  if (!gates[0].passed) {
    recommendation = 'INSUFFICIENT_DATA';
    summary = `Only ${compared} comparisons, fewer than the ${thresholds.minComparisons} required; keep shadowing (${agreementText}).`;
  } else if (!gates[1].passed) {
    recommendation = 'FIX_ERRORS';
    summary = `Candidate error rate ${formatPercent(candidateErrorRate)} is ${round(errorRatio)}× the control's ${formatPercent(controlErrorRate)} (limit ${thresholds.maxErrorRatio}×); fix the errors before a canary.`;
  } else if (!gates[2].passed) {
    recommendation = 'INVESTIGATE_DISAGREEMENT';
    summary = `Candidate ${agreementText}, not above the required ${formatPercent(thresholds.minAgreement)}; investigate the disagreements.`;
  } else if (!gates[3].passed) {
    recommendation = 'OPTIMIZE_LATENCY';
    summary = `Candidate p95 latency ${round(candidate.latencyP95)} ms is ${round(latencyRatio)}× the control's ${round(control.latencyP95)} ms (limit ${thresholds.maxLatencyRatio}×); optimise latency before a canary.`;
  } else {
    recommendation = 'PROMOTE_TO_CANARY';
    summary = `All shadow gates pass: ${agreementText}, p95 ratio ${round(latencyRatio)}×, error ratio ${round(errorRatio)}×; start the canary.`;
  }
  const result: ShadowAnalysis = {
    recommendation,
    summary,
    compared,
    agreements,
    agreementRate,
    agreementInterval,
    control: { ...control, errorRate: controlErrorRate },
    candidate: { ...candidate, errorRate: candidateErrorRate },
    latencyRatio,
    errorRatio,
    gates,
    thresholds,
  };
  if (disagreements !== undefined) {
    result.disagreements = disagreements;
    result.latencyOutliers = latencyOutliers;
    result.latencyOutlierCount = latencyOutlierCount;
  }
  return result;
}
