/**
 * `mergeSketchJson` and `sketchJsonQuantile` (latencySketch.ts) against the class they stand in
 * for: the reference is `LatencySketch.fromJSON(target).merge(LatencySketch.fromJSON(source)).toJSON()`
 * and `LatencySketch.fromJSON(sketch).quantile(q)`, compared bit for bit (Object.is) on seeded
 * random sketches: several relative accuracies, value ranges from sub-millisecond to minutes,
 * zeros, empty sketches, and bucket limits small enough that the lowest buckets collapse.
 */
import { describe, expect, it } from 'vitest';
import { lognormalSampler } from '../../../src/engine/random/lognormal.ts';
import { xoshiro128StarStar } from '../../../src/engine/random/prng.ts';
import type { LatencySketchJson } from '../../../src/engine/stats/latencySketch.ts';
import { copySketchJson, LatencySketch, mergeSketchJson, sketchJsonQuantile } from '../../../src/engine/stats/latencySketch.ts';

const QUANTILES = [0, 0.5, 0.95, 0.99, 1];

/** One seeded random sketch: n values (n may be 0), some zeros, lognormal on a random scale. */
function randomSketch(random: () => number, relativeAccuracy: number, maxBuckets: number): LatencySketchJson {
  const sketch = new LatencySketch({ relativeAccuracy, maxBuckets });
  const n = random() < 0.1 ? 0 : Math.floor(random() * 400);
  const zeroShare = random() < 0.3 ? random() * 0.2 : 0;
  // Medians from 0.01 ms to 1 min, spreads from narrow to several decades.
  const next = lognormalSampler(random, Math.log(10 ** (-2 + 6.8 * random())), 0.05 + 3 * random());
  for (let i = 0; i < n; i++) sketch.add(random() < zeroShare ? 0 : next());
  return sketch.toJSON();
}

/** Bit-for-bit equality of two serialised sketches (Object.is on every number, so -0 ≠ 0). */
function expectSameSketch(actual: LatencySketchJson, expected: LatencySketchJson): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const key of Object.keys(expected) as (keyof LatencySketchJson)[]) {
    if (key === 'counts') continue;
    expect(Object.is(actual[key], expected[key]), `${key}: ${actual[key]} vs ${expected[key]}`).toBe(true);
  }
  expect(actual.counts).toEqual(expected.counts);
}

function classMerge(target: LatencySketchJson, source: LatencySketchJson): LatencySketchJson {
  return LatencySketch.fromJSON(target).merge(LatencySketch.fromJSON(source)).toJSON();
}

function expectSameQuantiles(sketch: LatencySketchJson, qs: readonly number[]): void {
  const reference = LatencySketch.fromJSON(sketch);
  for (const q of qs) {
    if (sketch.count === 0) {
      expect(() => sketchJsonQuantile(sketch, q)).toThrow('empty latency sketch');
      expect(() => reference.quantile(q)).toThrow('empty latency sketch');
      continue;
    }
    const value = sketchJsonQuantile(sketch, q);
    expect(Object.is(value, reference.quantile(q)), `q = ${q}: ${value} vs ${reference.quantile(q)}`).toBe(true);
  }
}

const SETTINGS = [
  { relativeAccuracy: 0.01, maxBuckets: 2048 },
  { relativeAccuracy: 0.005, maxBuckets: 2048 },
  { relativeAccuracy: 0.02, maxBuckets: 512 },
  { relativeAccuracy: 0.05, maxBuckets: 64 }, // collapses on wide sketches
  { relativeAccuracy: 0.01, maxBuckets: 16 }, // collapses almost always
  { relativeAccuracy: 0.1, maxBuckets: 2 },
];

