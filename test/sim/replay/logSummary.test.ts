import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseColumnMapping } from '../../../src/sim/replay/columnMapping.ts';
import { parseErrorRule } from '../../../src/sim/replay/errorRule.ts';
import type { GroupSummary } from '../../../src/sim/replay/logSummary.ts';
import { hourOfDayCoverage, summarizeLog } from '../../../src/sim/replay/logSummary.ts';
import type { ParseLogOptions } from '../../../src/sim/replay/parseLog.ts';
import { parseLog } from '../../../src/sim/replay/parseLog.ts';

const fixtures = new URL('../../fixtures/logs/', import.meta.url);
/**
 * scripts/reference/replay.py: per group, `errorRateInterval` from statsmodels 0.13.5
 * proportion_confint(errors, n, alpha=0.05, method='wilson') and `latencyQuantiles` from
 * numpy 1.24 np.quantile(latencies, [0.5, 0.9, 0.95, 0.99]) (linear, R type 7), each with its call.
 */
const expected = JSON.parse(readFileSync(new URL('expected.json', fixtures), 'utf8'));

function options(log: any): ParseLogOptions {
  return {
    mapping: parseColumnMapping(log.mapping),
    latencyUnit: log.latencyUnit,
    ...(log.errorWhen ? { errorRule: parseErrorRule(log.errorWhen) } : {}),
  };
}

function checkGroup(actual: GroupSummary, reference: any): void {
  expect(actual.requests).toBe(reference.requests);
  expect(actual.errors).toBe(reference.errors);
  expect(actual.errorRate).toBeCloseTo(reference.errors / reference.requests, 15);
  expect(actual.errorRateInterval.lower).toBeCloseTo(reference.errorRateInterval[0], 12);
  expect(actual.errorRateInterval.upper).toBeCloseTo(reference.errorRateInterval[1], 12);
  expect(actual.latency!.count).toBe(reference.latencyCount);
  expect(actual.latency!.mean).toBeCloseTo(reference.latencyMean, 9);
  actual.latency!.quantiles.forEach(({ value }, i) => {
    expect(value).toBeCloseTo(reference.latencyQuantiles[i], 9);
  });
  expect(actual.sketch.count).toBe(reference.latencyCount);
}

/** DDSketch guarantee (relative accuracy 1%): within 1% of the order statistic of rank ⌊q(n − 1)⌋. */
function checkSketch(group: GroupSummary, latencies: number[]): void {
  const sorted = latencies.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  for (const q of [0.1, 0.5, 0.9, 0.95, 0.99]) {
    const exact = sorted[Math.floor(q * (sorted.length - 1))];
    expect(Math.abs(group.sketch.quantile(q) - exact)).toBeLessThanOrEqual(0.01 * exact * (1 + 1e-12));
  }
}

describe('summarizeLog against numpy / statsmodels (scripts/reference/replay.py)', () => {
  for (const key of ['csv', 'jsonl'] as const) {
    it(`summarises the ${key} fixture per model, per segment and overall`, () => {
      const reference = expected[key];
      const text = readFileSync(new URL(reference.file, fixtures), 'utf8');
      const log = parseLog(text, options(reference));
      const summary = summarizeLog(log);
      checkGroup(summary.overall, reference.overall);
      checkSketch(summary.overall, Array.from(log.latencies));
      for (const group of summary.byModel) {
        const code = log.model!.values.indexOf(group.key);
        checkSketch(
          group,
          Array.from(log.latencies).filter((_, i) => log.model!.codes[i] === code),
        );
      }
      expect(summary.byModel.map((g) => g.key).sort()).toEqual(Object.keys(reference.byModel).sort());
      for (const group of summary.byModel) checkGroup(group, reference.byModel[group.key]);
      expect(summary.bySegment.map((g) => g.key).sort()).toEqual(Object.keys(reference.bySegment).sort());
      for (const group of summary.bySegment) checkGroup(group, reference.bySegment[group.key]);
      // Most requests first.
      expect(summary.byModel[0].requests).toBeGreaterThanOrEqual(summary.byModel[1].requests);
      expect(summary.arrivalsByHour.map((h) => h.requests)).toEqual(reference.hourlyCounts);
      expect(summary.timeSpan).toEqual({
        start: new Date(reference.start).toISOString(),
        end: new Date(reference.end).toISOString(),
        durationSeconds: (reference.end - reference.start) / 1000,
      });
      const covered = summary.arrivalsByHour.reduce((sum, h) => sum + h.coveredSeconds, 0);
      expect(covered).toBeCloseTo(summary.timeSpan!.durationSeconds, 6);
    });
  }
});

describe('hourOfDayCoverage', () => {
  it('spreads a span over the UTC hours of the day', () => {
    // 22:30 on day 0 to 01:15 on day 1: 30 min of hour 22, 60 of 23, 60 of 0, 15 of 1.
    const start = Date.UTC(2024, 2, 4, 22, 30);
    const end = Date.UTC(2024, 2, 5, 1, 15);
    const coverage = Array.from(hourOfDayCoverage(start, end));
    expect(coverage[22]).toBe(1800);
    expect(coverage[23]).toBe(3600);
    expect(coverage[0]).toBe(3600);
    expect(coverage[1]).toBe(900);
    expect(coverage.reduce((a, b) => a + b, 0)).toBe(9900);
    // Two full days: every hour covered twice.
    expect(Array.from(hourOfDayCoverage(Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 3)))).toEqual(new Array(24).fill(7200));
  });
});

describe('summarizeLog edge cases', () => {
  it('reports rates per covered second and null where the span is empty', () => {
    const text = 'ts,ms,status\n2024-03-05T10:00:00Z,1,200\n2024-03-05T10:30:00Z,3,500\n2024-03-05T11:00:00Z,,200\n';
    const summary = summarizeLog(parseLog(text, { mapping: parseColumnMapping('timestamp=ts,latency=ms,status=status') }));
    expect(summary.overall.requests).toBe(3);
    expect(summary.overall.latency!.count).toBe(2);
    expect(summary.overall.latency!.quantiles[0]).toEqual({ probability: 0.5, value: 2 });
    expect(summary.arrivalsByHour[10]).toEqual({ hour: 10, requests: 2, coveredSeconds: 3600, requestsPerSecond: 2 / 3600 });
    expect(summary.arrivalsByHour[11]).toEqual({ hour: 11, requests: 1, coveredSeconds: 0, requestsPerSecond: null });
    expect(summary.requestsPerSecond).toBe(3 / 3600);
    expect(summary.byModel).toEqual([]);
    expect(summary.users).toBeNull();
  });
  it('gives null latency statistics when no row has a latency', () => {
    const summary = summarizeLog(
      parseLog('ts,ms,status\n1709596800,,OK\n', { mapping: parseColumnMapping('timestamp=ts,latency=ms,status=status') }),
    );
    expect(summary.overall.latency).toBeNull();
    expect(summary.requestsPerSecond).toBeNull();
  });
});
