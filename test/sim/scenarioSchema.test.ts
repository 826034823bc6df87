/**
 * The published scenario schema (scenarios/scenario.schema.json, generated from parseScenario's
 * field table) and `parseScenario` agree on valid documents and on per-field problems (the
 * cross-field rules are the table's hooks, which the schema cannot state). Checked with the
 * project's tiny draft-2020-12 checker.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/sim/scenario.ts';
import { schemaErrors } from '../engine/policy/schemaChecker.ts';

const schema = JSON.parse(readFileSync('scenarios/scenario.schema.json', 'utf8'));
const model = { latency: { kind: 'exponential', mean: 100 }, errorRate: 0.01 };
const base = { version: 1, name: 'schema', traffic: { requestsPerSecond: 10 }, control: model, candidate: model };

const valid: Record<string, unknown>[] = [
  JSON.parse(readFileSync('scenarios/identical-candidate.json', 'utf8')),
  JSON.parse(readFileSync('scenarios/error-regression.json', 'utf8')),
  base,
  {
    ...base,
    horizon: '3d',
    traffic: {
      requestsPerSecond: 5,
      dailyCycle: { amplitude: 0.4 },
      bursts: [{ start: '2h', duration: '15m', multiplier: 4 }],
      arrivals: { kind: 'replay', times: [0, 0.5, 2], period: 10 },
      users: { count: 500, zipfExponent: 1.1 },
      segments: { mobile: 2, web: 1 },
    },
    control: {
      latency: { kind: 'gamma', shape: 2, scale: 50 },
      errorRate: 0,
      timeout: 2000,
      accuracy: { mobile: 0.9, web: 0.8 },
      agreement: 1,
    },
    candidate: {
      latency: {
        kind: 'mixture',
        components: [
          { weight: 0.9, distribution: { kind: 'lognormal', median: 90, p95: 300 } },
          { weight: 0.1, distribution: { kind: 'empirical', values: [500, 800, 1200] } },
        ],
      },
      errorRate: 0.02,
      accuracy: 0.85,
      agreement: 0.9,
    },
    faults: [
      { kind: 'step', at: '6h', effect: { errorRateMultiplier: 2 } },
      { kind: 'ramp', start: 0, end: '1d', effect: { latencyMultiplier: 1.5 } },
      { kind: 'leak', effect: { extraErrorRate: 0.001 } },
      { kind: 'bursts', start: '1h', every: '2h', duration: '5m', effect: { errorRateMultiplier: 10 } },
      { kind: 'outage', start: '30h', duration: '20m', effect: { extraErrorRate: 0.5 } },
    ],
    drift: {
      segmentMix: { target: { mobile: 1, web: 3 }, over: '14d' },
      accuracyDecayPerDay: { candidate: 0.002 },
      agreementDecayPerDay: 0.01,
    },
    inputs: {
      promptLength: {
        kind: 'lognormal',
        median: 200,
        sigma: 0.8,
        shiftPerWeek: 0.05,
        scalePerWeek: 0.01,
        accuracyLossPerSd: { candidate: 0.02 },
      },
      score: { kind: 'normal', mean: 0, sd: 1, shiftPerWeek: -0.1 },
      language: { kind: 'categorical', mix: { en: 8, de: 1, fr: 1 }, target: { en: 6, de: 2, fr: 2 }, over: '30d' },
    },
    truth: { errorRateRatio: 1.5, p95Ratio: 1.2, accuracyDrop: 0.02 },
  },
];

const invalid: [string, Record<string, unknown>][] = [
  ['wrong version', { ...base, version: 2 }],
  ['missing name', { ...base, name: undefined }],
  ['unknown field', { ...base, colour: 'red' }],
  ['negative rate', { ...base, traffic: { requestsPerSecond: -1 } }],
  ['fractional users', { ...base, traffic: { requestsPerSecond: 1, users: { count: 2.5 } } }],
  ['error rate above 1', { ...base, control: { ...model, errorRate: 1.5 } }],
  ['unknown latency kind', { ...base, candidate: { ...model, latency: { kind: 'weibull' } } }],
  ['bad duration', { ...base, horizon: 'soon' }],
  ['unknown fault', { ...base, faults: [{ kind: 'meteor', effect: {} }] }],
  ['truth ratio below 1', { ...base, truth: { p95Ratio: 0.9 } }],
  ['amplitude 1', { ...base, traffic: { requestsPerSecond: 1, dailyCycle: { amplitude: 1 } } }],
];

// Input features are keyed by the user's names (`additionalProperties` as a schema): each feature
// is also checked against the per-feature schema directly.
const invalidInputs: [string, Record<string, unknown>][] = [
  ['input of unknown kind', { kind: 'uniform', low: 0, high: 1 }],
  ['input sd 0', { kind: 'normal', mean: 0, sd: 0 }],
  ['lognormal input without sigma', { kind: 'lognormal', median: 5 }],
  ['categorical input without a mix', { kind: 'categorical', target: { a: 1 }, over: '1d' }],
  ['normal input with a median', { kind: 'normal', mean: 0, sd: 1, median: 3 }],
];

describe('scenario.schema.json', () => {
  it('accepts each input feature parseScenario accepts', () => {
    const inputs = (valid[3] as { inputs: Record<string, unknown> }).inputs;
    for (const [name, feature] of Object.entries(inputs))
      expect(schemaErrors(feature, schema.properties.inputs.additionalProperties, schema), name).toEqual([]);
  });

  it.each(invalidInputs)('rejects an input feature, like parseScenario: %s', (_label, feature) => {
    expect(schemaErrors(feature, schema.properties.inputs.additionalProperties, schema).length).toBeGreaterThan(0);
    expect(parseScenario({ ...base, inputs: { x: feature } }).ok).toBe(false);
  });

  it('parseScenario rejects an empty inputs object', () => {
    expect(parseScenario({ ...base, inputs: {} })).toMatchObject({
      ok: false,
      errors: [{ path: 'inputs', message: 'inputs must list at least one input feature' }],
    });
  });

  it('accepts what parseScenario accepts', () => {
    for (const document of valid) {
      expect(schemaErrors(document, schema), String(document.name)).toEqual([]);
      expect(parseScenario(document).ok, String(document.name)).toBe(true);
    }
  });

  it.each(invalid)('rejects, like parseScenario: %s', (_label, document) => {
    const json = JSON.parse(JSON.stringify(document));
    expect(schemaErrors(json, schema).length).toBeGreaterThan(0);
    expect(parseScenario(json).ok).toBe(false);
  });
});