describe('mergeSketchJson', () => {
  it.each(SETTINGS)('merges two sketches exactly as the class does (α = $relativeAccuracy, $maxBuckets buckets)', (settings) => {
    const random = xoshiro128StarStar([settings.maxBuckets, 7, 11, Math.round(settings.relativeAccuracy * 1000)]);
    let collapsed = 0;
    let empty = 0;
    for (let trial = 0; trial < 300; trial++) {
      const target = randomSketch(random, settings.relativeAccuracy, settings.maxBuckets);
      const source = randomSketch(random, settings.relativeAccuracy, settings.maxBuckets);
      const expected = classMerge(target, source);
      if (target.counts.length > 0 && source.counts.length > 0) {
        const low = Math.min(target.offset, source.offset);
        const high = Math.max(target.offset + target.counts.length, source.offset + source.counts.length) - 1;
        if (high - low + 1 > settings.maxBuckets) collapsed++;
      }
      const sourceBefore = JSON.stringify(source);
      const merged = mergeSketchJson(target, source);
      expect(merged).toBe(target); // in place
      expectSameSketch(merged, expected);
      expect(JSON.stringify(source)).toBe(sourceBefore); // the source is never changed
      expectSameQuantiles(merged, QUANTILES);
      if (source.count === 0 || merged.count === 0) empty++;
    }
    // The cases the comparison is meant to reach are reached.
    expect(empty).toBeGreaterThan(0);
    if (settings.maxBuckets <= 64) expect(collapsed).toBeGreaterThan(0);
  });

  it('pools many windows as successive class merges do (a day of 5-minute windows)', () => {
    const random = xoshiro128StarStar([288, 1, 2, 3]);
    for (const settings of [SETTINGS[0], SETTINGS[4]]) {
      let pooled: LatencySketchJson | undefined;
      const reference = new LatencySketch(settings);
      for (let window = 0; window < 288; window++) {
        const sketch = randomSketch(random, settings.relativeAccuracy, settings.maxBuckets);
        pooled = mergeSketchJson(pooled, sketch);
        reference.merge(LatencySketch.fromJSON(sketch));
        expectSameSketch(pooled, reference.toJSON());
      }
      expectSameQuantiles(pooled as LatencySketchJson, [...QUANTILES, 0.25, 0.75, 0.999]);
    }
  });

  it('merges into the counts array in place when the source lies inside it, and grows it otherwise', () => {
    const wide = new LatencySketch();
    for (const value of [5, 50, 500]) wide.add(value);
    const narrow = new LatencySketch().add(20).add(21).toJSON();
    const target = wide.toJSON();
    const counts = target.counts;
    mergeSketchJson(target, narrow);
    expect(target.counts).toBe(counts); // no new array
    expectSameSketch(target, classMerge(wide.toJSON(), narrow));
    const outside = new LatencySketch().add(5000).toJSON();
    const before = JSON.parse(JSON.stringify(target)) as LatencySketchJson;
    mergeSketchJson(target, outside);
    expect(target.counts).not.toBe(counts);
    expectSameSketch(target, classMerge(before, outside));
    // Bucket of 5000 ms at α = 1%: ⌈ln 5000 / ln(1.01/0.99)⌉ = ⌈8.517193 / 0.0200007⌉ = ⌈425.85⌉ = 426.
    expect(target.offset + target.counts.length - 1).toBe(426);
  });

  it('copies the source when there is no target, sharing nothing with it', () => {
    const source = new LatencySketch().add(3).add(0).add(40).toJSON();
    const copy = mergeSketchJson(undefined, source);
    expect(copy).not.toBe(source);
    expect(copy.counts).not.toBe(source.counts);
    expectSameSketch(copy, source);
    copy.counts[0] += 1;
    expect(source.counts[0]).toBe(1);
  });

  it('normalises targets and sources with empty buckets at their ends as the class does', () => {
    const random = xoshiro128StarStar([5, 4, 3, 2]);
    for (let trial = 0; trial < 100; trial++) {
      const padded = (sketch: LatencySketchJson): LatencySketchJson => ({
        ...sketch,
        offset: sketch.offset - 2,
        counts: [0, 0, ...sketch.counts, 0],
      });
      const target = padded(randomSketch(random, 0.01, 2048));
      const source = padded(randomSketch(random, 0.01, 2048));
      const expected = classMerge(target, source);
      expectSameSketch(mergeSketchJson(target, source), expected);
      expectSameSketch(copySketchJson(padded(expected)), expected);
    }
  });

  it('refuses sketches with other settings, naming both values', () => {
    const one = new LatencySketch({ relativeAccuracy: 0.01 }).add(10).toJSON();
    const two = new LatencySketch({ relativeAccuracy: 0.02 }).add(10).toJSON();
    expect(() => mergeSketchJson(one, two)).toThrow('relativeAccuracy 0.01 vs 0.02, maxBuckets 2048 vs 2048');
    const small = new LatencySketch({ maxBuckets: 64 }).add(10).toJSON();
    expect(() => mergeSketchJson(one, small)).toThrow('maxBuckets 2048 vs 64');
  });
});

describe('sketchJsonQuantile', () => {
  it('reads the same bits as LatencySketch.quantile at q = 0, 0.5, 0.95, 0.99, 1 and random q', () => {
    const random = xoshiro128StarStar([9, 9, 9, 9]);
    for (const settings of SETTINGS) {
      for (let trial = 0; trial < 100; trial++) {
        const sketch = randomSketch(random, settings.relativeAccuracy, settings.maxBuckets);
        expectSameQuantiles(sketch, [...QUANTILES, random(), random()]);
      }
    }
  });

  it('reads known values: the bucket representative 2γ^i/(γ + 1), zeros, min and max', () => {
    // α = 1%: γ = 1.01/0.99. 100 ms is in bucket ⌈ln 100 / ln γ⌉ = ⌈230.2508⌉ = 231, read back as
    // 2γ^231/(γ + 1) = 100.494568 ms (Python: 2*g**231/(g+1) with g = 1.01/0.99).
    const sketch = new LatencySketch().add(0).add(100).add(100).add(100).add(250).toJSON();
    const gamma = 1.01 / 0.99;
    expect(sketchJsonQuantile(sketch, 0)).toBe(0);
    expect(sketchJsonQuantile(sketch, 0.2)).toBe(0); // rank 0.8 < one zero
    expect(sketchJsonQuantile(sketch, 0.5)).toBe((2 * Math.exp(231 * Math.log(gamma))) / (gamma + 1));
    expect(sketchJsonQuantile(sketch, 0.5)).toBeCloseTo(100.494568, 5);
    expect(sketchJsonQuantile(sketch, 1)).toBe(250);
    expect(() => sketchJsonQuantile(sketch, 1.5)).toThrow('q must be between 0 and 1, got 1.5');
  });
});
