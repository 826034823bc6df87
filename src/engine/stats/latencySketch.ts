/**
 * A mergeable streaming quantile sketch for latencies with a guaranteed relative error:
 * DDSketch (Masson, Rim & Lee, "DDSketch: A Fast and Fully-Mergeable Quantile Sketch with
 * Relative-Error Guarantees", VLDB 2019), as used by Datadog.
 *
 * How it works: a positive value x falls in bucket i = ⌈log_γ x⌉ with γ = (1 + α)/(1 − α),
 * i.e. bucket i holds (γ^(i−1), γ^i]; the sketch keeps only a count per bucket. The bucket is
 * read back as 2γ^i/(γ + 1), which is within relative error α of every value in the bucket.
 * So a quantile read from the sketch is within relative error α of the true order statistic,
 * whatever the distribution (heavy tails included), using O(log(max/min)/α) memory — about
 * 1 150 buckets for values from 1 µs to 10 min at α = 1%.
 *
 * Guarantee, precisely: `quantile(q)` returns v with |v − x₍ₖ₎| ≤ α·x₍ₖ₎, where x₍ₖ₎ is the
 * order statistic of 0-based rank k = ⌊q·(n − 1)⌋ among the n values added (the DDSketch
 * definition), up to floating-point rounding of log(x) (a relative excess of ~1e-13).
 * Zero values are counted exactly in a zero bucket and read back as 0. Negative, NaN and
 * infinite values are rejected (latencies are non-negative).
 *
 * Bucket limit: when the values would need more than `maxBuckets` buckets, the lowest buckets
 * are collapsed into one (the paper's "collapsing lowest buckets" variant). Quantiles that fall
 * in the collapsed bucket lose the guarantee (they are over-estimated); all higher quantiles
 * keep it. With the defaults (α = 0.01, 2048 buckets) this only happens when max/min exceeds
 * about 10¹⁷, i.e. never for real latencies.
 *
 * Merging is exact: the sketch of A merged with the sketch of B has the same buckets, counts,
 * min and max as the sketch of A ∪ B, so every quantile agrees; only `sum` may differ in the
 * last bits (floating-point addition order). Collapsing keeps this property: the final state
 * depends only on the multiset of bucket indices, not on the order of adds and merges.
 */

/** Options of a `LatencySketch`. */
export interface LatencySketchOptions {
  /** Guaranteed relative accuracy α of quantiles, 0 < α < 1; default 0.01 (1%). */
  relativeAccuracy?: number;
  /** Most buckets kept before the lowest are collapsed; default 2048 (16 KiB of counts). */
  maxBuckets?: number;
}

/** Serialized form of a sketch (plain JSON, for worker messages and files). */
export interface LatencySketchJson {
  type: 'ddsketch';
  version: 1;
  relativeAccuracy: number;
  maxBuckets: number;
  count: number;
  sum: number;
  /** null when the sketch is empty. */
  min: number | null;
  max: number | null;
  zeroCount: number;
  /** Bucket index of `counts[0]`. */
  offset: number;
  /** Counts of consecutive buckets from `offset` (lowest non-empty) to the highest non-empty one. */
  counts: number[];
}

const INITIAL_BUCKETS = 128;

/**
 * DDSketch with a dense, growable bucket array (see the module comment for the guarantee).
 * `add` costs one `Math.log` and no allocation (amortised O(1)); `quantile` is
 * O(number of buckets); `merge` is O(buckets of both); memory ≤ 8·maxBuckets bytes.
 */
export class LatencySketch {
  /** Guaranteed relative accuracy α. */
  readonly relativeAccuracy: number;
  /** Bucket limit before the lowest buckets are collapsed. */
  readonly maxBuckets: number;
  /** γ = (1 + α)/(1 − α). */
  private readonly gamma: number;
  /** 1/ln γ, so that the bucket of x is ⌈ln(x)·indexMultiplier⌉. */
  private readonly indexMultiplier: number;
  private readonly logGamma: number;
  /** Counts of buckets offset … offset + bins.length − 1; every bucket outside is empty. */
  private bins: Float64Array;
  private offset: number;
  private zeros: number;
  private total: number;
  private valueSum: number;
  private minimum: number;
  private maximum: number;

