import { describe, expect, it } from 'vitest';
import { betaSampler } from '../../../src/engine/random/beta.ts';
import { exponentialSampler } from '../../../src/engine/random/exponential.ts';
import { gammaSampler, logGammaSampler } from '../../../src/engine/random/gamma.ts';
import { lognormalFromMeanAndCv, lognormalFromMedianAndP95, lognormalSampler } from '../../../src/engine/random/lognormal.ts';
import { normalSampler } from '../../../src/engine/random/normal.ts';
import { streamFor } from '../../../src/engine/random/streams.ts';
import { uniformSampler } from '../../../src/engine/random/uniform.ts';
import { chiSquareSf, incompleteBeta, normalCdf } from '../../../src/engine/stats/distributions.ts';
import { continuousPValue, draw, expectMoments } from './goodnessOfFit.ts';

const N = 200_000;
const MIN_P_VALUE = 0.001;

/** The stream scripts/reference/random_streams.py uses for the pinned first outputs. */
const pinnedStream = () => streamFor(2024, 0, 'samplers');

function expectCloseAll(actual: number[], expected: number[], relative = 1e-13): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((value, i) => {
    expect(Math.abs(value - expected[i]), `#${i}: ${value} vs ${expected[i]}`).toBeLessThanOrEqual(relative * Math.abs(expected[i]));
  });
}

const gammaCdf = (shape: number, scale: number) => (x: number) => (x <= 0 ? 0 : 1 - chiSquareSf((2 * x) / scale, 2 * shape)); // P(shape, x/scale) = χ²_{2·shape} CDF at 2x/scale

describe('pinned first outputs (scripts/reference/random_streams.py, Python transcriptions of each algorithm on the same stream)', () => {
  const first = (sampler: () => number) => Array.from({ length: 5 }, sampler);
  it('uniform, normal, exponential, lognormal', () => {
    expectCloseAll(
      first(uniformSampler(pinnedStream(), 2, 5)),
      [2.9043370898119987, 2.1403534117612213, 4.340000956643088, 3.7226656585162416, 2.0312641035431187],
    );
    expectCloseAll(
      first(normalSampler(pinnedStream(), 10, 2)),
      [9.83589823071418, 9.62542504003986, 12.856644170393464, 10.75723313207786, 11.910464761960771],
    );
    expectCloseAll(
      first(exponentialSampler(pinnedStream(), 0.5)),
      [0.7174847208701441, 0.09582848403539801, 3.0282583641801, 1.707673855932203, 0.020952101091471192],
    );
    expectCloseAll(
      first(lognormalSampler(pinnedStream(), 1, 0.5)),
      [2.6090197020003854, 2.475286779986962, 5.552015653296792, 3.2848082637030704, 4.382486206878396],
    );
  });
  it('gamma and beta', () => {
    expectCloseAll(
      first(gammaSampler(pinnedStream(), 5, 2)),
      [8.98330228539186, 8.547318074972278, 14.098609037784357, 7.76792078176565, 11.53543456574998],
    );
    expectCloseAll(
      first(gammaSampler(pinnedStream(), 0.3)),
      [0.05157795400840977, 0.7439903366874437, 0.044265749168320864, 0.0018612711371250455, 3.0224173021059064e-8],
    );
    expectCloseAll(
      first(betaSampler(pinnedStream(), 2, 5)),
      [0.24833801474887204, 0.2522259138683772, 0.13066353320296817, 0.2641464620857183, 0.3676246230706604],
    );
    expectCloseAll(
      first(betaSampler(pinnedStream(), 0.5, 0.5)),
      [0.44905389106440585, 0.8972188772980976, 0.00036992109962234114, 0.998482257691773, 0.3095560207150154],
    );
  });
});

describe('the CDFs used as references', () => {
  it('match scipy 1.10.1', () => {
    expect(gammaCdf(0.3, 1)(0.1)).toBeCloseTo(0.5459128495917965, 10); // scipy gamma.cdf(0.1, 0.3)
    expect(gammaCdf(5, 2)(7.5)).toBeCloseTo(0.32245236389545656, 10); // scipy gamma.cdf(7.5, 5, scale=2)
    expect(incompleteBeta(0.2, 0.5, 0.5)).toBeCloseTo(0.2951672353008665, 10); // scipy beta.cdf(0.2, 0.5, 0.5)
    expect(incompleteBeta(0.3, 2, 5)).toBeCloseTo(0.5798250000000003, 10); // scipy beta.cdf(0.3, 2, 5)
    // scipy lognorm.cdf(3, 0.5, scale=e)
    expect(normalCdf((Math.log(3) - 1) / 0.5)).toBeCloseTo(0.5781741008028732, 10);
  });
});

