import { describe, expect, it } from 'vitest';
import { analyzeSegments } from '../../../src/engine/analysis/segments.ts';
import type { SegmentCounts, VariantComparison } from '../../../src/engine/analysis/segments.ts';
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

  it('detects the paradox: B wins overall, A wins in both strata', () => {
    expect(result.aggregate.winner).toBe('B');
    expect(result.segments.map((s) => s.winner)).toEqual(['A', 'A']);
    expect(result.simpsonParadox).toBe(true);
    expect(result.paradoxKind).toBe('every-segment');
    expect(result.segmentsAgainstAggregate).toEqual(['small', 'large']);
    expect(result.trafficShareAgainstAggregate).toBeCloseTo(1, 15);
    expect(result.explanation).toContain("Simpson's paradox: B wins overall (A vs B: 78.0% vs 82.6%) but loses in every segment");
    // B's patients were 270/350 = 77.1% small stones, A's 87/350 = 24.9%; small-stone success 315/357 = 88.2% vs 80.3% overall.
    expect(result.explanation).toContain("B's traffic is concentrated in 'small' (77.1% of B's traffic vs 24.9% of A's)");
    expect(result.explanation).toContain('higher than average (88.2% vs 80.3%)');
  });

  it('routes every segment to A and states the expected gain', () => {
    expect(result.routing).toEqual([
      { segment: 'small', serve: 'A', significant: false },
      { segment: 'large', serve: 'A', significant: false },
    ]);
    const expected = fixture.segments.kidney.expectedRate;
    expect(result.expectedRate.perSegmentWinner).toBeCloseTo(expected.perSegmentWinner, 14);
    expect(result.expectedRate.first).toBeCloseTo(expected.first, 14);
    expect(result.expectedRate.second).toBeCloseTo(expected.second, 14);
    expect(result.expectedRate.aggregateWinnerToAll).toBeCloseTo(expected.second, 14);
    expect(result.recommendation).toBe('Serve A to every segment: expected success rate 83.3% vs 77.9% serving the aggregate winner B to all.');
  });
});

describe('analyzeSegments without a paradox', () => {
  const result = analyzeSegments({ segments: examples.noParadox });
  it('matches statsmodels and finds no paradox', () => {
    result.segments.forEach((segment, i) => expectComparison(segment, fixture.segments.noParadox.segments[i]));
    expectComparison(result.aggregate, fixture.segments.noParadox.aggregate);
    expect(result.variants).toEqual(['control', 'candidate']);
    expect(result.aggregate.winner).toBe('candidate');
    expect(result.simpsonParadox).toBe(false);
    expect(result.paradoxKind).toBeNull();
    expect(result.explanation).toMatch(/^No Simpson's paradox: candidate wins overall/);
    expect(result.expectedRate.perSegmentWinner).toBeCloseTo(fixture.segments.noParadox.expectedRate.perSegmentWinner, 14);
    expect(result.recommendation).toMatch(/^Serve candidate to every segment: expected success rate 52\.0%\.$/);
  });
});

describe('analyzeSegments when the winner loses where most traffic is', () => {
  const result = analyzeSegments({ variants: ['A', 'B'], segments: examples.majority });
  it('flags the majority-of-traffic paradox and routes per segment', () => {
    result.segments.forEach((segment, i) => expectComparison(segment, fixture.segments.majority.segments[i]));
    expect(result.aggregate.winner).toBe('B');
    expect(result.paradoxKind).toBe('majority-of-traffic');
    expect(result.segmentsAgainstAggregate).toEqual(['s1', 's2']);
    expect(result.trafficShareAgainstAggregate).toBeCloseTo((1100 + 180) / 2280, 15);
    expect(result.routing.map((r) => r.serve)).toEqual(['A', 'A', 'B']);
    const expected = fixture.segments.majority.expectedRate;
    expect(result.expectedRate.perSegmentWinner).toBeCloseTo(expected.perSegmentWinner, 14);
    expect(result.expectedRate.aggregateWinnerToAll).toBeCloseTo(expected.second, 14);
    expect(result.recommendation).toMatch(/^Route per segment \('s1' → A \(not significant\), 's2' → A \(not significant\), 's3' → B \(not significant\)\): expected success rate 52\.4% vs 49\.6%/);
  });
});

describe('analyzeSegments input checks', () => {
  it('names the field and the reason', () => {
    expect(() => analyzeSegments({ segments: [] })).toThrow('segments must hold at least one segment');
    expect(() => analyzeSegments({ segments: [{ name: 'a', first: { successes: 5, total: 4 }, second: { successes: 1, total: 2 } }] }))
      .toThrow('segments[0].first.successes must be at most segments[0].first.total (4), got 5');
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
