import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importRollout } from '../../src/engine/import/index.ts';
import { parsePolicy } from '../../src/engine/policy/parsePolicy.ts';
import { auditScenario } from '../../src/sim/audit/auditScenario.ts';
import { labStateFromImport, labStateFromWorlds } from '../../src/ui/audit/auditLabState.ts';
import type { LabImportedPolicy } from '../../src/ui/lab/labImportedPolicy.ts';
import { labPolicy, labStageNames } from '../../src/ui/lab/labPolicy.ts';
import { labSchema, readLabSettings } from '../../src/ui/lab/labState.ts';
import { labScenarios } from '../../src/ui/lab/labWorlds.ts';
import { initialState } from '../../src/ui/state/viewState.ts';

const input = (path: string) => ({ name: path.split('/').at(-1) as string, text: readFileSync(`test/fixtures/import/${path}`, 'utf8') });

function imported(path: string): LabImportedPolicy {
  const inputs = [input(path)];
  const result = importRollout(inputs);
  return { file: inputs[0].name, source: result.report.source, policy: result.policy };
}

describe('labStateFromImport', () => {
  for (const path of [
    'argo/canary-inline-analysis.yaml',
    'argo/background-analysis.yaml',
    'audit/rollout.yaml',
    'flagger/progressive.yaml',
  ]) {
    it(`makes the lab start from ${path} unchanged: the lab's policy is the import`, () => {
      const base = imported(path);
      const settings = readLabSettings({ ...initialState(labSchema), ...labStateFromImport(base) });
      const parsed = parsePolicy(base.policy);
      expect(parsed.ok).toBe(true);
      expect(labPolicy(settings)).toEqual(parsed.ok && parsed.policy);
      expect(labStageNames(settings)).toHaveLength(base.policy.stages.length);
    });
  }

  it('sets the knobs the import carries and leaves the others (the inline-analysis fixture: 60 s checks, failureLimit 1 → 2 failures)', () => {
    const patch = labStateFromImport(imported('argo/canary-inline-analysis.yaml'));
    expect(patch.checkMinutes).toBe('1');
    expect(patch.failureLimit).toBe('2');
    expect(patch.baselineMode).toBe('concurrent');
    expect({ absError: patch.absError, absP95: patch.absP95, statEffect: patch.statEffect }).toEqual({
      absError: '',
      absP95: '',
      statEffect: '',
    });
    // The fixture has only an absolute limit: no ratio rule carries errorRate.maxRatio, so the lab keeps its own.
    expect(patch.errorRatio).toBeUndefined();
  });
});

describe('labStateFromWorlds', () => {
  it('carries the audit’s traffic, models and regression into the lab, whose worlds then match the audit’s', () => {
    const worlds = auditScenario({
      requestsPerSecond: 40,
      errorRate: 0.002,
      p95: 350,
      regression: [
        { metric: 'errors', operation: 'multiply', amount: 3 },
        { metric: 'p95', operation: 'multiply', amount: 1.5 },
      ],
    });
    const { patch, notes } = labStateFromWorlds(worlds);
    expect(notes).toEqual([]);
    expect(patch).toMatchObject({
      requestsPerSecond: '40',
      dailyAmplitude: '0',
      users: '10000',
      controlLatency: 'lognormal',
      controlMedian: '105',
      controlP95: '350',
      controlErrorRate: '0.002',
      candidateErrorRate: '0.002',
      controlTimeout: '',
      faultKind: 'start',
      regressionFactor: '3',
      faultLatency: '1.5',
      outageStart: '',
    });
    const lab = labScenarios(readLabSettings({ ...initialState(labSchema), ...patch }));
    expect(lab.healthy.traffic.requestsPerSecond).toBe(worlds.healthy.traffic.requestsPerSecond);
    expect(lab.healthy.control.latency).toEqual(worlds.healthy.control.latency);
    expect(lab.healthy.control.errorRate).toBe(worlds.healthy.control.errorRate);
    // The lab writes "worse from the start" as a worse candidate: 3 × 0.002 errors, latency × 1.5.
    expect(lab.regressed.candidate.errorRate).toBeCloseTo(0.006, 15);
    expect(lab.regressed.candidate.latency).toEqual({ kind: 'lognormal', median: 157.5, p95: 525 });
  });

  it('turns an added error rate into the factor it amounts to, and names what the lab cannot carry', () => {
    const added = labStateFromWorlds(
      auditScenario({
        requestsPerSecond: 10,
        errorRate: 0.01,
        p95: 200,
        regression: [{ metric: 'errors', operation: 'add', amount: 0.01 }],
      }),
    );
    expect(added.patch.regressionFactor).toBe('2');
    const timeouts = labStateFromWorlds(
      auditScenario({
        requestsPerSecond: 10,
        errorRate: 0.01,
        p95: 200,
        timeoutRate: 0.001,
        regression: [
          { metric: 'timeouts', operation: 'multiply', amount: 2 },
          { metric: 'errors', operation: 'multiply', amount: 2 },
        ],
      }),
    );
    expect(timeouts.notes).toEqual([
      "the timeout regression: the lab's fault has no timeout control, so the lab's regressed candidate keeps today's timeouts",
    ]);
  });
});
