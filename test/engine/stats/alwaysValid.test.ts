/**
 * The normal-mixture SPRT: closed form against scipy quadrature (test/fixtures/sequential-scipy.json,
 * scripts/reference/sequential.py), and seeded Monte-Carlo checks of its always-valid guarantee.
 */
import { describe, expect, test } from 'vitest';
import {
  type AlwaysValidState,
  alwaysValidTest,
  alwaysValidTestResult,
  differenceInMeansEstimate,
  differenceInProportionsEstimate,
  initAlwaysValidTest,
  mixtureConfidenceInterval,
  mixtureLikelihoodRatio,
  updateAlwaysValidTest,
} from '../../../src/engine/stats/alwaysValid.ts';
import { naiveRepeatedTestingFalsePositiveRate } from '../../../src/engine/stats/groupSequential.ts';
import scipy from '../../fixtures/sequential-scipy.json';

/** mulberry32 (Tommy Ettinger's public-domain 32-bit generator): uniforms in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws by Box–Muller on `uniform`. */
function normalSource(uniform: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

describe('closed form against numerical integration of the mixture (scipy quad)', () => {
  for (const entry of scipy.mixtureSprt) {
    test(entry.call, () => {
      const ratio = mixtureLikelihoodRatio(entry.estimate, entry.variance, entry.mixingVariance, entry.nullValue);
      expect(Math.abs(ratio / entry.likelihoodRatio - 1)).toBeLessThan(1e-9);
      // The interval is centred on the estimate; its endpoints solve Λ(θ0) = 1/α.
      const interval = mixtureConfidenceInterval(entry.estimate, entry.variance, entry.mixingVariance, entry.alpha);
      const width = entry.intervalUpper - entry.intervalLower;
      expect(Math.abs(interval.lower - entry.intervalLower)).toBeLessThan(1e-9 * width);
      expect(Math.abs(interval.upper - entry.intervalUpper)).toBeLessThan(1e-9 * width);
    });
  }
});

describe('reducer', () => {
  test('p-value is the running minimum of 1/Λ, capped at 1; the sequence is a running intersection', () => {
    const options = { alpha: 0.05, mixingVariance: 0.01 };
    const looks = [
      { estimate: 0.01, variance: 0.004 },
      { estimate: 0.09, variance: 0.002 },
      { estimate: 0.02, variance: 0.001 },
    ];
    let state = alwaysValidTest.init(options);
    expect(alwaysValidTest.value(state)).toMatchObject({ pValue: 1, rejected: false, looks: 0 });
    const states: AlwaysValidState[] = [];
    for (const look of looks) {
      state = alwaysValidTest.update(state, look);
      states.push(state);
    }
    const inverse = looks.map((l) => 1 / mixtureLikelihoodRatio(l.estimate, l.variance, 0.01));
    expect(inverse[0]).toBeGreaterThan(1); // capped
    const expectedP = [1, Math.min(1, inverse[1]), Math.min(1, inverse[1], inverse[2])];
    states.forEach((s, k) => expect(alwaysValidTestResult(s).pValue).toBeCloseTo(expectedP[k], 14));
    const intervals = looks.map((l) => mixtureConfidenceInterval(l.estimate, l.variance, 0.01, 0.05));
    const final = alwaysValidTest.value(state);
    expect(final.confidenceSequence.lower).toBe(Math.max(...intervals.map((i) => i.lower)));
    expect(final.confidenceSequence.upper).toBe(Math.min(...intervals.map((i) => i.upper)));
    expect(final.looks).toBe(3);
    expect(final.estimate).toBe(0.02);
  });

  test('does not mutate its input state; a zero-variance look changes nothing', () => {
    const state = initAlwaysValidTest({ alpha: 0.05, mixingVariance: 0.01 });
    const copy = structuredClone(state);
    const next = updateAlwaysValidTest(state, { estimate: 0.3, variance: 0.001 });
    expect(state).toEqual(copy);
    expect(next.looks).toBe(1);
    expect(updateAlwaysValidTest(next, { estimate: 0, variance: 0 })).toBe(next);
  });

  test('rejects bad input', () => {
    expect(() => initAlwaysValidTest({ alpha: 1.5, mixingVariance: 1 })).toThrow(/alpha must be between 0 and 1, got 1.5/);
    expect(() => initAlwaysValidTest({ alpha: 0.05, mixingVariance: 0 })).toThrow(/mixingVariance/);
    const state = initAlwaysValidTest({ alpha: 0.05, mixingVariance: 1 });
    expect(() => updateAlwaysValidTest(state, { estimate: NaN, variance: 1 })).toThrow(/estimate/);
    expect(() => updateAlwaysValidTest(state, { estimate: 0, variance: -1 })).toThrow(/variance/);
    expect(() => mixtureLikelihoodRatio(0, 0, 1)).toThrow(/variance/);
    expect(() => differenceInProportionsEstimate(5, 4, 1, 10)).toThrow(/control successes/);
    expect(() => differenceInMeansEstimate({ mean: 0, variance: 1, count: 0 }, { mean: 0, variance: 1, count: 5 })).toThrow(
      /control.count/,
    );
  });

  test('summaries: Welch variance for means, unpooled variance for proportions', () => {
    expect(differenceInMeansEstimate({ mean: 1, variance: 4, count: 100 }, { mean: 1.5, variance: 9, count: 50 })).toEqual({
      estimate: 0.5,
      variance: 4 / 100 + 9 / 50,
    });
    const proportions = differenceInProportionsEstimate(10, 100, 30, 200);
    expect(proportions.estimate).toBeCloseTo(0.05, 15);
    expect(proportions.variance).toBeCloseTo((0.15 * 0.85) / 200 + (0.1 * 0.9) / 100, 15);
  });
});

describe('Monte Carlo: continuous monitoring over 100 looks (seeded)', () => {
  const looks = 100;
  const perLook = 50; // observations per arm per look, unit variance
  const mixingVariance = 0.01;
  const alpha = 0.05;

  /** Runs one experiment; returns whether the mSPRT and the naive |z| > 1.96 test ever rejected. */
  function experiment(normal: () => number, effect: number) {
    let state = initAlwaysValidTest({ alpha, mixingVariance });
    let controlSum = 0;
    let candidateSum = 0;
    let naive = false;
    let coveredThroughout = true;
    for (let look = 1; look <= looks; look++) {
      // The sum of perLook N(μ, 1) draws is exactly N(perLook·μ, perLook).
      controlSum += Math.sqrt(perLook) * normal();
      candidateSum += perLook * effect + Math.sqrt(perLook) * normal();
      const count = look * perLook;
      const estimate = (candidateSum - controlSum) / count;
      const variance = 2 / count; // known unit variance in each arm
      state = updateAlwaysValidTest(state, { estimate, variance });
      if (Math.abs(estimate / Math.sqrt(variance)) > 1.959963984540054) naive = true;
      if (!(state.lower <= effect && effect <= state.upper)) coveredThroughout = false;
    }
    return { rejected: alwaysValidTestResult(state).rejected, naive, coveredThroughout, state };
  }

  test('under H0 the mSPRT rejects at most α, naive testing far more', () => {
    const replicates = 10_000;
    const normal = normalSource(mulberry32(20240611));
    let rejected = 0;
    let naive = 0;
    for (let r = 0; r < replicates; r++) {
      const outcome = experiment(normal, 0);
      if (outcome.rejected) rejected++;
      if (outcome.naive) naive++;
    }
    const standardError = Math.sqrt((alpha * (1 - alpha)) / replicates); // 0.0022
    // Ville's inequality bounds the rate by α; allow 3 standard errors of Monte-Carlo noise.
    expect(rejected / replicates).toBeLessThanOrEqual(alpha + 3 * standardError);
    // Naive testing at every look: the exact rate from the recursion (0.3736 for 100 looks),
    // within 4 standard errors (SE ≈ 0.0048).
    const exact = naiveRepeatedTestingFalsePositiveRate(looks, alpha);
    const naiveError = Math.sqrt((exact * (1 - exact)) / replicates);
    expect(Math.abs(naive / replicates - exact)).toBeLessThan(4 * naiveError);
    expect(naive / replicates).toBeGreaterThan(6 * alpha);
  });

  test('under a real effect it rejects with high probability, and the sequence covers the effect', () => {
    const replicates = 2_000;
    const effect = 0.1; // final z ≈ 0.1 / √(2/5000) = 5
    const normal = normalSource(mulberry32(7));
    let rejected = 0;
    let covered = 0;
    let rightSign = 0;
    for (let r = 0; r < replicates; r++) {
      const outcome = experiment(normal, effect);
      if (outcome.rejected) rejected++;
      if (outcome.coveredThroughout) covered++;
      if (outcome.state.lower > 0) rightSign++;
    }
    expect(rejected / replicates).toBeGreaterThan(0.97);
    expect(rightSign).toBe(rejected);
    // Coverage of the confidence sequence over all 100 looks: ≥ 1 − α up to 3 SE (SE ≈ 0.0049).
    expect(covered / replicates).toBeGreaterThanOrEqual(1 - alpha - 3 * Math.sqrt((alpha * (1 - alpha)) / replicates));
  });

  test('difference in proportions under H0 (normal approximation, estimated variance)', () => {
    const replicates = 1_000;
    const perWindow = 100;
    const rate = 0.1;
    const uniform = mulberry32(99);
    let rejected = 0;
    for (let r = 0; r < replicates; r++) {
      let state = initAlwaysValidTest({ alpha, mixingVariance: 0.0004 });
      let controlErrors = 0;
      let candidateErrors = 0;
      for (let look = 1; look <= looks; look++) {
        for (let i = 0; i < perWindow; i++) {
          if (uniform() < rate) controlErrors++;
          if (uniform() < rate) candidateErrors++;
        }
        const trials = look * perWindow;
        state = updateAlwaysValidTest(state, differenceInProportionsEstimate(controlErrors, trials, candidateErrors, trials));
      }
      if (alwaysValidTestResult(state).rejected) rejected++;
    }
    // The guarantee is asymptotic here; allow 3 SE (SE ≈ 0.0069) above α.
    expect(rejected / replicates).toBeLessThanOrEqual(alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / replicates));
  });
});
