/**
 * The windowed mode's latency percentiles: the joint law of the p50/p95/p99 order statistics,
 * the gamma variates behind it, and the rounding to the latency sketch's grid.
 */
import { describe, expect, it } from 'vitest';
import { streamFor } from '../../src/engine/random/streams.ts';
import { incompleteBeta, upperIncompleteGamma } from '../../src/engine/stats/distributions.ts';
import { oneSampleKsTest } from '../../src/engine/stats/kolmogorov.ts';
import { LatencySketch } from '../../src/engine/stats/latencySketch.ts';
import { GammaVariates } from '../../src/sim/gammaVariates.ts';
import { sketchRounding, sketchRoundingFromLog } from '../../src/sim/sketchRounding.ts';
import { drawPercentileUniforms, sketchRank } from '../../src/sim/windowsOrderStatistics.ts';

describe('order statistics of the windowed mode', () => {
  it("uses the sketch's rank convention: 0-based ⌊q(n − 1)⌋, i.e. 1-based ⌊q(n − 1)⌋ + 1", () => {
    // A sketch of 1…n reads back its quantile near the value of that rank.
    for (const n of [1, 2, 7, 100, 1001]) {
      const sketch = new LatencySketch();
      for (let v = 1; v <= n; v++) sketch.add(v);
      for (const q of [0.5, 0.95, 0.99]) {
        const rank = sketchRank(q, n);
        expect(Math.abs(sketch.quantile(q) - rank) / rank).toBeLessThanOrEqual(0.01 + 1e-12);
      }
    }
    expect(sketchRank(0.95, 200)).toBe(190);
    expect(sketchRank(0.99, 1)).toBe(1);
  });

  it('rounds exactly as LatencySketch reports a single value', () => {
    const round = sketchRounding();
    const fromLog = sketchRoundingFromLog();
    const random = streamFor('rounding', 0);
    for (let i = 0; i < 2000; i++) {
      const value = Math.exp(12 * random() - 3);
      // The sketch clamps a quantile to [min, max]; with x and a far larger value, q = 0.25 reads
      // x's bucket (rank 0.25 < 1) clamped below by x.
      const sketch = new LatencySketch().add(value).add(value * 1e6);
      const representative = round(value);
      expect(sketch.quantile(0.25)).toBe(Math.max(value, representative));
      expect(fromLog(Math.log(value))).toBeCloseTo(representative, 12);
      expect(Math.abs(representative - value) / value).toBeLessThanOrEqual(0.01 + 1e-12);
    }
  });

  it('shares its table of representatives between roundings of one accuracy only', () => {
    // The windowed mode makes a rounding per replicate; they share one lazily filled table per
    // accuracy (issue 16). A later rounding must read the same values, and another accuracy its own.
    const first = sketchRoundingFromLog(0.01);
    const random = streamFor('rounding tables', 0);
    const logs = Array.from({ length: 500 }, () => 12 * random() - 3);
    const firstValues = logs.map(first);
    const coarse = sketchRoundingFromLog(0.05);
    const coarseClosedForm = sketchRounding(0.05);
    let differing = 0;
    for (const [index, log] of logs.entries()) {
      expect(coarse(log)).toBeCloseTo(coarseClosedForm(Math.exp(log)), 10);
      if (coarse(log) !== firstValues[index]) differing++;
    }
    expect(differing).toBeGreaterThan(400);
    const second = sketchRoundingFromLog(0.01);
    expect(logs.map(second)).toEqual(firstValues);
  });

  it('draws Gamma(shape) variates (KS against the regularised incomplete gamma)', () => {
    const gammas = new GammaVariates(streamFor('gamma-variates', 0));
    for (const shape of [0.4, 1, 3, 150, 7500]) {
      const sample = Array.from({ length: 4000 }, () => gammas.gamma(shape));
      const ks = oneSampleKsTest(sample, (x) => (x <= 0 ? 0 : 1 - upperIncompleteGamma(shape, x)), 'asymp');
      expect(ks.pValue, `shape ${shape}: D = ${ks.statistic}`).toBeGreaterThan(0.001);
    }
  });

  it('draws U(k) ~ Beta(k, n − k + 1) with the joint law of uniform order statistics', () => {
    const gammas = new GammaVariates(streamFor('order-statistics', 0));
    const n = 200;
    const [k1, k2, k3] = [sketchRank(0.5, n), sketchRank(0.95, n), sketchRank(0.99, n)];
    expect([k1, k2, k3]).toEqual([100, 190, 198]);
    const draws = 20_000;
    const u = new Float64Array(3);
    const samples: number[][] = [[], [], []];
    for (let i = 0; i < draws; i++) {
      drawPercentileUniforms(gammas, n, u);
      samples[0].push(u[0]);
      samples[1].push(u[1]);
      samples[2].push(1 - u[2]);
      expect(u[0]).toBeLessThanOrEqual(u[1]);
      expect(u[1]).toBeLessThanOrEqual(1 - u[2]);
    }
    // Marginals: KS against the Beta(k, n − k + 1) CDF (incomplete beta).
    [k1, k2, k3].forEach((k, j) => {
      const ks = oneSampleKsTest(samples[j], (x) => incompleteBeta(Math.min(1, Math.max(0, x)), k, n - k + 1), 'asymp');
      expect(ks.pValue, `k = ${k}: D = ${ks.statistic}`).toBeGreaterThan(0.001);
    });
    // Joint law: Cov(U(i), U(j)) = i(n − j + 1)/((n + 1)²(n + 2)) for i ≤ j (David & Nagaraja §2.2).
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const covariance = (a: number[], b: number[]) => {
      const ma = mean(a);
      const mb = mean(b);
      return a.reduce((sum, x, i) => sum + (x - ma) * (b[i] - mb), 0) / (a.length - 1);
    };
    const pairs: [number, number][] = [
      [0, 1],
      [1, 2],
      [0, 2],
    ];
    const ranks = [k1, k2, k3];
    for (const [a, b] of pairs) {
      const i = ranks[a];
      const j = ranks[b];
      const exact = (i * (n - j + 1)) / ((n + 1) ** 2 * (n + 2));
      const correlationExact =
        exact / Math.sqrt(((i * (n - i + 1)) / ((n + 1) ** 2 * (n + 2))) * ((j * (n - j + 1)) / ((n + 1) ** 2 * (n + 2))));
      const sd = (xs: number[]) => Math.sqrt(covariance(xs, xs));
      const correlation = covariance(samples[a], samples[b]) / (sd(samples[a]) * sd(samples[b]));
      // SE of a sample correlation ≈ (1 − ρ²)/√N; 5 SE.
      expect(Math.abs(correlation - correlationExact), `ranks ${i}, ${j}`).toBeLessThan(
        (5 * (1 - correlationExact ** 2)) / Math.sqrt(draws),
      );
      expect(correlationExact).toBeGreaterThan(0.05);
    }
  });
});
