import { describe, expect, it } from 'vitest';
import type { SegmentCounts, VariantComparison } from '../../../src/engine/analysis/segments.ts';
import { analyzeSegments, holmAdjustedPValues } from '../../../src/engine/analysis/segments.ts';
import fixture from '../../fixtures/analysis.json';

// Reference values: statsmodels 0.13.5 (proportions_ztest, proportion_confint method='wilson',
// confint_proportions_2indep method='newcomb') and plain arithmetic for the expected rates, from
// scripts/reference/analysis.py; each fixture entry carries its calls. Kidney-stone counts:
// Charig et al., BMJ 1986 (test/fixtures/kidney_stones_charig1986.csv).

type Reference = (typeof fixture.segments)['kidney']['aggregate'];

function expectComparison(actual: VariantComparison, reference: Reference): void {
  const close = (a: number, b: number) => expect(Math.abs(a - b), `${reference.label}: ${a} vs ${b}`).toBeLessThan(1e-12);
  close(actual.z, reference.z);
  close(actual.pValue, reference.pValue);
  close(actual.first.interval.lower, reference.firstInterval[0]);
  close(actual.first.interval.upper, reference.firstInterval[1]);
  close(actual.second.interval.lower, reference.secondInterval[0]);
  close(actual.second.interval.upper, reference.secondInterval[1]);
  close(actual.differenceInterval.lower, reference.differenceInterval[0]);
  close(actual.differenceInterval.upper, reference.differenceInterval[1]);
}

const examples = fixture.segmentExamples as Record<string, SegmentCounts[]>;

describe('analyzeSegments on the kidney-stone data (Charig 1986)', () => {
  const result = analyzeSegments({ variants: ['A', 'B'], segments: examples.kidney });

  it('matches statsmodels per segment and overall', () => {
    result.segments.forEach((segment, i) => expectComparison(segment, fixture.segments.kidney.segments[i]));
    expectComparison(result.aggregate, fixture.segments.kidney.aggregate);
    expect(result.segments.map((s) => s.first.rate)).toEqual([81 / 87, 192 / 263]);
  });

  it('detects the paradox: B is ahead overall, A in both strata — and names no winner, as no difference is significant', () => {
    expect(result.aggregate.higher).toBe('B');
    expect(result.segments.map((s) => s.higher)).toEqual(['A', 'A']);
    // Overall p = 0.13; the strata's p = 0.11 and 0.46 are 0.21 and 0.46 after Holm's correction (fixture holm).
    expect(result.aggregate.winner).toBeNull();
    expect(result.segments.map((s) => s.winner)).toEqual([null, null]);
    result.segments.forEach((s, i) => expect(s.adjustedPValue).toBeCloseTo(fixture.segments.kidney.holm.adjustedPValues[i], 14));
    expect(result.segments.map((s) => s.significantAfterCorrection)).toEqual([false, false]);
    expect(result.correction).toBe('holm');
    expect(result.simpsonParadox).toBe(true);
    expect(result.paradoxKind).toBe('every-segment');
    expect(result.segmentsAgainstAggregate).toEqual(['small', 'large']);
    expect(result.trafficShareAgainstAggregate).toBeCloseTo(1, 15);
    expect(result.explanation).toContain("Simpson's paradox: B is ahead overall (A vs B: 78.0% vs 82.6%) but behind in every segment");
    expect(result.explanation).toContain(
      "The overall difference is not significant (p = 0.13); no segment differs significantly after Holm's correction for 2 segments.",
    );
    // B's patients were 270/350 = 77.1% small stones, A's 87/350 = 24.9%; small-stone success 315/357 = 88.2% vs 80.3% overall.
    expect(result.explanation).toContain("B's traffic is concentrated in 'small' (77.1% of B's traffic vs 24.9% of A's)");
    expect(result.explanation).toContain('higher than average (88.2% vs 80.3%)');
  });

  it('recommends no routing without evidence, and still states the expected rates', () => {
    expect(result.routing).toEqual([
      { segment: 'small', serve: 'A', significant: false, basis: 'none' },
      { segment: 'large', serve: 'A', significant: false, basis: 'none' },
    ]);
    const expected = fixture.segments.kidney.expectedRate;
    expect(result.expectedRate.perSegmentWinner).toBeCloseTo(expected.perSegmentWinner, 14);
    expect(result.expectedRate.first).toBeCloseTo(expected.first, 14);
    expect(result.expectedRate.second).toBeCloseTo(expected.second, 14);
    expect(result.expectedRate.aggregateWinnerToAll).toBeCloseTo(expected.second, 14);
    expect(result.expectedRate.recommended).toBeCloseTo(expected.first, 14);
    expect(result.recommendation).toBe(
      "No winner: neither A nor B is significantly better overall (p = 0.13) or in any segment after Holm's correction for 2 segments at α = 0.05; keep A and collect more data before routing by segment.",
    );
  });
});

