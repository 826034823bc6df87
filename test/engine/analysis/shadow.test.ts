import { describe, expect, it } from 'vitest';
import type { ShadowPair } from '../../../src/engine/analysis/shadow.ts';
import {
  analyzeShadow,
  exactMatch,
  jaccardSimilarity,
  numericTolerance,
  tokenize,
  tokenOverlap,
} from '../../../src/engine/analysis/shadow.ts';
import fixture from '../../fixtures/analysis.json';

// Wilson intervals: statsmodels 0.13.5 proportion_confint(..., method='wilson'); p95 latencies:
// numpy np.quantile (type 7) — both from scripts/reference/analysis.py (calls in the fixture).

describe('comparison functions', () => {
  it('exactMatch compares structurally', () => {
    expect(exactMatch('yes', 'yes')).toBe(true);
    expect(exactMatch('yes', 'Yes')).toBe(false);
    expect(exactMatch({ label: 'cat', scores: [1, 2] }, { scores: [1, 2], label: 'cat' })).toBe(true);
    expect(exactMatch({ label: 'cat' }, { label: 'cat', extra: 1 })).toBe(false);
    expect(exactMatch([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(exactMatch(NaN, NaN)).toBe(false);
    expect(exactMatch(null, {})).toBe(false);
  });

  it('numericTolerance follows math.isclose (symmetric, max of relative and absolute)', () => {
    const relative = numericTolerance({ relative: 0.01 });
    expect(relative(100, 101)).toBe(true); // |1| ≤ 0.01·101
    expect(relative(100, 101.1)).toBe(false);
    expect(relative(0, 1e-300)).toBe(false);
    const both = numericTolerance({ absolute: 0.5, relative: 0.001 });
    expect(both(0, 0.5)).toBe(true);
    expect(both(0, 0.51)).toBe(false);
    expect(both(Infinity, Infinity)).toBe(true);
    expect(both(NaN, NaN)).toBe(false);
    expect(() => numericTolerance({})).toThrow(/absolute or relative/);
    expect(() => numericTolerance({ absolute: -1 })).toThrow('absolute must be a finite number ≥ 0, got -1');
  });

  it('tokenOverlap is the Jaccard index of word tokens', () => {
    expect(tokenize('Hello, World! hello-world')).toEqual(['hello', 'world', 'hello', 'world']);
    // {the, cat, sat} vs {the, cat, sat, down}: 3/4.
    expect(jaccardSimilarity('The cat sat.', 'the cat sat down')).toBe(0.75);
    expect(jaccardSimilarity('', '  ...')).toBe(1);
    expect(jaccardSimilarity('a', '')).toBe(0);
    expect(tokenOverlap(0.75)('The cat sat.', 'the cat sat down')).toBe(true);
    expect(tokenOverlap(0.8)('The cat sat.', 'the cat sat down')).toBe(false);
    expect(() => tokenOverlap(1.5)).toThrow('threshold must be between 0 and 1, got 1.5');
  });
});

const healthy = {
  agreements: 900,
  compared: 1000,
  control: { requests: 1000, errors: 5, latencyP95: 100 },
  candidate: { requests: 1000, errors: 8, latencyP95: 120 },
};

describe('analyzeShadow from counts', () => {
  it('promotes to canary when every gate passes, with the Wilson interval', () => {
    const result = analyzeShadow(healthy);
    expect(result.recommendation).toBe('PROMOTE_TO_CANARY');
    expect(result.agreementRate).toBe(0.9);
    const [lower, upper] = fixture.shadowWilson[0].value; // proportion_confint(900, 1000, method='wilson')
    expect(result.agreementInterval.lower).toBeCloseTo(lower, 13);
    expect(result.agreementInterval.upper).toBeCloseTo(upper, 13);
    expect(result.latencyRatio).toBeCloseTo(1.2, 15);
    expect(result.errorRatio).toBeCloseTo(1.6, 15);
    expect(result.gates.every((g) => g.passed)).toBe(true);
    expect(result.summary).toBe(
      'All shadow gates pass: agreement 90.0% (95% CI 88.0%–91.7%) over 1000 comparisons, p95 ratio 1.2×, error ratio 1.6×; start the canary.',
    );
  });

  it('asks for more data below the minimum number of comparisons', () => {
    const result = analyzeShadow({ ...healthy, agreements: 999, compared: 999 });
    expect(result.recommendation).toBe('INSUFFICIENT_DATA');
    expect(result.summary).toMatch(/^Only 999 comparisons, fewer than the 1000 required/);
  });

  it('puts errors first, then disagreement, then latency', () => {
    expect(analyzeShadow({ ...healthy, candidate: { ...healthy.candidate, errors: 10 } }).recommendation).toBe('FIX_ERRORS'); // ratio exactly 2
    const disagree = analyzeShadow({ ...healthy, agreements: 820, compared: 1200, candidate: { ...healthy.candidate, latencyP95: 200 } });
    expect(disagree.recommendation).toBe('INVESTIGATE_DISAGREEMENT');
    const [lower, upper] = fixture.shadowWilson[1].value; // proportion_confint(820, 1200, method='wilson')
    expect(disagree.agreementInterval.lower).toBeCloseTo(lower, 13);
    expect(disagree.agreementInterval.upper).toBeCloseTo(upper, 13);
    expect(disagree.summary).toContain('agreement 68.3% (95% CI 65.6%–70.9%) over 1200 comparisons, not above the required 85.0%');
    expect(analyzeShadow({ ...healthy, agreements: 850 }).recommendation).toBe('INVESTIGATE_DISAGREEMENT'); // 85 % is not > 85 %
    const slow = analyzeShadow({ ...healthy, candidate: { ...healthy.candidate, latencyP95: 150 } });
    expect(slow.recommendation).toBe('OPTIMIZE_LATENCY');
    expect(slow.summary).toBe("Candidate p95 latency 150 ms is 1.5× the control's 100 ms (limit 1.5×); optimise latency before a canary.");
  });

  it('does not let an error-free control make one candidate error infinitely worse', () => {
    const result = analyzeShadow({
      ...healthy,
      control: { ...healthy.control, errors: 0 },
      candidate: { ...healthy.candidate, errors: 1 },
    });
    expect(result.errorRatio).toBe(1); // 0.001 / max(0, 1/1000)
    expect(result.recommendation).toBe('PROMOTE_TO_CANARY');
    expect(
      analyzeShadow({ ...healthy, control: { ...healthy.control, errors: 0 }, candidate: { ...healthy.candidate, errors: 2 } })
        .recommendation,
    ).toBe('FIX_ERRORS');
  });

  it('takes thresholds as parameters', () => {
    const result = analyzeShadow({ ...healthy, thresholds: { minAgreement: 0.95, minComparisons: 100 } });
    expect(result.recommendation).toBe('INVESTIGATE_DISAGREEMENT');
    expect(result.thresholds).toEqual({ minAgreement: 0.95, maxLatencyRatio: 1.5, maxErrorRatio: 2, minComparisons: 100 });
  });

  it('rejects inconsistent input naming the field', () => {
    expect(() => analyzeShadow({ ...healthy, agreements: 1001 })).toThrow('agreements must be at most compared (1000), got 1001');
    expect(() => analyzeShadow({ ...healthy, control: undefined })).toThrow('control is required when pairs are not given');
    expect(() => analyzeShadow({ ...healthy, candidate: { ...healthy.candidate, errors: 2000 } })).toThrow(
      /candidate.errors must be at most/,
    );
    expect(() => analyzeShadow({ ...healthy, thresholds: { maxLatencyRatio: 0 } })).toThrow(
      'thresholds.maxLatencyRatio must be greater than 0, got 0',
    );
    expect(() => analyzeShadow({ ...healthy, pairs: [] })).toThrow(/either pairs or the counts/);
  });
});

describe('analyzeShadow from per-request pairs', () => {
  const { control, candidate } = fixture.shadowLatencies;
  // 1200 requests: answers disagree on every 10th request, the candidate errors on every 100th.
  const pairs: ShadowPair<string>[] = control.map((latency, i) => ({
    id: `r${i}`,
    control: { output: `answer ${i}`, latencyMs: latency },
    candidate:
      i % 100 === 99
        ? { latencyMs: candidate[i], error: true }
        : { output: i % 10 === 3 ? `other ${i}` : `answer ${i}`, latencyMs: candidate[i] },
  }));

  it('counts agreements, errors and p95 from the pairs', () => {
    const result = analyzeShadow({ pairs, maxExamples: 3 });
    expect(result.compared).toBe(1188);
    expect(result.agreements).toBe(1188 - 120);
    expect(result.candidate.errors).toBe(12);
    expect(result.control.latencyP95).toBe(fixture.shadowP95[0].value); // np.quantile(control, 0.95)
    expect(result.candidate.latencyP95).toBeCloseTo(fixture.shadowP95[1].value, 10); // np.quantile(candidate, 0.95)
    expect(result.recommendation).toBe('FIX_ERRORS'); // 12 errors vs an error-free control (floor 1/1200): ratio 12
    expect(result.disagreements?.map((p) => p.id)).toEqual(['r3', 'r13', 'r23']);
  });

  it('lists the slowest requests relative to control as latency outliers', () => {
    const result = analyzeShadow({ pairs, maxExamples: 4 });
    const ratios = control.map((c, i) => candidate[i] / c);
    const expectedCount = ratios.filter((r) => r >= 1.5).length;
    expect(expectedCount).toBeGreaterThan(0);
    expect(result.latencyOutlierCount).toBe(expectedCount);
    expect(result.latencyOutliers?.map((o) => o.latencyRatio)).toEqual([...ratios].sort((a, b) => b - a).slice(0, 4));
  });

  it('uses the given comparison', () => {
    const lenient = analyzeShadow({ pairs, comparison: tokenOverlap(0.3) }); // 'answer i' vs 'other i' share 1 of 3 tokens
    expect(lenient.agreements).toBe(1188);
    expect(() => analyzeShadow({ pairs: [{ control: { latencyMs: -1 }, candidate: { latencyMs: 1 } }] })).toThrow(
      'pairs[0].control.latencyMs must be a finite number ≥ 0, got -1',
    );
  });
});
