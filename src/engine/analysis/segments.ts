/**
 * Per-segment A/B analysis: each segment's rates, difference, Newcombe interval and z-test, the
 * pooled (aggregate) result, detection of Simpson's paradox, and a per-segment routing
 * recommendation with the success rate it is expected to reach.
 *
 * A variant is named the **winner** of a slice only when the difference is significant: overall
 * at α, and in a segment at α after Holm's correction for the number of segments tested (each
 * segment is one more chance for noise to look like a winner). The higher point estimate is
 * `higher`; Simpson's paradox is about point estimates and uses it.
 */

import type { ProportionCounts } from '../stats/proportions.ts';
import { checkProportionCounts, twoProportionZTest } from '../stats/proportions.ts';
import type { Interval } from '../stats/wilson.ts';
import { newcombeInterval, wilsonInterval } from '../stats/wilson.ts';
import { formatPercent } from '../text/format.ts';

/** One segment's counts for the two variants. */
export interface SegmentCounts {
  /** The segment's name (e.g. `'mobile'`, `'small stones'`). */
  name: string;
  first: ProportionCounts;
  second: ProportionCounts;
}

/** Input of `analyzeSegments`. */
export interface SegmentsInput {
  /** Display names of the two variants, first then second (default `['control', 'candidate']`). */
  variants?: readonly [string, string];
  segments: readonly SegmentCounts[];
  /** Significance level of the tests and 1 − confidence of the intervals (default 0.05). */
  alpha?: number;
}

/** One variant's result within a segment or overall. */
export interface VariantRate {
  variant: string;
  successes: number;
  total: number;
  rate: number;
  /** Wilson interval of the rate. */
  interval: Interval;
}

/** The comparison of the two variants on one slice of traffic. */
export interface VariantComparison {
  first: VariantRate;
  second: VariantRate;
  /** first rate − second rate. */
  difference: number;
  /** Newcombe hybrid score interval of the difference. */
  differenceInterval: Interval;
  /** Pooled two-proportion z-test, two-sided (positive z: first higher). */
  z: number;
  pValue: number;
  /** p < α: this comparison's own test (for a segment, before correcting for the number of segments). */
  significant: boolean;
  /** The variant with the higher rate (point estimate), or null on an exact tie. */
  higher: string | null;
  /**
   * The variant shown better by the data: `higher` when the difference is significant — overall
   * p < α; in a segment, Holm-adjusted p < α (`SegmentResult.significantAfterCorrection`) —
   * else null (no winner: the difference may be noise).
   */
  winner: string | null;
}

/** A segment's comparison, with its share of all traffic. */
export interface SegmentResult extends VariantComparison {
  segment: string;
  /** (first.total + second.total) of this segment / all traffic. */
  trafficShare: number;
  /** Share of each variant's own traffic that fell in this segment, first then second. */
  variantTrafficShares: [number, number];
  /** The p-value adjusted for the number of segments by Holm's step-down method (statsmodels `multipletests(method='holm')`). */
  adjustedPValue: number;
  /** adjustedPValue < α: significant after correcting for the number of segments. */
  significantAfterCorrection: boolean;
}

/** Where each segment should be served from. */
export interface SegmentRouting {
  segment: string;
  /**
   * The segment's winner; else the aggregate winner (the evidence overall); else the first
   * variant (control: without evidence, nothing changes).
   */
  serve: string;
  /** Whether `serve` is the segment's own winner (significant after Holm's correction); otherwise it is not evidence about this segment. */
  significant: boolean;
  /** Why `serve`: the segment's own winner, the aggregate winner, or no evidence (keep the first variant). */
  basis: 'segment' | 'aggregate' | 'none';
}

