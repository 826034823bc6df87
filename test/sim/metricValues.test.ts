/**
 * Metric values in scenarios (issue 15): the vocabulary's parsing and messages, the laws of the
 * draws (one value, the sum of k values) against their closed-form moments, and the two fidelity
 * modes' per-user sums against each other. Seeded; tolerances from the Monte-Carlo standard error.
 */
import { describe, expect, it } from 'vitest';
import { streamFor } from '../../src/engine/random/streams.ts';
import type { ValueLaw } from '../../src/sim/metricValues.ts';
import { ValueDraws, valueLawMean, valueLawSecondMoment } from '../../src/sim/metricValues.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import { abWindows, valuesOf, valuesWorld } from './metricValuesHarness.ts';

const model = { latency: { kind: 'exponential', mean: 100 }, errorRate: 0.01 };
const document = (control: unknown, candidate: unknown) => ({
  version: 1,
  name: 'values',
  traffic: { requestsPerSecond: 10 },
  control: { ...model, values: control },
  candidate: { ...model, values: candidate },
});

const tokens = { kind: 'perRequest', value: { kind: 'lognormal', median: 300, sigma: 0.5 }, userEffectSigma: 0.6 };
const revenue = {
  kind: 'perUser',
  value: { kind: 'zeroInflated', zeroProbability: 0.9, value: { kind: 'lognormal', median: 20, sigma: 1 } },
  preCorrelation: 0.7,
};
const cost = { kind: 'ratio', numerator: { kind: 'gamma', shape: 2, scale: 0.5 }, denominator: { kind: 'poisson', mean: 3 } };

describe('scenario values', () => {
  it('parses the three kinds, and the candidate inherits the user effect and ρ from the control', () => {
    const parsed = parseScenario(
      document(
        { tokens, revenue, cost },
        { tokens: { kind: 'perRequest', value: tokens.value }, revenue: { ...revenue, preCorrelation: undefined }, cost },
      ),
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const { control, candidate } = parsed.scenario;
    expect(control.values?.tokens).toEqual({
      kind: 'perRequest',
      value: { kind: 'lognormal', median: 300, sigma: 0.5 },
      userEffectSigma: 0.6,
    });
    expect(candidate.values?.tokens).toEqual(control.values?.tokens);
    expect(candidate.values?.revenue).toEqual({
      kind: 'perUser',
      value: { kind: 'zeroInflated', zeroProbability: 0.9, value: { kind: 'lognormal', median: 20, sigma: 1 } },
      userEffectSigma: 0,
      preCorrelation: 0.7,
    });
    expect(candidate.values?.cost).toEqual({ ...cost, userEffectSigma: 0 });
  });

  it('names the field and the reason of every problem', () => {
    const parsed = parseScenario(
      document(
        { tokens: { ...tokens, userEffectSigma: -1 }, revenue: { ...revenue, value: { kind: 'gamma', shape: 2, scale: 3 } }, cost },
        {
          tokens: { ...tokens, kind: 'perUser' },
          successRate: cost,
          extra: {
            kind: 'ratio',
            numerator: {
              kind: 'zeroInflated',
              zeroProbability: 0.5,
              value: { kind: 'zeroInflated', zeroProbability: 0.1, value: { kind: 'constant', value: 1 } },
            },
            denominator: { kind: 'constant', value: 1 },
          },
        },
      ),
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const messages = parsed.errors.map((error) => error.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'control.values.tokens.userEffectSigma must be between 0 and 5, got -1',
        'control.values.revenue.value must be constant, normal, lognormal or a zeroInflated one of those when preCorrelation is given',
        'candidate.values.extra.numerator.value must not be zeroInflated inside zeroInflated',
      ]),
    );
    const cross = parseScenario(
      document({ tokens, cost }, { tokens: { kind: 'ratio', numerator: tokens.value, denominator: tokens.value }, successRate: cost }),
    );
    expect(cross.ok).toBe(false);
    if (cross.ok) return;
    expect(cross.errors.map((error) => error.message)).toEqual([
      'candidate.values.cost is required: both models give the same metrics (control.values.cost is given)',
      "candidate.values.successRate is reserved: an A/B metric named 'successRate' reads the successes/outcomes counts",
      'control.values.successRate is required: both models give the same metrics (candidate.values.successRate is given)',
      "candidate.values.tokens.kind must be 'perRequest' as control.values.tokens.kind, got 'ratio'",
    ]);
  });
});

