/**
 * Cumulative per-user metric values (`ArmWindow.valuesSince`, issue 15) in both fidelity modes:
 * each A/B window reports, per arm and metric, the sums over the users seen since the stage
 * started of each user's totals since then. Checked against the same replicate drawn with
 * user-window units (`valueUnits: 'userWindow'`, the additive form), which makes the same draws
 * for per-request and ratio metrics: the cumulative ΣX, ΣY after the last window are the user-window
 * sums added over the windows, the unit count is the number of distinct users (fewer than the
 * user-windows when users return), and a new stage starts the totals afresh.
 */
import { describe, expect, it } from 'vitest';
import type { WindowMetrics } from '../../src/engine/metrics/windowMetrics.ts';
import { streamFor } from '../../src/engine/random/streams.ts';
import type { ValueUnits } from '../../src/sim/metricValuesWindow.ts';
import type { FidelityMode } from '../../src/sim/windowRequest.ts';
import { orderStatisticsWindows } from '../../src/sim/windowsOrderStatistics.ts';
import { perRequestWindows } from '../../src/sim/windowsPerRequest.ts';
import { abRequest, valuesOf, valuesWorld } from './metricValuesHarness.ts';

const tokens = { kind: 'perRequest', value: { kind: 'lognormal', median: 300, sigma: 0.5 }, userEffectSigma: 0.6 };
const cost = { kind: 'ratio', numerator: { kind: 'gamma', shape: 2, scale: 0.5 }, denominator: { kind: 'poisson', mean: 3 } };
// 200 users, ~600 requests per 5-minute window: most users come back in every window.
const world = valuesWorld({ tokens, cost }, { tokens, cost }, { requestsPerSecond: 2, users: { count: 200 } });

/** Windows of one replicate: `stageStarts[w]` is the stage start given with window w. */
function windows(mode: FidelityMode, units: ValueUnits, stageStarts: number[]): WindowMetrics[] {
  const random = streamFor(41, 0);
  const generator = mode === 'request' ? perRequestWindows(world, random, units) : orderStatisticsWindows(world, random, units);
  const request = abRequest(world, 300);
  return stageStarts.map((stageStart, w) => {
    request.start = 300 * w;
    request.stageStart = stageStart;
    return generator.next(request);
  });
}

describe.each(['window', 'request'] as const)('cumulative values (%s mode)', (mode) => {
  const stage = [0, 0, 0, 0];
  const cumulative = windows(mode, 'user', stage);
  const perWindow = windows(mode, 'userWindow', stage);

  it('each window says since when (the stage start); user-window values say nothing', () => {
    for (const window of cumulative) {
      expect(window.control?.valuesSince).toBe(0);
      expect(window.candidate?.valuesSince).toBe(0);
    }
    for (const window of perWindow) expect(window.control?.valuesSince).toBeUndefined();
  });

  it.each(['control', 'candidate'] as const)('%s: the last window holds every user’s totals since the stage start', (arm) => {
    for (const name of ['tokens', 'cost']) {
      const last = valuesOf(cumulative[cumulative.length - 1][arm])[name];
      const added = perWindow.map((window) => valuesOf(window[arm])[name]);
      const sum = (key: 'count' | 'sumX' | 'sumY' | 'sumXSquares') => added.reduce((total, sums) => total + sums[key], 0);
      // The same draws: the users' totals add up to the user-windows' (rounding of running updates only).
      expect(last.sumX).toBeCloseTo(sum('sumX'), 6);
      expect(last.sumY).toBeCloseTo(sum('sumY'), 6);
      // Users come back: fewer units than user-windows, at most the arm's share of the 200 users,
      // and (x₁ + x₂)² > x₁² + x₂² for positive totals.
      expect(last.count).toBeLessThan(sum('count'));
      expect(last.count).toBeLessThanOrEqual(200);
      expect(last.count).toBeGreaterThanOrEqual(Math.max(...added.map((sums) => sums.count)));
      expect(last.sumXSquares).toBeGreaterThan(sum('sumXSquares'));
      // Counts never go backwards within the stage.
      const counts = cumulative.map((window) => valuesOf(window[arm])[name].count);
      for (let w = 1; w < counts.length; w++) expect(counts[w]).toBeGreaterThanOrEqual(counts[w - 1]);
    }
  });

  it('a new stage starts the totals afresh, since its start', () => {
    const restarted = windows(mode, 'user', [0, 0, 600, 600]);
    const userWindows = windows(mode, 'userWindow', [0, 0, 600, 600]);
    expect(restarted[2].control?.valuesSince).toBe(600);
    expect(valuesOf(restarted[2].control).tokens.count).toBe(valuesOf(userWindows[2].control).tokens.count);
    expect(valuesOf(restarted[2].control).tokens.sumX).toBeCloseTo(valuesOf(userWindows[2].control).tokens.sumX, 6);
  });
});
