/**
 * The banded baseline sketches (src/sim/baselineSketchBands.ts): the bands' arithmetic against
 * scipy (scripts/reference/baseline_sketch_bands.py, scipy 1.10), the bucket indices against
 * `LatencySketch` itself, the cells' law, and the pooled quantiles of banded sketches against those
 * of full sketches of the same latencies.
 */
import { describe, expect, it } from 'vitest';
import { poissonVariate } from '../../src/engine/random/poisson.ts';
import { streamFor } from '../../src/engine/random/streams.ts';
import type { LatencySketchJson } from '../../src/engine/stats/latencySketch.ts';
import { LatencySketch } from '../../src/engine/stats/latencySketch.ts';
import type { BaselineSketchBands } from '../../src/sim/baselineSketchBands.ts';
import {
  bucketOf,
  cellCountsOfSketch,
  cellProbabilities,
  drawBandedSketch,
  poissonLowerBound,
  representative,
  sketchBands,
  sketchOfCellCounts,
} from '../../src/sim/baselineSketchBands.ts';
import { latencyModel } from '../../src/sim/latencyModel.ts';

const lognormal = latencyModel({ kind: 'lognormal', median: 120, p95: 400 });

/** Twelve 5-minute windows of 500 expected requests; the last four at `lateMultiplier`. */
function smallBaseline(lateMultiplier = 1): BaselineSketchBands {
  const windows = Array.from({ length: 12 }, (_, w) => ({ expected: 500, multiplier: w >= 8 ? lateMultiplier : 1 }));
  return sketchBands({ windows, latency: lognormal, minimumRequests: 0, fixedCounts: false });
}

/** The pooled q-quantile of sketches, as a pooling engine reads it (merge, then `quantile`). */
function pooledQuantile(sketches: readonly LatencySketchJson[], q: number): number {
  const pooled = new LatencySketch();
  for (const sketch of sketches) pooled.merge(LatencySketch.fromJSON(sketch));
  return pooled.quantile(q);
}

