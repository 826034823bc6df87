/**
 * The Pareto front of a set of points under objectives that are all to be minimised: the points
 * that no other point dominates (Deb, "Multi-Objective Optimization Using Evolutionary
 * Algorithms", 2001, §2.4: a dominates b when a is no worse in every objective and strictly
 * better in at least one).
 */

/**
 * Indices (ascending) of the non-dominated points of `objectives` (one row per point, every
 * column minimised; use `Infinity` for "never", e.g. a detection time when nothing was
 * detected). Rows must have the same length; NaN is rejected. Equal rows are all kept (neither
 * dominates the other). Cost O(n² · k) for n points of k objectives — the tuner's fronts hold
 * tens of points.
 */
export function paretoFront(objectives: readonly (readonly number[])[]): number[] {
  const width = objectives[0]?.length ?? 0;
  objectives.forEach((row, i) => {
    if (row.length !== width) throw new RangeError(`objectives[${i}] must have ${width} values like objectives[0], got ${row.length}`);
    row.forEach((value, j) => {
      if (Number.isNaN(value)) throw new RangeError(`objectives[${i}][${j}] must be a number or Infinity, got NaN`);
    });
  });
  const front: number[] = [];
  for (let i = 0; i < objectives.length; i++) {
    let dominated = false;
    for (let j = 0; j < objectives.length && !dominated; j++) {
      if (j !== i && dominates(objectives[j], objectives[i])) dominated = true;
    }
    if (!dominated) front.push(i);
  }
  return front;
}

/** Whether `a` dominates `b` (all objectives minimised): a ≤ b everywhere and a < b somewhere. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let strictly = false;
  for (let k = 0; k < a.length; k++) {
    if (a[k] > b[k]) return false;
    if (a[k] < b[k]) strictly = true;
  }
  return strictly;
}