// Analytic moments (standard formulas, e.g. Johnson, Kotz & Balakrishnan): uniform (a+b)/2,
// (b−a)²/12; exponential 1/λ, 1/λ²; lognormal e^{μ+σ²/2}, (e^{σ²}−1)e^{2μ+σ²}; gamma kθ, kθ²;
// beta a/(a+b), ab/((a+b)²(a+b+1)). Tolerances: 4 standard errors (see goodnessOfFit.ts).
describe('moments', () => {
  let seed = 0;
  const stream = () => streamFor('continuous-moments', seed++);

  it('uniform', () => {
    expectMoments(draw(uniformSampler(stream(), 2, 5), N), 3.5, 0.75);
    expectMoments(draw(uniformSampler(stream(), -1, 1), N), 0, 1 / 3);
    expect(draw(uniformSampler(stream(), 4, 4), 10).every((x) => x === 4)).toBe(true);
  });

  it('normal', () => {
    expectMoments(draw(normalSampler(stream()), N), 0, 1);
    expectMoments(draw(normalSampler(stream(), 10, 2), N), 10, 4);
    expectMoments(draw(normalSampler(stream(), -3, 0.1), N), -3, 0.01);
  });

  it('exponential', () => {
    expectMoments(draw(exponentialSampler(stream(), 0.5), N), 2, 4);
    expectMoments(draw(exponentialSampler(stream(), 20), N), 0.05, 0.0025);
  });

  it('lognormal', () => {
    for (const [mu, sigma] of [
      [1, 0.5],
      [4.8, 0.3],
      [0, 1],
    ]) {
      const mean = Math.exp(mu + sigma ** 2 / 2);
      const variance = Math.expm1(sigma ** 2) * Math.exp(2 * mu + sigma ** 2);
      expectMoments(draw(lognormalSampler(stream(), mu, sigma), N), mean, variance);
    }
  });

  it('gamma', () => {
    for (const [shape, scale] of [
      [0.3, 1],
      [0.05, 1],
      [1, 3],
      [5, 2],
      [1000, 0.01],
    ]) {
      expectMoments(draw(gammaSampler(stream(), shape, scale), N), shape * scale, shape * scale ** 2);
    }
  });

  it('beta', () => {
    for (const [a, b] of [
      [0.5, 0.5],
      [2, 5],
      [0.01, 0.02],
      [1000, 50_000],
    ]) {
      const mean = a / (a + b);
      const variance = (a * b) / ((a + b) ** 2 * (a + b + 1));
      const values = draw(betaSampler(stream(), a, b), N);
      expect(values.every((x) => x >= 0 && x <= 1)).toBe(true);
      expectMoments(values, mean, variance);
    }
  });

  it('log-gamma stays finite where the gamma underflows', () => {
    // Gamma(0.001): P(G < 1e-308) = P(ln G < −709) ≈ e^{−0.709}/Γ(1.001) ≈ 0.49, so about half the
    // gamma draws are 0 in doubles, but every log-gamma draw is finite. E[ln G] = ψ(0.001),
    // Var[ln G] = ψ'(0.001): scipy 1.10.1 special.digamma(0.001) = −1000.5755719318103,
    // special.polygamma(1, 0.001) = 1000001.6425332.
    const values = draw(logGammaSampler(stream(), 0.001), N);
    expect(values.every(Number.isFinite)).toBe(true);
    expectMoments(values, -1000.5755719318103, 1000001.6425332);
  });
});