  constructor(options: LatencySketchOptions = {}) {
    const { relativeAccuracy = 0.01, maxBuckets = 2048 } = options;
    if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
      throw new RangeError(`relativeAccuracy must be between 0 and 1, got ${relativeAccuracy}`);
    }
    if (!(Number.isInteger(maxBuckets) && maxBuckets >= 2)) {
      throw new RangeError(`maxBuckets must be an integer of at least 2, got ${maxBuckets}`);
    }
    this.relativeAccuracy = relativeAccuracy;
    this.maxBuckets = maxBuckets;
    this.gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    this.logGamma = Math.log(this.gamma);
    this.indexMultiplier = 1 / this.logGamma;
    this.bins = new Float64Array(0);
    this.offset = 0;
    this.zeros = 0;
    this.total = 0;
    this.valueSum = 0;
    this.minimum = Infinity;
    this.maximum = -Infinity;
  }

  /** Number of values added (sum of the counts). */
  get count(): number {
    return this.total;
  }

  /** Sum of the values added (exact up to floating-point rounding). */
  get sum(): number {
    return this.valueSum;
  }

  /** Smallest value added (exact); Infinity when empty. */
  get min(): number {
    return this.minimum;
  }

  /** Largest value added (exact); −Infinity when empty. */
  get max(): number {
    return this.maximum;
  }

  /** How many zero values were added (kept exactly, outside the logarithmic buckets). */
  get zeroCount(): number {
    return this.zeros;
  }

  /** Number of buckets between the lowest and the highest non-empty one (memory in use). */
  get bucketSpan(): number {
    const [low, high] = this.occupiedRange();
    return low > high ? 0 : high - low + 1;
  }

  /**
   * Adds `value` (≥ 0, finite) `count` times (count ≥ 0, finite; default 1). Returns the sketch.
   * The hot path: one Math.log, one typed-array increment, no allocation.
   */
  add(value: number, count = 1): this {
    if (count !== 1 && !(count >= 0 && count < Infinity)) {
      throw new RangeError(`count must be a non-negative finite number, got ${count}`);
    }
    if (value > 0 && value < Infinity) {
      const index = Math.ceil(Math.log(value) * this.indexMultiplier);
      const position = index - this.offset;
      if (position >= 0 && position < this.bins.length) {
        this.bins[position] += count;
      } else if (count > 0) {
        const floor = this.grow(index, index);
        this.bins[Math.max(index, floor) - this.offset] += count;
      }
    } else if (value === 0) {
      this.zeros += count;
    } else {
      throw new RangeError(`latency values must be non-negative finite numbers, got ${value}`);
    }
    if (count > 0) {
      this.total += count;
      this.valueSum += value * count;
      if (value < this.minimum) this.minimum = value;
      if (value > this.maximum) this.maximum = value;
    }
    return this;
  }

  /**
   * Folds `other` into this sketch (in place; returns this). Exact: the result equals the
   * sketch of all values added to either. Both must have the same relativeAccuracy and
   * maxBuckets. O(buckets of both).
   */
  merge(other: LatencySketch): this {
    if (other.relativeAccuracy !== this.relativeAccuracy || other.maxBuckets !== this.maxBuckets) {
      throw new RangeError(
        `cannot merge sketches with different settings: relativeAccuracy ${this.relativeAccuracy} vs ${other.relativeAccuracy}, maxBuckets ${this.maxBuckets} vs ${other.maxBuckets}`,
      );
    }
    if (other.total === 0) return this;
    const [low, high] = other.occupiedRange();
    if (low <= high) {
      let floor = -Infinity;
      if (low < this.offset || high >= this.offset + this.bins.length) floor = this.grow(low, high);
      for (let index = low; index <= high; index++) {
        const count = other.bins[index - other.offset];
        if (count !== 0) this.bins[Math.max(index, floor) - this.offset] += count;
      }
    }
    this.zeros += other.zeros;
    this.total += other.total;
    this.valueSum += other.valueSum;
    if (other.minimum < this.minimum) this.minimum = other.minimum;
    if (other.maximum > this.maximum) this.maximum = other.maximum;
    return this;
  }

  /**
   * The q-quantile (0 ≤ q ≤ 1): the representative value of the bucket holding the value of
   * 0-based rank ⌊q(n − 1)⌋, clamped to [min, max] (which can only reduce the error);
   * q = 0 and q = 1 return the exact min and max.
   * Within relative error α of that order statistic (see the module comment). O(buckets).
   * Throws a RangeError on an empty sketch: check `count` first (missing data is not a pass).
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`q must be between 0 and 1, got ${q}`);
    if (this.total === 0) throw new RangeError('cannot read a quantile of an empty latency sketch');
    // The extreme ranks are known exactly.
    if (q === 0) return this.minimum;
    if (q === 1) return this.maximum;
    const rank = q * (this.total - 1);
    if (rank < this.zeros) return 0;
    let running = this.zeros;
    const bins = this.bins;
    for (let position = 0; position < bins.length; position++) {
      running += bins[position];
      if (running > rank) {
        const value = (2 * Math.exp((position + this.offset) * this.logGamma)) / (1 + this.gamma);
        return Math.min(this.maximum, Math.max(this.minimum, value));
      }
    }
    return this.maximum; // only reachable through rounding of fractional counts
  }

  /** A deep copy. */
  clone(): LatencySketch {
    return LatencySketch.fromJSON(this.toJSON());
  }

  /** Plain-JSON form (see `LatencySketchJson`); `LatencySketch.fromJSON` restores it exactly. */
  toJSON(): LatencySketchJson {
    const [low, high] = this.occupiedRange();
    const counts = low > high ? [] : Array.from(this.bins.subarray(low - this.offset, high - this.offset + 1));
    return {
      type: 'ddsketch',
      version: 1,
      relativeAccuracy: this.relativeAccuracy,
      maxBuckets: this.maxBuckets,
      count: this.total,
      sum: this.valueSum,
      min: this.total > 0 ? this.minimum : null,
      max: this.total > 0 ? this.maximum : null,
      zeroCount: this.zeros,
      offset: low > high ? 0 : low,
      counts,
    };
  }

  /** Restores a sketch from `toJSON()` output, checking its shape (RangeError naming the field). */
  static fromJSON(json: LatencySketchJson): LatencySketch {
    if (json === null || typeof json !== 'object' || json.type !== 'ddsketch' || json.version !== 1) {
      throw new RangeError('sketch must be a { type: "ddsketch", version: 1 } object');
    }
    const sketch = new LatencySketch({ relativeAccuracy: json.relativeAccuracy, maxBuckets: json.maxBuckets });
    const { counts, offset } = json;
    if (!Array.isArray(counts) || counts.length > json.maxBuckets) {
      throw new RangeError(`sketch.counts must be an array of at most maxBuckets (${json.maxBuckets}) numbers`);
    }
    if (!Number.isInteger(offset)) throw new RangeError(`sketch.offset must be an integer, got ${offset}`);
    let bucketTotal = 0;
    counts.forEach((count, i) => {
      if (!(typeof count === 'number' && count >= 0 && count < Infinity)) {
        throw new RangeError(`sketch.counts[${i}] must be a non-negative finite number, got ${count}`);
      }
      bucketTotal += count;
    });
    for (const field of ['count', 'zeroCount', 'sum'] as const) {
      const value = json[field];
      if (!(typeof value === 'number' && Number.isFinite(value) && (field === 'sum' || value >= 0))) {
        throw new RangeError(`sketch.${field} must be a ${field === 'sum' ? '' : 'non-negative '}finite number, got ${value}`);
      }
    }
    const expected = bucketTotal + json.zeroCount;
    if (Math.abs(expected - json.count) > 1e-9 * Math.max(1, json.count)) {
      throw new RangeError(`sketch.count (${json.count}) must equal zeroCount plus the bucket counts (${expected})`);
    }
    if (json.count > 0) {
      if (!(typeof json.min === 'number' && typeof json.max === 'number' && json.min >= 0 && json.min <= json.max && json.max < Infinity)) {
        throw new RangeError(`sketch.min and sketch.max must satisfy 0 ≤ min ≤ max < Infinity, got ${json.min} and ${json.max}`);
      }
      sketch.minimum = json.min;
      sketch.maximum = json.max;
    }
    sketch.bins = new Float64Array(Math.max(counts.length, Math.min(INITIAL_BUCKETS, json.maxBuckets)));
    sketch.bins.set(counts);
    sketch.offset = offset;
    sketch.zeros = json.zeroCount;
    sketch.total = json.count;
    sketch.valueSum = json.sum;
    return sketch;
  }

  /** [lowest, highest] non-empty bucket index; low > high when there is none. O(buckets). */
  private occupiedRange(): [number, number] {
    const bins = this.bins;
    let low = 0;
    while (low < bins.length && bins[low] === 0) low++;
    let high = bins.length - 1;
    while (high >= low && bins[high] === 0) high--;
    return [low + this.offset, high + this.offset];
  }

  /**
   * Re-lays the bucket array so that it covers buckets low … high together with the occupied
   * ones, collapsing the lowest buckets if that span exceeds `maxBuckets`. Returns the floor:
   * the lowest bucket kept; counts of lower indices belong in it. The rare path of `add`.
   */
  private grow(low: number, high: number): number {
    const [occupiedLow, occupiedHigh] = this.occupiedRange();
    const empty = occupiedLow > occupiedHigh;
    const unionLow = empty ? low : Math.min(low, occupiedLow);
    const unionHigh = empty ? high : Math.max(high, occupiedHigh);
    const floor = Math.max(unionLow, unionHigh - this.maxBuckets + 1);
    const span = unionHigh - floor + 1;
    const length = Math.min(this.maxBuckets, Math.max(span, 2 * this.bins.length, INITIAL_BUCKETS));
    // Centre the occupied span so that later values on either side rarely need another copy.
    const offset = floor - Math.floor((length - span) / 2);
    const bins = new Float64Array(length);
    const old = this.bins;
    for (let position = 0; position < old.length; position++) {
      const count = old[position];
      if (count !== 0) bins[Math.max(position + this.offset, floor) - offset] += count;
    }
    this.bins = bins;
    this.offset = offset;
    return floor;
  }
}