describe('the bands', () => {
  it('N_min is the Poisson lower bound of scipy and ε the DKW–Massart width', () => {
    // scipy: max{n : poisson.cdf(n − 1, μ) ≤ 1e-15}.
    expect(poissonLowerBound(6000, 1e-15)).toBe(5395);
    expect(poissonLowerBound(8_640_000, 1e-15)).toBe(8_616_668);
    const bands = smallBaseline();
    expect(bands.minimumTotal).toBe(5395);
    expect(bands.epsilon).toBeCloseTo(Math.sqrt(Math.log(2e15) / (2 * 5395)), 15);
    // scipy: √(ln(2/1e-15)/(2·5000)) = 0.059356485387420499.
    const five = sketchBands({ windows: [{ expected: 1, multiplier: 1 }], latency: lognormal, minimumRequests: 5000, fixedCounts: true });
    expect(five.epsilon).toBeCloseTo(0.059356485387420499, 15);
    // The stage's minimum requests, when larger, is N_min (the reference is read only after them).
    expect(
      sketchBands({ windows: [{ expected: 6000, multiplier: 1 }], latency: lognormal, minimumRequests: 10_000, fixedCounts: false })
        .minimumTotal,
    ).toBe(10_000);
  });

  it('replayed (fixed) counts: N_min is their total, ε needs 6 Hoeffding events when multipliers differ', () => {
    const windows = [
      { expected: 3000, multiplier: 1 },
      { expected: 2000, multiplier: 1.4 },
    ];
    const mixed = sketchBands({ windows, latency: lognormal, minimumRequests: 0, fixedCounts: true });
    expect(mixed.minimumTotal).toBe(5000);
    expect(mixed.epsilon).toBeCloseTo(Math.sqrt(Math.log(6e15) / 10_000), 15);
    const same = sketchBands({
      windows: windows.map((w) => ({ ...w, multiplier: 1 })),
      latency: lognormal,
      minimumRequests: 0,
      fixedCounts: true,
    });
    expect(same.epsilon).toBeCloseTo(0.059356485387420499, 15); // scipy, as above
    expect(() => sketchBands({ windows: [], latency: lognormal, minimumRequests: 0, fixedCounts: true })).toThrow(/windows/);
    expect(() => sketchBands({ windows, latency: lognormal, minimumRequests: 0, fixedCounts: true, quantiles: [1] })).toThrow(
      /quantiles\[0\] must be between 0 and 1/,
    );
  });

  it('each quantile band holds the mixture quantiles q ± (ε + 1/N_min), one bucket wider', () => {
    const bands = smallBaseline(1.5);
    const slack = bands.epsilon + 1 / bands.minimumTotal;
    // 12 windows, 8 at multiplier 1 and 4 at 1.5: scipy's mixture 0.95-quantile is 478.0568 ms, bucket 309.
    const p95 = bands.quantileBands[1];
    expect(p95.q).toBe(0.95);
    expect(p95.first).toBeLessThan(309);
    expect(p95.last).toBeGreaterThan(309);
    // The lower end is the bucket of the mixture's (0.95 − slack)-quantile minus one.
    const mixture = (x: number) => (2 / 3) * lognormal.cdf(x) + (1 / 3) * lognormal.cdf(x / 1.5);
    const gamma = 1.01 / 0.99;
    const bucket = p95.first + 1;
    expect(mixture(gamma ** (bucket - 1))).toBeLessThan(0.95 - slack);
    expect(mixture(gamma ** bucket)).toBeGreaterThanOrEqual(0.95 - slack);
    // The 0.95 + slack end passes 1 − τ: the band reaches the upper tail cut, whose mass is counted.
    expect(0.95 + slack).toBeGreaterThan(1);
    expect(bands.failureProbability).toBeGreaterThan(2e-15);
    expect(bands.failureProbability).toBeLessThan(1e-10);
  });

  it('the bucket indices and representatives are those of LatencySketch', () => {
    const bands = smallBaseline();
    const gamma = 1.01 / 0.99;
    for (let j = 0; j < bands.cellTarget.length; j++) {
      const bucket = bands.cellTarget[j];
      const sketch = new LatencySketch().add(representative(bucket)).toJSON();
      expect(sketch.offset).toBe(bucket);
      expect(new LatencySketch().add(representative(bucket)).quantile(0.5)).toBe(representative(bucket));
      // Just inside each edge of the bucket (γ^(i−1), γ^i].
      expect(new LatencySketch().add(gamma ** bucket * (1 - 1e-9)).toJSON().offset).toBe(bucket);
      expect(new LatencySketch().add(gamma ** (bucket - 1) * (1 + 1e-9)).toJSON().offset).toBe(bucket);
      expect(bucketOf(gamma ** bucket * (1 + 1e-9))).toBe(bucket + 1);
    }
  });

  it('the cells cover every bucket once, and their probabilities are the law’s (scipy) and sum to 1', () => {
    const bands = smallBaseline();
    for (let j = 1; j < bands.cellFirst.length; j++) expect(bands.cellFirst[j]).toBe(bands.cellLast[j - 1] + 1);
    for (let j = 0; j < bands.cellFirst.length; j++) {
      expect(bands.cellTarget[j]).toBeGreaterThanOrEqual(Math.max(bands.cellFirst[j], bands.cellTarget[0]));
      expect(bands.cellTarget[j]).toBeLessThanOrEqual(bands.cellLast[j]);
    }
    const probabilities = cellProbabilities(bands, 1);
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    expect(probabilities[0]).toBe(0); // no latency 0 under a lognormal
    const cellOf = (bucket: number) => 1 + bands.cellFirst.findIndex((first, j) => first <= bucket && bucket <= bands.cellLast[j]);
    // scipy: norm.cdf differences at the bucket edges.
    for (const [bucket, reference] of [
      [241, 0.010895404326265901],
      [300, 0.0028263150542475746],
      [325, 0.00072853966718922081],
    ] as const) {
      expect(bands.cellIsBand[cellOf(bucket) - 1]).toBe(1);
      expect(probabilities[cellOf(bucket)]).toBeCloseTo(reference, 12);
    }
  });

  it('a window’s banded counts sum to n, and each cell’s mean count is n·p within 4 standard errors', () => {
    const bands = smallBaseline();
    const random = streamFor('banded counts', 0);
    const probabilities = cellProbabilities(bands, 1.2);
    const cells = bands.cellTarget.length;
    const sums = new Float64Array(cells);
    const draws = 4000;
    const n = 500;
    for (let d = 0; d < draws; d++) {
      const sketch = drawBandedSketch(bands, n, 1.2, random);
      expect(sketch.count).toBe(n);
      expect(sketch.zeroCount + sketch.counts.reduce((a, b) => a + b, 0)).toBe(n);
      expect(() => LatencySketch.fromJSON(sketch)).not.toThrow();
      const counts = cellCountsOfSketch(bands, sketch);
      for (let j = 0; j < cells; j++) sums[j] += counts[j + 1];
    }
    let checked = 0;
    for (let j = 0; j < cells; j++) {
      const p = probabilities[j + 1];
      if (n * p < 0.05) continue;
      const standardError = Math.sqrt((n * p * (1 - p)) / draws);
      expect(Math.abs(sums[j] / draws - n * p)).toBeLessThan(4 * standardError);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('min, max and sum are those of the banded histogram', () => {
    const bands = smallBaseline();
    const counts = new Float64Array(bands.cellTarget.length + 1);
    counts[1] = 3; // lower lump
    counts[5] = 2;
    const sketch = sketchOfCellCounts(bands, counts);
    expect(sketch.count).toBe(5);
    expect(sketch.offset).toBe(bands.cellTarget[0]);
    expect(sketch.min).toBe(representative(bands.cellTarget[0]));
    expect(sketch.max).toBe(representative(bands.cellTarget[4]));
    expect(sketch.sum).toBeCloseTo(3 * representative(bands.cellTarget[0]) + 2 * representative(bands.cellTarget[4]), 9);
  });
});

describe('pooled quantiles of banded sketches', () => {
  it('equal those of full sketches of the same latencies whenever they fall in a band (500 baselines, two multipliers)', () => {
    const bands = smallBaseline(1.5);
    const random = streamFor('banded vs full', 0);
    const sampler = lognormal.sampler(random);
    let inBand = 0;
    for (let replicate = 0; replicate < 500; replicate++) {
      const full: LatencySketchJson[] = [];
      const banded: LatencySketchJson[] = [];
      for (let w = 0; w < 12; w++) {
        const multiplier = w >= 8 ? 1.5 : 1;
        const n = poissonVariate(random, 500);
        const sketch = new LatencySketch();
        for (let i = 0; i < n; i++) sketch.add(multiplier * sampler());
        const json = sketch.toJSON();
        full.push(json);
        banded.push(sketchOfCellCounts(bands, cellCountsOfSketch(bands, json)));
      }
      for (const q of [0.5, 0.95, 0.99]) {
        const exact = pooledQuantile(full, q);
        const bucket = bucketOf(exact);
        const cell = bands.cellFirst.findIndex((first, j) => first <= bucket && bucket <= bands.cellLast[j]);
        // Every pooled quantile lands in a band (failure probability < 1e-10), not at a clamp.
        expect(bands.cellIsBand[cell]).toBe(1);
        expect(pooledQuantile(banded, q)).toBe(representative(bucket));
        if (exact === representative(bucket)) {
          expect(pooledQuantile(banded, q)).toBe(exact);
          inBand++;
        }
      }
    }
    expect(inBand).toBeGreaterThan(1400);
  });
});
