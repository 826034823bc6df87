import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importRollout } from '../../src/engine/import/index.ts';
import type { Policy } from '../../src/engine/policy/policy.ts';
import { knobValue, policyKnobs } from '../../src/engine/policy/policyKnobs.ts';
import { auditRollout } from '../../src/sim/audit/auditRollout.ts';
import { auditScenario } from '../../src/sim/audit/auditScenario.ts';
import { type AuditRequest, auditEndpoint } from '../../workers/auditEndpoint.ts';

/**
 * The app's audit worker, in-process: the Argo importer's inline-analysis fixture at 40 req/s and
 * 2% errors, a 3× error regression (6%: above the file's 5% error limit, so it can be caught),
 * small runs (40 replicates, 6 tuning candidates).
 */
const inputs = [{ name: 'rollout.yaml', text: readFileSync('test/fixtures/import/argo/canary-inline-analysis.yaml', 'utf8') }];
const request: AuditRequest = {
  inputs,
  importOptions: {},
  world: { requestsPerSecond: 40, errorRate: 0.02, p95: 350, regression: [{ metric: 'errors', operation: 'multiply', amount: 3 }] },
  targets: { maxFalseRollbackRate: 0.05, minDetectionRate: 0.9, detectWithin: 7200 },
  replicates: 40,
  seed: 1,
  candidates: 6,
};

describe('auditEndpoint', () => {
  it('audits the imported policy as the audit library does, exactly', () => {
    const answer = auditEndpoint.audit(request);
    const { healthy, regressed } = auditScenario(request.world);
    expect(answer).toEqual(auditRollout(importRollout(inputs).policy, healthy, regressed, { replicates: 40, seed: 1, detectWithin: 7200 }));
    expect(answer.method).toBe('exact');
    expect(answer.stages.map((stage) => stage.name)).toEqual(['canary 20%', 'canary 50%']);
  });

  it('tunes within what the file can say, writes it into the user’s file as a diff, and the written file imports as the tuned policy', async () => {
    const fractions: number[] = [];
    const tuning = await auditEndpoint.tune(request, (fraction) => fractions.push(fraction));
    expect(tuning.meetsTargets).toBe(true);
    expect(tuning.message).toMatch(/^Recommended: /);
    expect(tuning.policy).not.toBeNull();
    expect(tuning.audit?.stages).toHaveLength(2);
    expect(tuning.files.map((file) => file.name)).toEqual(['rollout.yaml']);
    expect(tuning.diff.startsWith('--- a/rollout.yaml\n+++ b/rollout.yaml\n@@ ')).toBe(true);
    expect(tuning.changes.length).toBeGreaterThan(0);
    for (const change of tuning.changes) expect(change.location).toMatch(/^rollout\.yaml#\d+ (Rollout|AnalysisTemplate)\/\S+ \.\S+$/);
    expect(tuning.unrepresentable).toEqual([]);
    // The written file carries the tuned policy: every knob reads the same from it (the counting mode is not compared: at a
    // failure limit of 1 every mode is the same rule, and the importer then leaves the mode out).
    const reimported = importRollout(tuning.files).policy;
    for (const knob of policyKnobs.filter((name) => name !== 'guards.failureCounting'))
      expect(knobValue(reimported, knob), knob).toBe(knobValue(tuning.policy as Policy, knob));
    expect(reimported.stages).toEqual((tuning.policy as Policy).stages);
    // Progress rises to the end of the tuner's plan.
    expect(fractions.length).toBeGreaterThan(0);
    expect(fractions.every((fraction, i) => fraction >= 0 && fraction <= 1 && (i === 0 || fraction >= fractions[i - 1]))).toBe(true);
  }, 60_000);

  it('answers bad options with the library’s RangeError', () => {
    expect(() => auditEndpoint.audit({ ...request, world: { ...request.world, errorRate: 1.5 } })).toThrow(
      'errorRate must be a rate from 0 to 1 (exclusive of 1), got 1.5',
    );
  });
});
