/**
 * The encoded Argo Rollouts semantics against cases read off the argo-rollouts source (master,
 * 2026-08): utils/analysis/factory.go `ValidateMetric`, utils/evaluate/evaluate.go
 * `EvaluateResult`, analysis/analysis.go `runMeasurements` / `assessMetricStatus` /
 * `assessRunStatus`, utils/analysis/helpers.go `IsTerminating` / `analysisStatusOrder`,
 * rollout/analysis.go (Inconclusive pauses, Failed and Error abort).
 */
import { describe, expect, test } from 'vitest';
import type { ArgoMeasurementPhase, ArgoMetricSpec } from '../../../src/engine/export/argoAnalysisSemantics.ts';
import {
  addArgoMeasurement,
  argoMeasurementPhase,
  argoMetricPhase,
  argoRolloutAction,
  emptyArgoMetricResult,
  evaluateArgoCondition,
  runArgoAnalysis,
  validateArgoMetric,
  validateArgoMetrics,
  worseArgoPhase,
} from '../../../src/engine/export/argoAnalysisSemantics.ts';

const prometheus = { prometheus: { address: 'http://p', query: 'up' } };
const metric = (fields: Partial<ArgoMetricSpec>): ArgoMetricSpec => ({ name: 'm', interval: '5m', provider: prometheus, ...fields });

function counters(phases: ArgoMeasurementPhase[]) {
  return phases.reduce(addArgoMeasurement, emptyArgoMetricResult());
}

describe('validateArgoMetric (ValidateMetric)', () => {
  test.each([
    [{ count: 72, inconclusiveLimit: 792 }, ['count (72) must be >= inconclusiveLimit (792)']],
    [{ count: 3, failureLimit: 4 }, ['count (3) must be >= failureLimit + consecutiveSuccessLimit (4 + 0)']],
    [{ count: 10, failureLimit: 2, consecutiveSuccessLimit: 9 }, ['count (10) must be >= failureLimit + consecutiveSuccessLimit (2 + 9)']],
    [{ count: 10, failureLimit: -1, consecutiveSuccessLimit: 11 }, ['count must be >= consecutiveSuccessLimit']],
    [{ count: 10, failureLimit: -1 }, ['failureLimit and consecutiveSuccessLimit cannot both be disabled']],
    [{ failureLimit: -2 }, ['failureLimit must be >= 0, or -1 to be disabled']],
    [{ inconclusiveLimit: -1 }, ['inconclusiveLimit must be >= 0']],
    [{ consecutiveErrorLimit: -1 }, ['consecutiveErrorLimit must be >= 0']],
    [{ count: 2, interval: undefined }, ['interval must be specified when count > 1']],
    [{ interval: '5 minutes' }, ['invalid interval string: 5 minutes']],
    [{ initialDelay: '1d' }, ['invalid initialDelay string: 1d']],
    [{ provider: {} }, ['no provider specified']],
    [{ provider: { ...prometheus, web: {} } }, ['multiple providers specified']],
  ] as [Partial<ArgoMetricSpec>, string[]][])('%j → %j', (fields, problems) => {
    expect(validateArgoMetric(metric(fields))).toEqual(problems);
  });

  test("accepted: count 0 (runs until a limit), the export's counts, Go durations with several units", () => {
    expect(validateArgoMetric(metric({ inconclusiveLimit: 900, failureLimit: 30 }))).toEqual([]);
    expect(
      validateArgoMetric(metric({ count: 48, consecutiveSuccessLimit: 24, failureLimit: 0, inconclusiveLimit: 25, initialDelay: '1h30m' })),
    ).toEqual([]);
  });

  test('ValidateMetrics: none, duplicate names, problems prefixed with the index', () => {
    expect(validateArgoMetrics([])).toEqual(['no metrics specified']);
    expect(validateArgoMetrics([metric({}), metric({ count: 1, inconclusiveLimit: 2 })])).toEqual([
      "metrics[1]: duplicate name 'm'",
      'metrics[1]: count (1) must be >= inconclusiveLimit (2)',
    ]);
  });
});

describe('argoMeasurementPhase (EvaluateResult)', () => {
  test.each([
    [undefined, undefined, 'Successful'],
    [true, undefined, 'Successful'],
    [false, undefined, 'Failed'],
    [undefined, true, 'Failed'],
    [undefined, false, 'Successful'],
    [true, true, 'Failed'],
    [false, false, 'Inconclusive'],
    [true, false, 'Successful'],
    ['error', false, 'Error'],
  ] as const)('success %s, failure %s → %s', (success, failure, phase) => {
    expect(argoMeasurementPhase(success, failure)).toBe(phase);
  });

  test('conditions: the len guard short-circuits; result[0] on an empty vector is an evaluation error', () => {
    expect(evaluateArgoCondition('len(result) > 0 && result[0] <= 2', [])).toBe(false);
    expect(evaluateArgoCondition('len(result) > 0 && result[0] <= 2', [1.5])).toBe(true);
    expect(evaluateArgoCondition('len(result) == 0 || result[0] < 100', [])).toBe(true);
    expect(evaluateArgoCondition('len(result) == 0 || result[0] < 100', [100])).toBe(false);
    expect(evaluateArgoCondition('result[0] <= 2', [])).toBe('error');
    expect(evaluateArgoCondition('result == "healthy"', 'inconclusive')).toBe(false);
    expect(evaluateArgoCondition('false', [1])).toBe(false);
    expect(() => evaluateArgoCondition('result[0] in [1]', [1])).toThrow('condition term the export should not write');
  });
});

