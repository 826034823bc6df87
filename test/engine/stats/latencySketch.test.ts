import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LatencySketchJson } from '../../../src/engine/stats/latencySketch.ts';
import { LatencySketch } from '../../../src/engine/stats/latencySketch.ts';

// The reference here is exact: every quantile read from the sketch is compared with the exact
// order statistic of the same data, at the rank the sketch defines, ⌊q(n − 1)⌋ (0-based, as in
// DDSketch's reference implementation `ddsketch.DDSketch.get_quantile_value`).

/** mulberry32: a tiny seeded PRNG (Tommy Ettinger, public domain), uniform on [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal by Box–Muller from a uniform source. */
function normal(random: () => number): number {
  const u = 1 - random(); // (0, 1]
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

const N = 200_000;
const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999];
// The bound is α up to the rounding of log(x) when x sits on a bucket boundary (~1e-13).
const ROUNDING = 1e-9;

const datasets: Record<string, () => Float64Array> = {
  'lognormal(μ = 3, σ = 2)': () => {
    const random = mulberry32(1);
    return Float64Array.from({ length: N }, () => Math.exp(3 + 2 * normal(random)));
  },
  'Pareto(x_m = 1 ms, α = 1.2)': () => {
    const random = mulberry32(2);
    return Float64Array.from({ length: N }, () => 1 / (1 - random()) ** (1 / 1.2));
  },
  '99% fast (lognormal 20 ms) / 1% very slow (lognormal 8 s)': () => {
    const random = mulberry32(3);
    return Float64Array.from({ length: N }, () =>
      random() < 0.99 ? Math.exp(Math.log(20) + 0.3 * normal(random)) : Math.exp(Math.log(8000) + 0.5 * normal(random)),
    );
  },
  'with 3% zeros (cache hits) and sub-microsecond values': () => {
    const random = mulberry32(4);
    return Float64Array.from({ length: N }, () => (random() < 0.03 ? 0 : Math.exp(-2 + 4 * normal(random))));
  },
};

function exactOrderStatistic(sorted: Float64Array, q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))];
}

function sketchOf(values: ArrayLike<number>, options = {}): LatencySketch {
  const sketch = new LatencySketch(options);
  for (let i = 0; i < values.length; i++) sketch.add(values[i]);
  return sketch;
}

/** Everything but `sum`, which merging may change in the last bits (addition order). */
function withoutSum(json: LatencySketchJson): Omit<LatencySketchJson, 'sum'> {
  const { sum: _sum, ...rest } = json;
  return rest;
}

describe('LatencySketch (DDSketch) accuracy on heavy-tailed data', () => {
  for (const [label, generate] of Object.entries(datasets)) {
    for (const relativeAccuracy of [0.01, 0.05]) {
      it(`${label}, α = ${relativeAccuracy}: every quantile within α of the exact order statistic`, () => {
        const values = generate();
        const sketch = sketchOf(values, { relativeAccuracy });
        const sorted = Float64Array.from(values).sort();
        expect(sketch.count).toBe(N);
        expect(sketch.min).toBe(sorted[0]);
        expect(sketch.max).toBe(sorted[N - 1]);
        let worst = 0;
        for (const q of QUANTILES) {
          const exact = exactOrderStatistic(sorted, q);
          const estimate = sketch.quantile(q);
          const error = exact === 0 ? Math.abs(estimate) : Math.abs(estimate - exact) / exact;
          expect(error, `q = ${q}: sketch ${estimate}, exact ${exact}`).toBeLessThanOrEqual(relativeAccuracy * (1 + ROUNDING));
          worst = Math.max(worst, error);
        }
        // The bound is not vacuous: somewhere the sketch is visibly approximate.
        expect(worst).toBeGreaterThan(relativeAccuracy / 100);
        expect(sketch.quantile(0)).toBe(sorted[0]); // the extremes are kept exactly
        expect(sketch.quantile(1)).toBe(sorted[N - 1]);
      });
    }
  }

  it('holds the bound at every rank of a small sample, including bucket boundaries', () => {
    const sketch = new LatencySketch({ relativeAccuracy: 0.02 });
    const gamma = 1.02 / 0.98;
    // Values exactly on (computed) bucket boundaries γ^i, and just either side of them.
    const values = [1, 2.5, 1000].flatMap((base) => [0.999999999, 1, 1.000000001].map((f) => base * f));
    for (let i = -5; i <= 5; i++) values.push(gamma ** i);
    values.forEach((v) => sketch.add(v));
    const sorted = Float64Array.from(values).sort();
    for (let k = 0; k < sorted.length; k++) {
      const q = k / (sorted.length - 1);
      const estimate = sketch.quantile(q);
      expect(Math.abs(estimate - sorted[k]) / sorted[k]).toBeLessThanOrEqual(0.02 * (1 + ROUNDING));
    }
  });

  it('reads zeros back as exactly 0 and keeps count, sum, min and max exact', () => {
    const sketch = new LatencySketch();
    sketch.add(0, 3).add(10).add(20, 2);
    expect(sketch.count).toBe(6);
    expect(sketch.zeroCount).toBe(3);
    expect(sketch.sum).toBe(50);
    expect(sketch.min).toBe(0);
    expect(sketch.max).toBe(20);
    expect(sketch.quantile(0.4)).toBe(0); // rank 2 of 0,0,0,10,20,20
    expect(Math.abs(sketch.quantile(0.6) - 10) / 10).toBeLessThanOrEqual(0.01); // rank 3 → 10
    expect(sketch.quantile(1)).toBe(20);
  });
});

