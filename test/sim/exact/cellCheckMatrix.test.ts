/**
 * The shared matrix of a historical check (src/sim/exact/cellCheckMatrix.ts) on hand-made rows,
 * each expected value worked out beside it from the module's formula
 *   c(n, cell) = other(n) · (atLow + Σ_{β ≤ from} jump + Σ_{from < β < to} jump·(to − β)/(to − from)).
 * The check laws behind real rows are tested against brute force in healthCheckLaw.test.ts and
 * pinned end to end in labCurveValues.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { CheckRow, RatesBelow } from '../../../src/sim/exact/cellCheckMatrix.ts';
import { CellCheckMatrix } from '../../../src/sim/exact/cellCheckMatrix.ts';

/**
 * Rows with other(n) = n/1000, P(pass at low) 0.2, steps at rates 0.2 (jump 0.3) and 0.8 (jump 0.2),
 * 1e-13 left out, and a rate law P(R < r) = r/2: the steps at β = 0.1 and 0.4. Counts the rows
 * built and the ranges of steps converted.
 */
function handRows(): { rowAt: (n: number) => CheckRow; below: RatesBelow; built: number[]; converted: [number, number][] } {
  const built: number[] = [];
  const converted: [number, number][] = [];
  return {
    built,
    converted,
    rowAt: (n) => {
      built.push(n);
      return { other: n / 1000, atLow: 0.2, rates: [0.2, 0.8], jumps: [0.3, 0.2], neglected: 1e-13 };
    },
    below: (values, from, to) => {
      converted.push([from, to]);
      for (let i = from; i < to; i++) values[i] /= 2;
    },
  };
}

/** A rate law that is the identity: the rows' rates are their β. */
const identity: RatesBelow = () => {};

