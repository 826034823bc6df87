import { describe, expect, it } from 'vitest';
import { binomialSampler, binomialVariate } from '../../../src/engine/random/binomial.ts';
import { poissonSampler, poissonVariate } from '../../../src/engine/random/poisson.ts';
import { stirlingCorrection } from '../../../src/engine/random/stirlingCorrection.ts';
import { streamFor } from '../../../src/engine/random/streams.ts';
import { logGamma } from '../../../src/engine/stats/distributions.ts';
import { countingRandom, discretePValue, draw, expectMoments } from './goodnessOfFit.ts';

const N = 200_000;
const MIN_P_VALUE = 0.001;

/** The stream scripts/reference/random_streams.py uses for the pinned first outputs. */
const pinnedStream = () => streamFor(2024, 0, 'samplers');

const poissonPmf = (mean: number) => (k: number) => Math.exp(k * Math.log(mean) - mean - logGamma(k + 1));

const binomialPmf = (n: number, p: number) => (k: number) =>
  Math.exp(logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p));

/**
 * χ² p-value of an integer sample on the cells ⌊mean − 8sd⌋ … ⌈mean + 8sd⌉ (clamped to the
 * support; the mass outside is < 10⁻¹⁴ and goes to the edge cells), merged to expected counts ≥ 5.
 */
function fitPValue(values: Float64Array, pmf: (k: number) => number, mean: number, sd: number, max = Infinity): number {
  const lo = Math.max(0, Math.floor(mean - 8 * sd - 5));
  const hi = Math.min(max, Math.ceil(mean + 8 * sd + 5));
  const shifted = values.map((v) => Math.min(Math.max(v, lo), hi) - lo);
  return discretePValue(shifted, (k) => pmf(k + lo), hi - lo);
}

describe('pinned first outputs (scripts/reference/random_streams.py: Python transcriptions of inversion, numpy’s PTRS and Hörmann’s BTRS with scipy gammaln, on the same stream)', () => {
  const first = (sampler: () => number) => Array.from({ length: 8 }, sampler);
  it('Poisson', () => {
    expect(first(poissonSampler(pinnedStream(), 0.5))).toEqual([0, 0, 1, 0, 0, 0, 1, 0]);
    expect(first(poissonSampler(pinnedStream(), 30))).toEqual([27, 35, 37, 22, 32, 28, 30, 33]);
    expect(first(poissonSampler(pinnedStream(), 1e6))).toEqual([999415, 1000868, 1001210, 998558, 1000422, 1000779, 999732, 999806]);
  });
  it('binomial', () => {
    expect(first(binomialSampler(pinnedStream(), 10, 0.3))).toEqual([2, 1, 4, 3, 0, 0, 5, 2]);
    expect(first(binomialSampler(pinnedStream(), 50, 0.9))).toEqual([46, 48, 43, 45, 49, 49, 43, 46]);
    expect(first(binomialSampler(pinnedStream(), 1000, 0.01))).toEqual([8, 13, 14, 11, 9, 10, 12, 6]);
    expect(first(binomialSampler(pinnedStream(), 1e9, 1e-7))).toEqual([94, 109, 112, 86, 104, 97, 99, 106]);
    expect(first(binomialSampler(pinnedStream(), 1e9, 0.3))).toEqual([
      299991522, 300012580, 300017531, 299979108, 300006121, 299996112, 299997186, 299999012,
    ]);
  });
  // The one-shot variates (no sampler per draw) give these same pinned values, one draw per call.
  const firstVariates = (variate: (random: () => number) => number) => {
    const random = pinnedStream();
    return Array.from({ length: 8 }, () => variate(random));
  };
  it('Poisson, one draw at a time (poissonVariate)', () => {
    expect(firstVariates((random) => poissonVariate(random, 0.5))).toEqual([0, 0, 1, 0, 0, 0, 1, 0]);
    expect(firstVariates((random) => poissonVariate(random, 30))).toEqual([27, 35, 37, 22, 32, 28, 30, 33]);
  });
  it('binomial, one draw at a time (binomialVariate)', () => {
    expect(firstVariates((random) => binomialVariate(random, 10, 0.3))).toEqual([2, 1, 4, 3, 0, 0, 5, 2]);
    expect(firstVariates((random) => binomialVariate(random, 50, 0.9))).toEqual([46, 48, 43, 45, 49, 49, 43, 46]);
    expect(firstVariates((random) => binomialVariate(random, 1e9, 0.3))).toEqual([
      299991522, 300012580, 300017531, 299979108, 300006121, 299996112, 299997186, 299999012,
    ]);
  });
});

