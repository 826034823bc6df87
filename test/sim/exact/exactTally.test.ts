import { describe, expect, it } from 'vitest';
import { emptyTally, exactSummary } from '../../../src/sim/exact/exactTally.ts';

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