describe('value draws', () => {
  const laws: ValueLaw[] = [
    { kind: 'constant', value: 2 },
    { kind: 'normal', mean: 5, sd: 2 },
    { kind: 'lognormal', median: 10, sigma: 0.8 },
    { kind: 'gamma', shape: 0.7, scale: 3 },
    { kind: 'poisson', mean: 2.5 },
    { kind: 'zeroInflated', zeroProbability: 0.8, value: { kind: 'gamma', shape: 2, scale: 5 } },
  ];
  it.each(laws.map((law) => [law.kind, law] as const))(
    'one value and the sum of k values have the closed-form mean and variance (%s)',
    (_kind, law) => {
      const draws = new ValueDraws(streamFor(15, 0, law.kind));
      const mean = valueLawMean(law);
      const variance = valueLawSecondMoment(law) - mean * mean;
      for (const k of [1, 7]) {
        const n = 20000;
        let sum = 0;
        let squares = 0;
        for (let i = 0; i < n; i++) {
          const x = k === 1 ? draws.one(law) : draws.sum(law, k);
          sum += x;
          squares += x * x;
        }
        const sampleMean = sum / n;
        const sampleVariance = (squares - n * sampleMean * sampleMean) / (n - 1);
        // Mean within 4 standard errors; the variance within 4 of its own (√((μ₄ − σ⁴)/n) ≤ σ²·√(κ/n),
        // bounded here by 6σ²/√n, generous for the lognormal's heavy fourth moment at σ = 0.8).
        expect(Math.abs(sampleMean - k * mean)).toBeLessThanOrEqual(4 * Math.sqrt((k * variance) / n) + 1e-12);
        expect(Math.abs(sampleVariance - k * variance)).toBeLessThanOrEqual((24 * k * variance) / Math.sqrt(n) + 1e-12);
      }
    },
  );
});

describe('the fidelity modes agree on the per-user sums', () => {
  it.each([
    ['uniform users', 0, 100],
    // Zipf users: the windowed mode gives the arm's requests by an alias table over the arm's weights.
    ['Zipf users (exponent 0.8)', 0.8, 60],
  ] as const)(
    'per unit: the same mean of x, y and x² for per-request, ratio and per-user metrics (%s)',
    (_label, zipfExponent, replicates) => {
      const world = valuesWorld(
        { tokens, revenue, cost },
        { tokens, revenue, cost },
        { requestsPerSecond: 10, users: { count: 1500, zipfExponent } },
      );
      const perUnit: Record<string, Record<string, number[]>> = {};
      for (const mode of ['request', 'window'] as const) {
        for (let r = 0; r < replicates; r++) {
          const [window] = abWindows(world, mode, 23, r, 1, 400);
          for (const [name, sums] of Object.entries(valuesOf(window.candidate))) {
            const row = (perUnit[`${mode}:${name}`] ??= { count: [], x: [], y: [], xx: [] });
            row.count.push(sums.count);
            row.x.push(sums.sumX / sums.count);
            row.y.push(sums.sumY / sums.count);
            row.xx.push(sums.sumXSquares / sums.count);
          }
        }
      }
      const meanAndError = (values: number[]) => {
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
        return { mean, error: Math.sqrt(variance / values.length) };
      };
      for (const name of ['tokens', 'revenue', 'cost']) {
        for (const field of ['count', 'x', 'y', 'xx']) {
          const a = meanAndError(perUnit[`request:${name}`][field]);
          const b = meanAndError(perUnit[`window:${name}`][field]);
          expect(Math.abs(a.mean - b.mean), `${name}.${field}`).toBeLessThanOrEqual(4 * Math.hypot(a.error, b.error) + 1e-9);
        }
      }
      // And tokens per request is the law's mean (the user factor has mean 1): 300·e^{0.125} = 339.94.
      const perRequest = meanAndError(perUnit['window:tokens'].x.map((x, i) => x / perUnit['window:tokens'].y[i]));
      expect(Math.abs(perRequest.mean - 300 * Math.exp(0.125))).toBeLessThanOrEqual(4 * perRequest.error);
    },
  );
});