describe('one-shot variates against their samplers', () => {
  // binomialVariate / poissonVariate must return exactly what a fresh sampler's first draw
  // returns and consume the same uniforms (the windowed simulator swaps one for the other and
  // its seeded outputs must not move): the parameters change at every draw, across both
  // algorithms, the mirrored binomial and the degenerate cases.
  const binomialCases: Array<[number, number]> = [
    [0, 0.3],
    [100, 0],
    [100, 1],
    [10, 0.3],
    [999, 0.01],
    [20, 0.5],
    [1e6, 0.2],
    [50, 0.9],
    [1e6, 0.999],
    [1e9, 1e-9],
  ];
  it('binomial: the same values and the same stream position, parameters changing at every draw', () => {
    const viaSampler = streamFor('one-shot binomial', 0);
    const viaVariate = streamFor('one-shot binomial', 0);
    const sampled: number[] = [];
    const variates: number[] = [];
    for (let round = 0; round < 50; round++) {
      for (const [n, p] of binomialCases) {
        sampled.push(binomialSampler(viaSampler, n, p)());
        variates.push(binomialVariate(viaVariate, n, p));
      }
    }
    expect(variates).toEqual(sampled);
    expect(viaVariate()).toBe(viaSampler());
  });
  it('Poisson: the same values and the same stream position, the mean changing at every draw', () => {
    const viaSampler = streamFor('one-shot poisson', 0);
    const viaVariate = streamFor('one-shot poisson', 0);
    const sampled: number[] = [];
    const variates: number[] = [];
    for (let i = 0; i < 500; i++) {
      const mean = [0, 0.5, 9.99, 10, 30, 1e4, 1e12][i % 7] * (1 + i / 1000);
      sampled.push(poissonSampler(viaSampler, mean)());
      variates.push(poissonVariate(viaVariate, mean));
    }
    expect(variates).toEqual(sampled);
    expect(viaVariate()).toBe(viaSampler());
  });
  it('check their inputs as the samplers do', () => {
    const random = streamFor('one-shot checks', 0);
    expect(() => binomialVariate(random, -1, 0.5)).toThrow(/trials must be a non-negative integer, got -1/);
    expect(() => binomialVariate(random, 10, 1.5)).toThrow(/probability must be between 0 and 1, got 1.5/);
    expect(() => poissonVariate(random, -1)).toThrow(/mean must be a finite number at least 0, got -1/);
    expect(() => poissonVariate(random, 1e16)).toThrow(/mean must be at most/);
  });
});

describe('stirlingCorrection', () => {
  it('matches ln k! − Stirling computed with mpmath (40 digits)', () => {
    // scripts/reference/random_streams.py "stirling correction": mpmath loggamma(k+1) − (k+½)log(k+1) + (k+1) − log(2π)/2
    expect(stirlingCorrection(0)).toBe(0.081061466795327258);
    expect(stirlingCorrection(9)).toBe(0.0083305634333628713);
    // k ≥ 10 uses the series, whose truncation error is < 1/(1188·11⁹) ≈ 3.6e-13 at k = 10.
    expect(Math.abs(stirlingCorrection(10) - 0.0075736754879518408)).toBeLessThan(4e-13);
    expect(stirlingCorrection(100) / 0.00082507981224258844).toBeCloseTo(1, 14);
    expect(stirlingCorrection(1e6) / 8.3333250000080555e-8).toBeCloseTo(1, 13);
    expect(stirlingCorrection(1e9) / 8.333333325e-11).toBeCloseTo(1, 13);
  });
});

/**
 * Each check draws from its own stream, keyed by what it checks, so adding or reordering cases
 * never changes the numbers another case sees. Per check, a false failure has probability
 * ≈ 6·10⁻⁵ (4 SE) or 10⁻³ (χ² p-value); the seeds are fixed, so the outcome is reproducible.
 */
const caseStream = (label: string) => streamFor('discrete-samplers', 0, label);

