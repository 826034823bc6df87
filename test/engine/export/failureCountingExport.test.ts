/**
 * The failure-counting mapping of the exports (src/engine/export/failureCountingExport.ts): for
 * every sequence of 10 passing/failing checks, the engine's controller (step.ts) and Argo's /
 * Flagger's counting as encoded from their sources (argoAnalysisSemantics.ts,
 * flaggerAnalysisSemantics.ts), fed the exported limits, roll back at the same check where the
 * table says 'exact', and Argo/Flagger never later where it says 'stricter'.
 */
import { describe, expect, it } from 'vitest';
import { initialState } from '../../../src/engine/controller/controllerState.ts';
import { resolveFailureCounting } from '../../../src/engine/controller/failureCount.ts';
import { step } from '../../../src/engine/controller/step.ts';
import type { ArgoMetricSpec } from '../../../src/engine/export/argoAnalysisSemantics.ts';
import { addArgoMeasurement, argoMetricPhase, emptyArgoMetricResult } from '../../../src/engine/export/argoAnalysisSemantics.ts';
import { argoExportNotes, exportArgoRollouts } from '../../../src/engine/export/argoRollouts.ts';
import { argoFailureLimitOf, flaggerThresholdOf } from '../../../src/engine/export/failureCountingExport.ts';
import { exportFlagger, flaggerExportNotes } from '../../../src/engine/export/flagger.ts';
import { flaggerOutcome } from '../../../src/engine/export/flaggerAnalysisSemantics.ts';
import type { Guards, Policy } from '../../../src/engine/policy/policy.ts';
import { window } from '../controller/windowFixtures.ts';

/** One canary of 100 checks (never completes within 10), one absolute rule: a check fails exactly when the window's error rate is above 5%. */
function policy(guards: Guards): Policy {
  return {
    version: 1,
    baseline: { mode: 'concurrent' },
    guards: { minRequests: 100, ...guards },
    stages: [
      {
        kind: 'canary',
        traffic: 0.05,
        minDuration: '500m',
        checkInterval: '5m',
        rules: [{ type: 'absolute', metric: 'errorRate', max: 0.05 }],
      },
      { kind: 'promote' },
    ],
  } as Policy;
}

/** The check (1-based) at which the controller rolls back on `checks` (true = fails), or null. */
function controllerRollback(value: Policy, checks: boolean[]): number | null {
  const state = initialState(value, 0);
  for (let i = 0; i < checks.length; i++) {
    const errorRate = checks[i] ? 0.1 : 0.01;
    const result = step(state, [window(i * 300, { requests: 4750 }, { requests: 250, errorRate })], value);
    if (result.decision === 'rollback') return i + 1;
  }
  return null;
}

/** The measurement (1-based) at which an Argo metric with the exported fields ends Failed, or null. */
function argoRollback(metric: ArgoMetricSpec, checks: boolean[]): number | null {
  let result = emptyArgoMetricResult();
  for (let i = 0; i < checks.length; i++) {
    result = addArgoMeasurement(result, checks[i] ? 'Failed' : 'Successful');
    if (argoMetricPhase(metric, result, false) === 'Failed') return i + 1;
  }
  return null;
}

/** The check after which Flagger rolls back (it tests failedChecks >= threshold before the next tick), or null. */
function flaggerRollback(threshold: number, checks: boolean[]): number | null {
  const outcome = flaggerOutcome(
    { threshold, iterations: 100 },
    checks.map((failed) => !failed),
  );
  return outcome.outcome === 'rollback' ? outcome.checks : null;
}

/** All 2^10 sequences of 10 checks. */
const sequences = Array.from({ length: 1 << 10 }, (_, bits) => Array.from({ length: 10 }, (_, i) => ((bits >> i) & 1) === 1));

function exportedArgoMetric(value: Policy): ArgoMetricSpec {
  const template = exportArgoRollouts(value).analysisTemplates[0] as unknown as { spec: { metrics: ArgoMetricSpec[] } };
  return template.spec.metrics[0];
}

function flaggerThreshold(value: Policy): number {
  return (exportFlagger(value).canary as { spec: { analysis: { threshold: number } } }).spec.analysis.threshold;
}

/** Whether the target rolls back no later than the policy (null = never). */
function noLater(target: number | null, ours: number | null): boolean {
  return ours === null || (target !== null && target <= ours);
}