describe('CellCheckMatrix', () => {
  it('sums a window over request counts across a block boundary, holding below the minimum', () => {
    const rows = handRows();
    const matrix = new CellCheckMatrix(rows.rowAt, rows.below, 255, [0, 1]);
    // n = 254 … 257 with probabilities 0.1 … 0.4 (256 starts a new block); n = 254 < 255 holds.
    const law = { first: 254, pmf: [0.1, 0.2, 0.3, 0.4] };
    // Cell [0.25, 0.5]: β = 0.1 ≤ 0.25 counts whole (0.3); β = 0.4 counts (0.5 − 0.4)/0.25 = 0.4 of 0.2 = 0.08:
    // c(n) = n/1000 · (0.2 + 0.3 + 0.08) = 0.58·n/1000; pass = 0.58·(0.2·0.255 + 0.3·0.256 + 0.4·0.257) = 0.58·0.2306.
    const check = matrix.window(law, 0.25, 0.5);
    expect(check.hold).toBeCloseTo(0.1, 15);
    expect(check.checked).toBeCloseTo(0.9, 15);
    expect(check.pass).toBeCloseTo(0.133748, 15);
    expect(check.neglected).toBeCloseTo(0.9e-13, 25);
    // Rows are built a block (256 counts) at a time, from the minimum: 255, then 256 … 511.
    expect(rows.built).toEqual(Array.from({ length: 257 }, (_, i) => 255 + i));
    // Each block's steps (2 a row) turned into β in one call: row 255's, then rows 256 … 511's.
    expect(rows.converted).toEqual([
      [0, 2],
      [2, 514],
    ]);
  });

  it('reads other cells and other windows from the rows it has, building each row once', () => {
    const rows = handRows();
    const matrix = new CellCheckMatrix(rows.rowAt, rows.below, 1, [0, 1]);
    matrix.window({ first: 300, pmf: [0.5, 0.5] }, 0.25, 0.5);
    // Cell [0, 0.1]: no step below 0.1 → c(n) = n/1000 · 0.2; pass = 0.5·0.06 + 0.5·0.0602.
    expect(matrix.window({ first: 300, pmf: [0.5, 0.5] }, 0, 0.1).pass).toBeCloseTo(0.0601, 15);
    // Cell [0.05, 0.45] (width 0.4): β = 0.1 counts (0.45 − 0.1)/0.4 = 0.875 of 0.3, β = 0.4 counts 0.125 of 0.2:
    // c(301) = 0.301 · (0.2 + 0.2625 + 0.025) = 0.301·0.4875; c(302) = 0.302·0.4875; weights 0.25, 0.75.
    const shifted = matrix.window({ first: 301, pmf: [0.25, 0.75] }, 0.05, 0.45);
    expect(shifted.pass).toBeCloseTo(0.4875 * (0.25 * 0.301 + 0.75 * 0.302), 15);
    // A window in the same block (256 … 511) and one in the block below (1 … 255): each row built once.
    matrix.window({ first: 299, pmf: [1] }, 0.25, 0.5);
    expect(matrix.window({ first: 100, pmf: [1] }, 0.25, 0.5).pass).toBeCloseTo(0.1 * 0.58, 15);
    expect([...rows.built].sort((a, b) => a - b)).toEqual(Array.from({ length: 511 }, (_, i) => 1 + i));
  });

  it("counts the cell's part outside the rate's range as neglected", () => {
    // tails [P(R < low), P(R ≤ high)] = [0.3, 0.9]: of the cell [0.25, 0.5], 0.05 lies below the range (0.2 of it);
    // of [0.8, 1], 0.1 lies above (0.5 of it).
    const rows = handRows();
    const matrix = new CellCheckMatrix(rows.rowAt, rows.below, 1, [0.3, 0.9]);
    expect(matrix.window({ first: 10, pmf: [1] }, 0.25, 0.5).neglected).toBeCloseTo(0.2 + 1e-13, 15);
    expect(matrix.window({ first: 10, pmf: [1] }, 0.8, 1).neglected).toBeCloseTo(0.5 + 1e-13, 15);
  });

  it('gives a cell the same value to the last bit whatever cells were asked before (the buckets differ)', () => {
    // Rows with a dozen steps at scattered β and uneven jumps, so that regrouping the sums would round differently.
    const rowAt = (n: number): CheckRow => {
      const below = Array.from({ length: 12 }, (_, x) => ((n * 0.6180339887 + x * 0.137) % 1) * 0.999).sort((a, b) => a - b);
      return { other: 1 / (1 + (n % 7)), atLow: 0.01 * (n % 5), rates: below, jumps: below.map((_, x) => 1 / (x + 3 + n)), neglected: 0 };
    };
    const law = { first: 100, pmf: Array.from({ length: 300 }, (_, i) => (i + 1) / 45150) };
    const cells = Array.from({ length: 16 }, (_, j) => [j / 16, (j + 1) / 16] as const);
    const alone = new CellCheckMatrix(rowAt, identity, 1, [0, 1]);
    const values = cells.map(([from, to]) => new CellCheckMatrix(rowAt, identity, 1, [0, 1]).window(law, from, to).pass);
    // One matrix asked every cell, plus the cells of a coarser and a finer node set, in another order.
    const crowded = new CellCheckMatrix(rowAt, identity, 1, [0, 1]);
    for (let j = 0; j < 40; j++) crowded.window(law, j / 40, (j + 1) / 40);
    for (let j = 3; j >= 0; j--) crowded.window(law, j / 4, (j + 1) / 4);
    cells.forEach(([from, to], j) => {
      expect(crowded.window(law, from, to).pass, `cell ${j}`).toBe(values[j]);
      expect(alone.window(law, from, to).pass, `cell ${j}`).toBe(values[j]);
    });
    expect(values[5]).toBeGreaterThan(0);
  });

  it('a row whose other rules never pass passes nothing, whatever its steps', () => {
    const matrix = new CellCheckMatrix(() => ({ other: 0, atLow: 1, rates: [0.5], jumps: [1], neglected: 0 }), identity, 1, [0, 1]);
    const check = matrix.window({ first: 5, pmf: [1] }, 0, 1);
    expect(check.pass).toBe(0);
    expect(check.checked).toBe(1);
  });
});
