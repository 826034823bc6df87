/**
 * The per-request mode's latency fold: bucket counts kept in a flat table during a window and
 * handed to a `LatencySketch` once at its end, instead of one `LatencySketch.add` per request.
 *
 * A `LatencySketch` (src/engine/stats/latencySketch.ts, DDSketch) puts x in bucket
 * i = ⌈ln x · m⌉, m = 1/ln γ, γ = (1 + α)/(1 − α), and its quantiles depend only on the bucket
 * counts, the zero count and the exact min and max (its final state does not depend on the order
 * of adds). The buffer computes the same i, counts it in a Float64Array, tracks min and max, and
 * `flush` adds each bucket's count at once — the sketch then has the same buckets, counts, min and
 * max, so every quantile is identical to adding the values one by one. Only the sketch's `sum` is
 * approximate (each interior bucket's count at a value inside the bucket: within α of the true
 * sum; the per-request mode reads quantiles only).
 *
 * Lognormal laws (`addLog`): the latency is scale·exp(y) with y = μ + σZ; ln x = ln scale + y is
 * used directly, saving an exp and a log per request. ln scale + y and the sketch's
 * Math.log(scale·Math.exp(y)) differ by a few ulps, so when y·m is within 1e-9 of a bucket edge
 * the exact value is computed and bucketed as the sketch would: the buckets are identical, not
 * just close. Min and max are tracked on y (exp is increasing) and computed exactly at the end.
 *
 * Cost per value: a multiply, a ceil, a few comparisons and an increment; `flush` O(buckets used).
 * A window's latencies go through `addLog` or through `add`, not both.
 */
import { LatencySketch } from '../engine/stats/latencySketch.ts';

/** Buckets −2048 … 2047 (at α = 1%: about 1e-18 ms … 1e18 ms); values outside go to the sketch directly. */
const SIZE = 4096;
const HALF = SIZE / 2;
/** How close to a bucket edge (in units of buckets) ln x · m must be to take the exact path. */
const EDGE_GUARD = 1e-9;

/** One arm's latencies of one window, folded into sketch buckets. */
export class SketchBuffer {
  private readonly counts = new Float64Array(SIZE);
  private readonly indexMultiplier: number;
  private readonly gamma: number;
  private readonly relativeAccuracy: number;
  /** Lowest and highest slots used (from the min and max), to scan and clear only those. */
  private low = SIZE;
  private high = -1;
  private scale = 1;
  private logScale = 0;
  /** addLog: extreme y; add: extreme values. */
  private minimumLog = Infinity;
  private maximumLog = -Infinity;
  private minimumValue = Infinity;
  private maximumValue = -Infinity;
  /** Values outside the table, zeros: added to the sketch directly. */
  private sketch: LatencySketch;

  /** A buffer for sketches of relative accuracy α (the `LatencySketch` default, 1%). */
  constructor(relativeAccuracy = 0.01) {
    this.relativeAccuracy = relativeAccuracy;
    // Exactly the sketch's own expressions (bit-identical bucket indices).
    const gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    this.indexMultiplier = 1 / Math.log(gamma);
    this.gamma = gamma;
    this.sketch = new LatencySketch({ relativeAccuracy });
  }

  /** Starts a window whose `addLog` latencies are multiplied by `scale` (> 0). */
  reset(scale: number): void {
    this.locateUsedRange();
    if (this.high >= this.low) this.counts.fill(0, this.low, this.high + 1);
    this.scale = scale;
    this.logScale = Math.log(scale);
    this.minimumLog = Infinity;
    this.maximumLog = -Infinity;
    this.minimumValue = Infinity;
    this.maximumValue = -Infinity;
    this.sketch = new LatencySketch({ relativeAccuracy: this.relativeAccuracy });
  }

  /** The latency `scale`·exp(y), as the non-log sampler path computes it. */
  latencyOf(y: number): number {
    return this.scale * Math.exp(y);
  }