/*
 * Pooling serialised sketches without objects: the engine keeps a historical baseline's pooled
 * sketch inside its plain-JSON controller state (armTotals.ts), so it merges and reads
 * `LatencySketchJson` values directly. Both functions give exactly what the class gives
 * (tested bit for bit against `LatencySketch.fromJSON(…).merge(…).toJSON()` and `.quantile`).
 */

/**
 * A normalised copy of `sketch` (its own counts array, trimmed to the lowest and highest non-empty
 * buckets; offset 0 and min/max null when it has none) — what `LatencySketch.fromJSON(sketch).toJSON()`
 * returns. Trusts its input (check it at the edge). O(buckets).
 */
export function copySketchJson(sketch: LatencySketchJson): LatencySketchJson {
  const counts = sketch.counts;
  let low = 0;
  while (low < counts.length && counts[low] === 0) low++;
  let high = counts.length - 1;
  while (high >= low && counts[high] === 0) high--;
  const empty = sketch.count === 0;
  return {
    type: 'ddsketch',
    version: 1,
    relativeAccuracy: sketch.relativeAccuracy,
    maxBuckets: sketch.maxBuckets,
    count: sketch.count,
    sum: sketch.sum,
    min: empty ? null : sketch.min,
    max: empty ? null : sketch.max,
    zeroCount: sketch.zeroCount,
    offset: low > high ? 0 : sketch.offset + low,
    counts: low > high ? [] : counts.slice(low, high + 1),
  };
}