describe('LatencySketch merge is exact', () => {
  it('merging sketches of a random partition equals the sketch of all values', () => {
    const values = datasets['lognormal(μ = 3, σ = 2)']();
    const whole = sketchOf(values);
    const random = mulberry32(99);
    const parts = [new LatencySketch(), new LatencySketch(), new LatencySketch(), new LatencySketch()];
    for (let i = 0; i < values.length; i++) parts[Math.floor(random() * 4)].add(values[i]);
    // Merge in two different tree shapes.
    const left = parts[0].clone().merge(parts[1]).merge(parts[2]).merge(parts[3]);
    const right = parts[3].clone().merge(parts[2].clone().merge(parts[0])).merge(parts[1]);
    for (const merged of [left, right]) {
      expect(withoutSum(merged.toJSON())).toEqual(withoutSum(whole.toJSON()));
      expect(Math.abs(merged.sum - whole.sum)).toBeLessThanOrEqual(1e-12 * whole.sum); // addition order only
      for (const q of QUANTILES) expect(merged.quantile(q)).toBe(whole.quantile(q));
    }
  });

  it('stays exact when the lowest buckets collapse, whatever the order of adds and merges', () => {
    // 9 decades with α = 1% need ~1 040 buckets; allow only 200 so that the lowest collapse.
    const random = mulberry32(7);
    const values = Float64Array.from({ length: 50_000 }, () => 10 ** (-3 + 9 * random()));
    const options = { relativeAccuracy: 0.01, maxBuckets: 200 };
    const whole = sketchOf(values, options);
    const reversed = sketchOf(Float64Array.from(values).reverse(), options);
    const a = sketchOf(values.subarray(0, 20_000), options);
    const b = sketchOf(values.subarray(20_000), options);
    const merged = b.merge(a);
    expect(whole.bucketSpan).toBe(200);
    expect(withoutSum(reversed.toJSON())).toEqual(withoutSum(whole.toJSON()));
    expect(withoutSum(merged.toJSON())).toEqual(withoutSum(whole.toJSON()));

    // High quantiles keep the guarantee; the lowest ones (in the collapsed bucket) lose it.
    const sorted = Float64Array.from(values).sort();
    for (const q of [0.9, 0.95, 0.99, 0.999]) {
      const exact = exactOrderStatistic(sorted, q);
      expect(Math.abs(whole.quantile(q) - exact) / exact).toBeLessThanOrEqual(0.01 * (1 + ROUNDING));
    }
    const lowExact = exactOrderStatistic(sorted, 0.05);
    expect(whole.quantile(0.05) / lowExact).toBeGreaterThan(1.5); // over-estimated: documented
  });

  it('property: for any values and any split, merge equals the single sketch (with and without collapsing)', () => {
    const value = fc.oneof(
      fc.constant(0),
      fc.double({ min: 1e-300, max: 1e300, noNaN: true, noDefaultInfinity: true }),
      fc.double({ min: 0.1, max: 10_000, noNaN: true }),
    );
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 300 }),
        fc.array(value, { maxLength: 300 }),
        fc.constantFrom(8, 64, 2048),
        (a, b, maxBuckets) => {
          const options = { relativeAccuracy: 0.01, maxBuckets };
          const whole = sketchOf([...a, ...b], options);
          const merged = sketchOf(a, options).merge(sketchOf(b, options));
          const interleaved = sketchOf([...b].reverse().concat(a), options);
          expect(withoutSum(merged.toJSON())).toEqual(withoutSum(whole.toJSON()));
          expect(withoutSum(interleaved.toJSON())).toEqual(withoutSum(whole.toJSON()));
          expect(whole.bucketSpan).toBeLessThanOrEqual(maxBuckets);
        },
      ),
      { seed: 20240611, numRuns: 300 },
    );
  });

  it('refuses to merge sketches with different settings', () => {
    expect(() => new LatencySketch().merge(new LatencySketch({ relativeAccuracy: 0.02 }))).toThrow(/relativeAccuracy/);
    expect(() => new LatencySketch().merge(new LatencySketch({ maxBuckets: 100 }))).toThrow(/maxBuckets/);
  });

  it('merging into an empty sketch and merging an empty sketch change nothing', () => {
    const full = sketchOf([1, 2, 3, 400]);
    expect(new LatencySketch().merge(full).toJSON()).toEqual(full.toJSON());
    expect(full.clone().merge(new LatencySketch()).toJSON()).toEqual(full.toJSON());
  });
});