describe('Poisson', () => {
  let seed = 0;
  const stream = () => caseStream(`poisson misc ${seed++}`);

  // Moments: mean = variance = λ. Tolerances: 4 standard errors (goodnessOfFit.ts).
  it.each([0.5, 9.99, 10, 30, 1000, 1e6, 1e12])('mean %s: moments', (mean) => {
    expectMoments(draw(poissonSampler(caseStream(`poisson ${mean} moments`), mean), N), mean, mean);
  });

  it.each([0.5, 3, 10, 30, 1000, 1e6])('mean %s: χ² fit to the pmf (logGamma)', (mean) => {
    const values = draw(poissonSampler(caseStream(`poisson ${mean} fit`), mean), N);
    expect(fitPValue(values, poissonPmf(mean), mean, Math.sqrt(mean))).toBeGreaterThan(MIN_P_VALUE);
  });

  it('has power against a 0.3 % error in the mean at λ = 1000', () => {
    const values = draw(poissonSampler(stream(), 1003), N);
    expect(fitPValue(values, poissonPmf(1000), 1000, Math.sqrt(1000))).toBeLessThan(1e-6);
  });

  it('uses O(1) uniforms for large means (the rejection path, not an O(mean) loop)', () => {
    const counter = countingRandom(streamFor('poisson-cost', 0));
    const sampler = poissonSampler(counter.random, 1e6);
    for (let i = 0; i < 100_000; i++) sampler();
    const perDraw = counter.count() / 100_000;
    expect(perDraw).toBeGreaterThanOrEqual(2); // two per PTRS trial
    expect(perDraw).toBeLessThan(2.5);
    const small = countingRandom(streamFor('poisson-cost', 1));
    const inversion = poissonSampler(small.random, 0.5);
    for (let i = 0; i < 1000; i++) inversion();
    expect(small.count()).toBe(1000); // inversion: exactly one uniform per draw
  });

  it('handles mean 0 and rejects invalid means', () => {
    expect(draw(poissonSampler(stream(), 0), 10).every((x) => x === 0)).toBe(true);
    expect(() => poissonSampler(stream(), -1)).toThrow(/mean must be a finite number at least 0, got -1/);
    expect(() => poissonSampler(stream(), Number.NaN)).toThrow(/mean/);
    expect(() => poissonSampler(stream(), 1e16)).toThrow(/mean must be at most/);
  });
});

describe('binomial', () => {
  let seed = 0;
  const stream = () => caseStream(`binomial misc ${seed++}`);
  const cases: Array<[number, number]> = [
    [10, 0.3],
    [1000, 0.01],
    [999, 0.01], // n·p = 9.99: inversion, just below the switch
    [20, 0.5], // n·p = 10 with p = ½: BTRS at its smallest
    [1e6, 0.2],
    [1e9, 1e-7],
    [1e9, 1e-9], // n·p = 1: inversion with n = 10⁹
    [1e9, 0.3],
    [50, 0.9], // mirrored
    [1e6, 0.999], // mirrored, BTRS
  ];

  // Moments: mean n·p, variance n·p·(1 − p). Tolerances: 4 standard errors (goodnessOfFit.ts).
  it.each(cases)('(%s, %s): moments', (n, p) => {
    const values = draw(binomialSampler(caseStream(`binomial ${n} ${p} moments`), n, p), N);
    expectMoments(values, n * p, n * p * (1 - p));
  });

  it.each(cases)('(%s, %s): χ² fit to the pmf (logGamma)', (n, p) => {
    const values = draw(binomialSampler(caseStream(`binomial ${n} ${p} fit`), n, p), N);
    expect(values.every((k) => Number.isInteger(k) && k >= 0 && k <= n)).toBe(true);
    const pValue = fitPValue(values, binomialPmf(n, p), n * p, Math.sqrt(n * p * (1 - p)), n);
    expect(pValue).toBeGreaterThan(MIN_P_VALUE);
  });

  it('has power against a small error in p', () => {
    const values = draw(binomialSampler(stream(), 1e6, 0.2005), N);
    expect(fitPValue(values, binomialPmf(1e6, 0.2), 2e5, 400, 1e6)).toBeLessThan(1e-6);
  });

  it('uses O(1) uniforms for binomial(10⁹, 0.3) (the BTRS path)', () => {
    const counter = countingRandom(streamFor('binomial-cost', 0));
    const sampler = binomialSampler(counter.random, 1e9, 0.3);
    for (let i = 0; i < 100_000; i++) sampler();
    const perDraw = counter.count() / 100_000;
    expect(perDraw).toBeGreaterThanOrEqual(2);
    expect(perDraw).toBeLessThan(2.5);
  });

  it('handles the degenerate cases', () => {
    expect(draw(binomialSampler(stream(), 0, 0.3), 5).every((x) => x === 0)).toBe(true);
    expect(draw(binomialSampler(stream(), 100, 0), 5).every((x) => x === 0)).toBe(true);
    expect(draw(binomialSampler(stream(), 100, 1), 5).every((x) => x === 100)).toBe(true);
    expect(draw(binomialSampler(stream(), 1, 0.5), 1000).every((x) => x === 0 || x === 1)).toBe(true);
  });

  it('rejects invalid parameters', () => {
    expect(() => binomialSampler(stream(), -1, 0.5)).toThrow(/trials must be a non-negative integer, got -1/);
    expect(() => binomialSampler(stream(), 2.5, 0.5)).toThrow(/trials/);
    expect(() => binomialSampler(stream(), 2 ** 53, 0.5)).toThrow(/trials/);
    expect(() => binomialSampler(stream(), 10, 1.5)).toThrow(/probability must be between 0 and 1, got 1.5/);
    expect(() => binomialSampler(stream(), 10, Number.NaN)).toThrow(/probability/);
  });
});