/** Drops empty buckets at either end of `sketch.counts`, in place (no allocation when there are none). */
function trimSketchJson(sketch: LatencySketchJson): void {
  const counts = sketch.counts;
  if (counts.length === 0 || (counts[0] !== 0 && counts[counts.length - 1] !== 0)) return;
  let low = 0;
  while (low < counts.length && counts[low] === 0) low++;
  let high = counts.length - 1;
  while (high >= low && counts[high] === 0) high--;
  if (low > high) {
    sketch.counts = [];
    sketch.offset = 0;
  } else {
    sketch.counts = counts.slice(low, high + 1);
    sketch.offset += low;
  }
}

/** True when two sketches can be merged: the same relativeAccuracy and maxBuckets. */
export function sameSketchSettings(a: LatencySketchJson, b: LatencySketchJson): boolean {
  return a.relativeAccuracy === b.relativeAccuracy && a.maxBuckets === b.maxBuckets;
}

/**
 * Merges `source` into `target` IN PLACE and returns `target` (a normalised copy of `source` when
 * `target` is undefined; `source` is never changed nor shared). The result is what
 * `LatencySketch.fromJSON(target).merge(LatencySketch.fromJSON(source)).toJSON()` returns: the same
 * buckets and counts (the lowest collapsed into one when the union spans more than `maxBuckets`,
 * the floor being the highest bucket − maxBuckets + 1, as `LatencySketch.grow` does), zeroCount,
 * count, min, max and sum (added in the same order, so bit-identical). Both must have the same
 * relativeAccuracy and maxBuckets (a RangeError names both values otherwise). Cost O(buckets of
 * `source`) and no allocation when its non-empty buckets lie inside `target`'s counts; otherwise
 * one new counts array over the union. Trusts its inputs (check them at the edge).
 */