/** The result of `analyzeSegments`. */
export interface SegmentsAnalysis {
  variants: [string, string];
  alpha: number;
  segments: SegmentResult[];
  aggregate: VariantComparison;
  /**
   * True when the aggregate winner loses in every segment, or in the segments that together hold
   * more than half of the traffic.
   */
  simpsonParadox: boolean;
  /** `'every-segment'`, `'majority-of-traffic'`, or null when there is no paradox. */
  paradoxKind: 'every-segment' | 'majority-of-traffic' | null;
  /** The segments where the aggregate winner loses. */
  segmentsAgainstAggregate: string[];
  /** Their share of all traffic. */
  trafficShareAgainstAggregate: number;
  /** The paradox (or its absence) in words, with the numbers. */
  explanation: string;
  routing: SegmentRouting[];
  /** How the segments' p-values were corrected for their number before naming winners. */
  correction: 'holm';
  /**
   * Expected overall success rate, weighting each segment by its share of all traffic (direct
   * standardisation), if the segment rates hold: serving every segment its higher rate, serving
   * the variant ahead overall (`aggregate.higher`) to all, and serving each variant to all.
   */
  expectedRate: {
    perSegmentWinner: number;
    aggregateWinnerToAll: number | null;
    /** Following `routing`. */
    recommended: number;
    first: number;
    second: number;
  };
  /** One sentence: what to serve where, and what it buys. */
  recommendation: string;
}

/** A p-value in a sentence: two significant digits, "< 0.0001" below it. */
function pValueText(p: number): string {
  return p < 1e-4 ? '< 0.0001' : String(Number(p.toPrecision(2)));
}

function compare(first: ProportionCounts, second: ProportionCounts, variants: readonly [string, string], alpha: number): VariantComparison {
  const rate1 = first.successes / first.total;
  const rate2 = second.successes / second.total;
  const test = twoProportionZTest(first, second);
  return {
    first: { variant: variants[0], ...first, rate: rate1, interval: wilsonInterval(first, alpha) },
    second: { variant: variants[1], ...second, rate: rate2, interval: wilsonInterval(second, alpha) },
    difference: rate1 - rate2,
    differenceInterval: newcombeInterval(first, second, alpha),
    z: test.z,
    pValue: test.pValue,
    significant: test.pValue < alpha,
    higher: rate1 > rate2 ? variants[0] : rate2 > rate1 ? variants[1] : null,
    winner: test.pValue < alpha ? (rate1 > rate2 ? variants[0] : rate2 > rate1 ? variants[1] : null) : null,
  };
}

/**
 * Holm's step-down adjusted p-values (Holm 1979, "A simple sequentially rejective multiple test
 * procedure"): sort ascending, p̃₍ᵢ₎ = max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎), returned in the
 * input order — as statsmodels `multipletests(p, method='holm')[1]`. Controls the family-wise
 * error rate at α under any dependence. O(m log m).
 */
export function holmAdjustedPValues(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((a, b) => pValues[a] - pValues[b]);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[index]));
    adjusted[index] = running;
  });
  return adjusted;
}

function rateOf(comparison: VariantComparison, variant: string): number {
  return comparison.first.variant === variant ? comparison.first.rate : comparison.second.rate;
}

/**
 * Analyses an A/B test broken down by segment.
 *
 * Per segment and pooled: Wilson intervals of each rate, the difference first − second with its
 * Newcombe interval, the pooled z-test (statsmodels `proportions_ztest`).
 *
 * Simpson's paradox (Simpson 1951; the kidney-stone example of Charig et al. 1986, discussed by
 * Julious & Mullee, BMJ 1994): the pooled winner W loses (lower point estimate) in every segment,
 * or in segments holding more than half of all traffic. It arises when the variants' traffic is
 * spread over the segments in different proportions and the segments have different base rates;
 * the explanation names the segment where W's traffic is over-represented. Point estimates are
 * compared; each segment's p-value says whether its reversal is more than noise.
 *
 * Winners: overall, the higher variant when p < α; in a segment, when its Holm-adjusted p-value
 * (Holm 1979, over the segments' p-values) is below α — so that among many segments, noise does
 * not name a winner (the kidney-stone strata, p = 0.11 and 0.46, name none).
 *
 * Routing: each segment is served its own winner; else the aggregate winner; else the first
 * variant (no evidence: nothing changes), and the recommendation says which basis each has —
 * "No winner" when there is no evidence anywhere. Expected rates weight each segment by its
 * share s_k of all traffic: Σ s_k·max(r1_k, r2_k) for every segment's higher rate,
 * Σ s_k·r_{W,k} for the variant W ahead overall to all, and the recommended routing's — i.e. what
 * each policy would reach on this traffic mix if the segment rates hold. Cost O(segments log segments).
 */
