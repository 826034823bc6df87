import { describe, expect, it } from 'vitest';
import type { VectorTally } from '../../../src/sim/exact/exactTally.ts';
import { averageColumns, columnTally, emptyTally, emptyVectorTally, exactSummary, mergeTally } from '../../../src/sim/exact/exactTally.ts';

describe('exactSummary', () => {
  it('a world worse in every run has no false-rollback rate, whatever the rounding of total − worse', () => {
    // The same three masses summed in another order: 0.1 + 0.2 + 0.7 = 1 but 0.7 + 0.2 + 0.1 =
    // 0.9999999999999999 in doubles, so total − worse is 1.1e-16 — rounding noise, not a
    // probability of being never worse.
    const tally = { ...emptyTally(), rollback: 0.1, promote: 0.2, undecided: 0.7, worse: 0.7 + 0.2 + 0.1 };
    expect(tally.rollback + tally.promote + tally.undecided - tally.worse).toBeGreaterThan(0);
    const summary = exactSummary(tally);
    expect(summary.falseRollbackRate.rate).toBeNull();
    expect(summary.falseRollbackRate.total).toBe(0);
    expect(summary.rollbackRate.rate).toBeCloseTo(0.1, 15);
  });

  it('a small but real mass of never-worse runs keeps its rate', () => {
    // P(never worse) = 1e-6, half of it rolled back: rate 0.5.
    const tally = { ...emptyTally(), rollback: 0.5, promote: 0.5, worse: 1 - 1e-6, falseRollback: 5e-7 };
    const summary = exactSummary(tally);
    expect(summary.falseRollbackRate.total).toBeCloseTo(1e-6, 15);
    expect(summary.falseRollbackRate.rate).toBeCloseTo(0.5, 9);
  });
});

describe('averageColumns', () => {
  it('is mergeTally(columnTally(…)) of each column in order, to the last bit and in every Map’s order', () => {
    // Four columns whose first mass at each time comes in a different column than the times'
    // order in the distribution: 900 first in column 2, 300 in column 0, 600 in column 1, 1200 never.
    const vector: VectorTally = emptyVectorTally(5, 1);
    const fields = [
      'rollback',
      'promote',
      'undecided',
      'worse',
      'falseRollback',
      'missedRegression',
      'requestsServedWhileWorse',
      'usersServedWhileWorse',
      'failedRequests',
      'candidateRequests',
      'neglected',
    ] as const;
    for (const [k, field] of fields.entries()) vector[field].set([1 / (k + 3), 2 / (k + 7), 0, 3 / (k + 11), 99]);
    vector.abTests.set([0, 1 / 3, 0, 1 / 9, 99]);
    vector.candidateWins.set([0, 1 / 11, 0, 0, 99]);
    vector.controlWins.set([1 / 13, 0, 0, 0, 99]); // one column only: the others leave it absent, not 0
    vector.decisionTimes.set(900, Float64Array.from([0, 0, 1 / 3, 1 / 7, 99]));
    vector.decisionTimes.set(300, Float64Array.from([1 / 9, 0, 1 / 5, 0, 99]));
    vector.decisionTimes.set(600, Float64Array.from([0, 1 / 11, 1 / 13, 1 / 17, 99]));
    vector.decisionTimes.set(1200, Float64Array.from([0, 0, 0, 0, 99]));
    vector.detectionTimes.set(60, Float64Array.from([0, 0, 0, 1 / 19, 99]));
    vector.stages?.[0].detectionTimes.set(120, Float64Array.from([0, 1 / 23, 1 / 29, 0, 99]));
    for (const stage of vector.stages ?? []) {
      stage.reached.set([1, 1 / 3, 1 / 5, 1 / 7, 99]);
      stage.rollback.set([1 / 7, 0, 1 / 9, 1 / 3, 99]);
      stage.falseRollback.set([0, 1 / 11, 1 / 13, 0, 99]);
      stage.requestsServedWhileWorse.set([10 / 3, 0, 1, 1 / 3, 99]);
      stage.usersServedWhileWorse.set([1 / 3, 2 / 3, 0, 1 / 17, 99]);
    }
    // Columns 1–4 of the five (the last, 99, is another setting's), weighted as a node law.
    const weights = [0.1, 0.2 + 1 / 30, 1 / 3, 1 - 0.1 - (0.2 + 1 / 30) - 1 / 3];
    const expected = emptyTally();
    for (const [j, weight] of weights.entries()) mergeTally(expected, columnTally(vector, j), weight);
    const averaged = averageColumns(vector, 0, weights);
    expect(averaged).toEqual(expected); // Object.is per number
    expect([...averaged.decisionTimes]).toEqual([...expected.decisionTimes]); // the same insertion order
    expect([...averaged.decisionTimes.keys()]).toEqual([300, 600, 900]);
    expect(averaged.decisionTimes.get(300)).toBe(0.1 * (1 / 9) + (1 / 3) * (1 / 5));
    expect(averaged.abTests).toBe((0.2 + 1 / 30) * (1 / 3) + weights[3] * (1 / 9));
    expect([...(averaged.stages?.[0].detectionTimes ?? [])]).toEqual([...(expected.stages?.[0].detectionTimes ?? [])]);
  });
});
