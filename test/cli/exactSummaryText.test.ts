/**
 * The exact answer's text (src/cli/exactSummaryText.ts) says how many nodes of the historical
 * baseline's law it used — the evaluator refines them per setting until its discretisation
 * estimate meets the tolerance (src/sim/exact/evaluateExact.ts) — and says nothing of nodes when
 * there is no law to discretise (one node: a concurrent baseline).
 */
import { describe, expect, it } from 'vitest';
import { exactSummaryText, exactSweepTableText } from '../../src/cli/exactSummaryText.ts';
import { emptyTally, exactSummary } from '../../src/sim/exact/exactTally.ts';

/** A healthy candidate rolled back with probability 0.25 (nothing worse), 1e-7 neglected. */
function summary() {
  return exactSummary({ ...emptyTally(), rollback: 0.25, promote: 0.75, falseRollback: 0.25, neglected: 1e-7 });
}

describe('exactSummaryText', () => {
  it('names the baseline law’s node count in the heading when the answer used more than one node', () => {
    const text = exactSummaryText({ scenario: 's', policy: 'p', baselineNodes: 64 }, summary());
    expect(text.split('\n')[0]).toBe(
      "scenario 's', policy 'p', exact mode (no sampling; neglected probability 1.00e-7; historical baseline's law at 64 nodes)",
    );
    expect(text).toMatch(/false-rollback rate +0\.25 +\(exact\)/);
  });

  it('says nothing of nodes for one node or when the count is not given', () => {
    for (const heading of [
      { scenario: 's', policy: 'p', baselineNodes: 1 },
      { scenario: 's', policy: 'p' },
    ])
      expect(exactSummaryText(heading, summary()).split('\n')[0]).toBe(
        "scenario 's', policy 'p', exact mode (no sampling; neglected probability 1.00e-7)",
      );
  });
});

describe('exactSweepTableText', () => {
  const heading = { scenarios: ['s'], policy: 'p', parameters: ['errorRatio'] };

  it('adds a baseline-nodes column when some setting was answered at more than one node', () => {
    const lines = exactSweepTableText(heading, [
      { setting: { errorRatio: 2 }, summary: summary(), baselineNodes: 64 },
      { setting: { errorRatio: 3 }, summary: summary(), baselineNodes: 16 },
    ]).split('\n');
    expect(
      lines[1]
        .trim()
        .split(/\s{2,}/)
        .at(-1),
    ).toBe('baseline nodes');
    expect(lines[2].trim().split(/\s+/).at(-1)).toBe('64');
    expect(lines[3].trim().split(/\s+/).at(-1)).toBe('16');
  });

  it('has no such column without a law to discretise', () => {
    const lines = exactSweepTableText(heading, [{ setting: { errorRatio: 2 }, summary: summary(), baselineNodes: 1 }]).split('\n');
    expect(lines[1]).not.toMatch(/baseline nodes/);
  });
});