  /** Counts the latency scale·exp(y) (the lognormal path: see the module comment). */
  addLog(y: number): void {
    const position = (y + this.logScale) * this.indexMultiplier;
    let index = Math.ceil(position);
    const gap = index - position; // in [0, 1)
    if (gap < EDGE_GUARD || gap > 1 - EDGE_GUARD) {
      index = Math.ceil(Math.log(this.scale * Math.exp(y)) * this.indexMultiplier);
    }
    const slot = index + HALF;
    if (!(slot >= 0 && slot < SIZE)) {
      // Beyond the table, or not a number (which the sketch rejects with its own message).
      this.sketch.add(this.scale * Math.exp(y));
      return;
    }
    this.counts[slot] += 1;
    if (y < this.minimumLog) this.minimumLog = y;
    if (y > this.maximumLog) this.maximumLog = y;
  }

  /** Counts the latency `value` (≥ 0, finite; other laws). */
  add(value: number): void {
    if (!(value > 0 && value < Infinity)) {
      this.sketch.add(value); // zeros are counted apart; invalid values throw there
      return;
    }
    const slot = Math.ceil(Math.log(value) * this.indexMultiplier) + HALF;
    if (!(slot >= 0 && slot < SIZE)) {
      this.sketch.add(value);
      return;
    }
    this.counts[slot] += 1;
    if (value < this.minimumValue) this.minimumValue = value;
    if (value > this.maximumValue) this.maximumValue = value;
  }

  /**
   * The window's sketch: the buffered counts added bucket by bucket — the lowest and highest
   * buckets at the exact min and max (which lie in them), the others at their log-midpoint
   * exp((i − ½)/m), which lies inside bucket i. Call once per window, after the last add.
   */
  flush(): LatencySketch {
    const sketch = this.sketch;
    const counts = this.counts;
    this.locateUsedRange();
    const { low, high } = this;
    if (high < low) return sketch;
    const minimum = Math.min(this.minimumValue, this.latencyOrInfinity(this.minimumLog));
    const maximum = Math.max(this.maximumValue, this.maximumLog === -Infinity ? -Infinity : this.scale * Math.exp(this.maximumLog));
    if (high === low) {
      // One bucket holds everything: min once (when it differs from max), max for the rest.
      if (counts[low] > 1) sketch.add(minimum, 1);
      sketch.add(maximum, counts[low] > 1 ? counts[low] - 1 : counts[low]);
      return sketch;
    }
    // Highest first, then lowest: the sketch sizes its bucket array once or twice, not per bucket.
    sketch.add(maximum, counts[high]);
    sketch.add(minimum, counts[low]);
    // Interior buckets at their log-midpoints exp((i − ½)/m), stepped by the factor γ = exp(1/m):
    // the accumulated rounding (a few hundred ulps at most) is nothing against the bucket's ±α.
    let midpoint = Math.exp((low + 1 - HALF - 0.5) / this.indexMultiplier);
    for (let slot = low + 1; slot < high; slot++) {
      const count = counts[slot];
      if (count > 0) sketch.add(midpoint, count);
      midpoint *= this.gamma;
    }
    return sketch;
  }

  /**
   * Sets `low` and `high` to the slots of the min and max counted since the reset (the lowest and
   * highest used: bucketing is increasing), or an empty range. A window uses `addLog` or `add`,
   * not both.
   */
  private locateUsedRange(): void {
    if (this.minimumLog < Infinity) {
      this.low = this.slotOfLog(this.minimumLog);
      this.high = this.slotOfLog(this.maximumLog);
    } else if (this.minimumValue < Infinity) {
      this.low = this.slotOfValue(this.minimumValue);
      this.high = this.slotOfValue(this.maximumValue);
    } else {
      this.low = SIZE;
      this.high = -1;
    }
  }

  /** The slot `addLog(y)` counted y in (the same computation). */
  private slotOfLog(y: number): number {
    const position = (y + this.logScale) * this.indexMultiplier;
    let index = Math.ceil(position);
    const gap = index - position;
    if (gap < EDGE_GUARD || gap > 1 - EDGE_GUARD) index = Math.ceil(Math.log(this.scale * Math.exp(y)) * this.indexMultiplier);
    return index + HALF;
  }

  /** The slot `add(value)` counted value in. */
  private slotOfValue(value: number): number {
    return Math.ceil(Math.log(value) * this.indexMultiplier) + HALF;
  }

  private latencyOrInfinity(y: number): number {
    return y === Infinity ? Infinity : this.scale * Math.exp(y);
  }
}