describe('LatencySketch JSON', () => {
  it('round-trips exactly through JSON text (as across a worker boundary)', () => {
    const sketch = sketchOf(datasets['with 3% zeros (cache hits) and sub-microsecond values']());
    const restored = LatencySketch.fromJSON(JSON.parse(JSON.stringify(sketch)));
    expect(restored.toJSON()).toEqual(sketch.toJSON());
    for (const q of QUANTILES) expect(restored.quantile(q)).toBe(sketch.quantile(q));
    // A restored sketch keeps working.
    restored.add(5).merge(sketch);
    expect(restored.count).toBe(2 * N + 1);
  });

  it('serialises an empty sketch and rejects malformed input naming the field', () => {
    const empty = new LatencySketch().toJSON();
    expect(empty).toMatchObject({ count: 0, min: null, max: null, counts: [] });
    expect(LatencySketch.fromJSON(empty).count).toBe(0);
    const good = sketchOf([1, 2, 3]).toJSON();
    expect(() => LatencySketch.fromJSON({ ...good, type: 'tdigest' } as unknown as LatencySketchJson)).toThrow(/ddsketch/);
    expect(() => LatencySketch.fromJSON({ ...good, counts: [1, -1, 3] })).toThrow(/counts\[1\]/);
    expect(() => LatencySketch.fromJSON({ ...good, count: 4 })).toThrow(/sketch\.count/);
    expect(() => LatencySketch.fromJSON({ ...good, offset: 1.5 })).toThrow(/offset/);
    expect(() => LatencySketch.fromJSON({ ...good, min: 5 })).toThrow(/min/);
  });
});

describe('LatencySketch input checks', () => {
  it('rejects negative, NaN and infinite values, bad counts and bad settings', () => {
    const sketch = new LatencySketch();
    expect(() => sketch.add(-1)).toThrow(/non-negative finite/);
    expect(() => sketch.add(NaN)).toThrow(/non-negative finite/);
    expect(() => sketch.add(Infinity)).toThrow(/non-negative finite/);
    expect(() => sketch.add(1, -2)).toThrow(/count/);
    expect(sketch.count).toBe(0);
    expect(() => sketch.quantile(0.5)).toThrow(/empty/);
    sketch.add(1);
    expect(() => sketch.quantile(1.5)).toThrow(/q must be between 0 and 1/);
    expect(() => new LatencySketch({ relativeAccuracy: 0 })).toThrow(/relativeAccuracy/);
    expect(() => new LatencySketch({ maxBuckets: 1.5 })).toThrow(/maxBuckets/);
  });
});

// Its speed (LatencySketch.add per latency, against store-and-sort) is measured by `npm run bench`.
