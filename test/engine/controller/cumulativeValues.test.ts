/**
 * Cumulative A/B metric values (`ArmWindow.valuesSince`, issue 15): the stage totals are REPLACED
 * by the latest cumulative window (per-user totals since the stage started, the user being the
 * unit over the whole test), ADDED for per-window values; cumulative values that start after the
 * A/B stage or go backwards are refused with a hold naming the field.
 *
 * The sums and reference statistics are scripts/reference/ab_metrics.py's section 1 (the same
 * numbers abMetrics.test.ts pins for the additive form): the cumulative form sends after window 2
 * the sums over both windows, so it must reach the same z and p.
 */
import { describe, expect, it } from 'vitest';
import { initialState } from '../../../src/engine/controller/controllerState.ts';
import { step } from '../../../src/engine/controller/step.ts';
import type { WindowMetrics } from '../../../src/engine/metrics/windowMetrics.ts';
import type { BivariateSums } from '../../../src/engine/stats/bivariateMoments.ts';
import { metricsPolicy } from '../../helpers/abMetricsPolicy.ts';

// scripts/reference/ab_metrics.py, section 1: tokens per user, two windows of 500 users per arm.
const control1 = { count: 500, sumX: 50315.134164715535, sumY: 0, sumXSquares: 5282399.676784842, sumYSquares: 0, sumXY: 0 };
const candidate1 = { count: 500, sumX: 50994.16679664001, sumY: 0, sumXSquares: 5385954.959195054, sumYSquares: 0, sumXY: 0 };
const control2 = { count: 500, sumX: 50106.210233078484, sumY: 0, sumXSquares: 5226782.23671606, sumYSquares: 0, sumXY: 0 };
const candidate2 = { count: 500, sumX: 51216.567165692075, sumY: 0, sumXSquares: 5442472.428089401, sumYSquares: 0, sumXY: 0 };

function add(a: BivariateSums, b: BivariateSums): BivariateSums {
  return {
    count: a.count + b.count,
    sumX: a.sumX + b.sumX,
    sumY: a.sumY + b.sumY,
    sumXSquares: a.sumXSquares + b.sumXSquares,
    sumYSquares: a.sumYSquares + b.sumYSquares,
    sumXY: a.sumXY + b.sumXY,
  };
}

const policy = metricsPolicy({ metrics: [{ name: 'tokens', kind: 'mean', role: 'success', minimumEffect: 4 }] });

/** Window k of 5 minutes; `since` = valuesSince (undefined: additive values). */
function window(k: number, control: BivariateSums, candidate: BivariateSums, since?: number, errors = 0): WindowMetrics {
  const arm = (tokens: BivariateSums) => ({
    requests: 1000,
    errors,
    timeouts: 0,
    values: { tokens },
    ...(since === undefined ? {} : { valuesSince: since }),
  });
  return { startTime: 300 * k, duration: 300, control: arm(control), candidate: arm(candidate) };
}

function run(windows: WindowMetrics[]) {
  const state = initialState(policy, 0);
  const results = windows.map((w) => step(state, [w], policy));
  return { state, results, decisions: results.map((result) => result.decision) };
}

describe('cumulative metric values replace the stage totals', () => {
  it('the cumulative form (window 2 sends both windows’ users) reaches the additive form’s z and p', () => {
    const additive = run([window(0, control1, candidate1), window(1, control2, candidate2)]);
    const cumulative = run([window(0, control1, candidate1, 0), window(1, add(control1, control2), add(candidate1, candidate2), 0)]);
    expect(cumulative.decisions).toEqual(['continue', 'advance']);
    expect(additive.decisions).toEqual(['continue', 'advance']);
    const verdict = cumulative.results[1].reasons.find((reason) => reason.metric === 'tokens')!;
    // ab_metrics.py: z after window 2 = 1.9919821318159292, one-sided p = 0.023186509208462436.
    expect(verdict.statistic).toBeCloseTo(1.9919821318159292, 9);
    expect(verdict.pValue).toBeCloseTo(0.023186509208462436, 9);
  });

  it('the totals hold the latest cumulative sums (replaced), the additive ones their sum (added)', () => {
    // The same cumulative window twice: replaced, 500 units; added, 1,000.
    const cumulative = run([window(0, control1, candidate1, 0), window(1, control1, candidate1, 0)]);
    expect(cumulative.state.stageControl.values?.tokens).toEqual(control1);
    expect(cumulative.state.stageControl.valuesSince).toBe(0);
    expect(cumulative.state.stageControl.requests).toBe(2000);
    const additive = run([window(0, control1, candidate1), window(1, control1, candidate1)]);
    expect(additive.state.stageControl.values?.tokens).toEqual(add(control1, control1));
  });
});

describe('cumulative values the engine refuses (hold, naming valuesSince)', () => {
  it('values accumulated since after the A/B stage started', () => {
    // The stage started at 0 (initialState(policy, 0)); values since 300 miss its first window's users.
    const { state, results, decisions } = run([window(0, control1, candidate1, 300)]);
    expect(decisions).toEqual(['hold']);
    const reason = results[0].reasons.find((r) => r.metric === 'valuesSince');
    expect(reason?.rule).toBe('missingData');
    expect(reason?.message).toBe(
      "A/B metric values refused: control.valuesSince 300 is after the A/B stage's start 0: cumulative values must cover the whole stage (hold)",
    );
    // The values were not taken; the window's counts were (the guardrails ran on them).
    expect(state.stageControl.values).toBeUndefined();
    expect(state.stageControl.requests).toBe(1000);
  });

  it('values that go backwards (a count smaller than the previous window’s)', () => {
    // Half of the first window's candidate users: 250 units after 500.
    const half = Object.fromEntries(Object.entries(candidate1).map(([key, value]) => [key, value / 2])) as unknown as BivariateSums;
    const { state, results, decisions } = run([window(0, control1, candidate1, 0), window(1, add(control1, control2), half, 0)]);
    expect(decisions).toEqual(['continue', 'hold']);
    expect(results[1].reasons.find((r) => r.metric === 'valuesSince')?.message).toBe(
      'A/B metric values refused: candidate.values.tokens.count 250 is smaller than the previous cumulative count 500: cumulative values (valuesSince) cannot go backwards (hold)',
    );
    expect(state.stageCandidate.values?.tokens).toEqual(candidate1);
    expect(state.stageControl.values?.tokens).toEqual(control1);
  });

  it('per-window values after cumulative ones, and an accumulation that restarts within the stage', () => {
    const mixed = run([window(0, control1, candidate1, 0), window(1, control2, candidate2)]);
    expect(mixed.decisions).toEqual(['continue', 'hold']);
    expect(mixed.results[1].reasons.find((r) => r.metric === 'valuesSince')?.message).toBe(
      'A/B metric values refused: control.valuesSince is missing after cumulative values since 0 in this stage: per-window values cannot be added to cumulative ones (hold)',
    );
    expect(mixed.state.stageControl.values?.tokens).toEqual(control1);
    const restarted = run([window(0, control1, candidate1, 0), window(1, add(control1, control2), add(candidate1, candidate2), -300)]);
    expect(restarted.decisions).toEqual(['continue', 'hold']);
    expect(restarted.results[1].reasons.find((r) => r.metric === 'valuesSince')?.message).toBe(
      "A/B metric values refused: control.valuesSince -300 differs from the stage's earlier cumulative values (since 0): the accumulation must not restart within the stage (hold)",
    );
  });

  it('a refused window’s guardrails still roll back', () => {
    const { decisions } = run([window(0, control1, candidate1, 300, 900)]);
    expect(decisions).toEqual(['rollback']);
  });
});
