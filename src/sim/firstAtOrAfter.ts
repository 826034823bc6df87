/**
 * Index of the first of the ascending `times` that is ≥ `time` (times.length when none is): the
 * lower bound of a binary search, so inserting `time` there keeps `times` sorted. O(log n).
 *
 * One owner for the search the exact chain (exact/vectorChain.ts, inserting a new window time), the
 * shared check rows (exact/cellCheckMatrix.ts, a rate among the cells' bounds), the
 * request replay (replay/replayRequests.ts, cutting the log's own series) and the arrival-trace
 * replay (traffic.ts, the trace's arrivals in a window) all need.
 */
export function firstAtOrAfter(times: ArrayLike<number>, time: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (times[middle] < time) low = middle + 1;
    else high = middle;
  }
  return low;
}
