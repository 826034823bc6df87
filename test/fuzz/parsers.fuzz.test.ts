/**
 * Fuzz of the parsers at the public edges: `parsePolicy`, `parseScenario`, `parseWindowMetrics`,
 * the partial-result parser of `merge` — random JSON and structure-aware mutations of valid
 * documents. Properties: never throws, never hangs (each case is bounded by fast-check's
 * timeout-free small inputs and the suite's time), and either accepts or lists problems that
 * each name a path and a non-empty reason. What is accepted must be usable: a parsed policy
 * compiles, starts and steps on random windows, and its exports are valid YAML without NaN.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../../src/cli/args.ts';
import { parsePartialResult, partialResult } from '../../src/cli/shard.ts';
import { initialState } from '../../src/engine/controller/controllerState.ts';
import { step } from '../../src/engine/controller/step.ts';
import { argoRolloutsYaml } from '../../src/engine/export/argoRollouts.ts';
import { flaggerYaml } from '../../src/engine/export/flagger.ts';
import { parseWindowMetrics } from '../../src/engine/metrics/windowMetrics.ts';
import { defaultPolicy } from '../../src/engine/policy/defaultPolicy.ts';
import { parsePolicy } from '../../src/engine/policy/parsePolicy.ts';
import { parseScenario } from '../../src/sim/scenario.ts';
import { initSummary } from '../../src/sim/summary.ts';
import { hasNonFinite, hostileValue, mutatedDocument } from './mutate.ts';

const seed = 20261129;
const problemsAreNamed = (errors: { path: string; message: string }[]) => {
  expect(errors.length).toBeGreaterThan(0);
  for (const error of errors) {
    expect(typeof error.path).toBe('string');
    expect(error.message.length).toBeGreaterThan(0);
    // a computed NaN in a message is a bug; the user's own string "NaN" quoted back is not
    expect(error.message).not.toMatch(/(?<!")\bNaN\b(?!")/);
  }
};

const window = fc.record({
  startTime: fc.integer({ min: 0, max: 1e7 }),
  duration: fc.constantFrom(60, 300, 3600),
  control: fc.option(
    fc.record({
      requests: fc.nat(1e6),
      errors: fc.nat(1e6),
      timeouts: fc.nat(1e6),
      latency: fc.record({
        p50: fc.double({ min: 0, max: 1e12, noNaN: true }),
        p95: fc.double({ min: 0, max: 1e12, noNaN: true }),
        p99: fc.double({ min: 0, max: 1e12, noNaN: true }),
      }),
    }),
    { nil: undefined },
  ),
  candidate: fc.option(
    fc.record({
      requests: fc.nat(1e6),
      errors: fc.nat(1e6),
      timeouts: fc.nat(1e6),
      successes: fc.nat(1000),
      outcomes: fc.constant(1000),
      agreements: fc.nat(1000),
      compared: fc.constant(1000),
    }),
    { nil: undefined },
  ),
});

describe('parsePolicy', () => {
  test('2,000 mutations of the default policy and 500 random values: never throws; accepted policies run and export cleanly', () => {
    const inputs = fc.oneof({ weight: 4, arbitrary: mutatedDocument(defaultPolicy(), 3) }, { weight: 1, arbitrary: hostileValue });
    let accepted = 0;
    fc.assert(
      fc.property(inputs, fc.array(window, { maxLength: 3 }), (input, windows) => {
        const result = parsePolicy(input);
        if (!result.ok) return problemsAreNamed(result.errors);
        accepted += 1;
        let state = initialState(result.policy, 0);
        for (const raw of windows) {
          const parsed = parseWindowMetrics(raw);
          if (!parsed.ok) continue;
          const stepped = step(state, [parsed.window], result.policy);
          expect(hasNonFinite(stepped.reasons)).toBe(false);
          state = stepped.state;
        }
        for (const yaml of [
          argoRolloutsYaml(result.policy),
          flaggerYaml(result.policy, {
            mode: result.policy.stages.some((s) => s.kind === 'canary')
              ? 'progressive'
              : result.policy.stages.some((s) => s.kind === 'ab')
                ? 'ab'
                : 'shadow',
          }),
        ]) {
          expect(yaml).not.toMatch(/NaN|Infinity|undefined/);
          expect(() => parseYaml(yaml.split('\n---\n')[1] ?? yaml)).not.toThrow();
        }
      }),
      { numRuns: 2500, seed },
    );
    expect(accepted).toBeGreaterThan(50); // the mutations must also reach the valid side
  }, 30_000);
});

describe('parseScenario', () => {
  const scenario = JSON.parse(readFileSync('scenarios/error-regression.json', 'utf8'));
  test('2,000 mutations of a shipped scenario and random values: never throws, names every problem', () => {
    fc.assert(
      fc.property(fc.oneof({ weight: 4, arbitrary: mutatedDocument(scenario, 3) }, { weight: 1, arbitrary: hostileValue }), (input) => {
        const result = parseScenario(input);
        if (!result.ok) problemsAreNamed(result.errors);
      }),
      { numRuns: 2000, seed },
    );
  });
});

describe('parseWindowMetrics', () => {
  const valid = {
    startTime: 0,
    duration: 300,
    control: { requests: 100, errors: 1, timeouts: 0, latency: { p50: 10, p95: 20, p99: 30 } },
    candidate: {
      requests: 100,
      errors: 2,
      timeouts: 0,
      successes: 5,
      outcomes: 10,
      segments: { eu: { requests: 5, errors: 0, timeouts: 0 } },
    },
  };
  test('2,000 mutations and random values: never throws; accepted windows hold only finite numbers', () => {
    fc.assert(
      fc.property(fc.oneof({ weight: 4, arbitrary: mutatedDocument(valid, 4) }, { weight: 1, arbitrary: hostileValue }), (input) => {
        const result = parseWindowMetrics(input);
        if (!result.ok) return problemsAreNamed(result.errors);
        expect(hasNonFinite(result.window)).toBe(false);
      }),
      { numRuns: 2000, seed },
    );
  });
});

describe('partial results (merge)', () => {
  const valid = partialResult(
    'simulate',
    { replicates: 10, seed: 1, scenarioHashes: ['a'.repeat(64)], policyHash: 'b'.repeat(64) },
    { scenario: 's' },
    { index: 1, count: 3 },
    [{ key: '', label: {}, state: { ...initSummary(), replicates: 3, undecided: 3 } }],
  );
  test('1,000 mutations: accepted or a UsageError naming the file, never another exception', () => {
    fc.assert(
      fc.property(mutatedDocument(valid, 3), (input) => {
        try {
          const part = parsePartialResult(input, 'part.json');
          expect(hasNonFinite(part)).toBe(false);
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          expect((error as Error).message).toMatch(/part\.json/);
        }
      }),
      { numRuns: 1000, seed },
    );
  });
});