export function mergeSketchJson(target: LatencySketchJson | undefined, source: LatencySketchJson): LatencySketchJson {
  if (target === undefined) return copySketchJson(source);
  if (!sameSketchSettings(target, source)) {
    throw new RangeError(
      `cannot merge sketches with different settings: relativeAccuracy ${target.relativeAccuracy} vs ${source.relativeAccuracy}, maxBuckets ${target.maxBuckets} vs ${source.maxBuckets}`,
    );
  }
  if (source.count === 0) {
    trimSketchJson(target);
    return target;
  }
  const from = source.counts;
  let low = 0;
  while (low < from.length && from[low] === 0) low++;
  let high = from.length - 1;
  while (high >= low && from[high] === 0) high--;
  if (low <= high) {
    const into = target.counts;
    const shift = source.offset - target.offset;
    if (into.length > 0 && low + shift >= 0 && high + shift < into.length) {
      for (let position = low; position <= high; position++) into[position + shift] += from[position];
    } else {
      // The union of the occupied buckets, the lowest collapsed into the floor when it spans more than maxBuckets.
      let intoLow = 0;
      while (intoLow < into.length && into[intoLow] === 0) intoLow++;
      let intoHigh = into.length - 1;
      while (intoHigh >= intoLow && into[intoHigh] === 0) intoHigh--;
      const intoEmpty = intoLow > intoHigh;
      const unionLow = intoEmpty ? source.offset + low : Math.min(source.offset + low, target.offset + intoLow);
      const unionHigh = intoEmpty ? source.offset + high : Math.max(source.offset + high, target.offset + intoHigh);
      const floor = Math.max(unionLow, unionHigh - target.maxBuckets + 1);
      const counts = new Array<number>(unionHigh - floor + 1).fill(0);
      for (let position = intoLow; position <= intoHigh; position++) {
        const count = into[position];
        if (count !== 0) counts[Math.max(position + target.offset, floor) - floor] += count;
      }
      for (let position = low; position <= high; position++) {
        const count = from[position];
        if (count !== 0) counts[Math.max(position + source.offset, floor) - floor] += count;
      }
      target.counts = counts;
      target.offset = floor;
    }
  }
  trimSketchJson(target);
  target.zeroCount += source.zeroCount;
  target.count += source.count;
  target.sum += source.sum;
  const min = source.min as number;
  const max = source.max as number;
  if (target.min === null || min < target.min) target.min = min;
  if (target.max === null || max > target.max) target.max = max;
  return target;
}

/**
 * The q-quantile of a serialised sketch, bit-identical to `LatencySketch.fromJSON(sketch).quantile(q)`:
 * the representative value 2γ^i/(γ + 1) of the bucket i holding 0-based rank ⌊q(n − 1)⌋, clamped
 * to [min, max]; 0 when that rank is among the zeros; q = 0 and q = 1 give the exact min and max.
 * Throws a RangeError when q is outside [0, 1] or the sketch is empty. O(buckets), no allocation.
 */
export function sketchJsonQuantile(sketch: LatencySketchJson, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`q must be between 0 and 1, got ${q}`);
  const total = sketch.count;
  if (total === 0) throw new RangeError('cannot read a quantile of an empty latency sketch');
  const min = sketch.min as number;
  const max = sketch.max as number;
  if (q === 0) return min;
  if (q === 1) return max;
  const rank = q * (total - 1);
  if (rank < sketch.zeroCount) return 0;
  let running = sketch.zeroCount;
  const counts = sketch.counts;
  for (let position = 0; position < counts.length; position++) {
    running += counts[position];
    if (running > rank) {
      // The same expressions as the class (γ, ln γ), so the same bits.
      const gamma = (1 + sketch.relativeAccuracy) / (1 - sketch.relativeAccuracy);
      const value = (2 * Math.exp((position + sketch.offset) * Math.log(gamma))) / (1 + gamma);
      return Math.min(max, Math.max(min, value));
    }
  }
  return max; // only reachable through rounding of fractional counts
}