describe('goodness of fit (χ² on 50 equiprobable cells, p > 0.001 at fixed seeds)', () => {
  let seed = 0;
  const stream = () => streamFor('continuous-fit', seed++);

  it('gamma, shapes 0.3 and 5', () => {
    expect(continuousPValue(draw(gammaSampler(stream(), 0.3), N), gammaCdf(0.3, 1), 0, 100)).toBeGreaterThan(MIN_P_VALUE);
    expect(continuousPValue(draw(gammaSampler(stream(), 5, 2), N), gammaCdf(5, 2), 0, 200)).toBeGreaterThan(MIN_P_VALUE);
  });

  it('beta (0.5, 0.5) and (2, 5)', () => {
    const cdf = (a: number, b: number) => (x: number) => incompleteBeta(Math.min(Math.max(x, 0), 1), a, b);
    expect(continuousPValue(draw(betaSampler(stream(), 0.5, 0.5), N), cdf(0.5, 0.5), 0, 1)).toBeGreaterThan(MIN_P_VALUE);
    expect(continuousPValue(draw(betaSampler(stream(), 2, 5), N), cdf(2, 5), 0, 1)).toBeGreaterThan(MIN_P_VALUE);
  });

  it('lognormal, normal, exponential', () => {
    const lognormalCdf = (x: number) => (x <= 0 ? 0 : normalCdf((Math.log(x) - 1) / 0.5));
    expect(continuousPValue(draw(lognormalSampler(stream(), 1, 0.5), N), lognormalCdf, 0, 1000)).toBeGreaterThan(MIN_P_VALUE);
    const standardCdf = (x: number) => normalCdf((x - 10) / 2);
    expect(continuousPValue(draw(normalSampler(stream(), 10, 2), N), standardCdf, -30, 50)).toBeGreaterThan(MIN_P_VALUE);
    const exponentialCdf = (x: number) => (x <= 0 ? 0 : -Math.expm1(-0.5 * x));
    expect(continuousPValue(draw(exponentialSampler(stream(), 0.5), N), exponentialCdf, 0, 200)).toBeGreaterThan(MIN_P_VALUE);
  });

  it('detects a wrong law (the check has power)', () => {
    // Gamma(5, 2) tested against Gamma(5, 2.05): a 2.5 % scale error is rejected at N = 200 000.
    expect(continuousPValue(draw(gammaSampler(stream(), 5, 2), N), gammaCdf(5, 2.05), 0, 200)).toBeLessThan(1e-6);
  });
});

describe('lognormal parameter helpers', () => {
  it('from median and p95', () => {
    const { meanLog, sdLog } = lognormalFromMedianAndP95(100, 250);
    expect(meanLog).toBeCloseTo(Math.log(100), 15);
    // scipy 1.10.1: lognorm.ppf(0.95, s=log(2.5)/norm.ppf(0.95), scale=100) = 250.0
    expect(Math.exp(meanLog + sdLog * 1.6448536269514722)).toBeCloseTo(250, 10);
    expect(sdLog).toBeCloseTo(Math.log(2.5) / 1.6448536269514722, 15);
  });

  it('from mean and coefficient of variation', () => {
    const { meanLog, sdLog } = lognormalFromMeanAndCv(200, 0.8);
    // scipy 1.10.1: lognorm(s, scale=200·exp(−s²/2)) with s = √log1p(0.64) has mean 200.0, std 160.00000000000003
    expect(Math.exp(meanLog + sdLog ** 2 / 2)).toBeCloseTo(200, 10);
    expect(Math.sqrt(Math.expm1(sdLog ** 2)) * Math.exp(meanLog + sdLog ** 2 / 2)).toBeCloseTo(160, 10);
    expect(lognormalFromMeanAndCv(5, 0)).toEqual({ meanLog: Math.log(5), sdLog: 0 });
  });

  it('reject impossible descriptions', () => {
    expect(() => lognormalFromMedianAndP95(100, 90)).toThrow(/p95 must be greater than median \(100\), got 90/);
    expect(() => lognormalFromMedianAndP95(0, 90)).toThrow(/median/);
    expect(() => lognormalFromMeanAndCv(-1, 0.5)).toThrow(/mean/);
    expect(() => lognormalFromMeanAndCv(1, -0.5)).toThrow(/cv/);
  });
});

describe('parameter checks', () => {
  const random = streamFor(1, 0);
  it('throw RangeError naming the parameter', () => {
    expect(() => uniformSampler(random, 5, 2)).toThrow(/max must be at least min \(5\), got 2/);
    expect(() => uniformSampler(random, 0, Infinity)).toThrow(/max/);
    expect(() => normalSampler(random, 0, -1)).toThrow(/standardDeviation must be a finite number at least 0, got -1/);
    expect(() => normalSampler(random, Number.NaN, 1)).toThrow(/mean/);
    expect(() => exponentialSampler(random, 0)).toThrow(/rate must be a finite number greater than 0, got 0/);
    expect(() => lognormalSampler(random, 0, -1)).toThrow(/sdLog/);
    expect(() => gammaSampler(random, 0)).toThrow(/shape/);
    expect(() => gammaSampler(random, 1, -2)).toThrow(/scale/);
    expect(() => betaSampler(random, 1, 0)).toThrow(/beta must be/);
    expect(() => betaSampler(random, Infinity, 1)).toThrow(/alpha must be/);
    expect(() => normalSampler(undefined as unknown as () => number)).toThrow(TypeError);
  });
});
