/**
 * The encoded Flagger semantics against cases read off the flagger source (main, 2026-07):
 * pkg/controller/scheduler_metrics.go `runMetricChecks` (no values → failed check, thresholdRange
 * bounds pass), pkg/metrics/providers/prometheus.go `RunQuery` (NaN → no values),
 * pkg/controller/scheduler.go `advanceCanary` / `runCanary` / `runAB` / `runBlueGreen`
 * (failed checks counted in total, rollback at failedChecks ≥ threshold, one step per passing check).
 */
import { describe, expect, test } from 'vitest';
import { flaggerChecksToPromote, flaggerMetricPasses, flaggerOutcome } from '../../../src/engine/export/flaggerAnalysisSemantics.ts';

describe('flaggerMetricPasses', () => {
  test('an empty or NaN result fails; the range bounds pass', () => {
    const range = { name: 'error-rate-ratio', thresholdRange: { min: 0, max: 2 } };
    expect(flaggerMetricPasses(range, null)).toBe(false);
    expect(flaggerMetricPasses(range, Number.NaN)).toBe(false);
    expect([0, 2, 2.0001, -0.1].map((v) => flaggerMetricPasses(range, v))).toEqual([true, true, false, false]);
    expect(flaggerMetricPasses({ name: 'request-count', thresholdRange: { min: 100 } }, 99)).toBe(false);
  });
});

describe('flaggerOutcome', () => {
  test('threshold 1: the first quiet check rolls back (at the next tick)', () => {
    expect(flaggerOutcome({ threshold: 1, stepWeights: [5, 25, 50] }, [false, true, true, true])).toEqual({
      outcome: 'rollback',
      checks: 1,
      failedChecks: 1,
      progress: 5,
    });
  });

  test('failed checks count in total, not consecutively: a pass in between does not reset them', () => {
    expect(flaggerOutcome({ threshold: 2, stepWeights: [5, 25, 50, 75] }, [false, true, false, true, true])).toEqual({
      outcome: 'rollback',
      checks: 3,
      failedChecks: 2,
      progress: 25,
    });
  });

  test('one passing check per step weight, the one at maxWeight promotes; iterations mode needs `iterations` passes', () => {
    expect(flaggerOutcome({ threshold: 2, stepWeights: [5, 25, 50] }, [true, false, true, true])).toEqual({
      outcome: 'promote',
      checks: 4,
      failedChecks: 1,
      progress: 50,
    });
    expect(flaggerChecksToPromote({ threshold: 1, stepWeight: 10, maxWeight: 50 })).toBe(5);
    const ab = { threshold: 1, iterations: 3, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] };
    expect(flaggerOutcome(ab, [true, true])).toEqual({
      outcome: 'running',
      checks: 2,
      failedChecks: 0,
      progress: 2,
    });
    expect(flaggerOutcome(ab, [true, true, true]).outcome).toBe('promote');
  });

  test('Blue/Green (iterations without match) promotes after iterations + 1 passing checks: runBlueGreen routes all traffic to the candidate at the check that completes the iterations, and the next one promotes', () => {
    expect(flaggerChecksToPromote({ threshold: 1, iterations: 3 })).toBe(4);
    expect(flaggerChecksToPromote({ threshold: 1, iterations: 3, match: [] })).toBe(4);
    expect(flaggerChecksToPromote({ threshold: 1, iterations: 3, match: [{ headers: {} }] })).toBe(3);
    expect(flaggerOutcome({ threshold: 1, iterations: 3 }, [true, true, true])).toEqual({
      outcome: 'running',
      checks: 3,
      failedChecks: 0,
      progress: 3,
    });
    expect(flaggerOutcome({ threshold: 2, iterations: 3 }, [true, false, true, true, true])).toEqual({
      outcome: 'promote',
      checks: 5,
      failedChecks: 1,
      progress: 4,
    });
  });
});