describe('analyzeSegments without a paradox', () => {
  const result = analyzeSegments({ segments: examples.noParadox });
  it('matches statsmodels and finds no paradox', () => {
    result.segments.forEach((segment, i) => expectComparison(segment, fixture.segments.noParadox.segments[i]));
    expectComparison(result.aggregate, fixture.segments.noParadox.aggregate);
    expect(result.variants).toEqual(['control', 'candidate']);
    expect(result.aggregate.winner).toBe('candidate');
    // p = 0.024 and 0.049, Holm-adjusted 0.047 and 0.049: both still below α = 0.05 (fixture holm).
    result.segments.forEach((s, i) => expect(s.adjustedPValue).toBeCloseTo(fixture.segments.noParadox.holm.adjustedPValues[i], 14));
    expect(result.segments.map((s) => s.winner)).toEqual(['candidate', 'candidate']);
    expect(result.simpsonParadox).toBe(false);
    expect(result.paradoxKind).toBeNull();
    expect(result.explanation).toMatch(/^No Simpson's paradox: candidate is ahead overall/);
    expect(result.expectedRate.perSegmentWinner).toBeCloseTo(fixture.segments.noParadox.expectedRate.perSegmentWinner, 14);
    expect(result.recommendation).toMatch(/^Serve candidate to every segment: expected success rate 52\.0%\.$/);
  });
});

describe('analyzeSegments when the winner loses where most traffic is', () => {
  const result = analyzeSegments({ variants: ['A', 'B'], segments: examples.majority });
  it('flags the majority-of-traffic paradox, but routes on evidence: no segment wins after correction, so the overall winner serves all', () => {
    result.segments.forEach((segment, i) => expectComparison(segment, fixture.segments.majority.segments[i]));
    expect(result.aggregate.winner).toBe('B');
    expect(result.paradoxKind).toBe('majority-of-traffic');
    expect(result.segmentsAgainstAggregate).toEqual(['s1', 's2']);
    expect(result.trafficShareAgainstAggregate).toBeCloseTo((1100 + 180) / 2280, 15);
    result.segments.forEach((s, i) => expect(s.adjustedPValue).toBeCloseTo(fixture.segments.majority.holm.adjustedPValues[i], 14));
    expect(result.segments.map((s) => s.winner)).toEqual([null, null, null]);
    expect(result.routing.map((r) => [r.serve, r.basis])).toEqual([
      ['B', 'aggregate'],
      ['B', 'aggregate'],
      ['B', 'aggregate'],
    ]);
    const expected = fixture.segments.majority.expectedRate;
    expect(result.expectedRate.perSegmentWinner).toBeCloseTo(expected.perSegmentWinner, 14);
    expect(result.expectedRate.aggregateWinnerToAll).toBeCloseTo(expected.second, 14);
    expect(result.expectedRate.recommended).toBeCloseTo(expected.second, 14);
    expect(result.recommendation).toBe('Serve B to every segment: expected success rate 49.6%.');
  });

  it('routes per segment only where a segment wins after correction', () => {
    // s1: 600/1000 vs 500/1000 (p ≈ 7e-6, a winner); s2: 40/100 vs 50/100 (p ≈ 0.16, no evidence); the aggregate, A, wins.
    const routed = analyzeSegments({
      variants: ['A', 'B'],
      segments: [
        { name: 's1', first: { successes: 600, total: 1000 }, second: { successes: 500, total: 1000 } },
        { name: 's2', first: { successes: 40, total: 100 }, second: { successes: 50, total: 100 } },
      ],
    });
    expect(routed.segments.map((s) => s.winner)).toEqual(['A', null]);
    expect(routed.routing.map((r) => r.basis)).toEqual(['segment', 'aggregate']);
    expect(routed.recommendation).toMatch(/^Serve A to every segment/);
  });
});

describe('holmAdjustedPValues', () => {
  it('matches statsmodels multipletests(method="holm") on the three examples', () => {
    for (const key of ['kidney', 'noParadox', 'majority'] as const) {
      const reference = fixture.segments[key];
      const adjusted = holmAdjustedPValues(reference.segments.map((s) => s.pValue));
      adjusted.forEach((p, i) => expect(Math.abs(p - reference.holm.adjustedPValues[i])).toBeLessThan(1e-15));
    }
  });

  it('names no segment winner at p = 0.2, nor at p = 0.03 among three segments', () => {
    // Holm: sorted p 0.03, 0.2, 0.5 → 3·0.03 = 0.09, max(0.09, 2·0.2) = 0.4, max(0.4, 0.5) = 0.5.
    expect(holmAdjustedPValues([0.2, 0.03, 0.5]).map((p) => Number(p.toFixed(12)))).toEqual([0.4, 0.09, 0.5]);
  });
});

describe('analyzeSegments input checks', () => {
  it('names the field and the reason', () => {
    expect(() => analyzeSegments({ segments: [] })).toThrow('segments must hold at least one segment');
    expect(() =>
      analyzeSegments({ segments: [{ name: 'a', first: { successes: 5, total: 4 }, second: { successes: 1, total: 2 } }] }),
    ).toThrow('segments[0].first.successes must be at most segments[0].first.total (4), got 5');
    const s = { name: 'a', first: { successes: 1, total: 2 }, second: { successes: 1, total: 2 } };
    expect(() => analyzeSegments({ segments: [s, s] })).toThrow("segments[1].name 'a' appears twice");
    expect(() => analyzeSegments({ segments: [s], alpha: 2 })).toThrow('alpha must be between 0 and 1, got 2');
    expect(() => analyzeSegments({ segments: [s], variants: ['x', 'x'] })).toThrow(/two different names/);
  });

  it('reports a tie without inventing a paradox', () => {
    const tie = analyzeSegments({ segments: [{ name: 'a', first: { successes: 1, total: 2 }, second: { successes: 2, total: 4 } }] });
    expect(tie.aggregate.winner).toBeNull();
    expect(tie.simpsonParadox).toBe(false);
    expect(tie.expectedRate.aggregateWinnerToAll).toBeNull();
  });
});
