/**
 * Pearson's χ² test of homogeneity of a 2 × k table (two groups, k categories): do the two
 * groups spread over the categories in the same proportions?
 *
 * χ² = Σ (O − E)² / E over the 2k cells, E = row total × column total / grand total, with
 * k − 1 degrees of freedom and no continuity correction — as scipy.stats.chi2_contingency(table,
 * correction=False). Columns with no observations in either group are dropped (they carry no
 * information and would divide by zero). Cost O(k).
 */
import { chiSquareSf } from './distributions.ts';

/** The result of `homogeneityTest`. */
export interface HomogeneityTest {
  chiSquare: number;
  degreesOfFreedom: number;
  pValue: number;
}

/**
 * Tests whether `first[i]` and `second[i]` (counts of category i in each group) have the same
 * distribution over the categories. Throws a RangeError on negative or non-finite counts, on
 * lists of different lengths, or when a group is empty or fewer than two categories are observed.
 */
export function homogeneityTest(first: readonly number[], second: readonly number[]): HomogeneityTest {
  if (first.length !== second.length)
    throw new RangeError(`the two groups must have the same categories, got ${first.length} and ${second.length}`);
  [first, second].forEach((group, g) =>
    group.forEach((count, i) => {
      if (!(Number.isFinite(count) && count >= 0))
        throw new RangeError(`group ${g + 1}, category ${i + 1}: count must be a finite number ≥ 0, got ${count}`);
    }),
  );
  const columns: [number, number][] = [];
  for (let i = 0; i < first.length; i++) if (first[i] + second[i] > 0) columns.push([first[i], second[i]]);
  if (columns.length < 2) throw new RangeError(`at least two categories must have observations, got ${columns.length}`);
  const rowFirst = columns.reduce((sum, column) => sum + column[0], 0);
  const rowSecond = columns.reduce((sum, column) => sum + column[1], 0);
  if (rowFirst === 0 || rowSecond === 0) throw new RangeError('each group must have at least one observation');
  const total = rowFirst + rowSecond;
  let chiSquare = 0;
  for (const [a, b] of columns) {
    const column = a + b;
    const expectedA = (rowFirst * column) / total;
    const expectedB = (rowSecond * column) / total;
    chiSquare += (a - expectedA) ** 2 / expectedA + (b - expectedB) ** 2 / expectedB;
  }
  const degreesOfFreedom = columns.length - 1;
  return { chiSquare, degreesOfFreedom, pValue: chiSquareSf(chiSquare, degreesOfFreedom) };
}
