import { describe, expect, it } from 'vitest';
import { streamFor } from '../../src/engine/random/streams.ts';
import { normalQuantile } from '../../src/engine/stats/distributions.ts';
import type { LatencyDistribution } from '../../src/sim/latencyModel.ts';
import { approximateNormalQuantile, latencyModel, lognormalSigma } from '../../src/sim/latencyModel.ts';
import { expectRelative } from '../helpers/close.ts';

// Reference values: scipy 1.10.1 (stats.lognorm.ppf(u, 0.7, scale=120), stats.gamma.ppf(u, a,
// scale=θ), stats.expon.ppf(u, scale=80), brentq on the mixture CDF, np.quantile) printed by
// scripts/reference/simulator.py.
const lognormal: LatencyDistribution = { kind: 'lognormal', median: 120, sigma: 0.7 };
const gamma25: LatencyDistribution = { kind: 'gamma', shape: 2.5, scale: 40 };
const gamma06: LatencyDistribution = { kind: 'gamma', shape: 0.6, scale: 100 };
const exponential: LatencyDistribution = { kind: 'exponential', mean: 80 };
const mixture: LatencyDistribution = {
  kind: 'mixture',
  components: [
    { weight: 9, distribution: { kind: 'lognormal', median: 100, sigma: 0.3 } },
    { weight: 1, distribution: { kind: 'lognormal', median: 1000, sigma: 0.5 } },
  ],
};

const quantiles: [number, number, number, number, number][] = [
  // u, lognormal, gamma 2.5, gamma 0.6, exponential
  [0.001, 13.795316195995259, 4.204252052584384, 0.000828906628091593, 0.08004002668668268],
  [0.5, 120.0, 87.02920382191053, 31.570201701610756, 55.451774444795625],
  [0.95, 379.5131631145814, 221.40995387032703, 215.90120538479266, 239.6585818843192],
  [0.99, 611.5124132600946, 301.7254493877798, 360.65892849640755, 368.41361487904726],
  [0.999999, 3343.885586159403, 717.7637375922085, 1238.115458771725, 1105.2408446348413],
];

describe('latency models', () => {
  it('quantile functions match scipy', () => {
    const models = [lognormal, gamma25, gamma06, exponential].map(latencyModel);
    for (const [u, ...expected] of quantiles) {
      models.forEach((model, i) => expectRelative(model.quantile(u), expected[i], 1e-9));
    }
  });

  it('the mixture quantile and the CDFs match scipy', () => {
    const model = latencyModel(mixture);
    expectRelative(model.quantile(0.5), 104.28035740542246, 1e-9);
    expectRelative(model.quantile(0.9), 269.1951727295983, 1e-9);
    expectRelative(model.quantile(0.95), 1000.0000000000922, 1e-9);
    expectRelative(model.quantile(0.99), 1897.9527073347112, 1e-9);
    expectRelative(model.cdf(500), 0.9082828154312305, 1e-12);
    expectRelative(latencyModel(lognormal).cdf(300), 0.9047305821450091, 1e-12);
    expectRelative(latencyModel(gamma25).cdf(150), 0.813970166397133, 1e-12);
  });

  it('the empirical law is the type-7 quantile (numpy default) and its inverse', () => {
    const model = latencyModel({ kind: 'empirical', values: [50, 10, 100, 30, 20] });
    // np.quantile([10, 20, 30, 50, 100], [0, .1, .5, .95, 1])
    [10.0, 14.0, 30.0, 89.99999999999999, 100.0].forEach((expected, i) =>
      expectRelative(model.quantile([0, 0.1, 0.5, 0.95, 1][i]), expected, 1e-12),
    );
    for (const u of [0.05, 0.3, 0.77, 0.99]) expect(model.cdf(model.quantile(u))).toBeCloseTo(u, 12);
  });

  it('solves a lognormal sigma from its p95', () => {
    // ln(400/120)/Φ⁻¹(0.95)
    expect(lognormalSigma({ kind: 'lognormal', median: 120, p95: 400 })).toBeCloseTo(Math.log(400 / 120) / 1.6448536269514722, 14);
    expectRelative(latencyModel({ kind: 'lognormal', median: 120, p95: 400 }).quantile(0.95), 400, 1e-12);
  });

  it("Acklam's approximation is within 1.2e-9 of the polished normal quantile", () => {
    for (const p of [1e-12, 1e-6, 0.001, 0.02425, 0.1, 0.5, 0.8, 0.97575, 0.999, 1 - 1e-9]) {
      const exact = normalQuantile(p);
      expect(Math.abs(approximateNormalQuantile(p) - exact)).toBeLessThanOrEqual(1.2e-9 * Math.max(1, Math.abs(exact)));
    }
    for (const model of [lognormal, gamma25, mixture].map(latencyModel)) {
      for (const u of [0.01, 0.5, 0.95, 0.99]) {
        expectRelative(model.approximateQuantile(u), model.quantile(u), 1e-8);
        expectRelative(Math.exp(model.approximateLogQuantile(u)), model.quantile(u), 1e-8);
      }
    }
  });

  it('samplers draw from the law of the quantile function (median and p95 within Monte-Carlo error)', () => {
    for (const distribution of [lognormal, gamma25, gamma06, exponential, mixture]) {
      const model = latencyModel(distribution);
      const draw = model.sampler(streamFor('latency-sampler', 0, distribution.kind));
      const n = 100_000;
      let belowMedian = 0;
      let belowP95 = 0;
      const median = model.quantile(0.5);
      const p95 = model.quantile(0.95);
      for (let i = 0; i < n; i++) {
        const x = draw();
        if (x <= median) belowMedian++;
        if (x <= p95) belowP95++;
      }
      // Binomial SE: √(0.25/n) = 0.0016 and √(0.0475/n) = 0.00069; 4 SE.
      expect(Math.abs(belowMedian / n - 0.5), distribution.kind).toBeLessThan(4 * 0.0016);
      expect(Math.abs(belowP95 / n - 0.95), distribution.kind).toBeLessThan(4 * 0.00069);
    }
  });
});