describe('argoMetricPhase (assessMetricStatus)', () => {
  test('counting: an Error is not counted and resets the success streak; any non-success resets it', () => {
    expect(counters(['Successful', 'Error', 'Inconclusive', 'Successful'])).toEqual({
      count: 3,
      successful: 2,
      failed: 0,
      inconclusive: 1,
      error: 1,
      consecutiveError: 0,
      consecutiveSuccess: 1,
      measurements: 4,
    });
  });

  test('all inconclusive with inconclusiveLimit = count ends Successful (the old export) — with count − 1, Inconclusive', () => {
    const all = counters(Array(24).fill('Inconclusive'));
    expect(argoMetricPhase(metric({ count: 24, inconclusiveLimit: 24 }), all, false)).toBe('Successful');
    expect(argoMetricPhase(metric({ count: 24, inconclusiveLimit: 23 }), all, false)).toBe('Inconclusive');
  });

  test('limits are exceeded, not reached: failed > failureLimit fails; Error after more than 4 consecutive errors by default', () => {
    expect(argoMetricPhase(metric({ count: 10, failureLimit: 1 }), counters(['Failed']), false)).toBe('Running');
    expect(argoMetricPhase(metric({ count: 10, failureLimit: 1 }), counters(['Failed', 'Failed']), false)).toBe('Failed');
    expect(argoMetricPhase(metric({ count: 10 }), counters(Array(4).fill('Error')), false)).toBe('Running');
    expect(argoMetricPhase(metric({ count: 10 }), counters(Array(5).fill('Error')), false)).toBe('Error');
    expect(argoMetricPhase(metric({ count: 10, consecutiveErrorLimit: 0 }), counters(['Error']), false)).toBe('Error');
  });

  test('consecutiveSuccessLimit: Successful at the streak; at count without it Inconclusive, or Failed with failureLimit −1', () => {
    expect(
      argoMetricPhase(metric({ count: 10, consecutiveSuccessLimit: 3 }), counters(['Successful', 'Successful', 'Successful']), false),
    ).toBe('Successful');
    const broken = counters(['Successful', 'Successful', 'Inconclusive', 'Successful']);
    expect(argoMetricPhase(metric({ count: 4, consecutiveSuccessLimit: 3, inconclusiveLimit: 4 }), broken, false)).toBe('Inconclusive');
    expect(argoMetricPhase(metric({ count: 4, consecutiveSuccessLimit: 3, inconclusiveLimit: 4, failureLimit: -1 }), broken, false)).toBe(
      'Failed',
    );
    expect(argoMetricPhase(metric({ count: 5, consecutiveSuccessLimit: 3, inconclusiveLimit: 4 }), broken, false)).toBe('Running');
  });

  test('no measurement: Pending, or Successful when the run is terminating; a running metric of a terminating run is Successful', () => {
    expect(argoMetricPhase(metric({ count: 3 }), emptyArgoMetricResult(), false)).toBe('Pending');
    expect(argoMetricPhase(metric({ count: 3 }), emptyArgoMetricResult(), true)).toBe('Successful');
    expect(argoMetricPhase(metric({ count: 3 }), counters(['Successful']), true)).toBe('Successful');
  });

  test('count 0 without an interval measures once', () => {
    expect(argoMetricPhase(metric({ interval: undefined }), counters(['Successful']), false)).toBe('Successful');
    expect(argoMetricPhase(metric({}), counters(['Successful']), false)).toBe('Running');
  });
});

describe('runArgoAnalysis (assessRunStatus) and the rollout', () => {
  test('order of phases: Failed is worst, then Error, Inconclusive, Pending, Running, Successful', () => {
    expect(worseArgoPhase('Inconclusive', 'Failed')).toBe('Failed');
    expect(worseArgoPhase('Error', 'Inconclusive')).toBe('Error');
    expect(worseArgoPhase('Successful', 'Running')).toBe('Running');
  });

  test('a metric that fails terminates the run: the others count as Successful, the run is Failed', () => {
    const a = metric({ name: 'a', count: 10 });
    const b = metric({ name: 'b', count: 10, failureLimit: 1 });
    const run = runArgoAnalysis([a, b], (m, round) => (m.name === 'b' && round >= 2 ? 'Failed' : 'Successful'));
    expect(run).toEqual({ phase: 'Failed', rounds: 4, metrics: { a: 'Successful', b: 'Failed' } });
  });

  test('Failed and Inconclusive in the same round: Failed', () => {
    const run = runArgoAnalysis([metric({ name: 'a', count: 5 }), metric({ name: 'b', count: 5 })], (m) =>
      m.name === 'a' ? 'Inconclusive' : 'Failed',
    );
    expect(run.phase).toBe('Failed');
    expect(run.rounds).toBe(1);
  });

  test('the rollout: Successful advances, Inconclusive pauses, Failed and Error abort', () => {
    expect(['Successful', 'Inconclusive', 'Failed', 'Error', 'Running'].map((p) => argoRolloutAction(p as never))).toEqual([
      'advance',
      'pause',
      'abort',
      'abort',
      'running',
    ]);
  });
});
