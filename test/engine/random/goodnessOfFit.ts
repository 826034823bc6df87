/**
 * Test helpers for the Monte-Carlo checks of the samplers: moment checks with tolerances from
 * the standard error, and χ² goodness-of-fit p-values from `chiSquareSf` (pinned against scipy in
 * test/engine/stats/distributions.test.ts).
 */
import { expect } from 'vitest';
import { chiSquareSf } from '../../../src/engine/stats/distributions.ts';

/** Number of standard errors a Monte-Carlo estimate may be off (two-sided p ≈ 6·10⁻⁵). */
export const STANDARD_ERRORS = 4;

export function draw(sampler: () => number, count: number): Float64Array {
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = sampler();
  return values;
}

/**
 * Asserts that the sample mean and the (unbiased) sample variance of `values` are within
 * STANDARD_ERRORS standard errors of the analytic `mean` and `variance`:
 * SE(mean) = √(variance/N) from the analytic variance, and SE(variance) = √((m₄ − s⁴)/N)
 * (the delta-method variance of the sample variance), with m₄ the sample fourth central moment.
 */
export function expectMoments(values: Float64Array, mean: number, variance: number): void {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const sampleMean = sum / n;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - sampleMean;
    const d2 = d * d;
    m2 += d2;
    m4 += d2 * d2;
  }
  const sampleVariance = m2 / (n - 1);
  m4 /= n;
  const meanTolerance = STANDARD_ERRORS * Math.sqrt(variance / n);
  const varianceTolerance = STANDARD_ERRORS * Math.sqrt(Math.max(m4 - (m2 / n) ** 2, 0) / n);
  expect(Math.abs(sampleMean - mean), `mean ${sampleMean} vs ${mean}`).toBeLessThan(meanTolerance);
  expect(Math.abs(sampleVariance - variance), `variance ${sampleVariance} vs ${variance}`).toBeLessThan(varianceTolerance);
}

/**
 * Pearson χ² p-value of observed counts against expected probabilities, after merging adjacent
 * cells (in order) until each has an expected count ≥ 5; df = cells − 1.
 */
export function chiSquarePValue(observed: ArrayLike<number>, probabilities: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < observed.length; i++) total += observed[i];
  const mergedObserved: number[] = [];
  const mergedExpected: number[] = [];
  let o = 0;
  let e = 0;
  for (let i = 0; i < observed.length; i++) {
    o += observed[i];
    e += probabilities[i] * total;
    if (e >= 5) {
      mergedObserved.push(o);
      mergedExpected.push(e);
      o = 0;
      e = 0;
    }
  }
  // Leftover tail cell folded into the last one.
  mergedObserved[mergedObserved.length - 1] += o;
  mergedExpected[mergedExpected.length - 1] += e;
  let statistic = 0;
  for (let i = 0; i < mergedObserved.length; i++) {
    statistic += (mergedObserved[i] - mergedExpected[i]) ** 2 / mergedExpected[i];
  }
  return chiSquareSf(statistic, mergedObserved.length - 1);
}

/**
 * χ² goodness of fit of an integer sample to a pmf over 0..maximum (cells beyond maximum go to
 * the last cell, whose probability is 1 − Σ pmf(0..maximum−1)).
 */
export function discretePValue(values: Float64Array, pmf: (k: number) => number, maximum: number): number {
  const counts = new Float64Array(maximum + 1);
  for (const v of values) counts[Math.min(v, maximum)] += 1;
  const probabilities = new Float64Array(maximum + 1);
  let cumulative = 0;
  for (let k = 0; k < maximum; k++) {
    probabilities[k] = pmf(k);
    cumulative += probabilities[k];
  }
  probabilities[maximum] = Math.max(1 - cumulative, 0);
  return chiSquarePValue(counts, probabilities);
}

/**
 * χ² goodness of fit of a continuous sample to a CDF on `cellCount` equiprobable cells, whose
 * edges are found by bisection of the CDF on [lower, upper] (so no quantile function is needed).
 */
export function continuousPValue(values: Float64Array, cdf: (x: number) => number, lower: number, upper: number, cellCount = 50): number {
  const edges: number[] = [];
  for (let j = 1; j < cellCount; j++) {
    const target = j / cellCount;
    let lo = lower;
    let hi = upper;
    for (let iteration = 0; iteration < 200; iteration++) {
      const mid = 0.5 * (lo + hi);
      if (cdf(mid) < target) lo = mid;
      else hi = mid;
    }
    edges.push(0.5 * (lo + hi));
  }
  const counts = new Float64Array(cellCount);
  for (const v of values) {
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v < edges[mid]) hi = mid;
      else lo = mid + 1;
    }
    counts[lo] += 1;
  }
  return chiSquarePValue(counts, new Float64Array(cellCount).fill(1 / cellCount));
}

/** Wraps a Random to count how many uniforms a sampler consumes. */
export function countingRandom(random: () => number): { random: () => number; count: () => number } {
  let calls = 0;
  return {
    random: () => {
      calls++;
      return random();
    },
    count: () => calls,
  };
}
