import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importRollout } from '../../src/engine/import/index.ts';
import { auditRollout } from '../../src/sim/audit/auditRollout.ts';
import { auditScenario } from '../../src/sim/audit/auditScenario.ts';
import {
  auditComparison,
  auditOverall,
  auditStageRows,
  diffLines,
  importReportRows,
  tunedFileName,
} from '../../src/ui/audit/auditTables.ts';

/** The Argo importer's inline-analysis fixture, audited exactly at 40 req/s, 2% errors, a 3× error regression. */
const inputs = [{ name: 'rollout.yaml', text: readFileSync('test/fixtures/import/argo/canary-inline-analysis.yaml', 'utf8') }];
const imported = importRollout(inputs);
const worlds = auditScenario({
  requestsPerSecond: 40,
  errorRate: 0.02,
  p95: 350,
  regression: [{ metric: 'errors', operation: 'multiply', amount: 3 }],
});
const exact = auditRollout(imported.policy, worlds.healthy, worlds.regressed, { detectWithin: 7200 });
const simulated = auditRollout(imported.policy, worlds.healthy, worlds.regressed, {
  method: 'monteCarlo',
  replicates: 40,
  seed: 1,
  detectWithin: 7200,
});

describe('importReportRows', () => {
  it('lists each mapped field where it is in the file, with both values', () => {
    const rows = importReportRows(imported.report);
    expect(rows.summary).toMatch(/^Argo Rollouts: \d+ fields mapped, \d+ not represented, \d+ assumptions?\.$/);
    expect(rows.mapped).toContainEqual(
      expect.objectContaining({
        location: 'rollout.yaml#2 AnalysisTemplate/success-rate .spec.metrics[0].successCondition',
        sourceValue: 'result[0] >= 0.95',
        policyValue: '0.05',
      }),
    );
    expect(rows.mapped.every((row) => !row.sourceValue.includes('\n') && row.sourceValue.length <= 90)).toBe(true);
    expect(rows.zeroTraffic).toBe(imported.report.zeroTraffic);
  });
});

describe('auditStageRows and auditOverall', () => {
  it('formats an exact audit: bare percentages in the stage table, the method said once', () => {
    expect(exact.method).toBe('exact');
    const rows = auditStageRows(exact);
    expect(rows.map((row) => [row.name, row.traffic])).toEqual([
      ['canary 20%', '20.0%'],
      ['canary 50%', '50.0%'],
    ]);
    expect(rows[0].reachedHealthy).toBe('100.00%');
    // The second stage catches nothing (the first caught it all): no time to catch there.
    expect(rows.map((row) => [row.caught, row.medianDetection])).toEqual([
      ['100.00%', '2m'],
      ['0.00%', '—'],
    ]);
    expect(rows.every((row) => !row.falseRollback.includes('exact'))).toBe(true);
    const overall = auditOverall(exact);
    expect(overall.rows.map((row) => row.key)).toEqual(['falseRollback', 'missedRegression', 'detection', 'timeToDetect', 'exposure']);
    expect(overall.rows.find((row) => row.key === 'detection')).toEqual({
      key: 'detection',
      label: 'Regression caught within 2h of first serving',
      value: '100.00% (exact)',
    });
    expect(overall.method).toMatch(/^Exact: no sampling error \(probability neglected by the evaluator ≤ \de-\d+\)\.$/);
    // The bound is rounded up, as the lab's (formatNeglectedMass): 3.4e-6 to nearest read "< 3e-6", below the mass.
    expect(auditOverall({ ...exact, neglectedMass: 3.4e-6 }).method).toBe(
      'Exact: no sampling error (probability neglected by the evaluator ≤ 4e-6).',
    );
  });

  it('formats a Monte-Carlo audit with its intervals and its replicates', () => {
    const rows = auditStageRows(simulated);
    expect(rows[0].reachedHealthy).toBe('100.0% [91.2%, 100.0%]');
    expect(auditOverall(simulated).method).toBe('Monte-Carlo: 40 replicates per world, seed 1, 95% Wilson intervals.');
  });

  it('puts the tuned rates beside the original’s, row by row', () => {
    expect(auditComparison(exact, undefined).map((row) => row.tuned)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    const rows = auditComparison(exact, simulated);
    expect(rows.map((row) => row.key)).toEqual(['falseRollback', 'missedRegression', 'detection', 'timeToDetect', 'exposure']);
    expect(rows[2]).toEqual({
      key: 'detection',
      label: 'Regression caught within 2h of first serving',
      original: '100.00% (exact)',
      tuned: '100.0% [91.2%, 100.0%]',
    });
  });
});

describe('diffLines', () => {
  it('tells file headers, hunks, removals, additions and context apart', () => {
    const diff = '--- a/rollout.yaml\n+++ b/rollout.yaml\n@@ -3,3 +3,3 @@\n count: 5\n-failureLimit: 1\n+failureLimit: 0\n provider:\n';
    expect(diffLines(diff)).toEqual([
      { kind: 'file', text: '--- a/rollout.yaml' },
      { kind: 'file', text: '+++ b/rollout.yaml' },
      { kind: 'hunk', text: '@@ -3,3 +3,3 @@' },
      { kind: 'context', text: ' count: 5' },
      { kind: 'remove', text: '-failureLimit: 1' },
      { kind: 'add', text: '+failureLimit: 0' },
      { kind: 'context', text: ' provider:' },
    ]);
    expect(diffLines('')).toEqual([]);
  });

  it('downloads a tuned file under the user’s own name, pasted text as tuned.yaml', () => {
    expect(tunedFileName('rollout.yaml', 'pasted.yaml')).toBe('rollout.yaml');
    expect(tunedFileName('pasted.yaml', 'pasted.yaml')).toBe('tuned.yaml');
  });
});