describe('the mapping table', () => {
  it('total n ↔ Argo failureLimit n − 1 and Flagger threshold n; the other modes stricter', () => {
    expect(argoFailureLimitOf(resolveFailureCounting({ failureCounting: 'total', failureLimit: 4 }))).toEqual({
      value: 3,
      fidelity: 'exact',
      note: null,
    });
    expect(argoFailureLimitOf(resolveFailureCounting({ failureLimit: 3 }))).toMatchObject({ value: 2, fidelity: 'stricter' });
    expect(argoFailureLimitOf(resolveFailureCounting({ failureCounting: 'mOfN', failureLimit: 3, failureWindow: 5 }))).toMatchObject({
      value: 2,
      fidelity: 'stricter',
    });
    expect(
      argoFailureLimitOf(resolveFailureCounting({ failureCounting: 'total', failureLimit: 2, failureScope: 'rollout' })),
    ).toMatchObject({
      fidelity: 'looser',
    });
    expect(
      flaggerThresholdOf([
        resolveFailureCounting({ failureCounting: 'total', failureLimit: 4, failureScope: 'rollout', onNoData: 'fail' }),
      ]),
    ).toEqual({ value: 4, fidelity: 'exact', note: null });
    expect(flaggerThresholdOf([resolveFailureCounting({ failureLimit: 4, onNoData: 'fail' })])).toMatchObject({
      value: 4,
      fidelity: 'stricter',
    });
  });
});

describe('Argo: the exported failureLimit against the controller on all 1,024 sequences of 10 checks', () => {
  it("'total', limit 3: the same check (failureLimit 2)", () => {
    const value = policy({ failureCounting: 'total', failureLimit: 3 });
    const metric = exportedArgoMetric(value);
    expect(metric.failureLimit).toBe(2);
    for (const checks of sequences) expect(argoRollback(metric, checks)).toBe(controllerRollback(value, checks));
  });

  for (const guards of [
    { failureCounting: 'consecutive', failureLimit: 3 },
    { failureCounting: 'mOfN', failureLimit: 3, failureWindow: 5 },
  ] as Guards[]) {
    it(`'${guards.failureCounting}', limit 3: never later, and earlier on some sequence`, () => {
      const value = policy(guards);
      const metric = exportedArgoMetric(value);
      let earlier = 0;
      for (const checks of sequences) {
        const argo = argoRollback(metric, checks);
        const ours = controllerRollback(value, checks);
        expect(noLater(argo, ours)).toBe(true);
        if (argo !== null && (ours === null || argo < ours)) earlier++;
      }
      expect(earlier).toBeGreaterThan(0);
      expect(argoExportNotes(value).some((note) => note.includes('failure counting is stricter in Argo'))).toBe(true);
    });
  }
});

describe('Flagger: the exported threshold against the controller on all 1,024 sequences of 10 checks', () => {
  it("'total' over the rollout, limit 3: the same check (threshold 3)", () => {
    const value = policy({ failureCounting: 'total', failureLimit: 3, failureScope: 'rollout', onNoData: 'fail' });
    expect(flaggerThreshold(value)).toBe(3);
    for (const checks of sequences) expect(flaggerRollback(3, checks)).toBe(controllerRollback(value, checks));
    expect(flaggerExportNotes(value).some((note) => note.includes('exactly as the policy counts them'))).toBe(true);
  });

  it("'mOfN' 3 of 5: never later (threshold 3), and the notes say Flagger is stricter", () => {
    const value = policy({ failureCounting: 'mOfN', failureLimit: 3, failureWindow: 5 });
    for (const checks of sequences)
      expect(noLater(flaggerRollback(flaggerThreshold(value), checks), controllerRollback(value, checks))).toBe(true);
    expect(flaggerExportNotes(value).find((note) => note.startsWith('Failures:'))).toContain(
      'Flagger is stricter: the policy rolls back at 3 failures among the last 5 checks, Flagger at 3 in total',
    );
  });
});

describe('no data in the Argo export', () => {
  it("onNoData 'fail': an empty result is a failed measurement", () => {
    const metric = exportedArgoMetric(policy({ onNoData: 'fail' }));
    expect(metric.failureCondition).toBe('len(result) == 0 || result[0] > 0.05');
    expect(metric.successCondition).toBe('len(result) > 0 && result[0] <= 0.05');
  });

  it("onNoData 'inconclusive' with limit 4: inconclusiveLimit 3 (Inconclusive, and the pause, at the 4th)", () => {
    const metric = exportedArgoMetric(policy({ onNoData: 'inconclusive', inconclusiveLimit: 4 }));
    expect(metric.failureCondition).toBe('len(result) > 0 && result[0] > 0.05');
    expect(metric.inconclusiveLimit).toBe(3);
    let result = emptyArgoMetricResult();
    const phases = [1, 2, 3, 4].map(() => {
      result = addArgoMeasurement(result, 'Inconclusive');
      return argoMetricPhase(metric, result, false);
    });
    expect(phases).toEqual(['Running', 'Running', 'Running', 'Inconclusive']);
    const withMaximum: Policy = policy({ onNoData: 'inconclusive', inconclusiveLimit: 4 });
    (withMaximum.stages[0] as { maxDuration?: string }).maxDuration = '10h';
    expect(argoExportNotes(withMaximum)).toContain(
      "stage 0 (canary-5): the run ends Inconclusive after 4 inconclusive measurements (inconclusiveLimit 3) and the rollout pauses, as the policy's stage pauses at its inconclusiveLimit 4; the policy then rolls back at its maximum duration (10h), where Argo waits for a person.",
    );
  });
});