export function analyzeSegments(input: SegmentsInput): SegmentsAnalysis {
  const variants: [string, string] = input.variants ? [input.variants[0], input.variants[1]] : ['control', 'candidate'];
  if (variants[0] === variants[1]) throw new RangeError(`variants must be two different names, got '${variants[0]}' twice`);
  const alpha = input.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, got ${alpha}`);
  if (!Array.isArray(input.segments) || input.segments.length === 0) throw new RangeError('segments must hold at least one segment');
  const seen = new Set<string>();
  input.segments.forEach((segment, i) => {
    if (typeof segment.name !== 'string') throw new RangeError(`segments[${i}].name must be a string`);
    if (seen.has(segment.name)) throw new RangeError(`segments[${i}].name '${segment.name}' appears twice`);
    seen.add(segment.name);
    checkProportionCounts(segment.first, `segments[${i}].first`);
    checkProportionCounts(segment.second, `segments[${i}].second`);
  });

  const pooled = (pick: 'first' | 'second'): ProportionCounts => ({
    successes: input.segments.reduce((sum, s) => sum + s[pick].successes, 0),
    total: input.segments.reduce((sum, s) => sum + s[pick].total, 0),
  });
  const pooledFirst = pooled('first');
  const pooledSecond = pooled('second');
  const grandTotal = pooledFirst.total + pooledSecond.total;
  const aggregate = compare(pooledFirst, pooledSecond, variants, alpha);
  const compared = input.segments.map((s) => compare(s.first, s.second, variants, alpha));
  const adjusted = holmAdjustedPValues(compared.map((c) => c.pValue));
  const segments: SegmentResult[] = input.segments.map((s, i) => ({
    segment: s.name,
    ...compared[i],
    winner: adjusted[i] < alpha ? compared[i].higher : null,
    trafficShare: (s.first.total + s.second.total) / grandTotal,
    variantTrafficShares: [s.first.total / pooledFirst.total, s.second.total / pooledSecond.total],
    adjustedPValue: adjusted[i],
    significantAfterCorrection: adjusted[i] < alpha,
  }));

  // The paradox is about point estimates: the variant ahead overall, behind in the segments.
  const winner = aggregate.higher;
  const against = winner === null ? [] : segments.filter((s) => s.higher !== null && s.higher !== winner);
  const shareAgainst = against.reduce((sum, s) => sum + s.trafficShare, 0);
  const paradoxKind: SegmentsAnalysis['paradoxKind'] =
    winner === null || segments.length < 2
      ? null
      : against.length === segments.length
        ? 'every-segment'
        : shareAgainst > 0.5
          ? 'majority-of-traffic'
          : null;

  const routing: SegmentRouting[] = segments.map((s) => ({
    segment: s.segment,
    serve: s.winner ?? aggregate.winner ?? variants[0],
    significant: s.winner !== null,
    basis: s.winner !== null ? 'segment' : aggregate.winner !== null ? 'aggregate' : 'none',
  }));
  const perSegmentWinner = segments.reduce((sum, s) => sum + s.trafficShare * rateOf(s, s.higher ?? winner ?? variants[0]), 0);
  const recommended = segments.reduce((sum, s, i) => sum + s.trafficShare * rateOf(s, routing[i].serve), 0);
  const firstToAll = segments.reduce((sum, s) => sum + s.trafficShare * s.first.rate, 0);
  const secondToAll = segments.reduce((sum, s) => sum + s.trafficShare * s.second.rate, 0);
  const aggregateWinnerToAll = winner === null ? null : winner === variants[0] ? firstToAll : secondToAll;

  const describe = (c: VariantComparison) => `${formatPercent(c.first.rate)} vs ${formatPercent(c.second.rate)}`;
  const loser = winner === variants[0] ? variants[1] : variants[0];
  let explanation: string;
  if (winner === null) {
    explanation = `${variants[0]} and ${variants[1]} tie overall (${describe(aggregate)}), so there is no aggregate winner to contradict.`;
  } else if (paradoxKind === null) {
    explanation =
      against.length === 0
        ? `No Simpson's paradox: ${winner} is ahead overall (${variants[0]} vs ${variants[1]}: ${describe(aggregate)}) and is not behind in any segment.`
        : `No Simpson's paradox: ${winner} is ahead overall (${describe(aggregate)}) and behind only in ${against.map((s) => `'${s.segment}'`).join(', ')}, ${formatPercent(shareAgainst)} of the traffic.`;
  } else {
    // The confounder: the segment where the winner's share of its own traffic most exceeds the loser's.
    const winnerIndex = winner === variants[0] ? 0 : 1;
    const tilt = [...segments].sort(
      (a, b) =>
        b.variantTrafficShares[winnerIndex] -
        b.variantTrafficShares[1 - winnerIndex] -
        (a.variantTrafficShares[winnerIndex] - a.variantTrafficShares[1 - winnerIndex]),
    )[0];
    const baseRate = (s: SegmentResult) => (s.first.successes + s.second.successes) / (s.first.total + s.second.total);
    const overallBase = (pooledFirst.successes + pooledSecond.successes) / grandTotal;
    explanation =
      `Simpson's paradox: ${winner} is ahead overall (${variants[0]} vs ${variants[1]}: ${describe(aggregate)}) but behind ` +
      (paradoxKind === 'every-segment' ? 'in every segment' : `in segments holding ${formatPercent(shareAgainst)} of the traffic`) +
      ` — ${against.map((s) => `'${s.segment}' ${describe(s)}`).join('; ')}. ` +
      `${winner}'s traffic is concentrated in '${tilt.segment}' (${formatPercent(tilt.variantTrafficShares[winnerIndex])} of ${winner}'s traffic vs ` +
      `${formatPercent(tilt.variantTrafficShares[1 - winnerIndex])} of ${loser}'s), a segment whose success rate is ` +
      `${baseRate(tilt) >= overallBase ? 'higher' : 'lower'} than average (${formatPercent(baseRate(tilt))} vs ${formatPercent(overallBase)}), ` +
      `so the aggregate compares different mixes of segments rather than the variants.`;
  }

  if (winner !== null) {
    const corrected = segments.filter((s) => s.significantAfterCorrection).length;
    explanation +=
      ` The overall difference is ${aggregate.significant ? '' : 'not '}significant (p = ${pValueText(aggregate.pValue)}); ` +
      `${corrected === 0 ? 'no segment differs' : `${corrected} of ${segments.length} segments ${corrected === 1 ? 'differs' : 'differ'}`} significantly after Holm's correction for ${segments.length} segment${segments.length === 1 ? '' : 's'}.`;
  }

  // A variant is recommended only on evidence: its segment's own (corrected) win, or the aggregate's.
  const servedVariants = new Set(routing.map((r) => r.serve));
  const ahead = winner === null ? '' : ` vs ${formatPercent(aggregateWinnerToAll as number)} serving ${winner}, ahead overall, to all`;
  let recommendation: string;
  if (routing.every((r) => r.basis === 'none')) {
    recommendation =
      `No winner: neither ${variants[0]} nor ${variants[1]} is significantly better overall (p = ${pValueText(aggregate.pValue)}) ` +
      `or in any segment after Holm's correction for ${segments.length} segment${segments.length === 1 ? '' : 's'} at α = ${alpha}; ` +
      `keep ${variants[0]} and collect more data before routing by segment.`;
  } else if (servedVariants.size === 1) {
    const only = routing[0].serve;
    recommendation = `Serve ${only} to every segment: expected success rate ${formatPercent(recommended)}${only !== winner ? ahead : ''}.`;
  } else {
    const note = (r: SegmentRouting) =>
      r.basis === 'segment'
        ? ''
        : r.basis === 'aggregate'
          ? ' (the overall winner; no significant difference here)'
          : ' (no significant difference: kept)';
    recommendation =
      `Route per segment (${routing.map((r) => `'${r.segment}' → ${r.serve}${note(r)}`).join(', ')}): ` +
      `expected success rate ${formatPercent(recommended)}${ahead}.`;
  }

  return {
    variants,
    alpha,
    segments,
    aggregate,
    simpsonParadox: paradoxKind !== null,
    paradoxKind,
    segmentsAgainstAggregate: against.map((s) => s.segment),
    trafficShareAgainstAggregate: shareAgainst,
    explanation,
    routing,
    correction: 'holm',
    expectedRate: { perSegmentWinner, aggregateWinnerToAll, recommended, first: firstToAll, second: secondToAll },
    recommendation,
  };
}
